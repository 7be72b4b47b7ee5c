#include "engine.h"

namespace ew {

namespace engine {
namespace {

HopVerdict filterHop(const FilterEval& f, const PacketSet& arriving)
{
    HopVerdict h;
    const LevelWords named = levelWords(f.level);
    const std::string where = named.owner;
    const std::string filter = named.filter;
    if (!f.nsg) {
        h.step = { "", f.unknown ? where + " " + filter + " (unknown)" : "no " + where + " " + filter, "filter",
            StepKind::Filter };
        h.passes = true;
        h.detail = f.unknown ? "the " + where + " " + filter + " is not in the export; assumed to allow"
                             : "no " + filter + " at the " + where + " level: traffic passes this level";
        return h;
    }
    h.step = { f.nsg->displayId.empty() ? f.nsg->id : f.nsg->displayId, f.nsg->name, f.nsg->type, StepKind::Filter };
    h.passes = !f.verdict->allowed.intersected(arriving).isEmpty();
    std::string words;
    for (const auto& c : f.verdict->claims) {
        if (!c.packets.intersects(arriving))
            continue;
        const auto& rule = f.nsg->rules[c.ruleIndex];
        RuleEvidence ev;
        ev.filterId = h.step.id;
        ev.filterName = f.nsg->name;
        ev.level = f.level;
        ev.ruleName = rule.name;
        ev.ruleId = rule.id;
        ev.priority = rule.priority;
        ev.allow = rule.allow;
        ev.isDefault = rule.isDefault;
        ev.where = rule.where;
        h.rules.push_back(ev);
        words += std::string(words.empty() ? "" : "; ") + (rule.allow ? "allowed" : "denied") + " by " + rule.name
            + " (priority " + std::to_string(rule.priority) + (rule.isDefault ? ", default rule" : "") + ")";
    }
    // A security group has no deny rules: what none of its rules allows is dropped ("Security group
    // rules": "you can specify allow rules, but not deny rules").
    if (words.empty() && !arriving.isEmpty() && f.nsg->semantics == NetworkSecurityGroup::Semantics::AllowUnion)
        words = "no rule allows it (security groups deny what none of their rules allows)";
    h.detail = words.empty() ? "no packet of this flow arrives here" : words;
    return h;
}

} // namespace
} // namespace engine

using namespace engine;

namespace engine {

bool querySource(const FlowQuery& query, std::optional<u128>& source, std::string& error)
{
    if (query.fromInternet)
        return true;
    source = parseAddress(query.source);
    if (!source)
        error = "\"" + query.source + "\" is not an IP address (use an address or \"internet\")";
    return source.has_value();
}

} // namespace engine

QueryResult queryFlow(const Snapshot& snapshot, const FlowQuery& query)
{
    QueryResult result;
    AnalysisOptions options;
    Engine engine(snapshot, options);
    const auto& ctx = engine.context();
    const std::string wanted = toLower(query.target);
    const std::string wantedId = normaliseId(query.target);
    // Resolve the target: a VM (its NICs) or a NIC, by name or id.
    std::vector<const NetworkInterface*> nics;
    std::vector<std::string> matches;
    for (const auto& [id, vm] : snapshot.vms)
        if (id == wantedId || toLower(vm.name) == wanted) {
            matches.push_back(vm.displayId.empty() ? vm.id : vm.displayId);
            for (const auto& nicId : vm.nicIds)
                if (auto it = snapshot.nics.find(nicId); it != snapshot.nics.end())
                    nics.push_back(&it->second);
        }
    if (matches.empty())
        for (const auto& [id, nic] : snapshot.nics)
            if (id == wantedId || toLower(nic.name) == wanted) {
                matches.push_back(nic.displayId.empty() ? nic.id : nic.displayId);
                nics.push_back(&nic);
            }
    if (matches.empty()) {
        for (const auto& [id, svc] : snapshot.dataServices) {
            if (id != wantedId && toLower(svc.name) != wanted)
                continue;
            // A service reached through interfaces in a VPC (RDS, Redshift, ElastiCache, an
            // OpenSearch VPC domain) is queried at those interfaces.
            for (const auto& [nicId, nic] : snapshot.nics)
                if (nic.serviceId == id)
                    nics.push_back(&nic);
            if (nics.empty())
                return queryService(svc, query, ctx);
            matches.push_back(svc.displayId.empty() ? svc.id : svc.displayId);
            break;
        }
    }
    if (matches.empty()) {
        result.error
            = "no virtual machine, network interface or data service named \"" + query.target + "\" in the input";
        return result;
    }
    if (matches.size() > 1) {
        std::sort(matches.begin(), matches.end());
        result.error = "\"" + query.target + "\" is ambiguous; give one of these ids:";
        for (const auto& m : matches)
            result.error += "\n  " + m;
        return result;
    }
    std::optional<u128> sourceIp;
    if (!querySource(query, sourceIp, result.error))
        return result;
    std::sort(nics.begin(), nics.end(), [](auto* a, auto* b) { return a->id < b->id; });
    std::set<std::string> assumptions;
    for (const auto* nic : nics) {
        const ManagedDataService* service = nullptr;
        if (auto it = snapshot.dataServices.find(nic->serviceId);
            !nic->serviceId.empty() && it != snapshot.dataServices.end())
            service = &it->second;
        for (const auto& ipc : nic->ipConfigurations) {
            const std::string vnetId = ctx.vnetOfSubnet(ipc.subnetId);
            const AddressSet sources = sourceIp ? AddressSet::range(*sourceIp, *sourceIp) : ctx.internetSpace(vnetId);
            const PortSet port = PortSet::range(query.port, query.port);
            const PacketSet universe = PacketSet::box(maskOf(query.protocol), port, sources);
            TargetEval t = engine.evaluateTarget(*nic, ipc, sources, false, &universe);
            result.target = t.target;
            // A private source in another exported network that no peering routes here cannot
            // reach the machine; one outside every exported network may come over a gateway
            // (on-premises) or from a network the export lacks: evaluated as inside, with that said.
            auto inOtherVnet = [&](u128 ip) {
                if (ctx.routableSpace(vnetId).contains(ip))
                    return false;
                for (const auto& [otherId, other] : snapshot.vnets)
                    if (other.addressSpace.contains(ip))
                        return true;
                for (const auto& [subnetId, subnet] : snapshot.subnets)
                    if (subnet.prefixes.contains(ip))
                        return ctx.vnetOfSubnet(subnetId) != vnetId;
                return false;
            };
            const bool privateSource = sourceIp && !publicInternet().contains(*sourceIp);
            const bool insideSource = privateSource && !inOtherVnet(*sourceIp);
            if (insideSource && !ctx.routableSpace(vnetId).contains(*sourceIp))
                assumptions.insert(query.source
                    + " is a private address outside the exported virtual networks: assumed to reach " + t.target.name
                    + " from inside (a gateway to on-premises, or a network the export lacks)");
            auto finishPath = [&](PathVerdict& pv, const PacketSet& arriving, const TargetEval& te) {
                // Each level in turn; a level that stops everything is shown with what arrived
                // before it, so that the next level's verdict still explains itself.
                PacketSet through = arriving;
                for (const auto& level : te.levels) {
                    pv.hops.push_back(filterHop(level, through.isEmpty() ? arriving : through));
                    if (level.verdict)
                        through = through.intersected(level.verdict->allowed);
                }
                // A managed service behind the interface answers on its own ports only (as analyze()
                // says): an open security group does not make it listen on SSH.
                std::string notReached = "not reached";
                if (service && !through.isEmpty()) {
                    through = through.intersected(
                        PacketSet::box(maskOf(Protocol::Tcp), service->tcpPorts, AddressSet::all()));
                    if (through.isEmpty())
                        notReached = "not reached: " + service->name + " listens on TCP " + service->tcpPorts.toString()
                            + " only";
                }
                pv.hops.push_back({ t.target, !through.isEmpty(), through.isEmpty() ? notReached : "reached", {} });
                pv.reachable = !through.isEmpty();
                pv.sources = through.allSources().toCidrs();
                if (pv.reachable && !sourceIp && through.allSources().containsAll(sources))
                    pv.sources = { "0.0.0.0/0" };
                return through;
            };
            std::vector<std::string> feAssumptions;
            const auto frontends = engine.frontendsOf(ipc, feAssumptions);
            // AWS: a source in a peered VPC needs routes over the connection in both subnets' tables.
            const std::string unrouted
                = insideSource ? engine.peeringUnrouted(ipc, *sourceIp, feAssumptions) : std::string();
            if (!unrouted.empty()) {
                PathVerdict pv;
                pv.hops.push_back({ { "", query.source, "source" }, false, unrouted, {} });
                pv.hops.push_back({ t.target, false, "not reached", {} });
                pv.summary = "not reachable from " + query.source + ": no route";
                result.paths.push_back(std::move(pv));
            } else if (insideSource) {
                PathVerdict pv;
                pv.hops.push_back({ { "", query.source, "source" }, true,
                    "source inside the virtual network (or a peered one): no frontend needed", {} });
                finishPath(pv, universe, t);
                pv.summary = pv.reachable ? "reachable from " + query.source : "not reachable from " + query.source;
                result.paths.push_back(std::move(pv));
            } else if (sourceIp && !publicInternet().contains(*sourceIp) && inOtherVnet(*sourceIp)) {
                // A private address outside this VNet and the networks peered with it: no route
                // carries it here, and it is no internet client either.
                PathVerdict pv;
                pv.hops.push_back({ { "", query.source, "source" }, false,
                    "a private address outside the virtual network of " + t.target.name
                        + " and the networks peered with it: no route reaches it",
                    {} });
                pv.hops.push_back({ t.target, false, "not reached", {} });
                pv.summary = "not reachable from " + query.source + ": no route";
                result.paths.push_back(std::move(pv));
            } else if (frontends.empty()) {
                PathVerdict pv;
                HopVerdict h;
                h.step = { "", "no internet-facing frontend", "frontend" };
                h.passes = false;
                h.detail = "the IP configuration " + ipc.name
                    + " has no public IP, and no public load balancer rule or inbound NAT rule targets it";
                pv.hops.push_back(std::move(h));
                pv.hops.push_back({ t.target, false, "not reached", {} });
                pv.summary = "not reachable: no internet-facing frontend";
                result.paths.push_back(std::move(pv));
            }
            if (!insideSource && !(sourceIp && !publicInternet().contains(*sourceIp) && inOtherVnet(*sourceIp))) {
                for (const auto& fe : frontends) {
                    PathVerdict pv;
                    pv.frontendAddress = fe.address;
                    pv.frontendPorts = fe.frontendPorts;
                    if (fe.proxy) {
                        // The device admits the client, then connects from its own private address.
                        const PacketSet admitted
                            = universe.intersected(PacketSet::box(fe.proxyProtocols, fe.backendPorts, fe.clients));
                        HopVerdict h;
                        h.step = fe.steps.back();
                        h.rules = fe.evidence;
                        h.passes = !admitted.isEmpty();
                        h.detail = fe.description
                            + (h.passes ? " admits it and forwards it from its own private address"
                                        : " does not forward it (protocol, port or client outside its rule)");
                        if (h.passes && fe.standard && !t.anyLevelPresent()) {
                            // An edge whose origin is a Standard public IP that no NSG opens: closed,
                            // as analyze() says (Microsoft Learn, "Public IP addresses").
                            h.passes = false;
                            h.detail = fe.description
                                + ": Standard SKU is closed to inbound traffic unless an NSG allows it, and no NSG "
                                  "applies";
                        }
                        pv.hops.push_back(std::move(h));
                        if (pv.hops.back().passes) {
                            const PacketSet seen = PacketSet::box(maskOf(query.protocol), port, *fe.proxySources);
                            const TargetEval behind = engine.evaluateTarget(*nic, ipc, *fe.proxySources, false, &seen);
                            finishPath(pv, seen, behind);
                            pv.sources = admitted.allSources().toCidrs();
                            if (admitted.allSources().containsAll(sources))
                                pv.sources = { "0.0.0.0/0" };
                        } else {
                            pv.hops.push_back({ t.target, false, "not reached", {} });
                        }
                        pv.summary = (pv.reachable ? "reachable through " : "not reachable through ") + fe.description;
                        assumptions.insert(fe.assumptions.begin(), fe.assumptions.end());
                        result.paths.push_back(std::move(pv));
                        continue;
                    }
                    const PacketSet forwarded = universe.intersected(fe.filter);
                    HopVerdict h;
                    h.step = fe.steps.back();
                    h.rules = fe.evidence;
                    h.passes = !forwarded.isEmpty();
                    h.detail = fe.description + (h.passes ? " forwards it" : " does not forward this protocol/port");
                    const bool closedByDefault = fe.standard && !t.anyLevelPresent();
                    if (closedByDefault) {
                        h.passes = false;
                        h.detail = fe.description
                            + ": Standard SKU is closed to inbound traffic unless an NSG allows it, and no NSG applies";
                    }
                    pv.hops.push_back(std::move(h));
                    if (pv.hops.back().passes) {
                        finishPath(pv, forwarded, t);
                    } else {
                        pv.hops.push_back({ t.target, false, "not reached", {} });
                    }
                    std::string stop;
                    for (const auto& hop : pv.hops)
                        if (!hop.passes) {
                            stop = hop.step.name + ": " + hop.detail;
                            break;
                        }
                    pv.summary = pv.reachable ? "reachable through " + fe.description
                                              : "not reachable through " + fe.description + " (" + stop + ")";
                    assumptions.insert(fe.assumptions.begin(), fe.assumptions.end());
                    result.paths.push_back(std::move(pv));
                }
            }
            assumptions.insert(t.assumptions.begin(), t.assumptions.end());
            assumptions.insert(feAssumptions.begin(), feAssumptions.end());
        }
    }
    result.reachable
        = std::any_of(result.paths.begin(), result.paths.end(), [](const PathVerdict& p) { return p.reachable; });
    result.assumptions.assign(assumptions.begin(), assumptions.end());
    return result;
}

} // namespace ew
