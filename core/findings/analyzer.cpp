#include "analyzer.h"
#include "incremental.h"

#include "policy/nsgevaluator.h"

#include <algorithm>
#include <bit>
#include <map>
#include <memory>
#include <set>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace ew {

namespace {

constexpr const char* kNsgType = "Microsoft.Network/networkSecurityGroups";
constexpr const char* kPipType = "Microsoft.Network/publicIPAddresses";
constexpr const char* kLbType = "Microsoft.Network/loadBalancers";

// Ids of one estate share long prefixes ("/subscriptions/.../virtualmachines/"): compared from the
// end, two different ids part at once.
bool sameIdFromEnd(const std::string& a, const std::string& b)
{
    return a.size() == b.size() && std::equal(a.rbegin(), a.rend(), b.rbegin());
}

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
            out = out.united(PacketSet::box(maskOf(proto), ports, AddressSet::all()));
    }
    return out;
}

// The allow rules of an NSG whose first-match claims carry some of packets: the evidence.
void allowEvidence(const NetworkSecurityGroup& nsg, const NsgVerdict& verdict, const std::string& level,
    const PacketSet& packets, std::vector<RuleEvidence>& out)
{
    for (const auto& c : verdict.claims) {
        const auto& rule = nsg.rules[c.ruleIndex];
        if (!rule.allow || !c.packets.intersects(packets))
            continue;
        RuleEvidence ev;
        ev.filterId = nsg.displayId.empty() ? nsg.id : nsg.displayId;
        ev.filterName = nsg.name;
        ev.level = level;
        ev.ruleName = rule.name;
        ev.ruleId = rule.id;
        ev.priority = rule.priority;
        ev.allow = true;
        ev.isDefault = rule.isDefault;
        ev.where = rule.where;
        out.push_back(std::move(ev));
    }
}

