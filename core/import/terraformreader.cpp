// The Terraform reader. Terraform's JSON output format (HashiCorp, "JSON Output Format",
// https://developer.hashicorp.com/terraform/internals/json-format): a state is
// {format_version, values: {root_module: {resources[], child_modules[]}}}; a plan adds
// planned_values (the state the plan would produce, without the values known only after apply),
// prior_state, resource_changes[] (change.after_unknown marks the unknown values) and
// configuration (each attribute's expression with the "references" it was built from). A raw
// terraform.tfstate (version 4) lists resources[] with instances[] and their attributes.
//
// Nothing here decides what a rule means: each resource becomes the document the Azure or AWS
// reader reads (REST shapes; describe-* lists), and that reader reads it. What this file decides
// is what Terraform leaves open: ids not known before apply (synthesised from the address, or from
// the resource group and name as Azure builds them), links through configuration references, and
// rules written twice (inline and as resources of their own).

#include "terraformreader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>

namespace ew {

namespace {

using json = nlohmann::json;

// One resource instance as Terraform wrote it.
struct TfResource
{
    std::string address; // "module.net.aws_security_group.web[\"a\"]"
    std::string module; // "module.net" (instance keys kept); empty at the root
    std::string type; // "aws_security_group"
    std::string name; // "web"
    std::string indexText; // "[\"a\"]", "[0]" or empty
    bool data = false; // a data source: read for references, not as a resource of the estate
    const json* values = nullptr; // the attributes (state "values", tfstate "attributes")
    std::string pointer; // JSON pointer of the attributes in the file
    const json* unknown = nullptr; // plan: change.after_unknown
    std::string id; // known or synthesised
};

// The module address without instance keys ("module.a[\"x\"].module.b[0]" -> "module.a.module.b"),
// as the configuration names modules.
std::string moduleConfigPath(std::string_view module)
{
    std::string out;
    int depth = 0;
    bool quoted = false;
    for (std::size_t i = 0; i < module.size(); ++i) {
        const char c = module[i];
        if (quoted) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                quoted = false;
            continue;
        }
        if (c == '[')
            ++depth;
        else if (c == ']')
            --depth;
        else if (depth > 0 && c == '"')
            quoted = true;
        else if (depth == 0)
            out += c;
    }
    return out;
}

std::string indexTextOf(const json& index)
{
    if (index.is_number_integer())
        return "[" + std::to_string(index.get<std::int64_t>()) + "]";
    if (index.is_string())
        return "[" + json(index.get<std::string>()).dump() + "]";
    return {};
}

std::string lowerAlnum(std::string_view s)
{
    std::string out;
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '-';
    }
    return out;
}

bool startsWith(std::string_view s, std::string_view p)
{
    return s.substr(0, p.size()) == p;
}

// A JSON value's string form (numbers as written by Terraform's providers: ports, priorities).
// Elastic Load Balancing resources, whose id is their ARN.
bool isElbType(std::string_view type)
{
    for (std::string_view t : { "aws_lb", "aws_alb", "aws_lb_listener", "aws_alb_listener", "aws_lb_listener_rule",
             "aws_alb_listener_rule", "aws_lb_target_group", "aws_alb_target_group" })
        if (type == t)
            return true;
    return false;
}

// The JSON type of a value, as a message names it.
std::string typeName(const json& v)
{
    switch (v.type()) {
    case json::value_t::object:
        return "an object";
    case json::value_t::array:
        return "a list";
    case json::value_t::string:
        return "a string";
    case json::value_t::boolean:
        return "a boolean";
    case json::value_t::null:
        return "null";
    default:
        return "a number";
    }
}

// The types the Terraform JSON Output Format gives the members the reader walks.
enum class Shape { Object, Array, String, Scalar, Boolean };

bool hasShape(const json& v, Shape shape)
{
    switch (shape) {
    case Shape::Object:
        return v.is_object();
    case Shape::Array:
        return v.is_array();
    case Shape::String:
        return v.is_string();
    case Shape::Scalar:
        return v.is_string() || v.is_number();
    case Shape::Boolean:
        return v.is_boolean();
    }
    return false;
}

const char* shapeName(Shape shape)
{
    switch (shape) {
    case Shape::Object:
        return "an object";
    case Shape::Array:
        return "a list";
    case Shape::String:
        return "a string";
    case Shape::Scalar:
        return "a string or a number";
    case Shape::Boolean:
        return "true or false";
    }
    return "";
}

std::string pointerOf(const std::string& base, const std::vector<std::string>& path)
{
    std::string out = base;
    for (const auto& seg : path)
        out += "/" + seg;
    return out;
}

std::string upperCase(std::string s)
{
    for (auto& c : s)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string textOf(const json* v)
{
    if (!v || v->is_null())
        return {};
    if (v->is_string())
        return v->get<std::string>();
    if (v->is_number_integer() && !v->is_number_unsigned())
        return std::to_string(v->get<std::int64_t>());
    if (v->is_number_float()) {
        // A whole number written with a fraction or an exponent ("443.0", "4e2") as a whole number;
        // any other as written, for the readers to refuse with its value.
        const double d = v->get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15)
            return std::to_string(static_cast<std::int64_t>(d));
    }
    if (v->is_number())
        return v->dump();
    if (v->is_boolean())
        return v->get<bool>() ? "true" : "false";
    return {};
}

const json* member(const json* v, std::string_view key)
{
    if (!v || !v->is_object())
        return nullptr;
    auto it = v->find(key);
    return it == v->end() ? nullptr : &*it;
}

// An object's member as text when it is a string; empty when it is missing, of another type, or the
// value is not an object (json::value() throws for the last two).
std::string stringAt(const json& object, std::string_view key)
{
    const json* v = member(&object, key);
    return v && v->is_string() ? v->get<std::string>() : std::string();
}

const json* element(const json* v, std::size_t i)
{
    if (!v || !v->is_array() || i >= v->size())
        return nullptr;
    return &(*v)[i];
}

// Where a synthesised value came from: its place in the Terraform file and its resource's address.
struct Origin
{
    std::string pointer;
    std::string address;
};

// One synthesised document with the origin of each of its parts (by JSON pointer).
struct Synth
{
    json doc;
    std::map<std::string, Origin> origins;
};

// A reference in a configuration expression, split: "module.x" prefixes are the referrer's own.
struct Reference
{
    bool data = false;
    std::string type, name, index; // index as written ("[0]", "[\"a\"]"), may be empty
    std::vector<std::string> attribute; // "id"; "ip_configuration", "0", "subnet_id"
};

std::optional<Reference> parseReference(std::string_view text)
{
    Reference ref;
    std::vector<std::string> parts;
    std::string cur;
    int depth = 0;
    for (char c : text) {
        if (c == '[')
            ++depth;
        if (c == ']')
            --depth;
        if (c == '.' && depth == 0) {
            parts.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    parts.push_back(cur);
    std::size_t i = 0;
    if (!parts.empty() && parts[0] == "data") {
        ref.data = true;
        i = 1;
    }
    if (parts.size() < i + 2 || parts[i].find('_') == std::string::npos)
        return std::nullopt; // var., local., module., each., count., path., self.
    ref.type = parts[i];
    ref.name = parts[i + 1];
    if (auto b = ref.name.find('['); b != std::string::npos) {
        ref.index = ref.name.substr(b);
        ref.name.resize(b);
    }
    for (std::size_t k = i + 2; k < parts.size(); ++k) {
        std::string p = parts[k];
        // "ip_configuration[0]" -> "ip_configuration", "0"
        std::string idx;
        if (auto b = p.find('['); b != std::string::npos) {
            idx = p.substr(b + 1, p.size() - b - 2);
            p.resize(b);
        }
        ref.attribute.push_back(p);
        if (!idx.empty())
            ref.attribute.push_back(idx);
    }
    return ref;
}

// A path segment that is an index ("0", "12"); nothing for a name, or for digits too many to be an
// index (a reference's "[99999999999999999999]": std::stoul threw out of the reader).
std::optional<std::size_t> indexSegment(std::string_view seg)
{
    std::size_t i = 0;
    const char* end = seg.data() + seg.size();
    auto [stop, ec] = std::from_chars(seg.data(), end, i);
    if (seg.empty() || ec != std::errc() || stop != end)
        return std::nullopt;
    return i;
}

const json* navigate(const json* v, const std::vector<std::string>& path)
{
    for (const auto& seg : path) {
        if (!v)
            return nullptr;
        if (v->is_array()) {
            const auto i = indexSegment(seg);
            if (!i)
                return nullptr;
            v = element(v, *i);
        } else {
            v = member(v, seg);
        }
    }
    return v;
}

class TerraformReader final : public FormatReader
{
public:
    TerraformReader(Snapshot& snap, FormatReader& aws, FormatReader& azure, const ImportOptions& options)
        : m_snap(snap)
        , m_aws(aws)
        , m_azure(azure)
        , m_options(options)
    { }

    bool recognise(simdjson::dom::element root) const override
    {
        simdjson::dom::object obj;
        if (root.get_object().get(obj) != simdjson::SUCCESS)
            return false;
        auto has = [&](const char* k) { return obj[k].error() == simdjson::SUCCESS; };
        // `terraform show -json`: format_version with values (state), planned_values or
        // resource_changes (plan); an empty state has only format_version and terraform_version.
        if (has("format_version")
            && (has("values") || has("planned_values") || has("resource_changes") || has("prior_state")
                || has("terraform_version") || has("configuration")))
            return true;
        // terraform.tfstate: {"version": 4, "terraform_version", "serial", "lineage", "resources"}.
        return has("version") && has("terraform_version") && (has("resources") || has("modules"));
    }

    void read(const Document& doc) override;
    void link() override { }
    void finish() override;

private:
    void collectModule(const json& module, const std::string& pointer, std::deque<TfResource>& into);
    void collectTfstate(const json& resources, const std::string& pointer, std::deque<TfResource>& into);
    void collectConfig(const json& module, const std::string& path, const std::string& pointer);
    std::string configKey(const TfResource& r) const
    {
        const std::string m = moduleConfigPath(r.module);
        return (m.empty() ? "" : m + ".") + (r.data ? "data." : "") + r.type + "." + r.name;
    }
    const TfResource* target(const TfResource& from, const Reference& ref) const;
    const json* value(const TfResource& r, const std::vector<std::string>& path) const
    {
        return navigate(r.values, path);
    }
    bool unknownAt(const TfResource& r, const std::vector<std::string>& path) const;
    std::vector<std::pair<const TfResource*, std::vector<std::string>>> referenced(
        const TfResource& r, const std::vector<std::string>& path) const;
    std::vector<std::string> fromReferences(
        const TfResource& r, const std::vector<std::string>& path, std::string_view wanted) const;
    std::string str(const TfResource& r, const std::vector<std::string>& path, std::string_view wanted = "id") const;
    std::vector<std::string> strs(
        const TfResource& r, const std::vector<std::string>& path, std::string_view wanted = "id") const;
    bool flag(const TfResource& r, const std::vector<std::string>& path, bool fallback) const
    {
        const json* v = value(r, path);
        if (v && !v->is_null() && !v->is_boolean())
            valueError(r, path, "should be true or false but is " + typeName(*v));
        return v && v->is_boolean() ? v->get<bool>() : fallback;
    }
    /// A list of blocks or values: nullptr when absent or null; a value of another type is an
    /// error at its place (never read as an empty list).
    const json* listAt(const TfResource& r, const std::vector<std::string>& path) const
    {
        const json* v = value(r, path);
        if (!v || v->is_null())
            return nullptr;
        if (!v->is_array()) {
            valueError(r, path, "should be a list but is " + typeName(*v));
            return nullptr;
        }
        return v;
    }
    void valueError(const TfResource& r, const std::vector<std::string>& path, const std::string& msg) const
    {
        const std::string key = path.empty() ? std::string("values") : path.back();
        m_valueErrors.emplace(pointerOf(r.pointer, path), std::make_pair(r.address, "\"" + key + "\" " + msg));
    }
    /// A member of the document that must have one JSON type: when present with another, an
    /// error at its place, and false.
    bool shaped(const json* v, const std::string& pointer, Shape shape, bool required = false)
    {
        // "resources" for a member, "element 3 of resources" for an element of a list.
        auto named = [&] {
            const auto slash = pointer.rfind('/');
            const std::string last = pointer.substr(slash + 1);
            if (last.empty() || !std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; }))
                return "\"" + last + "\"";
            const std::string parent = slash == std::string::npos ? std::string() : pointer.substr(0, slash);
            return "element " + last + " of \"" + parent.substr(parent.rfind('/') + 1) + "\"";
        };
        if (!v || (v->is_null() && !required)) {
            if (required)
                m_snap.diagnostics.push_back({ Diagnostic::Level::Error, { m_file, pointer, 0, 0 },
                    "\"" + pointer.substr(pointer.rfind('/') + 1) + "\" is missing; it should be "
                        + shapeName(shape) });
            m_shapeErrors += required ? 1 : 0;
            return false;
        }
        if (hasShape(*v, shape))
            return true;
        m_snap.diagnostics.push_back({ Diagnostic::Level::Error, { m_file, pointer, 0, 0 },
            named() + " should be " + shapeName(shape) + " but is " + typeName(*v) });
        ++m_shapeErrors;
        return false;
    }
    void note(Diagnostic::Level level, const TfResource& r, std::string msg)
    {
        m_snap.diagnostics.push_back({ level, { m_file, r.pointer, 0, 0, r.address }, std::move(msg) });
    }
    Origin origin(const TfResource& r, const std::string& sub = {}) const { return { r.pointer + sub, r.address }; }

    void assignIds();
    std::string azureId(const TfResource& r) const;
    std::string awsId(const TfResource& r) const;

    std::vector<std::string> gatewayPools(const TfResource& association);
    void translateAzure(Synth& out);
    void translateAws(Synth& out);
    int feed(Synth& synth, FormatReader& reader, const Document& doc);

    Snapshot& m_snap;
    FormatReader& m_aws;
    FormatReader& m_azure;
    const ImportOptions& m_options;

    // Per document.
    std::string m_file;
    json m_root;
    std::deque<TfResource> m_resources; // the side read (planned or prior)
    std::deque<TfResource> m_prior; // a plan's prior state (rules managed as resources of their own)
    std::map<std::string, const TfResource*> m_byAddress;
    std::map<std::string, const json*> m_config; // "module.a.aws_instance.x" -> its expressions
    std::map<const json*, std::string> m_configPointers; // expressions -> their place
    int m_shapeErrors = 0;
    mutable std::map<std::string, std::pair<std::string, std::string>> m_valueErrors; // pointer -> address, message
    std::map<std::string, const json*> m_unknowns; // address -> change.after_unknown
    std::string m_subscription;
    std::set<std::string> m_otherTypes;
    // AWS instances whose public address is known only after apply: interface id, where.
    struct PendingPublic
    {
        std::string nicId;
        const TfResource* r = nullptr;
    };
    std::vector<PendingPublic> m_pendingPublic;

    // Per import: the origins of each synthesised document, and the documents themselves (kept
    // alive until every reader has linked).
    struct Fed
    {
        std::string file;
        std::map<std::string, Origin> origins;
    };
    std::map<std::string, Fed> m_fed; // file token -> origins
    std::deque<simdjson::padded_string> m_texts;
    std::deque<simdjson::dom::parser> m_parsers;
};

// ---- Reading Terraform's documents ----

void TerraformReader::collectModule(const json& module, const std::string& pointer, std::deque<TfResource>& into)
{
    if (!shaped(&module, pointer, Shape::Object, true))
        return;
    std::string moduleAddress;
    if (const json* a = member(&module, "address"); shaped(a, pointer + "/address", Shape::String))
        moduleAddress = a->get<std::string>();
    if (const json* list = member(&module, "resources"); shaped(list, pointer + "/resources", Shape::Array))
        for (std::size_t i = 0; i < list->size(); ++i) {
            const json& res = (*list)[i];
            const std::string at = pointer + "/resources/" + std::to_string(i);
            if (!shaped(&res, at, Shape::Object, true))
                continue;
            auto text = [&](const char* key, bool required) {
                const json* v = member(&res, key);
                return shaped(v, at + "/" + key, Shape::String, required) ? v->get<std::string>() : std::string();
            };
            TfResource r;
            r.address = text("address", true);
            r.module = moduleAddress;
            r.type = text("type", true);
            r.name = text("name", false);
            r.data = text("mode", false) == "data";
            if (const json* index = member(&res, "index"); shaped(index, at + "/index", Shape::Scalar))
                r.indexText = indexTextOf(*index);
            r.values = member(&res, "values");
            r.pointer = at + "/values";
            // A plan's resource whose every value is known only after apply may have none
            // (Terraform before 0.15): it is there, with nothing known.
            static const json kNothingKnown = json::object();
            if (!r.values || r.values->is_null())
                r.values = &kNothingKnown;
            else if (!shaped(r.values, r.pointer, Shape::Object))
                continue;
            if (auto u = m_unknowns.find(r.address); u != m_unknowns.end() && &into == &m_resources)
                r.unknown = u->second;
            if (!r.type.empty() && !r.address.empty())
                into.push_back(std::move(r));
        }
    if (const json* children = member(&module, "child_modules");
        shaped(children, pointer + "/child_modules", Shape::Array))
        for (std::size_t i = 0; i < children->size(); ++i)
            collectModule((*children)[i], pointer + "/child_modules/" + std::to_string(i), into);
}

