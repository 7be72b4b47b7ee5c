#include "engine.h"

#include <type_traits>

namespace ew::engine {

// The (protocol, port) pairs of packets from any of addrs, as a set over every source: a lookup
// per segment instead of an intersection of every segment's sources (footholds are single
// addresses; the two-hop legs ask this of thousands of them).
PacketSet portsFrom(const PacketSet& packets, const AddressSet& addrs)
{
    PacketSet out;
    for (auto proto : { Protocol::Tcp, Protocol::Udp, Protocol::Icmp, Protocol::Other }) {
        const auto& segs = packets.segments(proto);
        PortSet ports;
        for (std::size_t i = 0; i < segs.size(); ++i)
            if (!segs[i].sources.isEmpty() && segs[i].sources.intersects(addrs))
                ports.add(segs[i].firstPort, PacketSet::segmentLast(segs, i, proto));
        if (!ports.isEmpty())
            out = out.united(PacketSet::ofPorts(proto, ports, AddressSet::all()));
    }
    return out;
}

// The allow rules of an NSG whose first-match claims carry some of packets: the evidence.
void allowEvidence(const NetworkSecurityGroup& nsg, const NsgVerdict& verdict, const std::string& level,
    const PacketSet& packets, std::vector<RuleEvidence>& out, StringPool& strings)
{
    for (const auto& c : verdict.claims) {
        const auto& rule = nsg.rules[c.ruleIndex];
        if (!rule.allow || !c.packets.intersects(packets))
            continue;
        RuleEvidence ev;
        // In a union of security groups, each rule names its own group.
        ev.filterId = strings(!rule.ownerId.empty() ? rule.ownerId : nsg.displayId.empty() ? nsg.id : nsg.displayId);
        ev.filterName = strings(!rule.ownerName.empty() ? rule.ownerName : nsg.name);
        ev.level = strings(level);
        ev.ruleName = strings(rule.name);
        ev.ruleId = strings(rule.id);
        ev.priority = rule.priority;
        ev.allow = true;
        ev.isDefault = rule.isDefault;
        ev.where = rule.where;
        out.push_back(std::move(ev));
    }
}

bool sameRules(const std::vector<RuleEvidence>& a, const std::vector<RuleEvidence>& b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const RuleEvidence& x, const RuleEvidence& y) {
        return x.ruleId == y.ruleId && x.ruleName == y.ruleName && x.priority == y.priority && x.allow == y.allow
            && x.level == y.level && x.filterId == y.filterId && x.filterName == y.filterName
            && x.isDefault == y.isDefault && x.hop == y.hop && x.where.file == y.where.file
            && x.where.pointer == y.where.pointer;
    });
}

FilterEval Engine::filter(const NetworkSecurityGroup* nsg, bool unknown, const char* level, const IpConfiguration& ipc,
    const AddressSet& sources, const PacketSet& universe, bool cache, std::vector<std::string>& assumptions,
    const FilterEval* previous)
{
    FilterEval f;
    f.level = level;
    f.nsg = nsg;
    f.unknown = unknown;
    f.key = m_keys(unknown ? "?" : "-");
    if (!nsg)
        return f;
    if (cache) {
        // First match per packet does not depend on the universe, so one evaluation over every
        // source serves the internet analysis and the foothold analysis alike.
        f.key = m_keys(inboundGroupKey(*nsg, ipc, m_ctx));
        auto it = m_cache.find(f.key);
        if (it == m_cache.end()) {
            Cached c;
            static const PacketSet everything = PacketSet::box(kAllProtocols, PortSet::all(), AddressSet::all());
            auto rules = compileInboundRules(*nsg, ipc, m_ctx, AddressSet::all(), &c.assumptions);
            const auto change = m_ruleChanges.find(nsg->id);
            NsgVerdict verdict;
            // A stateless list's verdict is narrowed by its replies: made again, not updated.
            if (nsg->semantics == NetworkSecurityGroup::Semantics::FirstMatch && !nsg->stateless
                && change != m_ruleChanges.end() && previous && previous->nsg == nsg && previous->verdict)
                verdict = updateFirstMatch(*previous->verdict, rules, everything, change->second);
            else if (nsg->stateless)
                verdict = withReplies(*nsg, evaluate(*nsg, rules, everything), c.assumptions);
            else
                verdict = evaluate(*nsg, rules, everything);
            if (m_allowClaimsOnly) { // a third of L's verdicts' memory
                std::erase_if(
                    verdict.claims, [&](const RuleClaim& claim) { return !nsg->rules[claim.ruleIndex].allow; });
                verdict.claims.shrink_to_fit();
            }
            c.verdict = std::make_shared<const NsgVerdict>(std::move(verdict));
            it = m_cache.emplace(f.key, std::move(c)).first;
            m_keysByNsg[nsg->id].emplace_back(CacheKind::Verdict, f.key);
            ++stats.policyGroups;
        }
        f.verdict = it->second.verdict;
        assumptions.insert(assumptions.end(), it->second.assumptions.begin(), it->second.assumptions.end());
        return f;
    }
    auto rules = compileInboundRules(*nsg, ipc, m_ctx, sources, &assumptions);
    f.verdict = std::make_shared<const NsgVerdict>(nsg->stateless
            ? withReplies(*nsg, evaluate(*nsg, rules, universe), assumptions)
            : evaluate(*nsg, rules, universe));
    return f;
}

