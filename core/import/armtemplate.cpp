#include "armtemplate.h"

#include "jsonnode.h"
#include "model/snapshot.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>

namespace ew {

using nlohmann::json;

namespace {

// Takes an "being evaluated" mark off when it goes out of scope, exceptions included, so that a
// failed evaluation does not leave the parameter, variable or module looking cyclic.
struct Unmark
{
    std::set<std::string>& marks;
    std::string key;
    ~Unmark() { marks.erase(key); }
};

// A JSON number as a whole number, clamped so that huge or non-finite values (1e300, a uint64 past
// LLONG_MAX) never overflow the conversion.
long long clampedInteger(const json& v)
{
    constexpr double lo = -9.0e18, hi = 9.0e18;
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        return u > static_cast<std::uint64_t>(hi) ? static_cast<long long>(hi) : static_cast<long long>(u);
    }
    if (v.is_number_integer())
        return v.get<long long>();
    const double d = v.get<double>();
    if (!(d == d))
        return 0;
    return static_cast<long long>(d < lo ? lo : (d > hi ? hi : d));
}

// Resource Manager's own limit on one loop ("The count can't exceed 800", Microsoft Learn:
// "Resource iteration in ARM templates").
constexpr long long kMaxCopyCount = 800;
// Loops nest (a property loop in each of 800 resources), so all of one document together are
// capped too: enough for any real template, small enough that a hostile one stays fast.
constexpr std::size_t kMaxCopyElements = 100000;
// Expressions inside variables inside nested templates...; JSON nesting of evaluated values.
constexpr int kMaxDepth = 64;
constexpr int kMaxJsonDepth = 200;
// Function calls and accessors of one document; beyond it everything left reads as unknown.
constexpr std::size_t kMaxSteps = 5000000;
constexpr std::size_t kMaxText = 1 << 20;
constexpr long long kMaxRange = 100000;

// An unknown value is a string "\x1f{text}": the mark survives concatenation, so a name built
// around an unknown ("\x1f{prefix}-nsg") is known to be partly unknown while it is evaluated
// (equals() and length() of it are unknown too), and the marks are removed from the result.
constexpr char kMark = '\x1f';

struct EvalError : std::runtime_error
{
    using std::runtime_error::runtime_error;
};
// An argument the function's result depends on is unknown: the result is unknown too, and the
// reason was already given where the unknown value was made.
struct UnknownArgument
{ };
struct OutOfBudget
{ };

std::string placeholder(const std::string& text)
{
    return std::string(1, kMark) + '{' + text + '}';
}

bool wholly(const json& v)
{
    if (!v.is_string())
        return false;
    const auto& s = v.get_ref<const std::string&>();
    return s.size() >= 3 && s[0] == kMark && s[1] == '{' && s.back() == '}' && s.find(kMark, 1) == std::string::npos;
}

bool tainted(const json& v, int depth = 0)
{
    if (depth > kMaxJsonDepth)
        return false;
    if (v.is_string())
        return v.get_ref<const std::string&>().find(kMark) != std::string::npos;
    if (v.is_object()) {
        for (auto it = v.begin(); it != v.end(); ++it)
            if (it.key().find(kMark) != std::string::npos || tainted(it.value(), depth + 1))
                return true;
    } else if (v.is_array()) {
        for (const auto& e : v)
            if (tainted(e, depth + 1))
                return true;
    }
    return false;
}

std::string stripText(std::string s)
{
    s.erase(std::remove(s.begin(), s.end(), kMark), s.end());
    return s;
}

void strip(json& v, int depth = 0)
{
    if (depth > kMaxJsonDepth)
        return;
    if (v.is_string()) {
        auto& s = v.get_ref<std::string&>();
        if (s.find(kMark) != std::string::npos)
            s = stripText(std::move(s));
    } else if (v.is_object()) {
        bool keys = false;
        for (auto it = v.begin(); it != v.end(); ++it) {
            keys = keys || it.key().find(kMark) != std::string::npos;
            strip(it.value(), depth + 1);
        }
        if (keys) {
            json out = json::object();
            for (auto it = v.begin(); it != v.end(); ++it)
                out[stripText(it.key())] = std::move(it.value());
            v = std::move(out);
        }
    } else if (v.is_array()) {
        for (auto& e : v)
            strip(e, depth + 1);
    }
}

std::string escapePointer(const std::string& key)
{
    return JsonNode::escape(key);
}

bool equalsInsensitive(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && toLower(a) == toLower(b);
}

// ARM names (parameters, variables, object properties in expressions) are case-insensitive.
const json* findInsensitive(const json& obj, const std::string& name)
{
    if (!obj.is_object())
        return nullptr;
    if (auto it = obj.find(name); it != obj.end())
        return &*it;
    for (auto it = obj.begin(); it != obj.end(); ++it)
        if (equalsInsensitive(it.key(), name))
            return &it.value();
    return nullptr;
}

std::string text(const json& v, const char* key)
{
    if (!v.is_object())
        return {};
    auto it = v.find(key);
    return it != v.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// How a value reads inside text: strings as they are, true as "True" (ARM's string() follows
// .NET), objects and arrays as compact JSON.
std::string asText(const json& v)
{
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_boolean())
        return v.get<bool>() ? "True" : "False";
    if (v.is_null())
        return {};
    return v.dump();
}

// How a value reads inside a placeholder: short, without quotes, an id by its last part.
std::string display(const json& v)
{
    if (wholly(v)) {
        const auto& s = v.get_ref<const std::string&>();
        return s.substr(2, s.size() - 3);
    }
    std::string s = stripText(v.is_string() ? v.get<std::string>() : asText(v));
    if (s.rfind("/subscriptions/", 0) == 0 || s.rfind("/providers/", 0) == 0) {
        if (auto p = s.rfind("/providers/"); p != std::string::npos)
            s = s.substr(p + 11);
    }
    if (s.size() > 80)
        s = s.substr(0, 77) + "...";
    return s;
}

std::string splitType(const std::string& type, std::vector<std::string>& parts)
{
    std::size_t pos = 0;
    while (pos <= type.size()) {
        auto slash = type.find('/', pos);
        if (slash == std::string::npos)
            slash = type.size();
        parts.push_back(type.substr(pos, slash - pos));
        pos = slash + 1;
    }
    return parts.empty() ? std::string() : parts[0];
}

// "/providers/Microsoft.Network/virtualNetworks/v/subnets/s" for the type
// "Microsoft.Network/virtualNetworks/subnets" and the names v, s: one type segment per name.
std::string providerPath(const std::string& type, const std::vector<std::string>& names)
{
    std::vector<std::string> parts;
    splitType(type, parts);
    std::string id = "/providers/" + parts[0];
    for (std::size_t i = 1; i < parts.size(); ++i) {
        id += '/' + parts[i];
        if (i - 1 < names.size())
            id += '/' + names[i - 1];
    }
    return id;
}

std::string buildResourceId(
    const std::string& sub, const std::string& rg, const std::string& type, const std::vector<std::string>& names)
{
    return "/subscriptions/" + sub + "/resourceGroups/" + rg + providerPath(type, names);
}

std::vector<std::string> splitName(const std::string& name)
{
    std::vector<std::string> names;
    std::size_t pos = 0;
    while (pos <= name.size()) {
        auto slash = name.find('/', pos);
        if (slash == std::string::npos)
            slash = name.size();
        names.push_back(name.substr(pos, slash - pos));
        pos = slash + 1;
    }
    return names;
}

// ---------------------------------------------------------------------------------------------
// Expressions are parsed to a tree first: lambdas, if() and user-defined functions need their
// arguments unevaluated.

struct Node
{
    enum class Kind { String, Number, Literal, Call, Member, Index };
    Kind kind = Kind::String;
    std::string text; // string literal, function name as written, member name
    long long number = 0;
    json literal; // true, false, null written without parentheses
    std::vector<std::unique_ptr<Node>> args; // call arguments; Member/Index: target (and index)
};
using NodePtr = std::unique_ptr<Node>;

class Parser
{
public:
    explicit Parser(std::string_view s)
        : m_s(s)
    { }

