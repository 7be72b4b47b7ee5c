#include "findingswriter.h"

#include <map>

namespace ew {

using nlohmann::json;

std::string portsToString(const std::vector<PortRange>& ports)
{
    return formatPortRanges(ports, ",");
}

namespace {

json stepJson(const PathStep& s)
{
    return { { "id", s.id }, { "name", s.name }, { "type", s.type } };
}

json portsJson(const std::vector<PortRange>& ports)
{
    json a = json::array();
    for (auto r : ports)
        a.push_back({ r.first, r.last });
    return a;
}

json ruleJson(const RuleEvidence& r)
{
    json j { { "filter", r.filterName }, { "filterId", r.filterId }, { "level", r.level }, { "name", r.ruleName },
        { "priority", r.priority }, { "access", r.allow ? "Allow" : "Deny" }, { "default", r.isDefault },
        { "file", r.where.file }, { "pointer", r.where.pointer } };
    if (!r.where.address.empty())
        j["address"] = r.where.address; // a Terraform document's rule: its resource's address
    if (r.level == "subnet" || r.level == "nic" || r.level == "gateway-subnet")
        j["nsg"] = r.filterName;
    else if (r.level == "application-gateway")
        j["applicationGateway"] = r.filterName;
    else if (r.level == "firewall-dnat")
        j["firewall"] = r.filterName;
    else if (r.level == "network-acl" || r.level == "lb-network-acl")
        j["networkAcl"] = r.filterName;
    else if (r.level == "security-groups" || r.level == "lb-security-groups")
        j["securityGroup"] = r.filterName;
    else if (r.level == "load-balancer" || r.level == "nat")
        j["loadBalancer"] = r.filterName;
    return j;
}

} // namespace

json inputsJson(const Snapshot& snapshot)
{
    json a = json::array();
    for (const auto& f : snapshot.files) {
        json j { { "path", f.path }, { "bytes", f.size }, { "resources", f.resources } };
        if (!f.format.empty())
            j["format"] = f.format;
        if (f.skipped) {
            j["skipped"] = true;
            j["reason"] = f.reason;
        }
        a.push_back(std::move(j));
    }
    return a;
}

json findingJson(const Finding& f)
{
    json target { { "id", f.target.id }, { "name", f.target.name }, { "type", f.target.type } };
    target["dataStore"] = f.dataStore.engine.empty() ? json(nullptr) : json(f.dataStore.engine);
    if (!f.dataStore.engine.empty()) {
        target["dataStoreBasis"] = basisName(f.dataStore.basis);
        target["dataStoreReason"] = f.dataStore.reason;
    }
    json path = json::array();
    for (const auto& s : f.path)
        path.push_back(stepJson(s));
    json rules = json::array();
    for (const auto& r : f.rules) {
        rules.push_back(ruleJson(r));
        if (f.hops > 1)
            rules.back()["hop"] = r.hop; // the foothold's rules and the data store's
    }
    json j { { "id", f.id }, { "severity", severityName(f.severity) }, { "severityReason", f.severityReason },
        { "target", target }, { "protocol", f.protocol }, { "ports", portsJson(f.ports) }, { "sources", f.sources },
        { "hops", f.hops }, { "path", path }, { "rules", rules }, { "assumptions", f.assumptions },
        { "explanation", f.explanation } };
    if (!f.icmpTypes.empty())
        j["icmpTypes"] = f.icmpTypes;
    if (!f.exposures.empty()) {
        json ex = json::array();
        for (const auto& e : f.exposures)
            ex.push_back({ { "ports", portsJson(e.ports) }, { "sources", e.sources } });
        j["exposures"] = ex;
        if (f.exposuresOmitted)
            j["exposuresOmitted"] = f.exposuresOmitted;
    }
    json frontend { { "address", f.frontendAddress.empty() ? json(nullptr) : json(f.frontendAddress) },
        { "ports", portsJson(f.frontendPorts) } };
    j["frontend"] = frontend;
    if (f.hops > 1)
        j["foothold"] = stepJson(f.foothold);
    return j;
}

namespace {
// Everything of the analysis document but its findings.
json documentHead(const Snapshot& snapshot, const AnalysisResult& result)
{
    return { { "schema", "exposure-findings/1" }, { "generator", std::string("exposure-audit ") + EW_VERSION },
        { "inputs", inputsJson(snapshot) }, { "assumptions", result.assumptions } };
}
} // namespace

json analysisJson(const Snapshot& snapshot, const AnalysisResult& result)
{
    json findings = json::array();
    for (const auto& f : result.findings)
        findings.push_back(findingJson(f));
    json doc = documentHead(snapshot, result);
    doc["findings"] = std::move(findings);
    return doc;
}

void writeAnalysisJson(std::ostream& out, const Snapshot& snapshot, const AnalysisResult& result)
{
    // Same layout as analysisJson(...).dump(2), but streamed: large estates have 100k findings.
    std::string h = documentHead(snapshot, result).dump(2);
    h.pop_back(); // the closing brace
    while (!h.empty() && (h.back() == '\n' || h.back() == ' '))
        h.pop_back();
    out << h << ",\n  \"findings\": [";
    bool first = true;
    for (const auto& f : result.findings) {
        std::string one = findingJson(f).dump(2);
        // Indent the finding to sit inside the array.
        std::string indented = "    ";
        for (char c : one) {
            indented += c;
            if (c == '\n')
                indented += "    ";
        }
        out << (first ? "\n" : ",\n") << indented;
        first = false;
    }
    out << (first ? "]\n}\n" : "\n  ]\n}\n");
}

std::string analysisText(const Snapshot& snapshot, const AnalysisResult& result)
{
    std::string out;
    std::map<Severity, int> counts;
    for (const auto& f : result.findings)
        ++counts[f.severity];
    std::size_t used = 0, skipped = 0;
    for (const auto& f : snapshot.files)
        (f.skipped ? skipped : used)++;
    out += "Exposure Workbench " + std::string(EW_VERSION) + ": " + std::to_string(used) + " input file(s) read, "
        + std::to_string(skipped) + " skipped; " + std::to_string(snapshot.nics.size()) + " network interface(s), "
        + std::to_string(snapshot.nsgs.size()) + " NSG(s).\n";
    out += std::to_string(result.findings.size()) + " exposure(s):";
    for (auto s : { Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info })
        if (counts[s])
            out += " " + std::to_string(counts[s]) + " " + severityName(s);
    out += "\n";
    for (const auto& f : result.findings) {
        out += "\n[" + std::string(severityName(f.severity)) + "] " + f.target.name;
        if (!f.dataStore.engine.empty())
            out += " (" + f.dataStore.engine + (f.dataStore.declared() ? "" : "?") + ")";
        out += "  " + f.protocol + (f.ports.empty() ? "" : "/" + portsToString(f.ports)) + "  from ";
        for (std::size_t i = 0; i < f.sources.size() && i < 4; ++i)
            out += (i ? "," : "") + f.sources[i];
        if (f.sources.size() > 4)
            out += ",+" + std::to_string(f.sources.size() - 4);
        out += f.hops > 1 ? "  (2 hops via " + f.foothold.name + ")" : "";
        out += "  " + f.id + "\n";
        out += "  " + f.explanation + "\n";
        out += "  path:";
        for (std::size_t i = 0; i < f.path.size(); ++i)
            out += (i ? " -> " : " ") + f.path[i].name;
        out += "\n";
        for (const auto& e : f.exposures) {
            out += "  " + portsToString(e.ports) + " from ";
            for (std::size_t i = 0; i < e.sources.size() && i < 4; ++i)
                out += (i ? "," : "") + e.sources[i];
            if (e.sources.size() > 4)
                out += ",+" + std::to_string(e.sources.size() - 4);
            out += "\n";
        }
        for (const auto& r : f.rules) {
            out += "  rule: " + r.filterName + "/" + r.ruleName;
            if (r.level == "subnet" || r.level == "nic" || r.level == "gateway-subnet")
                out += " (priority " + std::to_string(r.priority) + ", " + r.level + " level"
                    + (f.hops > 1 ? (r.hop > 1 ? ", from the foothold" : ", to the foothold") : "") + ")";
            out += "  " + r.where.toString() + "\n";
        }
        for (const auto& a : f.assumptions)
            out += "  assumes: " + a + "\n";
    }
    if (!result.assumptions.empty()) {
        out += "\nAssumptions and skipped inputs:\n";
        for (const auto& a : result.assumptions)
            out += "  - " + a + "\n";
    }
    return out;
}

json queryJson(const FlowQuery& q, const QueryResult& r)
{
    json paths = json::array();
    for (const auto& p : r.paths) {
        json hops = json::array();
        for (const auto& h : p.hops) {
            json rules = json::array();
            for (const auto& ev : h.rules)
                rules.push_back(ruleJson(ev));
            hops.push_back(
                { { "step", stepJson(h.step) }, { "passes", h.passes }, { "detail", h.detail }, { "rules", rules } });
        }
        paths.push_back({ { "reachable", p.reachable }, { "summary", p.summary },
            { "frontend", { { "address", p.frontendAddress }, { "ports", portsJson(p.frontendPorts) } } },
            { "sources", p.sources }, { "hops", hops } });
    }
    return { { "schema", "exposure-query/1" },
        { "flow",
            { { "to", q.target }, { "protocol", protocolName(q.protocol) }, { "port", q.port },
                { "from", q.fromInternet ? "internet" : q.source } } },
        { "target", stepJson(r.target) }, { "reachable", r.reachable }, { "paths", paths },
        { "assumptions", r.assumptions } };
}

std::string queryText(const FlowQuery& q, const QueryResult& r)
{
    std::string out = std::string(protocolName(q.protocol)) + "/" + std::to_string(q.port) + " from "
        + (q.fromInternet ? std::string("the internet") : q.source) + " to " + r.target.name + ": "
        + (r.reachable ? "REACHABLE" : "NOT REACHABLE") + "\n";
    for (const auto& p : r.paths) {
        out += "\n" + p.summary + "\n";
        for (const auto& h : p.hops) {
            out += std::string("  ") + (h.passes ? "pass " : "STOP ") + h.step.name + ": " + h.detail + "\n";
            for (const auto& ev : h.rules)
                if (!ev.where.file.empty())
                    out += "       " + ev.filterName + "/" + ev.ruleName + " at " + ev.where.toString() + "\n";
        }
    }
    for (const auto& a : r.assumptions)
        out += "assumes: " + a + "\n";
    return out;
}

} // namespace ew