void Engine::adoptVerdicts(Engine&& other)
{
    std::set<std::string> adopted;
    for (auto& [key, cached] : other.m_cache)
        if (m_cache.try_emplace(key, std::move(cached)).second) {
            adopted.insert(key);
            ++stats.policyGroups;
        }
    for (auto& [nsgId, keys] : other.m_keysByNsg)
        for (auto& [kind, key] : keys)
            if (kind == CacheKind::Verdict && adopted.count(key))
                m_keysByNsg[nsgId].emplace_back(kind, key);
    stats.frontends += other.stats.frontends;
    other.m_cache.clear();
    other.m_keysByNsg.clear();
}

// AWS network ACLs are stateless (Amazon VPC User Guide, "Network ACLs": "responses to allowed
// inbound traffic are subject to the rules for outbound traffic"): the reply goes to the client's
// address and to the source port the client chose, so it leaves when an outbound rule lets any port
// back to that address (an attacker picks a source port the rules allow).
NsgVerdict Engine::withReplies(
    const NetworkSecurityGroup& list, NsgVerdict verdict, std::vector<std::string>& assumptions) const
{
    std::vector<CompiledRule> out;
    for (std::size_t i = 0; i < list.rules.size(); ++i) {
        const auto& r = list.rules[i];
        if (r.inbound || r.disabled)
            continue;
        // The reply's destination is the client: the rule's destination is the address dimension.
        // An ICMP reply has a type of its own (echo-reply 0 for echo-request 8): any ICMP type
        // leaving towards the client is taken as the answer.
        out.push_back({ i, r.allow,
            rulePackets(r,
                (r.destination.any ? AddressSet::all() : r.destination.prefixes)
                    .intersected(familyAddresses(r.family))) });
    }
    static const PacketSet everything = PacketSet::box(kAllProtocols, PortSet::all(), AddressSet::all());
    const PacketSet replies = evaluateFirstMatch(out, everything).allowed;
    PacketSet answerable;
    for (const auto p : { Protocol::Tcp, Protocol::Udp, Protocol::Icmp, Protocol::Other }) {
        AddressSet to;
        for (const auto& seg : replies.segments(p))
            to = to.united(seg.sources);
        answerable
            = answerable.united(PacketSet::box(maskOf(p), PortSet::all(), p == Protocol::Udp ? AddressSet::all() : to));
        if (p == Protocol::Udp) {
            // A datagram is delivered even when no reply can leave: kept, and said.
            const PacketSet udpIn
                = verdict.allowed.intersected(PacketSet::box(maskOf(p), PortSet::all(), AddressSet::all()));
            if (!udpIn.isEmpty() && !udpIn.allSources().subtracted(to).isEmpty())
                assumptions.push_back("network ACL " + list.name
                    + " lets UDP in from clients its outbound rules do not answer: the datagrams are delivered, the "
                      "replies are dropped");
        }
    }
    verdict.allowed = verdict.allowed.intersected(answerable);
    return verdict;
}

std::shared_ptr<const NetworkSecurityGroup> Engine::mergedGroups(
    const NetworkInterface& nic, std::vector<std::string>& assumptions)
{
    if (nic.securityGroupIds.empty())
        return nullptr;
    std::vector<std::string> ids = nic.securityGroupIds;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::string key;
    for (const auto& id : ids)
        key += (key.empty() ? "" : "+") + id;
    auto& entry = m_mergedGroups[key];
    if (!entry.first)
        entry.first = std::make_shared<const NetworkSecurityGroup>(unionOfGroups(m_snap, ids, entry.second));
    assumptions.insert(assumptions.end(), entry.second.begin(), entry.second.end());
    return entry.first;
}

