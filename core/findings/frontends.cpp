#include "engine.h"

namespace ew::engine {

std::vector<Frontend> Engine::frontendsOf(const IpConfiguration& ipc, std::vector<std::string>& assumptions)
{
    std::vector<Frontend> out;
    auto skuOf = [&](const PublicIpAddress* pip, PublicIpAddress::Sku lbSku, const std::string& what, bool& standard) {
        auto sku = lbSku != PublicIpAddress::Sku::Unknown ? lbSku : (pip ? pip->sku : PublicIpAddress::Sku::Unknown);
        standard = sku == PublicIpAddress::Sku::Standard;
        if (sku == PublicIpAddress::Sku::Unknown)
            assumptions.push_back(what + " has no SKU in the export: treated as Basic, open when no NSG applies");
    };
    // A public IP on the IP configuration: no translation.
    if (!ipc.publicIpId.empty()) {
        Frontend f;
        const PublicIpAddress* pip = nullptr;
        if (auto it = m_snap.publicIps.find(ipc.publicIpId); it != m_snap.publicIps.end())
            pip = &it->second;
        const std::string name = pip ? pip->name : lastSegment(ipc.publicIpId);
        f.key = ipc.publicIpId;
        f.steps.push_back({ pip && !pip->id.empty() ? pip->id : ipc.publicIpId, name,
            (pip ? pip->type : PublicIpAddress().type), StepKind::PublicAddress });
        f.address = pip ? pip->address : std::string();
        f.frontendPorts = { { 0, 65535 } };
        // Only clients of the public IP's address family can reach it.
        f.filter = PacketSet::box(
            kAllProtocols, PortSet::all(), pip && pip->ipv6 ? AddressSet::allV6() : AddressSet::allV4());
        f.filterKey = pip && pip->ipv6 ? "pip6" : "pip4";
        skuOf(pip, PublicIpAddress::Sku::Unknown, "public IP " + name, f.standard);
        if (pip && pip->address.empty())
            f.assumptions.push_back("public IP " + name
                + " has no address in the export (dynamic and not allocated, or the VM is deallocated): "
                  "evaluated as if it had one");
        f.description = "public IP " + name + (f.address.empty() ? std::string() : " (" + f.address + ")");
        out.push_back(std::move(f));
    }
    // Public load balancers: rules on a backend pool holding this IP configuration, and NAT rules.
    for (const auto& [lbId, lb] : m_snap.loadBalancers) {
        auto frontendOf = [&](const std::string& feId) -> const LbFrontend* {
            for (const auto& fe : lb.frontends)
                if (fe.id == feId)
                    return &fe;
            return nullptr;
        };
        auto publicIpOf = [&](const LbFrontend* fe) -> const PublicIpAddress* {
            if (!fe || fe->publicIpId.empty())
                return nullptr;
            auto it = m_snap.publicIps.find(fe->publicIpId);
            return it == m_snap.publicIps.end() ? nullptr : &it->second;
        };
        auto make = [&](const LbFrontend* fe, const std::string& ruleId, const std::string& ruleName,
                        const SourceLocation& where, const char* level, ProtocolMask protocols, PortSet backendPorts,
                        std::vector<PortRange> frontendPorts) {
            if (!fe || fe->publicIpId.empty())
                return; // internal frontend: not internet-facing
            const PublicIpAddress* pip = publicIpOf(fe);
            Frontend f;
            f.key = ruleId;
            const std::string pipName = pip ? pip->name : lastSegment(fe->publicIpId);
            f.steps.push_back({ pip ? pip->id : fe->publicIpId, pipName, (pip ? pip->type : PublicIpAddress().type),
                StepKind::PublicAddress });
            f.steps.push_back({ lb.id, lb.name, lb.type, StepKind::LoadBalancer });
            f.address = pip ? pip->address : std::string();
            f.frontendPorts = std::move(frontendPorts);
            f.filter
                = PacketSet::box(protocols, backendPorts, pip && pip->ipv6 ? AddressSet::allV6() : AddressSet::allV4());
            f.filterKey = std::string(pip && pip->ipv6 ? "lb6:" : "lb4:") + std::to_string(protocols) + ":"
                + backendPorts.toString();
            skuOf(pip, lb.sku, "load balancer " + lb.name, f.standard);
            f.description = std::string(std::string_view(level) == "nat" ? "inbound NAT rule " : "load-balancing rule ")
                + ruleName + " of load balancer " + lb.name + " on public IP " + pipName
                + (f.address.empty() ? std::string() : " (" + f.address + ")");
            RuleEvidence ev;
            ev.filterId = lb.id;
            ev.filterName = lb.name;
            ev.level = level;
            ev.ruleName = ruleName;
            ev.ruleId = ruleId;
            ev.allow = true;
            ev.where = where;
            f.evidence.push_back(std::move(ev));
            out.push_back(std::move(f));
        };
        for (const auto& rule : lb.rules) {
            const bool inPool = std::any_of(rule.backendPoolIds.begin(), rule.backendPoolIds.end(), [&](const auto& p) {
                return std::find(ipc.backendPoolIds.begin(), ipc.backendPoolIds.end(), p) != ipc.backendPoolIds.end();
            });
            if (!inPool)
                continue;
            // HA ports (port 0, protocol All) forward every port unchanged.
            const bool haPorts = rule.frontendPort == 0 && rule.protocols == kAllProtocols;
            PortSet backend = haPorts ? PortSet::all() : PortSet::range(rule.backendPort, rule.backendPort);
            make(frontendOf(rule.frontendId), rule.id, rule.name, rule.where, "load-balancer", rule.protocols, backend,
                { haPorts ? PortRange { 0, 65535 } : PortRange { rule.frontendPort, rule.frontendPort } });
        }
        for (const auto& nat : lb.natRules) {
            const bool direct = std::find(ipc.natRuleIds.begin(), ipc.natRuleIds.end(), nat.id) != ipc.natRuleIds.end();
            const bool viaPool = !nat.backendPoolId.empty()
                && std::find(ipc.backendPoolIds.begin(), ipc.backendPoolIds.end(), nat.backendPoolId)
                    != ipc.backendPoolIds.end();
            if (!direct && !viaPool)
                continue;
            make(frontendOf(nat.frontendId), nat.id, nat.name, nat.where, "nat", nat.protocols,
                PortSet::range(nat.backendPort, nat.backendPort), { { nat.frontendPort, nat.frontendPortLast } });
        }
    }
    proxyFrontends(ipc, out);
    stats.frontends += out.size();
    return out;
}

bool Engine::routedFrom(const ProxyDevice& device, const IpConfiguration& ipc) const
{
    // A backend named by its address is the machine with that address in a network the device's
    // own network routes to (address ranges repeat across unpeered VNets).
    const std::string deviceVnet = m_ctx.vnetOfSubnet(device.subnetId);
    if (deviceVnet.empty())
        return true; // the device's network is not in the export: towards reachability
    const auto& connected = m_ctx.connectedVnets(deviceVnet);
    return std::find(connected.begin(), connected.end(), m_ctx.vnetOfSubnet(ipc.subnetId)) != connected.end();
}

void Engine::proxyFrontends(const IpConfiguration& ipc, std::vector<Frontend>& out)
{
    if (m_snap.proxies.empty())
        return;
    for (const auto& [deviceId, device] : m_snap.proxies) {
        const bool gateway = device.kind == ProxyDevice::Kind::ApplicationGateway;
        for (const auto& fw : device.forwards) {
            const bool behind
                = std::find(fw.backendIpConfigurationIds.begin(), fw.backendIpConfigurationIds.end(), ipc.id)
                    != fw.backendIpConfigurationIds.end()
                || (!fw.backendPoolId.empty()
                    && std::find(ipc.appGatewayPoolIds.begin(), ipc.appGatewayPoolIds.end(), fw.backendPoolId)
                        != ipc.appGatewayPoolIds.end())
                || (ipc.privateIp && fw.backendAddresses.contains(*ipc.privateIp) && routedFrom(device, ipc));
            if (!behind || fw.frontendPublicIpId.empty())
                continue; // not this machine, or a private frontend (not internet-facing)
            const PublicIpAddress* pip = nullptr;
            if (auto it = m_snap.publicIps.find(fw.frontendPublicIpId); it != m_snap.publicIps.end())
                pip = &it->second;
            const std::string pipName = pip ? pip->name : lastSegment(fw.frontendPublicIpId);
            Frontend f;
            f.key = device.id + "|" + fw.id; // two firewalls may share a policy's rules
            f.proxy = true;
            f.steps.push_back({ pip ? pip->id : fw.frontendPublicIpId, pipName,
                (pip ? pip->type : PublicIpAddress().type), StepKind::PublicAddress });
            f.steps.push_back({ device.id, device.name, device.type,
                device.kind == ProxyDevice::Kind::Firewall ? StepKind::Firewall : StepKind::Gateway });
            f.address = pip ? pip->address : fw.frontendAddress;
            f.frontendPorts = fw.frontendPorts.ranges();
            f.proxyProtocols = fw.protocols;
            f.backendPorts = fw.backendPorts;
            f.description = (gateway ? "Application Gateway " : "Azure Firewall ") + device.name + " (" + fw.detail
                + ") on public IP " + pipName + (f.address.empty() ? std::string() : " (" + f.address + ")");
            // What the machine behind it sees as the source: the device's instances in its subnet.
            const std::string vnetId = m_ctx.vnetOfSubnet(device.subnetId);
            auto subnet = m_snap.subnets.find(device.subnetId);
            if (subnet != m_snap.subnets.end() && !subnet->second.prefixes.isEmpty()) {
                f.proxySources = std::make_shared<const AddressSet>(subnet->second.prefixes);
            } else {
                f.proxySources
                    = std::make_shared<const AddressSet>(m_ctx.virtualNetworkSpace(m_ctx.vnetOfSubnet(ipc.subnetId)));
                f.assumptions.push_back(std::string(gateway ? "Application Gateway " : "Azure Firewall ") + device.name
                    + ": its subnet is not in the export, so the source its backends see is taken as any address of "
                      "their virtual network");
            }
            // The clients it admits: the internet, narrowed by the DNAT rule's sources and, for a
            // gateway, by the NSG of its subnet (Microsoft Learn, "Application Gateway infrastructure
            // configuration": NSGs are supported on the gateway subnet). Azure Firewall's subnet
            // takes no NSG.
            const AddressSet internet
                = m_ctx.internetSpace(vnetId).intersected(pip && pip->ipv6 ? AddressSet::allV6() : AddressSet::allV4());
            f.clients = fw.anyClient ? internet : fw.clientSources.intersected(internet);
            if (!fw.clientTags.empty())
                f.assumptions.push_back("DNAT rule " + fw.name + " admits the sources " + fw.clientTags.front()
                    + (fw.clientTags.size() > 1 ? " and others" : "")
                    + ", which are not addresses: any client is assumed");
            RuleEvidence rule;
            rule.filterId = device.id;
            rule.filterName = device.name;
            rule.level = gateway ? "application-gateway" : "firewall-dnat";
            rule.ruleName = fw.name;
            rule.ruleId = fw.id;
            rule.allow = true;
            rule.where = fw.where;
            f.evidence.push_back(rule);
            if (gateway && subnet != m_snap.subnets.end() && !subnet->second.nsgId.empty()) {
                const auto& nsg = m_snap.nsgs.at(subnet->second.nsgId);
                f.deviceNsgId = nsg.id;
                m_proxyDependents[nsg.id].insert(ipc.id);
                IpConfiguration at; // the gateway as a destination: its subnet and its frontend address
                at.subnetId = device.subnetId;
                at.name = device.name;
                at.privateRange = subnet->second.prefixes;
                if (pip && !pip->address.empty())
                    if (auto a = parseAddress(pip->address))
                        at.privateRange.add(*a, *a);
                const PacketSet arriving = PacketSet::box(maskOf(Protocol::Tcp), fw.frontendPorts, f.clients);
                const auto rules = compileInboundRules(nsg, at, m_ctx, f.clients, &f.assumptions);
                const NsgVerdict v = evaluateFirstMatch(rules, arriving);
                f.clients = v.allowed.allSources();
                allowEvidence(nsg, v, "gateway-subnet", v.allowed, f.evidence);
            }
            f.filterKey = "proxy:" + f.key;
            out.push_back(std::move(f));
        }
    }
}

} // namespace ew::engine
