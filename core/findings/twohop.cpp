#include "engine.h"

namespace ew::engine {

FootholdIndex Engine::footholdIndex(const std::vector<TargetEval>& targets, const std::vector<const Finding*>& best,
    const std::vector<AddressSet>& clients, const std::vector<AddressSet>& addresses,
    const std::vector<std::uint32_t>& nameOrder)
{
    // Footholds: compute the internet reaches directly, ranked by their most severe direct finding
    // (per target: all its IP configurations are footholds when any is reached).
    FootholdIndex idx;
    idx.exposed.assign(targets.size(), 0);
    for (std::size_t i = 0; i < targets.size(); ++i) // one target per IP configuration
        if (best[i]) {
            idx.exposed[i] = 1;
            // A managed data service (an RDS instance, a private endpoint's service) runs no code of
            // the attacker's: it is a data store, never a foothold.
            if (targets[i].nic->serviceId.empty()) {
                static const AddressSet publicV6 = publicInternet().intersected(AddressSet::allV6());
                const bool ipv6 = clients[i].intersects(AddressSet::allV6());
                idx.footholds.push_back(
                    { i, &addresses[i], best[i], &clients[i], ipv6, ipv6 && clients[i].containsAll(publicV6) });
            }
        }
    stats.footholds = idx.footholds.size();
    // Ranked by severity, then name: sorted on a packed key (no pointer chasing in the comparisons).
    std::vector<std::pair<std::uint64_t, std::uint32_t>> order; // (key, position in footholds)
    order.reserve(idx.footholds.size());
    for (std::size_t k = 0; k < idx.footholds.size(); ++k) {
        const auto& fh = idx.footholds[k];
        const auto severityRank = static_cast<std::uint64_t>(4 - static_cast<int>(fh.finding->severity));
        order.emplace_back((severityRank << 32) | nameOrder[fh.target], static_cast<std::uint32_t>(k));
    }
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    {
        std::vector<Foothold> ranked;
        ranked.reserve(order.size());
        for (const auto& [key, k] : order)
            ranked.push_back(idx.footholds[k]);
        idx.footholds = std::move(ranked);
    }
    idx.rankOf.assign(targets.size(), -1);
    // Address index: single addresses sorted for binary search; wider ranges checked one by one.
    std::vector<std::vector<AddressInterval>> perVnet; // by ordinal
    std::vector<const std::string*> vnetOfOrdinal;
    for (std::size_t r = 0; r < idx.footholds.size(); ++r) {
        const auto& fh = idx.footholds[r];
        idx.rankOf[fh.target] = static_cast<int>(r);
        const std::string& vnet = targets[fh.target].vnetId;
        auto o = idx.vnetOrdinal.find(vnet);
        if (o == idx.vnetOrdinal.end()) {
            o = idx.vnetOrdinal.emplace(vnet, idx.vnetOrdinal.size()).first;
            perVnet.emplace_back();
            vnetOfOrdinal.push_back(&vnet);
        }
        const std::size_t ordinal = o->second;
        idx.footholdVnet.push_back(ordinal);
        idx.targetIdHash.push_back(std::hash<std::string_view> {}(targets[fh.target].target.id.view()));
        for (const auto& iv : fh.addresses->intervals()) {
            perVnet[ordinal].push_back(iv);
            if (iv.first == iv.last)
                idx.singles.push_back({ iv.first, r });
        }
        if (fh.addresses->intervals().size() != 1
            || fh.addresses->intervals().front().first != fh.addresses->intervals().front().last)
            idx.wide.push_back(r);
    }
    std::sort(idx.singles.begin(), idx.singles.end(),
        [](const FootholdIndex::Entry& a, const FootholdIndex::Entry& b) { return a.address < b.address; });
    for (std::size_t o = 0; o < perVnet.size(); ++o) {
        auto& ivs = perVnet[o];
        std::sort(ivs.begin(), ivs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        idx.vnetFootholds[*vnetOfOrdinal[o]] = AddressSet::fromSorted(ivs);
    }
    return idx;
}

bool Engine::twoHopCandidate(const TargetEval& t, std::size_t, const FootholdIndex&)
{
    // Reached directly or not: a store open to a partner on SSH can still be reached on its data
    // port through a foothold (PRODUCT.md, multi-hop paths).
    return t.dataStore.declared() && !t.dataStore.engine.empty();
}

Engine::TwoHopPlan Engine::twoHopPlan(
    const std::vector<TargetEval>& targets, std::size_t index, const FootholdIndex& idx, const PacketSet* direct)
{
    const TargetEval& t = targets[index];
    if (!twoHopCandidate(t, index, idx))
        return {};
    const auto& footholds = idx.footholds;
    const auto& connected = m_ctx.connectedVnets(t.vnetId);
    // Data stores with the same policy in the same VNet see the same footholds and the same
    // reached addresses: compute that once per group. A store the internet reaches itself is a
    // foothold too, but never its own: it gets a key of its own.
    const bool exposed = idx.exposed[index] != 0;
    const SharedString reachKey = m_keys(twoHopReachKey(t, exposed));
    auto& cached = m_twoHopCache[reachKey];
    if (!cached)
        remember(t, CacheKind::TwoHopReach, reachKey);
    if (cached && cached->others >= 0
        && (idx.rankOf[cached->chosen] < 0
            || std::any_of(cached->legs.begin(), cached->legs.end(),
                [&](const TwoHopReach::Leg& leg) { return idx.rankOf[leg.target] < 0; })))
        cached.reset(); // stale: the chosen foothold is no longer one (callers forget such groups)
    if (!cached) {
        auto r = std::make_shared<TwoHopReach>();
        auto& sources = idx.connectedSources[t.peerRouteKey.empty() ? t.vnetId : t.vnetId + "|" + t.peerRouteKey];
        if (!sources) {
            sources = std::make_shared<AddressSet>();
            for (const auto& vnet : connected) {
                auto it = idx.vnetFootholds.find(vnet);
                if (it == idx.vnetFootholds.end())
                    continue;
                const VirtualNetworkPeering* peering = vnet == t.vnetId ? nullptr : routedPeering(vnet, t.vnetId);
                if (!peering) {
                    *sources = sources->united(it->second);
                    continue;
                }
                // AWS: a foothold of the peer VPC counts where its subnet's table sends the data
                // store's address over the connection and the store's table sends the foothold's
                // address back over it. Peering is not transitive: only the VPCs peered with this one.
                const std::string connection = toLower(peering->name);
                const AddressSet& back = peeringRouted(t.ipc->subnetId, connection, nullptr);
                const AddressSet store = m_ctx.possibleAddresses(*t.ipc);
                for (const auto& fh : footholds) {
                    const TargetEval& from = targets[fh.target];
                    if (from.vnetId == vnet && peeringRouted(from.ipc->subnetId, connection, nullptr).intersects(store))
                        *sources = sources->united(fh.addresses->intersected(back));
                }
            }
        }
        // An address reaches the data store iff some packet from it is allowed: the sources of
        // what both levels allow, within the footholds. No ports x addresses product is built.
        const AddressSet reached = sources->isEmpty() ? AddressSet() : allowedSources(t).intersected(*sources);
        if (!reached.isEmpty()) {
            std::vector<std::size_t> hits;
            // Both are sorted by address, and reached has as many intervals as there are footholds
            // near: each search gallops on from where the previous interval's entries ended,
            // instead of a binary search of every single address (most of a worst edit's time).
            const auto end = idx.singles.end();
            auto from = idx.singles.begin(); // every entry before it is below the next interval
            for (const auto& iv : reached.intervals()) {
                std::ptrdiff_t step = 1;
                while (end - from > step && (from + step)->address < iv.first) {
                    from += step;
                    step *= 2;
                }
                from = std::lower_bound(from, end - from > step ? from + step + 1 : end, iv.first,
                    [](const FootholdIndex::Entry& e, u128 v) { return e.address < v; });
                for (; from != end && from->address <= iv.last; ++from)
                    hits.push_back(from->rank);
            }
            for (auto w : idx.wide)
                if (footholds[w].addresses->intersects(reached))
                    hits.push_back(w);
            std::sort(hits.begin(), hits.end());
            hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
            auto& mask = idx.connectedMask[t.vnetId]; // by VNet ordinal
            if (mask.empty()) {
                mask.assign(idx.vnetOrdinal.size(), 0);
                for (const auto& vnet : connected)
                    if (auto o = idx.vnetOrdinal.find(vnet); o != idx.vnetOrdinal.end())
                        mask[o->second] = 1;
            }
            r->reached = reached;
            const std::size_t ownIdHash = std::hash<std::string_view> {}(t.target.id.view());
            for (auto rank : hits) {
                if (!mask[idx.footholdVnet[rank]])
                    continue;
                if (exposed && idx.targetIdHash[rank] == ownIdHash
                    && sameIdFromEnd(targets[footholds[rank].target].target.id, t.target.id)) {
                    r->reached = r->reached.subtracted(*footholds[rank].addresses);
                    continue;
                }
                r->ranks.push_back(rank);
                if (r->others < 0) {
                    r->chosen = footholds[rank].target;
                    r->others = 0;
                } else {
                    ++r->others;
                }
            }
        }
        cached = std::move(r);
    }
    auto& reachInfo = *cached;
    if (reachInfo.others < 0)
        return {};
    if (!reachInfo.planned) {
        // Footholds in ranking order, each with what it adds to the ones before it, counted in what
        // the clients get: (protocol, port, internet client) through some foothold. A foothold open
        // to the whole internet adds to one open to a partner on the same ports. Stop once a
        // whole-internet foothold has covered every port any of them delivers.
        const auto portsOf = [](const PacketSet& p) { return portsFrom(p, AddressSet::all()); };
        const PacketSet everything = portsFrom(*t.allowedAll, reachInfo.reached);
        const auto stale = m_staleTwoHop.find(reachKey);
        PacketSet covered; // client view: (protocol, port, internet client) already delivered
        PacketSet coveredWhole; // ports covered for the whole internet
        PacketSet coveredWholeV6; // ports covered for every IPv6 client
        // A whole-internet finding of an IPv4 public IP covers no IPv6 client: where a foothold has
        // IPv6 clients (behind Front Door, or an IPv6 public IP), the weighing stops only once the
        // footholds cover every port for every IPv6 client too.
        const bool ipv6Clients = std::any_of(
            reachInfo.ranks.begin(), reachInfo.ranks.end(), [&](std::size_t rank) { return footholds[rank].ipv6; });
        for (auto rank : reachInfo.ranks) {
            if (!coveredWhole.isEmpty() && everything.subtracted(coveredWhole).isEmpty()
                && (!ipv6Clients || (!coveredWholeV6.isEmpty() && everything.subtracted(coveredWholeV6).isEmpty())))
                break;
            const Foothold& fh = footholds[rank];
            const PacketSet ports = portsFrom(*t.allowedAll, *fh.addresses);
            const AddressSet& clients = *fh.clients;
            PacketSet clientView;
            for (auto proto : { Protocol::Tcp, Protocol::Udp, Protocol::Icmp, Protocol::Other })
                if (const PortSet p = ports.ports(proto); !p.isEmpty())
                    clientView = clientView.united(PacketSet::ofPorts(proto, p, clients));
            PacketSet adds = clientView.subtracted(covered);
            // A store reached directly: only what the internet does not already deliver directly.
            if (exposed && direct && !adds.isEmpty())
                adds = adds.subtracted(*direct);
            covered = covered.united(clientView);
            if (fh.finding->wholeInternet)
                coveredWhole = coveredWhole.united(ports);
            if (fh.wholeV6)
                coveredWholeV6 = coveredWholeV6.united(ports);
            if (adds.isEmpty())
                continue;
            PacketSet legReach = t.allowedAll->intersected(PacketSet::box(kAllProtocols, PortSet::all(), *fh.addresses))
                                     .intersected(portsOf(adds));
            BodySetPtr bodies;
            if (stale != m_staleTwoHop.end())
                for (const auto& old : stale->second->legs)
                    if (old.target == fh.target && old.bodies->reach == legReach
                        && std::all_of(old.bodies->list.begin(), old.bodies->list.end(), [&](const FindingBody& b) {
                               return b.broad == fh.finding->wholeInternet
                                   && sameRules(evidence(t, *b.shared.packets), b.shared.rules);
                           }))
                        bodies = old.bodies; // the same packets and deciding rules: the same findings
            if (!bodies) {
                auto made = std::make_shared<BodySet>();
                made->list = twoHopBodies(t, legReach, fh.finding->wholeInternet);
                std::string over;
                std::vector<std::string> peeringAssumptions;
                peeringLeg(t, targets[fh.target], over, peeringAssumptions);
                for (auto& b : made->list) {
                    if (!over.empty())
                        b.how = over + ": " + b.how;
                    b.shared.assumptions = peeringAssumptions;
                }
                made->reach = std::move(legReach);
                bodies = std::move(made);
            }
            reachInfo.legs.push_back({ fh.target, std::move(bodies) });
        }
        reachInfo.planned = true;
        reachInfo.ranks.clear();
        reachInfo.ranks.shrink_to_fit();
        reachInfo.reached = AddressSet();
    }
    if (reachInfo.legs.empty())
        return {};
    TwoHopPlan plan { static_cast<long>(reachInfo.legs.front().target), reachInfo.others, reachInfo.legs.front().bodies,
        {} };
    for (std::size_t k = 1; k < reachInfo.legs.size(); ++k)
        plan.more.emplace_back(static_cast<long>(reachInfo.legs[k].target), reachInfo.legs[k].bodies);
    return plan;
}

const VirtualNetworkPeering* Engine::routedPeering(const std::string& fromVnet, const std::string& toVnet) const
{
    for (const auto& [self, other] : { std::pair { &fromVnet, &toVnet }, std::pair { &toVnet, &fromVnet } })
        if (auto v = m_snap.vnets.find(*self); v != m_snap.vnets.end())
            for (const auto& p : v->second.peerings)
                if (p.remoteVnetId == *other && p.connected && p.needsRoutes)
                    return &p;
    return nullptr;
}

void Engine::peeringLeg(
    const TargetEval& store, const TargetEval& foothold, std::string& words, std::vector<std::string>& assumptions)
{
    if (store.vnetId == foothold.vnetId)
        return;
    const VirtualNetworkPeering* peering = routedPeering(foothold.vnetId, store.vnetId);
    if (!peering)
        return;
    const std::string connection = toLower(peering->name);
    peeringRouted(foothold.ipc->subnetId, connection, &assumptions);
    peeringRouted(store.ipc->subnetId, connection, &assumptions);
    auto tableOf = [&](const std::string& subnetId) {
        auto subnet = m_snap.subnets.find(subnetId);
        auto table = subnet == m_snap.subnets.end() ? m_snap.routeTables.end()
                                                    : m_snap.routeTables.find(subnet->second.routeTableId);
        return table == m_snap.routeTables.end() ? std::string("an unexported route table") : table->second.name;
    };
    words = "over VPC peering connection " + peering->name + ", to which route tables "
        + tableOf(foothold.ipc->subnetId) + " and " + tableOf(store.ipc->subnetId) + " send the traffic both ways";
}

std::string Engine::peeringUnrouted(const IpConfiguration& ipc, u128 source, std::vector<std::string>& assumptions)
{
    const std::string vnet = m_ctx.vnetOfSubnet(ipc.subnetId);
    std::string fromSubnet, fromVnet;
    for (const auto& [id, subnet] : m_snap.subnets)
        if (subnet.vnetId != vnet && subnet.prefixes.contains(source)) {
            fromSubnet = id;
            fromVnet = subnet.vnetId;
            break;
        }
    if (fromVnet.empty())
        for (const auto& [id, other] : m_snap.vnets)
            if (id != vnet && other.addressSpace.contains(source))
                fromVnet = id;
    const VirtualNetworkPeering* peering = fromVnet.empty() ? nullptr : routedPeering(fromVnet, vnet);
    if (!peering)
        return {};
    const std::string connection = toLower(peering->name);
    if (fromSubnet.empty())
        assumptions.push_back("the subnet of " + formatAddress(source) + " is not in the export: its route table is "
            + "assumed to send the traffic over peering connection " + peering->name);
    else if (!peeringRouted(fromSubnet, connection, &assumptions).intersects(m_ctx.possibleAddresses(ipc)))
        return "the route table of the source's subnet " + m_snap.subnets.at(fromSubnet).name + " sends no traffic for "
            + (ipc.privateAddress.empty() ? ipc.name : ipc.privateAddress) + " over peering connection "
            + peering->name;
    if (!peeringRouted(ipc.subnetId, connection, &assumptions).contains(source))
        return "the route table of the target's subnet sends no reply to " + formatAddress(source)
            + " over peering connection " + peering->name;
    return {};
}

std::vector<FindingBody> Engine::twoHopBodies(
    const TargetEval& t, const PacketSet& fromFoothold, bool wholeInternet) const
{
    // Ports reached from the chosen foothold, per protocol, with the data store's deciding rules.
    std::vector<FindingBody> made;
    const FamilyUniverse everySource(AddressSet::all());
    for (const auto& [protocol, mask] : protocolParts(fromFoothold)) {
        FindingBody b;
        b.shared.protocol = protocol;
        fillPackets(b.shared, fromFoothold.intersected(PacketSet::box(mask, PortSet::all(), AddressSet::all())),
            everySource, false);
        b.shared.rules = evidence(t, *b.shared.packets);
        b.how = levelSentences(t, b.shared.rules);
        b.broad = wholeInternet;
        made.push_back(std::move(b));
    }
    return made;
}

void Engine::addTwoHopFindings(const std::vector<TargetEval>& targets, std::size_t index, const FootholdIndex& idx,
    const TwoHopPlan& plan, std::vector<Finding>& added) const
{
    if (plan.chosen < 0)
        return;
    const TargetEval& t = targets[index];
    const TargetEval& inner = t;
    const int others = plan.others;
    auto leg = [&](long footholdTarget, const BodySet& bodies) {
        const Finding& via
            = *idx.footholds[static_cast<std::size_t>(idx.rankOf[static_cast<std::size_t>(footholdTarget)])].finding;
        for (const auto& b : bodies.list) {
            Finding f = b.shared;
            f.target = t.target;
            f.dataStore = t.dataStore;
            f.sources = via.sources;
            f.wholeInternet = via.wholeInternet;
            f.hops = 2;
            f.foothold = via.target;
            // The path to the foothold, then the data store's own filters.
            f.path.reserve(via.path.size() + inner.levels.size() + 2);
            f.path.assign(via.path.begin(), via.path.end());
            appendFilterSteps(f.path, inner, m_evidenceTexts);
            if (const auto& pe = inner.nic->privateEndpointId; !pe.empty()) {
                auto it = m_snap.privateEndpoints.find(pe);
                const bool known = it != m_snap.privateEndpoints.end();
                f.path.push_back({ pe, known ? it->second.name : lastSegment(pe),
                    known ? it->second.type : PrivateEndpoint().type, StepKind::ServiceEndpoint });
            }
            f.path.push_back(t.target);
            f.rules = b.rulesAfter(via.rules, 2);
            f.assumptions = via.assumptions;
            f.assumptions.insert(f.assumptions.end(), inner.assumptions.begin(), inner.assumptions.end());
            f.assumptions.insert(f.assumptions.end(), b.shared.assumptions.begin(), b.shared.assumptions.end());
            f.frontendAddress = via.frontendAddress;
            f.frontendPorts = via.frontendPorts;
            f.ipConfigurationId = inner.ipc->id;
            f.footholdIpConfigurationId = via.ipConfigurationId;
            f.explanation = upper(f.protocol == "any" ? std::string("all protocols") : f.protocol)
                + (!f.icmpTypes.empty()   ? " " + f.icmpTypes
                        : f.ports.empty() ? std::string()
                                          : " " + portsText(f.ports))
                + " reaches " + t.targetText() + " from "
                + targets[static_cast<std::size_t>(footholdTarget)].targetText() + ", which " + sourcesText(via)
                + " can reach directly: " + b.how
                + (others > 0 ? "; " + std::to_string(others) + " other foothold(s) reach it too" : std::string())
                + ".";
            severity(f, b);
            // One finding per foothold that adds something: the id names the foothold, so the same
            // path keeps its id whichever foothold ranks first in another snapshot.
            f.id = inner.nic->privateEndpointId.empty()
                ? stableId({ f.target.id, "via-foothold", f.protocol, "2", via.target.id })
                : stableId(
                    { f.target.id, "via-foothold", f.protocol, "2", via.target.id, inner.nic->privateEndpointId });
            added.push_back(std::move(f));
        }
    };
    leg(plan.chosen, *plan.bodies);
    for (const auto& [footholdTarget, bodies] : plan.more)
        leg(footholdTarget, *bodies);
}

} // namespace ew::engine