PathStep Engine::targetOf(const NetworkInterface& nic) const
{
    auto& s = m_evidenceTexts; // the target is copied into every finding of it and into paths through it
    // A private endpoint's interface leads to its service: the service is the target.
    if (!nic.serviceId.empty())
        if (auto it = m_snap.dataServices.find(nic.serviceId); it != m_snap.dataServices.end())
            return { s(it->second.displayId.empty() ? it->second.id : it->second.displayId), s(it->second.name),
                s(it->second.type), StepKind::ManagedService };
    if (!nic.vmId.empty())
        if (auto it = m_snap.vms.find(nic.vmId); it != m_snap.vms.end())
            return { s(it->second.displayId.empty() ? it->second.id : it->second.displayId), s(it->second.name),
                s(it->second.type), StepKind::Machine };
    return { s(nic.displayId.empty() ? nic.id : nic.displayId), s(nic.name), s(nic.type), StepKind::Interface };
}

DataStoreMatch Engine::dataStoreOf(const NetworkInterface& nic) const
{
    if (!nic.serviceId.empty())
        if (auto it = m_snap.dataServices.find(nic.serviceId); it != m_snap.dataServices.end()) {
            const auto& svc = it->second;
            if (auto a = m_opt.analystDataStores.find(svc.id); a != m_opt.analystDataStores.end() && a->second.empty())
                return { {}, DataStoreMatch::Basis::Analyst, "marked as not a data store by the analyst" };
            return { svc.engine, DataStoreMatch::Basis::ServiceType, "service type " + svc.type };
        }
    const auto& cat = *m_opt.catalogue;
    const VirtualMachine* vm = nullptr;
    if (auto it = m_snap.vms.find(nic.vmId); it != m_snap.vms.end())
        vm = &it->second;
    for (const std::string* id : { vm ? &vm->id : nullptr, &nic.id }) {
        if (!id)
            continue;
        if (auto it = m_opt.analystDataStores.find(*id); it != m_opt.analystDataStores.end()) {
            DataStoreMatch m;
            if (!it->second.empty()) {
                m.engine = it->second;
                m.basis = DataStoreMatch::Basis::Analyst;
                m.reason = "marked by the analyst";
            } else {
                m.basis = DataStoreMatch::Basis::Analyst; // explicitly not a data store
                m.reason = "marked as not a data store by the analyst";
            }
            return m;
        }
    }
    if (vm) {
        auto m = cat.fromTags(vm->tags);
        if (!m.engine.empty())
            return m;
    }
    return cat.fromTags(nic.tags);
}

