#include "engine.h"

namespace ew::engine {

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
        // Private endpoints only, or no public endpoint at all: no internet path.
        if (svc->publicAccess == ManagedDataService::PublicAccess::Disabled || svc->privateOnly
            || svc->tcpPorts.isEmpty())
            continue;
        auto analyst = m_opt.analystDataStores.find(svc->id);
        AddressSet allowed;
        std::vector<RuleEvidence> evidence;
        std::vector<std::string> assumptions;
        auto evidenceOf = [&](const std::string& rule, const SourceLocation& where) {
            RuleEvidence ev;
            ev.filterId = svc->displayId;
            ev.filterName = svc->name;
            ev.level = "service-firewall";
            ev.ruleName = rule;
            ev.ruleId = svc->id + "/" + toLower(rule);
            ev.allow = true;
            ev.where = where;
            return ev;
        };
        if (svc->defaultAllow) {
            allowed = internet;
            evidence.push_back(evidenceOf(svc->defaultWhy, svc->defaultWhere));
        } else {
            for (const auto& e : svc->entries) {
                const ServiceTagRanges* azureCloud = e.azureServices ? m_ctx.serviceTag("AzureCloud") : nullptr;
                if (azureCloud) {
                    // Microsoft Learn, "Azure SQL Database and Azure Synapse IP firewall rules":
                    // the rule admits connections from Azure, whose public ranges are the AzureCloud
                    // service tag; the tag file in the export lists them exactly.
                    const AddressSet range = azureCloud->addresses.intersected(internet);
                    assumptions.push_back("firewall rule " + e.name + " of " + svc->name
                        + " allows Azure services: any Azure-hosted client, other tenants' machines included, from "
                          "the AzureCloud ranges published in "
                        + serviceTagVersion(*azureCloud));
                    if (!range.isEmpty()) {
                        allowed = allowed.united(range);
                        evidence.push_back(evidenceOf(e.name, e.where));
                    }
                } else if (e.azureServices) {
                    // "Allow Azure services" admits any Azure-hosted client, other tenants' machines
                    // included: modelled as any internet address.
                    allowed = internet;
                    assumptions.push_back("firewall rule " + e.name + " of " + svc->name
                        + " allows Azure services: any Azure-hosted client, other tenants' machines included, is "
                          "assumed to be any internet address");
                    evidence.push_back(evidenceOf(e.name, e.where));
                } else if (e.range.intersects(internet)) {
                    allowed = allowed.united(e.range.intersected(internet));
                    evidence.push_back(evidenceOf(e.name, e.where));
                }
            }
        }
        if (allowed.isEmpty())
            continue;
        Finding f;
        f.target = { svc->displayId, svc->name, svc->type, StepKind::ManagedService };
        if (analyst != m_opt.analystDataStores.end() && analyst->second.empty()) {
            f.dataStore.basis = DataStoreMatch::Basis::Analyst;
            f.dataStore.reason = "marked as not a data store by the analyst";
        } else {
            f.dataStore = { svc->engine, DataStoreMatch::Basis::ServiceType, "service type " + svc->type };
        }
        f.protocol = "tcp";
        fillPackets(f, PacketSet::box(maskOf(Protocol::Tcp), svc->tcpPorts, allowed), universe, false);
        f.hops = 1;
        f.path = { internetStep(),
            { svc->displayId + "/firewall", svc->name + " firewall", svc->type + "/firewall",
                StepKind::ServiceFirewall },
            f.target };
        f.rules = std::move(evidence);
        f.assumptions = std::move(assumptions);
        f.frontendAddress = svc->endpoint;
        f.frontendPorts = f.ports;
        std::string rules;
        for (const auto& r : f.rules)
            rules += (rules.empty() ? "" : ", ") + r.ruleName;
        f.explanation = "TCP " + portsText(f.ports) + " from " + sourcesText(f) + " reaches " + svc->name + " ("
            + svc->type + ") at its public endpoint" + (svc->endpoint.empty() ? std::string() : " " + svc->endpoint)
            + ": the service firewall allows it (" + rules + ").";
        FindingBody body;
        body.broad = f.wholeInternet || broadSources(allowed);
        severity(f, body);
        f.id = stableId({ svc->id, "service-endpoint", f.protocol, "1" });
        out.push_back(std::move(f));
    }
}

// One flow to a managed data service: its public endpoint, then its own firewall.
QueryResult queryService(const ManagedDataService& svc, const FlowQuery& query, const PolicyContext& ctx)
{
    QueryResult result;
    result.target = { svc.displayId, svc.name, svc.type, StepKind::ManagedService };
    PathVerdict pv;
    std::optional<u128> source;
    if (!query.fromInternet) {
        source = parseAddress(query.source);
        if (!source) {
            result.error = "\"" + query.source + "\" is not an IP address (use an address or \"internet\")";
            return result;
        }
    }
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
    firewall.step
        = { svc.displayId + "/firewall", svc.name + " firewall", svc.type + "/firewall", StepKind::ServiceFirewall };
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
        : through.isEmpty()   ? "no firewall rule admits this source (the firewall denies by default)"
                              : "admitted by the service firewall";
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
