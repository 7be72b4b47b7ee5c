#include "exports.h"

#include "jsonlines.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace ew {

using nlohmann::json;

namespace {

const std::vector<FindingKind> kKinds = {
    { "EW001", "internet-exposed-data-store", "Data store reachable from the internet",
        "A resource known to be a data store (by its managed service type, its tags or the analyst's marking) "
        "accepts packets from internet sources: the NSG rules and frontends on its path allow them." },
    { "EW002", "data-store-reachable-through-foothold", "Data store reachable through an internet-exposed machine",
        "The internet cannot reach this data store directly, but it can reach a machine (the foothold) that can "
        "reach the data store inside the network." },
    { "EW003", "internet-exposed-database-port", "Database port reachable from the internet",
        "A machine not declared as a data store exposes a port of the data-store port catalogue (for example "
        "9200, 27017, 5432) to internet sources; lower confidence than EW001." },
    { "EW004", "internet-exposed-compute", "Machine reachable from the internet",
        "A compute resource accepts packets from internet sources; as a foothold it may reach data stores." },
};

std::string csvField(const std::string& s)
{
    if (s.find_first_of(",\"\n\r") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + '"';
}

std::string joined(const std::vector<std::string>& parts, const char* sep)
{
    std::string s;
    for (std::size_t i = 0; i < parts.size(); ++i)
        s += (i ? sep : "") + parts[i];
    return s;
}

std::string rulesText(const Finding& f)
{
    std::vector<std::string> rules;
    for (const auto& r : f.rules)
        rules.push_back(r.filterName + "/" + r.ruleName + " (" + std::to_string(r.priority) + ")");
    return joined(rules, "; ");
}

Decision decisionOf(const Finding& f, const Decisions* decisions)
{
    if (decisions)
        if (auto it = decisions->find(f.id); it != decisions->end())
            return it->second;
    return {};
}

std::string cell(const std::string& s)
{
    return markdownCell(s);
}

// RFC 3986: a path's bytes other than unreserved characters and "/" percent-encoded (UTF-8 byte by byte),
// so spaces, '#', '%' and ':' in file names make valid URIs.
std::string uriPath(const std::string& path)
{
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : path) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
            || c == '_' || c == '~' || c == '/') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// SARIF 3.4.4 and 3.14.14: a file under the source root is a relative reference carrying the uriBaseId
// %SRCROOT%; any other is an absolute file:// URI without one (a relative reference beginning with a
// slash does not combine with a base, SARIF1004). Relative inputs are relative to the working folder.
json artifactLocation(const std::string& file, const std::filesystem::path& root)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path absolute = fs::absolute(fs::path(file), ec).lexically_normal();
    if (ec)
        return { { "uri", uriPath(file) } };
    // The path below folder, or empty when it is not below it.
    auto below = [](const fs::path& path, const fs::path& folder) {
        const fs::path rest = path.lexically_relative(folder);
        return folder.empty() || rest.empty() || *rest.begin() == ".." || rest == "." ? fs::path() : rest;
    };
    fs::path relative = below(absolute, root);
    // The working folder is known by its physical path; an input named through a symbolic link is
    // still under it.
    if (relative.empty() && !root.empty())
        if (const auto physical = fs::weakly_canonical(absolute, ec); !ec)
            relative = below(physical, fs::weakly_canonical(root, ec));
    if (!ec && !relative.empty())
        return { { "uri", uriPath(relative.generic_string()) }, { "uriBaseId", "%SRCROOT%" } };
    return { { "uri", "file://" + uriPath(absolute.generic_string()) } };
}

// "internet-exposed-data-store" -> "InternetExposedDataStore": SARIF rule names are Pascal-case
// identifiers (the Multitool's SARIF2012); CSV keeps the kind's own name.
std::string pascalCase(const std::string& name)
{
    std::string out;
    bool upper = true;
    for (const char c : name) {
        if (c == '-') {
            upper = true;
            continue;
        }
        out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
        upper = false;
    }
    return out;
}

const char* sarifLevel(Severity s)
{
    switch (s) {
    case Severity::Critical:
    case Severity::High:
        return "error";
    case Severity::Medium:
        return "warning";
    default:
        return "note";
    }
}

const char* securitySeverity(Severity s)
{
    // GitHub code scanning maps this CVSS-like score to its own severity buckets.
    switch (s) {
    case Severity::Critical:
        return "9.5";
    case Severity::High:
        return "8.0";
    case Severity::Medium:
        return "5.5";
    case Severity::Low:
        return "3.0";
    default:
        return "1.0";
    }
}

} // namespace

