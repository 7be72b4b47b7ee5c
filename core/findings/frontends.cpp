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
        f.publicIpId = ipc.publicIpId;
        f.steps.push_back({ pip && !pip->id.empty() ? pip->id : ipc.publicIpId, name,
            (pip ? pip->type : PublicIpAddress().type), StepKind::PublicAddress });
        f.address = pip ? pip->address : std::string();
        f.frontendPorts = { { 0, 65535 } };
        // Only clients of the public IP's address family can reach it.
        f.filter = PacketSet::box(
            kAllProtocols, PortSet::all(), pip && pip->ipv6 ? AddressSet::allV6() : AddressSet::allV4());
        f.filterKey = pip && pip->ipv6 ? "pip6" : "pip4";
        skuOf(pip, PublicIpAddress::Sku::Unknown, "public IP " + name, f.standard);
        // AWS: only clients whose replies the subnet routes to an internet gateway reach it.
        if (auto subnet = m_snap.subnets.find(ipc.subnetId);
            subnet != m_snap.subnets.end() && subnet->second.needsInternetRoute) {
            const AddressSet& routed = internetRouted(ipc.subnetId, f.assumptions);
            f.filter = f.filter.intersected(PacketSet::box(kAllProtocols, PortSet::all(), routed));
            f.filterKey += "|routed:" + ipc.subnetId; // empty when no route leads to an internet gateway
            if (auto igw = internetGatewayStep(ipc.subnetId))
                f.steps.insert(f.steps.begin(), *igw);
        }
        if (pip && pip->address.empty())
            f.assumptions.push_back("public IP " + name
                + (pip->unknownAddress.empty()
                        ? " has no address in the export (dynamic and not allocated, or the VM is deallocated)"
                        : " " + pip->unknownAddress)
                + ": evaluated as if it had one");
        f.description = "public IP " + name + (f.address.empty() ? std::string() : " (" + f.address + ")");
        out.push_back(std::move(f));
    }
    // Public load balancers: rules on a backend pool holding this IP configuration, and NAT rules.
    for (const auto& entry : m_snap.loadBalancers) {
        const LoadBalancer& lb = entry.second; // a reference lambdas capture (clang 14: not a structured binding)
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
                        const SourceLocation& where, const char* level, ProtocolMask protocols,
                        const PortSet& backendPorts, std::vector<PortRange> frontendPorts) {
            if (!fe || fe->publicIpId.empty())
                return; // internal frontend: not internet-facing
            const PublicIpAddress* pip = publicIpOf(fe);
            Frontend f;
            f.key = ruleId;
            f.publicIpId = fe->publicIpId;
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
            ev.filterId = m_evidenceTexts(lb.id);
            ev.filterName = m_evidenceTexts(lb.name);
            ev.level = m_evidenceTexts(level);
            ev.ruleName = m_evidenceTexts(ruleName);
            ev.ruleId = m_evidenceTexts(ruleId);
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
    edgeFrontends(out);
    // Replies to internet clients leave by the subnet's routes: a default route to an appliance
    // makes the path asymmetric (stated on every frontend whose clients are internet addresses).
    if (const std::string note = returnPathAssumption(ipc.subnetId); !note.empty())
        for (auto& fe : out)
            if (std::none_of(fe.steps.begin(), fe.steps.end(), [](const PathStep& s) {
                    // behind a gateway or a firewall, the machine replies to the device's private address
                    return s.kind == StepKind::Gateway || s.kind == StepKind::Firewall;
                }))
                fe.assumptions.push_back(note);
    stats.frontends += out.size();
    return out;
}