TargetEval Engine::evaluateTarget(const NetworkInterface& nic, const IpConfiguration& ipc, const AddressSet& sources,
    bool cache, const PacketSet* universe, const TargetEval* previous)
{
    TargetEval t;
    t.nic = &nic;
    t.ipc = &ipc;
    t.vnetId = m_ctx.vnetOfSubnet(ipc.subnetId);
    if (universe)
        t.universe = std::make_shared<const PacketSet>(*universe);
    else if (cache) {
        auto& u = m_universes[t.vnetId];
        if (!u)
            u = std::make_shared<const PacketSet>(PacketSet::box(kAllProtocols, PortSet::all(), sources));
        t.universe = u;
    } else {
        t.universe = std::make_shared<const PacketSet>(PacketSet::box(kAllProtocols, PortSet::all(), sources));
    }
    t.target = targetOf(nic);
    if (!nic.account.empty())
        t.owner = "AWS account " + nic.account + (nic.region.empty() ? std::string() : ", " + nic.region);
    else if (!nic.region.empty())
        t.owner = "AWS region " + nic.region;
    t.dataStore = dataStoreOf(nic);
    const NetworkSecurityGroup* subnetNsg = nullptr;
    bool subnetUnknown = false;
    auto sit = m_snap.subnets.find(ipc.subnetId);
    if (sit == m_snap.subnets.end()) {
        subnetUnknown = true;
        t.assumptions.push_back("the subnet of " + t.target.name + " (" + lastSegment(ipc.subnetId)
            + ") is not in the export: its NSG is unknown and assumed to allow all traffic");
    } else if (!sit->second.nsgId.empty()) {
        subnetNsg = &m_snap.nsgs.at(sit->second.nsgId);
    }
    const NetworkSecurityGroup* nicNsg = nic.nsgId.empty() ? nullptr : &m_snap.nsgs.at(nic.nsgId);
    // A private endpoint: the subnet's NSG filters traffic to it only when the subnet enables
    // network policies for private endpoints (Microsoft Learn, "Manage network policies for private
    // endpoints": disabled by default); it forwards the service's ports only.
    const ManagedDataService* service = nullptr;
    if (!nic.serviceId.empty())
        if (auto it = m_snap.dataServices.find(nic.serviceId); it != m_snap.dataServices.end())
            service = &it->second;
    // What the reader assumed about the service (its port, subnet, public flag) is part of every
    // verdict on it.
    if (service)
        t.assumptions.insert(t.assumptions.end(), service->assumptions.begin(), service->assumptions.end());
    if (service && sit != m_snap.subnets.end()) {
        const std::string& policies = sit->second.privateEndpointPolicies;
        const bool nsgApplies = toLower(policies) == "enabled" || toLower(policies) == "networksecuritygroupenabled";
        if (subnetNsg && !nsgApplies) {
            t.assumptions.push_back("network policies for private endpoints are "
                + (policies.empty()
                        ? std::string("not stated for subnet ") + sit->second.name + " (disabled by default)"
                        : policies + " in subnet " + sit->second.name)
                + ": its NSG " + subnetNsg->name + " does not filter traffic to private endpoint "
                + lastSegment(nic.privateEndpointId));
            subnetNsg = nullptr;
        }
    }
    for (const auto* n : { subnetNsg, nicNsg })
        if (n && n->synthetic)
            t.assumptions.push_back("network security group " + n->name
                + " is referenced but not in the export: assumed to allow all traffic");
    const bool aws = (sit != m_snap.subnets.end() && sit->second.needsInternetRoute) || !nic.securityGroupIds.empty();
    if (aws) {
        // Which footholds of peer VPCs reach it depends on its subnet's routes and its address.
        if (auto vnet = m_snap.vnets.find(t.vnetId); vnet != m_snap.vnets.end()
            && std::any_of(vnet->second.peerings.begin(), vnet->second.peerings.end(),
                [](const VirtualNetworkPeering& p) { return p.connected && p.needsRoutes; }))
            t.peerRouteKey = ipc.subnetId + "|" + ipc.privateAddress;
        // AWS: the subnet's network ACL, then the union of the interface's security groups.
        const NetworkSecurityGroup* acl = nullptr;
        bool aclUnknown = sit == m_snap.subnets.end();
        if (!aclUnknown) {
            auto a = m_snap.nsgs.find(sit->second.networkAclId);
            if (a != m_snap.nsgs.end())
                acl = &a->second;
            else {
                aclUnknown = true;
                t.assumptions.push_back("the network ACL of subnet " + sit->second.name
                    + " is not in the export: assumed to allow all traffic, as a VPC's default ACL does");
            }
        }
        t.levels.push_back(filter(acl, aclUnknown, "network-acl", ipc, sources, *t.universe, cache, t.assumptions,
            previous ? previous->level("network-acl") : nullptr));
        auto groups = mergedGroups(nic, t.assumptions);
        // "If you don't assign a security group to your Network Load Balancer, all client traffic
        // can reach the Network Load Balancer listeners" (Network Load Balancer guide).
        const auto device = nic.deviceId.empty() ? m_snap.proxies.end() : m_snap.proxies.find(nic.deviceId);
        const bool noGroups = !groups && device != m_snap.proxies.end() && device->second.sku == "network";
        if (!groups && !noGroups)
            t.assumptions.push_back(
                "the security groups of " + nic.name + " are not in the export: assumed to allow all traffic");
        FilterEval sg = filter(groups.get(), !groups && !noGroups, "security-groups", ipc, sources, *t.universe, cache,
            t.assumptions, previous ? previous->level("security-groups") : nullptr);
        sg.owned = groups;
        sg.members = nic.securityGroupIds;
        t.levels.push_back(std::move(sg));
    } else {
        t.levels.push_back(filter(subnetNsg, subnetUnknown, "subnet", ipc, sources, *t.universe, cache, t.assumptions,
            previous ? previous->level("subnet") : nullptr));
        t.levels.push_back(filter(nicNsg, false, "nic", ipc, sources, *t.universe, cache, t.assumptions,
            previous ? previous->level("nic") : nullptr));
    }
    // Inbound: the subnet NSG, then the NIC NSG; both must allow. A missing NSG lets traffic pass.
    static const PacketSet everything = PacketSet::box(kAllProtocols, PortSet::all(), AddressSet::all());
    // within: null for every packet (not intersected with an "everything" set, which changes nothing).
    const PacketSet servicePorts
        = service ? PacketSet::box(maskOf(Protocol::Tcp), service->tcpPorts, AddressSet::all()) : PacketSet();
    auto combine = [&](const PacketSet* within) {
        std::vector<const PacketSet*> parts;
        if (within)
            parts.push_back(within);
        if (service)
            parts.push_back(&servicePorts);
        for (const auto& f : t.levels)
            if (f.verdict)
                parts.push_back(&f.verdict->allowed);
        if (parts.empty())
            return everything;
        PacketSet r = *parts.front();
        for (std::size_t k = 1; k < parts.size(); ++k)
            r = r.intersected(*parts[k]);
        return r;
    };
    if (!cache) {
        t.allowedAll = std::make_shared<const PacketSet>(combine(t.universe.get()));
        t.allowed = t.allowedAll;
        return t;
    }
    std::string policyKey;
    for (std::size_t i = 0; i < t.levels.size(); ++i)
        policyKey += (i ? "#" : "") + t.levels[i].key;
    if (service)
        policyKey += "#ports:" + service->tcpPorts.toString();
    t.policyKey = m_keys(policyKey);
    const SharedString& pair = t.policyKey;
    auto& all = m_pairCache[pair];
    if (!all) {
        // One level decides alone (most Azure NICs have no NSG of their own): what it allows is the
        // verdict's set, shared with the verdict instead of copied.
        const FilterEval* alone = nullptr;
        int deciding = 0;
        for (const auto& f : t.levels)
            if (f.verdict) {
                alone = &f;
                ++deciding;
            }
        all = !service && deciding == 1 ? std::shared_ptr<const PacketSet>(alone->verdict, &alone->verdict->allowed)
                                        : std::make_shared<const PacketSet>(combine(nullptr));
        remember(t, CacheKind::Pair, pair);
    }
    t.allowedAll = all;
    const SharedString withinKey = m_keys(pair + "|" + t.vnetId);
    auto& within = m_pairCache[withinKey];
    if (!within) {
        within = std::make_shared<const PacketSet>(all->intersected(*t.universe));
        remember(t, CacheKind::Pair, withinKey);
    }
    t.allowed = within;
    return t;
}