std::string pathText(const Finding& f)
{
    std::vector<std::string> names;
    for (const auto& s : f.path)
        names.push_back(s.name);
    return joined(names, " -> ");
}

std::string markdownCell(const std::string& s)
{
    std::string out;
    for (char c : s) {
        if (c == '|')
            out += "\\|";
        else if (c == '\n' || c == '\r')
            out += ' ';
        else
            out += c;
    }
    return out;
}

const std::vector<FindingKind>& findingKinds()
{
    return kKinds;
}

const FindingKind& findingKind(const Finding& f)
{
    if (f.dataStore.engine.empty())
        return kKinds[3];
    if (f.hops == 2)
        return kKinds[1];
    if (f.dataStore.basis == DataStoreMatch::Basis::Port)
        return kKinds[2];
    return kKinds[0];
}

std::string findingsCsv(const AnalysisResult& result, const Decisions* decisions)
{
    std::ostringstream out;
    out << "id,severity,kind,target,target_id,data_store,protocol,ports,sources,hops,path,deciding_rules,frontend,"
           "state,owner,note,explanation\r\n";
    for (const auto& f : result.findings) {
        const Decision d = decisionOf(f, decisions);
        const std::vector<std::string> row
            = { f.id, severityName(f.severity), findingKind(f).name, f.target.name, f.target.id, f.dataStore.engine,
                  f.protocol, f.icmpTypes.empty() ? formatPortRanges(f.ports, " ") : f.icmpTypes,
                  joined(f.sources, " "), std::to_string(f.hops), pathText(f), rulesText(f), f.frontendAddress,
                  triageStateName(d.state), d.owner, d.note, f.explanation };
        for (std::size_t i = 0; i < row.size(); ++i)
            out << (i ? "," : "") << csvField(row[i]);
        out << "\r\n";
    }
    return out.str();
}

std::string findingsMarkdown(const Snapshot& snapshot, const AnalysisResult& result, const Decisions* decisions)
{
    std::ostringstream out;
    int counts[5] = {};
    for (const auto& f : result.findings)
        ++counts[static_cast<int>(f.severity)];
    out << "# Internet exposure findings\n\n";
    std::size_t read = 0;
    for (const auto& f : snapshot.files)
        read += f.skipped ? 0 : 1;
    out << result.findings.size() << " finding(s) from " << read << " input file(s): ";
    bool first = true;
    for (int s = 4; s >= 0; --s) {
        if (!counts[s])
            continue;
        out << (first ? "" : ", ") << counts[s] << " " << severityName(static_cast<Severity>(s));
        first = false;
    }
    out << ".\n\n";
    out << "| Severity | State | Target | Data store | Protocol | Ports | From | Hops | Id |\n";
    out << "|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& f : result.findings) {
        const Decision d = decisionOf(f, decisions);
        out << "| " << severityName(f.severity) << " | " << triageStateName(d.state) << " | " << cell(f.target.name)
            << " | " << (f.dataStore.engine.empty() ? "-" : f.dataStore.engine) << " | " << f.protocol << " | "
            << cell(portsOrTypes(f)) << " | "
            << cell(f.wholeInternet ? std::string("any internet address") : joined(f.sources, ", ")) << " | " << f.hops
            << " | `" << f.id << "` |\n";
    }
    for (const auto& f : result.findings) {
        if (f.severity < Severity::High)
            continue;
        const Decision d = decisionOf(f, decisions);
        out << "\n## " << severityName(f.severity) << ": " << f.target.name << " (" << f.protocol << " "
            << portsOrTypes(f) << ")\n\n";
        out << f.explanation << "\n\n";
        out << "- Path: " << pathText(f) << "\n";
        for (const auto& r : f.rules)
            out << "- Rule: `" << r.filterName << "/" << r.ruleName << "` (priority " << r.priority << ", "
                << (r.allow ? "allow" : "deny") << ", " << r.level << " level) in `" << r.where.toString() << "`\n";
        for (const auto& e : f.exposures)
            out << "- Ports " << formatPortRanges(e.ports) << " from " << joined(e.sources, ", ") << "\n";
        for (const auto& a : f.assumptions)
            out << "- Assumption: " << a << "\n";
        if (d.state != TriageState::New || !d.note.empty())
            out << "- Triage: " << triageStateTitle(d.state) << (d.owner.empty() ? "" : ", owner " + d.owner)
                << (d.note.empty() ? "" : ": " + d.note) << "\n";
        out << "- Id: `" << f.id << "`\n";
    }
    return out.str();
}