PathStep internetStep()
{
    return { "internet", "Internet", "Internet" };
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

// One NSG level (subnet or NIC) in front of an IP configuration.
struct FilterEval
{
    const NetworkSecurityGroup* nsg = nullptr; // null: no NSG at this level
    bool unknown = false; // the level could not be read (subnet not exported)
    std::string level; // "subnet" or "nic"
    std::string key; // equal for IP configurations that get the same verdict
    std::shared_ptr<const NsgVerdict> verdict;
    bool present() const { return nsg || unknown; }
};

struct TargetEval
{
    const NetworkInterface* nic = nullptr;
    const IpConfiguration* ipc = nullptr;
    std::string vnetId;
    FilterEval subnet;
    FilterEval nicLevel;
    std::string policyKey; // subnet and NIC group keys: equal for IP configurations with equal verdicts
    // Shared between IP configurations with the same policy inputs (PERFORMANCE.md: grouping).
    std::shared_ptr<const PacketSet> universe; // the sources this evaluation is about
    std::shared_ptr<const PacketSet> allowedAll; // what both levels allow, from any source
    std::shared_ptr<const PacketSet> allowed; // allowedAll within the universe
    PathStep target;
    DataStoreMatch dataStore;
    std::vector<std::string> assumptions;
};

struct Frontend
{
    std::string key; // identifies the frontend for stable ids
    std::vector<PathStep> steps;
    std::string address;
    std::vector<PortRange> frontendPorts;
    PacketSet filter; // packets at the target (after translation) the frontend forwards
    std::string filterKey; // equal for frontends with the same filter
    bool standard = false;
    std::string description;
    std::vector<RuleEvidence> evidence;
    std::vector<std::string> assumptions;
    // A proxy (Application Gateway, Azure Firewall DNAT): the target's NSGs see proxySources, not
    // the clients; the clients are the internet sources the device admits on its frontend.
    bool proxy = false;
    std::shared_ptr<const AddressSet> proxySources;
    AddressSet clients;
    ProtocolMask proxyProtocols = 0;
    PortSet backendPorts;
    std::string deviceNsgId; // the NSG of the device's subnet, whose edits change the clients
};

// The public space of each address family in a universe, computed once per universe.
// What every IP configuration of one policy group, behind one kind of frontend, shares: the
// packets, their ports and sources, the deciding NSG rules. Computed once, stamped per target.
struct FindingBody
{
    Finding shared; // protocol, packets, ports, sources, exposures, NSG evidence
    std::string how;
    DataStoreMatch portMatch;
    bool broad = false;
    mutable std::unordered_map<std::string, int> engineReach; // engine -> 0 none, 1 narrow, 2 broad
};

// The bodies of one policy group behind one kind of frontend (or of one data store's group from one
// foothold), with the packets they were made of: after an edit, a set whose packets and deciding
// rules came out the same is kept, object and all, so that what was stamped from it is kept too.
struct BodySet
{
    PacketSet reach;
    std::vector<FindingBody> list;
};
using BodySetPtr = std::shared_ptr<const BodySet>;

// What the footholds reach of data stores with one policy group in one VNet.
struct TwoHopReach
{
    std::size_t chosen = 0; // target index of the foothold shown on the path
    int others = -1; // other footholds that reach it; -1: none at all
    /// Footholds in ranking order with what each adds to those before it (footholds in different
    /// VNets, or named by different rules, reach different ports): the first is `chosen`. Filled on
    /// the first plan, with the bodies made from them.
    struct Leg
    {
        std::size_t target;
        BodySetPtr bodies;
    };
    std::vector<Leg> legs;
    bool planned = false;
    std::vector<std::size_t> ranks; // the reaching footholds' ranks, until planned
    AddressSet reached; // their addresses the data store's policy admits something from
};

// An IP configuration the internet reaches directly, from which data stores may be reached.
struct Foothold
{
    std::size_t target; // index into the targets
    const AddressSet* addresses;
    const Finding* finding; // the most severe direct finding of its target
};

// The footholds ranked (most severe first), with an address index for lookups.
struct FootholdIndex
{
    struct Entry
    {
        u128 address;
        std::size_t rank;
    };
    std::vector<Foothold> footholds;
    std::vector<int> rankOf; // target index -> rank, -1 when not a foothold
    std::vector<Entry> singles; // single addresses, sorted
    std::vector<std::size_t> wide; // ranks of footholds with wider ranges
    std::unordered_map<std::string, AddressSet> vnetFootholds;
    std::vector<char> exposed; // per IP configuration: its target is reached directly
    std::unordered_map<std::string, std::size_t> vnetOrdinal; // VNets with footholds
    std::vector<std::size_t> footholdVnet; // per rank: the ordinal of its VNet
    /// Filled on first use: footholds in the VNets connected to a VNet, and which ordinals those are.
    mutable std::unordered_map<std::string, std::shared_ptr<AddressSet>> connectedSources;
    mutable std::unordered_map<std::string, std::vector<char>> connectedMask;
};

struct FamilyUniverse
{
    AddressSet v4;
    AddressSet v6;
    explicit FamilyUniverse(const AddressSet& universe)
        : v4(universe.intersected(AddressSet::allV4()))
        , v6(universe.intersected(AddressSet::allV6()))
    { }
};

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

std::string portsText(const std::vector<PortRange>& ports)
{
    return formatPortRanges(ports);
}

// The NSG steps of a path in front of one IP configuration, subnet level first.
template <typename Eval> void appendFilterSteps(std::vector<PathStep>& path, const Eval& t)
{
    for (const auto* lvl : { &t.subnet, &t.nicLevel })
        if (lvl->nsg)
            path.push_back(
                { lvl->nsg->displayId.empty() ? lvl->nsg->id : lvl->nsg->displayId, lvl->nsg->name, kNsgType });
}

std::string upper(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

// The CIDR text of source sets, per address family. The same sets recur across the targets of an
// estate and across what-if edits (the internet space less the same few ranges), so each is
// written once; the memo is dropped when it grows past a bound.
class CidrTexts
{
public:
    struct Entry
    {
        AddressSet v4, v6;
        std::vector<std::string> v4Cidrs, v6Cidrs;
    };
    const Entry& of(const AddressSet& sources)
    {
        auto it = m_entries.find(sources);
        if (it != m_entries.end())
            return it->second;
        if (m_strings > kMaxStrings) {
            m_entries.clear();
            m_strings = 0;
        }
        Entry e;
        e.v4 = sources.intersected(AddressSet::allV4());
        e.v6 = sources.subtracted(e.v4);
        e.v4Cidrs = e.v4.toCidrs();
        e.v6Cidrs = e.v6.toCidrs();
        m_strings += e.v4Cidrs.size() + e.v6Cidrs.size() + 1;
        return m_entries.emplace(sources, std::move(e)).first->second;
    }

private:
    static constexpr std::size_t kMaxStrings = 1 << 18;
    struct Hash
    {
        std::size_t operator()(const AddressSet& s) const
        {
            std::size_t h = s.intervals().size();
            for (const auto& iv : s.intervals())
                for (const u128 v : { iv.first, iv.last })
                    h = (h ^ static_cast<std::size_t>(v) ^ static_cast<std::size_t>(v >> 64)) * 0x100000001b3ull;
            return h;
        }
    };
    std::unordered_map<AddressSet, Entry, Hash> m_entries;
    std::size_t m_strings = 0;
};

class Engine
{
public:
    Engine(const Snapshot& snap, const AnalysisOptions& options)
        : m_snap(snap)
        , m_opt(options)
        , m_ctx(snap)
    { }

    /// previous: the same IP configuration's evaluation before an edit, whose verdicts of the
    /// edited NSG are updated rather than evaluated anew (see ruleChanged).
    TargetEval evaluateTarget(const NetworkInterface& nic, const IpConfiguration& ipc, const AddressSet& sources,
        bool cache, const PacketSet* universe = nullptr, const TargetEval* previous = nullptr);
    std::vector<Frontend> frontendsOf(const IpConfiguration& ipc, std::vector<std::string>& assumptions);
    /// The bodies of the direct findings of t through a frontend; null when the frontend is closed.
    BodySetPtr bodiesFor(const TargetEval& t, const Frontend& fe);
    /// Appends t's findings through fe, stamped from bodiesFor's result.
    void addFindings(const TargetEval& t, const Frontend& fe, const BodySet& bodies, std::vector<Finding>& out) const;
    void fillPackets(Finding& f, const PacketSet& packets, const FamilyUniverse& universe, bool breakdown) const;
    std::vector<RuleEvidence> evidence(const TargetEval& t, const PacketSet& packets) const;
    std::string filterSentence(const FilterEval& f, const std::vector<RuleEvidence>& evidence) const;
    PathStep targetOf(const NetworkInterface& nic) const;
    DataStoreMatch dataStoreOf(const NetworkInterface& nic) const;
    void severity(Finding& f, const FindingBody& body) const;
    std::vector<FindingBody> makeBodies(const TargetEval& t, const PacketSet& reach);
    /// Bodies of a proxy frontend: reach has the clients as sources, seen the proxy's packets
    /// at the target (the evidence of the target's NSGs is theirs).
    std::vector<FindingBody> proxyBodies(const TargetEval& t, const PacketSet& reach, const PacketSet& seen);
    void proxyFrontends(const IpConfiguration& ipc, std::vector<Frontend>& out);
    bool routedFrom(const ProxyDevice& device, const IpConfiguration& ipc) const;
    /// IP configurations behind a proxy whose subnet NSG is nsgId (they need their frontends again
    /// when it is edited).
    const std::set<std::string>* proxyDependents(const std::string& nsgId) const
    {
        auto it = m_proxyDependents.find(nsgId);
        return it == m_proxyDependents.end() ? nullptr : &it->second;
    }
    /// The set for a key after an edit forgot it: the stale one when it still holds (same packets,
    /// same deciding rules), else made anew.
    template <typename Make>
    BodySetPtr reuseOrMake(const std::string& key, std::unordered_map<std::string, BodySetPtr>& stale,
        const TargetEval& t, PacketSet reach, Make make);
    /// best: per IP configuration, its target's bestFinding (null: not reached directly);
    /// nameOrder: each IP configuration's place among the targets sorted by name.
    FootholdIndex footholdIndex(const std::vector<TargetEval>& targets, const std::vector<const Finding*>& best,
        const std::vector<AddressSet>& addresses, const std::vector<std::uint32_t>& nameOrder);
    static bool twoHopCandidate(const TargetEval& t, std::size_t index, const FootholdIndex& idx);
    /// The finding that ranks a target (its IP configurations: group) as a foothold: the most
    /// severe direct one, internet-wide first; null when the internet does not reach it.
    static const Finding* bestFinding(
        const std::vector<std::size_t>& group, const std::vector<std::vector<Finding>>& direct)
    {
        const Finding* b = nullptr;
        for (auto i : group)
            for (const auto& f : direct[i])
                if (!b || f.severity > b->severity
                    || (f.severity == b->severity && f.wholeInternet && !b->wholeInternet))
                    b = &f;
        return b;
    }
    /// Which footholds the two-hop findings of a data store go through, and their bodies.
    struct TwoHopPlan
    {
        long chosen = -1; // target index of the foothold on the path; -1: no two-hop findings
        int others = 0;
        BodySetPtr bodies;
        /// Further footholds that add packets the chosen one does not deliver, with their bodies.
        std::vector<std::pair<long, BodySetPtr>> more;
        friend bool operator==(const TwoHopPlan&, const TwoHopPlan&) = default;
        /// Whether the foothold of target index i is on one of its paths.
        bool through(std::size_t i) const
        {
            if (chosen == static_cast<long>(i))
                return true;
            return std::any_of(
                more.begin(), more.end(), [&](const auto& m) { return m.first == static_cast<long>(i); });
        }
    };
    /// direct: the packets the internet delivers to targets[index] directly (null: none); two-hop
    /// findings cover only what a foothold delivers beyond them.
    TwoHopPlan twoHopPlan(const std::vector<TargetEval>& targets, std::size_t index, const FootholdIndex& idx,
        const PacketSet* direct = nullptr);
    std::vector<FindingBody> twoHopBodies(const TargetEval& t, const PacketSet& fromFoothold, bool wholeInternet);
    /// Appends the two-hop findings of targets[index] as planned.
    void addTwoHopFindings(const std::vector<TargetEval>& targets, std::size_t index, const FootholdIndex& idx,
        const TwoHopPlan& plan, std::vector<Finding>& out) const;
    static std::string twoHopKey(const TargetEval& t);
    /// The key of the footholds that reach t: shared by its policy group, or its own when t is
    /// reached directly (it must not be its own foothold).
    static std::string twoHopReachKey(const TargetEval& t, bool exposed);
    void forgetTwoHop(const TargetEval& t);
    /// Forgets what was built on an NSG's verdicts. The body sets are kept aside until
    /// dropStale(), for reuseOrMake.
    void forgetNsg(const std::string& nsgId);
    void dropStale()
    {
        m_staleBodies.clear();
        m_staleTwoHop.clear();
    }
    /// The caches whose entries depend on NSGs (see m_keysByNsg).
    enum class CacheKind { Pair, Bodies, TwoHopReach, Verdict };
    void remember(const TargetEval& t, CacheKind cache, const std::string& key);
    /// The sources any packet allowed at a target can come from (memoised per policy group).
    const AddressSet& allowedSources(const TargetEval& t)
    {
        auto& entry = m_allowedSources[t.allowedAll.get()];
        if (!entry.first) // holding the set keeps its address from being reused by another
            entry = { t.allowedAll, t.allowedAll->allSources() };
        return entry.second;
    }
    void addServiceFindings(std::vector<Finding>& out);

    const PolicyContext& context() const { return m_ctx; }
    AnalysisStats stats;

    FilterEval filter(const NetworkSecurityGroup* nsg, bool unknown, const char* level, const IpConfiguration& ipc,
        const AddressSet& sources, const PacketSet& universe, bool cache, std::vector<std::string>& assumptions,
        const FilterEval* previous = nullptr);
    /// During an update after an edit of one rule of an NSG: its verdicts are updated from the
    /// IP configurations' previous ones (updateFirstMatch) instead of evaluated anew.
    void ruleChanged(const std::string& nsgId, const RuleChange& change) { m_ruleChanges[nsgId] = change; }
    void editDone() { m_ruleChanges.clear(); }

private:
    std::vector<std::string> sourceCidrs(const AddressSet& sources, const FamilyUniverse& universe, bool& whole) const;

    const Snapshot& m_snap;
    const AnalysisOptions& m_opt;
    PolicyContext m_ctx;
    mutable CidrTexts m_cidrs;
    std::unordered_map<std::string, RuleChange> m_ruleChanges; // by NSG id, during an update
    struct Cached
    {
        std::shared_ptr<const NsgVerdict> verdict;
        std::vector<std::string> assumptions;
    };
    std::unordered_map<std::string, Cached> m_cache;
    std::unordered_map<std::string, std::shared_ptr<const PacketSet>> m_pairCache;
    std::unordered_map<std::string, std::shared_ptr<const PacketSet>> m_universes;
    std::unordered_map<std::string, std::shared_ptr<TwoHopReach>> m_twoHopCache; // legs planned on first use
    // Forgotten by the last edit: their legs' body sets are kept where they come out the same, so
    // that the findings stamped from them are kept too (as m_staleBodies for direct findings).
    std::unordered_map<std::string, std::shared_ptr<TwoHopReach>> m_staleTwoHop;
    void retire(const std::string& key)
    {
        if (auto node = m_twoHopCache.extract(key); node && node.mapped() && node.mapped()->planned)
            m_staleTwoHop[key] = std::move(node.mapped());
    }
    std::unordered_map<std::string, BodySetPtr> m_bodies;
    std::unordered_map<std::string, BodySetPtr> m_staleBodies; // forgotten by the last edit
    std::unordered_map<const PacketSet*, std::pair<std::shared_ptr<const PacketSet>, AddressSet>> m_allowedSources;
    std::size_t m_allowedSourcesKept = 0; // entries after the last sweep
    // Keys of the caches by the NSGs they depend on.
    std::unordered_map<std::string, std::vector<std::pair<CacheKind, std::string>>> m_keysByNsg;
    std::unordered_map<std::string, std::set<std::string>> m_proxyDependents;
};

FilterEval Engine::filter(const NetworkSecurityGroup* nsg, bool unknown, const char* level, const IpConfiguration& ipc,
    const AddressSet& sources, const PacketSet& universe, bool cache, std::vector<std::string>& assumptions,
    const FilterEval* previous)
{
    FilterEval f;
    f.level = level;
    f.nsg = nsg;
    f.unknown = unknown;
    f.key = unknown ? "?" : "-";
    if (!nsg)
        return f;
    if (cache) {
        // First match per packet does not depend on the universe, so one evaluation over every
        // source serves the internet analysis and the foothold analysis alike.
        f.key = inboundGroupKey(*nsg, ipc, m_ctx);
        auto it = m_cache.find(f.key);
        if (it == m_cache.end()) {
            Cached c;
            static const PacketSet everything = PacketSet::box(kAllProtocols, PortSet::all(), AddressSet::all());
            auto rules = compileInboundRules(*nsg, ipc, m_ctx, AddressSet::all(), &c.assumptions);
            const auto change = m_ruleChanges.find(nsg->id);
            if (change != m_ruleChanges.end() && previous && previous->nsg == nsg && previous->verdict)
                c.verdict = std::make_shared<const NsgVerdict>(
                    updateFirstMatch(*previous->verdict, rules, everything, change->second));
            else
                c.verdict = std::make_shared<const NsgVerdict>(evaluateFirstMatch(rules, everything));
            it = m_cache.emplace(f.key, std::move(c)).first;
            m_keysByNsg[nsg->id].emplace_back(CacheKind::Verdict, f.key);
            ++stats.policyGroups;
        }
        f.verdict = it->second.verdict;
        assumptions.insert(assumptions.end(), it->second.assumptions.begin(), it->second.assumptions.end());
        return f;
    }
    auto rules = compileInboundRules(*nsg, ipc, m_ctx, sources, &assumptions);
    f.verdict = std::make_shared<const NsgVerdict>(evaluateFirstMatch(rules, universe));
    return f;
}

PathStep Engine::targetOf(const NetworkInterface& nic) const
{
    if (!nic.vmId.empty())
        if (auto it = m_snap.vms.find(nic.vmId); it != m_snap.vms.end())
            return { it->second.displayId.empty() ? it->second.id : it->second.displayId, it->second.name,
                it->second.type };
    return { nic.displayId.empty() ? nic.id : nic.displayId, nic.name, "Microsoft.Network/networkInterfaces" };
}

DataStoreMatch Engine::dataStoreOf(const NetworkInterface& nic) const
{
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
    for (const auto* n : { subnetNsg, nicNsg })
        if (n && n->synthetic)
            t.assumptions.push_back("network security group " + n->name
                + " is referenced but not in the export: assumed to allow all traffic");
    t.subnet = filter(subnetNsg, subnetUnknown, "subnet", ipc, sources, *t.universe, cache, t.assumptions,
        previous ? &previous->subnet : nullptr);
    t.nicLevel = filter(nicNsg, false, "nic", ipc, sources, *t.universe, cache, t.assumptions,
        previous ? &previous->nicLevel : nullptr);
    // Inbound: the subnet NSG, then the NIC NSG; both must allow. A missing NSG lets traffic pass.
    static const PacketSet everything = PacketSet::box(kAllProtocols, PortSet::all(), AddressSet::all());
    // within: null for every packet (not intersected with an "everything" set, which changes nothing).
    auto combine = [&](const PacketSet* within) {
        std::vector<const PacketSet*> parts;
        if (within)
            parts.push_back(within);
        for (const auto* f : { &t.subnet, &t.nicLevel })
            if (f->verdict)
                parts.push_back(&f->verdict->allowed);
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
    t.policyKey = t.subnet.key + "#" + t.nicLevel.key;
    const std::string& pair = t.policyKey;
    auto& all = m_pairCache[pair];
    if (!all) {
        all = std::make_shared<const PacketSet>(combine(nullptr));
        remember(t, CacheKind::Pair, pair);
    }
    t.allowedAll = all;
    const std::string withinKey = pair + "|" + t.vnetId;
    auto& within = m_pairCache[withinKey];
    if (!within) {
        within = std::make_shared<const PacketSet>(all->intersected(*t.universe));
        remember(t, CacheKind::Pair, withinKey);
    }
    t.allowed = within;
    return t;
}

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
        f.steps.push_back({ pip && !pip->id.empty() ? pip->id : ipc.publicIpId, name, kPipType });
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
            f.steps.push_back({ pip ? pip->id : fe->publicIpId, pipName, kPipType });
            f.steps.push_back({ lb.id, lb.name, kLbType });
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
            f.steps.push_back({ pip ? pip->id : fw.frontendPublicIpId, pipName, kPipType });
            f.steps.push_back({ device.id, device.name, device.type });
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

std::vector<RuleEvidence> Engine::evidence(const TargetEval& t, const PacketSet& packets) const
{
    std::vector<RuleEvidence> out;
    for (const auto* f : { &t.subnet, &t.nicLevel })
        if (f->verdict)
            allowEvidence(*f->nsg, *f->verdict, f->level, packets, out);
    return out;
}

std::string Engine::filterSentence(const FilterEval& f, const std::vector<RuleEvidence>& evidence) const
{
    const std::string where = f.level == "subnet" ? "the subnet" : "the NIC";
    if (f.unknown)
        return where + "'s NSG is unknown (assumed to allow)";
    if (!f.nsg)
        return where + " has no NSG";
    // The allowing rules of this level are those evidence() found for the same packets.
    std::string rules;
    int n = 0;
    for (const auto& ev : evidence) {
        if (ev.level != f.level)
            continue;
        rules += (n++ ? ", " : "") + ev.ruleName + " (priority " + std::to_string(ev.priority) + ")";
    }
    return std::string(f.level == "subnet" ? "subnet" : "NIC") + " NSG " + f.nsg->name + " allows it by rule"
        + (n > 1 ? "s " : " ") + rules;
}

namespace {

// Broad: the whole internet, or at least a /8 worth of IPv4 addresses.
bool broadSources(const AddressSet& sources)
{
    return sources.v4Count() >= (std::uint64_t(1) << 24)
        || sources.intersected(AddressSet::allV6()).containsAll(publicInternet().intersected(AddressSet::allV6()));
}

} // namespace

void Engine::severity(Finding& f, const FindingBody& body) const
{
    const bool broad = body.broad;
    const std::string who = broad ? "the whole internet or a broad range" : "a narrow source range";
    // Judge an engine's own ports by the sources that reach them, not by the union (memoised).
    auto engineReach = [&](const std::string& id) {
        auto it = body.engineReach.find(id);
        if (it != body.engineReach.end())
            return it->second;
        const auto* engine = m_opt.catalogue->engineForName(id);
        const PacketSet onEngine
            = engine ? f.packets->intersected(m_opt.catalogue->enginePackets(*engine)) : *f.packets;
        const int r = onEngine.isEmpty() ? 0 : (broadSources(onEngine.allSources()) ? 2 : 1);
        body.engineReach.emplace(id, r);
        return r;
    };
    if (f.dataStore.declared() && !f.dataStore.engine.empty()) {
        const int reach = engineReach(f.dataStore.engine);
        if (f.hops > 1) {
            f.severity = Severity::High;
            f.severityReason = "data store reachable through a foothold";
        } else if (reach == 2) {
            f.severity = Severity::Critical;
            f.severityReason = "data store port open to the whole internet or a broad range";
        } else {
            f.severity = Severity::High;
            f.severityReason = reach == 0 ? "data store host open to " + who + " on non-engine ports"
                                          : "data store open to a narrow source range";
        }
        return;
    }
    if (f.dataStore.basis == DataStoreMatch::Basis::Port) {
        const bool engineBroad = engineReach(f.dataStore.engine) == 2;
        f.severity = engineBroad ? Severity::High : Severity::Medium;
        f.severityReason = "a data-store port (" + f.dataStore.reason + ") open to "
            + (engineBroad ? std::string("the whole internet or a broad range") : std::string("a narrow source range"));
        return;
    }
    f.severity = broad ? Severity::Medium : Severity::Low;
    f.severityReason = "compute open to " + who;
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

namespace {

// Splits packets into one part per protocol, merged into "any" when every protocol is reached
// on the same ports from the same sources.
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

} // namespace

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

std::vector<FindingBody> Engine::makeBodies(const TargetEval& t, const PacketSet& reach)
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
        if (!t.subnet.present() && !t.nicLevel.present())
            b.how = "no NSG applies and the Basic-SKU frontend is open by default";
        else
            b.how = filterSentence(t.subnet, f.rules) + "; " + filterSentence(t.nicLevel, f.rules);
        b.broad = f.wholeInternet || broadSources(f.packets->allSources());
        bodies.push_back(std::move(b));
    }
    return bodies;
}

std::vector<FindingBody> Engine::proxyBodies(const TargetEval& t, const PacketSet& reach, const PacketSet& seen)
{
    std::vector<FindingBody> bodies = makeBodies(t, reach);
    auto seenSources = std::make_shared<const AddressSet>(seen.allSources());
    for (auto& b : bodies) {
        const ProtocolMask mask = protocolMaskOfName(b.shared.protocol);
        b.shared.rules = evidence(t, seen.intersected(PacketSet::box(mask, PortSet::all(), AddressSet::all())));
        b.shared.seenSources = seenSources;
        b.how = filterSentence(t.subnet, b.shared.rules) + "; " + filterSentence(t.nicLevel, b.shared.rules);
    }
    return bodies;
}

template <typename Make>
BodySetPtr Engine::reuseOrMake(const std::string& key, std::unordered_map<std::string, BodySetPtr>& stale,
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
        const std::string bodyKey = t.policyKey + "|" + t.vnetId + "|" + fe.filterKey;
        auto& bodies = m_bodies[bodyKey];
        if (!bodies || bodies->reach != reach) {
            if (!bodies) {
                remember(t, CacheKind::Bodies, bodyKey);
                if (!fe.deviceNsgId.empty())
                    m_keysByNsg[fe.deviceNsgId].emplace_back(CacheKind::Bodies, bodyKey);
            }
            auto made = std::make_shared<BodySet>();
            made->list = proxyBodies(t, reach, seen);
            made->reach = std::move(reach);
            bodies = std::move(made);
        }
        return bodies;
    }
    const bool closed = fe.standard && !t.subnet.present() && !t.nicLevel.present();
    if (closed)
        return nullptr; // Standard SKU frontends are closed unless an NSG allows; Basic ones are open without one.
    const std::string bodyKey = t.policyKey + "|" + t.vnetId + "|" + fe.filterKey;
    auto& bodies = m_bodies[bodyKey];
    if (!bodies) {
        remember(t, CacheKind::Bodies, bodyKey);
        bodies = reuseOrMake(bodyKey, m_staleBodies, t, t.allowed->intersected(fe.filter),
            [&](const PacketSet& reach) { return makeBodies(t, reach); });
    }
    return bodies;
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
        f.path.push_back(internetStep());
        for (const auto& s : fe.steps)
            f.path.push_back(s);
        appendFilterSteps(f.path, t);
        f.path.push_back(t.target);
        f.rules = fe.evidence;
        f.rules.insert(f.rules.end(), b.shared.rules.begin(), b.shared.rules.end());
        f.assumptions = t.assumptions;
        f.assumptions.insert(f.assumptions.end(), fe.assumptions.begin(), fe.assumptions.end());
        f.frontendAddress = fe.address;
        f.frontendPorts = fe.frontendPorts;
        f.ipConfigurationId = t.ipc->id;
        const bool allPorts = f.ports.size() == 1 && f.ports[0] == PortRange { 0, 65535 };
        const std::string what = upper(f.protocol == "any" ? std::string("all protocols") : f.protocol)
            + (f.ports.empty() || (f.protocol == "any" && allPorts) ? std::string() : " " + portsText(f.ports));
        f.explanation = what + " from " + sourcesText(f) + (f.exposures.empty() ? "" : " (sources differ by port)")
            + " reaches " + t.target.name + " through " + fe.description + ": " + b.how + ".";
        severity(f, b);
        f.id = stableId({ f.target.id, fe.key, f.protocol, "1" });
        out.push_back(std::move(f));
    }
}