// Amazon VPC User Guide, "How route priority works": "we direct traffic using the most specific route
// that matches the traffic", and of routes as specific, "Static routes" before "Prefix list routes";
// a route to a prefix list matches each of its entries.
std::vector<Engine::RouteCell> Engine::routesBySpecificity(
    const RouteTable& table, std::vector<const Route*>* unresolved) const
{
    std::vector<RouteCell> cells;
    // "Routes to IPv4 and IPv6 addresses or CIDR blocks are independent of each other": an IPv6
    // prefix (::/0 among them) holds no IPv4 address, whatever the address space shares.
    const auto add = [&](const std::string& cidr, const Route& route, bool fromList) {
        const auto p = parsePrefix(cidr);
        if (!p)
            return;
        const AddressSet written = AddressSet::range(p->first, p->last);
        cells.push_back(
            { p->v4 ? written : written.intersected(AddressSet::allV6()), p->last - p->first, &route, fromList });
    };
    for (const auto& route : table.routes) {
        if (!route.prefixIsTag) {
            if (!route.prefix.isEmpty())
                add(route.prefixText, route, false);
            continue;
        }
        const PrefixList* list = isPrefixListId(route.prefixText) ? m_ctx.prefixList(route.prefixText) : nullptr;
        if (!list || !list->entriesKnown) {
            if (unresolved)
                unresolved->push_back(&route);
            continue;
        }
        for (const auto& cidr : list->cidrs)
            add(cidr, route, true);
    }
    // Most specific first; a CIDR route before a prefix list's entry of the same length.
    std::stable_sort(cells.begin(), cells.end(), [](const RouteCell& a, const RouteCell& b) {
        return a.span != b.span ? a.span < b.span : (!a.fromList && b.fromList);
    });
    return cells;
}

// The destinations a table sends over `to`; a route to a prefix list whose entries the export
// lacks may send anything there: every address, with the consequence said.
void Engine::routesTo(
    const RouteTable& table, const std::function<bool(const Route&)>& to, const char* consequence, Routed& r)
{
    std::vector<const Route*> unresolved;
    r.addresses = destinationsRouted(table, to, unresolved);
    for (const Route* route : unresolved) {
        r.addresses = AddressSet::all();
        r.assumptions.push_back("route " + route->name + " of route table " + table.name + ": "
            + resolvePrefixList(m_ctx, route->prefixText).note + ", so " + consequence);
    }
}

AddressSet Engine::destinationsRouted(
    const RouteTable& table, const std::function<bool(const Route&)>& to, std::vector<const Route*>& unresolved) const
{
    AddressSet out, taken;
    std::vector<const Route*> lists;
    for (const RouteCell& cell : routesBySpecificity(table, &lists)) {
        const AddressSet mine = cell.prefix.subtracted(taken);
        taken = taken.united(cell.prefix);
        if (!mine.isEmpty() && to(*cell.route))
            out = out.united(mine);
    }
    for (const Route* route : lists)
        if (to(*route))
            unresolved.push_back(route);
    return out;
}

// Amazon VPC User Guide, "Route tables" and "Enable internet access for a VPC using an internet
// gateway": a subnet is public when its route table (its own, else the VPC's main table) sends the
// destination to an internet gateway attached to the VPC; the most specific route wins, and a
// blackhole route drops. An egress-only gateway admits nothing inbound.
const AddressSet& Engine::internetRouted(const std::string& subnetId, std::vector<std::string>& assumptions)
{
    auto memo = m_internetRouted.find(subnetId);
    if (memo == m_internetRouted.end()) {
        Routed r;
        const Subnet& subnet = m_snap.subnets.at(subnetId);
        auto table = m_snap.routeTables.find(subnet.routeTableId);
        if (table == m_snap.routeTables.end()) {
            r.addresses = AddressSet::all();
            r.assumptions.push_back("the route table of subnet " + subnet.name
                + " is not in the export: a route to an internet gateway is assumed");
        } else {
            const auto vnet = m_snap.vnets.find(subnet.vnetId);
            const bool gatewaysKnown = vnet != m_snap.vnets.end() && !vnet->second.internetGatewayIds.empty();
            const auto toGateway = [&](const Route& route) {
                if (route.nextHopType != "InternetGateway" || route.blackhole)
                    return false;
                const bool attached = vnet != m_snap.vnets.end()
                    && std::find(vnet->second.internetGatewayIds.begin(), vnet->second.internetGatewayIds.end(),
                           route.nextHopAddress)
                        != vnet->second.internetGatewayIds.end();
                if (!attached && gatewaysKnown)
                    return false; // a gateway that is not attached to this VPC carries nothing
                if (!attached)
                    r.assumptions.push_back("internet gateway " + route.nextHopAddress + " of route table "
                        + table->second.name + " is not in the export: assumed attached to the VPC");
                return true;
            };
            // A route to a prefix list whose entries the export lacks: towards reachability, it may
            // send any client to the internet gateway (other targets are left out: they only take
            // clients away).
            routesTo(table->second, toGateway, "every client is assumed routed to the internet gateway", r);
        }
        memo = m_internetRouted.emplace(subnetId, std::move(r)).first;
    }
    assumptions.insert(assumptions.end(), memo->second.assumptions.begin(), memo->second.assumptions.end());
    return memo->second.addresses;
}