std::vector<RuleEvidence> Engine::evidence(const TargetEval& t, const PacketSet& packets) const
{
    std::vector<RuleEvidence> out;
    for (const auto& f : t.levels)
        if (f.verdict)
            allowEvidence(*f.nsg, *f.verdict, f.level, packets, out, m_evidenceTexts);
    return out;
}

std::string Engine::filterSentence(const FilterEval& f, const std::vector<RuleEvidence>& evidence) const
{
    const LevelWords words = levelWords(f.level);
    const std::string where = std::string("the ") + words.owner;
    if (f.unknown)
        return where + "'s " + words.filter + " is unknown (assumed to allow)";
    if (!f.nsg)
        return where + " has no " + words.filter;
    // The allowing rules of this level are those evidence() found for the same packets.
    std::string rules;
    int n = 0;
    for (const auto& ev : evidence) {
        if (ev.level != f.level)
            continue;
        // A union has no order, and a network ACL's rule is named by its number.
        const bool ordered = f.nsg->semantics == NetworkSecurityGroup::Semantics::FirstMatch
            && ev.ruleName != std::to_string(ev.priority);
        rules += (n++ ? ", " : "") + ev.ruleName + (ordered ? " (priority " + std::to_string(ev.priority) + ")" : "");
    }
    const bool plural = f.nsg->semantics == NetworkSecurityGroup::Semantics::AllowUnion;
    return std::string(words.owner) + " " + words.filter + " " + f.nsg->name + (plural ? " allow" : " allows")
        + " it by rule" + (n > 1 ? "s " : " ") + rules;
}