FootholdIndex Engine::footholdIndex(const std::vector<TargetEval>& targets, const std::vector<const Finding*>& best,
    const std::vector<AddressSet>& addresses, const std::vector<std::uint32_t>& nameOrder)
{
    // Footholds: compute the internet reaches directly, ranked by their most severe direct finding
    // (per target: all its IP configurations are footholds when any is reached).
    FootholdIndex idx;
    idx.exposed.assign(targets.size(), 0);
    for (std::size_t i = 0; i < targets.size(); ++i) // one target per IP configuration
        if (best[i]) {
            idx.exposed[i] = 1;
            idx.footholds.push_back({ i, &addresses[i], best[i] });
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

std::string Engine::twoHopKey(const TargetEval& t)
{
    return t.policyKey + "|" + t.vnetId;
}

std::string Engine::twoHopReachKey(const TargetEval& t, bool exposed)
{
    return exposed ? twoHopKey(t) + "|self:" + t.target.id : twoHopKey(t);
}

void Engine::forgetTwoHop(const TargetEval& t)
{
    retire(twoHopReachKey(t, false));
    retire(twoHopReachKey(t, true));
}

void Engine::remember(const TargetEval& t, CacheKind cache, const std::string& key)
{
    for (const auto* f : { &t.subnet, &t.nicLevel })
        if (f->nsg)
            m_keysByNsg[f->nsg->id].emplace_back(cache, key);
}

void Engine::forgetNsg(const std::string& nsgId)
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
    const std::string reachKey = twoHopReachKey(t, exposed);
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
        auto& sources = idx.connectedSources[t.vnetId];
        if (!sources) {
            sources = std::make_shared<AddressSet>();
            for (const auto& vnet : connected)
                if (auto it = idx.vnetFootholds.find(vnet); it != idx.vnetFootholds.end())
                    *sources = sources->united(it->second);
        }
        // An address reaches the data store iff some packet from it is allowed: the sources of
        // what both levels allow, within the footholds. No ports x addresses product is built.
        const AddressSet reached = sources->isEmpty() ? AddressSet() : allowedSources(t).intersected(*sources);
        if (!reached.isEmpty()) {
            std::vector<std::size_t> hits;
            for (const auto& iv : reached.intervals()) {
                auto lo = std::lower_bound(idx.singles.begin(), idx.singles.end(), iv.first,
                    [](const FootholdIndex::Entry& e, u128 v) { return e.address < v; });
                for (; lo != idx.singles.end() && lo->address <= iv.last; ++lo)
                    hits.push_back(lo->rank);
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
            for (auto rank : hits) {
                if (!mask[idx.footholdVnet[rank]])
                    continue;
                if (exposed && sameIdFromEnd(targets[footholds[rank].target].target.id, t.target.id)) {
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
        for (auto rank : reachInfo.ranks) {
            if (!coveredWhole.isEmpty() && everything.subtracted(coveredWhole).isEmpty())
                break;
            const Foothold& fh = footholds[rank];
            const PacketSet ports = portsFrom(*t.allowedAll, *fh.addresses);
            const AddressSet clients = fh.finding->packets ? fh.finding->packets->allSources() : AddressSet();
            PacketSet clientView;
            for (auto proto : { Protocol::Tcp, Protocol::Udp, Protocol::Icmp, Protocol::Other })
                if (const PortSet p = ports.ports(proto); !p.isEmpty())
                    clientView = clientView.united(PacketSet::box(maskOf(proto), p, clients));
            PacketSet adds = clientView.subtracted(covered);
            // A store reached directly: only what the internet does not already deliver directly.
            if (exposed && direct && !adds.isEmpty())
                adds = adds.subtracted(*direct);
            covered = covered.united(clientView);
            if (fh.finding->wholeInternet)
                coveredWhole = coveredWhole.united(ports);
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

std::vector<FindingBody> Engine::twoHopBodies(const TargetEval& t, const PacketSet& fromFoothold, bool wholeInternet)
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
        b.how = filterSentence(t.subnet, b.shared.rules) + "; " + filterSentence(t.nicLevel, b.shared.rules);
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
            f.path = via.path;
            appendFilterSteps(f.path, inner);
            f.path.push_back(t.target);
            f.rules = via.rules;
            for (auto& r : f.rules)
                r.hop = 1;
            for (auto r : b.shared.rules) {
                r.hop = 2;
                f.rules.push_back(std::move(r));
            }
            f.assumptions = via.assumptions;
            f.assumptions.insert(f.assumptions.end(), inner.assumptions.begin(), inner.assumptions.end());
            f.frontendAddress = via.frontendAddress;
            f.frontendPorts = via.frontendPorts;
            f.ipConfigurationId = inner.ipc->id;
            f.footholdIpConfigurationId = via.ipConfigurationId;
            f.explanation = upper(f.protocol == "any" ? std::string("all protocols") : f.protocol)
                + (f.ports.empty() ? std::string() : " " + portsText(f.ports)) + " reaches " + t.target.name + " from "
                + via.target.name + ", which " + sourcesText(via) + " can reach directly: " + b.how
                + (others > 0 ? "; " + std::to_string(others) + " other foothold(s) reach it too" : std::string())
                + ".";
            severity(f, b);
            // One finding per foothold that adds something: the id names the foothold, so the same
            // path keeps its id whichever foothold ranks first in another snapshot.
            f.id = stableId({ f.target.id, "via-foothold", f.protocol, "2", via.target.id });
            added.push_back(std::move(f));
        }
    };
    leg(plan.chosen, *plan.bodies);
    for (const auto& [footholdTarget, bodies] : plan.more)
        leg(footholdTarget, *bodies);
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
        f.target = { svc->displayId, svc->name, svc->type };
        if (analyst != m_opt.analystDataStores.end() && analyst->second.empty()) {
            f.dataStore.basis = DataStoreMatch::Basis::Analyst;
            f.dataStore.reason = "marked as not a data store by the analyst";
        } else {
            f.dataStore = { svc->engine, DataStoreMatch::Basis::ServiceType, "service type " + svc->type };
        }
        f.protocol = "tcp";
        fillPackets(f, PacketSet::box(maskOf(Protocol::Tcp), svc->tcpPorts, allowed), universe, false);
        f.hops = 1;
        f.path = { internetStep(), { svc->displayId + "/firewall", svc->name + " firewall", svc->type + "/firewall" },
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

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 1469598103934665603ull)
{
    for (unsigned char c : s) {
        h ^= static_cast<unsigned char>(std::tolower(c));
        h *= 1099511628211ull;
    }
    return h;
}

} // namespace

ProtocolMask protocolMaskOfName(std::string_view protocol)
{
    if (protocol == "tcp")
        return maskOf(Protocol::Tcp);
    if (protocol == "udp")
        return maskOf(Protocol::Udp);
    if (protocol == "icmp")
        return maskOf(Protocol::Icmp);
    if (protocol == "other")
        return maskOf(Protocol::Other);
    return kAllProtocols;
}

namespace {

// A finding's exposure as the clients see it: its ports from its sources, per its exact breakdown
// when it has one; "0.0.0.0/0" and "::/0" stand for the public internet of their family.
PacketSet clientView(const Finding& f)
{
    auto parse = [](const std::vector<std::string>& cidrs) {
        AddressSet a;
        for (const auto& c : cidrs) {
            if (c == "0.0.0.0/0")
                a = a.united(publicInternet().intersected(AddressSet::allV4()));
            else if (c == "::/0")
                a = a.united(publicInternet().intersected(AddressSet::allV6()));
            else if (auto p = parsePrefix(c))
                a.add(p->first, p->last);
        }
        return a;
    };
    auto portsOf = [](const std::vector<PortRange>& ranges) {
        if (ranges.empty())
            return PortSet::all();
        PortSet p;
        for (const auto& r : ranges)
            p.add(r.first, r.last);
        return p;
    };
    const ProtocolMask mask = protocolMaskOfName(f.protocol);
    if (f.exposures.empty() || f.exposuresOmitted > 0)
        return PacketSet::box(mask, portsOf(f.ports), parse(f.sources));
    PacketSet out;
    for (const auto& e : f.exposures)
        out = out.united(PacketSet::box(mask, portsOf(e.ports), parse(e.sources)));
    return out;
}

} // namespace

bool coveredByOthers(const Finding& f, const std::vector<const Finding*>& findings)
{
    if (f.hops < 2)
        return false;
    PacketSet others;
    for (const Finding* g : findings) {
        if (!g || g->target.id != f.target.id || g->id == f.id)
            continue;
        if (g->exposuresOmitted == 0)
            others = others.united(clientView(*g));
        else if (g->hops == 1 && g->packets)
            others = others.united(*g->packets); // exact, where the breakdown was cut short
        // else: its exact exposure is not known here, so it covers nothing
    }
    return !others.isEmpty() && clientView(f).subtracted(others).isEmpty();
}

std::string stableId(std::initializer_list<std::string_view> parts)
{
    std::uint64_t h = 1469598103934665603ull;
    for (auto p : parts) {
        h = fnv1a(p, h);
        h = fnv1a("|", h);
    }
    static const char* hex = "0123456789abcdef";
    std::string id = "EW-";
    for (int i = 15; i >= 0; --i)
        id += hex[(h >> (i * 4)) & 0xf];
    return id;
}

namespace {

void normaliseAssumptions(std::vector<Finding>& findings)
{
    for (auto& f : findings) {
        std::sort(f.assumptions.begin(), f.assumptions.end());
        f.assumptions.erase(std::unique(f.assumptions.begin(), f.assumptions.end()), f.assumptions.end());
    }
}

bool samePath(const std::vector<PathStep>& a, const std::vector<PathStep>& b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
        [](const PathStep& x, const PathStep& y) { return x.id == y.id && x.name == y.name; });
}

} // namespace

bool sameFinding(const Finding& a, const Finding& b)
{
    const bool samePackets = a.packets == b.packets || (a.packets && b.packets && *a.packets == *b.packets);
    return a.id == b.id && a.severity == b.severity && a.severityReason == b.severityReason && a.hops == b.hops
        && a.protocol == b.protocol && a.ports == b.ports && a.sources == b.sources
        && a.wholeInternet == b.wholeInternet && a.explanation == b.explanation && samePath(a.path, b.path)
        && sameRules(a.rules, b.rules) && a.assumptions == b.assumptions && a.frontendAddress == b.frontendAddress
        && a.frontendPorts == b.frontendPorts && a.dataStore.engine == b.dataStore.engine
        && a.dataStore.basis == b.dataStore.basis && a.foothold.id == b.foothold.id
        && a.ipConfigurationId == b.ipConfigurationId && a.footholdIpConfigurationId == b.footholdIpConfigurationId
        && a.dataStore.reason == b.dataStore.reason && a.target.id == b.target.id && a.target.name == b.target.name
        && std::equal(a.exposures.begin(), a.exposures.end(), b.exposures.begin(), b.exposures.end(),
            [](const Exposure& x, const Exposure& y) { return x.ports == y.ports && x.sources == y.sources; })
        && a.exposuresOmitted == b.exposuresOmitted && samePackets;
}

namespace {

// The analysis kept in parts (direct findings per IP configuration, two-hop findings per data
// store, managed services), so that an edit recomputes only the parts it touches.
class AnalysisCore
{
public:
    AnalysisCore(const Snapshot& snapshot, const AnalysisOptions& options)
        : m_snap(snapshot)
        , m_opt(options)
        , m_engine(snapshot, options)
    { }

    bool build()
    {
        std::vector<const NetworkInterface*> nics;
        nics.reserve(m_snap.nics.size());
        for (const auto& [id, nic] : m_snap.nics)
            nics.push_back(&nic);
        std::sort(nics.begin(), nics.end(), [](auto* a, auto* b) { return a->id < b->id; });
        for (const auto* nic : nics)
            for (const auto& ipc : nic->ipConfigurations) {
                ++m_engine.stats.ipConfigurations;
                m_slots.push_back({ nic, &ipc });
                m_targetOfIpc[ipc.id] = m_slots.size() - 1;
            }
        const std::size_t n = m_slots.size();
        m_targets.resize(n);
        m_direct.resize(n);
        m_twoHop.resize(n);
        m_plans.resize(n);
        m_stampedFrom.resize(n);
        m_addresses.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            if (m_opt.cancel && (i % 64 == 0) && m_opt.cancel->load())
                return false;
            if (m_opt.progress && (i % 256 == 0))
                m_opt.progress(i, n);
            evaluateDirect(i);
            m_addresses[i] = m_engine.context().possibleAddresses(*m_slots[i].ipc);
            m_targetsOfId[m_targets[i].target.id].push_back(i);
        }
        if (m_opt.progress)
            m_opt.progress(n, n);
        for (const auto& [id, slots] : m_targetsOfId)
            m_groups.push_back(slots);
        std::sort(m_groups.begin(), m_groups.end()); // by first IP configuration: the findings' order
        std::vector<std::size_t> byName(n);
        for (std::size_t i = 0; i < n; ++i)
            byName[i] = i;
        std::stable_sort(byName.begin(), byName.end(),
            [&](std::size_t a, std::size_t b) { return m_targets[a].target.name < m_targets[b].target.name; });
        m_nameOrder.assign(n, 0);
        for (std::size_t r = 0; r < n; ++r) // equal names share a place, as the name comparison does
            m_nameOrder[byName[r]] = r > 0 && m_targets[byName[r]].target.name == m_targets[byName[r - 1]].target.name
                ? m_nameOrder[byName[r - 1]]
                : static_cast<std::uint32_t>(r);
        m_engine.addServiceFindings(m_services);
        normaliseAssumptions(m_services);
        if (m_opt.twoHop) {
            m_best.assign(n, nullptr);
            for (const auto& group : m_groups)
                rankGroup(group);
            m_footholds = m_engine.footholdIndex(m_targets, m_best, m_addresses, m_nameOrder);
            for (std::size_t i = 0; i < n; ++i)
                evaluateTwoHop(i);
        }
        return true;
    }

    /// Evaluates the direct findings of IP configuration i. keepIfSame: its frontends are known
    /// not to have changed, and its findings are left as they are (false returned) when they would
    /// be stamped from the same body sets with the same assumptions.
    bool evaluateDirect(std::size_t i, bool keepIfSame = false)
    {
        const auto& [nic, ipc] = m_slots[i];
        const std::string vnetId = m_engine.context().vnetOfSubnet(ipc->subnetId);
        TargetEval t = m_engine.evaluateTarget(
            *nic, *ipc, m_engine.context().internetSpace(vnetId), true, nullptr, keepIfSame ? &m_targets[i] : nullptr);
        std::vector<std::string> frontendAssumptions;
        const auto frontends = m_engine.frontendsOf(*ipc, frontendAssumptions);
        t.assumptions.insert(t.assumptions.end(), frontendAssumptions.begin(), frontendAssumptions.end());
        std::vector<BodySetPtr> from;
        from.reserve(frontends.size());
        for (const auto& fe : frontends)
            from.push_back(m_engine.bodiesFor(t, fe));
        if (keepIfSame && t.assumptions != m_targets[i].assumptions)
            m_assumptionsChanged.insert(i);
        else if (keepIfSame && from == m_stampedFrom[i]) {
            m_targets[i] = std::move(t);
            return false;
        }
        std::vector<Finding> found;
        for (std::size_t k = 0; k < frontends.size(); ++k)
            if (from[k])
                m_engine.addFindings(t, frontends[k], *from[k], found);
        normaliseAssumptions(found);
        m_targets[i] = std::move(t);
        m_direct[i] = std::move(found);
        m_stampedFrom[i] = std::move(from);
        return true;
    }

    /// Evaluates the two-hop findings of data store i; keepIfSame as for evaluateDirect (its
    /// foothold's findings and its own assumptions are known not to have changed).
    bool evaluateTwoHop(std::size_t i, bool keepIfSame = false)
    {
        PacketSet direct;
        for (const auto& f : m_direct[i])
            if (f.packets)
                direct = direct.united(*f.packets);
        auto plan = m_engine.twoHopPlan(m_targets, i, m_footholds, m_direct[i].empty() ? nullptr : &direct);
        if (keepIfSame && plan == m_plans[i])
            return false;
        std::vector<Finding> found;
        m_engine.addTwoHopFindings(m_targets, i, m_footholds, plan, found);
        normaliseAssumptions(found);
        m_twoHop[i] = std::move(found);
        m_plans[i] = std::move(plan);
        return true;
    }

    // Re-evaluates what an applied edit touched; fills the delta.
    void update(const EditImpact& impact, FindingsDelta& delta)
    {
        for (std::size_t k = 0; k < impact.nsgIds.size(); ++k) {
            m_engine.forgetNsg(impact.nsgIds[k]);
            if (k < impact.ruleChanges.size())
                m_engine.ruleChanged(impact.nsgIds[k], impact.ruleChanges[k]);
        }
        std::set<std::size_t> affected;
        for (const auto& nsg : impact.nsgIds)
            for (std::size_t i = 0; i < m_targets.size(); ++i) {
                const auto& t = m_targets[i];
                if ((t.subnet.nsg && t.subnet.nsg->id == nsg) || (t.nicLevel.nsg && t.nicLevel.nsg->id == nsg))
                    affected.insert(i);
            }
        std::set<std::size_t> reassociated; // whose frontends or NSG associations changed
        for (const auto& ipc : impact.ipConfigurationIds)
            if (auto it = m_targetOfIpc.find(ipc); it != m_targetOfIpc.end())
                reassociated.insert(it->second);
        // Machines behind an Application Gateway whose subnet NSG changed: the clients it admits did.
        for (const auto& nsg : impact.nsgIds)
            if (const auto* deps = m_engine.proxyDependents(nsg))
                for (const auto& ipc : *deps)
                    if (auto it = m_targetOfIpc.find(ipc); it != m_targetOfIpc.end())
                        reassociated.insert(it->second);
        affected.insert(reassociated.begin(), reassociated.end());
        m_lastReevaluated = affected.size();
        m_assumptionsChanged.clear();

        // A target's rank as a foothold is its most severe direct finding (-1: not a foothold).
        std::map<std::string, int> rankBefore;
        for (auto i : affected)
            rankBefore.emplace(m_targets[i].target.id, footholdRank(m_targets[i].target.id));
        std::map<std::string, Finding> before;
        std::set<std::string> changedTargets; // target ids whose direct findings changed
        std::set<std::size_t> changedSlots;
        for (auto i : affected) {
            std::vector<Finding> old = std::move(m_direct[i]);
            if (!evaluateDirect(i, !reassociated.count(i))) {
                m_direct[i] = std::move(old); // stamped from the same bodies: the same findings
                continue;
            }
            const bool same = std::equal(old.begin(), old.end(), m_direct[i].begin(), m_direct[i].end(),
                [](const Finding& a, const Finding& b) { return sameFinding(a, b); });
            if (same) {
                m_direct[i] = std::move(old); // keeps the footholds' pointers valid
                continue;
            }
            changedTargets.insert(m_targets[i].target.id);
            changedSlots.insert(i);
            for (auto& f : old)
                before.emplace(f.id, std::move(f));
        }
        std::set<std::size_t> redo;
        std::set<std::size_t> changedSlotsOfTargets;
        std::vector<std::size_t> twoHopRebuilt;
        if (m_opt.twoHop) {
            for (auto i : affected)
                redo.insert(i); // a data store whose own NSGs changed
            if (!changedTargets.empty()) {
                // The ranking is by each target's most severe finding and its name: when no changed
                // target's severity moved, only the findings the footholds point to are new.
                const bool sameRanking = std::all_of(changedTargets.begin(), changedTargets.end(),
                    [&](const std::string& id) { return rankBefore[id] == footholdRank(id); });
                for (const auto& id : changedTargets) {
                    const auto& group = m_targetsOfId[id];
                    const Finding* best = rankGroup(group);
                    for (auto j : group)
                        if (const int r = m_footholds.rankOf[j]; sameRanking && r >= 0)
                            m_footholds.footholds[static_cast<std::size_t>(r)].finding = best;
                }
                if (!sameRanking)
                    m_footholds = m_engine.footholdIndex(m_targets, m_best, m_addresses, m_nameOrder);
                // Footholds that appeared, went or moved in the ranking change the two-hop paths of
                // the data stores they reach; the others keep their order relative to each other.
                // A foothold whose finding changed but kept its rank matters only where it is the
                // foothold shown on the path.
                std::vector<std::size_t> arrivedOrLeft; // became a foothold or stopped being one
                std::vector<std::size_t> moved; // still a foothold, at another place in the ranking
                for (const auto& id : changedTargets) {
                    const int was = rankBefore[id], now = footholdRank(id);
                    for (auto j : m_targetsOfId[id]) {
                        changedSlotsOfTargets.insert(j);
                        redo.insert(j); // whether it is reached directly decides whether it has two-hop paths
                        if ((was < 0) != (now < 0))
                            arrivedOrLeft.push_back(j);
                        else if (was != now)
                            moved.push_back(j);
                    }
                }
                std::unordered_map<std::string, AddressSet> arrivedByVnet;
                for (auto j : arrivedOrLeft) {
                    auto& set = arrivedByVnet[m_targets[j].vnetId];
                    set = set.united(m_addresses[j]);
                }
                std::unordered_map<std::string, AddressSet> nearVnet; // arrived or left footholds a VNet sees
                auto reaches = [&](std::size_t j, std::size_t k) {
                    const auto& connected = m_engine.context().connectedVnets(m_targets[k].vnetId);
                    return std::find(connected.begin(), connected.end(), m_targets[j].vnetId) != connected.end()
                        && m_addresses[j].intersects(allowedSources(k));
                };
                for (std::size_t k = 0; k < m_targets.size(); ++k) {
                    const auto& t = m_targets[k];
                    if (redo.count(k) || !t.dataStore.declared() || t.dataStore.engine.empty())
                        continue;
                    const auto& plan = m_plans[k];
                    const long chosen = plan.chosen;
                    if (chosen >= 0
                        && std::any_of(changedSlotsOfTargets.begin(), changedSlotsOfTargets.end(),
                            [&](std::size_t j) { return plan.through(j); })) {
                        redo.insert(k); // a foothold on its paths changed
                        continue;
                    }
                    // A store reached directly weighs each foothold's clients against its direct
                    // exposure: any reaching foothold whose finding changed may change what it adds.
                    if (m_footholds.exposed[k]
                        && std::any_of(changedSlotsOfTargets.begin(), changedSlotsOfTargets.end(),
                            [&](std::size_t j) { return m_footholds.rankOf[j] >= 0 && reaches(j, k); })) {
                        redo.insert(k);
                        continue;
                    }
                    // A foothold that moved past one on its paths (or one of them that moved) changes
                    // which foothold adds what.
                    if (chosen >= 0) {
                        int lastRank = m_footholds.rankOf[static_cast<std::size_t>(chosen)];
                        for (const auto& [j, bodies] : plan.more)
                            lastRank = std::max(lastRank, m_footholds.rankOf[static_cast<std::size_t>(j)]);
                        const bool overtaken = std::any_of(moved.begin(), moved.end(), [&](std::size_t j) {
                            return m_footholds.rankOf[j] >= 0 && (m_footholds.rankOf[j] < lastRank || plan.through(j))
                                && reaches(j, k);
                        });
                        if (overtaken) {
                            redo.insert(k);
                            continue;
                        }
                    }
                    // One that arrived or left changes who reaches it (and how many do).
                    if (arrivedByVnet.empty())
                        continue;
                    auto near = nearVnet.find(t.vnetId);
                    if (near == nearVnet.end()) {
                        AddressSet seen;
                        for (const auto& vnet : m_engine.context().connectedVnets(t.vnetId))
                            if (auto c = arrivedByVnet.find(vnet); c != arrivedByVnet.end())
                                seen = seen.united(c->second);
                        near = nearVnet.emplace(t.vnetId, std::move(seen)).first;
                    }
                    if (!near->second.isEmpty() && near->second.intersects(allowedSources(k)))
                        redo.insert(k);
                }
            }
            for (auto k : redo)
                m_engine.forgetTwoHop(m_targets[k]);
            for (auto k : redo) {
                // The same plan (foothold, count, bodies) gives the same findings when the foothold's
                // findings and the data store's own assumptions and associations are as they were.
                const auto& plan = m_plans[k];
                const bool keepIfSame = !reassociated.count(k) && !m_assumptionsChanged.count(k)
                    && std::none_of(changedSlotsOfTargets.begin(), changedSlotsOfTargets.end(),
                        [&](std::size_t j) { return plan.through(j); });
                std::vector<Finding> old = std::move(m_twoHop[k]);
                if (!evaluateTwoHop(k, keepIfSame)) {
                    m_twoHop[k] = std::move(old);
                    continue;
                }
                for (auto& f : old)
                    before.emplace(f.id, std::move(f));
                twoHopRebuilt.push_back(k);
            }
        }
        std::map<std::string, const Finding*> after;
        for (auto i : changedSlots) // the others were put back as they were
            for (const auto& f : m_direct[i])
                after.emplace(f.id, &f);
        for (auto k : twoHopRebuilt)
            for (const auto& f : m_twoHop[k])
                after.emplace(f.id, &f);
        m_engine.dropStale();
        m_engine.editDone();
        for (const auto& [id, f] : after) {
            auto b = before.find(id);
            if (b == before.end())
                delta.opened.push_back(id);
            else if (!sameFinding(b->second, *f))
                delta.changed.push_back(id);
        }
        for (const auto& [id, f] : before)
            if (!after.count(id))
                delta.closed.push_back(id);
    }

    std::vector<Finding> findings() const { return collect(*this); }

    /// The result; `take` moves the findings out (a one-shot analysis), leaving this empty.
    AnalysisResult result(bool take = false)
    {
        AnalysisResult result;
        result.findings = take ? collect(*this, true) : collect(std::as_const(*this));
        std::set<std::string> assumptions;
        for (const auto& f : result.findings)
            assumptions.insert(f.assumptions.begin(), f.assumptions.end());
        for (const auto& d : m_snap.diagnostics)
            if (d.level == Diagnostic::Level::Warning)
                assumptions.insert(d.toString());
        for (const auto& file : m_snap.files)
            if (file.skipped)
                assumptions.insert("input " + file.path + " was skipped: " + file.reason);
        result.assumptions.assign(assumptions.begin(), assumptions.end());
        result.graph = ReachabilityGraph::build(result.findings);
        result.stats = m_engine.stats;
        return result;
    }

    const Finding* find(const std::string& id) const
    {
        if (m_byId.empty()) {
            for (const auto* parts : { &m_direct, &m_twoHop })
                for (const auto& part : *parts)
                    for (const auto& f : part)
                        m_byId.emplace(f.id, &f);
            for (const auto& f : m_services)
                m_byId.emplace(f.id, &f);
        }
        auto it = m_byId.find(id);
        return it == m_byId.end() ? nullptr : it->second;
    }
    void forgetIndex() { m_byId.clear(); }
    bool policyAt(const std::string& ipcId, std::shared_ptr<const PacketSet>& allowed, AddressSet& internet,
        std::string& name, AddressSet* virtualNetwork) const
    {
        auto it = m_targetOfIpc.find(ipcId);
        if (it == m_targetOfIpc.end())
            return false;
        const auto& t = m_targets[it->second];
        allowed = t.allowedAll;
        internet = m_engine.context().internetSpace(t.vnetId);
        if (virtualNetwork)
            *virtualNetwork = m_engine.context().virtualNetworkSpace(t.vnetId);
        name = t.target.name;
        return true;
    }
    std::size_t lastReevaluated() const { return m_lastReevaluated; }

private:
    const AddressSet& allowedSources(std::size_t k) { return m_engine.allowedSources(m_targets[k]); }

    // Every finding in analyze()'s order: direct ones by IP configuration, managed services, two-hop.
    template <typename Self> static std::vector<Finding> collect(Self& self, bool move = false)
    {
        std::vector<Finding> all;
        std::size_t count = self.m_services.size();
        for (std::size_t i = 0; i < self.m_direct.size(); ++i)
            count += self.m_direct[i].size() + self.m_twoHop[i].size();
        all.reserve(count);
        auto append = [&](auto& part) {
            if constexpr (std::is_const_v<Self>)
                all.insert(all.end(), part.begin(), part.end());
            else if (move)
                all.insert(all.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
            else
                all.insert(all.end(), part.begin(), part.end());
        };
        for (auto& part : self.m_direct)
            append(part);
        append(self.m_services);
        for (auto& part : self.m_twoHop)
            append(part);
        std::stable_sort(all.begin(), all.end(), [](const Finding& a, const Finding& b) {
            if (a.severity != b.severity)
                return a.severity > b.severity;
            if (a.target.name != b.target.name)
                return a.target.name < b.target.name;
            if (a.hops != b.hops)
                return a.hops < b.hops;
            return a.id < b.id;
        });
        return all;
    }

    // The severity of a target's most severe direct finding, -1 when the internet does not reach it.
    int footholdRank(const std::string& targetId) const
    {
        auto it = m_targetsOfId.find(targetId);
        const Finding* best = it == m_targetsOfId.end() ? nullptr : Engine::bestFinding(it->second, m_direct);
        return best ? static_cast<int>(best->severity) : -1;
    }

    /// Sets m_best for the IP configurations of one target; returns their best finding.
    const Finding* rankGroup(const std::vector<std::size_t>& group)
    {
        const Finding* best = Engine::bestFinding(group, m_direct);
        for (auto j : group)
            m_best[j] = best;
        return best;
    }

    struct Slot
    {
        const NetworkInterface* nic;
        const IpConfiguration* ipc;
    };
    const Snapshot& m_snap;
    const AnalysisOptions& m_opt;
    Engine m_engine;
    std::vector<Slot> m_slots;
    std::vector<TargetEval> m_targets;
    std::vector<std::vector<Finding>> m_direct;
    std::vector<std::vector<Finding>> m_twoHop;
    std::vector<Engine::TwoHopPlan> m_plans; // per data store: the foothold on its path and the bodies
    std::vector<std::vector<BodySetPtr>> m_stampedFrom; // per IP configuration: the sets of its direct findings
    std::set<std::size_t> m_assumptionsChanged; // during an update
    std::vector<Finding> m_services;
    std::vector<AddressSet> m_addresses; // what each IP configuration may be, as a foothold
    FootholdIndex m_footholds;
    std::vector<const Finding*> m_best; // per IP configuration: Engine::bestFinding of its target
    std::unordered_map<std::string, std::size_t> m_targetOfIpc;
    std::unordered_map<std::string, std::vector<std::size_t>> m_targetsOfId;
    std::vector<std::vector<std::size_t>> m_groups; // m_targetsOfId's values, by first IP configuration
    std::vector<std::uint32_t> m_nameOrder;
    mutable std::unordered_map<std::string, const Finding*> m_byId;
    std::size_t m_lastReevaluated = 0;
};

} // namespace

AnalysisResult analyze(const Snapshot& snapshot, const AnalysisOptions& options)
{
    AnalysisCore core(snapshot, options);
    if (!core.build()) {
        AnalysisResult cancelled;
        cancelled.cancelled = true;
        return cancelled;
    }
    return core.result(true);
}

struct IncrementalAnalysis::State
{
    State(Snapshot s, AnalysisOptions o)
        : snapshot(std::move(s))
        , options(std::move(o))
        , core(snapshot, options)
    { }
    Snapshot snapshot;
    AnalysisOptions options;
    AnalysisCore core;
};

IncrementalAnalysis::IncrementalAnalysis(Snapshot snapshot, AnalysisOptions options)
    : d(std::make_unique<State>(std::move(snapshot), std::move(options)))
{
    d->options.progress = nullptr;
    d->options.cancel = nullptr;
    d->core.build();
}

IncrementalAnalysis::~IncrementalAnalysis() = default;

bool IncrementalAnalysis::apply(const WhatIfEdit& edit, WhatIfEdit& inverse, FindingsDelta& delta, std::string& error)
{
    delta = {};
    EditImpact impact;
    if (!applyEdit(d->snapshot, edit, inverse, impact, error))
        return false;
    d->core.forgetIndex();
    d->core.update(impact, delta);
    return true;
}

const Snapshot& IncrementalAnalysis::snapshot() const
{
    return d->snapshot;
}

std::vector<Finding> IncrementalAnalysis::findings() const
{
    return d->core.findings();
}

AnalysisResult IncrementalAnalysis::result() const
{
    return d->core.result();
}

const Finding* IncrementalAnalysis::find(const std::string& id) const
{
    return d->core.find(id);
}

bool IncrementalAnalysis::policyAt(const std::string& ipcId, std::shared_ptr<const PacketSet>& allowed,
    AddressSet& internet, std::string& targetName, AddressSet* virtualNetwork) const
{
    return d->core.policyAt(ipcId, allowed, internet, targetName, virtualNetwork);
}

std::size_t IncrementalAnalysis::lastReevaluated() const
{
    return d->core.lastReevaluated();
}

namespace {

HopVerdict filterHop(const FilterEval& f, const PacketSet& arriving)
{
    HopVerdict h;
    const std::string where = f.level == "subnet" ? "subnet" : "NIC";
    if (!f.nsg) {
        h.step = { "", f.unknown ? where + " NSG (unknown)" : "no " + where + " NSG", "filter" };
        h.passes = true;
        h.detail = f.unknown ? "the " + where + " NSG is not in the export; assumed to allow"
                             : "no NSG at the " + where + " level: traffic passes this level";
        return h;
    }
    h.step = { f.nsg->displayId.empty() ? f.nsg->id : f.nsg->displayId, f.nsg->name,
        "Microsoft.Network/networkSecurityGroups" };
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
    h.detail = words.empty() ? "no packet of this flow arrives here" : words;
    return h;
}

} // namespace

// One flow to a managed data service: its public endpoint, then its own firewall.
QueryResult queryService(const ManagedDataService& svc, const FlowQuery& query, const PolicyContext& ctx)
{
    QueryResult result;
    result.target = { svc.displayId, svc.name, svc.type };
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
    endpoint.step = { svc.displayId, svc.name + " public endpoint", "endpoint" };
    endpoint.passes = svc.publicAccess == ManagedDataService::PublicAccess::Enabled && !svc.privateOnly;
    endpoint.detail = svc.publicAccess == ManagedDataService::PublicAccess::Disabled
        ? "public network access is disabled (private endpoints only)"
        : svc.privateOnly ? "the service is injected into a virtual network: no public endpoint"
                          : "public network access is enabled";
    pv.hops.push_back(endpoint);
    HopVerdict firewall;
    firewall.step = { svc.displayId + "/firewall", svc.name + " firewall", svc.type + "/firewall" };
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
        for (const auto& [id, svc] : snapshot.dataServices)
            if (id == wantedId || toLower(svc.name) == wanted)
                return queryService(svc, query, ctx);
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
    if (!query.fromInternet) {
        sourceIp = parseAddress(query.source);
        if (!sourceIp) {
            result.error = "\"" + query.source + "\" is not an IP address (use an address or \"internet\")";
            return result;
        }
    }
    std::sort(nics.begin(), nics.end(), [](auto* a, auto* b) { return a->id < b->id; });
    std::set<std::string> assumptions;
    for (const auto* nic : nics) {
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
                HopVerdict s = filterHop(te.subnet, arriving);
                PacketSet afterSubnet = te.subnet.verdict ? arriving.intersected(te.subnet.verdict->allowed) : arriving;
                HopVerdict n = filterHop(te.nicLevel, afterSubnet.isEmpty() ? arriving : afterSubnet);
                PacketSet through
                    = te.nicLevel.verdict ? afterSubnet.intersected(te.nicLevel.verdict->allowed) : afterSubnet;
                pv.hops.push_back(std::move(s));
                pv.hops.push_back(std::move(n));
                pv.hops.push_back({ t.target, !through.isEmpty(), through.isEmpty() ? "not reached" : "reached", {} });
                pv.reachable = !through.isEmpty();
                pv.sources = through.allSources().toCidrs();
                if (pv.reachable && !sourceIp && through.allSources().containsAll(sources))
                    pv.sources = { "0.0.0.0/0" };
                return through;
            };
            std::vector<std::string> feAssumptions;
            const auto frontends = engine.frontendsOf(ipc, feAssumptions);
            if (insideSource) {
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
                    const bool closedByDefault = fe.standard && !t.subnet.present() && !t.nicLevel.present();
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