// The internet gateway on the way into a subnet's VPC, for the path: a VPC has at most one ("A VPC
// can have only one internet gateway attached at a time", Amazon VPC User Guide, "Internet
// gateways"). None when the export does not name it.
std::optional<PathStep> Engine::internetGatewayStep(const std::string& subnetId) const
{
    const auto subnet = m_snap.subnets.find(subnetId);
    if (subnet == m_snap.subnets.end())
        return std::nullopt;
    const auto vnet = m_snap.vnets.find(subnet->second.vnetId);
    if (vnet == m_snap.vnets.end() || vnet->second.internetGatewayIds.empty())
        return std::nullopt;
    const std::string& id = vnet->second.internetGatewayIds.front();
    return PathStep { id, id, "AWS::EC2::InternetGateway", StepKind::InternetGateway };
}

// Amazon VPC Peering Guide, "Update your route tables for a VPC peering connection": traffic between
// instances in peered VPCs needs "a route to the route tables associated with the subnets for both
// instances" whose target is the connection; a route added while the connection is pending is a
// blackhole until it is active.
const AddressSet& Engine::peeringRouted(
    const std::string& subnetId, const std::string& connection, std::vector<std::string>* assumptions)
{
    const std::string key = subnetId + "|" + connection;
    auto memo = m_peeringRouted.find(key);
    if (memo == m_peeringRouted.end()) {
        Routed r;
        const auto subnet = m_snap.subnets.find(subnetId);
        const auto table = subnet == m_snap.subnets.end() ? m_snap.routeTables.end()
                                                          : m_snap.routeTables.find(subnet->second.routeTableId);
        const auto over = [&](const Route& route) {
            return route.nextHopType == "VpcPeering" && route.nextHopAddress == connection && !route.blackhole;
        };
        if (table == m_snap.routeTables.end()) {
            r.addresses = AddressSet::all();
            r.assumptions.push_back("the route table of subnet "
                + (subnet == m_snap.subnets.end() ? lastSegment(subnetId) : subnet->second.name)
                + " is not in the export: a route over peering connection " + connection + " is assumed");
        } else {
            routesTo(table->second, over, "every address is assumed routed over the peering connection", r);
        }
        memo = m_peeringRouted.emplace(key, std::move(r)).first;
    }
    if (assumptions)
        assumptions->insert(assumptions->end(), memo->second.assumptions.begin(), memo->second.assumptions.end());
    return memo->second.addresses;
}

std::string Engine::returnPathAssumption(const std::string& subnetId)
{
    auto memo = m_returnPath.find(subnetId);
    if (memo != m_returnPath.end())
        return memo->second;
    std::string note;
    auto subnet = m_snap.subnets.find(subnetId);
    if (subnet != m_snap.subnets.end() && subnet->second.needsInternetRoute)
        subnet = m_snap.subnets.end(); // AWS routes are a filter of the frontend (internetRouted), not an assumption
    const RouteTable* table = nullptr;
    if (subnet != m_snap.subnets.end() && !subnet->second.routeTableId.empty())
        if (auto it = m_snap.routeTables.find(subnet->second.routeTableId); it != m_snap.routeTables.end())
            table = &it->second;
    if (table) {
        // Longest prefix first: each route takes the public addresses no more specific route took
        // (Microsoft Learn, "Virtual network traffic routing: how Azure selects a route").
        std::vector<const Route*> routes;
        for (const auto& r : table->routes)
            if (!r.prefixIsTag && !r.prefix.isEmpty())
                routes.push_back(&r);
        std::stable_sort(routes.begin(), routes.end(),
            [](const Route* a, const Route* b) { return a->prefix.v4Count() < b->prefix.v4Count(); });
        AddressSet taken;
        std::string named;
        for (const Route* r : routes) {
            const AddressSet mine = r->prefix.subtracted(taken).intersected(publicInternet());
            taken = taken.united(r->prefix);
            if (mine.isEmpty() || toLower(r->nextHopType) == "internet")
                continue;
            named += (named.empty() ? "" : ", ") + r->name + " (" + r->prefixText + " to " + r->nextHopType
                + (r->nextHopAddress.empty() ? std::string() : " " + r->nextHopAddress) + ")";
        }
        if (!named.empty())
            note = "route table " + table->name + " of subnet " + subnet->second.name + " sends replies to internet "
                + "clients elsewhere than the internet (" + named
                + "): the reply does not leave by the public IP it came in on, so the connection works only if that "
                  "next hop returns it (Microsoft Learn, \"Virtual network traffic routing\"); the finding is kept";
    }
    m_returnPath.emplace(subnetId, note);
    return note;
}

