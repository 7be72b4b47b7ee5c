#include "findingsreader.h"

#include "import/jsonparse.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace ew {

namespace {

using nlohmann::json;

// What is wrong where: thrown inside the reader only, turned into a diagnostic at its edge.
struct ReadError
{
    std::string pointer;
    std::string message;
};

std::string at(const std::string& pointer, const std::string& key)
{
    std::string escaped;
    for (char c : key)
        escaped += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
    return pointer + "/" + escaped;
}

std::string at(const std::string& pointer, std::size_t index)
{
    return pointer + "/" + std::to_string(index);
}

const json& member(const json& object, const char* key, const std::string& pointer)
{
    auto it = object.find(key);
    if (it == object.end())
        throw ReadError { pointer, std::string("expected the member \"") + key + "\"" };
    return *it;
}

const json* optional(const json& object, const char* key)
{
    auto it = object.find(key);
    return it == object.end() || it->is_null() ? nullptr : &*it;
}

const json& object(const json& v, const std::string& pointer)
{
    if (!v.is_object())
        throw ReadError { pointer, "expected an object" };
    return v;
}

const json& array(const json& v, const std::string& pointer)
{
    if (!v.is_array())
        throw ReadError { pointer, "expected an array" };
    return v;
}

std::string text(const json& v, const std::string& pointer)
{
    if (!v.is_string())
        throw ReadError { pointer, "expected a string" };
    return v.get<std::string>();
}

std::string text(const json& o, const char* key, const std::string& pointer)
{
    return text(member(o, key, pointer), at(pointer, key));
}

// An optional string member; "" when absent or null.
std::string textOr(const json& o, const char* key, const std::string& pointer)
{
    const json* v = optional(o, key);
    return v ? text(*v, at(pointer, key)) : std::string();
}

std::int64_t integer(const json& v, const std::string& pointer)
{
    if (!v.is_number_integer())
        throw ReadError { pointer, "expected an integer" };
    return v.get<std::int64_t>();
}

bool boolean(const json& v, const std::string& pointer)
{
    if (!v.is_boolean())
        throw ReadError { pointer, "expected true or false" };
    return v.get<bool>();
}

std::vector<std::string> texts(const json& v, const std::string& pointer)
{
    std::vector<std::string> out;
    for (std::size_t i = 0; i < array(v, pointer).size(); ++i)
        out.push_back(text(v[i], at(pointer, i)));
    return out;
}

std::vector<PortRange> ports(const json& v, const std::string& pointer)
{
    std::vector<PortRange> out;
    for (std::size_t i = 0; i < array(v, pointer).size(); ++i) {
        const std::string p = at(pointer, i);
        const json& pair = array(v[i], p);
        if (pair.size() != 2)
            throw ReadError { p, "expected a port range [first, last]" };
        const auto first = integer(pair[0], at(p, 0)), last = integer(pair[1], at(p, 1));
        if (first < 0 || last < first || last > 65535)
            throw ReadError { p, "expected ports 0-65535, first <= last" };
        out.push_back({ static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(last) });
    }
    return out;
}

std::size_t index(const json& v, std::size_t size, const char* table, const std::string& pointer)
{
    const auto i = integer(v, pointer);
    if (i < 0 || static_cast<std::size_t>(i) >= size)
        throw ReadError { pointer,
            std::string("expected an index into \"") + table + "\" (0-" + std::to_string(size) + " exclusive)" };
    return static_cast<std::size_t>(i);
}

PathStep step(const json& v, const std::string& pointer)
{
    object(v, pointer);
    return { text(v, "id", pointer), text(v, "name", pointer), text(v, "type", pointer), StepKind::Other };
}

RuleEvidence rule(const json& v, const std::string& pointer)
{
    object(v, pointer);
    RuleEvidence r;
    r.filterName = text(v, "filter", pointer);
    r.filterId = text(v, "filterId", pointer);
    r.level = text(v, "level", pointer);
    r.ruleName = text(v, "name", pointer);
    r.priority = static_cast<int>(integer(member(v, "priority", pointer), at(pointer, "priority")));
    const std::string access = text(v, "access", pointer);
    if (access != "Allow" && access != "Deny")
        throw ReadError { at(pointer, "access"), "expected \"Allow\" or \"Deny\"" };
    r.allow = access == "Allow";
    r.isDefault = boolean(member(v, "default", pointer), at(pointer, "default"));
    r.where.file = text(v, "file", pointer);
    r.where.pointer = text(v, "pointer", pointer);
    r.where.address = textOr(v, "address", pointer);
    if (const json* hop = optional(v, "hop"))
        r.hop = static_cast<int>(integer(*hop, at(pointer, "hop")));
    return r;
}

DataStoreMatch::Basis basisOf(const std::string& name, const std::string& pointer)
{
    for (auto b : { DataStoreMatch::Basis::None, DataStoreMatch::Basis::ServiceType, DataStoreMatch::Basis::Tag,
             DataStoreMatch::Basis::Analyst, DataStoreMatch::Basis::Port })
        if (name == basisName(b))
            return b;
    throw ReadError { pointer, "expected service-type, tag, analyst, port or none" };
}

// The tables of a v2 document, read once.
struct Tables
{
    std::vector<PathStep> resources;
    std::vector<std::vector<PathStep>> paths;
    std::vector<RuleEvidence> rules;
};

Tables readTables(const json& doc)
{
    Tables t;
    const json& resources = array(member(doc, "resources", ""), "/resources");
    for (std::size_t i = 0; i < resources.size(); ++i)
        t.resources.push_back(step(resources[i], at("/resources", i)));
    const json& rules = array(member(doc, "rules", ""), "/rules");
    for (std::size_t i = 0; i < rules.size(); ++i)
        t.rules.push_back(rule(rules[i], at("/rules", i)));
    const json& paths = array(member(doc, "paths", ""), "/paths");
    for (std::size_t i = 0; i < paths.size(); ++i) {
        const std::string p = at("/paths", i);
        std::vector<PathStep> path;
        for (std::size_t k = 0; k < array(paths[i], p).size(); ++k)
            path.push_back(t.resources[index(paths[i][k], t.resources.size(), "resources", at(p, k))]);
        t.paths.push_back(std::move(path));
    }
    return t;
}

Finding finding(const json& v, const std::string& pointer, const Tables* tables)
{
    object(v, pointer);
    Finding f;
    f.id = text(v, "id", pointer);
    if (!parseSeverity(text(v, "severity", pointer), f.severity))
        throw ReadError { at(pointer, "severity"), "expected critical, high, medium, low or info" };
    f.severityReason = textOr(v, "severityReason", pointer);
    const std::string tp = at(pointer, "target");
    const json& target = object(member(v, "target", pointer), tp);
    f.target = step(target, tp);
    f.dataStore.engine = textOr(target, "dataStore", tp);
    if (!f.dataStore.engine.empty()) {
        f.dataStore.basis = basisOf(text(target, "dataStoreBasis", tp), at(tp, "dataStoreBasis"));
        f.dataStore.reason = textOr(target, "dataStoreReason", tp);
    }
    f.protocol = text(v, "protocol", pointer);
    f.ports = ports(member(v, "ports", pointer), at(pointer, "ports"));
    f.icmpTypes = textOr(v, "icmpTypes", pointer);
    f.sources = texts(member(v, "sources", pointer), at(pointer, "sources"));
    bool v4 = false;
    for (const auto& s : f.sources)
        v4 = v4 || s.find('.') != std::string::npos;
    for (const auto& s : f.sources)
        f.wholeInternet = f.wholeInternet || s == "0.0.0.0/0" || (s == "::/0" && !v4);
    f.hops = static_cast<int>(integer(member(v, "hops", pointer), at(pointer, "hops")));
    if (f.hops != 1 && f.hops != 2)
        throw ReadError { at(pointer, "hops"), "expected 1 or 2" };
    if (const json* ex = optional(v, "exposures")) {
        const std::string ep = at(pointer, "exposures");
        for (std::size_t i = 0; i < array(*ex, ep).size(); ++i) {
            const std::string p = at(ep, i);
            object((*ex)[i], p);
            f.exposures.push_back({ ports(member((*ex)[i], "ports", p), at(p, "ports")),
                texts(member((*ex)[i], "sources", p), at(p, "sources")) });
        }
    }
    if (const json* omitted = optional(v, "exposuresOmitted"))
        f.exposuresOmitted = static_cast<std::size_t>(integer(*omitted, at(pointer, "exposuresOmitted")));
    if (const json* fe = optional(v, "frontend")) {
        const std::string p = at(pointer, "frontend");
        object(*fe, p);
        f.frontendAddress = textOr(*fe, "address", p);
        f.frontendPorts = ports(member(*fe, "ports", p), at(p, "ports"));
    }
    const json& path = member(v, "path", pointer);
    const json& rules = array(member(v, "rules", pointer), at(pointer, "rules"));
    if (tables) {
        f.path = tables->paths[index(path, tables->paths.size(), "paths", at(pointer, "path"))];
        for (std::size_t i = 0; i < rules.size(); ++i)
            f.rules.push_back(
                tables->rules[index(rules[i], tables->rules.size(), "rules", at(at(pointer, "rules"), i))]);
        if (const json* foothold = optional(v, "foothold"))
            f.foothold
                = tables->resources[index(*foothold, tables->resources.size(), "resources", at(pointer, "foothold"))];
    } else {
        for (std::size_t i = 0; i < array(path, at(pointer, "path")).size(); ++i)
            f.path.push_back(step(path[i], at(at(pointer, "path"), i)));
        for (std::size_t i = 0; i < rules.size(); ++i)
            f.rules.push_back(rule(rules[i], at(at(pointer, "rules"), i)));
        if (const json* foothold = optional(v, "foothold"))
            f.foothold = step(*foothold, at(pointer, "foothold"));
    }
    if (const json* a = optional(v, "assumptions"))
        f.assumptions = texts(*a, at(pointer, "assumptions"));
    f.explanation = textOr(v, "explanation", pointer);
    return f;
}

void readDocument(const json& doc, FindingsDocument& out)
{
    object(doc, "");
    const std::string schema = text(doc, "schema", "");
    if (schema == "exposure-findings/1")
        out.schema = 1;
    else if (schema == "exposure-findings/2")
        out.schema = 2;
    else
        throw ReadError { "/schema",
            "expected \"exposure-findings/1\" or \"exposure-findings/2\", not \"" + schema + "\"" };
    out.generator = textOr(doc, "generator", "");
    if (const json* inputs = optional(doc, "inputs"))
        for (std::size_t i = 0; i < array(*inputs, "/inputs").size(); ++i) {
            const std::string p = at("/inputs", i);
            const json& in = object((*inputs)[i], p);
            InputFile f;
            f.path = text(in, "path", p);
            if (const json* bytes = optional(in, "bytes"))
                f.size = static_cast<std::uint64_t>(integer(*bytes, at(p, "bytes")));
            if (const json* resources = optional(in, "resources"))
                f.resources = static_cast<int>(integer(*resources, at(p, "resources")));
            f.format = textOr(in, "format", p);
            if (const json* skipped = optional(in, "skipped"))
                f.skipped = boolean(*skipped, at(p, "skipped"));
            f.reason = textOr(in, "reason", p);
            out.inputs.push_back(std::move(f));
        }
    if (const json* a = optional(doc, "assumptions"))
        out.assumptions = texts(*a, "/assumptions");
    Tables tables;
    if (out.schema == 2)
        tables = readTables(doc);
    const json& findings = array(member(doc, "findings", ""), "/findings");
    out.findings.reserve(findings.size());
    for (std::size_t i = 0; i < findings.size(); ++i)
        out.findings.push_back(finding(findings[i], at("/findings", i), out.schema == 2 ? &tables : nullptr));
}

} // namespace

