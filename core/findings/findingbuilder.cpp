#include "engine.h"

namespace ew::engine {

std::string sourcesText(const Finding& f)
{
    if (f.wholeInternet)
        return "any internet address";
    std::string s;
    for (std::size_t i = 0; i < f.sources.size() && i < 3; ++i)
        s += (i ? ", " : "") + f.sources[i];
    if (f.sources.size() > 3)
        s += " and " + std::to_string(f.sources.size() - 3) + " more ranges";
    return s;
}

std::string upper(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

// CIDRs of a source set, per address family; the whole public space of a family is written
// 0.0.0.0/0 or ::/0. whole is set when the set covers the public internet of the frontend's family.
std::vector<std::string> Engine::sourceCidrs(
    const AddressSet& sources, const FamilyUniverse& universe, bool& whole) const
{
    const auto& texts = m_cidrs.of(sources);
    std::vector<std::string> out;
    bool wholeV4 = false, wholeV6 = false;
    for (const bool v6 : { false, true }) {
        const AddressSet& inFamily = v6 ? texts.v6 : texts.v4;
        const AddressSet& all = v6 ? universe.v6 : universe.v4;
        if (inFamily.isEmpty())
            continue;
        if (!all.isEmpty() && inFamily.containsAll(all)) {
            (v6 ? wholeV6 : wholeV4) = true;
            out.emplace_back(v6 ? "::/0" : "0.0.0.0/0");
        } else {
            const auto& cidrs = v6 ? texts.v6Cidrs : texts.v4Cidrs;
            out.insert(out.end(), cidrs.begin(), cidrs.end());
        }
    }
    whole = wholeV4 || (wholeV6 && texts.v4.isEmpty());
    return out;
}

std::vector<std::pair<std::string, ProtocolMask>> protocolParts(const PacketSet& packets)
{
    std::vector<std::pair<std::string, ProtocolMask>> parts;
    const auto& tcp = packets.segments(Protocol::Tcp);
    const auto& icmp = packets.segments(Protocol::Icmp);
    if (!tcp.empty() && tcp == packets.segments(Protocol::Udp) && !icmp.empty()
        && icmp == packets.segments(Protocol::Other) && icmp.front().sources == packets.allSources())
        parts.emplace_back("any", kAllProtocols);
    else
        for (std::size_t p = 0; p < kProtocolCount; ++p)
            if (packets.hasProtocol(static_cast<Protocol>(p)))
                parts.emplace_back(protocolName(static_cast<Protocol>(p)), maskOf(static_cast<Protocol>(p)));
    return parts;
}

void Engine::fillPackets(Finding& f, const PacketSet& packets, const FamilyUniverse& universe, bool breakdown) const
{
    f.packets = std::make_shared<const PacketSet>(packets);
    const bool ported = f.protocol == "tcp" || f.protocol == "udp" || f.protocol == "any";
    const Protocol first = f.protocol == "udp" ? Protocol::Udp
        : f.protocol == "icmp"                 ? Protocol::Icmp
        : f.protocol == "other"                ? Protocol::Other
                                               : Protocol::Tcp;
    if (ported)
        f.ports = packets.ports(first).ranges();
    if (first == Protocol::Icmp)
        if (const PortSet types = packets.ports(Protocol::Icmp); !types.isAll())
            f.icmpTypes = formatIcmpTypes(types.ranges());
    f.sources = sourceCidrs(packets.allSources(), universe, f.wholeInternet);
    if (!breakdown || !ported)
        return;
    // Exact breakdown: ports grouped by the exact set of sources that reach them.
    std::vector<std::pair<AddressSet, PortSet>> groups;
    const auto& segs = packets.segments(first);
    for (std::size_t i = 0; i < segs.size(); ++i) {
        if (segs[i].sources.isEmpty())
            continue;
        auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& x) { return x.first == segs[i].sources; });
        if (g == groups.end()) {
            groups.emplace_back(segs[i].sources, PortSet());
            g = groups.end() - 1;
        }
        g->second.add(segs[i].firstPort, PacketSet::segmentLast(segs, i, first));
    }
    if (groups.size() < 2)
        return;
    std::stable_sort(groups.begin(), groups.end(),
        [](const auto& a, const auto& b) { return a.first.v4Count() > b.first.v4Count(); });
    // The breakdown is an aid to reading; past kMaxExposures groups the rest is counted, not listed
    // (ports and sources above remain the exact unions, and packets the exact set).
    constexpr std::size_t kMaxExposures = 32;
    for (const auto& [sources, ports] : groups) {
        if (f.exposures.size() == kMaxExposures) {
            ++f.exposuresOmitted;
            continue;
        }
        bool whole = false;
        f.exposures.push_back({ ports.ranges(), sourceCidrs(sources, universe, whole) });
    }
}

