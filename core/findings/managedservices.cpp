#include "engine.h"

namespace ew::engine {

// What a managed service's own firewall admits out of universe, the rules that admit it, and what
// the analysis assumes about them.
AddressSet Engine::serviceFirewall(const ManagedDataService& svc, const AddressSet& universe,
    std::vector<RuleEvidence>& evidence, std::vector<std::string>& assumptions) const
{
    AddressSet allowed;
    if (svc.defaultAllow) {
        evidence.push_back(serviceEvidence(svc, svc.defaultWhy, svc.defaultWhere));
        return universe;
    }
    for (const auto& e : svc.entries) {
        const ServiceTagRanges* azureCloud = e.azureServices ? m_ctx.serviceTag("AzureCloud") : nullptr;
        if (azureCloud) {
            // Microsoft Learn, "Azure SQL Database and Azure Synapse IP firewall rules": the rule
            // admits connections from Azure, whose public ranges are the AzureCloud service tag; the
            // tag file in the export lists them exactly.
            const AddressSet range = azureCloud->addresses.intersected(universe);
            assumptions.push_back("firewall rule " + e.name + " of " + svc.name
                + " allows Azure services: any Azure-hosted client, other tenants' machines included, from "
                  "the AzureCloud ranges published in "
                + serviceTagVersion(*azureCloud));
            if (!range.isEmpty()) {
                allowed = allowed.united(range);
                evidence.push_back(serviceEvidence(svc, e.name, e.where));
            }
        } else if (e.azureServices) {
            // "Allow Azure services" admits any Azure-hosted client, other tenants' machines
            // included: modelled as any internet address.
            allowed = universe;
            assumptions.push_back("firewall rule " + e.name + " of " + svc.name
                + " allows Azure services: any Azure-hosted client, other tenants' machines included, is "
                  "assumed to be any internet address");
            evidence.push_back(serviceEvidence(svc, e.name, e.where));
        } else if (e.range.intersects(universe)) {
            allowed = allowed.united(e.range.intersected(universe));
            evidence.push_back(serviceEvidence(svc, e.name, e.where));
        }
    }
    return allowed;
}

RuleEvidence Engine::serviceEvidence(
    const ManagedDataService& svc, const std::string& rule, const SourceLocation& where)
{
    RuleEvidence ev;
    ev.filterId = svc.displayId;
    ev.filterName = svc.name;
    ev.level = "service-firewall";
    ev.ruleName = rule;
    ev.ruleId = svc.id + "/" + toLower(rule);
    ev.allow = true;
    ev.where = where;
    return ev;
}

namespace {

PathStep serviceStep(const ManagedDataService& svc)
{
    return { svc.displayId, svc.name, svc.type, StepKind::ManagedService };
}

PathStep firewallStep(const ManagedDataService& svc)
{
    return { svc.displayId + "/firewall", svc.name + " " + svc.firewallLabel, svc.type + "/firewall",
        StepKind::ServiceFirewall };
}

} // namespace

DataStoreMatch Engine::serviceDataStore(const ManagedDataService& svc) const
{
    auto analyst = m_opt.analystDataStores.find(svc.id);
    if (analyst != m_opt.analystDataStores.end() && analyst->second.empty())
        return { {}, DataStoreMatch::Basis::Analyst, "marked as not a data store by the analyst" };
    return { svc.engine, DataStoreMatch::Basis::ServiceType, "service type " + svc.type };
}

void Engine::addServiceFindings(std::vector<Finding>& out)
{
    std::vector<const ManagedDataService*> services;
    for (const auto& [id, svc] : m_snap.dataServices)
        services.push_back(&svc);
    std::sort(services.begin(), services.end(), [](auto* a, auto* b) { return a->id < b->id; });
    // These services' public endpoints are IPv4 addresses: only IPv4 clients reach them.
    const AddressSet internet = m_ctx.internetSpace({}).intersected(AddressSet::allV4());
    const FamilyUniverse universe(internet);
    for (const auto* svc : services) {
        addEdgeServiceFindings(*svc, out);
        // Private endpoints only, or no public endpoint at all: no internet path.
        if (svc->publicAccess == ManagedDataService::PublicAccess::Disabled || svc->privateOnly
            || svc->tcpPorts.isEmpty())
            continue;
        std::vector<RuleEvidence> evidence;
        std::vector<std::string> assumptions;
        const AddressSet allowed = serviceFirewall(*svc, internet, evidence, assumptions);
        if (allowed.isEmpty())
            continue;
        Finding f;
        f.target = serviceStep(*svc);
        f.dataStore = serviceDataStore(*svc);
        f.protocol = "tcp";
        fillPackets(f, PacketSet::box(maskOf(Protocol::Tcp), svc->tcpPorts, allowed), universe, false);
        f.hops = 1;
        f.path = { internetStep(), firewallStep(*svc), f.target };
        f.rules = std::move(evidence);
        f.assumptions = std::move(assumptions);
        f.assumptions.insert(f.assumptions.end(), svc->assumptions.begin(), svc->assumptions.end());
        f.frontendAddress = svc->endpoint;
        f.frontendPorts = f.ports;
        std::string rules;
        for (const auto& r : f.rules)
            rules += (rules.empty() ? "" : ", ") + r.ruleName;
        f.explanation = "TCP " + portsText(f.ports) + " from " + sourcesText(f) + " reaches " + svc->name + " ("
            + svc->type + ") at its public endpoint" + (svc->endpoint.empty() ? std::string() : " " + svc->endpoint)
            + ": its " + svc->firewallLabel + " allows it (" + rules + ").";
        FindingBody body;
        body.broad = f.wholeInternet || broadSources(allowed);
        severity(f, body);
        f.id = stableId({ svc->id, "service-endpoint", f.protocol, "1" });
        out.push_back(std::move(f));
    }
}

// A service that an edge (Front Door, CDN) names as an origin is reached by any internet client
// through it: over Private Link whatever its firewall and public access say, else at its public
// endpoint when its firewall admits the edge's addresses.
void Engine::addEdgeServiceFindings(const ManagedDataService& svc, std::vector<Finding>& out)
{
    for (const auto& leg : edgeLegs(svc.id)) {
        const bool privateLink = !leg.origin->privateLinkId.empty();
        std::vector<RuleEvidence> evidence;
        std::vector<std::string> assumptions;
        const AddressSet& edgeAddresses = edgeSources(assumptions);
        if (!privateLink) {
            if (svc.publicAccess == ManagedDataService::PublicAccess::Disabled || svc.privateOnly)
                continue;
            if (serviceFirewall(svc, edgeAddresses.intersected(AddressSet::allV4()), evidence, assumptions).isEmpty())
                continue;
        }
        PortSet ports, clientPorts;
        for (const auto& [client, origin] : leg.ports)
            if (svc.tcpPorts.isEmpty() || svc.tcpPorts.contains(origin) || privateLink) {
                ports.add(origin, origin);
                clientPorts.add(client, client);
            }
        if (ports.isEmpty())
            continue;
        const auto& edge = *leg.edge;
        Finding f;
        f.target = serviceStep(svc);
        f.dataStore = serviceDataStore(svc);
        f.protocol = "tcp";
        fillPackets(
            f, PacketSet::box(maskOf(Protocol::Tcp), ports, publicInternet()), FamilyUniverse(publicInternet()), false);
        f.hops = 1;
        const PathStep edgeStep { edge.id, edge.name, edge.type, StepKind::EdgeService };
        if (privateLink)
            f.path = { internetStep(), edgeStep,
                { leg.origin->privateLinkId + "/privatelink", svc.name + " (Private Link)", PrivateEndpoint().type,
                    StepKind::ServiceEndpoint }, // the edge's own private endpoint
                f.target };
        else
            f.path = { internetStep(), edgeStep, firewallStep(svc), f.target };
        f.rules.push_back(leg.evidence());
        f.rules.insert(f.rules.end(), evidence.begin(), evidence.end());
        f.assumptions = std::move(assumptions);
        f.assumptions.push_back(edge.label + " " + edge.name
            + " accepts any client: a WAF policy is context, not a network filter (Microsoft Learn, \"Secure "
              "traffic to Azure Front Door origins\")");
        if (privateLink)
            f.assumptions.push_back(svc.name + " is reached over Private Link from " + edge.name
                + ": its firewall and public network access do not apply to that path (Microsoft Learn, \"Secure "
                  "your origin with Private Link in Azure Front Door Premium\")");
        f.frontendPorts = clientPorts.ranges();
        f.explanation = "TCP " + portsText(f.ports) + " from any internet address reaches " + svc.name + " (" + svc.type
            + ") through " + edge.label + " " + edge.name + " (route " + leg.route->name + " to origin "
            + leg.origin->host + ")"
            + (privateLink ? std::string(" over Private Link") : ": the service firewall admits the edge's addresses")
            + ".";
        FindingBody body;
        body.broad = true;
        severity(f, body);
        f.id = stableId({ svc.id, "edge", leg.route->id, leg.origin->name, "1" });
        out.push_back(std::move(f));
    }
}

// Service endpoints (Microsoft Learn, "Virtual network service endpoints"): a machine in a subnet
// that a service's virtual network rule names reaches the service with its private address, past
// the IP rules. A foothold there reaches the data store.
void Engine::addServiceEndpointFindings(
    const std::vector<TargetEval>& targets, const FootholdIndex& idx, std::vector<Finding>& out)
{
    std::vector<const ManagedDataService*> services;
    for (const auto& [id, svc] : m_snap.dataServices)
        if (!svc.vnetRules.empty() && svc.vnetRulesApply && !svc.defaultAllow && !svc.privateOnly
            && svc.publicAccess == ManagedDataService::PublicAccess::Enabled && !svc.tcpPorts.isEmpty())
            services.push_back(&svc);
    if (services.empty())
        return;
    std::sort(services.begin(), services.end(), [](auto* a, auto* b) { return a->id < b->id; });
    const AddressSet internet = m_ctx.internetSpace({}).intersected(AddressSet::allV4());
    for (const auto* svc : services) {
        std::vector<RuleEvidence> directEvidence;
        std::vector<std::string> ignored;
        const AddressSet direct = serviceFirewall(*svc, internet, directEvidence, ignored);
        AddressSet covered = direct; // internet clients who reach it without a foothold
        for (const auto& fh : idx.footholds) {
            const TargetEval& via = targets[fh.target];
            const auto rule = std::find_if(svc->vnetRules.begin(), svc->vnetRules.end(),
                [&](const ManagedDataService::VnetRule& r) { return r.subnetId == via.ipc->subnetId; });
            if (rule == svc->vnetRules.end())
                continue;
            std::vector<std::string> assumptions;
            if (auto subnet = m_snap.subnets.find(via.ipc->subnetId); subnet != m_snap.subnets.end()) {
                const auto& endpoints = subnet->second.serviceEndpoints;
                const bool enabled = std::any_of(endpoints.begin(), endpoints.end(),
                    [&](const std::string& e) { return toLower(e).rfind(toLower(svc->serviceEndpointName), 0) == 0; });
                if (!enabled && !endpoints.empty())
                    continue; // its traffic leaves with a public address: the IP rules decide
                if (!enabled)
                    assumptions.push_back("subnet " + subnet->second.name
                        + " lists no service endpoints in the export: " + svc->serviceEndpointName
                        + " is assumed enabled, as " + svc->name + "'s virtual network rule for it requires");
            }
            const Finding& footholdFinding = *fh.finding;
            const AddressSet clients = footholdFinding.packets ? footholdFinding.packets->allSources() : AddressSet();
            if (!clients.isEmpty() && clients.subtracted(covered).isEmpty())
                continue; // every client it has reaches the service directly already
            covered = covered.united(clients);
            Finding f;
            f.target = serviceStep(*svc);
            f.dataStore = serviceDataStore(*svc);
            f.protocol = "tcp";
            fillPackets(f, PacketSet::box(maskOf(Protocol::Tcp), svc->tcpPorts, AddressSet::all()),
                FamilyUniverse(AddressSet::all()), false);
            f.sources = footholdFinding.sources;
            f.wholeInternet = footholdFinding.wholeInternet;
            f.hops = 2;
            f.foothold = via.target;
            f.footholdIpConfigurationId = via.ipc->id;
            f.path = footholdFinding.path;
            f.path.push_back(firewallStep(*svc));
            f.path.push_back(f.target);
            {
                std::vector<RuleEvidence> rules = footholdFinding.rules;
                for (auto& r : rules)
                    r.hop = 1;
                RuleEvidence ev = serviceEvidence(*svc, rule->name, rule->where);
                ev.hop = 2;
                rules.push_back(std::move(ev));
                f.rules = std::move(rules);
            }
            f.assumptions = footholdFinding.assumptions;
            f.assumptions.insert(f.assumptions.end(), assumptions.begin(), assumptions.end());
            f.frontendAddress = footholdFinding.frontendAddress;
            f.frontendPorts = footholdFinding.frontendPorts;
            f.explanation = "TCP " + portsText(f.ports) + " of " + svc->name + " is reachable from " + via.target.name
                + ", which " + sourcesText(footholdFinding)
                + " can reach directly: its subnet's service endpoint traffic is admitted by " + rule->name + ".";
            FindingBody body;
            body.broad = f.wholeInternet;
            severity(f, body);
            f.id = stableId({ svc->id, "via-foothold", f.protocol, "2", via.target.id, "service-endpoint" });
            out.push_back(std::move(f));
        }
    }
}

// One flow to a managed data service: its public endpoint, then its own firewall.
QueryResult queryService(const ManagedDataService& svc, const FlowQuery& query, const PolicyContext& ctx)
{
    QueryResult result;
    result.target = { svc.displayId, svc.name, svc.type, StepKind::ManagedService };
    PathVerdict pv;
    std::optional<u128> source;
    if (!querySource(query, source, result.error))
        return result;
    const AddressSet internet = ctx.internetSpace({}).intersected(AddressSet::allV4());
    const AddressSet sources = source ? AddressSet::range(*source, *source) : internet;
    HopVerdict endpoint;
    endpoint.step = { svc.displayId, svc.name + " public endpoint", "endpoint", StepKind::ServiceEndpoint };
    endpoint.passes = svc.publicAccess == ManagedDataService::PublicAccess::Enabled && !svc.privateOnly;
    endpoint.detail = svc.publicAccess == ManagedDataService::PublicAccess::Disabled
        ? "public network access is disabled (private endpoints only)"
        : svc.privateOnly ? "the service is injected into a virtual network: no public endpoint"
                          : "public network access is enabled";
    pv.hops.push_back(endpoint);
    HopVerdict firewall;
    firewall.step = firewallStep(svc);
    result.assumptions.insert(result.assumptions.end(), svc.assumptions.begin(), svc.assumptions.end());
    const bool portOk = query.protocol == Protocol::Tcp && svc.tcpPorts.contains(query.port);
    AddressSet allowed;
    auto evidence = [&](const std::string& name, const SourceLocation& where) {
        RuleEvidence ev;
        ev.filterId = svc.displayId;
        ev.filterName = svc.name;
        ev.level = "service-firewall";
        ev.ruleName = name;
        ev.allow = true;
        ev.where = where;
        firewall.rules.push_back(std::move(ev));
    };
    if (svc.defaultAllow) {
        allowed = internet.united(sources);
        evidence(svc.defaultWhy, svc.defaultWhere);
    }
    for (const auto& e : svc.entries) {
        // "Allow Azure services": the AzureCloud ranges when the export has the service tag file
        // (as in the findings), else any internet address.
        const ServiceTagRanges* azureCloud = e.azureServices ? ctx.serviceTag("AzureCloud") : nullptr;
        const AddressSet range = azureCloud ? azureCloud->addresses : e.azureServices ? publicInternet() : e.range;
        if (range.intersects(sources)) {
            allowed = allowed.united(range);
            evidence(e.name, e.where);
        }
        if (azureCloud)
            result.assumptions.push_back("firewall rule " + e.name
                + " allows Azure services: the AzureCloud ranges published in " + serviceTagVersion(*azureCloud));
        else if (e.azureServices)
            result.assumptions.push_back(
                "firewall rule " + e.name + " allows Azure services: assumed to admit any internet address");
    }
    const AddressSet through = allowed.intersected(sources);
    firewall.passes = endpoint.passes && portOk && !through.isEmpty();
    firewall.detail = !portOk ? "the service listens on TCP " + svc.tcpPorts.toString() + " only"
        : through.isEmpty()   ? "nothing in its " + svc.firewallLabel + " admits this source (it denies by default)"
                              : "admitted by its " + svc.firewallLabel;
    pv.hops.push_back(firewall);
    pv.hops.push_back({ result.target, firewall.passes, firewall.passes ? "reached" : "not reached", {} });
    pv.reachable = firewall.passes;
    pv.frontendAddress = svc.endpoint;
    if (pv.reachable)
        pv.sources = through.containsAll(internet) ? std::vector<std::string> { "0.0.0.0/0" } : through.toCidrs();
    pv.summary = pv.reachable ? "reachable at the public endpoint"
                              : "not reachable: " + (endpoint.passes ? firewall.detail : endpoint.detail);
    result.paths.push_back(std::move(pv));
    result.reachable = result.paths.front().reachable;
    return result;
}

} // namespace ew::engine
