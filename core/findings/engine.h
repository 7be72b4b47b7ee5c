#pragma once

// The analysis engine's internal parts, shared by the files of core/findings that implement
// analyze(), IncrementalAnalysis and queryFlow: evaluation and its caches (evaluation.cpp),
// frontends (frontends.cpp), finding building (findingbuilder.cpp), severity (severity.cpp),
// two-hop paths (twohop.cpp), managed services (managedservices.cpp), the incremental analysis
// (analysis.cpp) and the flow query (flowquery.cpp). Not part of the core's interface.

#include "analyzer.h"
#include "policy/nsgevaluator.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace ew::engine {

// Ids of one estate share long prefixes ("/subscriptions/.../virtualmachines/"): compared from the
// end, two different ids part at once.
inline bool sameIdFromEnd(const std::string& a, const std::string& b)
{
    return a.size() == b.size() && std::equal(a.rbegin(), a.rend(), b.rbegin());
}

// The (protocol, port) pairs of packets from any of addrs, as a set over every source: a lookup
// per segment instead of an intersection of every segment's sources (footholds are single
// addresses; the two-hop legs ask this of thousands of them).
PacketSet portsFrom(const PacketSet& packets, const AddressSet& addrs);

// The allow rules of an NSG whose first-match claims carry some of packets: the evidence, its texts
// from strings (the same rules are evidence for many policy groups and findings).
void allowEvidence(const NetworkSecurityGroup& nsg, const NsgVerdict& verdict, const std::string& level,
    const PacketSet& packets, std::vector<RuleEvidence>& out, StringPool& strings);

inline const PathStep& internetStep()
{
    static const PathStep internet { "internet", "Internet", "Internet", StepKind::Internet };
    return internet;
}

/// The step with its texts from strings (the same steps recur across the findings of an estate).
inline PathStep pooledStep(const PathStep& step, StringPool& strings)
{
    return { strings(step.id), strings(step.name), strings(step.type), step.kind };
}

bool sameRules(const std::vector<RuleEvidence>& a, const std::vector<RuleEvidence>& b);

/// How findings and queries name a filter level ("subnet", "nic", "gateway-subnet"): its owner
/// ("subnet", "NIC") and the kind of filter ("NSG").
struct LevelWords
{
    const char* owner;
    const char* filter;
};
LevelWords levelWords(std::string_view level);

// One NSG level (subnet or NIC) in front of an IP configuration.
struct FilterEval
{
    const NetworkSecurityGroup* nsg = nullptr; // null: no NSG at this level
    bool unknown = false; // the level could not be read (subnet not exported)
    std::string level; // "subnet" or "nic"
    /// Equal for IP configurations that get the same verdict. Shared (pooled per engine): the keys
    /// name the NSG, the VNet and each rule, and every IP configuration of L held copies of them.
    SharedString key;
    std::shared_ptr<const NsgVerdict> verdict;
    /// A list the engine made (the union of an interface's security groups), kept alive with the
    /// level, and the ids of the lists it was made from (an edit of one of them concerns the level).
    std::shared_ptr<const NetworkSecurityGroup> owned;
    std::vector<std::string> members;
    bool present() const { return nsg || unknown; }
    bool concerns(const std::string& listId) const
    {
        return (nsg && nsg->id == listId) || std::find(members.begin(), members.end(), listId) != members.end();
    }
};

