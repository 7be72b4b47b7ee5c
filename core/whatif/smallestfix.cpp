#include "smallestfix.h"

#include "findings/ruleinspection.h"
#include "output/findingswriter.h"

#include <algorithm>
#include <map>
#include <set>

namespace ew {

namespace {

using json = nlohmann::json;

struct Target
{
    const NetworkInterface* nic = nullptr;
    const IpConfiguration* ipc = nullptr;
    std::vector<std::string> nsgIds; // subnet level, then NIC level
};

Target locateTarget(const Snapshot& snap, const std::string& ipcId)
{
    Target t;
    const auto l = snap.locate(ipcId);
    t.nic = l.nic;
    t.ipc = l.ipc;
    if (l.subnet && !l.subnet->nsgId.empty())
        t.nsgIds.push_back(l.subnet->nsgId);
    if (l.nic && !l.nic->nsgId.empty())
        t.nsgIds.push_back(l.nic->nsgId);
    // AWS: the subnet's network ACL and the interface's security groups.
    if (l.subnet && !l.subnet->networkAclId.empty())
        t.nsgIds.push_back(l.subnet->networkAclId);
    if (l.nic)
        t.nsgIds.insert(t.nsgIds.end(), l.nic->securityGroupIds.begin(), l.nic->securityGroupIds.end());
    return t;
}

// IP configurations an NSG guards (at either level).
std::vector<std::string> guardedBy(const Snapshot& snap, const std::string& nsgId)
{
    std::vector<std::string> out;
    for (const auto& [id, nic] : snap.nics)
        for (const auto& ipc : nic.ipConfigurations) {
            auto s = snap.subnets.find(ipc.subnetId);
            const bool inGroup = std::find(nic.securityGroupIds.begin(), nic.securityGroupIds.end(), nsgId)
                != nic.securityGroupIds.end();
            if (nic.nsgId == nsgId || inGroup
                || (s != snap.subnets.end() && (s->second.nsgId == nsgId || s->second.networkAclId == nsgId)))
                out.push_back(ipc.id);
        }
    std::sort(out.begin(), out.end());
    return out;
}

std::string protocolText(const std::string& protocol)
{
    if (protocol == "tcp")
        return "Tcp";
    if (protocol == "udp")
        return "Udp";
    if (protocol == "icmp")
        return "Icmp";
    return "*";
}

std::vector<std::string> portTexts(const std::vector<PortRange>& ranges)
{
    std::vector<std::string> out;
    for (const auto& r : ranges)
        out.push_back(
            r.first == r.last ? std::to_string(r.first) : std::to_string(r.first) + "-" + std::to_string(r.last));
    return out;
}

// An Azure rule name (letters, digits, '.', '_', '-'; at most 80) not yet used in the NSG.
std::string freeName(const NetworkSecurityGroup& nsg, const std::string& wanted)
{
    std::string base;
    for (char c : wanted)
        base += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') ? c : '-';
    base = base.substr(0, 72);
    std::string name = base;
    for (int n = 2;; ++n) {
        const bool taken = std::any_of(nsg.rules.begin(), nsg.rules.end(),
            [&](const SecurityRule& r) { return toLower(r.name) == toLower(name); });
        if (!taken)
            return name;
        name = base + "-" + std::to_string(n);
    }
}

std::string describePackets(const PacketSet& packets)
{
    std::vector<std::string> parts;
    for (auto p : { Protocol::Tcp, Protocol::Udp }) {
        const PortSet ports = packets.ports(p);
        if (!ports.isEmpty())
            parts.push_back(
                std::string(p == Protocol::Tcp ? "TCP " : "UDP ") + (ports.isAll() ? "*" : ports.toString()));
    }
    for (auto p : { Protocol::Icmp, Protocol::Other })
        if (!packets.ports(p).isEmpty())
            parts.push_back(p == Protocol::Icmp ? "ICMP" : "other protocols");
    return joinedList(parts, 4);
}

} // namespace

std::vector<FixProposal> proposeFixes(IncrementalAnalysis& analysis, const std::string& findingId)
{
    std::vector<FixProposal> out;
    const Finding* found = analysis.find(findingId);
    if (!found || found->ipConfigurationId.empty())
        return out;
    const Finding f = *found; // find() is valid only until the next edit
    const Snapshot& snap = analysis.snapshot();
    const Target target = locateTarget(snap, f.ipConfigurationId);
    if (!target.ipc)
        return out;

    // The deciding allow rules at the target's own NSGs.
    struct Deciding
    {
        std::string nsgId;
        const SecurityRule* rule;
    };
    std::vector<Deciding> deciding;
    std::set<std::string> seen;
    for (const auto& ev : f.rules) {
        if (!ev.allow
            || (ev.level != "subnet" && ev.level != "nic" && ev.level != "network-acl"
                && ev.level != "security-groups"))
            continue;
        const std::string nsgId = normaliseId(ev.filterId);
        if (std::find(target.nsgIds.begin(), target.nsgIds.end(), nsgId) == target.nsgIds.end())
            continue;
        const auto& nsg = snap.nsgs.at(nsgId);
        for (const auto& r : nsg.rules)
            if (r.inbound && r.name == ev.ruleName && seen.insert(nsgId + "/" + r.name).second)
                deciding.push_back({ nsgId, &r });
    }

    std::vector<FixProposal> candidates;
    const std::string destination = target.ipc->privateAddress.empty() ? "*" : target.ipc->privateAddress;
    std::vector<std::string> sources;
    if (f.hops == 2 && f.packets) {
        // Every foothold that reaches the data store, not only the one on the path: the addresses
        // of machines the internet reaches directly, among those its NSGs let in.
        std::shared_ptr<const PacketSet> allowed;
        AddressSet internet;
        std::string name;
        AddressSet footholds;
        if (analysis.policyAt(f.ipConfigurationId, allowed, internet, name) && allowed) {
            std::set<std::string> ipcs;
            for (const auto& other : analysis.findings())
                if (other.hops == 1 && !other.ipConfigurationId.empty())
                    ipcs.insert(other.ipConfigurationId);
            for (const auto& id : ipcs) {
                const Target t = locateTarget(snap, id);
                if (t.ipc)
                    footholds = footholds.united(t.ipc->privateRange);
            }
            footholds = footholds.intersected(allowed->allSources());
        }
        sources = footholds.isEmpty() ? f.packets->allSources().toCidrs() : footholds.toCidrs();
    } else if (f.wholeInternet)
        sources = { "Internet" };
    else
        sources = f.sources;
    for (const auto& d : deciding) {
        const auto& nsg = snap.nsgs.at(d.nsgId);
        const SecurityRule& r = *d.rule;
        const bool group = nsg.semantics == NetworkSecurityGroup::Semantics::AllowUnion; // no deny rules
        const bool acl = nsg.stateless; // rule numbers from 1; one source CIDR and one port range per entry
        // A: deny what this rule lets through, to this target only, just before it.
        const int lowest = acl ? 1 : 100;
        int priority = r.priority - 1;
        while (priority >= lowest && std::any_of(nsg.rules.begin(), nsg.rules.end(), [&](const SecurityRule& o) {
            return o.inbound && o.priority == priority;
        }))
            --priority;
        if (priority >= lowest && !r.isDefault && !group && (!acl || sources.size() == 1)) {
            PortSet exposed;
            for (const auto& p : f.ports)
                exposed.add(p.first, p.last);
            std::vector<PortRange> ports;
            for (const auto& p : exposed.ranges())
                for (const auto& q : r.destinationPorts.ranges()) {
                    const auto lo = std::max(p.first, q.first), hi = std::min(p.last, q.last);
                    if (lo <= hi)
                        ports.push_back({ lo, hi });
                }
            if (ports.empty())
                ports = f.ports;
            if (acl && ports.size() > 1)
                ports.resize(1); // an entry takes one range; the proposal is weighed by what it closes
            FixProposal p;
            p.edit.kind = WhatIfEdit::Kind::AddRule;
            p.edit.nsgId = d.nsgId;
            p.edit.rule
                = { { "name", freeName(nsg, "deny-" + f.target.name + "-before-" + r.name) }, { "priority", priority },
                      { "access", "Deny" }, { "direction", "Inbound" }, { "protocol", protocolText(f.protocol) },
                      { "sourceAddressPrefixes",
                          acl && sources.front() == "Internet" ? std::vector<std::string> { "0.0.0.0/0" } : sources },
                      { "destinationAddressPrefix", acl ? std::string("*") : destination },
                      { "destinationPortRanges", ports.empty() ? std::vector<std::string> { "*" } : portTexts(ports) },
                      { "description", "What-if: closes " + f.id + " (" + f.target.name + ")" } };
            p.title = acl ? "Deny " + protocolText(f.protocol) + " " + joinedList(portTexts(ports), 4) + " from "
                    + joinedList(sources) + " into subnet "
                    + (snap.subnets.count(target.ipc->subnetId) ? snap.subnets.at(target.ipc->subnetId).name
                                                                : target.ipc->subnetId)
                    + " at rule number " + std::to_string(priority) + " in " + nsg.name + " (just before entry "
                    + r.name + ")"
                          : "Deny " + protocolText(f.protocol) + " " + joinedList(portTexts(ports), 4) + " from "
                    + joinedList(sources) + " to " + destination + " at priority " + std::to_string(priority) + " in "
                    + nsg.name + " (just before " + r.name + ")";
            candidates.push_back(std::move(p));
        }
        if (r.isDefault)
            continue;
        // B: the rule without its internet sources (one-hop findings come from the internet).
        const bool fromInternet = r.source.any
            || std::any_of(r.source.tags.begin(), r.source.tags.end(),
                [](const std::string& t) { return toLower(t) == "internet"; });
        AddressSet policyInternet;
        std::shared_ptr<const PacketSet> allowed;
        std::string name;
        analysis.policyAt(f.ipConfigurationId, allowed, policyInternet, name);
        const AddressSet keptPrefixes = r.source.prefixes.subtracted(policyInternet);
        const bool publicPrefixes = !r.source.prefixes.subtracted(keptPrefixes).isEmpty();
        if (f.hops == 1 && (fromInternet || publicPrefixes)) {
            std::vector<std::string> narrowed;
            // AWS rules take addresses, not tags: the VPC's own CIDR blocks.
            std::vector<std::string> inside { "VirtualNetwork" };
            if (group || acl) {
                inside.clear();
                if (auto s = snap.subnets.find(target.ipc->subnetId); s != snap.subnets.end())
                    if (auto v = snap.vnets.find(s->second.vnetId); v != snap.vnets.end())
                        inside = v->second.addressPrefixes;
                if (acl && inside.size() > 1)
                    inside.resize(1);
            }
            if (r.source.any)
                narrowed.insert(narrowed.end(), inside.begin(), inside.end());
            for (const auto& t : r.source.tags)
                if (toLower(t) != "internet")
                    narrowed.push_back(t);
                else
                    for (const auto& in : inside)
                        if (std::find(narrowed.begin(), narrowed.end(), in) == narrowed.end())
                            narrowed.push_back(in);
            for (const auto& c : keptPrefixes.toCidrs())
                narrowed.push_back(c);
            if (group || acl)
                narrowed = inside; // an AWS rule has one source CIDR: the VPC's blocks instead
            if (!narrowed.empty() || !r.source.asgIds.empty()) {
                FixProposal p;
                p.edit.kind = WhatIfEdit::Kind::EditRule;
                p.edit.nsgId = d.nsgId;
                p.edit.ruleName = r.name;
                p.edit.rule = ruleJson(r, snap);
                p.edit.rule.erase("sourceAddressPrefix");
                p.edit.rule.erase("sourceAddressPrefixes");
                if (!narrowed.empty())
                    p.edit.rule["sourceAddressPrefixes"] = narrowed;
                p.title = "Narrow the sources of " + r.name + " in " + nsg.name + " to " + joinedList(narrowed, 4)
                    + " (no internet addresses)";
                candidates.push_back(std::move(p));
            }
        }
        // C: delete the rule. Not a network ACL's allow-everything entry: that cuts the subnet off
        // (the deny before it, A, is the fix).
        if (acl && r.allow && r.protocols == kAllProtocols && r.destinationPorts.isAll()
            && (r.source.any || r.source.prefixes.containsAll(AddressSet::allV4())))
            continue;
        FixProposal del;
        del.edit.kind = WhatIfEdit::Kind::DeleteRule;
        del.edit.nsgId = d.nsgId;
        del.edit.ruleName = r.name;
        del.title = group ? "Revoke " + r.name + " from security group " + nsg.name
            : acl         ? "Delete entry " + r.name + " from " + nsg.name
                          : "Delete " + r.name + " from " + nsg.name;
        candidates.push_back(std::move(del));
    }

    // Findings before any edit: a two-hop finding an edit brings out from under others of its
    // target that covered it is no opening (coveredByOthers).
    const std::vector<Finding> findingsBefore = analysis.findings();
    std::vector<const Finding*> beforePtrs;
    for (const auto& x : findingsBefore)
        beforePtrs.push_back(&x);
    const Severity original = f.severity;
    for (auto& p : candidates) {
        const std::string nsgId = normaliseId(p.edit.nsgId);
        const auto guarded = guardedBy(snap, nsgId);
        std::vector<std::pair<std::string, std::shared_ptr<const PacketSet>>> before;
        for (const auto& ipc : guarded) {
            std::shared_ptr<const PacketSet> allowed;
            AddressSet internet;
            std::string name;
            if (analysis.policyAt(ipc, allowed, internet, name))
                before.emplace_back(ipc, allowed);
        }
        WhatIfEdit inverse;
        FindingsDelta delta;
        std::string error;
        if (!analysis.apply(p.edit, inverse, delta, error))
            continue;
        p.closesFinding = std::find(delta.closed.begin(), delta.closed.end(), f.id) != delta.closed.end();
        p.closes = delta.closed;
        // Covered only by what stays: the finding being fixed and whatever the edit closes do not
        // cover what it opens (the exposure would survive through a foothold).
        std::vector<const Finding*> staying;
        for (const Finding* b : beforePtrs)
            if (b->id != f.id && std::find(delta.closed.begin(), delta.closed.end(), b->id) == delta.closed.end())
                staying.push_back(b);
        for (const auto& id : delta.opened) {
            const Finding* opened = analysis.find(id);
            if (opened && coveredByOthers(*opened, staying))
                continue; // what stays exposed covered it already: no change
            if (opened && coveredByOthers(*opened, beforePtrs))
                p.stillThrough.push_back(id);
            else
                p.opens.push_back(id);
        }
        for (const auto& id : delta.changed)
            if (id != f.id)
                p.narrows.push_back(id);
        if (const Finding* left = analysis.find(f.id)) {
            p.remaining = std::string(severityName(left->severity)) + ": " + left->protocol + "/"
                + portsToString(left->ports) + " from " + joinedList(left->sources);
            for (const auto& r : left->ports)
                p.remainingPorts += r.last - r.first + 1;
        }
        // Lost traffic that is not internet exposure, grouped by what is lost: "TCP 9200 from the
        // virtual network to es-support-01, es-support-02".
        std::map<std::string, std::vector<std::string>> lostTo;
        for (const auto& [ipc, was] : before) {
            std::shared_ptr<const PacketSet> now;
            AddressSet internet, vnet;
            std::string name;
            if (!analysis.policyAt(ipc, now, internet, name, &vnet) || !was || !now)
                continue;
            const PacketSet lost
                = was->subtracted(*now).subtracted(PacketSet::box(kAllProtocols, PortSet::all(), internet));
            if (lost.isEmpty())
                continue;
            const PacketSet inVnet = lost.intersected(PacketSet::box(kAllProtocols, PortSet::all(), vnet));
            const PacketSet other = lost.subtracted(inVnet);
            if (!inVnet.isEmpty())
                lostTo[describePackets(inVnet) + " from the virtual network and its peers ("
                    + joinedList(vnet.toCidrs(), 2) + ")"]
                    .push_back(name);
            if (!other.isEmpty())
                lostTo[describePackets(other)
                    + " from private addresses outside the virtual network (on-premises, "
                      "other networks)"]
                    .push_back(name);
        }
        for (auto& [what, names] : lostTo) {
            std::sort(names.begin(), names.end());
            names.erase(std::unique(names.begin(), names.end()), names.end());
            p.breaks.push_back(what + " to " + joinedList(names, 4) + " would be stopped");
        }
        const bool helps
            = p.closesFinding || std::find(delta.changed.begin(), delta.changed.end(), f.id) != delta.changed.end();
        std::string undoError;
        analysis.apply(inverse, inverse, delta, undoError);
        if (helps) // a change that leaves the finding as it is proposes nothing
            out.push_back(std::move(p));
    }
    auto remainingSeverity = [&](const FixProposal& p) {
        if (p.closesFinding)
            return -1;
        for (const char* s : { "critical", "high", "medium", "low", "info" })
            if (p.remaining.rfind(s, 0) == 0) {
                Severity sev;
                parseSeverity(s, sev);
                return static_cast<int>(sev);
            }
        return static_cast<int>(original);
    };
    std::stable_sort(out.begin(), out.end(), [&](const FixProposal& a, const FixProposal& b) {
        if (remainingSeverity(a) != remainingSeverity(b))
            return remainingSeverity(a) < remainingSeverity(b);
        if (a.remainingPorts != b.remainingPorts)
            return a.remainingPorts < b.remainingPorts;
        if (a.breaks.size() != b.breaks.size())
            return a.breaks.size() < b.breaks.size();
        if (a.opens.size() != b.opens.size())
            return a.opens.size() < b.opens.size();
        return a.narrows.size() + a.closes.size() < b.narrows.size() + b.closes.size();
    });
    return out;
}

} // namespace ew