std::vector<FindingBody> Engine::makeBodies(const TargetEval& t, const PacketSet& reach) const
{
    std::vector<FindingBody> bodies;
    const FamilyUniverse universeSources(t.universe->allSources());
    for (const auto& [protocol, mask] : protocolParts(reach)) {
        FindingBody b;
        Finding& f = b.shared;
        f.protocol = protocol;
        fillPackets(
            f, reach.intersected(PacketSet::box(mask, PortSet::all(), AddressSet::all())), universeSources, true);
        for (const auto& e : m_opt.catalogue->engines()) {
            if (e.managed)
                continue;
            if (f.packets->intersects(m_opt.catalogue->enginePackets(e))) {
                b.portMatch.engine = e.id;
                b.portMatch.basis = DataStoreMatch::Basis::Port;
                const auto& ranges = e.tcp.empty() ? e.udp : e.tcp;
                b.portMatch.reason = "port " + portsText(ranges) + " (" + e.displayName + ")";
                break;
            }
        }
        f.rules = evidence(t, *f.packets);
        if (!t.anyLevelPresent())
            b.how = "no NSG applies and the Basic-SKU frontend is open by default";
        else
            b.how = levelSentences(t, f.rules);
        b.broad = f.wholeInternet || broadSources(f.packets->allSources());
        bodies.push_back(std::move(b));
    }
    return bodies;
}

std::vector<FindingBody> Engine::proxyBodies(const TargetEval& t, const PacketSet& reach, const PacketSet& seen) const
{
    std::vector<FindingBody> bodies = makeBodies(t, reach);
    auto seenSources = std::make_shared<const AddressSet>(seen.allSources());
    for (auto& b : bodies) {
        const ProtocolMask mask = protocolMaskOfName(b.shared.protocol);
        b.shared.rules = evidence(t, seen.intersected(PacketSet::box(mask, PortSet::all(), AddressSet::all())));
        b.shared.seenSources = seenSources;
        b.how = levelSentences(t, b.shared.rules);
    }
    return bodies;
}

template <typename Make>
BodySetPtr Engine::reuseOrMake(const SharedString& key, std::unordered_map<SharedString, BodySetPtr>& stale,
    const TargetEval& t, PacketSet reach, Make make)
{
    if (auto it = stale.find(key); it != stale.end()) {
        BodySetPtr old = std::move(it->second);
        stale.erase(it);
        // The bodies are functions of the packets and of the rules that allow them (the key fixes
        // the NSGs, the universe and the frontend's filter).
        const bool holds = old->reach == reach
            && std::all_of(old->list.begin(), old->list.end(),
                [&](const FindingBody& b) { return sameRules(evidence(t, *b.shared.packets), b.shared.rules); });
        if (holds)
            return old;
    }
    auto made = std::make_shared<BodySet>();
    made->list = make(reach);
    made->reach = std::move(reach);
    return made;
}

BodySetPtr Engine::bodiesFor(const TargetEval& t, const Frontend& fe)
{
    if (fe.proxy && fe.standard && !t.anyLevelPresent())
        return nullptr; // an edge reaching a Standard public IP that no NSG opens
    if (fe.proxy) {
        // What the device delivers passes the target's NSGs with the device's address as source;
        // the exposure is then the clients the device admits, on the ports that passed.
        const PacketSet seen
            = t.allowedAll->intersected(PacketSet::box(fe.proxyProtocols, fe.backendPorts, *fe.proxySources));
        PacketSet reach;
        for (auto p : { Protocol::Tcp, Protocol::Udp })
            if (const PortSet ports = seen.ports(p); !ports.isEmpty() && !fe.clients.isEmpty())
                reach = reach.united(PacketSet::box(maskOf(p), ports, fe.clients));
        if (reach.isEmpty())
            return nullptr;
        const SharedString bodyKey = m_keys(t.policyKey + "|" + t.vnetId + "|" + fe.filterKey);
        auto& bodies = m_bodies[bodyKey];
        if (!bodies || bodies->reach != reach) {
            if (!bodies) {
                remember(t, CacheKind::Bodies, bodyKey);
                for (const auto& nsg : fe.deviceNsgIds)
                    m_keysByNsg[nsg].emplace_back(CacheKind::Bodies, bodyKey);
            }
            auto made = std::make_shared<BodySet>();
            made->list = proxyBodies(t, reach, seen);
            made->reach = std::move(reach);
            bodies = std::move(made);
        }
        return bodies;
    }
    const bool closed = fe.standard && !t.anyLevelPresent();
    if (closed)
        return nullptr; // Standard SKU frontends are closed unless an NSG allows; Basic ones are open without one.
    const SharedString bodyKey = m_keys(t.policyKey + "|" + t.vnetId + "|" + fe.filterKey);
    auto& bodies = m_bodies[bodyKey];
    if (!bodies) {
        remember(t, CacheKind::Bodies, bodyKey);
        bodies = reuseOrMake(bodyKey, m_staleBodies, t, t.allowed->intersected(fe.filter),
            [&](const PacketSet& reach) { return makeBodies(t, reach); });
    }
    return bodies;
}