const AddressSet& Engine::edgeSources(std::vector<std::string>& assumptions) const
{
    static const AddressSet anyInternet = publicInternet();
    if (const ServiceTagRanges* tag = m_ctx.serviceTag("AzureFrontDoor.Backend")) {
        assumptions.push_back("Front Door and Azure CDN connect to origins from AzureFrontDoor.Backend, the ranges "
                              "published in "
            + serviceTagVersion(*tag));
        return tag->addresses;
    }
    assumptions.push_back("Front Door and Azure CDN connect to origins from AzureFrontDoor.Backend, whose ranges are "
                          "not in the export (no service tag file): any internet address is assumed");
    return anyInternet;
}

const std::vector<EdgeLeg>& Engine::edgeLegs(const std::string& originId)
{
    if (!m_edgeLegsBuilt) {
        m_edgeLegsBuilt = true;
        std::vector<const EdgeService*> edges;
        for (const auto& [id, edge] : m_snap.edges)
            edges.push_back(&edge);
        std::sort(edges.begin(), edges.end(), [](auto* a, auto* b) { return a->id < b->id; });
        for (const auto* edge : edges) {
            if (!edge->enabled)
                continue;
            for (const auto& route : edge->routes) {
                if (!route.enabled || edge->disabledEndpoints.count(route.endpointId))
                    continue;
                for (const auto& origin : edge->origins) {
                    if (!origin.enabled || origin.groupId != route.originGroupId
                        || (!origin.privateLinkId.empty() && !origin.privateLinkApproved))
                        continue;
                    EdgeLeg leg { edge, &route, &origin, {} };
                    using F = EdgeRoute::Forwarding;
                    if (route.acceptsHttp)
                        leg.ports.emplace_back(
                            80, route.forwarding == F::HttpsOnly ? origin.httpsPort : origin.httpPort);
                    if (route.acceptsHttps)
                        leg.ports.emplace_back(
                            443, route.forwarding == F::HttpOnly ? origin.httpPort : origin.httpsPort);
                    if (leg.ports.empty())
                        continue;
                    if (!origin.publicIpId.empty())
                        m_edgeLegs[origin.publicIpId].push_back(leg);
                    if (!origin.dataServiceId.empty())
                        m_edgeLegs[origin.dataServiceId].push_back(leg);
                }
            }
        }
    }
    static const std::vector<EdgeLeg> none;
    auto it = m_edgeLegs.find(originId);
    return it == m_edgeLegs.end() ? none : it->second;
}