    // The text between the outer brackets of "[...]".
    NodePtr parse()
    {
        auto n = expr(0);
        skipWs();
        if (m_i != m_s.size())
            throw EvalError("unexpected text at offset " + std::to_string(m_i + 1));
        return n;
    }

private:
    void skipWs()
    {
        while (m_i < m_s.size() && std::isspace(static_cast<unsigned char>(m_s[m_i])))
            ++m_i;
    }
    static bool identStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }
    static bool identChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }
    std::string ident()
    {
        const std::size_t start = m_i;
        while (m_i < m_s.size() && identChar(m_s[m_i]))
            ++m_i;
        return std::string(m_s.substr(start, m_i - start));
    }

    NodePtr expr(int depth)
    {
        if (depth > kMaxDepth)
            throw EvalError("the expression nests too deeply");
        skipWs();
        if (m_i >= m_s.size())
            throw EvalError("unexpected end of expression");
        auto n = std::make_unique<Node>();
        const char c = m_s[m_i];
        if (c == '\'') {
            ++m_i;
            std::string lit;
            while (true) {
                if (m_i >= m_s.size())
                    throw EvalError("unterminated string literal");
                if (m_s[m_i] == '\'') {
                    if (m_i + 1 < m_s.size() && m_s[m_i + 1] == '\'') {
                        lit += '\'';
                        m_i += 2;
                        continue;
                    }
                    ++m_i;
                    break;
                }
                lit += m_s[m_i++];
            }
            n->kind = Node::Kind::String;
            n->text = std::move(lit);
        } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+') {
            const std::size_t start = m_i++;
            while (m_i < m_s.size() && std::isdigit(static_cast<unsigned char>(m_s[m_i])))
                ++m_i;
            const auto digits = std::string(m_s.substr(start, m_i - start));
            n->kind = Node::Kind::Number;
            try {
                n->number = std::stoll(digits);
            } catch (const std::exception&) {
                throw EvalError("'" + digits + "' is not a whole number ARM can hold");
            }
        } else if (identStart(c)) {
            std::string name = ident();
            skipWs();
            // A user-defined function is called as namespace.member(...).
            if (m_i < m_s.size() && m_s[m_i] == '.') {
                const std::size_t save = m_i;
                ++m_i;
                skipWs();
                std::string member = ident();
                skipWs();
                if (!member.empty() && m_i < m_s.size() && m_s[m_i] == '(')
                    name += '.' + member;
                else
                    m_i = save;
            }
            if (m_i >= m_s.size() || m_s[m_i] != '(') {
                const auto lower = toLower(name);
                if (lower == "true" || lower == "false" || lower == "null") {
                    n->kind = Node::Kind::Literal;
                    n->literal = lower == "null" ? json(nullptr) : json(lower == "true");
                    return accessors(std::move(n), depth);
                }
                throw EvalError("expected '(' after " + name);
            }
            ++m_i;
            n->kind = Node::Kind::Call;
            n->text = std::move(name);
            skipWs();
            if (m_i < m_s.size() && m_s[m_i] == ')') {
                ++m_i;
            } else {
                while (true) {
                    n->args.push_back(expr(depth + 1));
                    skipWs();
                    if (m_i < m_s.size() && m_s[m_i] == ',') {
                        ++m_i;
                        continue;
                    }
                    if (m_i < m_s.size() && m_s[m_i] == ')') {
                        ++m_i;
                        break;
                    }
                    throw EvalError("expected ',' or ')' in the call of " + n->text);
                }
            }
        } else {
            throw EvalError(std::string("unexpected character '") + c + "'");
        }
        return accessors(std::move(n), depth);
    }

    // .name and [index] after a value
    NodePtr accessors(NodePtr n, int depth)
    {
        while (true) {
            skipWs();
            if (m_i < m_s.size() && m_s[m_i] == '.') {
                ++m_i;
                skipWs();
                auto member = ident();
                if (member.empty())
                    throw EvalError("expected a property name after '.'");
                auto m = std::make_unique<Node>();
                m->kind = Node::Kind::Member;
                m->text = std::move(member);
                m->args.push_back(std::move(n));
                n = std::move(m);
            } else if (m_i < m_s.size() && m_s[m_i] == '[') {
                ++m_i;
                auto index = expr(depth + 1);
                skipWs();
                if (m_i >= m_s.size() || m_s[m_i] != ']')
                    throw EvalError("expected ']'");
                ++m_i;
                auto m = std::make_unique<Node>();
                m->kind = Node::Kind::Index;
                m->args.push_back(std::move(n));
                m->args.push_back(std::move(index));
                n = std::move(m);
            } else {
                return n;
            }
        }
    }

    std::string_view m_s;
    std::size_t m_i = 0;
};

// ---------------------------------------------------------------------------------------------

// What parameters(), variables(), functions and resourceGroup() read: one template, and for a
// nested template with the default "outer" evaluation scope, its parent's.
struct Scope
{
    const json* data = nullptr; // the template whose parameters/variables/functions are read
    std::string dataPointer; // where it is in the document ("" for the root)
    json given; // parameter values passed by the parent deployment (object), or null
    std::string sub = kArmSubscription;
    std::string rg = kArmResourceGroup;
    // languageVersion 2.0: symbolic name (lower case) -> resource and its pointer
    std::map<std::string, std::pair<const json*, std::string>> symbols;
    std::map<std::string, json> parameterCache, variableCache, moduleOutputs;
    std::set<std::string> evaluating;
};

struct Loop
{
    std::string name;
    std::optional<long long> index; // unknown when the loop's count is
    bool resource = false;
};

class Evaluator
{
public:
    explicit Evaluator(std::vector<ArmProblem>& problems)
        : m_problems(problems)
    { }

    void problem(const std::string& pointer, const std::string& message)
    {
        if (m_reported.insert(pointer + '\n' + message).second && m_problems.size() < 10000)
            m_problems.push_back({ pointer, message });
    }

    // ------------------------------------------------------------------ resources

    void resources(const json& list, const std::string& ptr, const std::string& parentType,
        const std::string& parentName, json& out, json& top, int depth)
    {
        if (depth > kMaxDepth) {
            problem(ptr, "resources nest too deeply; the ones below are not read");
            return;
        }
        if (list.is_array()) {
            for (std::size_t i = 0; i < list.size(); ++i)
                resource(list[i], ptr + '/' + std::to_string(i), parentType, parentName, out, top, depth);
        } else if (list.is_object()) {
            // languageVersion 2.0: an object keyed by symbolic name.
            for (auto it = list.begin(); it != list.end(); ++it)
                resource(it.value(), ptr + '/' + escapePointer(it.key()), parentType, parentName, out, top, depth);
        }
    }

    void resource(const json& r, const std::string& rp, const std::string& parentType, const std::string& parentName,
        json& out, json& top, int depth)
    {
        if (!r.is_object()) {
            problem(rp, std::string("a resource should be an object but is ") + r.type_name());
            return;
        }
        // "existing": a resource deployed elsewhere that this template only refers to.
        if (auto ex = r.find("existing"); ex != r.end() && ex->is_boolean() && ex->get<bool>())
            return;
        const std::size_t loops = m_loops.size();
        try {
            auto copy = r.find("copy");
            if (copy == r.end() || !copy->is_object()) {
                oneResource(r, rp, parentType, parentName, out, top, depth);
                return;
            }
            // Resource iteration: the resource is deployed `count` times (Microsoft Learn:
            // "Resource iteration in ARM templates"); count 0 deploys none.
            const std::string loop = text(*copy, "name");
            const auto count = countOf(copy->contains("count") ? (*copy)["count"] : json(), rp + "/copy/count", loop);
            for (long long i = 0; i < count.value_or(1); ++i) {
                m_loops.push_back({ loop, count ? std::optional<long long>(i) : std::nullopt, true });
                oneResource(r, rp, parentType, parentName, out, top, depth);
                m_loops.pop_back();
            }
        } catch (const std::exception& e) {
            // Never lose a resource silently: keep what identifies it and say why.
            m_loops.resize(loops);
            problem(
                rp, std::string("internal error evaluating the resource, read without its properties: ") + e.what());
            json raw = { { "type", text(r, "type") }, { "name", placeholder("unreadable") }, { kArmSourceKey, rp } };
            out.push_back(std::move(raw));
        }
    }

    void oneResource(const json& r, const std::string& rp, const std::string& parentType, const std::string& parentName,
        json& out, json& top, int depth)
    {
        json e = json::object();
        try {
            const std::string rawType = toLower(text(r, "type"));
            const bool deployment = rawType == "microsoft.resources/deployments";
            for (auto it = r.begin(); it != r.end(); ++it) {
                const auto& key = it.key();
                if (key == "copy" || key == "resources" || key == kArmSourceKey)
                    continue;
                if (key == "condition" || key == "dependsOn") {
                    // Deployment order and conditions: every resource is read as deployed.
                    continue;
                }
                const std::string kp = rp + '/' + escapePointer(key);
                if (deployment && key == "properties" && it->is_object()) {
                    // The inner template is evaluated in its own scope below.
                    json props = json::object();
                    for (auto p = it->begin(); p != it->end(); ++p)
                        if (p.key() != "template")
                            props[p.key()] = value(p.value(), kp + '/' + escapePointer(p.key()), 1);
                    e[key] = std::move(props);
                } else {
                    e[key] = value(it.value(), kp, 1);
                }
            }
        } catch (const OutOfBudget&) {
            budgetProblem(rp);
        }
        std::string type = text(e, "type");
        std::string name = text(e, "name");
        if (!e.contains("name") || !e["name"].is_string()) {
            name = "{unnamed}";
            problem(rp, "the resource has no name it can be read by; read as {unnamed}");
        }
        if (!parentType.empty() && type.find('/') == std::string::npos) {
            type = parentType + '/' + type;
            name = parentName + '/' + name;
            e["type"] = type;
        }
        e["name"] = name;
        if (!e.contains("id") && !type.empty()) {
            const auto names = splitName(name);
            e["id"] = buildResourceId(m_scope->sub, m_scope->rg, type, names);
            // The resource's own name is the last segment.
            e["name"] = names.back();
        }
        e[kArmSourceKey] = rp;
        if (auto kids = r.find("resources"); kids != r.end() && (kids->is_array() || kids->is_object())) {
            json children = json::array();
            resources(*kids, rp + "/resources", type, name, children, top, depth + 1);
            e["resources"] = std::move(children);
        }
        const bool deployment = toLower(type) == "microsoft.resources/deployments";
        // A copy: nested() appends to the array that may hold e (the top-level one).
        const json evaluated = deployment ? e : json();
        out.push_back(std::move(e));
        if (deployment)
            nested(r, evaluated, rp, top, depth);
    }

    // The scope a nested deployment's template is evaluated in, from the deployment resource as
    // written (r) and as evaluated in the parent's scope; null without an inline template.
    std::unique_ptr<Scope> innerScope(const json& r, const json& evaluated, const std::string& rp, const json*& tpl)
    {
        tpl = nullptr;
        const json* props = findInsensitive(r, "properties");
        if (!props || !props->is_object())
            return nullptr;
        tpl = findInsensitive(*props, "template");
        if (!tpl || !tpl->is_object()) {
            tpl = nullptr;
            if (findInsensitive(*props, "templateLink"))
                problem(rp + "/properties/templateLink",
                    "the linked template is not read: resources it deploys are missing from this analysis");
            return nullptr;
        }
        bool inner = false;
        if (const json* opts = findInsensitive(*props, "expressionEvaluationOptions"))
            if (const json* s = findInsensitive(*opts, "scope"); s && s->is_string())
                inner = equalsInsensitive(s->get<std::string>(), "inner");
        const std::string tp = rp + "/properties/template";

        auto scope = std::make_unique<Scope>();
        scope->sub = m_scope->sub;
        scope->rg = m_scope->rg;
        if (auto rg = evaluated.find("resourceGroup"); rg != evaluated.end() && rg->is_string())
            scope->rg = rg->get<std::string>();
        if (auto sub = evaluated.find("subscriptionId"); sub != evaluated.end() && sub->is_string())
            scope->sub = sub->get<std::string>();
        if (inner) {
            // Parameters are evaluated in the parent's scope (they were, with the resource).
            scope->given = json::object();
            if (auto ep = evaluated.find("properties"); ep != evaluated.end() && ep->is_object())
                if (const json* params = findInsensitive(*ep, "parameters"); params && params->is_object())
                    for (auto it = params->begin(); it != params->end(); ++it) {
                        if (it->is_object() && it->contains("value"))
                            scope->given[it.key()] = (*it)["value"];
                        else if (it->is_object() && it->contains("reference"))
                            scope->given[it.key()] = placeholder(it.key()); // a Key Vault secret
                    }
            scope->data = tpl;
            scope->dataPointer = tp;
        } else {
            // "outer", the default of plain ARM: the nested template reads the parent's
            // parameters and variables (Microsoft Learn: "Nested templates", expression scope).
            scope->data = m_scope->data;
            scope->dataPointer = m_scope->dataPointer;
            scope->given = m_scope->given;
        }
        indexSymbols(*scope, *tpl, tp);
        return scope;
    }