bool looksLikeFindings(std::string_view text)
{
    for (const char* schema : { "\"exposure-findings/1\"", "\"exposure-findings/2\"" })
        for (auto pos = text.find(schema); pos != std::string_view::npos; pos = text.find(schema, pos + 1)) {
            // The value of a "schema" member, not a mention in a string.
            auto before = text.substr(0, pos);
            while (!before.empty() && (before.back() == ' ' || before.back() == '\n' || before.back() == '\t'))
                before.remove_suffix(1);
            if (!before.empty() && before.back() == ':') {
                before.remove_suffix(1);
                while (!before.empty() && (before.back() == ' ' || before.back() == '\n' || before.back() == '\t'))
                    before.remove_suffix(1);
                if (before.ends_with("\"schema\""))
                    return true;
            }
        }
    return false;
}

bool isFindingsFile(const std::string& path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return false;
    const auto size = std::filesystem::file_size(path, ec);
    std::ifstream in(path, std::ios::binary);
    if (ec || !in)
        return false;
    // The schema is near the start (v2, and v1 as streamed) or at the end (v1 with a baseline,
    // whose keys nlohmann_json sorts).
    std::string head(static_cast<std::size_t>(std::min<std::uintmax_t>(size, 1 << 20)), '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    if (looksLikeFindings(head))
        return true;
    if (size <= head.size())
        return false;
    std::string tail(static_cast<std::size_t>(std::min<std::uintmax_t>(size - head.size(), 4096)), '\0');
    in.seekg(static_cast<std::streamoff>(size - tail.size()));
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    return in && looksLikeFindings(tail);
}

bool readFindingsFile(const std::string& path, FindingsDocument& out, std::vector<Diagnostic>& diagnostics)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        diagnostics.push_back({ Diagnostic::Level::Error, SourceLocation(path), "cannot be read" });
        return false;
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return readFindingsJson(text, path, out, diagnostics);
}

bool readFindingsJson(
    std::string_view text, const std::string& file, FindingsDocument& out, std::vector<Diagnostic>& diagnostics)
{
    json doc;
    if (!parseJson(text, file, doc, diagnostics))
        return false;
    out = {};
    try {
        readDocument(doc, out);
    } catch (const ReadError& e) {
        diagnostics.push_back({ Diagnostic::Level::Error, SourceLocation(file, e.pointer), e.message });
        return false;
    } catch (const nlohmann::json::exception& e) {
        diagnostics.push_back(jsonErrorDiagnostic(e, file, ""));
        return false;
    }
    return true;
}

} // namespace ew