struct TargetEval
{
    const NetworkInterface* nic = nullptr;
    const IpConfiguration* ipc = nullptr;
    std::string vnetId;
    /// The filter levels in front of the IP configuration, in the order traffic crosses them (for
    /// Azure: the subnet's NSG, then the NIC's). Every level is listed, present or not, so that a
    /// finding can say "the subnet has no NSG".
    std::vector<FilterEval> levels;
    bool anyLevelPresent() const
    {
        return std::any_of(levels.begin(), levels.end(), [](const FilterEval& f) { return f.present(); });
    }
    /// The level named label ("subnet", "nic"), or null.
    const FilterEval* level(std::string_view label) const
    {
        for (const auto& f : levels)
            if (f.level == label)
                return &f;
        return nullptr;
    }
    SharedString policyKey; // subnet and NIC group keys: equal for IP configurations with equal verdicts
    /// AWS, in a VPC with peering connections that need routes: its subnet and address, which decide
    /// which footholds of the peer VPCs route to it (empty otherwise).
    std::string peerRouteKey;
    // Shared between IP configurations with the same policy inputs (PERFORMANCE.md: grouping).
    std::shared_ptr<const PacketSet> universe; // the sources this evaluation is about
    std::shared_ptr<const PacketSet> allowedAll; // what both levels allow, from any source
    std::shared_ptr<const PacketSet> allowed; // allowedAll within the universe
    PathStep target;
    /// Where the target lives when the data say (AWS: "AWS account 111122223333, eu-west-1"), for
    /// what the analyst reads; empty otherwise.
    std::string owner;
    DataStoreMatch dataStore;
    std::vector<std::string> assumptions;
    /// The target's name with its owner, for explanations ("web-1 (AWS account 111122223333)").
    std::string targetText() const { return owner.empty() ? target.name.str() : target.name + " (" + owner + ")"; }
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
    SharedVector<RuleEvidence> evidence;
    std::vector<std::string> assumptions;
    // A proxy (Application Gateway, Azure Firewall DNAT): the target's NSGs see proxySources, not
    // the clients; the clients are the internet sources the device admits on its frontend.
    bool proxy = false;
    std::shared_ptr<const AddressSet> proxySources;
    AddressSet clients;
    ProtocolMask proxyProtocols = 0;
    PortSet backendPorts;
    std::vector<std::string> deviceNsgIds; // the rule lists in front of the device, whose edits change the clients
    std::string publicIpId; // the public IP clients (or an edge service) connect to
    /// An edge service's client ports, each with the ports at the target it leads to (a route may
    /// send HTTP and HTTPS to origin ports the NSGs treat differently); empty for the others.
    std::vector<std::pair<PortRange, PortSet>> frontendToTarget;

    /// The frontend ports that lead to some of `reached` (at the target).
    std::vector<PortRange> frontendPortsFor(const std::vector<PortRange>& reached) const
    {
        if (frontendToTarget.empty())
            return frontendPorts;
        PortSet out;
        for (const auto& [client, targetPorts] : frontendToTarget)
            if (std::any_of(reached.begin(), reached.end(), [&, &target = targetPorts](const PortRange& r) {
                    return std::any_of(target.ranges().begin(), target.ranges().end(),
                        [&](const PortRange& t) { return t.first <= r.last && r.first <= t.last; });
                }))
                out.add(client.first, client.last);
        return out.ranges();
    }
};