json findingsSarif(
    const Snapshot& snapshot, const AnalysisResult& result, const Decisions* decisions, const std::string& sourceRoot)
{
    (void)snapshot;
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path root = sourceRoot.empty() ? fs::current_path(ec) : fs::absolute(fs::path(sourceRoot), ec);
    root = ec ? fs::path() : root.lexically_normal();
    if (!root.empty() && !root.has_filename() && root.has_relative_path())
        root = root.parent_path(); // "/a/b/" -> "/a/b"
    // Lines of every deciding rule's pointer, one pass per file.
    std::map<std::string, std::set<std::string>> pointersOf;
    for (const auto& f : result.findings)
        for (const auto& r : f.rules)
            if (!r.where.file.empty() && !r.where.pointer.empty())
                pointersOf[r.where.file].insert(r.where.pointer);
    std::map<std::string, std::map<std::string, int>> lines;
    for (const auto& [file, pointers] : pointersOf) {
        std::ifstream in(file, std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        lines[file] = linesOfPointers(text, pointers);
    }

    json rules = json::array();
    for (const auto& k : kKinds)
        rules.push_back({ { "id", k.id }, { "name", pascalCase(k.name) },
            { "shortDescription", { { "text", k.title } } }, { "fullDescription", { { "text", k.description } } },
            { "help",
                { { "text",
                    std::string(k.description)
                        + " Remove or narrow the deciding rule, or take the frontend away." } } },
            { "properties", { { "tags", { "security", "network", "exposure" } } } } });
    json results = json::array();
    std::map<std::string, json> artifacts; // file -> artifactLocation
    for (const auto& f : result.findings) {
        const FindingKind& kind = findingKind(f);
        json locations = json::array();
        std::set<std::string> seen;
        for (const auto& r : f.rules) {
            if (r.where.file.empty() || !seen.insert(r.where.toString()).second)
                continue;
            auto artifact = artifacts.find(r.where.file);
            if (artifact == artifacts.end())
                artifact = artifacts.emplace(r.where.file, artifactLocation(r.where.file, root)).first;
            json physical { { "artifactLocation", artifact->second } };
            int line = 1;
            if (auto lf = lines.find(r.where.file); lf != lines.end())
                if (auto l = lf->second.find(r.where.pointer); l != lf->second.end())
                    line = l->second;
            physical["region"] = { { "startLine", line } };
            locations.push_back({ { "physicalLocation", physical },
                { "message",
                    { { "text",
                        r.filterName + "/" + r.ruleName + " (priority " + std::to_string(r.priority) + ")" } } },
                { "logicalLocations",
                    // A Terraform document's rule is known by its resource's address.
                    json::array({ r.where.address.empty()
                            ? json { { "fullyQualifiedName", r.where.pointer }, { "kind", "member" } }
                            : json { { "fullyQualifiedName", r.where.address }, { "kind", "resource" } } }) } });
        }
        json res { { "ruleId", kind.id }, { "level", sarifLevel(f.severity) },
            { "message", { { "text", f.explanation } } }, { "locations", locations },
            { "partialFingerprints", { { "exposureFindingId/v1", f.id } } },
            { "properties",
                { { "severity", severityName(f.severity) }, { "security-severity", securitySeverity(f.severity) },
                    { "target", f.target.name }, { "targetId", f.target.id }, { "protocol", f.protocol },
                    { "ports", formatPortRanges(f.ports) }, { "sources", f.sources }, { "hops", f.hops },
                    { "path", pathText(f) } } } };
        if (!f.dataStore.engine.empty())
            res["properties"]["dataStore"] = f.dataStore.engine;
        const Decision d = decisionOf(f, decisions);
        if (d.state == TriageState::AcceptedRisk || d.state == TriageState::FalsePositive) {
            res["suppressions"] = json::array({ { { "kind", "external" }, { "status", "accepted" },
                { "justification",
                    std::string(triageStateTitle(d.state)) + (d.note.empty() ? "" : ": " + d.note) } } });
        }
        results.push_back(std::move(res));
    }
    json run { { "tool",
                   { { "driver",
                       { { "name", "Exposure Workbench" }, { "semanticVersion", EW_VERSION },
                           { "informationUri", EW_HOMEPAGE }, { "rules", rules } } } } },
        { "results", results }, { "columnKind", "unicodeCodePoints" } };
    if (!root.empty()) {
        std::string rootUri = "file://" + uriPath(root.generic_string());
        if (rootUri.back() != '/')
            rootUri += '/';
        run["originalUriBaseIds"] = { { "%SRCROOT%",
            { { "uri", rootUri },
                { "description", { { "text", "The folder the input paths are relative to." } } } } } };
    }
    return { { "$schema", "https://json.schemastore.org/sarif-2.1.0.json" }, { "version", "2.1.0" },
        { "runs", json::array({ run }) } };
}

} // namespace ew