SharedVector<RuleEvidence> FindingBody::rulesAfter(const SharedVector<RuleEvidence>& before, int hop) const
{
    const auto asHop = [](const RuleEvidence& r, int h) { return h == 0 || r.hop == h; };
    if (before.empty()
        && std::all_of(shared.rules.begin(), shared.rules.end(), [&](const auto& r) { return asHop(r, hop); }))
        return shared.rules;
    // A frontend's evidence is made for each target, so only a foothold's rules (hop 2), which its
    // policy group's findings share, can recur: those are looked up, the others made each time.
    const std::pair<const RuleEvidence*, int> key { before.empty() ? nullptr : before.get().data(), hop };
    const bool memo = hop == 2;
    if (memo)
        if (auto it = m_rulesAfter.find(key); it != m_rulesAfter.end())
            return it->second.second;
    std::vector<RuleEvidence> made;
    made.reserve(before.size() + shared.rules.size());
    made.insert(made.end(), before.begin(), before.end());
    made.insert(made.end(), shared.rules.begin(), shared.rules.end());
    if (hop != 0)
        for (std::size_t i = 0; i < made.size(); ++i)
            made[i].hop = i < before.size() ? 1 : hop;
    SharedVector<RuleEvidence> rules(std::move(made));
    // Bounded: the entries keep their `before` alive (so its address stays its own), also across
    // the what-if's edits while the body is kept.
    constexpr std::size_t kKept = 64;
    if (memo && m_rulesAfter.size() < kKept)
        m_rulesAfter.emplace(key, std::make_pair(before, rules));
    return rules;
}

void Engine::addFindings(
    const TargetEval& t, const Frontend& fe, const BodySet& bodies, std::vector<Finding>& out) const
{
    for (const auto& b : bodies.list) {
        Finding f = b.shared; // shares the packet set
        f.target = t.target;
        f.dataStore = t.dataStore;
        // Port-catalogue recognition (lower confidence) when nothing declared the resource.
        if (f.dataStore.engine.empty() && f.dataStore.basis != DataStoreMatch::Basis::Analyst)
            f.dataStore = b.portMatch;
        f.hops = 1;
        f.path.reserve(fe.steps.size() + t.levels.size() + 2);
        f.path.push_back(internetStep());
        for (const auto& s : fe.steps) // a frontend's steps are made per target: pooled, they share
            f.path.push_back(pooledStep(s, m_evidenceTexts));
        appendFilterSteps(f.path, t, m_evidenceTexts);
        f.path.push_back(t.target);
        f.rules = b.rulesAfter(fe.evidence, 0);
        f.assumptions = t.assumptions;
        f.assumptions.insert(f.assumptions.end(), fe.assumptions.begin(), fe.assumptions.end());
        f.frontendAddress = fe.address;
        f.frontendPorts = fe.frontendPortsFor(f.ports); // an edge's client ports that lead to these ports
        f.ipConfigurationId = t.ipc->id;
        const bool allPorts = f.ports.size() == 1 && f.ports[0] == PortRange { 0, 65535 };
        const std::string what = upper(f.protocol == "any" ? std::string("all protocols") : f.protocol)
            + (!f.icmpTypes.empty()                                        ? " " + f.icmpTypes
                    : f.ports.empty() || (f.protocol == "any" && allPorts) ? std::string()
                                                                           : " " + portsText(f.ports));
        f.explanation = what + " from " + sourcesText(f) + (f.exposures.empty() ? "" : " (sources differ by port)")
            + " reaches " + t.targetText() + " through " + fe.description + ": " + b.how + ".";
        severity(f, b);
        f.id = stableId({ f.target.id, fe.key, f.protocol, "1" });
        out.push_back(std::move(f));
    }
}

} // namespace ew::engine