/// One origin of an edge service route, with the ports it forwards: client port -> origin port.
struct EdgeLeg
{
    const EdgeService* edge = nullptr;
    const EdgeRoute* route = nullptr;
    const EdgeOrigin* origin = nullptr;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ports;
    /// The route that forwards to the origin, as evidence.
    RuleEvidence evidence() const
    {
        RuleEvidence ev;
        ev.filterId = edge->id;
        ev.filterName = edge->name;
        ev.level = "edge-route";
        ev.ruleName = route->name + " -> " + origin->name;
        ev.ruleId = route->id;
        ev.allow = true;
        ev.where = route->where;
        return ev;
    }
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
    /// The rules of a finding stamped from this body: `before` (a frontend's evidence, or the rules
    /// of the foothold's finding, which become hop 1 when hop is 2), then the body's own (at `hop`,
    /// or as they are when hop is 0). Shared by the findings stamped so (L's findings held a
    /// million copies of their evidence): the body's own list when `before` is empty, one list per
    /// foothold rule list for hop 2.
    SharedVector<RuleEvidence> rulesAfter(const SharedVector<RuleEvidence>& before, int hop) const;

private:
    // By the storage of `before` (kept alive here, so its address stays its own) and the hop.
    mutable std::map<std::pair<const RuleEvidence*, int>,
        std::pair<SharedVector<RuleEvidence>, SharedVector<RuleEvidence>>>
        m_rulesAfter;
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
    /// Every internet client of its target's direct findings: through its public IP, a load
    /// balancer, a gateway, a firewall or Front Door (whose clients may be IPv6 ones too).
    const AddressSet* clients;
    bool ipv6 = false; // some of its clients are IPv6 addresses
    bool wholeV6 = false; // every public IPv6 address is one of its clients
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
    /// Per rank: the hash of its target's id. A store reached directly is never its own foothold;
    /// telling that by the id's text cost three dependent loads per foothold it sees, most of the
    /// worst what-if edits' time (issue 14). Ids are compared only where the hashes are equal.
    std::vector<std::size_t> targetIdHash;
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

std::string sourcesText(const Finding& f);

inline std::string portsText(const std::vector<PortRange>& ports)
{
    return formatPortRanges(ports);
}

// The NSG steps of a path in front of one IP configuration, subnet level first, their texts from
// strings.
template <typename Eval> void appendFilterSteps(std::vector<PathStep>& path, const Eval& t, StringPool& strings)
{
    for (const auto& level : t.levels)
        if (const auto* lvl = &level; lvl->nsg)
            path.push_back({ strings(lvl->nsg->displayId.empty() ? lvl->nsg->id : lvl->nsg->displayId),
                strings(lvl->nsg->name), strings(lvl->nsg->type), StepKind::Filter });
}

std::string upper(std::string s);

// Broad: the whole internet, or at least a /8 worth of IPv4 addresses.
bool broadSources(const AddressSet& sources);

/// The source address a query names (none for "internet"); false, with the error set, when it is
/// not an address.
bool querySource(const FlowQuery& query, std::optional<u128>& source, std::string& error);

/// One flow to a managed data service: its public endpoint, then its own firewall.
QueryResult queryService(const ManagedDataService& svc, const FlowQuery& query, const PolicyContext& ctx);

/// Splits packets into one part per protocol, merged into "any" when every protocol is reached
/// on the same ports from the same sources.
std::vector<std::pair<std::string, ProtocolMask>> protocolParts(const PacketSet& packets);

/// Sorts and de-duplicates each finding's assumptions.
void normaliseAssumptions(std::vector<Finding>& findings);

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
    /// What every level of t did, in words ("subnet NSG a allows it by rule r (priority 100); the NIC
    /// has no NSG").
    std::string levelSentences(const TargetEval& t, const std::vector<RuleEvidence>& evidence) const;
    PathStep targetOf(const NetworkInterface& nic) const;
    DataStoreMatch dataStoreOf(const NetworkInterface& nic) const;
    void severity(Finding& f, const FindingBody& body) const;
    std::vector<FindingBody> makeBodies(const TargetEval& t, const PacketSet& reach) const;
    /// Bodies of a proxy frontend: reach has the clients as sources, seen the proxy's packets
    /// at the target (the evidence of the target's NSGs is theirs).
    std::vector<FindingBody> proxyBodies(const TargetEval& t, const PacketSet& reach, const PacketSet& seen) const;
    void proxyFrontends(const IpConfiguration& ipc, std::vector<Frontend>& out);
    /// An AWS load balancer's forwards to ipc: the clients its nodes admit (each node's subnet
    /// routes and network ACL, the load balancer's security groups), then the target.
    void loadBalancerFrontends(const ProxyDevice& device, const IpConfiguration& ipc, std::vector<Frontend>& out);
    /// Frontends through edge services (Front Door, CDN) whose origin is the public IP of one of
    /// the frontends in out: appended to out.
    void edgeFrontends(std::vector<Frontend>& out);
    /// The edge legs whose origin is this public IP or this data service (normalised ids).
    const std::vector<EdgeLeg>& edgeLegs(const std::string& originId);
    /// The addresses edge services connect to origins from (AzureFrontDoor.Backend), with what the
    /// analysis assumes about them.
    const AddressSet& edgeSources(std::vector<std::string>& assumptions) const;
    /// The assumption about replies that user-defined routes send elsewhere than the internet, for
    /// a target in this subnet ("" when none).
    std::string returnPathAssumption(const std::string& subnetId);
    /// AWS: the internet addresses whose traffic the subnet's route table sends to an internet
    /// gateway attached to its VPC (longest prefix), i.e. the clients whose replies get back.
    const AddressSet& internetRouted(const std::string& subnetId, std::vector<std::string>& assumptions);
    std::optional<PathStep> internetGatewayStep(const std::string& subnetId) const;
    /// One destination prefix of a route table with its route: a route to a prefix list is one cell
    /// per entry.
    struct RouteCell
    {
        AddressSet prefix; // the addresses of its family that the prefix holds
        u128 span = 0; // the prefix as written, last - first: smaller is more specific
        const Route* route = nullptr;
        bool fromList = false;
    };
    /// The cells of a table's routes, most specific first (a CIDR route before a prefix list's entry
    /// of the same length); routes to prefix lists the export does not resolve go to unresolved.
    std::vector<RouteCell> routesBySpecificity(const RouteTable& table, std::vector<const Route*>* unresolved) const;
    /// The destinations whose most specific route in a table is one `to` accepts (asked only of
    /// routes that carry something); routes to prefix lists without entries that `to` accepts go to
    /// unresolved (the caller decides what they stand for).
    AddressSet destinationsRouted(const RouteTable& table, const std::function<bool(const Route&)>& to,
        std::vector<const Route*>& unresolved) const;
    /// AWS: the peering connection between two VPCs whose traffic needs routes in both subnets' tables
    /// (null when they are not peered so, or the connection is not active).
    const VirtualNetworkPeering* routedPeering(const std::string& fromVnet, const std::string& toVnet) const;
    /// AWS: the destinations a subnet's route table sends over a peering connection (the most
    /// specific active route); every address, with an assumption, when the table is not in the export.
    const AddressSet& peeringRouted(
        const std::string& subnetId, const std::string& connection, std::vector<std::string>* assumptions);
    /// AWS: why a private source address in a VPC peered with ipc's over a connection that needs routes
    /// does not reach it (a route table of either subnet does not send the traffic over the
    /// connection); "" when it does, or when no such connection joins the two VPCs.
    std::string peeringUnrouted(const IpConfiguration& ipc, u128 source, std::vector<std::string>& assumptions);
    /// AWS: what a two-hop leg from a foothold in another VPC rests on when a peering connection that
    /// needs routes joins the two: the words for its path and the assumptions (both empty otherwise).
    void peeringLeg(
        const TargetEval& store, const TargetEval& foothold, std::string& words, std::vector<std::string>& assumptions);
    /// AWS: the union of an interface's security groups as one allow-union list (memoised by the
    /// set of groups); null when the interface names none.
    std::shared_ptr<const NetworkSecurityGroup> mergedGroups(
        const NetworkInterface& nic, std::vector<std::string>& assumptions);
    /// A stateless list's verdict narrowed to what can answer: TCP and ICMP packets from sources the
    /// outbound rules let a reply reach (on any port, the client chooses it).
    NsgVerdict withReplies(
        const NetworkSecurityGroup& list, NsgVerdict verdict, std::vector<std::string>& assumptions) const;
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
    BodySetPtr reuseOrMake(const SharedString& key, std::unordered_map<SharedString, BodySetPtr>& stale,
        const TargetEval& t, PacketSet reach, Make make);
    /// best: per IP configuration, its target's bestFinding (null: not reached directly);
    /// clients: per IP configuration, the sources of all its target's direct findings;
    /// nameOrder: each IP configuration's place among the targets sorted by name.
    FootholdIndex footholdIndex(const std::vector<TargetEval>& targets, const std::vector<const Finding*>& best,
        const std::vector<AddressSet>& clients, const std::vector<AddressSet>& addresses,
        const std::vector<std::uint32_t>& nameOrder);
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
    std::vector<FindingBody> twoHopBodies(const TargetEval& t, const PacketSet& fromFoothold, bool wholeInternet) const;
    /// Appends the two-hop findings of targets[index] as planned.
    void addTwoHopFindings(const std::vector<TargetEval>& targets, std::size_t index, const FootholdIndex& idx,
        const TwoHopPlan& plan, std::vector<Finding>& added) const;
    static std::string twoHopKey(const TargetEval& t);
    /// The key of the footholds that reach t: shared by its policy group, or its own when t is
    /// reached directly (it must not be its own foothold).
    static std::string twoHopReachKey(const TargetEval& t, bool exposed);
    void forgetTwoHop(const TargetEval& t);
    /// Forgets what was built on an NSG's verdicts. The body sets are kept aside until
    /// dropStale(), for reuseOrMake.
    void forgetNsg(const std::string& nsgId);
    /// Takes the NSG verdicts of another engine over the same snapshot that this one has not made
    /// (a worker's, after a parallel analysis), so that its statistics count each policy group
    /// once, as a serial analysis does, and later lookups find them.
    void adoptVerdicts(Engine&& other);
    void forgetOne(const std::string& nsgId); // what is indexed under this one id
    /// For an analysis that is not edited afterwards: the verdicts keep the claims of allow rules
    /// only, which are what findings cite (the deny rules' claims, the default DenyAllInBound's among
    /// them, serve updating a verdict after an edit and the flow query, which has engines of its own).
    void keepAllowClaimsOnly() { m_allowClaimsOnly = true; }
    /// Frees every cache (verdicts, bodies, two-hop reaches, memos, pools) and keeps the statistics:
    /// the engine is then as a new one. For analyze(), which needs only the findings afterwards.
    void releaseCaches();
    void dropStale()
    {
        m_staleBodies.clear();
        m_staleTwoHop.clear();
    }
    /// The caches whose entries depend on NSGs (see m_keysByNsg).
    enum class CacheKind { Pair, Bodies, TwoHopReach, Verdict };
    void remember(const TargetEval& t, CacheKind cache, const SharedString& key);
    /// The sources any packet allowed at a target can come from (memoised per policy group).
    const AddressSet& allowedSources(const TargetEval& t)
    {
        auto& entry = m_allowedSources[t.allowedAll.get()];
        if (!entry.first) // holding the set keeps its address from being reused by another
            entry = { t.allowedAll, t.allowedAll->allSources() };
        return entry.second;
    }
    void addServiceFindings(std::vector<Finding>& out);
    void addEdgeServiceFindings(const ManagedDataService& svc, std::vector<Finding>& out);
    /// Two-hop findings to services through their virtual network rules (service endpoints).
    void addServiceEndpointFindings(
        const std::vector<TargetEval>& targets, const FootholdIndex& idx, std::vector<Finding>& out);
    AddressSet serviceFirewall(const ManagedDataService& svc, const AddressSet& universe,
        std::vector<RuleEvidence>& evidence, std::vector<std::string>& assumptions) const;
    static RuleEvidence serviceEvidence(
        const ManagedDataService& svc, const std::string& rule, const SourceLocation& where);
    DataStoreMatch serviceDataStore(const ManagedDataService& svc) const;

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
    mutable StringPool m_evidenceTexts; // the texts of rule evidence and path steps
    StringPool m_keys; // the keys of the caches below (long: ids and a letter per rule)
    std::unordered_map<std::string, RuleChange> m_ruleChanges; // by NSG id, during an update
    bool m_allowClaimsOnly = false;
    struct Cached
    {
        std::shared_ptr<const NsgVerdict> verdict;
        std::vector<std::string> assumptions;
    };
    std::unordered_map<SharedString, Cached> m_cache;
    std::unordered_map<SharedString, std::shared_ptr<const PacketSet>> m_pairCache;
    std::unordered_map<std::string, std::shared_ptr<const PacketSet>> m_universes;
    std::unordered_map<SharedString, std::shared_ptr<TwoHopReach>> m_twoHopCache; // legs planned on first use
    // Forgotten by the last edit: their legs' body sets are kept where they come out the same, so
    // that the findings stamped from them are kept too (as m_staleBodies for direct findings).
    std::unordered_map<SharedString, std::shared_ptr<TwoHopReach>> m_staleTwoHop;
    void retire(const SharedString& key)
    {
        if (auto node = m_twoHopCache.extract(key); node && node.mapped() && node.mapped()->planned)
            m_staleTwoHop[key] = std::move(node.mapped());
    }
    std::unordered_map<SharedString, BodySetPtr> m_bodies;
    std::unordered_map<SharedString, BodySetPtr> m_staleBodies; // forgotten by the last edit
    std::unordered_map<const PacketSet*, std::pair<std::shared_ptr<const PacketSet>, AddressSet>> m_allowedSources;
    std::size_t m_allowedSourcesKept = 0; // entries after the last sweep
    // Keys of the caches by the NSGs they depend on.
    std::unordered_map<std::string, std::vector<std::pair<CacheKind, SharedString>>> m_keysByNsg;
    std::unordered_map<std::string, std::set<std::string>> m_proxyDependents;
    std::unordered_map<std::string, std::vector<EdgeLeg>> m_edgeLegs; // by origin public IP or service
    bool m_edgeLegsBuilt = false;
    std::unordered_map<std::string, std::string> m_returnPath; // by subnet id
    struct Routed
    {
        AddressSet addresses;
        std::vector<std::string> assumptions;
    };
    void routesTo(
        const RouteTable& table, const std::function<bool(const Route&)>& to, const char* consequence, Routed& r);
    std::unordered_map<std::string, Routed> m_internetRouted; // by subnet id
    std::unordered_map<std::string, Routed> m_peeringRouted; // by subnet id and connection
    std::unordered_map<std::string, std::pair<std::shared_ptr<const NetworkSecurityGroup>, std::vector<std::string>>>
        m_mergedGroups; // by the groups' joined ids
};

} // namespace ew::engine