    // A nested deployment or Bicep module: its resources join the top-level array.
    void nested(const json& r, const json& evaluated, const std::string& rp, json& top, int depth)
    {
        const json* tpl = nullptr;
        auto scope = innerScope(r, evaluated, rp, tpl);
        if (!scope)
            return;
        Scope* saveScope = m_scope;
        auto saveLoops = std::move(m_loops);
        m_loops.clear();
        m_scope = scope.get();
        try {
            if (auto res = tpl->find("resources"); res != tpl->end())
                resources(*res, rp + "/properties/template/resources", {}, {}, top, top, depth + 1);
        } catch (...) {
            m_scope = saveScope;
            m_loops = std::move(saveLoops);
            throw;
        }
        m_scope = saveScope;
        m_loops = std::move(saveLoops);
    }

    // reference('module').outputs of a languageVersion 2.0 module in this template: its
    // template's outputs, evaluated as the module would deploy them. Bicep passes ids between
    // modules this way (a firewall module gets its public IP's id from another module's output).
    std::optional<json> moduleOutputs(const std::string& symbol)
    {
        std::string sym = symbol;
        std::optional<long long> at;
        if (auto open = sym.find('['); open != std::string::npos && sym.back() == ']') {
            at = std::stoll(sym.substr(open + 1, sym.size() - open - 2));
            sym = sym.substr(0, open);
        }
        auto it = m_scope->symbols.find(toLower(sym));
        if (it == m_scope->symbols.end()
            || toLower(text(*it->second.first, "type")) != "microsoft.resources/deployments")
            return std::nullopt;
        const std::string key = toLower(symbol);
        if (auto c = m_scope->moduleOutputs.find(key); c != m_scope->moduleOutputs.end())
            return c->second;
        if (!m_scope->evaluating.insert("m:" + key).second)
            return std::nullopt;
        const Unmark unmark { m_scope->evaluating, "m:" + key }; // also when evaluation throws
        const json& r = *it->second.first;
        const std::string& rp = it->second.second;
        json result = hidden([&] {
            const json* copy = findInsensitive(r, "copy");
            if (copy && copy->is_object())
                m_loops.push_back({ text(*copy, "name"), at, true });
            json evaluated = json::object();
            for (const char* k : { "resourceGroup", "subscriptionId" })
                if (r.contains(k))
                    evaluated[k] = value(r[k], rp + '/' + k, 1);
            const json* props = findInsensitive(r, "properties");
            if (props && props->contains("parameters"))
                evaluated["properties"]["parameters"] = value((*props)["parameters"], rp + "/properties/parameters", 1);
            const json* tpl = nullptr;
            auto scope = innerScope(r, evaluated, rp, tpl);
            json outputs = json::object();
            const json* outs = tpl ? findInsensitive(*tpl, "outputs") : nullptr;
            if (!scope || !outs || !outs->is_object())
                return json { { "outputs", outputs } };
            Scope* saveScope = m_scope;
            m_scope = scope.get();
            m_loops.clear();
            const std::string op = rp + "/properties/template/outputs/";
            try {
                for (auto o = outs->begin(); o != outs->end(); ++o) {
                    json v;
                    if (o->contains("value"))
                        v = value((*o)["value"], op + escapePointer(o.key()) + "/value", 1);
                    else if (const json* c = findInsensitive(*o, "copy"); c && c->is_object())
                        v = loop(*c, op + escapePointer(o.key()) + "/copy", {}, 1); // output iteration
                    outputs[o.key()] = { { "type", text(*o, "type") }, { "value", std::move(v) } };
                }
            } catch (...) {
                m_scope = saveScope;
                throw;
            }
            m_scope = saveScope;
            return json { { "outputs", outputs } };
        });
        m_scope->moduleOutputs[key] = result;
        return result;
    }

    static void indexSymbols(Scope& scope, const json& tpl, const std::string& tp)
    {
        auto res = tpl.find("resources");
        if (res == tpl.end() || !res->is_object())
            return;
        for (auto it = res->begin(); it != res->end(); ++it)
            scope.symbols[toLower(it.key())] = { &it.value(), tp + "/resources/" + escapePointer(it.key()) };
    }

    // ------------------------------------------------------------------ values

    // A JSON value with its expressions evaluated and its property loops expanded.
    json value(const json& v, const std::string& ptr, int depth)
    {
        if (depth > kMaxJsonDepth) {
            problem(ptr, "the value nests too deeply to be read");
            return placeholder("too deep");
        }
        if (v.is_string()) {
            const auto& s = v.get_ref<const std::string&>();
            if (isExpression(s))
                return expression(s, ptr);
            if (s.size() >= 2 && s[0] == '[' && s[1] == '[')
                return s.substr(1);
            return v;
        }
        if (v.is_object()) {
            json out = json::object();
            for (auto it = v.begin(); it != v.end(); ++it) {
                if (it.key() == "copy" && isPropertyCopy(it.value()))
                    continue;
                out[it.key()] = value(it.value(), ptr + '/' + escapePointer(it.key()), depth + 1);
            }
            if (auto copy = v.find("copy"); copy != v.end() && isPropertyCopy(*copy)) {
                // Property iteration: each entry makes the property `name` an array of `count`
                // evaluated `input`s (Microsoft Learn: "Property iteration in ARM templates").
                for (std::size_t k = 0; k < copy->size(); ++k) {
                    const json& c = (*copy)[k];
                    const std::string cp = ptr + "/copy/" + std::to_string(k);
                    const std::string name = stripText(asText(value(c["name"], cp + "/name", depth + 1)));
                    out[name] = loop(c, cp, name, depth + 1);
                }
            }
            return out;
        }
        if (v.is_array()) {
            json out = json::array();
            for (std::size_t i = 0; i < v.size(); ++i)
                out.push_back(value(v[i], ptr + '/' + std::to_string(i), depth + 1));
            return out;
        }
        return v;
    }

    static bool isPropertyCopy(const json& c)
    {
        if (!c.is_array() || c.empty())
            return false;
        for (const auto& e : c)
            if (!e.is_object() || !e.contains("name") || !e.contains("input"))
                return false;
        return true;
    }

    // The elements of one copy entry {name, count, input} at pointer cp.
    json loop(const json& c, const std::string& cp, const std::string& name, int depth)
    {
        json arr = json::array();
        const auto count = countOf(c.contains("count") ? c["count"] : json(), cp + "/count", name);
        const json input = c.is_object() && c.contains("input") ? c["input"] : json();
        const std::string ip = cp + "/input";
        for (long long i = 0; i < count.value_or(1); ++i) {
            m_loops.push_back({ name, count ? std::optional<long long>(i) : std::nullopt, false });
            json e = value(input, ip, depth + 1);
            m_loops.pop_back();
            if (e.is_object())
                e[kArmSourceKey] = ip;
            arr.push_back(std::move(e));
        }
        return arr;
    }

    // How many times a loop runs, or nullopt when that cannot be known (read once, then).
    std::optional<long long> countOf(const json& countValue, const std::string& ptr, const std::string& name)
    {
        json n;
        try {
            n = value(countValue, ptr, 1);
        } catch (const OutOfBudget&) {
            n = placeholder("count");
        }
        long long count = 0;
        if (n.is_number())
            count = clampedInteger(n);
        else {
            problem(ptr,
                "the count of copy loop " + (name.empty() ? std::string("(unnamed)") : name) + " is unknown ("
                    + display(n) + "): read once, with copyIndex(" + name
                    + ") unknown; the template may deploy more or none of these");
            return std::nullopt;
        }
        if (count < 0) {
            problem(ptr,
                "the count of copy loop " + name + " is negative (" + std::to_string(count)
                    + "), which Resource Manager refuses; read as 0");
            count = 0;
        }
        if (count > kMaxCopyCount) {
            problem(ptr,
                "the count of copy loop " + name + " is " + std::to_string(count)
                    + ", over the 800 Resource Manager allows; only the first 800 are read");
            count = kMaxCopyCount;
        }
        if (m_elements + static_cast<std::size_t>(count) > kMaxCopyElements) {
            problem(ptr,
                "copy loops of this template make more than " + std::to_string(kMaxCopyElements) + " elements; loop "
                    + name + " is cut short");
            count = static_cast<long long>(kMaxCopyElements - std::min(m_elements, kMaxCopyElements));
        }
        m_elements += static_cast<std::size_t>(count);
        return count;
    }

    static bool isExpression(const std::string& s)
    {
        return s.size() >= 2 && s.front() == '[' && s.back() == ']' && s[1] != '[';
    }

    void budgetProblem(const std::string& ptr)
    {
        problem(ptr, "evaluation stopped: the template needs more work than allowed; what is left reads as unknown");
    }

    // One "[...]" string. Problems of unknowns made here are reported at ptr.
    json expression(const std::string& s, const std::string& ptr)
    {
        const std::size_t reasons = m_reasons.size();
        const std::string inner = s.substr(1, s.size() - 2);
        json v;
        if (++m_depth > kMaxDepth) {
            v = placeholder(display(inner));
            m_reasons.push_back("expressions refer to each other too deeply");
        } else if (m_steps > kMaxSteps) {
            v = placeholder(display(inner));
            m_reasons.push_back("the evaluation budget is spent");
        } else {
            try {
                const NodePtr n = Parser(inner).parse();
                v = eval(*n);
            } catch (const EvalError& e) {
                v = placeholder(display(inner));
                m_reasons.push_back(e.what());
            } catch (const OutOfBudget&) {
                v = placeholder(display(inner));
                m_reasons.push_back("the evaluation budget is spent");
            }
        }
        --m_depth;
        if (m_reasons.size() > reasons) {
            std::string why;
            for (std::size_t i = reasons; i < m_reasons.size() && i < reasons + 3; ++i)
                why += (why.empty() ? "" : "; ") + m_reasons[i];
            json shown = v;
            strip(shown);
            std::string expr = s.size() > 160 ? s.substr(0, 157) + "...]" : s;
            problem(ptr,
                "ARM expression " + expr + " could not be fully evaluated (" + why + "): read as "
                    + (shown.is_string() ? shown.get<std::string>() : shown.dump()).substr(0, 200));
            m_reasons.resize(reasons);
        }
        return v;
    }