void TerraformReader::collectTfstate(const json& resources, const std::string& pointer, std::deque<TfResource>& into)
{
    for (std::size_t i = 0; i < resources.size(); ++i) {
        const json& res = resources[i];
        const std::string at = pointer + "/" + std::to_string(i);
        if (!shaped(&res, at, Shape::Object, true))
            continue;
        auto text = [&](const char* key, bool required) {
            const json* v = member(&res, key);
            return shaped(v, at + "/" + key, Shape::String, required) ? v->get<std::string>() : std::string();
        };
        const std::string module = text("module", false), type = text("type", true), name = text("name", true);
        const bool data = text("mode", false) == "data";
        const json* instances = member(&res, "instances");
        if (!shaped(instances, at + "/instances", Shape::Array, true))
            continue;
        for (std::size_t k = 0; k < instances->size(); ++k) {
            const json& inst = (*instances)[k];
            const std::string instAt = at + "/instances/" + std::to_string(k);
            if (!shaped(&inst, instAt, Shape::Object, true))
                continue;
            TfResource r;
            r.module = module;
            r.type = type;
            r.name = name;
            r.data = data;
            if (const json* key = member(&inst, "index_key"); shaped(key, instAt + "/index_key", Shape::Scalar))
                r.indexText = indexTextOf(*key);
            r.address = (r.module.empty() ? "" : r.module + ".") + (r.data ? "data." : "") + r.type + "." + r.name
                + r.indexText;
            r.values = member(&inst, "attributes");
            r.pointer = instAt + "/attributes";
            if (shaped(r.values, r.pointer, Shape::Object, true) && !r.type.empty())
                into.push_back(std::move(r));
        }
    }
}

void TerraformReader::collectConfig(const json& module, const std::string& path, const std::string& pointer)
{
    if (!shaped(&module, pointer, Shape::Object, true))
        return;
    if (const json* list = member(&module, "resources"); shaped(list, pointer + "/resources", Shape::Array))
        for (std::size_t i = 0; i < list->size(); ++i) {
            const json& res = (*list)[i];
            const std::string at = pointer + "/resources/" + std::to_string(i);
            if (!shaped(&res, at, Shape::Object, true))
                continue;
            const json* address = member(&res, "address");
            const json* e = member(&res, "expressions");
            if (shaped(address, at + "/address", Shape::String, true)
                && shaped(e, at + "/expressions", Shape::Object)) {
                m_config[(path.empty() ? "" : path + ".") + address->get<std::string>()] = e;
                m_configPointers[e] = at + "/expressions";
            }
        }
    if (const json* calls = member(&module, "module_calls"); shaped(calls, pointer + "/module_calls", Shape::Object))
        for (auto it = calls->begin(); it != calls->end(); ++it) {
            const std::string at = pointer + "/module_calls/" + it.key();
            if (shaped(&it.value(), at, Shape::Object, true))
                if (const json* inner = member(&it.value(), "module"); shaped(inner, at + "/module", Shape::Object))
                    collectConfig(*inner, (path.empty() ? "" : path + ".") + "module." + it.key(), at + "/module");
        }
}

const TfResource* TerraformReader::target(const TfResource& from, const Reference& ref) const
{
    const std::string base
        = (from.module.empty() ? "" : from.module + ".") + (ref.data ? "data." : "") + ref.type + "." + ref.name;
    if (!ref.index.empty()) {
        auto it = m_byAddress.find(base + ref.index);
        return it == m_byAddress.end() ? nullptr : it->second;
    }
    if (auto it = m_byAddress.find(base); it != m_byAddress.end())
        return it->second;
    // count/for_each: the instance with the referrer's own key ("aws_subnet.a[count.index]"), else
    // the first one.
    if (!from.indexText.empty())
        if (auto it = m_byAddress.find(base + from.indexText); it != m_byAddress.end())
            return it->second;
    auto it = m_byAddress.lower_bound(base + "[");
    if (it != m_byAddress.end() && startsWith(it->first, base + "["))
        return it->second;
    return nullptr;
}

bool TerraformReader::unknownAt(const TfResource& r, const std::vector<std::string>& path) const
{
    const json* u = r.unknown;
    for (const auto& seg : path) {
        if (!u)
            return false;
        if (u->is_boolean())
            return u->get<bool>();
        u = navigate(u, { seg });
    }
    if (u && u->is_boolean())
        return u->get<bool>();
    if (u && u->is_array()) // a list with unknown elements
        return std::any_of(u->begin(), u->end(), [](const json& e) { return e.is_boolean() && e.get<bool>(); });
    return false;
}

// The resources an expression's references name, with the attribute each names (empty for the
// resource itself), in the order written.
std::vector<std::pair<const TfResource*, std::vector<std::string>>> TerraformReader::referenced(
    const TfResource& r, const std::vector<std::string>& path) const
{
    std::vector<std::pair<const TfResource*, std::vector<std::string>>> found;
    auto c = m_config.find(configKey(r));
    if (c == m_config.end())
        return found;
    const json* e = c->second;
    for (const auto& seg : path) {
        if (!e)
            return found;
        if (e->is_array()) {
            // Blocks are lists of expression objects; a numeric segment picks one (dynamic blocks
            // have none: the first stands for all).
            const auto index = indexSegment(seg);
            const bool numeric = index.has_value();
            const std::size_t i = index.value_or(0);
            e = element(e, i < e->size() ? i : 0);
            if (!numeric)
                e = member(e, seg);
        } else {
            e = member(e, seg);
        }
    }
    const json* refs = member(e, "references");
    if (refs && !refs->is_array() && !refs->is_null()) {
        auto place = m_configPointers.find(c->second);
        m_valueErrors.emplace(
            pointerOf(place == m_configPointers.end() ? std::string() : place->second, path) + "/references",
            std::make_pair(r.address, "\"references\" should be a list but is " + typeName(*refs)));
    }
    if (!refs || !refs->is_array())
        return found;
    for (const json& text : *refs) {
        if (!text.is_string())
            continue;
        auto ref = parseReference(text.get<std::string>());
        if (!ref)
            continue;
        if (const TfResource* t = target(r, *ref))
            found.emplace_back(t, ref->attribute);
    }
    return found;
}