void Engine::edgeFrontends(std::vector<Frontend>& out)
{
    if (m_snap.edges.empty())
        return;
    const std::size_t direct = out.size();
    for (std::size_t k = 0; k < direct; ++k) {
        const Frontend base = out[k]; // out grows below
        if (base.publicIpId.empty())
            continue;
        for (const auto& leg : edgeLegs(base.publicIpId)) {
            // The origin ports this frontend takes, and what each becomes at the machine.
            PortSet clientPorts, targetPorts;
            std::vector<std::pair<PortRange, PortSet>> toTarget;
            auto takes = [&](std::uint32_t port) {
                return std::any_of(base.frontendPorts.begin(), base.frontendPorts.end(),
                    [&](const PortRange& r) { return r.first <= port && port <= r.last; });
            };
            for (const auto& [client, origin] : leg.ports) {
                if (!takes(origin))
                    continue;
                clientPorts.add(client, client);
                PortSet reached; // at the machine, for this client port
                if (base.proxy)
                    reached = base.backendPorts;
                else if (base.frontendPorts.size() == 1 && base.frontendPorts.front() == PortRange { 0, 65535 })
                    reached = PortSet::range(origin, origin); // a public IP or HA ports: no translation
                else
                    reached = base.filter.ports(Protocol::Tcp); // a load-balancing rule
                for (const auto& r : reached.ranges())
                    targetPorts.add(r.first, r.last);
                toTarget.emplace_back(PortRange { client, client }, std::move(reached));
            }
            if (clientPorts.isEmpty() || targetPorts.isEmpty())
                continue;
            Frontend f = base;
            const auto& edge = *leg.edge;
            f.key = base.key + "|edge:" + leg.route->id + "/" + leg.origin->name;
            f.steps.insert(f.steps.begin(), { edge.id, edge.name, edge.type, StepKind::EdgeService });
            f.frontendPorts = clientPorts.ranges();
            f.frontendToTarget = std::move(toTarget);
            f.address.clear(); // clients connect to the edge's own address
            f.evidence.insert(f.evidence.begin(), leg.evidence());
            f.description = edge.label + " " + edge.name + " (route " + leg.route->name + " to origin "
                + leg.origin->host + "), then " + base.description;
            const AddressSet& sources = edgeSources(f.assumptions);
            f.assumptions.push_back(edge.label + " " + edge.name
                + " accepts any client: a WAF policy is context, not a network filter, and the origin cannot tell "
                  "another customer's Front Door from this one by address (Microsoft Learn, \"Secure traffic to "
                  "Azure Front Door origins\")");
            const AddressSet& anyClient = publicInternet();
            if (base.proxy) {
                // The origin is a gateway: its subnet NSG must admit the edge's addresses.
                if (!base.clients.intersects(sources))
                    continue;
                f.clients = anyClient;
                f.filterKey = base.filterKey + "|edge:" + leg.route->id + "/" + leg.origin->name;
            } else {
                f.proxy = true;
                f.proxySources = std::make_shared<const AddressSet>(sources.intersected(
                    base.filter.allSources().isEmpty() ? AddressSet::all() : base.filter.allSources()));
                f.clients = anyClient;
                f.proxyProtocols = maskOf(Protocol::Tcp);
                f.backendPorts = targetPorts;
                f.filterKey = "edge:" + leg.route->id + "/" + leg.origin->name + "|" + base.filterKey + "|"
                    + targetPorts.toString();
            }
            out.push_back(std::move(f));
        }
    }
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
        if (device.kind == ProxyDevice::Kind::LoadBalancer) {
            loadBalancerFrontends(device, ipc, out);
            continue;
        }
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
            f.publicIpId = fw.frontendPublicIpId;
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
            rule.filterId = m_evidenceTexts(device.id);
            rule.filterName = m_evidenceTexts(device.name);
            rule.level = m_evidenceTexts(gateway ? "application-gateway" : "firewall-dnat");
            rule.ruleName = m_evidenceTexts(fw.name);
            rule.ruleId = m_evidenceTexts(fw.id);
            rule.allow = true;
            rule.where = fw.where;
            f.evidence.push_back(rule);
            if (gateway && subnet != m_snap.subnets.end() && !subnet->second.nsgId.empty()) {
                const auto& nsg = m_snap.nsgs.at(subnet->second.nsgId);
                f.deviceNsgIds.push_back(nsg.id);
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
                const NsgVerdict v = evaluate(nsg, rules, arriving);
                f.clients = v.allowed.allSources();
                allowEvidence(nsg, v, "gateway-subnet", v.allowed, f.evidence.edit(), m_evidenceTexts);
            }
            f.filterKey = "proxy:" + f.key;
            out.push_back(std::move(f));
        }
    }
}