    // ------------------------------------------------------------------ expressions

    json unknown(const std::string& textShown, const std::string& reason)
    {
        if (!reason.empty())
            m_reasons.push_back(reason);
        return placeholder(textShown);
    }

    json eval(const Node& n)
    {
        if (++m_steps > kMaxSteps)
            throw OutOfBudget {};
        switch (n.kind) {
        case Node::Kind::String:
            return n.text;
        case Node::Kind::Number:
            return n.number;
        case Node::Kind::Literal:
            return n.literal;
        case Node::Kind::Member:
            return member(eval(*n.args[0]), n.text);
        case Node::Kind::Index:
            return index(eval(*n.args[0]), eval(*n.args[1]));
        case Node::Kind::Call:
            break;
        }
        const std::string f = toLower(n.text);
        // Functions whose arguments are not all evaluated first.
        if (f == "if")
            return evalIf(n);
        if (f == "and" || f == "or")
            return evalAndOr(n, f == "and");
        if (f == "map" || f == "filter" || f == "reduce" || f == "sort" || f == "toobject" || f == "mapvalues"
            || f == "groupby")
            return evalLambdaCall(n, f);
        if (f == "lambda")
            return unknown("lambda", "lambda() is only read as the argument of map, filter, reduce, sort, ...");
        std::vector<json> a;
        a.reserve(n.args.size());
        for (const auto& arg : n.args)
            a.push_back(eval(*arg));
        try {
            return call(n.text, f, a);
        } catch (const UnknownArgument&) {
            return placeholder(callText(n.text, a));
        } catch (const EvalError& e) {
            return unknown(callText(n.text, a), n.text + "(): " + e.what());
        } catch (const nlohmann::json::exception& e) {
            return unknown(callText(n.text, a), n.text + "(): " + e.what());
        } catch (const std::out_of_range&) {
            return unknown(callText(n.text, a), n.text + "(): a number out of range");
        } catch (const std::invalid_argument&) {
            return unknown(callText(n.text, a), n.text + "(): an argument of the wrong kind");
        } catch (const std::length_error&) {
            return unknown(callText(n.text, a), n.text + "(): a value too large");
        }
    }

    static std::string callText(const std::string& name, const std::vector<json>& a)
    {
        std::string s = name + '(';
        for (std::size_t i = 0; i < a.size(); ++i)
            s += (i ? ", " : "") + display(a[i]);
        return s + ')';
    }

    json member(const json& v, const std::string& key)
    {
        if (wholly(v))
            return placeholder(display(v) + '.' + key);
        if (v.is_object()) {
            if (const json* m = findInsensitive(v, key))
                return *m;
            if (tainted(v))
                return placeholder(display(v) + '.' + key);
        }
        return unknown(display(v) + '.' + key, std::string("the value has no property '") + key + "'");
    }

    json index(const json& v, const json& i)
    {
        if (wholly(v) || tainted(i))
            return placeholder(display(v) + '[' + display(i) + ']');
        if (v.is_array() && (i.is_number_integer() || i.is_number_unsigned())) {
            const auto k = clampedInteger(i);
            if (k >= 0 && static_cast<std::size_t>(k) < v.size())
                return v[static_cast<std::size_t>(k)];
            return unknown(display(v) + '[' + display(i) + ']',
                "index " + std::to_string(k) + " is outside the array of " + std::to_string(v.size()));
        }
        if (v.is_object() && i.is_string()) {
            if (const json* m = findInsensitive(v, i.get<std::string>()))
                return *m;
            if (tainted(v))
                return placeholder(display(v) + '[' + display(i) + ']');
            return unknown(
                display(v) + '[' + display(i) + ']', "the value has no property '" + i.get<std::string>() + "'");
        }
        return unknown(display(v) + '[' + display(i) + ']',
            std::string("a ") + v.type_name() + " cannot be indexed by a " + i.type_name());
    }

    json evalIf(const Node& n)
    {
        if (n.args.size() != 3)
            return unknown("if", "if() needs three arguments");
        const json c = eval(*n.args[0]);
        if (c.is_boolean())
            return eval(*n.args[c.get<bool>() ? 1 : 2]);
        json t = eval(*n.args[1]);
        json f = eval(*n.args[2]);
        if (t == f)
            return t;
        if (tainted(c))
            return placeholder("if(" + display(c) + ", " + display(t) + ", " + display(f) + ")");
        return unknown("if(" + display(c) + ", ...)", "if() of a condition that is not true or false");
    }

    json evalAndOr(const Node& n, bool isAnd)
    {
        bool unknownSeen = false;
        std::vector<json> shown;
        for (const auto& arg : n.args) {
            const json v = eval(*arg);
            shown.push_back(v);
            if (v.is_boolean()) {
                if (v.get<bool>() != isAnd)
                    return !isAnd; // and(false, ...) is false, or(true, ...) is true
            } else {
                unknownSeen = true;
            }
        }
        if (unknownSeen)
            return placeholder(callText(isAnd ? "and" : "or", shown));
        return isAnd;
    }

    // lambda('a', 'b', body) of argument k of a call: the variable names and the body.
    struct Lambda
    {
        std::vector<std::string> names;
        const Node* body = nullptr;
    };
    Lambda lambdaOf(const Node& n, std::size_t k)
    {
        if (k >= n.args.size() || n.args[k]->kind != Node::Kind::Call || toLower(n.args[k]->text) != "lambda"
            || n.args[k]->args.empty())
            throw EvalError("argument " + std::to_string(k + 1) + " should be a lambda()");
        Lambda l;
        const Node& lam = *n.args[k];
        for (std::size_t i = 0; i + 1 < lam.args.size(); ++i) {
            if (lam.args[i]->kind != Node::Kind::String)
                throw EvalError("lambda() variable names should be strings");
            l.names.push_back(lam.args[i]->text);
        }
        l.body = lam.args.back().get();
        return l;
    }

    json apply(const Lambda& l, const std::vector<json>& values)
    {
        const std::size_t mark = m_lambda.size();
        for (std::size_t i = 0; i < l.names.size() && i < values.size(); ++i)
            m_lambda.emplace_back(toLower(l.names[i]), values[i]);
        struct Pop
        {
            std::vector<std::pair<std::string, json>>& v;
            std::size_t mark;
            ~Pop() { v.resize(mark); }
        } pop { m_lambda, mark };
        return eval(*l.body);
    }

    json evalLambdaCall(const Node& n, const std::string& f)
    {
        try {
            if (n.args.empty())
                throw EvalError("needs arguments");
            const json input = eval(*n.args[0]);
            if (wholly(input))
                return placeholder(n.text + '(' + display(input) + ", ...)");
            if (f == "mapvalues") {
                if (!input.is_object())
                    throw EvalError("needs an object");
                const Lambda l = lambdaOf(n, 1);
                json out = json::object();
                for (auto it = input.begin(); it != input.end(); ++it)
                    out[it.key()] = apply(l, { it.value() });
                return out;
            }
            if (!input.is_array())
                throw EvalError("needs an array");
            if (f == "map") {
                const Lambda l = lambdaOf(n, 1);
                json out = json::array();
                for (std::size_t i = 0; i < input.size(); ++i)
                    out.push_back(apply(l, { input[i], json(i) }));
                return out;
            }
            if (f == "filter") {
                const Lambda l = lambdaOf(n, 1);
                json out = json::array();
                for (std::size_t i = 0; i < input.size(); ++i) {
                    const json keep = apply(l, { input[i], json(i) });
                    if (!keep.is_boolean())
                        return placeholder(n.text + '(' + display(input) + ", ...)");
                    if (keep.get<bool>())
                        out.push_back(input[i]);
                }
                return out;
            }
            if (f == "reduce") {
                if (n.args.size() < 3)
                    throw EvalError("needs an array, an initial value and a lambda");
                json acc = eval(*n.args[1]);
                const Lambda l = lambdaOf(n, 2);
                for (std::size_t i = 0; i < input.size(); ++i)
                    acc = apply(l, { acc, input[i], json(i) });
                return acc;
            }
            if (f == "sort") {
                const Lambda l = lambdaOf(n, 1);
                // Insertion sort: a comparator written in a template need not be a strict weak
                // order, which std::sort would turn into undefined behaviour.
                std::vector<json> v(input.begin(), input.end());
                for (std::size_t i = 1; i < v.size(); ++i) {
                    std::size_t j = i;
                    while (j > 0) {
                        const json before = apply(l, { v[j], v[j - 1] });
                        if (!before.is_boolean())
                            return placeholder(n.text + '(' + display(input) + ", ...)");
                        if (!before.get<bool>())
                            break;
                        std::swap(v[j], v[j - 1]);
                        --j;
                    }
                }
                return json(v);
            }
            if (f == "toobject") {
                const Lambda key = lambdaOf(n, 1);
                std::optional<Lambda> val;
                if (n.args.size() > 2)
                    val = lambdaOf(n, 2);
                json out = json::object();
                for (const auto& e : input) {
                    const json k = apply(key, { e });
                    out[asText(k)] = val ? apply(*val, { e }) : e;
                }
                return out;
            }
            // groupBy
            const Lambda key = lambdaOf(n, 1);
            std::optional<Lambda> val;
            if (n.args.size() > 2)
                val = lambdaOf(n, 2);
            json out = json::object();
            for (const auto& e : input) {
                const std::string k = asText(apply(key, { e }));
                if (!out.contains(k))
                    out[k] = json::array();
                out[k].push_back(val ? apply(*val, { e }) : e);
            }
            return out;
        } catch (const EvalError& e) {
            return unknown(n.text + "(...)", n.text + "(): " + e.what());
        } catch (const nlohmann::json::exception& e) {
            return unknown(n.text + "(...)", n.text + "(): " + e.what());
        }
    }