// The values an expression's references lead to: the referenced resources' `wanted` attribute (or
// the attribute the reference names), in the order written.
std::vector<std::string> TerraformReader::fromReferences(
    const TfResource& r, const std::vector<std::string>& path, std::string_view wanted) const
{
    std::vector<std::string> out;
    // Only links are taken from references: an id or a name is the referenced value as it is
    // (subnet_id = aws_subnet.a.id), an address or a CIDR is often computed from it
    // (cidrsubnet(aws_vpc.main.cidr_block, 8, 1)) and is never guessed.
    const std::string key = path.empty() ? std::string() : path.back();
    auto endsWith = [&](std::string_view suffix) {
        return key.size() >= suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    const bool link = key == "id" || key == "name" || endsWith("_id") || endsWith("_ids") || endsWith("_name")
        || endsWith("_arn") || endsWith("_arns") || key == "arn" || key == "identifier" || key == "cluster_identifier"
        || key == "security_groups" || key == "instance" || key == "network_interface" || key == "subnets"
        || key == "instances" || key == "elb" || key == "target_id" || endsWith("_ip_groups");
    if (!link)
        return out;
    auto found = referenced(r, path);
    std::set<const TfResource*> withAttribute;
    for (const auto& [t, attribute] : found)
        if (!attribute.empty())
            withAttribute.insert(t);
    auto push = [&](const std::string& v) {
        if (!v.empty() && std::find(out.begin(), out.end(), v) == out.end())
            out.push_back(v);
    };
    for (auto& [t, attribute] : found) {
        if (attribute.empty()) {
            if (withAttribute.count(t))
                continue; // "aws_subnet.a" next to "aws_subnet.a.id": the attribute says it
            attribute = { std::string(wanted) };
        }
        if (attribute.size() == 1 && attribute[0] == "id") {
            push(t->id);
            continue;
        }
        const json* v = navigate(t->values, attribute);
        if (attribute.size() == 1 && attribute[0] == "arn" && (!v || !v->is_string()) && isElbType(t->type))
            push(t->id); // a load balancer's, listener's or target group's id is its ARN
        else if (v && v->is_string())
            push(v->get<std::string>());
        else if (v && v->is_array())
            for (const json& x : *v)
                if (x.is_string())
                    push(x.get<std::string>());
    }
    return out;
}

std::string TerraformReader::str(
    const TfResource& r, const std::vector<std::string>& path, std::string_view wanted) const
{
    const json* v = value(r, path);
    if (v && (v->is_string() || v->is_number()) && !textOf(v).empty())
        return textOf(v);
    if (v && (v->is_object() || v->is_array() || v->is_boolean())) {
        valueError(r, path, "should be a single value but is " + typeName(*v));
        return {};
    }
    // Unknown until apply (or null with a reference): the referenced resource says it.
    auto refs = fromReferences(r, path, wanted);
    return refs.empty() ? std::string() : refs.front();
}

std::vector<std::string> TerraformReader::strs(
    const TfResource& r, const std::vector<std::string>& path, std::string_view wanted) const
{
    std::vector<std::string> out;
    const json* v = value(r, path);
    bool gaps = !v || v->is_null() || unknownAt(r, path);
    if (v && v->is_array()) {
        for (std::size_t i = 0; i < v->size(); ++i) {
            const json& x = (*v)[i];
            if ((x.is_string() || x.is_number()) && !textOf(&x).empty())
                out.push_back(textOf(&x));
            else if (x.is_null())
                gaps = true; // an element known only after apply
            else if (!x.is_string()) {
                auto at = path;
                at.push_back(std::to_string(i));
                valueError(r, at, "should be a single value but is " + typeName(x));
            }
        }
    } else if (v && v->is_string() && !v->get<std::string>().empty()) {
        out.push_back(v->get<std::string>());
    } else if (v && !v->is_null() && !v->is_string()) {
        valueError(r, path, "should be a list but is " + typeName(*v));
        return out;
    }
    if (gaps)
        for (auto& s : fromReferences(r, path, wanted))
            if (std::find(out.begin(), out.end(), s) == out.end())
                out.push_back(s);
    return out;
}

// ---- Ids ----

// Azure builds a resource's id from its subscription, resource group, provider type and name: a
// resource created by the plan has that id, whatever the subscription (taken from the other
// resources of the document when they name one).
std::string TerraformReader::azureId(const TfResource& r) const
{
    static const std::map<std::string, std::string> kTypes = {
        { "azurerm_virtual_network", "Microsoft.Network/virtualNetworks" },
        { "azurerm_network_security_group", "Microsoft.Network/networkSecurityGroups" },
        { "azurerm_network_interface", "Microsoft.Network/networkInterfaces" },
        { "azurerm_public_ip", "Microsoft.Network/publicIPAddresses" },
        { "azurerm_lb", "Microsoft.Network/loadBalancers" },
        { "azurerm_application_security_group", "Microsoft.Network/applicationSecurityGroups" },
        { "azurerm_route_table", "Microsoft.Network/routeTables" },
        { "azurerm_private_endpoint", "Microsoft.Network/privateEndpoints" },
        { "azurerm_linux_virtual_machine", "Microsoft.Compute/virtualMachines" },
        { "azurerm_windows_virtual_machine", "Microsoft.Compute/virtualMachines" },
        { "azurerm_virtual_machine", "Microsoft.Compute/virtualMachines" },
        { "azurerm_linux_virtual_machine_scale_set", "Microsoft.Compute/virtualMachineScaleSets" },
        { "azurerm_windows_virtual_machine_scale_set", "Microsoft.Compute/virtualMachineScaleSets" },
        { "azurerm_orchestrated_virtual_machine_scale_set", "Microsoft.Compute/virtualMachineScaleSets" },
        { "azurerm_mssql_server", "Microsoft.Sql/servers" },
        { "azurerm_sql_server", "Microsoft.Sql/servers" },
        { "azurerm_postgresql_server", "Microsoft.DBforPostgreSQL/servers" },
        { "azurerm_postgresql_flexible_server", "Microsoft.DBforPostgreSQL/flexibleServers" },
        { "azurerm_mysql_server", "Microsoft.DBforMySQL/servers" },
        { "azurerm_mysql_flexible_server", "Microsoft.DBforMySQL/flexibleServers" },
        { "azurerm_storage_account", "Microsoft.Storage/storageAccounts" },
        { "azurerm_cosmosdb_account", "Microsoft.DocumentDB/databaseAccounts" },
        { "azurerm_redis_cache", "Microsoft.Cache/redis" },
        { "azurerm_application_gateway", "Microsoft.Network/applicationGateways" },
        { "azurerm_firewall", "Microsoft.Network/azureFirewalls" },
        { "azurerm_firewall_policy", "Microsoft.Network/firewallPolicies" },
        { "azurerm_ip_group", "Microsoft.Network/ipGroups" },
    };
    const std::string name = [&] {
        std::string n = str(r, { "name" }, "name");
        return n.empty() ? "tf-" + lowerAlnum(r.address) : n;
    }();
    std::string rg = str(r, { "resource_group_name" }, "name");
    if (rg.empty())
        rg = "unknown-resource-group";
    const std::string group = "/subscriptions/" + m_subscription + "/resourceGroups/" + rg + "/providers/";
    auto child = [&](const char* parentKey, const char* parentType, const char* kind) {
        const std::string parent = str(r, { parentKey }, "name");
        return group + parentType + "/" + (parent.empty() ? "unknown" : parent) + "/" + kind + "/" + name;
    };
    auto ofServer = [&](const char* serverTypeTf, const char* kind) -> std::string {
        (void)serverTypeTf;
        if (std::string server = str(r, { "server_id" }); !server.empty())
            return server + "/" + kind + "/" + name;
        return {};
    };
    if (auto it = kTypes.find(r.type); it != kTypes.end())
        return group + it->second + "/" + name;
    if (r.type == "azurerm_resource_group")
        return "/subscriptions/" + m_subscription + "/resourceGroups/" + name;
    if (r.type == "azurerm_subnet")
        return child("virtual_network_name", "Microsoft.Network/virtualNetworks", "subnets");
    if (r.type == "azurerm_network_security_rule")
        return child("network_security_group_name", "Microsoft.Network/networkSecurityGroups", "securityRules");
    if (r.type == "azurerm_route")
        return child("route_table_name", "Microsoft.Network/routeTables", "routes");
    if (r.type == "azurerm_virtual_network_peering")
        return child("virtual_network_name", "Microsoft.Network/virtualNetworks", "virtualNetworkPeerings");
    if (r.type == "azurerm_firewall_nat_rule_collection")
        return child("azure_firewall_name", "Microsoft.Network/azureFirewalls", "natRuleCollections");
    if (r.type == "azurerm_firewall_policy_rule_collection_group")
        if (std::string policy = str(r, { "firewall_policy_id" }); !policy.empty())
            return policy + "/ruleCollectionGroups/" + name;
    if (r.type == "azurerm_sql_firewall_rule")
        return child("server_name", "Microsoft.Sql/servers", "firewallRules");
    if (r.type == "azurerm_postgresql_firewall_rule")
        return child("server_name", "Microsoft.DBforPostgreSQL/servers", "firewallRules");
    if (r.type == "azurerm_mysql_firewall_rule")
        return child("server_name", "Microsoft.DBforMySQL/servers", "firewallRules");
    if (r.type == "azurerm_redis_firewall_rule")
        return child("redis_cache_name", "Microsoft.Cache/redis", "firewallRules");
    if (r.type == "azurerm_mssql_firewall_rule" || r.type == "azurerm_postgresql_flexible_server_firewall_rule"
        || r.type == "azurerm_mysql_flexible_server_firewall_rule")
        if (auto id = ofServer(r.type.c_str(), "firewallRules"); !id.empty())
            return id;
    if (r.type == "azurerm_lb_backend_address_pool" || r.type == "azurerm_lb_rule" || r.type == "azurerm_lb_nat_rule") {
        const char* kind = r.type == "azurerm_lb_rule" ? "loadBalancingRules"
            : r.type == "azurerm_lb_nat_rule"          ? "inboundNatRules"
                                                       : "backendAddressPools";
        if (std::string lb = str(r, { "loadbalancer_id" }); !lb.empty())
            return lb + "/" + kind + "/" + name;
    }
    return group + "terraform/" + r.type + "/" + lowerAlnum(r.address);
}

// AWS ids of resources the plan creates: the id's prefix (which the AWS reader reads, an internet
// gateway's "igw-") and the address, so that the same address has the same id in every document.
std::string TerraformReader::awsId(const TfResource& r) const
{
    static const std::map<std::string, std::string> kPrefixes = { { "aws_vpc", "vpc-" }, { "aws_subnet", "subnet-" },
        { "aws_security_group", "sg-" }, { "aws_default_security_group", "sg-" }, { "aws_network_acl", "acl-" },
        { "aws_default_network_acl", "acl-" }, { "aws_route_table", "rtb-" }, { "aws_default_route_table", "rtb-" },
        { "aws_internet_gateway", "igw-" }, { "aws_instance", "i-" }, { "aws_network_interface", "eni-" },
        { "aws_eip", "eipalloc-" }, { "aws_nat_gateway", "nat-" }, { "aws_vpc_peering_connection", "pcx-" },
        { "aws_egress_only_internet_gateway", "eigw-" } };
    // Elastic Load Balancing names its resources by ARN, and the readers take the kind of each from
    // it ("loadbalancer/app/", "listener/", "listener-rule/", "targetgroup/"; ELBv2 API reference).
    const std::string arn = "arn:aws:elasticloadbalancing:terraform:000000000000:";
    const std::string name = lowerAlnum(r.address);
    if (r.type == "aws_lb" || r.type == "aws_alb") {
        const std::string kind = str(r, { "load_balancer_type" }, "load_balancer_type");
        return arn + "loadbalancer/"
            + (kind == "network"        ? "net"
                    : kind == "gateway" ? "gwy"
                                        : "app")
            + "/" + name + "/tf";
    }
    if (r.type == "aws_lb_target_group" || r.type == "aws_alb_target_group")
        return arn + "targetgroup/" + name + "/tf";
    if (r.type == "aws_lb_listener" || r.type == "aws_alb_listener") {
        std::string lb = str(r, { "load_balancer_arn" });
        const auto at = lb.find(":loadbalancer/");
        lb = at == std::string::npos ? "app/unknown/tf" : lb.substr(at + 14);
        return arn + "listener/" + lb + "/" + name;
    }
    if (r.type == "aws_lb_listener_rule" || r.type == "aws_alb_listener_rule") {
        std::string listener = str(r, { "listener_arn" });
        if (const auto at = listener.find(":listener/"); at != std::string::npos)
            return listener.substr(0, at) + ":listener-rule/" + listener.substr(at + 10) + "/" + name;
        return arn + "listener-rule/app/unknown/tf/unknown/" + name;
    }
    auto it = kPrefixes.find(r.type);
    return (it == kPrefixes.end() ? std::string("tf-") : it->second) + "tf-" + lowerAlnum(r.address);
}

void TerraformReader::assignIds()
{
    // The subscription of the document's Azure resources, for the ids of those it creates.
    for (const auto& r : m_resources) {
        const std::string id = r.values ? textOf(member(r.values, "id")) : std::string();
        if (startsWith(r.type, "azurerm_") && startsWith(toLower(id), "/subscriptions/")) {
            const auto end = id.find('/', 15);
            m_subscription = id.substr(15, end == std::string::npos ? std::string::npos : end - 15);
            break;
        }
    }
    if (m_subscription.empty())
        m_subscription = "00000000-0000-0000-0000-000000000000";
    for (auto* list : { &m_resources, &m_prior })
        for (auto& r : *list)
            r.id = textOf(member(r.values, "id"));
    // Ids left open: parents first (a subnet's id is built from its network's name only, and a
    // firewall rule's from its server's id, which may itself be open).
    for (int pass = 0; pass < 3; ++pass) // listener rule -> listener -> load balancer
        for (auto& r : m_resources) {
            if (!textOf(member(r.values, "id")).empty())
                continue;
            if (startsWith(r.type, "azurerm_"))
                r.id = azureId(r);
            else if (startsWith(r.type, "aws_"))
                r.id = awsId(r);
        }
    // The default resources of a VPC carry the id of what they adopt.
    for (auto& r : m_resources) {
        const char* key = r.type == "aws_default_network_acl" ? "default_network_acl_id"
            : r.type == "aws_default_route_table"             ? "default_route_table_id"
                                                              : nullptr;
        if (key)
            if (std::string adopted = str(r, { key }); !adopted.empty())
                r.id = adopted;
    }
}

// ---- azurerm ----

namespace {

json idRef(const std::string& id)
{
    return json { { "id", id } };
}

json idRefs(const std::vector<std::string>& ids)
{
    json a = json::array();
    for (const auto& id : ids)
        a.push_back(idRef(id));
    return a;
}

} // namespace

// The Application Gateway backend pools an association puts an interface in: the pool's id, or,
// when the plan creates the gateway (a pool's id is known only after apply), the pools of the
// gateway its expression refers to (the one pool, or every pool of the gateway, said).
std::vector<std::string> TerraformReader::gatewayPools(const TfResource& r)
{
    if (std::string id = str(r, { "backend_address_pool_id" }); !id.empty())
        return { id };
    for (const auto& found : referenced(r, { "backend_address_pool_id" })) {
        const TfResource* gw = found.first;
        if (gw->type != "azurerm_application_gateway")
            continue;
        std::vector<std::string> ids;
        std::string names;
        if (const json* blocks = listAt(*gw, { "backend_address_pool" }); blocks)
            for (std::size_t i = 0; i < blocks->size(); ++i) {
                const std::string name = str(*gw, { "backend_address_pool", std::to_string(i), "name" }, "name");
                ids.push_back(gw->id + "/backendAddressPools/" + name);
                names += (names.empty() ? "" : ", ") + name;
            }
        if (ids.size() > 1)
            note(Diagnostic::Level::Warning, r,
                r.address
                    + ": the backend pool it joins is known only after apply; the interface is taken as in every "
                      "pool of "
                    + gw->address + " (" + names + ")");
        return ids;
    }
    note(Diagnostic::Level::Warning, r,
        r.address
            + ": its backend pool is known only after apply and no reference names the gateway: the interface "
              "is in no pool here, and what an Application Gateway exposes through it is not analysed");
    return {};
}

void TerraformReader::translateAzure(Synth& out)
{
    json& list = out.doc["value"];
    list = json::array();
    // Adds a resource and records where it, and its parts, came from.
    auto add
        = [&](json resource, const TfResource& r, const std::vector<std::pair<std::string, std::string>>& parts = {}) {
              const std::string at = "/value/" + std::to_string(list.size());
              out.origins[at] = origin(r);
              for (const auto& [sub, tf] : parts)
                  out.origins[at + sub] = origin(r, tf);
              list.push_back(std::move(resource));
          };
    auto rest = [&](const TfResource& r, const char* type, json properties) {
        json resource = { { "id", r.id }, { "name", str(r, { "name" }, "name") }, { "type", type },
            { "properties", std::move(properties) } };
        if (const json* t = value(r, { "tags" }); t && t->is_object())
            resource["tags"] = *t; // a data store's tags mark it
        else if (t && !t->is_null())
            valueError(r, { "tags" }, "should be an object but is " + typeName(*t));
        return resource;
    };
    auto is = [](const TfResource& r, std::initializer_list<const char*> types) {
        return std::any_of(types.begin(), types.end(), [&](const char* t) { return r.type == t; });
    };
    auto lowerEq = [](const std::string& a, const std::string& b) { return toLower(a) == toLower(b); };

    // Associations made by resources of their own, applied to what they associate.
    std::map<std::string, std::string> subnetNsg, subnetRouteTable, nicNsg;
    std::map<std::string, std::vector<std::string>> nicAsgs, ipcPools, ipcNatRules, ipcGatewayPools;
    // Security rules managed as resources of their own (in this state or the plan's prior state):
    // the same rule also appears inline in the NSG after a refresh, and the resource says it
    // (a plan changes the resource, not the stale inline copy).
    std::set<std::string> separateRules; // "<nsg id>|<rule name>" lower case
    for (const auto* side : { &m_resources, &m_prior })
        for (const auto& r : *side)
            if (r.type == "azurerm_network_security_rule") {
                std::string nsg = toLower(r.id);
                if (auto pos = nsg.rfind("/securityrules/"); pos != std::string::npos)
                    nsg.resize(pos);
                separateRules.insert(nsg + "|" + toLower(str(r, { "name" }, "name")));
            }
    for (const auto& r : m_resources) {
        if (r.type == "azurerm_subnet_network_security_group_association")
            subnetNsg[toLower(str(r, { "subnet_id" }))] = str(r, { "network_security_group_id" });
        else if (r.type == "azurerm_subnet_route_table_association")
            subnetRouteTable[toLower(str(r, { "subnet_id" }))] = str(r, { "route_table_id" });
        else if (r.type == "azurerm_network_interface_security_group_association")
            nicNsg[toLower(str(r, { "network_interface_id" }))] = str(r, { "network_security_group_id" });
        else if (r.type == "azurerm_network_interface_application_security_group_association")
            nicAsgs[toLower(str(r, { "network_interface_id" }))].push_back(str(r, { "application_security_group_id" }));
        else if (r.type == "azurerm_network_interface_backend_address_pool_association")
            ipcPools[toLower(str(r, { "network_interface_id" })) + "|" + toLower(str(r, { "ip_configuration_name" }))]
                .push_back(str(r, { "backend_address_pool_id" }));
        else if (r.type == "azurerm_network_interface_application_gateway_backend_address_pool_association")
            for (const auto& pool : gatewayPools(r))
                ipcGatewayPools[toLower(str(r, { "network_interface_id" })) + "|"
                    + toLower(str(r, { "ip_configuration_name" }))]
                    .push_back(pool);
        else if (r.type == "azurerm_network_interface_nat_rule_association")
            ipcNatRules[toLower(str(r, { "network_interface_id" })) + "|"
                + toLower(str(r, { "ip_configuration_name" }))]
                .push_back(str(r, { "nat_rule_id" }));
    }

    // One security rule, inline block or resource, in the REST shape.
    auto rule = [&](const TfResource& r, const std::vector<std::string>& at) {
        auto path = [&](const char* key) {
            auto p = at;
            p.push_back(key);
            return p;
        };
        json p = json::object();
        for (const auto& [tf, key] : { std::pair { "priority", "priority" }, std::pair { "direction", "direction" },
                 std::pair { "access", "access" }, std::pair { "protocol", "protocol" },
                 std::pair { "description", "description" }, std::pair { "source_port_range", "sourcePortRange" },
                 std::pair { "destination_port_range", "destinationPortRange" },
                 std::pair { "source_address_prefix", "sourceAddressPrefix" },
                 std::pair { "destination_address_prefix", "destinationAddressPrefix" } }) {
            const json* v = value(r, path(tf));
            if (v && !textOf(v).empty())
                p[key] = *v;
            else if (unknownAt(r, path(tf)) && std::string_view(tf).find("port") != std::string_view::npos)
                p[key] = "*"; // known only after apply: any port, towards reachability
            else if (unknownAt(r, path(tf)) && std::string_view(tf).find("address") != std::string_view::npos)
                p[key] = "*";
        }
        for (const auto& [tf, key] : { std::pair { "source_port_ranges", "sourcePortRanges" },
                 std::pair { "destination_port_ranges", "destinationPortRanges" },
                 std::pair { "source_address_prefixes", "sourceAddressPrefixes" },
                 std::pair { "destination_address_prefixes", "destinationAddressPrefixes" } })
            if (auto v = strs(r, path(tf), "address_prefix"); !v.empty())
                p[key] = v;
        for (const auto& [tf, key] :
            { std::pair { "source_application_security_group_ids", "sourceApplicationSecurityGroups" },
                std::pair { "destination_application_security_group_ids", "destinationApplicationSecurityGroups" } })
            if (auto v = strs(r, path(tf)); !v.empty())
                p[key] = idRefs(v);
        return json { { "name", str(r, path("name"), "name") }, { "properties", std::move(p) } };
    };

    for (const auto& r : m_resources) {
        if (r.data || !startsWith(r.type, "azurerm_"))
            continue;
        if (r.type == "azurerm_virtual_network") {
            json subnets = json::array();
            std::vector<std::pair<std::string, std::string>> parts;
            if (const json* blocks = listAt(r, { "subnet" }); blocks)
                for (std::size_t i = 0; i < blocks->size(); ++i) {
                    const std::string idx = std::to_string(i);
                    std::string id = str(r, { "subnet", idx, "id" });
                    const std::string name = str(r, { "subnet", idx, "name" }, "name");
                    if (id.empty())
                        id = r.id + "/subnets/" + name;
                    json sp = json::object();
                    auto prefixes = strs(r, { "subnet", idx, "address_prefixes" }, "address_prefix");
                    if (auto one = str(r, { "subnet", idx, "address_prefix" }); !one.empty())
                        prefixes.push_back(one);
                    sp["addressPrefixes"] = prefixes;
                    std::string nsg = str(r, { "subnet", idx, "security_group" });
                    if (auto a = subnetNsg.find(toLower(id)); a != subnetNsg.end())
                        nsg = a->second;
                    if (!nsg.empty())
                        sp["networkSecurityGroup"] = idRef(nsg);
                    if (auto a = subnetRouteTable.find(toLower(id)); a != subnetRouteTable.end())
                        sp["routeTable"] = idRef(a->second);
                    parts.emplace_back("/properties/subnets/" + idx, "/subnet/" + idx);
                    subnets.push_back({ { "id", id }, { "name", name }, { "properties", sp } });
                }
            json p = { { "addressSpace", { { "addressPrefixes", strs(r, { "address_space" }) } } },
                { "subnets", subnets } };
            add(rest(r, "Microsoft.Network/virtualNetworks", p), r, parts);
        }
    }
    // Subnets of their own after the networks that may list them inline (the resource says more).
    for (const auto& r : m_resources) {
        if (r.data || !startsWith(r.type, "azurerm_"))
            continue;
        if (r.type == "azurerm_subnet") {
            json p = json::object();
            auto prefixes = strs(r, { "address_prefixes" }, "address_prefix");
            if (auto one = str(r, { "address_prefix" }); !one.empty())
                prefixes.push_back(one);
            p["addressPrefixes"] = prefixes;
            if (auto a = subnetNsg.find(toLower(r.id)); a != subnetNsg.end())
                p["networkSecurityGroup"] = idRef(a->second);
            if (auto a = subnetRouteTable.find(toLower(r.id)); a != subnetRouteTable.end())
                p["routeTable"] = idRef(a->second);
            json endpoints = json::array();
            for (const auto& s : strs(r, { "service_endpoints" }))
                endpoints.push_back({ { "service", s } });
            p["serviceEndpoints"] = endpoints;
            if (const json* v = value(r, { "private_endpoint_network_policies" }); v && v->is_string())
                p["privateEndpointNetworkPolicies"] = *v;
            else if (const json* b = value(r, { "private_endpoint_network_policies_enabled" }); b && b->is_boolean())
                p["privateEndpointNetworkPolicies"] = b->get<bool>() ? "Enabled" : "Disabled";
            add(rest(r, "Microsoft.Network/virtualNetworks/subnets", p), r);
        } else if (r.type == "azurerm_network_security_group") {
            json rules = json::array();
            std::vector<std::pair<std::string, std::string>> parts;
            if (const json* blocks = listAt(r, { "security_rule" }); blocks)
                for (std::size_t i = 0; i < blocks->size(); ++i) {
                    const std::string idx = std::to_string(i);
                    json one = rule(r, { "security_rule", idx });
                    if (separateRules.count(toLower(r.id) + "|" + toLower(stringAt(one, "name"))))
                        continue; // the rule's own resource says it
                    parts.emplace_back(
                        "/properties/securityRules/" + std::to_string(rules.size()), "/security_rule/" + idx);
                    rules.push_back(std::move(one));
                }
            else if (unknownAt(r, { "security_rule" }))
                note(Diagnostic::Level::Warning, r,
                    r.address
                        + ": its security rules are known only after apply; the rules written in the "
                          "configuration are not in the plan, so only its separate rule resources are read");
            add(rest(r, "Microsoft.Network/networkSecurityGroups", { { "securityRules", rules } }), r, parts);
        } else if (r.type == "azurerm_network_security_rule") {
            json one = rule(r, {});
            one["id"] = r.id;
            one["type"] = "Microsoft.Network/networkSecurityGroups/securityRules";
            add(std::move(one), r);
        } else if (r.type == "azurerm_application_security_group") {
            add(rest(r, "Microsoft.Network/applicationSecurityGroups", json::object()), r);
        } else if (r.type == "azurerm_public_ip") {
            json p = json::object();
            p["ipAddress"] = str(r, { "ip_address" });
            if (auto v = str(r, { "ip_version" }); !v.empty())
                p["publicIPAddressVersion"] = v;
            if (auto v = str(r, { "fqdn" }); !v.empty())
                p["dnsSettings"] = { { "fqdn", v } };
            if (textOf(value(r, { "ip_address" })).empty())
                note(Diagnostic::Level::Warning, r,
                    r.address + ": its address is known only after apply; it is assumed to get some public address");
            json res = rest(r, "Microsoft.Network/publicIPAddresses", p);
            if (auto sku = str(r, { "sku" }); !sku.empty())
                res["sku"] = { { "name", sku } };
            add(std::move(res), r);
        } else if (r.type == "azurerm_network_interface") {
            json configs = json::array();
            std::vector<std::pair<std::string, std::string>> parts;
            if (const json* blocks = listAt(r, { "ip_configuration" }); blocks)
                for (std::size_t i = 0; i < blocks->size(); ++i) {
                    const std::string idx = std::to_string(i);
                    const std::string name = str(r, { "ip_configuration", idx, "name" }, "name");
                    json p = json::object();
                    p["privateIPAddress"] = str(r, { "ip_configuration", idx, "private_ip_address" });
                    if (auto s = str(r, { "ip_configuration", idx, "subnet_id" }); !s.empty())
                        p["subnet"] = idRef(s);
                    if (auto s = str(r, { "ip_configuration", idx, "public_ip_address_id" }); !s.empty())
                        p["publicIPAddress"] = idRef(s);
                    p["primary"] = flag(r, { "ip_configuration", idx, "primary" }, i == 0);
                    if (auto a = nicAsgs.find(toLower(r.id)); a != nicAsgs.end())
                        p["applicationSecurityGroups"] = idRefs(a->second);
                    if (auto a = ipcPools.find(toLower(r.id) + "|" + toLower(name)); a != ipcPools.end())
                        p["loadBalancerBackendAddressPools"] = idRefs(a->second);
                    if (auto a = ipcNatRules.find(toLower(r.id) + "|" + toLower(name)); a != ipcNatRules.end())
                        p["loadBalancerInboundNatRules"] = idRefs(a->second);
                    if (auto a = ipcGatewayPools.find(toLower(r.id) + "|" + toLower(name)); a != ipcGatewayPools.end())
                        p["applicationGatewayBackendAddressPools"] = idRefs(a->second);
                    parts.emplace_back("/properties/ipConfigurations/" + idx, "/ip_configuration/" + idx);
                    configs.push_back({ { "id", r.id + "/ipConfigurations/" + name }, { "name", name },
                        { "properties", std::move(p) } });
                }
            json p = { { "ipConfigurations", configs } };
            if (auto a = nicNsg.find(toLower(r.id)); a != nicNsg.end())
                p["networkSecurityGroup"] = idRef(a->second);
            add(rest(r, "Microsoft.Network/networkInterfaces", p), r, parts);
        } else if (is(r,
                       { "azurerm_linux_virtual_machine", "azurerm_windows_virtual_machine",
                           "azurerm_virtual_machine" })) {
            json p
                = { { "networkProfile", { { "networkInterfaces", idRefs(strs(r, { "network_interface_ids" })) } } } };
            add(rest(r, "Microsoft.Compute/virtualMachines", p), r);
        } else if (is(r, { "azurerm_linux_virtual_machine_scale_set", "azurerm_windows_virtual_machine_scale_set" })) {
            json nics = json::array();
            if (const json* blocks = listAt(r, { "network_interface" }); blocks)
                for (std::size_t i = 0; i < blocks->size(); ++i) {
                    const std::string idx = std::to_string(i);
                    json ipcs = json::array();
                    if (const json* inner = listAt(r, { "network_interface", idx, "ip_configuration" }); inner)
                        for (std::size_t k = 0; k < inner->size(); ++k) {
                            const std::string kdx = std::to_string(k);
                            const std::vector<std::string> base { "network_interface", idx, "ip_configuration", kdx };
                            auto at = [&](const char* key) {
                                auto p = base;
                                p.push_back(key);
                                return p;
                            };
                            json p = json::object();
                            if (auto s = str(r, at("subnet_id")); !s.empty())
                                p["subnet"] = idRef(s);
                            p["applicationSecurityGroups"] = idRefs(strs(r, at("application_security_group_ids")));
                            p["loadBalancerBackendAddressPools"]
                                = idRefs(strs(r, at("load_balancer_backend_address_pool_ids")));
                            if (const json* pip = listAt(r, at("public_ip_address")); pip && !pip->empty())
                                p["publicIPAddressConfiguration"] = { { "name", textOf(member(&(*pip)[0], "name")) } };
                            ipcs.push_back({ { "name", str(r, at("name"), "name") }, { "properties", p } });
                        }
                    json np = { { "ipConfigurations", ipcs } };
                    if (auto s = str(r, { "network_interface", idx, "network_security_group_id" }); !s.empty())
                        np["networkSecurityGroup"] = idRef(s);
                    nics.push_back(
                        { { "name", str(r, { "network_interface", idx, "name" }, "name") }, { "properties", np } });
                }
            json p = { { "virtualMachineProfile",
                { { "networkProfile", { { "networkInterfaceConfigurations", nics } } } } } };
            add(rest(r, "Microsoft.Compute/virtualMachineScaleSets", p), r);
        } else if (is(r,
                       { "azurerm_mssql_server", "azurerm_sql_server", "azurerm_postgresql_server",
                           "azurerm_postgresql_flexible_server", "azurerm_mysql_server",
                           "azurerm_mysql_flexible_server" })) {
            const char* type = r.type == "azurerm_postgresql_server" ? "Microsoft.DBforPostgreSQL/servers"
                : r.type == "azurerm_postgresql_flexible_server"     ? "Microsoft.DBforPostgreSQL/flexibleServers"
                : r.type == "azurerm_mysql_server"                   ? "Microsoft.DBforMySQL/servers"
                : r.type == "azurerm_mysql_flexible_server"          ? "Microsoft.DBforMySQL/flexibleServers"
                                                                     : "Microsoft.Sql/servers";
            json p = json::object();
            p["fullyQualifiedDomainName"]
                = str(r, { "fqdn" }).empty() ? str(r, { "fully_qualified_domain_name" }) : str(r, { "fqdn" });
            if (!flag(r, { "public_network_access_enabled" }, true))
                p["publicNetworkAccess"] = "Disabled";
            if (auto s = str(r, { "delegated_subnet_id" }); !s.empty())
                p["network"] = { { "delegatedSubnetResourceId", s } };
            add(rest(r, type, p), r);
        } else if (is(r,
                       { "azurerm_mssql_firewall_rule", "azurerm_sql_firewall_rule", "azurerm_postgresql_firewall_rule",
                           "azurerm_postgresql_flexible_server_firewall_rule", "azurerm_mysql_firewall_rule",
                           "azurerm_mysql_flexible_server_firewall_rule", "azurerm_redis_firewall_rule" })) {
            std::string type = "Microsoft.Sql/servers/firewallRules";
            if (r.type.find("postgresql_flexible") != std::string::npos)
                type = "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules";
            else if (r.type.find("postgresql") != std::string::npos)
                type = "Microsoft.DBforPostgreSQL/servers/firewallRules";
            else if (r.type.find("mysql_flexible") != std::string::npos)
                type = "Microsoft.DBforMySQL/flexibleServers/firewallRules";
            else if (r.type.find("mysql") != std::string::npos)
                type = "Microsoft.DBforMySQL/servers/firewallRules";
            else if (r.type.find("redis") != std::string::npos)
                type = "Microsoft.Cache/redis/firewallRules";
            const bool redis = r.type == "azurerm_redis_firewall_rule";
            json p = { { "startIpAddress", str(r, { redis ? "start_ip" : "start_ip_address" }) },
                { "endIpAddress", str(r, { redis ? "end_ip" : "end_ip_address" }) } };
            add(rest(r, type.c_str(), p), r);
        } else if (r.type == "azurerm_storage_account") {
            json p = json::object();
            const bool httpsOnly
                = flag(r, { "https_traffic_only_enabled" }, flag(r, { "enable_https_traffic_only" }, true));
            p["supportsHttpsTrafficOnly"] = httpsOnly;
            if (!flag(r, { "public_network_access_enabled" }, true))
                p["publicNetworkAccess"] = "Disabled";
            // The account's own network_rules block, or a separate azurerm_storage_account_network_rules.
            const TfResource* rulesFrom = &r;
            std::vector<std::string> base { "network_rules", "0" };
            for (const auto& other : m_resources)
                if (other.type == "azurerm_storage_account_network_rules"
                    && toLower(str(other, { "storage_account_id" })) == toLower(r.id)) {
                    rulesFrom = &other;
                    base.clear();
                }
            auto at = [&](const char* key) {
                auto q = base;
                q.push_back(key);
                return q;
            };
            if (const json* action = value(*rulesFrom, at("default_action")); action && action->is_string()) {
                json acls = { { "defaultAction", *action } };
                json ipRules = json::array();
                for (const auto& ip : strs(*rulesFrom, at("ip_rules")))
                    ipRules.push_back({ { "value", ip }, { "action", "Allow" } });
                acls["ipRules"] = ipRules;
                json vnetRules = json::array();
                for (const auto& s : strs(*rulesFrom, at("virtual_network_subnet_ids")))
                    vnetRules.push_back({ { "id", s }, { "action", "Allow" } });
                acls["virtualNetworkRules"] = vnetRules;
                p["networkAcls"] = acls;
            }
            if (auto blob = str(r, { "primary_blob_endpoint" }); !blob.empty())
                p["primaryEndpoints"] = { { "blob", blob } };
            add(rest(r, "Microsoft.Storage/storageAccounts", p), r);
        } else if (r.type == "azurerm_cosmosdb_account") {
            json p = json::object();
            std::vector<std::string> ranges;
            if (const json* f = value(r, { "ip_range_filter" }); f && f->is_string())
                p["ipRangeFilter"] = *f;
            else
                ranges = strs(r, { "ip_range_filter" });
            json ipRules = json::array();
            for (const auto& ip : ranges)
                ipRules.push_back({ { "ipAddressOrRange", ip } });
            p["ipRules"] = ipRules;
            p["isVirtualNetworkFilterEnabled"] = flag(r, { "is_virtual_network_filter_enabled" }, false);
            json vnetRules = json::array();
            if (const json* blocks = listAt(r, { "virtual_network_rule" }); blocks)
                for (std::size_t i = 0; i < blocks->size(); ++i)
                    vnetRules.push_back({ { "id", str(r, { "virtual_network_rule", std::to_string(i), "id" }) } });
            p["virtualNetworkRules"] = vnetRules;
            if (!flag(r, { "public_network_access_enabled" }, true))
                p["publicNetworkAccess"] = "Disabled";
            p["documentEndpoint"] = str(r, { "endpoint" });
            add(rest(r, "Microsoft.DocumentDB/databaseAccounts", p), r);
        } else if (r.type == "azurerm_redis_cache") {
            json p = json::object();
            p["enableNonSslPort"] = flag(r, { "non_ssl_port_enabled" }, flag(r, { "enable_non_ssl_port" }, false));
            if (auto s = str(r, { "subnet_id" }); !s.empty())
                p["subnetId"] = s;
            if (!flag(r, { "public_network_access_enabled" }, true))
                p["publicNetworkAccess"] = "Disabled";
            p["hostName"] = str(r, { "hostname" });
            add(rest(r, "Microsoft.Cache/redis", p), r);
        } else if (r.type == "azurerm_lb") {
            json fes = json::array(), pools = json::array(), rules = json::array(), nats = json::array();
            std::vector<std::pair<std::string, std::string>> parts;
            std::map<std::string, std::string> frontendIds; // name -> id
            if (const json* blocks = listAt(r, { "frontend_ip_configuration" }); blocks)
                for (std::size_t i = 0; i < blocks->size(); ++i) {
                    const std::string idx = std::to_string(i);
                    const std::string name = str(r, { "frontend_ip_configuration", idx, "name" }, "name");
                    const std::string id = r.id + "/frontendIPConfigurations/" + name;
                    frontendIds[name] = id;
                    json p = json::object();
                    if (auto s = str(r, { "frontend_ip_configuration", idx, "public_ip_address_id" }); !s.empty())
                        p["publicIPAddress"] = idRef(s);
                    if (auto s = str(r, { "frontend_ip_configuration", idx, "private_ip_address" }); !s.empty())
                        p["privateIPAddress"] = s;
                    fes.push_back({ { "id", id }, { "name", name }, { "properties", p } });
                }
            for (const auto& o : m_resources) {
                if (o.data || toLower(str(o, { "loadbalancer_id" })) != toLower(r.id))
                    continue;
                auto frontend = [&] {
                    const std::string n = str(o, { "frontend_ip_configuration_name" }, "name");
                    auto it = frontendIds.find(n);
                    return it == frontendIds.end() ? r.id + "/frontendIPConfigurations/" + n : it->second;
                };
                if (o.type == "azurerm_lb_backend_address_pool") {
                    pools.push_back(
                        { { "id", o.id }, { "name", str(o, { "name" }, "name") }, { "properties", json::object() } });
                } else if (o.type == "azurerm_lb_rule") {
                    auto poolIds = strs(o, { "backend_address_pool_ids" });
                    if (auto one = str(o, { "backend_address_pool_id" }); !one.empty())
                        poolIds.push_back(one);
                    json p = { { "frontendIPConfiguration", idRef(frontend()) },
                        { "backendAddressPools", idRefs(poolIds) }, { "protocol", str(o, { "protocol" }) },
                        { "frontendPort", value(o, { "frontend_port" }) ? *value(o, { "frontend_port" }) : json(0) },
                        { "backendPort", value(o, { "backend_port" }) ? *value(o, { "backend_port" }) : json(0) } };
                    out.origins["/value/" + std::to_string(list.size()) + "/properties/loadBalancingRules/"
                        + std::to_string(rules.size())]
                        = origin(o);
                    rules.push_back({ { "id", o.id }, { "name", str(o, { "name" }, "name") }, { "properties", p } });
                } else if (o.type == "azurerm_lb_nat_rule") {
                    json p = { { "frontendIPConfiguration", idRef(frontend()) }, { "protocol", str(o, { "protocol" }) },
                        { "backendPort", value(o, { "backend_port" }) ? *value(o, { "backend_port" }) : json(0) } };
                    if (const json* v = value(o, { "frontend_port" }); v && v->is_number())
                        p["frontendPort"] = *v;
                    if (const json* v = value(o, { "frontend_port_start" }); v && v->is_number())
                        p["frontendPortRangeStart"] = *v;
                    if (const json* v = value(o, { "frontend_port_end" }); v && v->is_number())
                        p["frontendPortRangeEnd"] = *v;
                    if (auto pool = str(o, { "backend_address_pool_id" }); !pool.empty())
                        p["backendAddressPool"] = idRef(pool);
                    out.origins["/value/" + std::to_string(list.size()) + "/properties/inboundNatRules/"
                        + std::to_string(nats.size())]
                        = origin(o);
                    nats.push_back({ { "id", o.id }, { "name", str(o, { "name" }, "name") }, { "properties", p } });
                }
            }
            json res = rest(r, "Microsoft.Network/loadBalancers",
                { { "frontendIPConfigurations", fes }, { "backendAddressPools", pools },
                    { "loadBalancingRules", rules }, { "inboundNatRules", nats } });
            if (auto sku = str(r, { "sku" }); !sku.empty())
                res["sku"] = { { "name", sku } };
            add(std::move(res), r, parts);
        } else if (r.type == "azurerm_route_table") {
            json routes = json::array();
            if (const json* blocks = listAt(r, { "route" }); blocks)
                for (std::size_t i = 0; i < blocks->size(); ++i) {
                    const std::string idx = std::to_string(i);
                    routes.push_back({ { "name", str(r, { "route", idx, "name" }, "name") },
                        { "properties",
                            { { "addressPrefix", str(r, { "route", idx, "address_prefix" }) },
                                { "nextHopType", str(r, { "route", idx, "next_hop_type" }) },
                                { "nextHopIpAddress", str(r, { "route", idx, "next_hop_in_ip_address" }) } } } });
                }
            add(rest(r, "Microsoft.Network/routeTables",
                    { { "routes", routes },
                        { "disableBgpRoutePropagation",
                            !flag(r, { "bgp_route_propagation_enabled" },
                                !flag(r, { "disable_bgp_route_propagation" }, false)) } }),
                r);
        } else if (r.type == "azurerm_virtual_network_peering") {
            json p = { { "remoteVirtualNetwork", idRef(str(r, { "remote_virtual_network_id" })) },
                { "allowVirtualNetworkAccess", flag(r, { "allow_virtual_network_access" }, true) },
                { "allowForwardedTraffic", flag(r, { "allow_forwarded_traffic" }, false) },
                { "allowGatewayTransit", flag(r, { "allow_gateway_transit" }, false) },
                { "useRemoteGateways", flag(r, { "use_remote_gateways" }, false) } };
            // The remote network's address space, when the document has it.
            const std::string remote = toLower(str(r, { "remote_virtual_network_id" }));
            for (const auto& o : m_resources)
                if (o.type == "azurerm_virtual_network" && toLower(o.id) == remote)
                    p["remoteAddressSpace"] = { { "addressPrefixes", strs(o, { "address_space" }) } };
            add(rest(r, "Microsoft.Network/virtualNetworks/virtualNetworkPeerings", p), r);
        } else if (r.type == "azurerm_application_gateway") {
            // The gateway's parts are blocks named by name; the REST shape links them by id.
            auto partId = [&](const char* kind, const std::string& name) { return r.id + "/" + kind + "/" + name; };
            std::vector<std::pair<std::string, std::string>> parts;
            auto blocks = [&](const char* tf, const char* kind, auto&& make) {
                json items = json::array();
                if (const json* found = listAt(r, { tf }); found)
                    for (std::size_t i = 0; i < found->size(); ++i) {
                        const std::string idx = std::to_string(i);
                        auto at = [&](const char* key) { return std::vector<std::string> { tf, idx, key }; };
                        const std::string name = str(r, at("name"), "name");
                        json properties = make(at);
                        parts.emplace_back(
                            "/properties/" + std::string(kind) + "/" + idx, "/" + std::string(tf) + "/" + idx);
                        items.push_back({ { "id", partId(kind, name) }, { "name", name },
                            { "properties", std::move(properties) } });
                    }
                return items;
            };
            auto number = [&](const std::vector<std::string>& at) {
                const json* v = value(r, at);
                return v && !v->is_null() ? *v : json();
            };
            auto named = [&](const char* kind, const std::string& name) {
                return name.empty() ? json() : idRef(partId(kind, name));
            };
            json p = json::object();
            p["sku"] = { { "name", str(r, { "sku", "0", "name" }, "name") },
                { "tier", str(r, { "sku", "0", "tier" }, "tier") } };
            p["gatewayIPConfigurations"] = blocks("gateway_ip_configuration", "gatewayIPConfigurations", [&](auto at) {
                return json { { "subnet", idRef(str(r, at("subnet_id"))) } };
            });
            p["frontendIPConfigurations"]
                = blocks("frontend_ip_configuration", "frontendIPConfigurations", [&](auto at) {
                      json f = json::object();
                      if (auto pip = str(r, at("public_ip_address_id")); !pip.empty())
                          f["publicIPAddress"] = idRef(pip);
                      if (auto a = str(r, at("private_ip_address")); !a.empty())
                          f["privateIPAddress"] = a;
                      if (auto sn = str(r, at("subnet_id")); !sn.empty())
                          f["subnet"] = idRef(sn);
                      return f;
                  });
            p["frontendPorts"] = blocks("frontend_port", "frontendPorts", [&](auto at) {
                json f = json::object();
                if (json port = number(at("port")); !port.is_null())
                    f["port"] = port;
                return f;
            });
            p["httpListeners"] = blocks("http_listener", "httpListeners", [&](auto at) {
                return json {
                    { "frontendIPConfiguration",
                        named("frontendIPConfigurations", str(r, at("frontend_ip_configuration_name"), "name")) },
                    { "frontendPort", named("frontendPorts", str(r, at("frontend_port_name"), "name")) },
                    { "protocol", str(r, at("protocol"), "protocol") }
                };
            });
            // Interfaces put in a pool by association resources.
            std::map<std::string, std::vector<std::string>> poolIpcs;
            for (const auto& [key, pools] : ipcGatewayPools)
                for (const auto& pool : pools)
                    poolIpcs[toLower(pool)].push_back(
                        key.substr(0, key.find('|')) + "/ipconfigurations/" + key.substr(key.find('|') + 1));
            p["backendAddressPools"] = blocks("backend_address_pool", "backendAddressPools", [&](auto at) {
                json addresses = json::array();
                for (const auto& a : strs(r, at("ip_addresses"), "private_ip_address"))
                    addresses.push_back({ { "ipAddress", a } });
                for (const auto& f : strs(r, at("fqdns"), "fqdn"))
                    addresses.push_back({ { "fqdn", f } });
                json pool = { { "backendAddresses", addresses } };
                const std::string id = toLower(partId("backendAddressPools", str(r, at("name"), "name")));
                if (auto it = poolIpcs.find(id); it != poolIpcs.end())
                    pool["backendIPConfigurations"] = idRefs(it->second);
                return pool;
            });
            p["backendHttpSettingsCollection"]
                = blocks("backend_http_settings", "backendHttpSettingsCollection", [&](auto at) {
                      json h = { { "protocol", str(r, at("protocol"), "protocol") } };
                      if (json port = number(at("port")); !port.is_null())
                          h["port"] = port;
                      return h;
                  });
            p["urlPathMaps"] = blocks("url_path_map", "urlPathMaps", [&](auto at) {
                json rules = json::array();
                if (const json* found = listAt(r, at("path_rule")); found)
                    for (std::size_t k = 0; k < found->size(); ++k) {
                        auto in = [&](const char* key) {
                            auto path = at("path_rule");
                            path.push_back(std::to_string(k));
                            path.emplace_back(key);
                            return path;
                        };
                        rules.push_back({ { "name", str(r, in("name"), "name") },
                            { "properties",
                                { { "paths", strs(r, in("paths"), "paths") },
                                    { "backendAddressPool",
                                        named("backendAddressPools", str(r, in("backend_address_pool_name"), "name")) },
                                    { "backendHttpSettings",
                                        named("backendHttpSettingsCollection",
                                            str(r, in("backend_http_settings_name"), "name")) } } } });
                    }
                return json { { "defaultBackendAddressPool",
                                  named(
                                      "backendAddressPools", str(r, at("default_backend_address_pool_name"), "name")) },
                    { "defaultBackendHttpSettings",
                        named("backendHttpSettingsCollection",
                            str(r, at("default_backend_http_settings_name"), "name")) },
                    { "pathRules", rules } };
            });
            p["requestRoutingRules"] = blocks("request_routing_rule", "requestRoutingRules", [&](auto at) {
                json rr = { { "ruleType", str(r, at("rule_type"), "rule_type") },
                    { "httpListener", named("httpListeners", str(r, at("http_listener_name"), "name")) } };
                if (auto pool = str(r, at("backend_address_pool_name"), "name"); !pool.empty())
                    rr["backendAddressPool"] = named("backendAddressPools", pool);
                if (auto set = str(r, at("backend_http_settings_name"), "name"); !set.empty())
                    rr["backendHttpSettings"] = named("backendHttpSettingsCollection", set);
                if (auto map = str(r, at("url_path_map_name"), "name"); !map.empty())
                    rr["urlPathMap"] = named("urlPathMaps", map);
                if (auto redirect = str(r, at("redirect_configuration_name"), "name"); !redirect.empty())
                    rr["redirectConfiguration"] = named("redirectConfigurations", redirect);
                if (json priority = number(at("priority")); !priority.is_null())
                    rr["priority"] = priority;
                return rr;
            });
            add(rest(r, "Microsoft.Network/applicationGateways", p), r, parts);
        } else if (r.type == "azurerm_firewall") {
            std::vector<std::pair<std::string, std::string>> parts;
            json configs = json::array();
            if (const json* found = listAt(r, { "ip_configuration" }); found)
                for (std::size_t i = 0; i < found->size(); ++i) {
                    const std::string idx = std::to_string(i);
                    json c = json::object();
                    if (auto sn = str(r, { "ip_configuration", idx, "subnet_id" }); !sn.empty())
                        c["subnet"] = idRef(sn);
                    if (auto pip = str(r, { "ip_configuration", idx, "public_ip_address_id" }); !pip.empty())
                        c["publicIPAddress"] = idRef(pip);
                    if (auto a = str(r, { "ip_configuration", idx, "private_ip_address" }); !a.empty())
                        c["privateIPAddress"] = a;
                    configs.push_back(
                        { { "name", str(r, { "ip_configuration", idx, "name" }, "name") }, { "properties", c } });
                }
            json p = { { "sku",
                           { { "name", str(r, { "sku_name" }, "sku_name") },
                               { "tier", str(r, { "sku_tier" }, "sku_tier") } } },
                { "ipConfigurations", configs } };
            if (auto policy = str(r, { "firewall_policy_id" }); !policy.empty())
                p["firewallPolicy"] = idRef(policy);
            // A firewall in a secured virtual hub: its public addresses are the hub's.
            if (auto hub = strs(r, { "virtual_hub", "0", "public_ip_addresses" }, "public_ip_addresses");
                !hub.empty()) {
                json addresses = json::array();
                for (const auto& a : hub)
                    addresses.push_back({ { "address", a } });
                p["hubIPAddresses"] = { { "publicIPs", { { "addresses", addresses } } } };
            } else if (const json* v = listAt(r, { "virtual_hub" }); v && !v->empty()) {
                note(Diagnostic::Level::Warning, r,
                    r.address
                        + " sits in a secured virtual hub whose public addresses are known only after apply: "
                          "its DNAT rules are followed from any address of the firewall");
                p["hubIPAddresses"]
                    = { { "publicIPs", { { "addresses", json::array({ { { "address", "0.0.0.0/0" } } }) } } } };
            }
            // Classic rule collections managed as resources of their own, on this firewall.
            json collections = json::array();
            for (const auto& o : m_resources) {
                if (o.data || o.type != "azurerm_firewall_nat_rule_collection"
                    || !lowerEq(str(o, { "azure_firewall_name" }, "name"), str(r, { "name" }, "name"))
                    || !lowerEq(str(o, { "resource_group_name" }, "name"), str(r, { "resource_group_name" }, "name")))
                    continue;
                json rules = json::array();
                if (const json* found = listAt(o, { "rule" }); found)
                    for (std::size_t k = 0; k < found->size(); ++k) {
                        const std::string kdx = std::to_string(k);
                        auto at = [&](const char* key) { return std::vector<std::string> { "rule", kdx, key }; };
                        json natRule = { { "name", str(o, at("name"), "name") },
                            { "sourceAddresses", strs(o, at("source_addresses"), "source_addresses") },
                            { "sourceIpGroups", strs(o, at("source_ip_groups")) },
                            { "destinationAddresses", strs(o, at("destination_addresses"), "destination_addresses") },
                            { "destinationPorts", strs(o, at("destination_ports"), "destination_ports") },
                            { "protocols", strs(o, at("protocols"), "protocols") },
                            { "translatedAddress", str(o, at("translated_address"), "translated_address") } };
                        if (auto port = str(o, at("translated_port"), "translated_port"); !port.empty())
                            natRule["translatedPort"] = port;
                        out.origins["/value/" + std::to_string(list.size()) + "/properties/natRuleCollections/"
                            + std::to_string(collections.size()) + "/properties/rules/" + kdx]
                            = origin(o, "/rule/" + kdx);
                        rules.push_back(std::move(natRule));
                    }
                out.origins["/value/" + std::to_string(list.size()) + "/properties/natRuleCollections/"
                    + std::to_string(collections.size())]
                    = origin(o);
                collections.push_back({ { "id", o.id }, { "name", str(o, { "name" }, "name") },
                    { "properties",
                        { { "priority", value(o, { "priority" }) ? *value(o, { "priority" }) : json() },
                            { "action", { { "type", str(o, { "action" }, "action") } } }, { "rules", rules } } } });
            }
            p["natRuleCollections"] = collections;
            add(rest(r, "Microsoft.Network/azureFirewalls", p), r, parts);
        } else if (r.type == "azurerm_firewall_policy") {
            json p = json::object();
            if (auto base = str(r, { "base_policy_id" }); !base.empty())
                p["basePolicy"] = idRef(base);
            add(rest(r, "Microsoft.Network/firewallPolicies", p), r);
        } else if (r.type == "azurerm_firewall_policy_rule_collection_group") {
            // DNAT collections only: network and application rules filter what the firewall
            // forwards outwards, not what it lets in.
            std::vector<std::pair<std::string, std::string>> parts;
            json collections = json::array();
            if (const json* found = listAt(r, { "nat_rule_collection" }); found)
                for (std::size_t i = 0; i < found->size(); ++i) {
                    const std::string idx = std::to_string(i);
                    json rules = json::array();
                    if (const json* inner = listAt(r, { "nat_rule_collection", idx, "rule" }); inner)
                        for (std::size_t k = 0; k < inner->size(); ++k) {
                            const std::string kdx = std::to_string(k);
                            auto at = [&](const char* key) {
                                return std::vector<std::string> { "nat_rule_collection", idx, "rule", kdx, key };
                            };
                            json natRule = { { "ruleType", "NatRule" }, { "name", str(r, at("name"), "name") },
                                { "ipProtocols", strs(r, at("protocols"), "protocols") },
                                { "sourceAddresses", strs(r, at("source_addresses"), "source_addresses") },
                                { "sourceIpGroups", strs(r, at("source_ip_groups")) },
                                { "destinationPorts", strs(r, at("destination_ports"), "destination_ports") } };
                            if (auto d = str(r, at("destination_address"), "destination_address"); !d.empty())
                                natRule["destinationAddresses"] = json::array({ d });
                            if (auto a = str(r, at("translated_address"), "translated_address"); !a.empty())
                                natRule["translatedAddress"] = a;
                            if (auto f = str(r, at("translated_fqdn"), "translated_fqdn"); !f.empty())
                                natRule["translatedFqdn"] = f;
                            if (const json* port = value(r, at("translated_port")); port && !port->is_null())
                                natRule["translatedPort"] = port->is_number() ? json(textOf(port)) : *port;
                            parts.emplace_back("/properties/ruleCollections/" + idx + "/rules/" + kdx,
                                "/nat_rule_collection/" + idx + "/rule/" + kdx);
                            rules.push_back(std::move(natRule));
                        }
                    parts.emplace_back("/properties/ruleCollections/" + idx, "/nat_rule_collection/" + idx);
                    collections.push_back({ { "ruleCollectionType", "FirewallPolicyNatRuleCollection" },
                        { "name", str(r, { "nat_rule_collection", idx, "name" }, "name") },
                        { "priority",
                            value(r, { "nat_rule_collection", idx, "priority" })
                                ? *value(r, { "nat_rule_collection", idx, "priority" })
                                : json() },
                        { "action", { { "type", str(r, { "nat_rule_collection", idx, "action" }, "action") } } },
                        { "rules", rules } });
                }
            add(rest(r, "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
                    { { "ruleCollections", collections } }),
                r, parts);
        } else if (r.type == "azurerm_ip_group") {
            add(rest(r, "Microsoft.Network/ipGroups", { { "ipAddresses", strs(r, { "cidrs" }, "cidrs") } }), r);
        } else if (r.type == "azurerm_private_endpoint") {
            json conns = json::array();
            if (const json* blocks = listAt(r, { "private_service_connection" }); blocks)
                for (std::size_t i = 0; i < blocks->size(); ++i) {
                    const std::string idx = std::to_string(i);
                    conns.push_back({ { "name", str(r, { "private_service_connection", idx, "name" }, "name") },
                        { "properties",
                            { { "privateLinkServiceId",
                                  str(r, { "private_service_connection", idx, "private_connection_resource_id" }) },
                                { "groupIds",
                                    strs(r, { "private_service_connection", idx, "subresource_names" }) } } } });
                }
            json p = { { "subnet", idRef(str(r, { "subnet_id" })) }, { "privateLinkServiceConnections", conns } };
            add(rest(r, "Microsoft.Network/privateEndpoints", p), r);
        } else if (is(r,
                       { "azurerm_subnet_network_security_group_association", "azurerm_subnet_route_table_association",
                           "azurerm_network_interface_security_group_association",
                           "azurerm_network_interface_application_security_group_association",
                           "azurerm_network_interface_backend_address_pool_association",
                           "azurerm_network_interface_nat_rule_association",
                           "azurerm_network_interface_application_gateway_backend_address_pool_association",
                           "azurerm_firewall_nat_rule_collection", "azurerm_lb_backend_address_pool", "azurerm_lb_rule",
                           "azurerm_lb_nat_rule", "azurerm_storage_account_network_rules",
                           "azurerm_virtual_network" })) {
            continue; // applied to what they associate, above
        } else {
            m_otherTypes.insert(r.type);
        }
    }
}

// ---- aws ----

namespace {

std::string awsProtocol(std::string p)
{
    p = toLower(p);
    return p == "all" ? std::string("-1") : p;
}

} // namespace

void TerraformReader::translateAws(Synth& out)
{
    json& doc = out.doc;
    auto list = [&](const char* key) -> json& {
        if (!doc.contains(key))
            doc[key] = json::array();
        return doc[key];
    };
    auto push = [&](const char* key, json item, const TfResource& r,
                    const std::vector<std::pair<std::string, Origin>>& parts = {}) {
        json& l = list(key);
        const std::string at = "/" + std::string(key) + "/" + std::to_string(l.size());
        out.origins[at] = origin(r);
        for (const auto& [sub, o] : parts)
            out.origins[at + sub] = o;
        l.push_back(std::move(item));
    };
    auto tags = [&](const TfResource& r) {
        json t = json::array();
        bool named = false;
        if (const json* m = value(r, { "tags" }); m && !m->is_null() && !m->is_object())
            valueError(r, { "tags" }, "should be an object but is " + typeName(*m));
        if (const json* m = value(r, { "tags" }); m && m->is_object())
            for (auto it = m->begin(); it != m->end(); ++it) {
                t.push_back({ { "Key", it.key() }, { "Value", textOf(&it.value()) } });
                named = named || it.key() == "Name";
            }
        // Without a Name tag the analyst knows the resource by its address.
        if (!named)
            t.push_back({ { "Key", "Name" }, { "Value", r.address } });
        return t;
    };
    auto byType = [&](std::initializer_list<const char*> types, auto&& f) {
        for (const auto& r : m_resources)
            if (!r.data && std::any_of(types.begin(), types.end(), [&](const char* t) { return r.type == t; }))
                f(r);
    };
    auto lowerEq = [](const std::string& a, const std::string& b) { return toLower(a) == toLower(b); };

    // ---- Security groups: inline rules, aws_security_group_rule and aws_vpc_security_group_*_rule,
    // each split into one permission per source.
    struct Perm
    {
        std::string group;
        bool inbound = true;
        std::string protocol;
        std::int64_t from = -1, to = -1;
        std::string kind; // "cidr4", "cidr6", "pl", "sg"
        std::string source;
        std::string description;
        Origin where;
        std::string key() const
        {
            return toLower(group) + "|" + (inbound ? "in" : "out") + "|" + protocol + "|"
                + (protocol == "-1" ? std::string() : std::to_string(from) + "-" + std::to_string(to)) + "|" + kind
                + "|" + toLower(source);
        }
    };
    // A port as written; -1 when absent, kAnyPort when it is known only after apply (then every
    // port is assumed, towards reachability, and said), kBadPort when it is not a port number (the
    // AWS reader names the range as invalid).
    constexpr std::int64_t kAnyPort = -3, kBadPort = 70000;
    auto port = [&](const TfResource& r, const std::vector<std::string>& p) -> std::int64_t {
        const json* v = value(r, p);
        if ((!v || v->is_null()) && unknownAt(r, p))
            return kAnyPort;
        if (!v || !v->is_number())
            return -1;
        if (!v->is_number_integer() || v->get<double>() < -1 || v->get<double>() > 65535)
            return kBadPort;
        return v->get<std::int64_t>();
    };
    // The permissions of a block or a rule resource; cidr keys as the resource names them.
    auto perms = [&](const TfResource& r, std::vector<std::string> base, const std::string& group, bool inbound,
                     const char* protoKey, std::initializer_list<std::pair<const char*, const char*>> sources,
                     const char* selfKey, const Origin& where) {
        auto at = [&](const char* key) {
            auto p = base;
            p.push_back(key);
            return p;
        };
        std::vector<Perm> result;
        Perm p;
        p.group = group;
        p.inbound = inbound;
        p.protocol = awsProtocol(str(r, at(protoKey)));
        if (p.protocol.empty()) {
            if (unknownAt(r, at(protoKey)))
                note(Diagnostic::Level::Warning, r,
                    r.address + ": its " + protoKey
                        + " is known only after apply; every protocol is assumed until the plan is applied");
            p.protocol = "-1";
        }
        p.from = port(r, at("from_port"));
        p.to = port(r, at("to_port"));
        if (p.from == kAnyPort || p.to == kAnyPort) {
            note(Diagnostic::Level::Warning, r,
                r.address + ": its ports are known only after apply; every port is assumed until the plan is applied");
            p.from = 0;
            p.to = 65535;
        }
        if (p.protocol == "-1")
            p.from = p.to = -1;
        p.description = str(r, at("description"));
        p.where = where;
        for (const auto& [key, kind] : sources) {
            const std::string k = kind;
            std::vector<std::string> values = strs(r, at(key), k == "sg" ? "id" : k == "pl" ? "id" : "cidr_block");
            if (values.empty() && unknownAt(r, at(key)) && (k == "cidr4" || k == "cidr6")) {
                // Known only after apply, and no reference says it: any address, towards reachability.
                values.push_back(k == "cidr4" ? "0.0.0.0/0" : "::/0");
                note(Diagnostic::Level::Warning, r,
                    r.address + ": its " + key
                        + " are known only after apply; every address is assumed until the plan is applied");
            }
            for (const auto& v : values) {
                Perm one = p;
                one.kind = k;
                one.source = v;
                result.push_back(std::move(one));
            }
        }
        if (selfKey && flag(r, at(selfKey), false)) {
            Perm one = p;
            one.kind = "sg";
            one.source = group;
            result.push_back(std::move(one));
        }
        return result;
    };
    std::map<std::string, std::vector<Perm>> separate; // group (lower) -> permissions from rule resources
    std::set<std::string> separateKeys; // in this state or the plan's prior state
    auto separateOf = [&](const TfResource& r, bool collect) {
        std::vector<Perm> found;
        if ((r.type == "aws_security_group_rule" || r.type == "aws_vpc_security_group_ingress_rule"
                || r.type == "aws_vpc_security_group_egress_rule")
            && collect && str(r, { "security_group_id" }).empty())
            note(Diagnostic::Level::Warning, r,
                r.address
                    + ": its security group is known only after apply and no reference of the configuration names "
                      "it: its rules are attached to no group, so what they admit is not analysed");
        if (r.type == "aws_security_group_rule") {
            const std::string group = str(r, { "security_group_id" });
            const bool inbound = str(r, { "type" }) != "egress";
            found = perms(r, {}, group, inbound, "protocol",
                { { "cidr_blocks", "cidr4" }, { "ipv6_cidr_blocks", "cidr6" }, { "prefix_list_ids", "pl" },
                    { "source_security_group_id", "sg" } },
                "self", origin(r));
        } else if (r.type == "aws_vpc_security_group_ingress_rule" || r.type == "aws_vpc_security_group_egress_rule") {
            const std::string group = str(r, { "security_group_id" });
            found = perms(r, {}, group, r.type == "aws_vpc_security_group_ingress_rule", "ip_protocol",
                { { "cidr_ipv4", "cidr4" }, { "cidr_ipv6", "cidr6" }, { "prefix_list_id", "pl" },
                    { "referenced_security_group_id", "sg" } },
                nullptr, origin(r));
        }
        for (auto& p : found) {
            separateKeys.insert(p.key());
            if (collect)
                separate[toLower(p.group)].push_back(p);
        }
    };
    for (const auto& r : m_prior)
        if (!r.data)
            separateOf(r, false);
    for (const auto& r : m_resources)
        if (!r.data)
            separateOf(r, true);
    auto permissionJson = [](const Perm& p) {
        json j = { { "IpProtocol", p.protocol }, { "IpRanges", json::array() }, { "Ipv6Ranges", json::array() },
            { "PrefixListIds", json::array() }, { "UserIdGroupPairs", json::array() } };
        if (p.protocol != "-1") {
            j["FromPort"] = p.from;
            j["ToPort"] = p.to;
        }
        if (p.kind == "cidr4")
            j["IpRanges"].push_back({ { "CidrIp", p.source }, { "Description", p.description } });
        else if (p.kind == "cidr6")
            j["Ipv6Ranges"].push_back({ { "CidrIpv6", p.source }, { "Description", p.description } });
        else if (p.kind == "pl")
            j["PrefixListIds"].push_back({ { "PrefixListId", p.source } });
        else
            j["UserIdGroupPairs"].push_back({ { "GroupId", p.source } });
        return j;
    };
    std::map<std::string, std::string> groupByName; // "vpc|name" and "name" -> id
    byType({ "aws_security_group", "aws_default_security_group" },
        [&](const TfResource& r) { groupByName[toLower(str(r, { "name" }, "name"))] = r.id; });
    byType({ "aws_security_group", "aws_default_security_group" }, [&](const TfResource& r) {
        json in = json::array(), egress = json::array();
        std::vector<std::pair<std::string, Origin>> parts;
        for (const auto& [key, inbound] : { std::pair { "ingress", true }, std::pair { "egress", false } }) {
            const json* rules = listAt(r, { key });
            if (!rules)
                continue;
            for (std::size_t i = 0; i < rules->size(); ++i) {
                const std::string idx = std::to_string(i);
                auto found = perms(r, { key, idx }, r.id, inbound, "protocol",
                    { { "cidr_blocks", "cidr4" }, { "ipv6_cidr_blocks", "cidr6" }, { "prefix_list_ids", "pl" },
                        { "security_groups", "sg" } },
                    "self", origin(r, "/" + std::string(key) + "/" + idx));
                for (auto& p : found) {
                    if (p.kind == "sg" && !startsWith(toLower(p.source), "sg-"))
                        if (auto g = groupByName.find(toLower(p.source)); g != groupByName.end())
                            p.source = g->second; // a group named, not its id (default VPC)
                    if (separateKeys.count(p.key()))
                        continue; // a rule resource of its own says it (a plan may change or remove it)
                    json& to = inbound ? in : egress;
                    parts.emplace_back(
                        std::string(inbound ? "/IpPermissions/" : "/IpPermissionsEgress/") + std::to_string(to.size()),
                        p.where);
                    to.push_back(permissionJson(p));
                }
            }
        }
        if (auto s = separate.find(toLower(r.id)); s != separate.end())
            for (const auto& p : s->second) {
                json& to = p.inbound ? in : egress;
                parts.emplace_back(
                    std::string(p.inbound ? "/IpPermissions/" : "/IpPermissionsEgress/") + std::to_string(to.size()),
                    p.where);
                to.push_back(permissionJson(p));
            }
        json g = { { "GroupId", r.id },
            { "GroupName", str(r, { "name" }, "name").empty() ? r.address : str(r, { "name" }, "name") },
            { "VpcId", str(r, { "vpc_id" }) }, { "IpPermissions", in }, { "IpPermissionsEgress", egress },
            { "Tags", tags(r) } };
        if (auto owner = str(r, { "owner_id" }); !owner.empty())
            g["OwnerId"] = owner;
        push("SecurityGroups", std::move(g), r, parts);
        separate.erase(toLower(r.id));
    });
    // Rule resources of a group the document does not hold (created elsewhere): the group is read
    // with these rules only, said, so that an interface in the estate that uses it is not left
    // without them.
    for (const auto& [group, rules] : separate) {
        if (group.empty() || rules.empty())
            continue;
        json in = json::array(), egress = json::array();
        std::vector<std::pair<std::string, Origin>> parts;
        for (const auto& p : rules) {
            json& to = p.inbound ? in : egress;
            parts.emplace_back(
                std::string(p.inbound ? "/IpPermissions/" : "/IpPermissionsEgress/") + std::to_string(to.size()),
                p.where);
            to.push_back(permissionJson(p));
        }
        const TfResource* first
            = m_byAddress.count(rules.front().where.address) ? m_byAddress.at(rules.front().where.address) : nullptr;
        if (!first)
            continue;
        note(Diagnostic::Level::Warning, *first,
            "security group " + rules.front().group
                + " is not in the document: only the rules of its rule resources are known (it may have more)");
        push("SecurityGroups",
            { { "GroupId", rules.front().group }, { "GroupName", rules.front().group }, { "IpPermissions", in },
                { "IpPermissionsEgress", egress } },
            *first, parts);
    }

    // ---- VPCs, subnets, gateways
    std::map<std::string, std::string> mainRouteTable; // route table id (lower) -> vpc id
    byType({ "aws_vpc", "aws_default_vpc" }, [&](const TfResource& r) {
        json v = { { "VpcId", r.id }, { "CidrBlock", str(r, { "cidr_block" }) }, { "Tags", tags(r) } };
        if (auto c = str(r, { "ipv6_cidr_block" }); !c.empty())
            v["Ipv6CidrBlockAssociationSet"] = json::array({ { { "Ipv6CidrBlock", c } } });
        if (auto owner = str(r, { "owner_id" }); !owner.empty())
            v["OwnerId"] = owner;
        if (auto m = str(r, { "main_route_table_id" }); !m.empty())
            mainRouteTable[toLower(m)] = r.id;
        push("Vpcs", std::move(v), r);
    });
    std::map<std::string, const TfResource*> subnets;
    byType({ "aws_subnet", "aws_default_subnet" }, [&](const TfResource& r) {
        subnets[toLower(r.id)] = &r;
        json s = { { "SubnetId", r.id }, { "VpcId", str(r, { "vpc_id" }) }, { "CidrBlock", str(r, { "cidr_block" }) },
            { "Tags", tags(r) } };
        if (auto c = str(r, { "ipv6_cidr_block" }); !c.empty())
            s["Ipv6CidrBlockAssociationSet"] = json::array({ { { "Ipv6CidrBlock", c } } });
        if (auto az = str(r, { "availability_zone" }); !az.empty())
            s["AvailabilityZone"] = az;
        if (auto owner = str(r, { "owner_id" }); !owner.empty())
            s["OwnerId"] = owner;
        push("Subnets", std::move(s), r);
    });
    byType({ "aws_internet_gateway" }, [&](const TfResource& r) {
        json att = json::array();
        if (auto vpc = str(r, { "vpc_id" }); !vpc.empty())
            att.push_back({ { "VpcId", vpc }, { "State", "available" } });
        for (const auto& o : m_resources)
            if (o.type == "aws_internet_gateway_attachment" && lowerEq(str(o, { "internet_gateway_id" }), r.id))
                att.push_back({ { "VpcId", str(o, { "vpc_id" }) }, { "State", "available" } });
        push("InternetGateways", { { "InternetGatewayId", r.id }, { "Attachments", att } }, r);
    });

    // ---- Route tables: inline routes, aws_route, associations
    std::map<std::string, std::vector<std::pair<std::string, const TfResource*>>> tableSubnets;
    byType({ "aws_route_table_association" }, [&](const TfResource& r) {
        if (auto s = str(r, { "subnet_id" }); !s.empty())
            tableSubnets[toLower(str(r, { "route_table_id" }))].emplace_back(s, &r);
    });
    byType({ "aws_main_route_table_association" },
        [&](const TfResource& r) { mainRouteTable[toLower(str(r, { "route_table_id" }))] = str(r, { "vpc_id" }); });
    std::set<std::string> separateRoutes; // "<table>|<destination>"
    for (const auto* side : { &m_resources, &m_prior })
        for (const auto& r : *side)
            if (r.type == "aws_route")
                for (const char* key :
                    { "destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id" })
                    if (auto d = str(r, { key }); !d.empty())
                        separateRoutes.insert(toLower(str(r, { "route_table_id" })) + "|" + d);
    static constexpr std::pair<const char*, const char*> kTargets[] = { { "gateway_id", "GatewayId" },
        { "nat_gateway_id", "NatGatewayId" }, { "transit_gateway_id", "TransitGatewayId" },
        { "vpc_peering_connection_id", "VpcPeeringConnectionId" }, { "network_interface_id", "NetworkInterfaceId" },
        { "instance_id", "InstanceId" }, { "egress_only_gateway_id", "EgressOnlyInternetGatewayId" } };
    auto route = [&](const TfResource& r, std::vector<std::string> base, bool resource) {
        auto at = [&](const char* key) {
            auto p = base;
            p.push_back(key);
            return p;
        };
        json j = { { "State", "active" } };
        for (const auto& [inline_, separate_, out_] :
            { std::tuple { "cidr_block", "destination_cidr_block", "DestinationCidrBlock" },
                std::tuple { "ipv6_cidr_block", "destination_ipv6_cidr_block", "DestinationIpv6CidrBlock" },
                std::tuple { "destination_prefix_list_id", "destination_prefix_list_id", "DestinationPrefixListId" } })
            if (auto d = str(r, at(resource ? separate_ : inline_)); !d.empty())
                j[out_] = d;
        for (const auto& [tf, aws] : kTargets)
            if (auto t = str(r, at(tf)); !t.empty())
                j[aws] = t;
        return j;
    };
    byType({ "aws_route_table", "aws_default_route_table" }, [&](const TfResource& r) {
        json routes = json::array();
        std::vector<std::pair<std::string, Origin>> parts;
        if (const json* blocks = listAt(r, { "route" }); blocks)
            for (std::size_t i = 0; i < blocks->size(); ++i) {
                json one = route(r, { "route", std::to_string(i) }, false);
                const std::string dest = one.value("DestinationCidrBlock",
                    one.value("DestinationIpv6CidrBlock", stringAt(one, "DestinationPrefixListId")));
                if (separateRoutes.count(toLower(r.id) + "|" + dest))
                    continue;
                parts.emplace_back(
                    "/Routes/" + std::to_string(routes.size()), origin(r, "/route/" + std::to_string(i)));
                routes.push_back(std::move(one));
            }
        for (const auto& o : m_resources)
            if (o.type == "aws_route" && lowerEq(str(o, { "route_table_id" }), r.id)) {
                parts.emplace_back("/Routes/" + std::to_string(routes.size()), origin(o));
                routes.push_back(route(o, {}, true));
            }
        json assoc = json::array();
        std::string vpc = str(r, { "vpc_id" });
        if (auto m = mainRouteTable.find(toLower(r.id)); m != mainRouteTable.end()) {
            assoc.push_back({ { "Main", true } });
            if (vpc.empty())
                vpc = m->second;
        } else if (r.type == "aws_default_route_table") {
            assoc.push_back({ { "Main", true } });
        }
        for (const auto& [subnet, a] : tableSubnets[toLower(r.id)]) {
            parts.emplace_back("/Associations/" + std::to_string(assoc.size()), origin(*a));
            assoc.push_back({ { "SubnetId", subnet }, { "Main", false } });
        }
        push("RouteTables",
            { { "RouteTableId", r.id }, { "VpcId", vpc }, { "Routes", routes }, { "Associations", assoc },
                { "Tags", tags(r) } },
            r, parts);
    });

    // ---- Network ACLs
    std::map<std::string, std::vector<std::pair<std::string, const TfResource*>>> aclSubnets;
    byType({ "aws_network_acl_association" }, [&](const TfResource& r) {
        aclSubnets[toLower(str(r, { "network_acl_id" }))].emplace_back(str(r, { "subnet_id" }), &r);
    });
    std::set<std::string> separateEntries; // "<acl>|<egress>|<number>"
    for (const auto* side : { &m_resources, &m_prior })
        for (const auto& r : *side)
            if (r.type == "aws_network_acl_rule")
                separateEntries.insert(toLower(str(r, { "network_acl_id" })) + "|"
                    + (flag(r, { "egress" }, false) ? "1" : "0") + "|" + str(r, { "rule_number" }));
    auto entry = [&](const TfResource& r, std::vector<std::string> base, bool egress, bool resource) {
        auto at = [&](const char* key) {
            auto p = base;
            p.push_back(key);
            return p;
        };
        json j = { { "RuleNumber", port(r, at(resource ? "rule_number" : "rule_no")) }, { "Egress", egress },
            { "RuleAction", toLower(str(r, at(resource ? "rule_action" : "action"))) },
            { "Protocol", awsProtocol(str(r, at("protocol"))) } };
        if (auto c = str(r, at("cidr_block")); !c.empty())
            j["CidrBlock"] = c;
        if (auto c = str(r, at("ipv6_cidr_block")); !c.empty())
            j["Ipv6CidrBlock"] = c;
        const std::int64_t from = port(r, at("from_port")), to = port(r, at("to_port"));
        if (from >= 0 && to >= 0)
            j["PortRange"] = { { "From", from }, { "To", to } };
        return j;
    };
    byType({ "aws_network_acl", "aws_default_network_acl" }, [&](const TfResource& r) {
        json entries = json::array();
        std::vector<std::pair<std::string, Origin>> parts;
        for (const auto& [key, egress] : { std::pair { "ingress", false }, std::pair { "egress", true } })
            if (const json* blocks = listAt(r, { key }); blocks)
                for (std::size_t i = 0; i < blocks->size(); ++i) {
                    json one = entry(r, { key, std::to_string(i) }, egress, false);
                    if (separateEntries.count(toLower(r.id) + "|" + (egress ? "1" : "0") + "|"
                            + std::to_string(one["RuleNumber"].get<std::int64_t>())))
                        continue;
                    parts.emplace_back("/Entries/" + std::to_string(entries.size()),
                        origin(r, "/" + std::string(key) + "/" + std::to_string(i)));
                    entries.push_back(std::move(one));
                }
        for (const auto& o : m_resources)
            if (o.type == "aws_network_acl_rule" && lowerEq(str(o, { "network_acl_id" }), r.id)) {
                parts.emplace_back("/Entries/" + std::to_string(entries.size()), origin(o));
                entries.push_back(entry(o, {}, flag(o, { "egress" }, false), true));
            }
        json assoc = json::array();
        for (const auto& s : strs(r, { "subnet_ids" }))
            assoc.push_back({ { "SubnetId", s } });
        for (const auto& [s, a] : aclSubnets[toLower(r.id)]) {
            parts.emplace_back("/Associations/" + std::to_string(assoc.size()), origin(*a));
            assoc.push_back({ { "SubnetId", s } });
        }
        push("NetworkAcls",
            { { "NetworkAclId", r.id }, { "VpcId", str(r, { "vpc_id" }) },
                { "IsDefault", r.type == "aws_default_network_acl" }, { "Entries", entries }, { "Associations", assoc },
                { "Tags", tags(r) } },
            r, parts);
    });

    // ---- Instances and interfaces
    // A private address known only after apply: one of its subnet's, said.
    std::map<std::string, unsigned> placeholders; // subnet -> addresses handed out
    auto placeholderAddress = [&](const TfResource& r, const std::string& subnet) -> std::string {
        auto s = subnets.find(toLower(subnet));
        auto p = s == subnets.end() ? std::nullopt : parsePrefix(str(*s->second, { "cidr_block" }));
        // AWS reserves the first four addresses of a subnet; each interface takes the next one. A
        // subnet whose range is not known yet: an address that stands for some private address (the
        // interface is still analysed; its security groups, not its address, decide its exposure).
        const u128 base = p ? p->first : *parseAddress("10.255.0.0");
        std::string address = formatAddress(base + 4 + placeholders[toLower(subnet)]++);
        note(Diagnostic::Level::Warning, r,
            r.address + ": its private address is known only after apply; " + address
                + (p ? " of its subnet " + s->second->address : std::string(" (its subnet's range is not known)"))
                + " stands for it");
        return address;
    };
    std::map<std::string, std::vector<std::string>> extraGroups; // interface (lower) -> groups
    byType({ "aws_network_interface_sg_attachment" }, [&](const TfResource& r) {
        extraGroups[toLower(str(r, { "network_interface_id" }))].push_back(str(r, { "security_group_id" }));
    });
    std::map<std::string, std::string> primaryInterface; // instance (lower) -> interface id
    byType({ "aws_instance" }, [&](const TfResource& r) {
        std::string eni = str(r, { "primary_network_interface_id" });
        if (eni.empty())
            eni = "eni-tf-" + lowerAlnum(r.address);
        primaryInterface[toLower(r.id)] = eni;
        const std::string subnet = str(r, { "subnet_id" });
        std::vector<std::string> groups = strs(r, { "vpc_security_group_ids" });
        for (const auto& name : strs(r, { "security_groups" }, "name")) {
            auto g = groupByName.find(toLower(name));
            const std::string id = g != groupByName.end() ? g->second : name;
            if (std::find(groups.begin(), groups.end(), id) == groups.end())
                groups.push_back(id);
        }
        for (const auto& g : extraGroups[toLower(eni)])
            groups.push_back(g);
        json groupList = json::array();
        for (const auto& g : groups)
            groupList.push_back({ { "GroupId", g } });
        std::string address = str(r, { "private_ip" });
        if (address.empty())
            address = placeholderAddress(r, subnet);
        if (address.empty()) {
            note(Diagnostic::Level::Warning, r,
                r.address + " has no private address and its subnet is not in the document: it is not analysed");
            return;
        }
        json ip = { { "PrivateIpAddress", address }, { "Primary", true } };
        const std::string pub = str(r, { "public_ip" });
        if (!pub.empty()) {
            ip["Association"] = { { "PublicIp", pub } };
        } else if (unknownAt(r, { "public_ip" })) {
            // Whether it gets a public address: associate_public_ip_address, else the subnet's
            // map_public_ip_on_launch (Amazon VPC User Guide, "IP addressing"); unknown: it does.
            bool gets = true;
            if (const json* a = value(r, { "associate_public_ip_address" }); a && a->is_boolean())
                gets = a->get<bool>();
            else if (auto s = subnets.find(toLower(subnet)); s != subnets.end())
                if (const json* m = value(*s->second, { "map_public_ip_on_launch" }); m && m->is_boolean())
                    gets = m->get<bool>();
            if (gets)
                m_pendingPublic.push_back({ toLower(eni), &r });
        }
        json nic = { { "NetworkInterfaceId", eni }, { "SubnetId", subnet }, { "Groups", groupList },
            { "PrivateIpAddresses", json::array({ ip }) },
            { "Attachment", { { "InstanceId", r.id }, { "DeviceIndex", 0 } } } };
        json v6 = json::array();
        for (const auto& a : strs(r, { "ipv6_addresses" }))
            v6.push_back({ { "Ipv6Address", a } });
        nic["Ipv6Addresses"] = v6;
        json instance = { { "InstanceId", r.id }, { "SubnetId", subnet }, { "PrivateIpAddress", address },
            { "NetworkInterfaces", json::array({ nic }) }, { "Tags", tags(r) },
            { "State",
                { { "Name", str(r, { "instance_state" }).empty() ? "running" : str(r, { "instance_state" }) } } } };
        if (auto az = str(r, { "availability_zone" }); !az.empty())
            instance["Placement"] = { { "AvailabilityZone", az } };
        json& reservations = list("Reservations");
        const std::string at = "/Reservations/" + std::to_string(reservations.size());
        out.origins[at] = origin(r);
        reservations.push_back({ { "Instances", json::array({ instance }) } });
    });
    byType({ "aws_network_interface" }, [&](const TfResource& r) {
        const std::string subnet = str(r, { "subnet_id" });
        json groupList = json::array();
        auto groups = strs(r, { "security_groups" });
        for (const auto& g : extraGroups[toLower(r.id)])
            groups.push_back(g);
        for (const auto& g : groups)
            groupList.push_back({ { "GroupId", g } });
        json ips = json::array();
        auto addresses = strs(r, { "private_ips" });
        if (addresses.empty())
            if (auto one = str(r, { "private_ip" }); !one.empty())
                addresses.push_back(one);
        if (addresses.empty())
            if (auto p = placeholderAddress(r, subnet); !p.empty())
                addresses.push_back(p);
        for (std::size_t i = 0; i < addresses.size(); ++i)
            ips.push_back({ { "PrivateIpAddress", addresses[i] }, { "Primary", i == 0 } });
        json nic = { { "NetworkInterfaceId", r.id }, { "SubnetId", subnet }, { "Groups", groupList },
            { "PrivateIpAddresses", ips }, { "TagSet", tags(r) } };
        if (const json* att = listAt(r, { "attachment" }); att && !att->empty())
            nic["Attachment"] = { { "InstanceId", str(r, { "attachment", "0", "instance" }) },
                { "DeviceIndex", port(r, { "attachment", "0", "device_index" }) } };
        push("NetworkInterfaces", std::move(nic), r);
    });
    byType({ "aws_eip" }, [&](const TfResource& r) {
        std::string eni = str(r, { "network_interface" });
        std::string instance = str(r, { "instance" });
        for (const auto& o : m_resources)
            if (o.type == "aws_eip_association" && lowerEq(str(o, { "allocation_id" }), r.id)) {
                eni = str(o, { "network_interface_id" });
                instance = str(o, { "instance_id" });
            }
        if (eni.empty() && !instance.empty())
            if (auto p = primaryInterface.find(toLower(instance)); p != primaryInterface.end())
                eni = p->second;
        if (eni.empty())
            return; // not associated: no path through it
        if (str(r, { "public_ip" }).empty())
            note(Diagnostic::Level::Warning, r,
                r.address + ": its address is known only after apply; it is assumed to get some public address");
        json a = { { "PublicIp", str(r, { "public_ip" }) }, { "AllocationId", r.id }, { "NetworkInterfaceId", eni } };
        if (auto p = str(r, { "private_ip" }); !p.empty())
            a["PrivateIpAddress"] = p;
        push("Addresses", std::move(a), r);
    });

    // ---- Elastic Load Balancing (ELBv2 API reference; the classic 2012-06-01 API). Data sources of a
    // load balancer or listener describe one that exists (a shared load balancer another workspace
    // manages, to which this one adds a rule): read like resources.
    auto elb = [&](std::initializer_list<const char*> types, auto&& f) {
        for (const auto& r : m_resources)
            if (std::any_of(types.begin(), types.end(), [&](const char* t) { return r.type == t; }))
                f(r);
    };
    // Actions as the API writes them: only "forward" reaches targets.
    auto actions = [&](const TfResource& r, const char* key) {
        json written = json::array();
        const json* found = listAt(r, { key });
        if (!found)
            return written;
        for (std::size_t i = 0; i < found->size(); ++i) {
            const std::string idx = std::to_string(i);
            json a = { { "Type", str(r, { key, idx, "type" }, "type") } };
            if (auto g = str(r, { key, idx, "target_group_arn" }, "arn"); !g.empty())
                a["TargetGroupArn"] = g;
            json groups = json::array();
            if (const json* tg = listAt(r, { key, idx, "forward", "0", "target_group" }); tg)
                for (std::size_t k = 0; k < tg->size(); ++k) {
                    const std::string kdx = std::to_string(k);
                    json t = { { "TargetGroupArn",
                        str(r, { key, idx, "forward", "0", "target_group", kdx, "arn" }, "arn") } };
                    if (const json* w = value(r, { key, idx, "forward", "0", "target_group", kdx, "weight" });
                        w && w->is_number())
                        t["Weight"] = *w;
                    groups.push_back(std::move(t));
                }
            if (!groups.empty())
                a["ForwardConfig"] = { { "TargetGroups", groups } };
            written.push_back(std::move(a));
        }
        return written;
    };
    std::map<std::string, std::set<std::string>> groupLoadBalancers; // target group (lower) -> load balancers
    std::map<std::string, std::string> listenerLoadBalancer; // listener (lower) -> load balancer
    auto forwardedBy = [&](const json& actionList, const std::string& lb) {
        for (const auto& a : actionList) {
            if (a.contains("TargetGroupArn"))
                groupLoadBalancers[toLower(a["TargetGroupArn"].get<std::string>())].insert(lb);
            if (a.contains("ForwardConfig"))
                for (const auto& t : a["ForwardConfig"]["TargetGroups"])
                    groupLoadBalancers[toLower(t["TargetGroupArn"].get<std::string>())].insert(lb);
        }
    };
    auto vpcOfSubnets = [&](const std::vector<std::string>& ids) {
        for (const auto& id : ids)
            if (auto it = subnets.find(toLower(id)); it != subnets.end())
                return str(*it->second, { "vpc_id" });
        return std::string();
    };
    elb({ "aws_lb", "aws_alb" }, [&](const TfResource& r) {
        std::vector<std::pair<std::string, std::string>> zones; // subnet, private address
        for (const auto& sn : strs(r, { "subnets" }))
            zones.emplace_back(sn, std::string());
        if (const json* m = listAt(r, { "subnet_mapping" }); m)
            for (std::size_t i = 0; i < m->size(); ++i) {
                const std::string idx = std::to_string(i);
                const std::string sn = str(r, { "subnet_mapping", idx, "subnet_id" });
                const std::string address
                    = str(r, { "subnet_mapping", idx, "private_ipv4_address" }, "private_ipv4_address");
                auto same
                    = std::find_if(zones.begin(), zones.end(), [&](const auto& z) { return lowerEq(z.first, sn); });
                if (same != zones.end())
                    same->second = address;
                else if (!sn.empty())
                    zones.emplace_back(sn, address);
            }
        json zoneList = json::array();
        std::vector<std::string> subnetIds;
        for (const auto& [sn, address] : zones) {
            json z = { { "SubnetId", sn } };
            if (!address.empty())
                z["LoadBalancerAddresses"] = json::array({ { { "PrivateIPv4Address", address } } });
            zoneList.push_back(std::move(z));
            subnetIds.push_back(sn);
        }
        std::string type = str(r, { "load_balancer_type" }, "load_balancer_type");
        if (type.empty())
            type = "application"; // the provider's default
        bool internal = flag(r, { "internal" }, false);
        if (!value(r, { "internal" }) && unknownAt(r, { "internal" })) {
            internal = false;
            note(Diagnostic::Level::Warning, r,
                r.address + ": whether it is internal is known only after apply; it is taken as internet-facing");
        }
        std::string vpc = str(r, { "vpc_id" });
        if (vpc.empty())
            vpc = vpcOfSubnets(subnetIds);
        std::string name = str(r, { "name" }, "name");
        json lb = { { "LoadBalancerArn", r.id }, { "LoadBalancerName", name.empty() ? r.address : name },
            { "Type", type }, { "Scheme", internal ? "internal" : "internet-facing" }, { "VpcId", vpc },
            { "SecurityGroups", strs(r, { "security_groups" }) }, { "AvailabilityZones", zoneList },
            { "IpAddressType", str(r, { "ip_address_type" }, "ip_address_type") },
            { "State", { { "Code", "active" } } } };
        push("LoadBalancers", std::move(lb), r);
    });
    elb({ "aws_lb_listener", "aws_alb_listener" }, [&](const TfResource& r) {
        const std::string lb = str(r, { "load_balancer_arn" }, "arn");
        listenerLoadBalancer[toLower(r.id)] = lb;
        json l = { { "ListenerArn", r.id }, { "LoadBalancerArn", lb },
            { "Protocol", upperCase(str(r, { "protocol" }, "protocol")) },
            { "DefaultActions", actions(r, "default_action") } };
        forwardedBy(l["DefaultActions"], lb);
        if (const json* p = value(r, { "port" }); p && !p->is_null()) {
            l["Port"] = *p;
        } else if (unknownAt(r, { "port" })) {
            // Its target groups name the load balancer and are followed from a listener on any port.
            note(Diagnostic::Level::Warning, r,
                r.address + ": its port is known only after apply; what it forwards is followed from any port");
            return;
        }
        push("Listeners", std::move(l), r);
        // The listener's rules are those of this document (aws_lb_listener_rule): a default rule
        // says so, so that no rule is assumed beyond them.
        const auto at = r.id.find(":listener/");
        if (!r.data && at != std::string::npos)
            push("Rules",
                { { "RuleArn", r.id.substr(0, at) + ":listener-rule/" + r.id.substr(at + 10) + "/default" },
                    { "IsDefault", true }, { "Priority", "default" } },
                r);
    });
    elb({ "aws_lb_listener_rule", "aws_alb_listener_rule" }, [&](const TfResource& r) {
        if (r.data)
            return;
        json conditions = json::array();
        if (const json* c = listAt(r, { "condition" }); c)
            for (std::size_t i = 0; i < c->size(); ++i) {
                const std::string idx = std::to_string(i);
                if (const json* sip = listAt(r, { "condition", idx, "source_ip" }); sip && !sip->empty())
                    conditions.push_back({ { "Field", "source-ip" },
                        { "SourceIpConfig",
                            { { "Values", strs(r, { "condition", idx, "source_ip", "0", "values" }, "values") } } } });
            }
        json rule = { { "RuleArn", r.id }, { "Priority", str(r, { "priority" }, "priority") }, { "IsDefault", false },
            { "Conditions", conditions }, { "Actions", actions(r, "action") } };
        if (auto l = listenerLoadBalancer.find(toLower(str(r, { "listener_arn" }, "arn")));
            l != listenerLoadBalancer.end())
            forwardedBy(rule["Actions"], l->second);
        push("Rules", std::move(rule), r);
    });
    std::map<std::string, json> health; // target group (lower) -> its targets
    std::map<std::string, std::string> healthGroup;
    elb({ "aws_lb_target_group_attachment", "aws_alb_target_group_attachment" }, [&](const TfResource& r) {
        if (r.data)
            return;
        const std::string group = str(r, { "target_group_arn" }, "arn");
        const std::string target = str(r, { "target_id" });
        if (group.empty())
            return;
        healthGroup[toLower(group)] = group;
        json& targets = health[toLower(group)];
        if (targets.is_null())
            targets = json::array();
        if (target.empty()) {
            note(Diagnostic::Level::Warning, r,
                r.address
                    + ": its target is known only after apply and no reference names it: what the load balancer "
                      "exposes through it is not analysed");
            return;
        }
        json t = { { "Id", target } };
        if (const json* p = value(r, { "port" }); p && p->is_number())
            t["Port"] = *p;
        if (auto az = str(r, { "availability_zone" }, "availability_zone"); !az.empty())
            t["AvailabilityZone"] = az;
        targets.push_back({ { "Target", t }, { "TargetHealth", { { "State", "unknown" } } } });
    });
    elb({ "aws_lb_target_group", "aws_alb_target_group" }, [&](const TfResource& r) {
        if (r.data)
            return;
        json lbs = json::array();
        std::set<std::string> names = groupLoadBalancers[toLower(r.id)];
        for (const auto& a : strs(r, { "load_balancer_arns" }))
            names.insert(a);
        for (const auto& a : names)
            lbs.push_back(a);
        std::string name = str(r, { "name" }, "name");
        json g = { { "TargetGroupArn", r.id }, { "TargetGroupName", name.empty() ? r.address : name },
            { "Protocol", upperCase(str(r, { "protocol" }, "protocol")) },
            { "TargetType", str(r, { "target_type" }, "target_type") }, { "VpcId", str(r, { "vpc_id" }) },
            { "LoadBalancerArns", lbs } };
        if (const json* p = value(r, { "port" }); p && p->is_number())
            g["Port"] = *p;
        push("TargetGroups", std::move(g), r);
        if (auto h = health.find(toLower(r.id)); h != health.end())
            push("LoadBalancerTargetHealth", { { "TargetGroupArn", r.id }, { "TargetHealthDescriptions", h->second } },
                r);
    });
    elb({ "aws_elb" }, [&](const TfResource& r) {
        if (r.data)
            return;
        json instances = json::array();
        auto ids = strs(r, { "instances" });
        for (const auto& o : m_resources)
            if (o.type == "aws_elb_attachment" && lowerEq(str(o, { "elb" }, "name"), str(r, { "name" }, "name")))
                if (auto i = str(o, { "instance" }); !i.empty() && std::find(ids.begin(), ids.end(), i) == ids.end())
                    ids.push_back(i);
        for (const auto& i : ids)
            instances.push_back({ { "InstanceId", i } });
        json listeners = json::array();
        if (const json* found = listAt(r, { "listener" }); found)
            for (std::size_t i = 0; i < found->size(); ++i) {
                const std::string idx = std::to_string(i);
                json l = { { "Protocol", upperCase(str(r, { "listener", idx, "lb_protocol" }, "lb_protocol")) },
                    { "InstanceProtocol",
                        upperCase(str(r, { "listener", idx, "instance_protocol" }, "instance_protocol")) } };
                if (const json* p = value(r, { "listener", idx, "lb_port" }); p && !p->is_null())
                    l["LoadBalancerPort"] = *p;
                if (const json* p = value(r, { "listener", idx, "instance_port" }); p && !p->is_null())
                    l["InstancePort"] = *p;
                listeners.push_back({ { "Listener", l } });
            }
        const auto subnetIds = strs(r, { "subnets" });
        std::string name = str(r, { "name" }, "name");
        json lb = { { "LoadBalancerName", name.empty() ? r.address : name },
            { "Scheme", flag(r, { "internal" }, false) ? "internal" : "internet-facing" },
            { "VPCId", vpcOfSubnets(subnetIds) }, { "SecurityGroups", strs(r, { "security_groups" }) },
            { "Subnets", subnetIds }, { "Instances", instances }, { "ListenerDescriptions", listeners } };
        push("LoadBalancerDescriptions", std::move(lb), r);
    });

    // ---- Data services
    auto subnetGroup = [&](const std::string& name, std::initializer_list<const char*> types) -> json {
        for (const auto& o : m_resources)
            if (std::any_of(types.begin(), types.end(), [&](const char* t) { return o.type == t; })
                && lowerEq(str(o, { "name" }, "name"), name)) {
                json subnetList = json::array();
                std::string vpc;
                for (const auto& s : strs(o, { "subnet_ids" })) {
                    subnetList.push_back({ { "SubnetIdentifier", s } });
                    if (auto it = subnets.find(toLower(s)); it != subnets.end() && vpc.empty())
                        vpc = str(*it->second, { "vpc_id" });
                }
                return { { "Subnets", subnetList }, { "VpcId", vpc } };
            }
        return json::object();
    };
    byType({ "aws_db_instance" }, [&](const TfResource& r) {
        std::string id = str(r, { "identifier" }, "identifier");
        if (id.empty())
            id = r.address;
        const std::string groupName = str(r, { "db_subnet_group_name" }, "name");
        json group = subnetGroup(groupName, { "aws_db_subnet_group" });
        group["DBSubnetGroupName"] = groupName;
        json groups = json::array();
        for (const auto& g : strs(r, { "vpc_security_group_ids" }))
            groups.push_back({ { "VpcSecurityGroupId", g }, { "Status", "active" } });
        json d = { { "DBInstanceIdentifier", id }, { "Engine", str(r, { "engine" }) },
            { "PubliclyAccessible", flag(r, { "publicly_accessible" }, false) }, { "VpcSecurityGroups", groups },
            { "DBSubnetGroup", group } };
        json endpoint = { { "Address", str(r, { "address" }) } };
        if (const json* p = value(r, { "port" }); p && p->is_number() && p->get<std::int64_t>() > 0)
            endpoint["Port"] = *p;
        d["Endpoint"] = endpoint;
        if (auto arn = str(r, { "arn" }); !arn.empty())
            d["DBInstanceArn"] = arn;
        if (auto az = str(r, { "availability_zone" }); !az.empty())
            d["AvailabilityZone"] = az;
        if (const json* p = value(r, { "publicly_accessible" }); !p && unknownAt(r, { "publicly_accessible" }))
            d["PubliclyAccessible"] = true; // known only after apply: towards reachability
        push("DBInstances", std::move(d), r);
    });
    byType({ "aws_opensearch_domain", "aws_elasticsearch_domain" }, [&](const TfResource& r) {
        const std::string name = str(r, { "domain_name" }, "domain_name");
        json d = { { "DomainName", name.empty() ? r.address : name } };
        if (auto arn = str(r, { "arn" }); !arn.empty())
            d["ARN"] = arn;
        if (auto v = str(r, { "engine_version" }); !v.empty())
            d["EngineVersion"] = v;
        else
            d["ElasticsearchVersion"] = str(r, { "elasticsearch_version" });
        std::string policy = str(r, { "access_policies" });
        for (const auto& o : m_resources)
            if ((o.type == "aws_opensearch_domain_policy" || o.type == "aws_elasticsearch_domain_policy")
                && lowerEq(str(o, { "domain_name" }, "domain_name"), name))
                policy = str(o, { "access_policies" });
        if (!policy.empty())
            d["AccessPolicies"] = policy;
        if (const json* vpc = listAt(r, { "vpc_options" }); vpc && !vpc->empty()) {
            d["VPCOptions"] = { { "SubnetIds", strs(r, { "vpc_options", "0", "subnet_ids" }) },
                { "SecurityGroupIds", strs(r, { "vpc_options", "0", "security_group_ids" }) },
                { "VPCId", str(r, { "vpc_options", "0", "vpc_id" }) } };
            d["Endpoints"] = { { "vpc", str(r, { "endpoint" }) } };
        } else {
            d["Endpoint"] = str(r, { "endpoint" });
        }
        d["DomainEndpointOptions"]
            = { { "EnforceHTTPS", flag(r, { "domain_endpoint_options", "0", "enforce_https" }, false) } };
        d["AdvancedSecurityOptions"] = { { "Enabled", flag(r, { "advanced_security_options", "0", "enabled" }, false) },
            { "AnonymousAuthEnabled",
                flag(r, { "advanced_security_options", "0", "anonymous_auth_enabled" }, false) } };
        push("DomainStatusList", std::move(d), r);
    });
    byType({ "aws_redshift_cluster" }, [&](const TfResource& r) {
        const std::string groupName = str(r, { "cluster_subnet_group_name" }, "name");
        json groups = json::array();
        for (const auto& g : strs(r, { "vpc_security_group_ids" }))
            groups.push_back({ { "VpcSecurityGroupId", g }, { "Status", "active" } });
        json c = { { "ClusterIdentifier", str(r, { "cluster_identifier" }, "cluster_identifier") },
            { "PubliclyAccessible", flag(r, { "publicly_accessible" }, false) }, { "VpcSecurityGroups", groups },
            { "ClusterSubnetGroupName", groupName } };
        json endpoint = { { "Address", str(r, { "dns_name" }) } };
        if (const json* p = value(r, { "port" }); p && p->is_number())
            endpoint["Port"] = *p;
        c["Endpoint"] = endpoint;
        json group = subnetGroup(groupName, { "aws_redshift_subnet_group" });
        if (group.contains("VpcId"))
            c["VpcId"] = group["VpcId"];
        push("Clusters", std::move(c), r);
    });
    byType({ "aws_redshift_subnet_group" }, [&](const TfResource& r) {
        json g = subnetGroup(str(r, { "name" }, "name"), { "aws_redshift_subnet_group" });
        g["ClusterSubnetGroupName"] = str(r, { "name" }, "name");
        push("ClusterSubnetGroups", std::move(g), r);
    });

    static const std::set<std::string> kRead = { "aws_security_group", "aws_default_security_group",
        "aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule",
        "aws_vpc", "aws_default_vpc", "aws_subnet", "aws_default_subnet", "aws_internet_gateway",
        "aws_internet_gateway_attachment", "aws_route_table", "aws_default_route_table", "aws_route",
        "aws_route_table_association", "aws_main_route_table_association", "aws_network_acl", "aws_default_network_acl",
        "aws_network_acl_rule", "aws_network_acl_association", "aws_instance", "aws_network_interface",
        "aws_network_interface_sg_attachment", "aws_eip", "aws_eip_association", "aws_db_instance",
        "aws_db_subnet_group", "aws_opensearch_domain", "aws_elasticsearch_domain", "aws_opensearch_domain_policy",
        "aws_elasticsearch_domain_policy", "aws_redshift_cluster", "aws_redshift_subnet_group", "aws_lb", "aws_alb",
        "aws_lb_listener", "aws_alb_listener", "aws_lb_listener_rule", "aws_alb_listener_rule", "aws_lb_target_group",
        "aws_alb_target_group", "aws_lb_target_group_attachment", "aws_alb_target_group_attachment", "aws_elb",
        "aws_elb_attachment" };
    for (const auto& r : m_resources)
        if (!r.data && startsWith(r.type, "aws_") && !kRead.count(r.type))
            m_otherTypes.insert(r.type);
}

// ---- Feeding the readers, and moving locations back ----

namespace {

// Every location the readers record in a snapshot.
template <typename F> void forEachLocation(Snapshot& s, F&& f)
{
    auto rules = [&](std::vector<SecurityRule>& list) {
        for (auto& r : list)
            f(r.where);
    };
    for (auto& [id, v] : s.vnets) {
        f(v.where);
        for (auto& p : v.peerings)
            f(p.where);
    }
    for (auto& [id, v] : s.subnets)
        f(v.where);
    for (auto& [id, v] : s.nsgs) {
        f(v.where);
        rules(v.rules);
    }
    for (auto& [id, v] : s.nics) {
        f(v.where);
        for (auto& i : v.ipConfigurations)
            f(i.where);
    }
    for (auto& [id, v] : s.publicIps)
        f(v.where);
    for (auto& [id, v] : s.loadBalancers) {
        f(v.where);
        for (auto& r : v.rules)
            f(r.where);
        for (auto& r : v.natRules)
            f(r.where);
    }
    for (auto& [id, v] : s.asgs)
        f(v.where);
    for (auto& [id, v] : s.vms)
        f(v.where);
    for (auto& [id, v] : s.dataServices) {
        f(v.where);
        f(v.defaultWhere);
        for (auto& e : v.entries)
            f(e.where);
        for (auto& e : v.vnetRules)
            f(e.where);
    }
    for (auto& [id, v] : s.proxies) {
        f(v.where);
        for (auto& fw : v.forwards)
            f(fw.where);
    }
    for (auto& [id, v] : s.firewallPolicies) {
        f(v.where);
        for (auto& fw : v.natRules)
            f(fw.where);
    }
    for (auto& [id, v] : s.routeTables) {
        f(v.where);
        for (auto& r : v.routes)
            f(r.where);
    }
    for (auto& [id, v] : s.edges) {
        f(v.where);
        for (auto& r : v.routes)
            f(r.where);
        for (auto& o : v.origins)
            f(o.where);
    }
    for (auto& [id, v] : s.privateEndpoints)
        f(v.where);
    for (auto& [id, v] : s.localGateways)
        f(v.where);
    for (auto& [id, v] : s.vnetGateways)
        f(v.where);
    for (auto& [id, v] : s.gatewayConnections)
        f(v.where);
    for (auto& [id, v] : s.prefixLists) {
        f(v.where);
        f(v.entriesWhere);
    }
    for (auto& d : s.diagnostics)
        f(d.where);
}

} // namespace

int TerraformReader::feed(Synth& synth, FormatReader& reader, const Document& doc)
{
    const std::string token = "\x1fterraform:" + std::to_string(m_fed.size()) + ":" + m_file;
    m_fed[token] = { m_file, std::move(synth.origins) };
    m_texts.emplace_back(synth.doc.dump(-1, ' ', false, json::error_handler_t::replace));
    m_parsers.emplace_back();
    simdjson::dom::element root;
    if (m_parsers.back().parse(m_texts.back()).get(root) != simdjson::SUCCESS) {
        m_snap.diagnostics.push_back(
            { Diagnostic::Level::Error, { m_file, {}, 0, 0 }, "internal error translating the Terraform document" });
        return 0;
    }
    InputFile scratch;
    Document inner;
    inner.file = token;
    inner.input = &scratch;
    inner.named = doc.named;
    inner.root = root;
    inner.text = &m_texts.back();
    reader.read(inner);
    return scratch.resources;
}

void TerraformReader::finish()
{
    // Locations in the synthesised documents become places in the Terraform file, with the
    // address of the resource they came from.
    forEachLocation(m_snap, [&](SourceLocation& where) {
        auto fed = m_fed.find(where.file);
        if (fed == m_fed.end())
            return;
        std::string pointer = where.pointer;
        for (;;) {
            if (auto o = fed->second.origins.find(pointer); o != fed->second.origins.end()) {
                where.pointer = o->second.pointer;
                where.address = o->second.address;
                break;
            }
            const auto slash = pointer.rfind('/');
            if (slash == std::string::npos || pointer.empty()) {
                where.pointer.clear();
                break;
            }
            pointer.resize(slash);
        }
        where.file = fed->second.file;
    });
}

void TerraformReader::read(const Document& doc)
{
    m_file = doc.file;
    m_resources.clear();
    m_prior.clear();
    m_byAddress.clear();
    m_config.clear();
    m_unknowns.clear();
    m_subscription.clear();
    m_otherTypes.clear();
    m_pendingPublic.clear();
    InputFile& input = *doc.input;
    auto skip = [&](std::string reason) {
        input.skipped = true;
        input.reason = std::move(reason);
    };
    try {
        m_root = json::parse(std::string_view(doc.text->data(), doc.text->size()));
    } catch (const std::exception& e) {
        m_snap.diagnostics.push_back({ Diagnostic::Level::Error, { m_file, {}, 0, 0 },
            std::string("the Terraform document could not be read: ") + e.what() });
        return skip("unreadable Terraform document");
    }
    m_shapeErrors = 0;
    m_valueErrors.clear();
    m_configPointers.clear();
    // Each member the reader walks has the type the JSON Output Format gives it; another type is an
    // error at its place, never read as empty.
    auto object = [&](const json* parent, const char* key, const std::string& pointer) -> const json* {
        const json* v = member(parent, key);
        return shaped(v, pointer, Shape::Object) ? v : nullptr;
    };
    const bool plan = m_root.contains("planned_values") || m_root.contains("resource_changes");
    if (m_root.contains("format_version")) {
        input.format = plan ? "terraform-plan" : "terraform-state";
        if (!shaped(member(&m_root, "format_version"), "/format_version", Shape::String, true))
            return skip("\"format_version\" is not a string");
        const std::string version = textOf(member(&m_root, "format_version"));
        // "Reject any input which reports an unsupported major version" (JSON Output Format).
        if (!startsWith(version, "0.") && !startsWith(version, "1.")) {
            m_snap.diagnostics.push_back({ Diagnostic::Level::Error, { m_file, "/format_version", 0, 0 },
                "Terraform JSON format version " + version + " is not supported (0.x and 1.x are)" });
            return skip("unsupported Terraform JSON format version " + version);
        }
    } else {
        input.format = "terraform-tfstate";
        const json* v = member(&m_root, "version");
        if (!v || !v->is_number_integer()) {
            m_snap.diagnostics.push_back({ Diagnostic::Level::Error, { m_file, "/version", 0, 0 },
                "\"version\" should be a whole number but is " + (v ? typeName(*v) : std::string("missing")) });
            return skip("\"version\" of the terraform.tfstate is not a whole number");
        }
        const std::int64_t version = v->get<std::int64_t>();
        if (version != 4)
            return skip("terraform.tfstate version " + std::to_string(version)
                + ": only version 4 (Terraform 0.12 and later) is read; `terraform show -json` prints any state in "
                  "the current format");
    }

    if (plan) {
        if (const json* changes = member(&m_root, "resource_changes");
            shaped(changes, "/resource_changes", Shape::Array))
            for (std::size_t i = 0; i < changes->size(); ++i) {
                const json& c = (*changes)[i];
                const std::string at = "/resource_changes/" + std::to_string(i);
                if (!shaped(&c, at, Shape::Object, true))
                    continue;
                const json* address = member(&c, "address");
                const json* change = object(&c, "change", at + "/change");
                const json* u = member(change, "after_unknown");
                if (shaped(address, at + "/address", Shape::String, true) && u && !u->is_null()) {
                    if (!u->is_object() && !u->is_boolean())
                        shaped(u, at + "/change/after_unknown", Shape::Object);
                    else
                        m_unknowns[address->get<std::string>()] = u;
                }
            }
        const json* priorState = object(&m_root, "prior_state", "/prior_state");
        const json* priorValues = object(priorState, "values", "/prior_state/values");
        const json* prior = object(priorValues, "root_module", "/prior_state/values/root_module");
        if (m_options.terraformPlanSide == TerraformPlanSide::Prior) {
            m_unknowns.clear();
            if (prior)
                collectModule(*prior, "/prior_state/values/root_module", m_resources);
        } else {
            const json* planned = object(&m_root, "planned_values", "/planned_values");
            if (const json* root = object(planned, "root_module", "/planned_values/root_module"))
                collectModule(*root, "/planned_values/root_module", m_resources);
            if (prior)
                collectModule(*prior, "/prior_state/values/root_module", m_prior);
        }
    } else if (m_root.contains("values")) {
        const json* values = object(&m_root, "values", "/values");
        if (const json* root = object(values, "root_module", "/values/root_module"))
            collectModule(*root, "/values/root_module", m_resources);
    } else if (const json* resources = member(&m_root, "resources"); shaped(resources, "/resources", Shape::Array)) {
        collectTfstate(*resources, "/resources", m_resources);
    }
    const json* configuration = object(&m_root, "configuration", "/configuration");
    if (const json* config = object(configuration, "root_module", "/configuration/root_module"))
        collectConfig(*config, {}, "/configuration/root_module");
    if (m_shapeErrors > 0)
        return skip("not in the shape of Terraform's JSON output (see the errors)");
    for (const auto& r : m_resources)
        m_byAddress[r.address] = &r;
    assignIds();

    int used = 0;
    Synth azure, aws;
    translateAzure(azure);
    translateAws(aws);
    for (const auto& [pointer, error] : m_valueErrors)
        m_snap.diagnostics.push_back(
            { Diagnostic::Level::Error, { m_file, pointer, 0, 0, error.first }, error.first + ": " + error.second });
    if (!azure.doc["value"].empty())
        used += feed(azure, m_azure, doc);
    if (!aws.doc.empty())
        used += feed(aws, m_aws, doc);
    input.resources += used;
    // Public addresses known only after apply: some public address, said (never dropped).
    for (const auto& p : m_pendingPublic) {
        auto nic = m_snap.nics.find(p.nicId);
        if (nic == m_snap.nics.end() || nic->second.ipConfigurations.empty())
            continue;
        auto& ipc = nic->second.ipConfigurations.front();
        PublicIpAddress pip;
        pip.id = "publicip/after-apply/" + p.nicId;
        pip.name = p.r->address;
        pip.type = "AWS public IPv4 address";
        pip.sku = PublicIpAddress::Sku::Standard;
        pip.ipConfigurationId = ipc.id;
        pip.unknownAddress = "gets its address only when the plan is applied (known only after apply)";
        pip.where = { m_file, p.r->pointer, 0, 0, p.r->address };
        ipc.publicIpId = pip.id;
        note(Diagnostic::Level::Warning, *p.r,
            p.r->address + ": its public address is known only after apply; it is assumed to get one");
        m_snap.publicIps[pip.id] = std::move(pip);
    }
    // Public IPs the plan creates: their address is known only after apply, said on every verdict.
    for (const auto& r : m_resources) {
        if (!r.data && !startsWith(r.type, "azurerm_") && !startsWith(r.type, "aws_"))
            m_otherTypes.insert(r.type); // another provider's
        const bool isAzure = r.type == "azurerm_public_ip";
        if (!(isAzure || r.type == "aws_eip") || !unknownAt(r, { isAzure ? "ip_address" : "public_ip" }))
            continue;
        if (auto pip = m_snap.publicIps.find(isAzure ? normaliseId(r.id) : toLower(r.id));
            pip != m_snap.publicIps.end())
            pip->second.unknownAddress
                = "(" + r.address + ") gets its address only when the plan is applied (known only after apply)";
    }
    if (used == 0 && !input.skipped) {
        std::string types;
        for (const auto& t : m_otherTypes)
            types += (types.empty() ? "" : ", ") + t;
        if (m_resources.empty())
            skip(plan ? "the plan's "
                        + std::string(m_options.terraformPlanSide == TerraformPlanSide::Prior ? "prior" : "planned")
                        + " state has no resources"
                      : "the state has no resources");
        else if (!types.empty())
            skip("holds only " + types + ", which play no part in inbound exposure analysis");
        else
            skip("no azurerm or aws network, compute or data resources in it");
    }
}

} // namespace

std::unique_ptr<FormatReader> makeTerraformReader(
    Snapshot& snapshot, FormatReader& aws, FormatReader& azure, const ImportOptions& options)
{
    return std::make_unique<TerraformReader>(snapshot, aws, azure, options);
}

} // namespace ew