std::string Engine::levelSentences(const TargetEval& t, const std::vector<RuleEvidence>& evidence) const
{
    std::string out;
    for (std::size_t i = 0; i < t.levels.size(); ++i)
        out += (i ? "; " : "") + filterSentence(t.levels[i], evidence);
    return out;
}

LevelWords levelWords(std::string_view level)
{
    if (level == "subnet")
        return { "subnet", "NSG" };
    if (level == "nic")
        return { "NIC", "NSG" };
    if (level == "gateway-subnet")
        return { "gateway subnet", "NSG" };
    if (level == "network-acl")
        return { "subnet", "network ACL" };
    if (level == "security-groups")
        return { "interface", "security groups" };
    if (level == "lb-network-acl")
        return { "load balancer subnet", "network ACL" };
    if (level == "lb-security-groups")
        return { "load balancer", "security groups" };
    return { "filter", "rule list" };
}

std::string Engine::twoHopKey(const TargetEval& t)
{
    return t.peerRouteKey.empty() ? t.policyKey + "|" + t.vnetId : t.policyKey + "|" + t.vnetId + "|" + t.peerRouteKey;
}

std::string Engine::twoHopReachKey(const TargetEval& t, bool exposed)
{
    return exposed ? twoHopKey(t) + "|self:" + t.target.id : twoHopKey(t);
}

void Engine::forgetTwoHop(const TargetEval& t)
{
    retire(m_keys(twoHopReachKey(t, false)));
    retire(m_keys(twoHopReachKey(t, true)));
}

void Engine::remember(const TargetEval& t, CacheKind cache, const SharedString& key)
{
    for (const auto& f : t.levels) {
        if (f.nsg)
            m_keysByNsg[f.nsg->id].emplace_back(cache, key);
        for (const auto& member : f.members)
            m_keysByNsg[member].emplace_back(cache, key);
    }
}

void Engine::forgetNsg(const std::string& nsgId)
{
    forgetOne(nsgId);
    // A union of security groups made from the edited one (cached under the union's own id):
    // what was built on it is forgotten, and the union is made again from the edited snapshot.
    std::erase_if(m_mergedGroups, [&](const auto& e) {
        const bool member = ("+" + e.first + "+").find("+" + nsgId + "+") != std::string::npos;
        if (member && e.second.first)
            forgetOne(e.second.first->id);
        return member;
    });
}

void Engine::releaseCaches()
{
    // Assigned a new object each: clear() would keep a hash table's buckets.
    const auto release = [](auto& member) { member = std::remove_reference_t<decltype(member)>(); };
    release(m_cidrs);
    release(m_evidenceTexts);
    release(m_keys);
    release(m_ruleChanges);
    release(m_cache);
    release(m_pairCache);
    release(m_universes);
    release(m_twoHopCache);
    release(m_staleTwoHop);
    release(m_bodies);
    release(m_staleBodies);
    release(m_allowedSources);
    m_allowedSourcesKept = 0;
    release(m_keysByNsg);
    release(m_proxyDependents);
    release(m_edgeLegs);
    m_edgeLegsBuilt = false;
    release(m_returnPath);
    release(m_internetRouted);
    release(m_peeringRouted);
    release(m_mergedGroups);
}

void Engine::forgetOne(const std::string& nsgId)
{
    // The verdicts and the caches built on them were indexed by the NSGs of their policy when filled.
    auto it = m_keysByNsg.find(nsgId);
    if (it == m_keysByNsg.end())
        return;
    for (const auto& [cache, key] : it->second) {
        switch (cache) {
        case CacheKind::Verdict:
            m_cache.erase(key);
            break;
        case CacheKind::Pair:
            m_pairCache.erase(key);
            break;
        case CacheKind::TwoHopReach:
            retire(key);
            break;
        case CacheKind::Bodies: {
            if (auto node = m_bodies.extract(key); node && node.mapped())
                m_staleBodies[key] = std::move(node.mapped());
            break;
        }
        }
    }
    m_keysByNsg.erase(it);
    // Drop the memoised sources of policies no IP configuration has any more (only the memo holds
    // them); dropping all of them made the next edit recompute thousands on L.
    if (m_allowedSources.size() > m_allowedSourcesKept + 4096) {
        std::erase_if(m_allowedSources, [](const auto& e) { return e.second.first.use_count() == 1; });
        m_allowedSourcesKept = m_allowedSources.size();
    }
}

} // namespace ew::engine
