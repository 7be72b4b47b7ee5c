#include "snapshotdiff.h"

#include "findings/clientview.h"
#include "findings/ruleinspection.h"
#include "output/findingswriter.h"

#include <set>
#include <sstream>

namespace ew {

namespace {

std::string ruleSignature(const SecurityRule& r, const Snapshot& snap)
{
    return "priority " + std::to_string(r.priority) + ", " + ruleText(r, snap);
}

std::string listKind(const std::string& type)
{
    return type.find("SecurityGroup") != std::string::npos && type.rfind("AWS", 0) == 0 ? "security group"
        : type.find("NetworkAcl") != std::string::npos                                  ? "network ACL"
                                                                                        : "NSG";
}

// A rule list (NSG, security group, network ACL) in both snapshots: added, removed, and its inbound
// rules added, edited or removed, by name.
void compareRuleList(
    const std::string& id, const Snapshot& oldSnap, const Snapshot& newSnap, std::vector<ConfigChange>& out)
{
    auto o = oldSnap.nsgs.find(id);
    auto n = newSnap.nsgs.find(id);
    if (o == oldSnap.nsgs.end() && n != newSnap.nsgs.end()) {
        out.push_back({ "nsg-added", n->second.name, "the " + listKind(n->second.type) + " is new", n->second.where });
        return;
    }
    if (n == newSnap.nsgs.end() && o != oldSnap.nsgs.end()) {
        out.push_back(
            { "nsg-removed", o->second.name, "the " + listKind(o->second.type) + " is gone", o->second.where });
        return;
    }
    if (o == oldSnap.nsgs.end())
        return;
    std::map<std::string, const SecurityRule*> before, after;
    for (const auto& r : o->second.rules)
        if (r.inbound && !r.isDefault)
            before[toLower(r.name)] = &r;
    for (const auto& r : n->second.rules)
        if (r.inbound && !r.isDefault)
            after[toLower(r.name)] = &r;
    for (const auto& [name, r] : after) {
        auto b = before.find(name);
        if (b == before.end())
            out.push_back({ "rule-added", n->second.name + "/" + r->name, ruleSignature(*r, newSnap), r->where });
        else if (ruleSignature(*b->second, oldSnap) != ruleSignature(*r, newSnap))
            out.push_back({ "rule-edited", n->second.name + "/" + r->name,
                ruleSignature(*b->second, oldSnap) + "  =>  " + ruleSignature(*r, newSnap), r->where });
    }
    for (const auto& [name, r] : before)
        if (!after.count(name))
            out.push_back({ "rule-removed", o->second.name + "/" + r->name, ruleSignature(*r, oldSnap), r->where });
}

std::string forwardSignature(const ProxyForward& f)
{
    return f.frontendPorts.toString() + " -> " + f.backendPorts.toString() + " from "
        + (f.anyClient ? std::string("any client") : joinedList(f.clientSources.toCidrs(), 4));
}

// A load balancer, gateway or firewall on the path: new, or its forwards (rules, listeners, DNAT
// rules, its policy's DNAT rules) added, edited or removed.
void compareProxy(const std::string& id, const std::string& name, const Snapshot& oldSnap, const Snapshot& newSnap,
    std::vector<ConfigChange>& out)
{
    auto n = newSnap.proxies.find(id);
    if (n == newSnap.proxies.end())
        return;
    auto o = oldSnap.proxies.find(id);
    if (o == oldSnap.proxies.end()) {
        const ProxyDevice& d = n->second;
        const std::string what = !d.label.empty()             ? d.label
            : d.kind == ProxyDevice::Kind::ApplicationGateway ? std::string("Application Gateway")
            : d.kind == ProxyDevice::Kind::Firewall           ? std::string("Azure Firewall")
                                                              : std::string("load balancer");
        out.push_back({ "frontend-added", name, "the " + what + " is new", d.where });
        return;
    }
    auto forwards = [](const Snapshot& snap, const ProxyDevice& d) {
        std::map<std::string, const ProxyForward*> all;
        for (const auto& f : d.forwards)
            all[f.id] = &f;
        if (auto p = snap.firewallPolicies.find(d.policyId); p != snap.firewallPolicies.end())
            for (const auto& f : p->second.natRules)
                all[f.id] = &f;
        return all;
    };
    const auto before = forwards(oldSnap, o->second), after = forwards(newSnap, n->second);
    for (const auto& [fid, f] : after) {
        auto b = before.find(fid);
        if (b == before.end())
            out.push_back({ "rule-added", name + "/" + f->name, forwardSignature(*f), f->where });
        else if (forwardSignature(*b->second) != forwardSignature(*f))
            out.push_back({ "rule-edited", name + "/" + f->name,
                forwardSignature(*b->second) + "  =>  " + forwardSignature(*f), f->where });
    }
    for (const auto& [fid, f] : before)
        if (!after.count(fid))
            out.push_back({ "rule-removed", name + "/" + f->name, forwardSignature(*f), f->where });
}

// Configuration changes on the path of a finding, comparing what the two snapshots say.
std::vector<ConfigChange> causesOn(const Finding& f, const Snapshot& oldSnap, const Snapshot& newSnap)
{
    std::vector<ConfigChange> out;
    std::set<std::string> seen;
    for (const auto& step : f.path) {
        const std::string id = normaliseId(step.id);
        if (!seen.insert(id).second)
            continue;
        if (step.kind == StepKind::Filter) {
            // An AWS interface's security groups are one filter on the path ("securitygroups/a+b"):
            // each group is compared on its own.
            std::vector<std::string> lists;
            if (id.rfind("securitygroups/", 0) == 0) {
                std::string rest = id.substr(15);
                for (std::size_t at = 0; at <= rest.size();) {
                    const auto plus = std::min(rest.find('+', at), rest.size());
                    lists.push_back(rest.substr(at, plus - at));
                    at = plus + 1;
                }
            } else {
                lists.push_back(id);
            }
            for (const auto& listId : lists)
                compareRuleList(listId, oldSnap, newSnap, out);
        } else if (step.kind == StepKind::LoadBalancer || step.kind == StepKind::Gateway
            || step.kind == StepKind::Firewall) {
            compareProxy(id, step.name, oldSnap, newSnap, out);
        } else if (step.kind == StepKind::ServiceFirewall) {
            // A managed service's own gate (firewall rules, an OpenSearch access policy's grants):
            // its entries by name, what it admits by default, and whether its public access is on.
            const std::string serviceId = id.substr(0, id.size() - std::string("/firewall").size());
            auto find = [&](const Snapshot& snap) -> const ManagedDataService* {
                for (const auto& [key, svc] : snap.dataServices)
                    if (normaliseId(svc.displayId.empty() ? svc.id : svc.displayId) == serviceId)
                        return &svc;
                return nullptr;
            };
            const ManagedDataService* o = find(oldSnap);
            const ManagedDataService* n = find(newSnap);
            if (!o || !n)
                continue;
            const std::string gate = n->name + " " + n->firewallLabel;
            std::map<std::string, std::string> before, after;
            auto admits = [](const ManagedDataService::FirewallEntry& e) {
                return e.azureServices                         ? std::string("Azure services")
                    : e.range.containsAll(AddressSet::allV4()) ? std::string("any address")
                                                               : joinedList(e.range.toCidrs(), 4);
            };
            for (const auto& e : o->entries)
                before[e.name] = admits(e);
            for (const auto& e : n->entries)
                after[e.name] = admits(e);
            for (const auto& e : n->entries) {
                auto b = before.find(e.name);
                if (b == before.end())
                    out.push_back({ "rule-added", gate + "/" + e.name, after[e.name], e.where });
                else if (b->second != after[e.name])
                    out.push_back(
                        { "rule-edited", gate + "/" + e.name, b->second + "  =>  " + after[e.name], e.where });
            }
            for (const auto& e : o->entries)
                if (!after.count(e.name))
                    out.push_back({ "rule-removed", gate + "/" + e.name, before[e.name], e.where });
            if (o->defaultAllow != n->defaultAllow)
                out.push_back({ "default-changed", gate,
                    std::string(o->defaultAllow ? "allows" : "denies") + " by default  =>  "
                        + (n->defaultAllow ? "allows by default (" + n->defaultWhy + ")" : "denies by default"),
                    n->defaultWhere });
            if (o->publicAccess != n->publicAccess)
                out.push_back({ "public-access-changed", n->name,
                    std::string(o->publicAccess == ManagedDataService::PublicAccess::Enabled ? "enabled" : "disabled")
                        + "  =>  "
                        + (n->publicAccess == ManagedDataService::PublicAccess::Enabled ? "enabled" : "disabled"),
                    n->where });
        } else if (step.kind == StepKind::PublicAddress) {
            if (!oldSnap.publicIps.count(id) && newSnap.publicIps.count(id))
                out.push_back({ "public-ip-added", step.name, "the public IP is new", newSnap.publicIps.at(id).where });
        }
    }
    // Associations of the IP configurations on the path: the subnet's and the NIC's NSG, and the
    // public IP. A detached NSG no longer appears on the path, so the path alone cannot show it.
    for (const std::string* ipcId : { &f.ipConfigurationId, &f.footholdIpConfigurationId }) {
        if (ipcId->empty())
            continue;
        const auto o = oldSnap.locate(*ipcId);
        const auto n = newSnap.locate(*ipcId);
        if (!o.ipc || !n.ipc)
            continue;
        auto nsgName = [](const Snapshot& snap, const std::string& nsgId) {
            if (nsgId.empty())
                return std::string("no NSG");
            auto it = snap.nsgs.find(nsgId);
            return it == snap.nsgs.end() ? lastSegment(nsgId) : it->second.name;
        };
        auto add = [&](ConfigChange c) {
            if (seen.insert(c.kind + c.subject).second)
                out.push_back(std::move(c));
        };
        const std::string oldSubnetNsg = o.subnet ? o.subnet->nsgId : std::string();
        const std::string newSubnetNsg = n.subnet ? n.subnet->nsgId : std::string();
        if (oldSubnetNsg != newSubnetNsg)
            add({ "nsg-association-changed", "subnet " + (n.subnet ? n.subnet->name : lastSegment(n.ipc->subnetId)),
                nsgName(oldSnap, oldSubnetNsg) + "  =>  " + nsgName(newSnap, newSubnetNsg),
                n.subnet ? n.subnet->where : n.nic->where });
        if (o.nic->nsgId != n.nic->nsgId)
            add({ "nsg-association-changed", "NIC " + n.nic->name,
                nsgName(oldSnap, o.nic->nsgId) + "  =>  " + nsgName(newSnap, n.nic->nsgId), n.nic->where });
        // AWS: the interface's security groups and the subnet's network ACL.
        auto groupList = [](const Snapshot& snap, std::vector<std::string> ids) {
            std::sort(ids.begin(), ids.end());
            std::string s;
            for (const auto& id : ids) {
                auto it = snap.nsgs.find(id);
                s += (s.empty() ? "" : ", ") + (it == snap.nsgs.end() ? id : it->second.name);
            }
            return s.empty() ? std::string("no security groups") : s;
        };
        if (groupList(oldSnap, o.nic->securityGroupIds) != groupList(newSnap, n.nic->securityGroupIds))
            add({ "security-groups-changed", "interface " + n.nic->name,
                groupList(oldSnap, o.nic->securityGroupIds) + "  =>  " + groupList(newSnap, n.nic->securityGroupIds),
                n.nic->where });
        const std::string oldAcl = o.subnet ? o.subnet->networkAclId : std::string();
        const std::string newAcl = n.subnet ? n.subnet->networkAclId : std::string();
        if (oldAcl != newAcl)
            add({ "network-acl-association-changed",
                "subnet " + (n.subnet ? n.subnet->name : lastSegment(n.ipc->subnetId)),
                nsgName(oldSnap, oldAcl) + "  =>  " + nsgName(newSnap, newAcl),
                n.subnet ? n.subnet->where : n.nic->where });
        if (o.ipc->publicIpId != n.ipc->publicIpId)
            add({ "public-ip-association-changed", "IP configuration " + n.nic->name + "/" + n.ipc->name,
                (o.ipc->publicIpId.empty() ? std::string("no public IP") : lastSegment(o.ipc->publicIpId)) + "  =>  "
                    + (n.ipc->publicIpId.empty() ? std::string("no public IP") : lastSegment(n.ipc->publicIpId)),
                n.ipc->where });
    }
    return out;
}

} // namespace

std::vector<std::string> findingDifferences(const Finding& a, const Finding& b)
{
    std::vector<std::string> what;
    if (a.severity != b.severity)
        what.push_back("severity");
    // A finding read back from findings JSON has no packets: what it reports is compared instead.
    const bool samePackets = a.packets && b.packets ? *a.packets == *b.packets
                                                    : reportedView(a) == reportedView(b) && a.icmpTypes == b.icmpTypes;
    if (!samePackets) {
        if (a.ports != b.ports || a.icmpTypes != b.icmpTypes)
            what.push_back("ports");
        if (a.sources != b.sources || a.exposures.size() != b.exposures.size())
            what.push_back("sources");
        if (what.empty() || (what.size() == 1 && what[0] == "severity"))
            what.push_back("packets");
    }
    auto ids = [](const Finding& f) {
        std::vector<std::string> v;
        for (const auto& s : f.path)
            v.push_back(normaliseId(s.id));
        return v;
    };
    if (ids(a) != ids(b))
        what.push_back("path");
    auto rules = [](const Finding& f) {
        std::set<std::string> v;
        for (const auto& r : f.rules)
            v.insert(toLower(r.filterName) + "/" + toLower(r.ruleName) + "/" + std::to_string(r.priority));
        return v;
    };
    if (rules(a) != rules(b))
        what.push_back("rules");
    return what;
}

namespace {

nlohmann::json causesJson(const std::vector<ConfigChange>& causes)
{
    nlohmann::json a = nlohmann::json::array();
    for (const auto& c : causes) {
        nlohmann::json j = { { "kind", c.kind }, { "subject", c.subject }, { "detail", c.detail },
            { "file", c.where.file }, { "pointer", c.where.pointer } };
        if (!c.where.address.empty())
            j["address"] = c.where.address; // the Terraform resource that causes it
        a.push_back(std::move(j));
    }
    return a;
}

std::string causesLine(const std::vector<ConfigChange>& causes)
{
    std::string s;
    for (const auto& c : causes)
        s += "\n    because " + c.kind + " " + c.subject + " (" + c.detail + ")"
            + (c.where.address.empty() ? std::string() : " at " + c.where.address);
    return s;
}

std::string headline(const Finding& f)
{
    return "[" + std::string(severityName(f.severity)) + "] " + f.target.name + "  " + f.protocol + "/"
        + portsToString(f.ports) + "  " + f.id;
}

} // namespace

namespace {

// Causes need both snapshots; a side read from findings JSON has none.
AnalysisDiff diff(const Snapshot* oldSnapshot, const AnalysisResult& oldResult, const Snapshot* newSnapshot,
    const AnalysisResult& newResult)
{
    auto causes = [&](const Finding& f) {
        return oldSnapshot && newSnapshot ? causesOn(f, *oldSnapshot, *newSnapshot) : std::vector<ConfigChange>();
    };
    AnalysisDiff d;
    std::map<std::string, const Finding*> before, after;
    for (const auto& f : oldResult.findings)
        before[f.id] = &f;
    for (const auto& f : newResult.findings)
        after[f.id] = &f;
    // A two-hop finding that goes because what the target is exposed to now covers it (the direct
    // exposure grew over it, or another foothold took it over) is no closing. One that appears is
    // always listed, even when the old direct exposure covered it: after a fix, it is what is left.
    std::vector<const Finding*> newAll;
    for (const auto& f : newResult.findings)
        newAll.push_back(&f);
    for (const auto& f : newResult.findings) {
        auto b = before.find(f.id);
        if (b == before.end()) {
            d.added.emplace_back(&f, causes(f));
            continue;
        }
        auto what = findingDifferences(*b->second, f);
        if (!what.empty())
            d.changed.push_back({ b->second, &f, std::move(what), causes(f) });
    }
    for (const auto& f : oldResult.findings)
        if (!after.count(f.id) && !coveredByOthers(f, newAll))
            d.closed.emplace_back(&f, causes(f));
    return d;
}

} // namespace

AnalysisDiff diffAnalyses(const Snapshot& oldSnapshot, const AnalysisResult& oldResult, const Snapshot& newSnapshot,
    const AnalysisResult& newResult)
{
    return diff(&oldSnapshot, oldResult, &newSnapshot, newResult);
}

AnalysisDiff diffAnalyses(const AnalysisResult& oldResult, const AnalysisResult& newResult)
{
    return diff(nullptr, oldResult, nullptr, newResult);
}

nlohmann::json diffJson(const AnalysisDiff& d)
{
    nlohmann::json added = nlohmann::json::array(), closed = nlohmann::json::array(), changed = nlohmann::json::array();
    for (const auto& [f, causes] : d.added) {
        auto j = findingJson(*f);
        j["causes"] = causesJson(causes);
        added.push_back(std::move(j));
    }
    for (const auto& [f, causes] : d.closed) {
        auto j = findingJson(*f);
        j["causes"] = causesJson(causes);
        closed.push_back(std::move(j));
    }
    for (const auto& c : d.changed)
        changed.push_back({ { "id", c.after->id }, { "before", findingJson(*c.before) },
            { "after", findingJson(*c.after) }, { "what", c.what }, { "causes", causesJson(c.causes) } });
    return { { "schema", "exposure-diff/1" }, { "new", added }, { "closed", closed }, { "changed", changed } };
}

std::string diffText(const AnalysisDiff& d)
{
    std::ostringstream out;
    out << d.added.size() << " new, " << d.closed.size() << " closed, " << d.changed.size() << " changed finding(s)\n";
    for (const auto& [f, causes] : d.added)
        out << "\nNEW     " << headline(*f) << causesLine(causes) << "\n";
    for (const auto& c : d.changed) {
        out << "\nCHANGED " << headline(*c.after) << "\n    was " << severityName(c.before->severity) << " "
            << c.before->protocol << "/" << portsToString(c.before->ports) << " from ";
        for (std::size_t i = 0; i < c.before->sources.size() && i < 3; ++i)
            out << (i ? ", " : "") << c.before->sources[i];
        out << "; changed: ";
        for (std::size_t i = 0; i < c.what.size(); ++i)
            out << (i ? ", " : "") << c.what[i];
        out << causesLine(c.causes) << "\n";
    }
    for (const auto& [f, causes] : d.closed)
        out << "\nCLOSED  " << headline(*f) << causesLine(causes) << "\n";
    return out.str();
}

std::string diffMarkdown(const AnalysisDiff& d)
{
    std::ostringstream out;
    out << "# Exposure changes\n\n"
        << d.added.size() << " new, " << d.closed.size() << " closed, " << d.changed.size()
        << " changed finding(s).\n\n| Change | Severity | Target | Ports | Id | Because |\n|---|---|---|---|---|---|\n";
    auto because = [](const std::vector<ConfigChange>& causes) {
        std::string s;
        for (const auto& c : causes)
            s += (s.empty() ? "" : "; ") + c.kind + " `" + c.subject + "`";
        return s.empty() ? std::string("-") : s;
    };
    for (const auto& [f, causes] : d.added)
        out << "| new | " << severityName(f->severity) << " | " << f->target.name << " | " << f->protocol << " "
            << formatPortRanges(f->ports) << " | `" << f->id << "` | " << because(causes) << " |\n";
    for (const auto& c : d.changed)
        out << "| changed (" << severityName(c.before->severity) << " → " << severityName(c.after->severity) << ") | "
            << severityName(c.after->severity) << " | " << c.after->target.name << " | " << c.after->protocol << " "
            << formatPortRanges(c.after->ports) << " | `" << c.after->id << "` | " << because(c.causes) << " |\n";
    for (const auto& [f, causes] : d.closed)
        out << "| closed | " << severityName(f->severity) << " | " << f->target.name << " | " << f->protocol << " "
            << formatPortRanges(f->ports) << " | `" << f->id << "` | " << because(causes) << " |\n";
    return out.str();
}

} // namespace ew