// AWS load balancers. Clients reach a node of an internet-facing load balancer when its subnet
// routes them to an internet gateway and its network ACL and the load balancer's security groups
// admit them on the listener port ("The security group for the load balancer and any network ACLs
// for the load balancer subnets must allow inbound traffic from the clients and outbound traffic to
// the clients on the listener ports", Application Load Balancer guide, "Troubleshoot"). An
// Application or Classic Load Balancer opens its own connection to the target, whose filters see
// the node's private address ("your server access logs only contain the IP address of the load
// balancer", "HTTP headers and Application Load Balancers"); a Network Load Balancer that preserves
// client addresses passes the client's address through (Network Load Balancer guide, "Client IP
// preservation").
void Engine::loadBalancerFrontends(const ProxyDevice& device, const IpConfiguration& ipc, std::vector<Frontend>& out)
{
    if (!device.internetFacing)
        return; // internal: "can route requests only from clients with access to the VPC"
    for (const auto& fw : device.forwards) {
        if (std::find(fw.backendIpConfigurationIds.begin(), fw.backendIpConfigurationIds.end(), ipc.id)
            == fw.backendIpConfigurationIds.end())
            continue;
        Frontend f;
        f.key = device.id + "|" + fw.id;
        f.standard = true;
        f.frontendPorts = fw.frontendPorts.ranges();
        RuleEvidence listener;
        listener.filterId = m_evidenceTexts(device.id);
        listener.filterName = m_evidenceTexts(device.name);
        listener.level = m_evidenceTexts("load-balancer");
        listener.ruleName = m_evidenceTexts(fw.name);
        listener.ruleId = m_evidenceTexts(fw.id);
        listener.allow = true;
        listener.where = fw.where;
        f.evidence.push_back(std::move(listener));
        if (!fw.assumption.empty())
            f.assumptions.push_back(fw.assumption);
        std::string levelsSaid; // what the first node that admits clients says, for the explanation
        AddressSet clients, nodeAddresses;
        const AddressSet family = device.dualStack ? AddressSet::all() : AddressSet::allV4();
        for (const auto& nodeId : device.nodeInterfaceIds) {
            auto nit = m_snap.nics.find(nodeId);
            if (nit == m_snap.nics.end() || nit->second.ipConfigurations.empty())
                continue;
            const NetworkInterface& node = nit->second;
            const IpConfiguration& nodeIpc = node.ipConfigurations.front();
            nodeAddresses = nodeAddresses.united(m_ctx.possibleAddresses(nodeIpc));
            const std::string vnetId = m_ctx.vnetOfSubnet(nodeIpc.subnetId);
            AddressSet reaching = m_ctx.internetSpace(vnetId).intersected(family);
            if (!fw.anyClient)
                reaching = reaching.intersected(fw.clientSources);
            if (m_snap.subnets.count(nodeIpc.subnetId))
                reaching = reaching.intersected(internetRouted(nodeIpc.subnetId, f.assumptions));
            else
                f.assumptions.push_back((nodeIpc.subnetId.empty() ? "the subnets" : "subnet " + nodeIpc.subnetId)
                    + " of load balancer " + device.name + (nodeIpc.subnetId.empty() ? " are" : " is")
                    + " not in the export: a route to an internet gateway and an open network ACL are assumed");
            const TargetEval nt = evaluateTarget(node, nodeIpc, m_ctx.internetSpace(vnetId), true);
            for (const auto& level : nt.levels) {
                std::vector<std::string> ids = level.members;
                if (level.nsg)
                    ids.push_back(level.nsg->id);
                for (const auto& id : ids) {
                    m_proxyDependents[id].insert(ipc.id);
                    if (std::find(f.deviceNsgIds.begin(), f.deviceNsgIds.end(), id) == f.deviceNsgIds.end())
                        f.deviceNsgIds.push_back(id);
                }
            }
            const PacketSet arriving
                = nt.allowed->intersected(PacketSet::box(fw.protocols, fw.frontendPorts, reaching));
            if (arriving.isEmpty())
                continue;
            clients = clients.united(arriving.allSources());
            f.assumptions.insert(f.assumptions.end(), nt.assumptions.begin(), nt.assumptions.end());
            for (auto ev : evidence(nt, arriving)) {
                ev.level = "lb-" + ev.level;
                if (std::none_of(f.evidence.begin(), f.evidence.end(),
                        [&](const RuleEvidence& e) { return e.ruleId == ev.ruleId && e.filterId == ev.filterId; }))
                    f.evidence.push_back(std::move(ev));
            }
            if (levelsSaid.empty())
                for (const auto& level : nt.levels) {
                    FilterEval said = level;
                    said.level = "lb-" + level.level;
                    levelsSaid += "; " + filterSentence(said, f.evidence);
                }
        }
        if (clients.isEmpty())
            continue;
        f.description = device.label + " " + device.name + " (" + fw.detail + levelsSaid + ")";
        // A target whose security groups admit the load balancer's own groups accepts what came
        // through it, whatever the client's address (Network Load Balancer guide, "Security groups").
        // A target whose security groups admit the load balancer's own groups on the target port
        // accepts what came through it, whatever the client's address (Network Load Balancer guide,
        // "Security groups for your Network Load Balancer").
        bool admitsDevice = false;
        if (fw.preservesClient && !device.securityGroupIds.empty()) {
            const auto located = m_snap.locate(ipc.id);
            if (located.nic)
                for (const auto& sgId : located.nic->securityGroupIds)
                    if (auto sg = m_snap.nsgs.find(sgId); sg != m_snap.nsgs.end())
                        for (const auto& rule : sg->second.rules)
                            for (const auto& a : rule.source.asgIds)
                                admitsDevice = admitsDevice
                                    || (rule.inbound && !rule.disabled && (rule.protocols & fw.protocols) != 0
                                        && std::any_of(fw.backendPorts.ranges().begin(), fw.backendPorts.ranges().end(),
                                            [&](const PortRange& r) {
                                                return std::any_of(rule.destinationPorts.ranges().begin(),
                                                    rule.destinationPorts.ranges().end(), [&](const PortRange& q) {
                                                        return q.first <= r.last && r.first <= q.last;
                                                    });
                                            })
                                        && std::find(device.securityGroupIds.begin(), device.securityGroupIds.end(), a)
                                            != device.securityGroupIds.end());
        }
        // IPv6 clients of a dual-stack load balancer reach IPv4 targets translated: the target sees
        // the load balancer's address.
        const AddressSet v6Clients = device.dualStack ? clients.intersected(AddressSet::allV6()) : AddressSet();
        // The load balancer's own filters are in the evidence and the inspector, not on the path (as
        // an Application Gateway's subnet NSG): the path's filters are those guarding the target.
        if (!device.nodeInterfaceIds.empty())
            if (auto nit = m_snap.nics.find(device.nodeInterfaceIds.front());
                nit != m_snap.nics.end() && !nit->second.ipConfigurations.empty())
                if (auto igw = internetGatewayStep(nit->second.ipConfigurations.front().subnetId))
                    f.steps.push_back(*igw);
        f.steps.push_back(
            { device.id, device.name, device.type, fw.preservesClient ? StepKind::LoadBalancer : StepKind::Gateway });
        auto asProxy = [&](Frontend p, const AddressSet& admitted) {
            p.proxy = true;
            p.proxySources = std::make_shared<const AddressSet>(nodeAddresses);
            p.clients = admitted;
            p.proxyProtocols = fw.protocols;
            p.backendPorts = fw.backendPorts;
            p.filterKey = "proxy:" + p.key;
            return p;
        };
        if (!fw.preservesClient) {
            out.push_back(asProxy(std::move(f), clients));
            continue;
        }
        // The client's address passes through: the target's filters judge it. What the target
        // admits because it came through the load balancer (its groups name the load balancer's, or
        // an IPv6 client was translated) is a second way in, judged on the load balancer's address.
        if (admitsDevice || !v6Clients.isEmpty()) {
            Frontend through = asProxy(f, admitsDevice ? clients : v6Clients);
            through.key += admitsDevice ? "|admitted" : "|translated";
            through.filterKey = "proxy:" + through.key;
            through.assumptions.push_back(admitsDevice
                    ? "the security groups of the target admit the security groups of " + device.name
                        + ": what passes the load balancer reaches the target whatever the client's address (Network "
                          "Load Balancer guide, \"Security groups for your Network Load Balancer\")"
                    : "IPv6 clients of " + device.name
                        + " reach the IPv4 target translated, from the load balancer's address");
            out.push_back(std::move(through));
        }
        const AddressSet passed = clients.subtracted(admitsDevice ? AddressSet() : v6Clients);
        f.filter = PacketSet::box(fw.protocols, fw.backendPorts, passed);
        f.filterKey = "lb:" + f.key + "|";
        for (const auto& c : passed.toCidrs())
            f.filterKey += c + ",";
        out.push_back(std::move(f));
    }
}

} // namespace ew::engine
