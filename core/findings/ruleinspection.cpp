#include "ruleinspection.h"

#include "analyzer.h"

#include "policy/nsgevaluator.h"

#include <algorithm>

namespace ew {

namespace {

std::string ruleLabel(const SecurityRule& r)
{
    return r.name + " (priority " + std::to_string(r.priority) + ")";
}

} // namespace

const char* ruleStatusName(RuleRow::Status s)
{
    switch (s) {
    case RuleRow::Status::Deciding:
        return "deciding";
    case RuleRow::Status::Blocks:
        return "blocks";
    case RuleRow::Status::Other:
        return "other";
    case RuleRow::Status::Shadowed:
        return "shadowed";
    case RuleRow::Status::NotApplicable:
        return "not-applicable";
    }
    return "other";
}

std::string addressMatchText(const AddressMatch& m, const Snapshot& snapshot)
{
    if (m.any)
        return "*";
    std::vector<std::string> parts = m.tags;
    // An AWS prefix list: its id, and its name when the export describes it.
    for (auto& part : parts)
        if (auto pl = snapshot.prefixLists.find(part); pl != snapshot.prefixLists.end() && !pl->second.name.empty())
            part += " (" + pl->second.name + ")";
    // Every IPv6 address is not one CIDR where IPv4 shares the space: written as the rule wrote it.
    AddressSet rest = m.prefixes;
    for (const auto& [family, text] :
        { std::pair { &AddressSet::allV4, "0.0.0.0/0" }, std::pair { &AddressSet::allV6, "::/0" } })
        if (!rest.isEmpty() && rest.containsAll(family())) {
            parts.emplace_back(text);
            rest = rest.subtracted(family());
        }
    for (const auto& cidr : rest.toCidrs())
        parts.push_back(cidr);
    for (const auto& asg : m.asgIds) {
        // An Azure application security group, or an AWS security group whose members it names.
        auto it = snapshot.asgs.find(asg);
        auto sg = snapshot.nsgs.find(asg);
        parts.push_back(it != snapshot.asgs.end() ? "ASG " + it->second.name
                : sg != snapshot.nsgs.end()       ? "members of " + sg->second.name
                                                  : "ASG " + lastSegment(asg));
    }
    return parts.empty() ? std::string("(nothing)") : joinedList(parts, 4);
}

std::string joinedList(const std::vector<std::string>& parts, std::size_t max)
{
    std::string s;
    for (std::size_t i = 0; i < parts.size() && i < max; ++i)
        s += (i ? ", " : "") + parts[i];
    if (parts.size() > max)
        s += " and " + std::to_string(parts.size() - max) + " more";
    return s;
}

std::string ruleText(const SecurityRule& r, const Snapshot& snapshot)
{
    return std::string(r.allow ? "allow " : "deny ") + (r.protocolText.empty() ? std::string("*") : r.protocolText)
        + " " + addressMatchText(r.source, snapshot) + " -> " + addressMatchText(r.destination, snapshot) + " "
        + (r.destinationPorts.isAll() ? std::string("*") : r.destinationPorts.toString());
}

FindingInspector::FindingInspector(const Snapshot& snapshot)
    : m_snap(snapshot)
    , m_ctx(snapshot)
{ }

const IpConfiguration* FindingInspector::ipConfiguration(const std::string& id, const NetworkInterface** nic) const
{
    if (id.empty())
        return nullptr;
    if (const auto l = m_snap.locate(id); l.ipc) {
        *nic = l.nic;
        return l.ipc;
    }
    for (const auto& [nicId, n] : m_snap.nics) // ids of another form (scale sets)
        for (const auto& ipc : n.ipConfigurations)
            if (ipc.id == id) {
                *nic = &n;
                return &ipc;
            }
    return nullptr;
}

FindingInspection FindingInspector::inspect(const Finding& f) const
{
    FindingInspection out;
    out.explanation = f.explanation;
    struct Stage
    {
        std::string ipcId;
        std::string protects;
        bool fromFoothold;
    };
    std::vector<Stage> stages;
    if (f.hops == 2 && !f.footholdIpConfigurationId.empty())
        stages.push_back({ f.footholdIpConfigurationId, f.foothold.name, false });
    if (!f.ipConfigurationId.empty())
        stages.push_back({ f.ipConfigurationId, f.target.name, f.hops == 2 });

    // Behind an Application Gateway: first the NSG of the gateway's subnet, which decides which
    // internet clients reach its listener (the finding's evidence names its rules).
    if (f.hops == 1 && f.seenSources)
        for (const auto& step : f.path) {
            auto device = m_snap.proxies.find(normaliseId(step.id));
            if (device == m_snap.proxies.end() || device->second.kind != ProxyDevice::Kind::ApplicationGateway)
                continue;
            auto subnet = m_snap.subnets.find(device->second.subnetId);
            if (subnet == m_snap.subnets.end() || subnet->second.nsgId.empty())
                break;
            auto nsg = m_snap.nsgs.find(subnet->second.nsgId);
            if (nsg == m_snap.nsgs.end())
                break;
            IpConfiguration at; // the gateway as a destination: its subnet
            at.subnetId = device->second.subnetId;
            at.name = device->second.name;
            at.privateRange = subnet->second.prefixes;
            inspectLevel(f, &nsg->second, "gateway-subnet", at, device->second.name,
                m_ctx.internetSpace(m_ctx.vnetOfSubnet(at.subnetId)), false, out);
            break;
        }

    // Through an AWS load balancer: first its nodes' subnet network ACLs and its security groups,
    // which decide which internet clients reach its listener (as the analysis reads them:
    // frontends.cpp).
    if (f.hops == 1)
        for (const auto& step : f.path) {
            auto device = m_snap.proxies.find(normaliseId(step.id));
            if (device == m_snap.proxies.end() || device->second.kind != ProxyDevice::Kind::LoadBalancer)
                continue;
            const ProxyDevice& lb = device->second;
            const IpConfiguration* first = nullptr;
            std::vector<std::string> acls;
            for (const auto& nodeId : lb.nodeInterfaceIds) {
                auto node = m_snap.nics.find(nodeId);
                if (node == m_snap.nics.end() || node->second.ipConfigurations.empty())
                    continue;
                const IpConfiguration& at = node->second.ipConfigurations.front();
                if (!first)
                    first = &at;
                auto subnet = m_snap.subnets.find(at.subnetId);
                const std::string aclId = subnet == m_snap.subnets.end() ? std::string() : subnet->second.networkAclId;
                if (std::find(acls.begin(), acls.end(), aclId) != acls.end())
                    continue; // one inspection per distinct list
                acls.push_back(aclId);
                auto acl = m_snap.nsgs.find(aclId);
                inspectLevel(f, acl == m_snap.nsgs.end() ? nullptr : &acl->second, "lb-network-acl", at, lb.name,
                    m_ctx.internetSpace(m_ctx.vnetOfSubnet(at.subnetId)), false, out);
            }
            if (first) {
                std::vector<std::string> ignored;
                const NetworkSecurityGroup groups = unionOfGroups(m_snap, lb.securityGroupIds, ignored);
                inspectLevel(f, lb.securityGroupIds.empty() ? nullptr : &groups, "lb-security-groups", *first, lb.name,
                    m_ctx.internetSpace(m_ctx.vnetOfSubnet(first->subnetId)), false, out);
            }
            break;
        }

    const NetworkInterface* footholdNic = nullptr;
    const IpConfiguration* footholdIpc = ipConfiguration(f.footholdIpConfigurationId, &footholdNic);
    for (const auto& st : stages) {
        const NetworkInterface* nic = nullptr;
        const IpConfiguration* ipc = ipConfiguration(st.ipcId, &nic);
        if (!ipc)
            continue;
        // The sources this level is asked about: the internet, or the foothold's addresses.
        // Behind an Application Gateway or Azure Firewall DNAT, the device's private addresses.
        AddressSet sources = st.fromFoothold && footholdIpc ? m_ctx.possibleAddresses(*footholdIpc)
            : f.seenSources && f.hops == 1                  ? *f.seenSources
                                                            : m_ctx.internetSpace(m_ctx.vnetOfSubnet(ipc->subnetId));
        const NetworkSecurityGroup* subnetNsg = nullptr;
        if (auto s = m_snap.subnets.find(ipc->subnetId); s != m_snap.subnets.end() && !s->second.nsgId.empty())
            if (auto n = m_snap.nsgs.find(s->second.nsgId); n != m_snap.nsgs.end())
                subnetNsg = &n->second;
        const NetworkSecurityGroup* nicNsg = nullptr;
        if (!nic->nsgId.empty())
            if (auto n = m_snap.nsgs.find(nic->nsgId); n != m_snap.nsgs.end())
                nicNsg = &n->second;
        const bool footholdStage = f.hops == 2 && !st.fromFoothold;
        // AWS: the subnet's network ACL, then the interface's security groups as one union (as the
        // analysis reads them: evaluation.cpp).
        if (auto s = m_snap.subnets.find(ipc->subnetId);
            (s != m_snap.subnets.end() && s->second.needsInternetRoute) || !nic->securityGroupIds.empty()) {
            const NetworkSecurityGroup* acl = nullptr;
            if (s != m_snap.subnets.end())
                if (auto a = m_snap.nsgs.find(s->second.networkAclId); a != m_snap.nsgs.end())
                    acl = &a->second;
            inspectLevel(f, acl, "network-acl", *ipc, st.protects, sources, footholdStage, out);
            std::vector<std::string> ignored;
            const NetworkSecurityGroup groups = unionOfGroups(m_snap, nic->securityGroupIds, ignored);
            inspectLevel(f, nic->securityGroupIds.empty() ? nullptr : &groups, "security-groups", *ipc, st.protects,
                sources, footholdStage, out);
            continue;
        }
        // A private endpoint's subnet NSG filters it only with network policies enabled (the
        // analysis reads it the same way: evaluation.cpp).
        if (auto s = m_snap.subnets.find(ipc->subnetId);
            subnetNsg && !nic->privateEndpointId.empty() && s != m_snap.subnets.end()) {
            const std::string policies = toLower(s->second.privateEndpointPolicies);
            if (policies != "enabled" && policies != "networksecuritygroupenabled") {
                FilterInspection fi;
                fi.level = "subnet";
                fi.protects = st.protects;
                fi.summary = "Network policies for private endpoints are "
                    + (policies.empty() ? std::string("not stated (disabled by default)")
                                        : s->second.privateEndpointPolicies)
                    + " in subnet " + s->second.name + ": its NSG " + subnetNsg->name
                    + " does not filter traffic to the private endpoint.";
                out.filters.push_back(std::move(fi));
                inspectLevel(f, nullptr, "nic", *ipc, st.protects, sources, footholdStage, out);
                continue;
            }
        }
        inspectLevel(f, subnetNsg, "subnet", *ipc, st.protects, sources, footholdStage, out);
        inspectLevel(f, nicNsg, "nic", *ipc, st.protects, sources, footholdStage, out);
    }
    return out;
}

void FindingInspector::inspectLevel(const Finding& f, const NetworkSecurityGroup* nsg, const std::string& level,
    const IpConfiguration& ipc, const std::string& protects, const AddressSet& sources, bool footholdStage,
    FindingInspection& out) const
{
    FilterInspection fi;
    fi.level = level;
    fi.protects = protects;
    const bool aws = level == "network-acl" || level == "security-groups" || level.rfind("lb-", 0) == 0;
    const std::string where = level == "subnet" ? "subnet"
        : level == "gateway-subnet"             ? "gateway's subnet"
        : level == "network-acl"                ? "subnet"
        : level == "lb-network-acl"             ? "node's subnet"
        : level == "security-groups"            ? "interface"
                                                : "NIC";
    if (!nsg && level == "lb-security-groups") {
        // "If you don't assign a security group to your Network Load Balancer, all client traffic
        // can reach the Network Load Balancer listeners" (Network Load Balancer guide).
        fi.summary = "Load balancer " + protects + " has no security groups: every client reaches its listeners.";
        out.filters.push_back(std::move(fi));
        return;
    }
    if (!nsg) {
        fi.summary = aws ? "The " + where + " of " + protects + "'s "
                + (level.find("network-acl") != std::string::npos ? "network ACL" : "security groups")
                + " are not in the export: assumed to allow (the default ACL allows all)."
                         : "The " + where + " of " + protects + " has no NSG: traffic passes this level.";
        out.filters.push_back(std::move(fi));
        return;
    }
    fi.nsgId = nsg->displayId.empty() ? nsg->id : nsg->displayId;
    fi.nsgName = nsg->name;
    fi.synthetic = nsg->synthetic;

    // Every inbound rule compiled for this IP configuration over all sources, so that shadowing
    // is a property of the rule list and not of this finding.
    std::vector<std::string> assumptions;
    const auto compiled = compileInboundRules(*nsg, ipc, m_ctx, AddressSet::all(), &assumptions);
    std::vector<const PacketSet*> byRule(nsg->rules.size(), nullptr);
    for (const auto& c : compiled)
        byRule[c.ruleIndex] = &c.packets;

    const PacketSet traffic = PacketSet::box(protocolMaskOfName(f.protocol), PortSet::all(), sources);
    PacketSet before; // decided by the rules above
    std::vector<std::pair<std::size_t, PacketSet>> earlier; // (rule index, its packets)
    std::vector<std::string> deciding;
    for (std::size_t i = 0; i < nsg->rules.size(); ++i) {
        const SecurityRule& r = nsg->rules[i];
        if (!r.inbound)
            continue;
        RuleRow row;
        row.name = r.name;
        row.priority = r.priority;
        row.allow = r.allow;
        row.isDefault = r.isDefault;
        row.protocol = r.protocolText.empty() ? std::string("*") : r.protocolText;
        row.source = addressMatchText(r.source, m_snap);
        row.destination = addressMatchText(r.destination, m_snap);
        row.ports = r.destinationPorts.isAll() ? std::string("*") : r.destinationPorts.toString();
        row.where = r.where;

        static const PacketSet kNothing;
        const PacketSet& mine = byRule[i] ? *byRule[i] : kNothing;
        // In a union (security groups) no rule hides another: each claims all it matches.
        const bool union_ = nsg->semantics == NetworkSecurityGroup::Semantics::AllowUnion;
        const PacketSet claim = union_ ? mine : mine.subtracted(before);
        // Evidence of this stage only: at a two-hop finding's data store the source is the
        // foothold, and a rule that let the internet reach the foothold decides nothing here.
        const int hop = f.hops == 2 && !footholdStage ? 2 : 1;
        const bool isEvidence = std::any_of(f.rules.begin(), f.rules.end(), [&](const RuleEvidence& ev) {
            return ev.hop == hop && ev.ruleName == r.name && ev.priority == r.priority
                && toLower(ev.filterName) == toLower(r.ownerName.empty() ? nsg->name : r.ownerName);
        });
        if (r.disabled) {
            row.status = RuleRow::Status::NotApplicable;
            row.disabled = true;
            row.reason = "Disabled in the what-if scenario: left out of evaluation.";
        } else if (mine.isEmpty()) {
            row.status = RuleRow::Status::NotApplicable;
            bool member = r.destination.asgIds.empty();
            for (const auto& a : r.destination.asgIds)
                member = member || std::find(ipc.asgIds.begin(), ipc.asgIds.end(), a) != ipc.asgIds.end();
            if (!member)
                row.reason = "Applies only to members of " + row.destination + "; " + protects + " is not one.";
            else
                row.reason = "Its destination (" + row.destination + ") does not include " + protects + "'s address "
                    + (ipc.privateAddress.empty() ? std::string("(unknown)") : ipc.privateAddress) + ".";
        } else if (claim.isEmpty()) {
            row.status = RuleRow::Status::Shadowed;
            std::string by;
            for (const auto& [j, packets] : earlier)
                if (mine.subtracted(packets).isEmpty()) { // one rule above covers it alone
                    by = ruleLabel(nsg->rules[j]);
                    break;
                }
            row.reason = by.empty() ? "Never gets a chance: the rules above it decide every packet it matches."
                                    : "Never gets a chance: " + by + " decides every packet it matches first.";
        } else if (isEvidence && footholdStage) {
            row.status = RuleRow::Status::Deciding;
            row.reason = std::string(r.allow ? "Lets" : "Stops") + " the internet reach the foothold " + protects
                + (union_ ? std::string(": the groups' rules add up, and this one matches that traffic.")
                          : std::string(": the first rule to match that traffic."));
            deciding.push_back(ruleLabel(r));
        } else if (isEvidence) {
            row.status = RuleRow::Status::Deciding;
            const PacketSet here = claim.intersected(*f.packets);
            std::vector<PortRange> ports;
            for (auto p : { Protocol::Tcp, Protocol::Udp }) {
                const PortSet reached = here.ports(p);
                ports.insert(ports.end(), reached.ranges().begin(), reached.ranges().end());
            }
            row.reason = std::string(r.allow ? "Allows" : "Denies") + " this finding's traffic"
                + (ports.empty() ? std::string() : " on port(s) " + formatPortRanges(ports))
                + (union_ ? std::string(": the groups' rules add up, and this one matches it.")
                          : std::string(": the first rule to match it."));
            deciding.push_back(ruleLabel(r));
        } else if (!r.allow && claim.intersects(traffic)) {
            row.status = RuleRow::Status::Blocks;
            row.reason = "Denies some " + (f.protocol == "any" ? std::string("internet") : f.protocol)
                + " traffic from these sources before it reaches the target.";
        } else {
            row.status = RuleRow::Status::Other;
            row.reason = claim.intersects(traffic)
                ? std::string("Decides other traffic from these sources (other ports).")
                : std::string("Decides traffic this finding does not carry.");
        }
        before = before.united(mine);
        earlier.emplace_back(i, mine);
        fi.rules.push_back(std::move(row));
    }
    const std::string kind = level == "subnet" ? "Subnet NSG "
        : level == "gateway-subnet"            ? "Gateway subnet NSG "
        : level == "network-acl"               ? "Subnet network ACL "
        : level == "security-groups"           ? "Security groups "
        : level == "lb-network-acl"            ? "Load balancer subnet network ACL "
        : level == "lb-security-groups"        ? "Load balancer security groups "
                                               : "NIC NSG ";
    if (nsg->synthetic)
        fi.summary = kind + nsg->name + " is referenced but not in the export: assumed to allow.";
    else if (deciding.empty())
        fi.summary = kind + nsg->name + " decides none of this finding's traffic itself.";
    else
        fi.summary = kind + nsg->name + (deciding.size() == 1 ? " allows it by rule " : " allows it by rules ")
            + joinedList(deciding, 4) + ".";
    out.filters.push_back(std::move(fi));
}

} // namespace ew