    // ------------------------------------------------------------------ functions

    // The value an argument must have known: otherwise the result is unknown.
    static const json& known(const json& v)
    {
        if (tainted(v))
            throw UnknownArgument {};
        return v;
    }
    static long long integer(const json& v)
    {
        known(v);
        if (v.is_number())
            return clampedInteger(v);
        if (v.is_string()) {
            const auto& s = v.get_ref<const std::string&>();
            std::size_t used = 0;
            const long long r = std::stoll(s, &used);
            if (used != s.size())
                throw EvalError("'" + s + "' is not a whole number");
            return r;
        }
        throw EvalError(std::string("expected a number, got ") + v.type_name());
    }
    static const std::string& str(const json& v)
    {
        if (!v.is_string())
            throw EvalError(std::string("expected a string, got ") + v.type_name());
        return v.get_ref<const std::string&>();
    }
    static std::string limited(std::string s)
    {
        if (s.size() > kMaxText)
            throw EvalError("the text would be longer than 1 MiB");
        return s;
    }

    json parameter(const std::string& name)
    {
        // Inside a user-defined function, parameters() names the function's own parameters.
        if (!m_functionFrames.empty()) {
            const auto& frame = m_functionFrames.back();
            if (auto it = frame.find(toLower(name)); it != frame.end())
                return it->second;
            throw EvalError("the function has no parameter '" + name + "'");
        }
        Scope& s = *m_scope;
        const auto key = toLower(name);
        if (auto it = s.parameterCache.find(key); it != s.parameterCache.end())
            return it->second;
        json result;
        if (const json* given = findInsensitive(s.given, name)) {
            result = *given;
        } else {
            const json* params = s.data ? findInsensitive(*s.data, "parameters") : nullptr;
            const json* param = params ? findInsensitive(*params, name) : nullptr;
            if (param && param->is_object() && param->contains("defaultValue")) {
                if (!s.evaluating.insert("p:" + key).second)
                    return unknown(name, "the default of parameter " + name + " refers to itself");
                const Unmark unmark { s.evaluating, "p:" + key };
                result = hidden([&] {
                    return value((*param)["defaultValue"],
                        s.dataPointer + "/parameters/" + escapePointer(name) + "/defaultValue", 1);
                });
            } else if (!param) {
                return unknown(name, "the template has no parameter '" + name + "'");
            } else {
                // No value in the template: a readable placeholder keeps names and references
                // apart; a missing value is how exports are written, so it is no problem.
                result = placeholder(name);
            }
        }
        s.parameterCache[key] = result;
        return result;
    }

    json variable(const std::string& name)
    {
        Scope& s = *m_scope;
        const auto key = toLower(name);
        if (auto it = s.variableCache.find(key); it != s.variableCache.end())
            return it->second;
        const json* vars = s.data ? findInsensitive(*s.data, "variables") : nullptr;
        if (!vars || !vars->is_object())
            return unknown(name, "the template has no variable '" + name + "'");
        if (!s.evaluating.insert("v:" + key).second)
            return unknown(name, "variable " + name + " refers to itself");
        const Unmark unmark { s.evaluating, "v:" + key };
        json result;
        bool found = false;
        for (auto it = vars->begin(); it != vars->end() && !found; ++it) {
            if (it.key() == "copy" || !equalsInsensitive(it.key(), name))
                continue;
            found = true;
            result
                = hidden([&] { return value(it.value(), s.dataPointer + "/variables/" + escapePointer(it.key()), 1); });
        }
        // Variable iteration: "copy" in the variables section makes one array per entry
        // (Microsoft Learn: "Variable iteration in ARM templates").
        if (!found)
            if (auto copy = vars->find("copy"); copy != vars->end() && copy->is_array())
                for (std::size_t k = 0; k < copy->size() && !found; ++k) {
                    const json& c = (*copy)[k];
                    if (!c.is_object() || !equalsInsensitive(text(c, "name"), name))
                        continue;
                    found = true;
                    result = hidden([&] {
                        return loop(c, s.dataPointer + "/variables/copy/" + std::to_string(k), text(c, "name"), 1);
                    });
                }
        if (!found)
            return unknown(name, "the template has no variable '" + name + "'");
        s.variableCache[key] = result;
        return result;
    }

    // Evaluates what does not depend on where it is used (parameters, variables, function
    // bodies): no loop index or lambda variable of the caller is visible in it.
    template <typename F> json hidden(F&& f)
    {
        auto loops = std::move(m_loops);
        auto lambdas = std::move(m_lambda);
        m_loops.clear();
        m_lambda.clear();
        json r;
        try {
            r = f();
        } catch (...) {
            m_loops = std::move(loops);
            m_lambda = std::move(lambdas);
            throw;
        }
        m_loops = std::move(loops);
        m_lambda = std::move(lambdas);
        return r;
    }

    json copyIndex(const std::vector<json>& a)
    {
        std::string name;
        long long offset = 0;
        std::size_t k = 0;
        if (k < a.size() && a[k].is_string())
            name = stripText(a[k++].get<std::string>());
        if (k < a.size())
            offset = integer(a[k]);
        const Loop* l = nullptr;
        if (!name.empty()) {
            for (auto it = m_loops.rbegin(); it != m_loops.rend() && !l; ++it)
                if (equalsInsensitive(it->name, name))
                    l = &*it;
        } else {
            // Without a name copyIndex() is the resource's own loop (Microsoft Learn: "copyIndex":
            // "If no value is provided for loopName, the current resource type iteration is used").
            for (auto it = m_loops.rbegin(); it != m_loops.rend() && !l; ++it)
                if (it->resource)
                    l = &*it;
            if (!l && !m_loops.empty())
                l = &m_loops.back(); // an output or variable loop without a resource loop
        }
        const std::string shown = "copyIndex(" + name + ")";
        if (!l)
            return unknown(shown,
                name.empty() ? "copyIndex() outside a copy loop"
                             : "copyIndex('" + name + "') outside a copy loop of that name");
        if (!l->index)
            return placeholder("copyIndex(" + l->name + ")");
        return *l->index + offset;
    }

    json userFunction(const std::string& name, const std::vector<json>& a)
    {
        const auto dot = name.find('.');
        const json* fns = m_scope->data ? findInsensitive(*m_scope->data, "functions") : nullptr;
        if (!fns || !fns->is_array())
            throw EvalError("the template defines no function " + name);
        for (const auto& ns : *fns) {
            if (!equalsInsensitive(text(ns, "namespace"), name.substr(0, dot)))
                continue;
            const json* members = findInsensitive(ns, "members");
            const json* fn = members ? findInsensitive(*members, name.substr(dot + 1)) : nullptr;
            if (!fn)
                continue;
            const json* out = findInsensitive(*fn, "output");
            if (!out || !out->contains("value"))
                throw EvalError("the function has no output value");
            std::map<std::string, json> frame;
            if (const json* params = findInsensitive(*fn, "parameters"); params && params->is_array())
                for (std::size_t i = 0; i < params->size() && i < a.size(); ++i)
                    frame[toLower(text((*params)[i], "name"))] = a[i];
            if (++m_depth > kMaxDepth) {
                --m_depth;
                throw EvalError("functions call each other too deeply");
            }
            m_functionFrames.push_back(std::move(frame));
            json r;
            try {
                r = hidden([&] { return value((*out)["value"], m_scope->dataPointer + "/functions", 1); });
            } catch (...) {
                m_functionFrames.pop_back();
                --m_depth;
                throw;
            }
            m_functionFrames.pop_back();
            --m_depth;
            return r;
        }
        throw EvalError("the template defines no function " + name);
    }

    // resourceInfo('symbolicName') of languageVersion 2.0: id, name, type, apiVersion.
    json resourceInfo(const std::string& symbol)
    {
        std::string sym = symbol;
        std::optional<long long> at;
        if (auto open = sym.find('['); open != std::string::npos && sym.back() == ']') {
            at = std::stoll(sym.substr(open + 1, sym.size() - open - 2));
            sym = sym.substr(0, open);
        }
        auto it = m_scope->symbols.find(toLower(sym));
        if (it == m_scope->symbols.end())
            throw EvalError("no resource has the symbolic name '" + sym + "'");
        const json& r = *it->second.first;
        return hidden([&] {
            const json* copy = findInsensitive(r, "copy");
            if (copy && copy->is_object())
                m_loops.push_back({ text(*copy, "name"), at, true });
            const json name = value(r.contains("name") ? r["name"] : json(), it->second.second + "/name", 1);
            const json type = value(r.contains("type") ? r["type"] : json(), it->second.second + "/type", 1);
            if (!name.is_string() || !type.is_string())
                throw EvalError("the resource " + sym + " has no name or type");
            const auto names = splitName(name.get<std::string>());
            json info = { { "name", names.back() }, { "type", type },
                { "id", buildResourceId(m_scope->sub, m_scope->rg, type.get<std::string>(), names) } };
            if (auto api = r.find("apiVersion"); api != r.end())
                info["apiVersion"] = *api;
            return info;
        });
    }

    json idFunction(const std::string& f, const std::vector<json>& a)
    {
        std::vector<std::string> t;
        for (const auto& x : a)
            t.push_back(asText(x));
        if (f == "extensionresourceid") {
            if (t.size() < 2)
                throw EvalError("needs a resource id and a type");
            std::vector<std::string> names(t.begin() + 2, t.end());
            return t[0] + providerPath(t[1], names);
        }
        std::size_t typeIdx = 0;
        while (typeIdx < t.size() && t[typeIdx].find('/') == std::string::npos)
            ++typeIdx;
        if (typeIdx >= t.size())
            throw EvalError("no resource type among the arguments");
        std::vector<std::string> names(t.begin() + static_cast<std::ptrdiff_t>(typeIdx) + 1, t.end());
        const std::string path = providerPath(t[typeIdx], names);
        if (f == "tenantresourceid")
            return path;
        if (f == "managementgroupresourceid") {
            const std::string mg = typeIdx >= 1 ? t[0] : std::string(placeholder("managementGroup"));
            return "/providers/Microsoft.Management/managementGroups/" + mg + path;
        }
        std::string sub = m_scope->sub, rg = m_scope->rg;
        if (f == "subscriptionresourceid") {
            if (typeIdx >= 1)
                sub = t[typeIdx - 1];
            return "/subscriptions/" + sub + path;
        }
        if (typeIdx == 1)
            rg = t[0];
        else if (typeIdx >= 2) {
            sub = t[typeIdx - 2];
            rg = t[typeIdx - 1];
        }
        return "/subscriptions/" + sub + "/resourceGroups/" + rg + path;
    }

