#include "azureimporter.h"
#include "azurereader.h"

#include <algorithm>
#include <set>

namespace ew {

namespace {

void linkProxies(Snapshot& snap)
{
    for (auto& [id, device] : snap.proxies) {
        if (device.kind != ProxyDevice::Kind::Firewall)
            continue;
        // Policy DNAT rules, with those inherited from the base policies (Microsoft Learn, "Azure
        // Firewall Policy rule sets": a policy inherits all rules of its parent).
        std::set<std::string> seen;
        for (std::string policyId = device.policyId; !policyId.empty() && seen.insert(policyId).second;) {
            auto it = snap.firewallPolicies.find(policyId);
            if (it == snap.firewallPolicies.end()) {
                snap.diagnostics.push_back({ Diagnostic::Level::Warning, device.where,
                    "firewall " + device.name + " uses firewall policy " + lastSegment(policyId)
                        + ", which is not in the export: its DNAT rules are unknown, so machines behind it may be "
                          "reachable without a finding" });
                break;
            }
            device.forwards.insert(device.forwards.end(), it->second.natRules.begin(), it->second.natRules.end());
            policyId = it->second.basePolicyId;
        }
        for (auto& fw : device.forwards) {
            // The DNAT destination is one of the firewall's public IPs, named by its address.
            for (const auto& pipId : device.publicIpIds)
                if (auto pip = snap.publicIps.find(pipId); pip != snap.publicIps.end()
                    && (fw.frontendAddress.empty() || pip->second.address.empty()
                        || pip->second.address == fw.frontendAddress)) {
                    fw.frontendPublicIpId = pipId;
                    break;
                }
            if (fw.frontendPublicIpId.empty() && !device.publicIpIds.empty())
                fw.frontendPublicIpId = device.publicIpIds.front();
            if (fw.frontendPublicIpId.empty()) {
                // No public IP resource known (a secured virtual hub's firewall, or an export without
                // them): a DNAT rule exists only for traffic from outside, so it is internet-facing.
                fw.frontendPublicIpId = device.id + "/publicaddress";
                if (fw.frontendAddress.empty() && !device.hubPublicAddresses.empty())
                    fw.frontendAddress = device.hubPublicAddresses.front();
                if (device.hubPublicAddresses.empty())
                    snap.diagnostics.push_back({ Diagnostic::Level::Warning, fw.where,
                        "DNAT rule " + fw.name + " of firewall " + device.name
                            + ": the firewall's public IP is not in the export; the rule is taken as "
                              "internet-facing" });
            }
            for (const auto& group : fw.clientIpGroupIds) {
                if (auto g = snap.ipGroups.find(group); g != snap.ipGroups.end())
                    fw.clientSources = fw.clientSources.united(g->second);
                else {
                    fw.anyClient = true; // unknown group: towards reachability
                    snap.diagnostics.push_back({ Diagnostic::Level::Warning, fw.where,
                        "DNAT rule " + fw.name + " names IP group " + lastSegment(group)
                            + ", which is not in the export: any client is assumed" });
                }
            }
        }
    }
    // Gateways and firewalls alike: a backend named only by a DNS name is not identified.
    for (const auto& [id, device] : snap.proxies)
        for (const auto& fw : device.forwards)
            if (!fw.backendFqdns.empty() && fw.backendIpConfigurationIds.empty() && fw.backendAddresses.isEmpty())
                snap.diagnostics.push_back({ Diagnostic::Level::Warning, fw.where,
                    device.name + " forwards " + fw.name + " to " + fw.backendFqdns.front()
                        + ", a name that cannot be resolved offline: the machine behind it is not identified" });
}

// The public host names a managed service answers on, lower case: what an edge origin names.
std::vector<std::string> hostsOf(const ManagedDataService& svc)
{
    std::vector<std::string> hosts = svc.hostNames;
    std::string endpoint = toLower(svc.endpoint);
    if (const auto scheme = endpoint.find("://"); scheme != std::string::npos)
        endpoint = endpoint.substr(scheme + 3);
    endpoint = endpoint.substr(0, endpoint.find_first_of("/:"));
    if (!endpoint.empty())
        hosts.push_back(endpoint);
    const std::string name = toLower(svc.name);
    const std::string type = toLower(svc.type);
    // The documented host names of each service (Microsoft Learn, "Storage account overview:
    // standard endpoints", and each service's connection page).
    if (type == "microsoft.storage/storageaccounts")
        for (const char* service : { "blob", "file", "queue", "table", "dfs" })
            hosts.push_back(name + "." + service + ".core.windows.net");
    else if (type == "microsoft.sql/servers")
        hosts.push_back(name + ".database.windows.net");
    else if (type == "microsoft.documentdb/databaseaccounts")
        hosts.push_back(name + ".documents.azure.com");
    else if (type == "microsoft.cache/redis")
        hosts.push_back(name + ".redis.cache.windows.net");
    return hosts;
}

// Edge origins: a host name or address in the export becomes the public IP or service it names.
void linkEdges(Snapshot& snap)
{
    std::unordered_map<std::string, std::string> pipByHost, serviceByHost;
    for (const auto& [id, pip] : snap.publicIps) {
        if (!pip.address.empty())
            pipByHost[pip.address] = id;
        if (!pip.fqdn.empty())
            pipByHost[pip.fqdn] = id;
    }
    for (const auto& [id, svc] : snap.dataServices)
        for (const auto& host : hostsOf(svc))
            serviceByHost.emplace(host, id);
    for (auto& [id, edge] : snap.edges) {
        for (auto& origin : edge.origins) {
            const std::string host = toLower(origin.host);
            if (!origin.privateLinkId.empty()) {
                // Private Link origins: the edge's private endpoint leads to the resource itself.
                if (snap.dataServices.count(origin.privateLinkId))
                    origin.dataServiceId = origin.privateLinkId;
                else
                    snap.diagnostics.push_back({ Diagnostic::Level::Warning, origin.where,
                        edge.name + " reaches origin " + origin.name + " over Private Link to "
                            + lastSegment(origin.privateLinkId)
                            + ", which is not a data service in the export: what it leads to is not analysed" });
                continue;
            }
            if (auto byPip = pipByHost.find(host); byPip != pipByHost.end())
                origin.publicIpId = byPip->second;
            else if (auto byService = serviceByHost.find(host); byService != serviceByHost.end())
                origin.dataServiceId = byService->second;
            else if (!host.empty() && host.front() != '{' && host.front() != '[')
                snap.diagnostics.push_back({ Diagnostic::Level::Note, origin.where,
                    edge.name + " forwards to origin " + origin.host
                        + ", which names no public IP or data service in the export (a custom domain, a web "
                          "app or a resource outside it): what it exposes there is not analysed" });
            else if (!host.empty())
                snap.diagnostics.push_back({ Diagnostic::Level::Warning, origin.where,
                    edge.name + " forwards to origin " + origin.host
                        + ", a template value the export does not give: the origin is not identified" });
        }
    }
}

// Private endpoints: each approved connection to a data service in the export makes the endpoint's
// interface lead to that service (the exported interface, or one standing in for it in its subnet).
void linkPrivateEndpoints(Snapshot& snap)
{
    for (auto& [id, pe] : snap.privateEndpoints) {
        const PrivateEndpoint::Connection* conn = nullptr;
        for (const auto& c : pe.connections)
            if (c.approved && snap.dataServices.count(c.serviceId)) {
                conn = &c;
                break;
            }
        if (!conn)
            continue;
        std::vector<std::string> nicIds;
        for (const auto& nicId : pe.nicIds)
            if (snap.nics.count(nicId))
                nicIds.push_back(nicId);
        for (auto& [nicId, nic] : snap.nics)
            if (nic.privateEndpointId == id && std::find(nicIds.begin(), nicIds.end(), nicId) == nicIds.end())
                nicIds.push_back(nicId);
        if (nicIds.empty()) {
            // The interface is not in the export: one stands in for it at the endpoint's address
            // (or anywhere in its subnet when the export does not say).
            NetworkInterface nic;
            nic.id = id + "/networkinterface";
            nic.displayId = nic.id;
            nic.name = pe.name;
            nic.where = pe.where;
            IpConfiguration ipc;
            ipc.id = nic.id + "/ipconfigurations/privateendpoint";
            ipc.name = "privateendpoint";
            ipc.nicId = nic.id;
            ipc.subnetId = pe.subnetId;
            ipc.where = pe.where;
            if (!pe.addresses.isEmpty()) {
                ipc.privateRange = pe.addresses;
                if (pe.addresses.intervals().size() == 1
                    && pe.addresses.intervals().front().first == pe.addresses.intervals().front().last)
                    ipc.privateIp = pe.addresses.intervals().front().first;
            }
            nic.ipConfigurations.push_back(std::move(ipc));
            nicIds.push_back(nic.id);
            snap.nics.emplace(nic.id, std::move(nic));
        }
        for (const auto& nicId : nicIds) {
            auto& nic = snap.nics.at(nicId);
            nic.privateEndpointId = id;
            nic.serviceId = conn->serviceId;
            nic.nsgId.clear(); // a private endpoint's interface has no NSG of its own
        }
    }
}

// Gateways whose on-premises prefixes the export cannot give: say so once per gateway.
void noteHybrid(Snapshot& snap)
{
    for (const auto& [id, gw] : snap.vnetGateways) {
        bool connected = false, bgp = false;
        for (const auto& [cid, c] : snap.gatewayConnections)
            if (c.gatewayId == id) {
                auto local = snap.localGateways.find(c.localGatewayId);
                connected = connected || local != snap.localGateways.end();
                bgp = bgp || (local != snap.localGateways.end() && local->second.bgp)
                    || local == snap.localGateways.end();
            }
        if (!connected || bgp)
            snap.diagnostics.push_back({ Diagnostic::Level::Note, gw.where,
                "virtual network gateway " + gw.name
                    + (connected ? " learns on-premises prefixes over BGP"
                                 : " has no local network gateway in the export")
                    + ": the on-premises address spaces in the VirtualNetwork tag are not all known, so default rules "
                      "may admit on-premises sources the analysis does not list" });
    }
}

} // namespace

void linkAzure(Snapshot& snap, const std::vector<EffectiveLink>& effective)
{
    linkProxies(snap);
    linkEdges(snap);
    linkPrivateEndpoints(snap);
    noteHybrid(snap);
    auto note = [&](Diagnostic::Level level, const SourceLocation& where, std::string msg) {
        snap.diagnostics.push_back({ level, where, std::move(msg) });
    };
    for (const auto& e : effective) {
        if (!e.nicId.empty()) {
            if (auto it = snap.nics.find(e.nicId); it != snap.nics.end() && it->second.nsgId.empty())
                it->second.nsgId = e.nsgId;
        }
        if (!e.subnetId.empty()) {
            if (auto it = snap.subnets.find(e.subnetId); it != snap.subnets.end() && it->second.nsgId.empty())
                it->second.nsgId = e.nsgId;
        }
    }
    // Dangling NSG references: evaluate as an NSG that allows everything, and say so. Treating it
    // as absent would close Standard-SKU frontends, a "not reachable" we cannot justify.
    auto ensureNsg = [&](const std::string& nsgId, const SourceLocation& where, const std::string& who) {
        if (nsgId.empty() || snap.nsgs.count(nsgId))
            return;
        note(Diagnostic::Level::Warning, where,
            who + " refers to network security group " + lastSegment(nsgId)
                + ", which is not in the export; it is assumed to allow all traffic");
        auto& nsg = snap.nsgs[nsgId];
        nsg.id = nsgId;
        nsg.displayId = nsgId;
        nsg.name = lastSegment(nsgId);
        nsg.synthetic = true;
        nsg.where = where;
        nsg.rules.push_back(
            allowAllRule(nsgId + "/assumed-allow-all", "(not in export: assumed allow all)", 100, where));
    };
    for (auto& [id, subnet] : snap.subnets)
        ensureNsg(subnet.nsgId, subnet.where, "subnet " + subnet.name);
    for (auto& [id, nic] : snap.nics) {
        ensureNsg(nic.nsgId, nic.where, "network interface " + nic.name);
        for (auto& ipc : nic.ipConfigurations) {
            if (!ipc.subnetId.empty() && !snap.subnets.count(ipc.subnetId))
                note(Diagnostic::Level::Warning, ipc.where,
                    "network interface " + nic.name + " is in subnet " + lastSegment(ipc.subnetId)
                        + ", which is not in the export; its subnet NSG is unknown and assumed to allow all traffic");
            if (!ipc.publicIpId.empty() && !snap.publicIps.count(ipc.publicIpId))
                note(Diagnostic::Level::Warning, ipc.where,
                    "network interface " + nic.name + " uses public IP " + lastSegment(ipc.publicIpId)
                        + ", which is not in the export; it is assumed to exist with an unknown SKU");
            for (const auto& asg : ipc.asgIds)
                if (!snap.asgs.count(asg)) {
                    snap.asgs[asg] = { asg, lastSegment(asg), ipc.where };
                }
        }
        if (!nic.vmId.empty()) {
            auto& vm = snap.vms[nic.vmId];
            if (vm.id.empty()) {
                vm.id = nic.vmId;
                vm.displayId = nic.vmId;
                vm.name = lastSegment(nic.vmId);
                vm.where = nic.where;
            }
            if (std::find(vm.nicIds.begin(), vm.nicIds.end(), id) == vm.nicIds.end())
                vm.nicIds.push_back(id);
        }
    }
    for (auto& [vmId, vm] : snap.vms)
        for (const auto& nicId : vm.nicIds)
            if (auto it = snap.nics.find(nicId); it != snap.nics.end() && it->second.vmId.empty())
                it->second.vmId = vmId;
    // Back references from public IPs and load balancer pools to NIC IP configurations.
    std::unordered_map<std::string, IpConfiguration*> ipcs;
    for (auto& [id, nic] : snap.nics)
        for (auto& ipc : nic.ipConfigurations)
            ipcs[ipc.id] = &ipc;
    for (auto& [id, pip] : snap.publicIps)
        if (auto it = ipcs.find(pip.ipConfigurationId); it != ipcs.end() && it->second->publicIpId.empty())
            it->second->publicIpId = id;
    for (auto& [id, lb] : snap.loadBalancers) {
        for (auto& pool : lb.pools)
            for (const auto& ipcId : pool.ipConfigurationIds)
                if (auto it = ipcs.find(ipcId); it != ipcs.end()) {
                    auto& pools = it->second->backendPoolIds;
                    if (std::find(pools.begin(), pools.end(), pool.id) == pools.end())
                        pools.push_back(pool.id);
                }
        for (auto& nat : lb.natRules)
            if (auto it = ipcs.find(nat.backendIpConfigurationId); it != ipcs.end()) {
                auto& rules = it->second->natRuleIds;
                if (std::find(rules.begin(), rules.end(), nat.id) == rules.end())
                    rules.push_back(nat.id);
            }
    }
    // Managed data services: what depends on every file having been read.
    for (auto& [id, svc] : snap.dataServices) {
        const std::string type = toLower(svc.type);
        if (svc.engine.empty()) {
            // Only firewall rules were exported: the server itself is missing.
            note(Diagnostic::Level::Warning, svc.entries.empty() ? svc.where : svc.entries.front().where,
                "firewall rules refer to " + svc.name
                    + ", which is not in the export; its public network access is assumed enabled");
            svc.where = svc.entries.empty() ? svc.where : svc.entries.front().where;
            if (type == "microsoft.sql/servers") {
                svc.engine = "sqlserver";
                svc.tcpPorts.add(1433, 1433);
            } else if (type.find("postgresql") != std::string::npos) {
                svc.engine = "postgresql";
                svc.tcpPorts.add(5432, 5432);
            } else if (type.find("mysql") != std::string::npos) {
                svc.engine = "mysql";
                svc.tcpPorts.add(3306, 3306);
            } else if (type == "microsoft.cache/redis") {
                svc.engine = "redis";
                svc.tcpPorts.add(6379, 6380); // enableNonSslPort unknown: both, towards reachability
            }
        }
        if (type == "microsoft.cache/redis" && svc.entries.empty()) {
            svc.defaultAllow = true; // Redis: no firewall rules means every client address is allowed
            svc.defaultWhy = "no firewall rules: every client address is allowed";
            svc.defaultWhere = svc.where;
        }
    }
    // Default rules, evaluation order, and duplicate priorities (Azure refuses those).
    for (auto& [id, nsg] : snap.nsgs) {
        if (nsg.synthetic || nsg.type != NetworkSecurityGroup().type)
            continue; // Azure's default rules and priorities are for Azure NSGs only
        for (auto& d : defaultSecurityRules(id, nsg.where)) {
            const bool present = std::any_of(nsg.rules.begin(), nsg.rules.end(), [&](const SecurityRule& r) {
                return r.inbound == d.inbound && (r.priority == d.priority || toLower(r.name) == toLower(d.name));
            });
            if (!present)
                nsg.rules.push_back(std::move(d));
        }
        // Exports list rules by priority almost always; sorting large structs is then pure cost.
        const auto byDirectionAndPriority = [](const SecurityRule& a, const SecurityRule& b) {
            return a.inbound != b.inbound ? a.inbound : a.priority < b.priority;
        };
        if (!std::is_sorted(nsg.rules.begin(), nsg.rules.end(), byDirectionAndPriority))
            std::stable_sort(nsg.rules.begin(), nsg.rules.end(), byDirectionAndPriority);
        for (std::size_t i = 1; i < nsg.rules.size(); ++i) {
            const auto& a = nsg.rules[i - 1];
            const auto& b = nsg.rules[i];
            // Rules read towards reachability from an unevaluated template sit at 99 together.
            if (a.inbound == b.inbound && a.priority == b.priority && !(a.id == b.id && a.name == b.name)
                && a.assumption.empty() && b.assumption.empty())
                note(Diagnostic::Level::Error, b.where,
                    "rules \"" + a.name + "\" and \"" + b.name + "\" of " + nsg.name + " both have priority "
                        + std::to_string(b.priority) + " " + (b.inbound ? "inbound" : "outbound")
                        + "; Azure requires unique priorities, so the export is inconsistent");
        }
        // The same rule exported twice (NSG list plus a rule GET): keep one.
        nsg.rules.erase(std::unique(nsg.rules.begin(), nsg.rules.end(),
                            [](const SecurityRule& a, const SecurityRule& b) {
                                return a.inbound == b.inbound && a.priority == b.priority && a.id == b.id
                                    && a.name == b.name;
                            }),
            nsg.rules.end());
    }
}

} // namespace ew