    // .NET composite formatting as format() uses it: {index[,alignment][:formatString]}.
    static std::string formatOne(const json& v, const std::string& spec)
    {
        if (spec.empty() || !(v.is_number_integer() || v.is_number_unsigned())) {
            if (!spec.empty() && v.is_number_float()
                && (spec[0] == 'F' || spec[0] == 'f' || spec[0] == 'N' || spec[0] == 'n')) {
                const int digits = spec.size() > 1 ? std::clamp(std::atoi(spec.c_str() + 1), 0, 20) : 2;
                char buf[64];
                std::snprintf(buf, sizeof buf, "%.*f", digits, v.get<double>());
                return buf;
            }
            return asText(v);
        }
        const long long n = clampedInteger(v);
        const char kind = static_cast<char>(std::toupper(static_cast<unsigned char>(spec[0])));
        const bool allZeros = spec.find_first_not_of('0') == std::string::npos;
        int precision = spec.size() > 1 ? std::clamp(std::atoi(spec.c_str() + 1), 0, 99) : -1;
        const bool negative = n < 0;
        const unsigned long long mag
            = negative ? 0ULL - static_cast<unsigned long long>(n) : static_cast<unsigned long long>(n);
        std::string digits = std::to_string(mag);
        if (allZeros) {
            // Custom format "000": at least that many digits.
            precision = static_cast<int>(spec.size());
        } else if (kind == 'X') {
            const char* hex = spec[0] == 'x' ? "0123456789abcdef" : "0123456789ABCDEF";
            unsigned long long u = static_cast<unsigned long long>(n);
            digits.clear();
            do {
                digits.insert(digits.begin(), hex[u % 16]);
                u /= 16;
            } while (u);
            while (static_cast<int>(digits.size()) < precision)
                digits.insert(digits.begin(), '0');
            return digits;
        } else if (kind == 'N') {
            std::string grouped;
            for (std::size_t i = 0; i < digits.size(); ++i) {
                if (i && (digits.size() - i) % 3 == 0)
                    grouped += ',';
                grouped += digits[i];
            }
            const int decimals = precision < 0 ? 2 : precision;
            if (decimals > 0)
                grouped += '.' + std::string(static_cast<std::size_t>(decimals), '0');
            return (negative ? "-" : "") + grouped;
        } else if (kind == 'F') {
            const int decimals = precision < 0 ? 2 : precision;
            return (negative ? "-" : "") + digits
                + (decimals > 0 ? '.' + std::string(static_cast<std::size_t>(decimals), '0') : std::string());
        } else if (kind != 'D') {
            return std::to_string(n); // G and the rest: the plain number
        }
        while (static_cast<int>(digits.size()) < precision)
            digits.insert(digits.begin(), '0');
        return (negative ? "-" : "") + digits;
    }

    static std::string format(const std::vector<json>& a)
    {
        const std::string& fmt = str(a.at(0));
        std::string out;
        for (std::size_t i = 0; i < fmt.size(); ++i) {
            const char c = fmt[i];
            if (c == '}' && i + 1 < fmt.size() && fmt[i + 1] == '}') {
                out += '}';
                ++i;
                continue;
            }
            if (c != '{') {
                out += c;
                continue;
            }
            if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
                out += '{';
                ++i;
                continue;
            }
            const auto close = fmt.find('}', i);
            if (close == std::string::npos)
                throw EvalError("an unclosed '{' in the format");
            std::string item = fmt.substr(i + 1, close - i - 1), spec;
            if (auto colon = item.find(':'); colon != std::string::npos) {
                spec = item.substr(colon + 1);
                item = item.substr(0, colon);
            }
            int align = 0;
            if (auto comma = item.find(','); comma != std::string::npos) {
                align = std::clamp(std::atoi(item.c_str() + comma + 1), -1000, 1000);
                item = item.substr(0, comma);
            }
            std::size_t used = 0;
            const auto idx = std::stoul(item, &used);
            if (idx + 1 >= a.size())
                throw EvalError("the format refers to argument " + item + ", which is not given");
            std::string piece = formatOne(a[idx + 1], spec);
            const auto width = static_cast<std::size_t>(std::abs(align));
            if (piece.size() < width)
                piece = align > 0 ? std::string(width - piece.size(), ' ') + piece
                                  : piece + std::string(width - piece.size(), ' ');
            out += piece;
            if (out.size() > kMaxText)
                throw EvalError("the text would be longer than 1 MiB");
            i = close;
        }
        return out;
    }

    static json unionOf(const std::vector<json>& a)
    {
        if (a.empty())
            throw EvalError("needs arguments");
        if (a[0].is_array()) {
            json out = json::array();
            for (const auto& x : a) {
                if (!x.is_array())
                    throw EvalError("mixes arrays and other values");
                for (const auto& e : x)
                    if (std::find(out.begin(), out.end(), e) == out.end())
                        out.push_back(e);
            }
            return out;
        }
        json out = json::object();
        for (const auto& x : a) {
            if (x.is_null())
                continue;
            if (!x.is_object())
                throw EvalError("mixes objects and other values");
            merge(out, x, 0);
        }
        return out;
    }
    // union() merges nested objects recursively, later values winning (Microsoft Learn: "Object
    // functions for ARM templates", union).
    static void merge(json& into, const json& from, int depth)
    {
        for (auto it = from.begin(); it != from.end(); ++it) {
            auto existing = into.find(it.key());
            if (existing != into.end() && existing->is_object() && it->is_object() && depth < kMaxJsonDepth)
                merge(*existing, it.value(), depth + 1);
            else
                into[it.key()] = it.value();
        }
    }

    static json intersectionOf(const std::vector<json>& a)
    {
        if (a.empty())
            throw EvalError("needs arguments");
        if (a[0].is_array()) {
            json out = json::array();
            for (const auto& e : a[0]) {
                bool all = std::find(out.begin(), out.end(), e) == out.end();
                for (std::size_t i = 1; i < a.size() && all; ++i)
                    all = a[i].is_array() && std::find(a[i].begin(), a[i].end(), e) != a[i].end();
                if (all)
                    out.push_back(e);
            }
            return out;
        }
        if (!a[0].is_object())
            throw EvalError("needs arrays or objects");
        json out = json::object();
        for (auto it = a[0].begin(); it != a[0].end(); ++it) {
            bool all = true;
            for (std::size_t i = 1; i < a.size() && all; ++i)
                all = a[i].is_object() && a[i].contains(it.key()) && a[i][it.key()] == it.value();
            if (all)
                out[it.key()] = it.value();
        }
        return out;
    }

    static std::uint64_t hash(const std::vector<json>& a, std::uint64_t seed)
    {
        std::uint64_t h = 1469598103934665603ULL ^ seed;
        for (const auto& x : a) {
            for (unsigned char c : asText(x) + '\x1e') {
                h ^= c;
                h *= 1099511628211ULL;
            }
        }
        return h;
    }

    static std::optional<std::uint32_t> parseIpv4(const std::string& s)
    {
        std::uint32_t ip = 0;
        int parts = 0;
        std::size_t i = 0;
        while (parts < 4) {
            std::size_t start = i;
            unsigned v = 0;
            while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && i - start < 3)
                v = v * 10 + static_cast<unsigned>(s[i++] - '0');
            if (i == start || v > 255)
                return std::nullopt;
            ip = (ip << 8) | v;
            if (++parts < 4) {
                if (i >= s.size() || s[i] != '.')
                    return std::nullopt;
                ++i;
            }
        }
        if (i != s.size())
            return std::nullopt;
        return ip;
    }
    static std::string ipv4Text(std::uint32_t ip)
    {
        return std::to_string(ip >> 24) + '.' + std::to_string((ip >> 16) & 255) + '.' + std::to_string((ip >> 8) & 255)
            + '.' + std::to_string(ip & 255);
    }
    static std::pair<std::uint32_t, int> cidr(const std::string& s)
    {
        const auto slash = s.find('/');
        if (slash == std::string::npos)
            throw EvalError("'" + s + "' is not an IPv4 CIDR block");
        const auto ip = parseIpv4(s.substr(0, slash));
        const int len = std::atoi(s.c_str() + slash + 1);
        if (!ip || len < 0 || len > 32)
            throw EvalError("'" + s + "' is not an IPv4 CIDR block");
        const std::uint32_t mask = len == 0 ? 0 : ~std::uint32_t(0) << (32 - len);
        return { *ip & mask, len };
    }

    json call(const std::string& written, const std::string& f, const std::vector<json>& a)
    {
        auto need = [&](std::size_t n) {
            if (a.size() < n)
                throw EvalError("needs " + std::to_string(n) + " argument" + (n == 1 ? "" : "s"));
        };
        // --- template, deployment and scope
        if (f == "parameters") {
            need(1);
            return parameter(stripText(asText(known(a[0]))));
        }
        if (f == "variables") {
            need(1);
            return variable(stripText(asText(known(a[0]))));
        }
        if (f == "copyindex")
            return copyIndex(a);
        if (f == "lambdavariables") {
            need(1);
            const auto name = toLower(asText(a[0]));
            for (auto it = m_lambda.rbegin(); it != m_lambda.rend(); ++it)
                if (it->first == name)
                    return it->second;
            throw EvalError("no lambda variable '" + asText(a[0]) + "'");
        }
        if (f.find('.') != std::string::npos)
            return userFunction(f, a);
        if (f == "resourceid" || f == "subscriptionresourceid" || f == "extensionresourceid" || f == "tenantresourceid"
            || f == "managementgroupresourceid")
            return idFunction(f, a);
        if (f == "resourceinfo") {
            need(1);
            return resourceInfo(str(known(a[0])));
        }
        if (f == "resourcegroup")
            return json { { "name", m_scope->rg }, { "location", placeholder("resourceGroup().location") },
                { "type", "Microsoft.Resources/resourceGroups" }, { "tags", json::object() },
                { "properties", { { "provisioningState", "Succeeded" } } },
                { "id", "/subscriptions/" + m_scope->sub + "/resourceGroups/" + m_scope->rg } };
        if (f == "subscription")
            return json { { "subscriptionId", m_scope->sub }, { "tenantId", kArmTenant },
                { "displayName", placeholder("subscription().displayName") },
                { "id", "/subscriptions/" + m_scope->sub } };
        if (f == "tenant")
            return json { { "tenantId", kArmTenant }, { "id", std::string("/tenants/") + kArmTenant },
                { "displayName", placeholder("tenant().displayName") },
                { "countryCode", placeholder("tenant().countryCode") } };
        if (f == "environment")
            return json { { "name", "AzureCloud" }, { "gallery", "https://gallery.azure.com/" },
                { "graph", "https://graph.windows.net/" }, { "portal", "https://portal.azure.com" },
                { "resourceManager", "https://management.azure.com/" },
                { "authentication",
                    { { "loginEndpoint", "https://login.microsoftonline.com/" },
                        { "audiences", { "https://management.core.windows.net/", "https://management.azure.com/" } },
                        { "tenant", "common" }, { "identityProvider", "AAD" } } },
                { "suffixes",
                    { { "acrLoginServer", ".azurecr.io" },
                        { "azureDatalakeAnalyticsCatalogAndJob", "azuredatalakeanalytics.net" },
                        { "azureDatalakeStoreFileSystem", "azuredatalakestore.net" },
                        { "azureFrontDoorEndpointSuffix", "azurefd.net" }, { "keyvaultDns", ".vault.azure.net" },
                        { "sqlServerHostname", ".database.windows.net" }, { "storage", "core.windows.net" } } } };
        if (f == "deployment")
            return json { { "name", placeholder("deployment().name") },
                { "properties", { { "templateLink", { { "uri", placeholder("templateLink") } } } } } };
        if (f == "reference" && !a.empty() && a[0].is_string() && !tainted(a[0]))
            if (auto outputs = moduleOutputs(a[0].get<std::string>()))
                return *outputs;
        if (f == "reference" || f.rfind("list", 0) == 0 || f == "pickzones" || f == "providers"
            || f == "managementgroup" || f == "deployer" || f == "externalinput" || f == "readenvironmentvariable")
            return unknown(callText(written, a),
                written + "() reads what Azure holds at deployment time, which an offline template does not have");
        if (f == "utcnow" || f == "newguid")
            return placeholder(written + "()");

        // --- logical and comparison
        if (f == "true")
            return true;
        if (f == "false")
            return false;
        if (f == "null")
            return nullptr;
        if (f == "not") {
            need(1);
            const json& v = known(a[0]);
            if (!v.is_boolean())
                throw EvalError("needs true or false");
            return !v.get<bool>();
        }
        if (f == "equals") {
            need(2);
            known(a[0]);
            known(a[1]);
            if (a[0].is_number() && a[1].is_number())
                return a[0].get<double>() == a[1].get<double>();
            return a[0] == a[1];
        }
        if (f == "less" || f == "lessorequals" || f == "greater" || f == "greaterorequals") {
            need(2);
            known(a[0]);
            known(a[1]);
            int cmp = 0;
            if (a[0].is_number() && a[1].is_number()) {
                const double x = a[0].get<double>(), y = a[1].get<double>();
                cmp = x < y ? -1 : (x > y ? 1 : 0);
            } else if (a[0].is_string() && a[1].is_string()) {
                cmp = a[0].get<std::string>().compare(a[1].get<std::string>());
            } else {
                throw EvalError("compares values of different kinds");
            }
            if (f == "less")
                return cmp < 0;
            if (f == "lessorequals")
                return cmp <= 0;
            if (f == "greater")
                return cmp > 0;
            return cmp >= 0;
        }
        if (f == "coalesce") {
            for (const auto& x : a)
                if (!x.is_null())
                    return x;
            return nullptr;
        }

        // --- numbers
        if (f == "add" || f == "sub" || f == "mul" || f == "div" || f == "mod") {
            need(2);
            const long long x = integer(a[0]), y = integer(a[1]);
            long long r = 0;
            if (f == "add"       ? __builtin_add_overflow(x, y, &r)
                    : f == "sub" ? __builtin_sub_overflow(x, y, &r)
                    : f == "mul" ? __builtin_mul_overflow(x, y, &r)
                                 : false)
                throw EvalError("the result does not fit in a whole number");
            if (f == "div" || f == "mod") {
                if (y == 0 || (x == LLONG_MIN && y == -1))
                    throw EvalError("division by zero");
                r = f == "div" ? x / y : x % y;
            }
            return r;
        }
        if (f == "min" || f == "max") {
            need(1);
            std::vector<json> v = a;
            if (a.size() == 1 && a[0].is_array())
                v.assign(a[0].begin(), a[0].end());
            if (v.empty())
                throw EvalError("needs at least one value");
            long long best = integer(v[0]);
            for (const auto& x : v)
                best = f == "min" ? std::min(best, integer(x)) : std::max(best, integer(x));
            return best;
        }
        if (f == "int") {
            need(1);
            return integer(a[0]);
        }
        if (f == "float") {
            need(1);
            known(a[0]);
            return a[0].is_number() ? a[0].get<double>() : std::stod(str(a[0]));
        }
        if (f == "range") {
            need(2);
            const long long start = integer(a[0]), count = integer(a[1]);
            if (count < 0 || count > kMaxRange)
                throw EvalError("a count of " + std::to_string(count) + " is outside 0-" + std::to_string(kMaxRange));
            json out = json::array();
            for (long long i = 0; i < count; ++i)
                out.push_back(start + i);
            return out;
        }

        // --- conversion
        if (f == "string") {
            need(1);
            return limited(asText(a[0]));
        }
        if (f == "bool") {
            need(1);
            const json& v = known(a[0]);
            if (v.is_boolean())
                return v;
            if (v.is_number())
                return v.get<double>() != 0;
            const auto s = toLower(str(v));
            if (s == "true" || s == "false")
                return s == "true";
            throw EvalError("'" + str(v) + "' is not true or false");
        }
        if (f == "json") {
            need(1);
            auto parsed = json::parse(str(known(a[0])), nullptr, false);
            if (parsed.is_discarded())
                throw EvalError("the text is not JSON");
            return parsed;
        }
        if (f == "array") {
            need(1);
            return a[0].is_array() ? a[0] : json::array({ a[0] });
        }
        if (f == "createarray")
            return json(a);
        if (f == "createobject") {
            if (a.size() % 2)
                throw EvalError("needs pairs of a name and a value");
            json out = json::object();
            for (std::size_t i = 0; i < a.size(); i += 2)
                out[str(a[i])] = a[i + 1];
            return out;
        }
        if (f == "items") {
            need(1);
            if (!a[0].is_object())
                throw EvalError("needs an object");
            json out = json::array();
            for (auto it = a[0].begin(); it != a[0].end(); ++it)
                out.push_back({ { "key", it.key() }, { "value", it.value() } });
            return out;
        }
        if (f == "objectkeys") {
            need(1);
            if (!a[0].is_object())
                throw EvalError("needs an object");
            json out = json::array();
            for (auto it = a[0].begin(); it != a[0].end(); ++it)
                out.push_back(it.key());
            return out;
        }
        if (f == "shallowmerge") {
            need(1);
            json out = json::object();
            for (const auto& o : a[0])
                if (o.is_object())
                    for (auto it = o.begin(); it != o.end(); ++it)
                        out[it.key()] = it.value();
            return out;
        }
        if (f == "flatten") {
            need(1);
            json out = json::array();
            for (const auto& x : a[0]) {
                if (!x.is_array())
                    throw EvalError("needs an array of arrays");
                for (const auto& e : x)
                    out.push_back(e);
            }
            return out;
        }
        if (f == "tryget") {
            need(2);
            json v = a[0];
            for (std::size_t i = 1; i < a.size(); ++i) {
                if (wholly(v) || tainted(a[i]))
                    throw UnknownArgument {};
                if (v.is_object() && a[i].is_string() && findInsensitive(v, a[i].get<std::string>())) {
                    json next = *findInsensitive(v, a[i].get<std::string>());
                    v = std::move(next);
                } else if (v.is_array() && a[i].is_number_integer() && a[i].get<long long>() >= 0
                    && static_cast<std::size_t>(a[i].get<long long>()) < v.size()) {
                    json next = v[static_cast<std::size_t>(a[i].get<long long>())];
                    v = std::move(next);
                } else {
                    return nullptr;
                }
            }
            return v;
        }

        // --- arrays, objects and strings alike
        if (f == "concat") {
            if (std::any_of(a.begin(), a.end(), [](const json& x) { return x.is_array(); })) {
                json out = json::array();
                for (const auto& x : a) {
                    if (wholly(x))
                        throw UnknownArgument {}; // an array nobody knows
                    if (x.is_array())
                        for (const auto& e : x)
                            out.push_back(e);
                    else if (!x.is_null())
                        out.push_back(x);
                }
                return out;
            }
            std::string s;
            for (const auto& x : a) {
                s += asText(x);
                if (s.size() > kMaxText)
                    throw EvalError("the text would be longer than 1 MiB");
            }
            return s;
        }
        if (f == "length") {
            need(1);
            if (a[0].is_array() || a[0].is_object())
                return a[0].size();
            return str(known(a[0])).size();
        }
        if (f == "empty") {
            need(1);
            const json& v = a[0];
            if (wholly(v))
                throw UnknownArgument {};
            return v.is_null() || ((v.is_string() || v.is_array() || v.is_object()) && v.empty());
        }
        if (f == "contains") {
            need(2);
            const json& c = known(a[0]);
            const json& x = known(a[1]);
            if (c.is_string())
                return c.get<std::string>().find(asText(x)) != std::string::npos;
            if (c.is_object())
                return findInsensitive(c, asText(x)) != nullptr;
            if (c.is_array())
                return std::find(c.begin(), c.end(), x) != c.end();
            throw EvalError("needs a string, an array or an object");
        }
        if (f == "first" || f == "last") {
            need(1);
            const json& v = a[0];
            if (v.is_array())
                return v.empty() ? json(nullptr) : (f == "first" ? v.front() : v.back());
            const auto& s = str(known(v));
            if (s.empty())
                return "";
            return std::string(1, f == "first" ? s.front() : s.back());
        }
        if (f == "take" || f == "skip") {
            need(2);
            const long long n = std::max(0LL, integer(a[1]));
            const json& v = a[0];
            if (v.is_array()) {
                const auto k = std::min(static_cast<std::size_t>(n), v.size());
                json out = json::array();
                for (std::size_t i = f == "take" ? 0 : k; i < (f == "take" ? k : v.size()); ++i)
                    out.push_back(v[i]);
                return out;
            }
            const auto& s = str(known(v));
            const auto k = std::min(static_cast<std::size_t>(n), s.size());
            return f == "take" ? s.substr(0, k) : s.substr(k);
        }
        if (f == "indexof" || f == "lastindexof") {
            need(2);
            const json& v = known(a[0]);
            const json& x = known(a[1]);
            if (v.is_array()) {
                long long found = -1;
                for (std::size_t i = 0; i < v.size(); ++i)
                    if (v[i] == x) {
                        found = static_cast<long long>(i);
                        if (f == "indexof")
                            break;
                    }
                return found;
            }
            // String searches ignore case (Microsoft Learn: "String functions for ARM templates").
            const auto s = toLower(str(v)), t = toLower(str(x));
            const auto p = f == "indexof" ? s.find(t) : s.rfind(t);
            return p == std::string::npos ? -1LL : static_cast<long long>(p);
        }
        if (f == "union")
            return unionOf(a);
        if (f == "intersection")
            return intersectionOf(a);

        // --- strings
        if (f == "tolower" || f == "toupper" || f == "trim") {
            need(1);
            if (wholly(a[0]))
                return a[0]; // the unknown reads better than a call around it
            std::string s = str(a[0]);
            if (f == "trim") {
                const auto b = s.find_first_not_of(" \t\r\n");
                const auto e = s.find_last_not_of(" \t\r\n");
                return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
            }
            std::transform(s.begin(), s.end(), s.begin(),
                [&](unsigned char c) { return static_cast<char>(f == "tolower" ? std::tolower(c) : std::toupper(c)); });
            return s;
        }
        if (f == "padleft") {
            need(2);
            if (wholly(a[0]))
                return a[0];
            const std::string s = asText(a[0]);
            const long long total = integer(a[1]);
            if (total > static_cast<long long>(kMaxText))
                throw EvalError("the text would be longer than 1 MiB");
            const std::string pad = a.size() > 2 ? asText(a[2]) : std::string(" ");
            if (pad.size() != 1)
                throw EvalError("the padding should be one character");
            if (static_cast<long long>(s.size()) >= total)
                return s;
            return std::string(static_cast<std::size_t>(total) - s.size(), pad[0]) + s;
        }
        if (f == "replace") {
            need(3);
            std::string s = str(a[0]);
            const std::string& from = str(a[1]);
            const std::string to = asText(a[2]);
            if (from.empty())
                return s;
            std::string out;
            std::size_t pos = 0;
            while (true) {
                const auto hit = s.find(from, pos);
                if (hit == std::string::npos)
                    break;
                out.append(s, pos, hit - pos);
                out += to;
                pos = hit + from.size();
                if (out.size() > kMaxText)
                    throw EvalError("the text would be longer than 1 MiB");
            }
            out.append(s, pos);
            return out;
        }
        if (f == "format") {
            need(1);
            return format(a);
        }
        if (f == "split") {
            need(2);
            const std::string& s = str(known(a[0]));
            std::vector<std::string> delims;
            if (a[1].is_array())
                for (const auto& d : a[1])
                    delims.push_back(str(d));
            else
                delims.push_back(str(a[1]));
            json out = json::array();
            std::size_t pos = 0, start = 0;
            while (pos <= s.size()) {
                std::size_t hit = std::string::npos, len = 0;
                for (const auto& d : delims)
                    if (!d.empty()) {
                        const auto p = s.find(d, pos);
                        if (p < hit) {
                            hit = p;
                            len = d.size();
                        }
                    }
                if (hit == std::string::npos) {
                    out.push_back(s.substr(start));
                    break;
                }
                out.push_back(s.substr(start, hit - start));
                pos = start = hit + len;
            }
            return out;
        }
        if (f == "join") {
            need(2);
            if (!a[0].is_array())
                throw EvalError("needs an array");
            const std::string sep = asText(a[1]);
            std::string s;
            for (std::size_t i = 0; i < a[0].size(); ++i) {
                s += (i ? sep : std::string()) + asText(a[0][i]);
                if (s.size() > kMaxText)
                    throw EvalError("the text would be longer than 1 MiB");
            }
            return s;
        }
        if (f == "substring") {
            need(2);
            const std::string& s = str(known(a[0]));
            const long long start = integer(a[1]);
            const long long len = a.size() > 2 ? integer(a[2]) : static_cast<long long>(s.size()) - start;
            if (start < 0 || len < 0 || start + len > static_cast<long long>(s.size()))
                throw EvalError("the range is outside the text");
            return s.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(len));
        }
        if (f == "startswith" || f == "endswith") {
            need(2);
            const auto s = toLower(str(known(a[0]))), t = toLower(str(known(a[1])));
            if (t.size() > s.size())
                return false;
            return f == "startswith" ? s.compare(0, t.size(), t) == 0
                                     : s.compare(s.size() - t.size(), t.size(), t) == 0;
        }
        if (f == "uniquestring") {
            // Deterministic, 13 characters like Azure's, but not Azure's hash: names built with it
            // stay consistent between the resources of one template.
            for (const auto& x : a)
                known(x);
            std::uint64_t h = hash(a, 0);
            std::string s;
            const char* alphabet = "abcdefghijklmnopqrstuvwxyz234567";
            for (int i = 0; i < 13; ++i) {
                s += alphabet[h % 32];
                h = h / 32 + (i == 11 ? hash(a, 1) : 0);
            }
            return s;
        }
        if (f == "guid") {
            for (const auto& x : a)
                known(x);
            char buf[40];
            const std::uint64_t h1 = hash(a, 2), h2 = hash(a, 3);
            std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(h1 >> 32),
                static_cast<unsigned>((h1 >> 16) & 0xffff), static_cast<unsigned>(h1 & 0xffff),
                static_cast<unsigned>(h2 >> 48), static_cast<unsigned long long>(h2 & 0xffffffffffffULL));
            return std::string(buf);
        }
        if (f == "uri") {
            need(2);
            std::string base = asText(a[0]);
            const std::string rel = asText(a[1]);
            if (rel.rfind("http", 0) == 0)
                return rel;
            const auto slash = base.rfind('/');
            if (slash != std::string::npos && slash > base.find("//") + 1)
                base = base.substr(0, slash + 1);
            else if (base.empty() || base.back() != '/')
                base += '/';
            return base + (rel.rfind('/', 0) == 0 ? rel.substr(1) : rel);
        }

        // --- networks
        if (f == "parsecidr") {
            need(1);
            const auto [net, len] = cidr(str(known(a[0])));
            const std::uint32_t size = len == 0 ? 0xffffffffU : (std::uint32_t(1) << (32 - len)) - 1;
            const std::uint32_t mask = len == 0 ? 0 : ~std::uint32_t(0) << (32 - len);
            return json { { "network", ipv4Text(net) }, { "netmask", ipv4Text(mask) },
                { "broadcast", ipv4Text(net + size) }, { "firstUsable", ipv4Text(len >= 31 ? net : net + 1) },
                { "lastUsable", ipv4Text(len >= 31 ? net + size : net + size - 1) }, { "cidr", len } };
        }
        if (f == "cidrsubnet") {
            need(3);
            const auto [net, len] = cidr(str(known(a[0])));
            const long long newLen = integer(a[1]), i = integer(a[2]);
            if (newLen < len || newLen > 32 || i < 0 || (newLen - len < 32 && i >= (1LL << (newLen - len))))
                throw EvalError("the subnet is outside the block");
            const std::uint64_t step = std::uint64_t(1) << (32 - newLen);
            return ipv4Text(static_cast<std::uint32_t>(net + step * static_cast<std::uint64_t>(i))) + '/'
                + std::to_string(newLen);
        }

        throw EvalError("the ARM function " + written + "() is not supported");
    }

    std::vector<ArmProblem>& m_problems;
    std::set<std::string> m_reported;
    std::vector<std::string> m_reasons;

public:
    Scope* m_scope = nullptr;
    std::vector<Loop> m_loops;
    std::vector<std::pair<std::string, json>> m_lambda;
    std::vector<std::map<std::string, json>> m_functionFrames;
    std::size_t m_steps = 0;
    std::size_t m_elements = 0;
    int m_depth = 0;
};

} // namespace

bool isArmTemplate(const json& doc)
{
    if (!doc.is_object())
        return false;
    auto resources = doc.find("resources");
    if (resources == doc.end() || !(resources->is_array() || resources->is_object()))
        return false;
    auto schema = doc.find("$schema");
    return (schema != doc.end() && schema->is_string()
               && schema->get<std::string>().find("deploymentTemplate") != std::string::npos)
        || doc.contains("contentVersion");
}

void evaluateArmTemplate(json& tpl, std::vector<ArmProblem>& problems)
{
    if (!tpl.is_object())
        return;
    auto it = tpl.find("resources");
    if (it == tpl.end() || !(it->is_array() || it->is_object()))
        return;
    // Expressions read parameters and variables from the template as written; only "resources"
    // is replaced, once everything is evaluated.
    json out = json::array();
    try {
        Evaluator ev(problems);
        Scope root;
        root.data = &tpl;
        Evaluator::indexSymbols(root, tpl, {});
        ev.m_scope = &root;
        ev.resources(*it, "/resources", {}, {}, out, out, 0);
    } catch (const std::exception& e) {
        problems.push_back({ "/resources",
            std::string("internal error evaluating the template, resources after this point are missing: ")
                + e.what() });
    } catch (...) {
        problems.push_back({ "/resources", "internal error evaluating the template" });
    }
    strip(out);
    *it = std::move(out);
}

} // namespace ew
