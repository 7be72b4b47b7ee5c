#include "analyzer.h"

#include "policy/nsgevaluator.h"

#include <algorithm>
#include <bit>
#include <memory>
#include <set>
#include <unordered_map>

namespace ew {

namespace {

constexpr const char* kNsgType = "Microsoft.Network/networkSecurityGroups";
constexpr const char* kPipType = "Microsoft.Network/publicIPAddresses";
constexpr const char* kLbType = "Microsoft.Network/loadBalancers";

PathStep internetStep()
{
    return {"internet", "Internet", "Internet"};
}

// One NSG level (subnet or NIC) in front of an IP configuration.
struct FilterEval
{
    const NetworkSecurityGroup* nsg = nullptr; // null: no NSG at this level
    bool unknown = false;                      // the level could not be read (subnet not exported)
    std::string level;                         // "subnet" or "nic"
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
    PacketSet universe;
    PacketSet allowed; // after both levels
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
    bool standard = false;
    std::string description;
    std::vector<RuleEvidence> evidence;
    std::vector<std::string> assumptions;
};

struct Group
{
    AddressSet sources;
    std::array<PortSet, kProtocolCount> ports;
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
    std::string s;
    for (auto r : ports) {
        if (!s.empty())
            s += ", ";
        s += std::to_string(r.first);
        if (r.last != r.first)
            s += '-' + std::to_string(r.last);
    }
    return s;
}

std::string upper(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

class Engine
{
public:
    Engine(const Snapshot& snap, const AnalysisOptions& options)
        : m_snap(snap)
        , m_opt(options)
        , m_ctx(snap)
    {
    }

    TargetEval evaluateTarget(const NetworkInterface& nic, const IpConfiguration& ipc, const AddressSet& sources,
                              bool cache, const PacketSet* universe = nullptr);
    std::vector<Frontend> frontendsOf(const IpConfiguration& ipc, std::vector<std::string>& assumptions);
    PacketSet reach(const TargetEval& t, const Frontend& f) const;
    void addFindings(const TargetEval& t, const Frontend& f, const PacketSet& reach, std::vector<Finding>& out);
    std::vector<RuleEvidence> evidence(const TargetEval& t, const PacketSet& packets) const;
    std::string filterSentence(const TargetEval& t, const FilterEval& f, const PacketSet& packets) const;
    PathStep targetOf(const NetworkInterface& nic) const;
    DataStoreMatch dataStoreOf(const NetworkInterface& nic) const;
    void severity(Finding& f) const;
    void twoHop(const std::vector<TargetEval>& targets, std::vector<Finding>& findings);

    const PolicyContext& context() const { return m_ctx; }
    AnalysisStats stats;

    FilterEval filter(const NetworkSecurityGroup* nsg, bool unknown, const char* level, const IpConfiguration& ipc,
                      const AddressSet& sources, const PacketSet& universe, bool cache, std::vector<std::string>& assumptions);

private:
    const Snapshot& m_snap;
    const AnalysisOptions& m_opt;
    PolicyContext m_ctx;
    struct Cached
    {
        std::shared_ptr<const NsgVerdict> verdict;
        std::vector<std::string> assumptions;
    };
    std::unordered_map<std::string, Cached> m_cache;
};

FilterEval Engine::filter(const NetworkSecurityGroup* nsg, bool unknown, const char* level, const IpConfiguration& ipc,
                          const AddressSet& sources, const PacketSet& universe, bool cache,
                          std::vector<std::string>& assumptions)
{
    FilterEval f;
    f.level = level;
    f.nsg = nsg;
    f.unknown = unknown;
    if (!nsg)
        return f;
    if (cache) {
        const std::string key = inboundGroupKey(*nsg, ipc, m_ctx);
        auto it = m_cache.find(key);
        if (it == m_cache.end()) {
            Cached c;
            auto rules = compileInboundRules(*nsg, ipc, m_ctx, sources, &c.assumptions);
            c.verdict = std::make_shared<const NsgVerdict>(evaluateFirstMatch(rules, universe));
            it = m_cache.emplace(key, std::move(c)).first;
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
            return {it->second.displayId.empty() ? it->second.id : it->second.displayId, it->second.name, it->second.type};
    return {nic.displayId.empty() ? nic.id : nic.displayId, nic.name, "Microsoft.Network/networkInterfaces"};
}

DataStoreMatch Engine::dataStoreOf(const NetworkInterface& nic) const
{
    const auto& cat = *m_opt.catalogue;
    const VirtualMachine* vm = nullptr;
    if (auto it = m_snap.vms.find(nic.vmId); it != m_snap.vms.end())
        vm = &it->second;
    for (const std::string* id : {vm ? &vm->id : nullptr, &nic.id}) {
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
                                  bool cache, const PacketSet* universe)
{
    TargetEval t;
    t.nic = &nic;
    t.ipc = &ipc;
    t.vnetId = m_ctx.vnetOfSubnet(ipc.subnetId);
    t.universe = universe ? *universe : PacketSet::box(kAllProtocols, PortSet::all(), sources);
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
    for (const auto* n : {subnetNsg, nicNsg})
        if (n && n->synthetic)
            t.assumptions.push_back("network security group " + n->name
                                    + " is referenced but not in the export: assumed to allow all traffic");
    t.subnet = filter(subnetNsg, subnetUnknown, "subnet", ipc, sources, t.universe, cache, t.assumptions);
    t.nicLevel = filter(nicNsg, false, "nic", ipc, sources, t.universe, cache, t.assumptions);
    // Inbound: the subnet NSG, then the NIC NSG; both must allow. A missing NSG lets traffic pass.
    t.allowed = t.universe;
    for (const auto* f : {&t.subnet, &t.nicLevel})
        if (f->verdict)
            t.allowed = t.allowed.intersected(f->verdict->allowed);
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
        f.steps.push_back({pip && !pip->id.empty() ? pip->id : ipc.publicIpId, name, kPipType});
        f.address = pip ? pip->address : std::string();
        f.frontendPorts = {{0, 65535}};
        // Only clients of the public IP's address family can reach it.
        f.filter = PacketSet::box(kAllProtocols, PortSet::all(), pip && pip->ipv6 ? AddressSet::allV6() : AddressSet::allV4());
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
            f.steps.push_back({pip ? pip->id : fe->publicIpId, pipName, kPipType});
            f.steps.push_back({lb.id, lb.name, kLbType});
            f.address = pip ? pip->address : std::string();
            f.frontendPorts = std::move(frontendPorts);
            f.filter = PacketSet::box(protocols, backendPorts, pip && pip->ipv6 ? AddressSet::allV6() : AddressSet::allV4());
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
                 {haPorts ? PortRange {0, 65535} : PortRange {rule.frontendPort, rule.frontendPort}});
        }
        for (const auto& nat : lb.natRules) {
            const bool direct = std::find(ipc.natRuleIds.begin(), ipc.natRuleIds.end(), nat.id) != ipc.natRuleIds.end();
            const bool viaPool = !nat.backendPoolId.empty()
                && std::find(ipc.backendPoolIds.begin(), ipc.backendPoolIds.end(), nat.backendPoolId) != ipc.backendPoolIds.end();
            if (!direct && !viaPool)
                continue;
            make(frontendOf(nat.frontendId), nat.id, nat.name, nat.where, "nat", nat.protocols,
                 PortSet::range(nat.backendPort, nat.backendPort), {{nat.frontendPort, nat.frontendPortLast}});
        }
    }
    stats.frontends += out.size();
    return out;
}

PacketSet Engine::reach(const TargetEval& t, const Frontend& f) const
{
    // Standard SKU frontends are closed unless an NSG allows; Basic ones are open without an NSG.
    if (f.standard && !t.subnet.present() && !t.nicLevel.present())
        return {};
    return t.allowed.intersected(f.filter);
}

std::vector<RuleEvidence> Engine::evidence(const TargetEval& t, const PacketSet& packets) const
{
    std::vector<RuleEvidence> out;
    for (const auto* f : {&t.subnet, &t.nicLevel}) {
        if (!f->verdict)
            continue;
        for (const auto& c : f->verdict->claims) {
            const auto& rule = f->nsg->rules[c.ruleIndex];
            if (!rule.allow || !c.packets.intersects(packets))
                continue;
            RuleEvidence ev;
            ev.filterId = f->nsg->displayId.empty() ? f->nsg->id : f->nsg->displayId;
            ev.filterName = f->nsg->name;
            ev.level = f->level;
            ev.ruleName = rule.name;
            ev.ruleId = rule.id;
            ev.priority = rule.priority;
            ev.allow = true;
            ev.isDefault = rule.isDefault;
            ev.where = rule.where;
            out.push_back(std::move(ev));
        }
    }
    return out;
}

std::string Engine::filterSentence(const TargetEval& t, const FilterEval& f, const PacketSet& packets) const
{
    const std::string where = f.level == "subnet" ? "the subnet" : "the NIC";
    if (f.unknown)
        return where + "'s NSG is unknown (assumed to allow)";
    if (!f.nsg)
        return where + " has no NSG";
    std::string rules;
    int n = 0;
    for (const auto& c : f.verdict->claims) {
        const auto& rule = f.nsg->rules[c.ruleIndex];
        if (!rule.allow || !c.packets.intersects(packets))
            continue;
        rules += (n++ ? ", " : "") + rule.name + " (priority " + std::to_string(rule.priority) + ")";
    }
    (void)t;
    return std::string(f.level == "subnet" ? "subnet" : "NIC") + " NSG " + f.nsg->name + " allows it by rule"
        + (n > 1 ? "s " : " ") + rules;
}

void Engine::severity(Finding& f) const
{
    const bool broad = f.wholeInternet || f.packets.allSources().v4Count() >= (std::uint64_t(1) << 24)
        || f.packets.allSources().intersected(AddressSet::allV6()).containsAll(publicInternet().intersected(AddressSet::allV6()));
    const std::string who = broad ? "the whole internet or a broad range" : "a narrow source range";
    if (f.dataStore.declared() && !f.dataStore.engine.empty()) {
        const auto* engine = m_opt.catalogue->engineForName(f.dataStore.engine);
        const bool enginePort = !engine || f.packets.intersects(m_opt.catalogue->enginePackets(*engine));
        if (f.hops > 1) {
            f.severity = Severity::High;
            f.severityReason = "data store reachable through a foothold";
        } else if (broad && enginePort) {
            f.severity = Severity::Critical;
            f.severityReason = "data store port open to " + who;
        } else {
            f.severity = Severity::High;
            f.severityReason = broad ? "data store host open to " + who + " on non-engine ports"
                                     : "data store open to " + who;
        }
        return;
    }
    if (f.dataStore.basis == DataStoreMatch::Basis::Port) {
        f.severity = broad ? Severity::High : Severity::Medium;
        f.severityReason = "a data-store port (" + f.dataStore.reason + ") open to " + who;
        return;
    }
    f.severity = broad ? Severity::Medium : Severity::Low;
    f.severityReason = "compute open to " + who;
}

void Engine::addFindings(const TargetEval& t, const Frontend& fe, const PacketSet& reach, std::vector<Finding>& out)
{
    // Group the packets by the exact set of sources: each group is ports x sources, exactly.
    std::vector<Group> groups;
    for (std::size_t p = 0; p < kProtocolCount; ++p) {
        const auto proto = static_cast<Protocol>(p);
        const auto& segs = reach.segments(proto);
        for (std::size_t i = 0; i < segs.size(); ++i) {
            if (segs[i].sources.isEmpty())
                continue;
            auto g = std::find_if(groups.begin(), groups.end(), [&](const Group& x) { return x.sources == segs[i].sources; });
            if (g == groups.end()) {
                groups.push_back({segs[i].sources, {}});
                g = groups.end() - 1;
            }
            g->ports[p].add(segs[i].firstPort, PacketSet::segmentLast(segs, i, proto));
        }
    }
    // Widest exposure first, so that ids of the main exposure stay stable.
    std::stable_sort(groups.begin(), groups.end(),
                     [](const Group& a, const Group& b) { return a.sources.v4Count() > b.sources.v4Count(); });
    const AddressSet universeSources = t.universe.allSources();
    std::map<std::string, int> seen;
    for (const auto& g : groups) {
        const auto tcp = static_cast<std::size_t>(Protocol::Tcp);
        const auto udp = static_cast<std::size_t>(Protocol::Udp);
        const auto icmp = static_cast<std::size_t>(Protocol::Icmp);
        const auto other = static_cast<std::size_t>(Protocol::Other);
        struct Part
        {
            std::string protocol;
            ProtocolMask mask;
            PortSet ports;
        };
        std::vector<Part> parts;
        if (!g.ports[tcp].isEmpty() && g.ports[tcp] == g.ports[udp] && !g.ports[icmp].isEmpty() && !g.ports[other].isEmpty())
            parts.push_back({"any", kAllProtocols, g.ports[tcp]});
        else
            for (std::size_t p = 0; p < kProtocolCount; ++p)
                if (!g.ports[p].isEmpty())
                    parts.push_back({protocolName(static_cast<Protocol>(p)), maskOf(static_cast<Protocol>(p)), g.ports[p]});
        for (auto& part : parts) {
            Finding f;
            f.target = t.target;
            f.dataStore = t.dataStore;
            f.protocol = part.protocol;
            const bool ported = part.protocol == "tcp" || part.protocol == "udp" || part.protocol == "any";
            if (ported)
                f.ports = part.ports.ranges();
            f.packets = PacketSet::box(part.mask, ported ? part.ports : PortSet::all(), g.sources).intersected(reach);
            // Per address family: the whole public space of a family is written 0.0.0.0/0 or ::/0.
            bool wholeV4 = false, wholeV6 = false;
            for (const bool v6 : {false, true}) {
                const AddressSet family = v6 ? AddressSet::allV6() : AddressSet::allV4();
                const AddressSet inFamily = g.sources.intersected(family);
                const AddressSet all = universeSources.intersected(family);
                if (inFamily.isEmpty())
                    continue;
                if (!all.isEmpty() && inFamily.containsAll(all)) {
                    (v6 ? wholeV6 : wholeV4) = true;
                    f.sources.push_back(v6 ? "::/0" : "0.0.0.0/0");
                } else {
                    for (auto& c : inFamily.toCidrs())
                        f.sources.push_back(std::move(c));
                }
            }
            f.wholeInternet = wholeV4 || (wholeV6 && g.sources.intersected(AddressSet::allV4()).isEmpty());
            // Port-catalogue recognition (lower confidence) when nothing declared the resource.
            if (f.dataStore.engine.empty() && f.dataStore.basis != DataStoreMatch::Basis::Analyst) {
                for (auto proto : {Protocol::Tcp, Protocol::Udp}) {
                    if (!f.packets.hasProtocol(proto))
                        continue;
                    for (const auto& e : m_opt.catalogue->engines()) {
                        if (f.packets.intersects(m_opt.catalogue->enginePackets(e))) {
                            f.dataStore.engine = e.id;
                            f.dataStore.basis = DataStoreMatch::Basis::Port;
                            const auto& ranges = e.tcp.empty() ? e.udp : e.tcp;
                            f.dataStore.reason = "port " + portsText(ranges) + " (" + e.displayName + ")";
                            break;
                        }
                    }
                    if (!f.dataStore.engine.empty())
                        break;
                }
            }
            f.hops = 1;
            f.path.push_back(internetStep());
            for (const auto& s : fe.steps)
                f.path.push_back(s);
            for (const auto* lvl : {&t.subnet, &t.nicLevel})
                if (lvl->nsg)
                    f.path.push_back({lvl->nsg->displayId.empty() ? lvl->nsg->id : lvl->nsg->displayId, lvl->nsg->name, kNsgType});
            f.path.push_back(t.target);
            f.rules = fe.evidence;
            for (auto& ev : evidence(t, f.packets))
                f.rules.push_back(std::move(ev));
            f.assumptions = t.assumptions;
            f.assumptions.insert(f.assumptions.end(), fe.assumptions.begin(), fe.assumptions.end());
            f.frontendAddress = fe.address;
            f.frontendPorts = fe.frontendPorts;
            std::string how;
            if (!t.subnet.present() && !t.nicLevel.present())
                how = "no NSG applies and the Basic-SKU frontend is open by default";
            else
                how = filterSentence(t, t.subnet, f.packets) + "; " + filterSentence(t, t.nicLevel, f.packets);
            const std::string what = upper(f.protocol == "any" ? std::string("all protocols") : f.protocol)
                + (f.ports.empty() || (f.protocol == "any" && f.ports.size() == 1 && f.ports[0] == PortRange {0, 65535})
                       ? std::string()
                       : " " + portsText(f.ports));
            f.explanation = what + " from " + sourcesText(f) + " reaches " + t.target.name + " through "
                + fe.description + ": " + how + ".";
            severity(f);
            const std::string base = stableId({f.target.id, fe.key, f.protocol, "1"});
            const int n = ++seen[base];
            f.id = n == 1 ? base : base + "-" + std::to_string(n);
            out.push_back(std::move(f));
        }
    }
}

void Engine::twoHop(const std::vector<TargetEval>& targets, std::vector<Finding>& findings)
{
    // Footholds: compute the internet reaches directly, with their most severe direct finding.
    struct Foothold
    {
        const TargetEval* eval;
        AddressSet addresses;
        const Finding* finding;
    };
    std::unordered_map<std::string, const Finding*> best; // target id -> most severe finding
    for (const auto& f : findings) {
        auto& b = best[f.target.id];
        if (!b || f.severity > b->severity || (f.severity == b->severity && f.wholeInternet && !b->wholeInternet))
            b = &f;
    }
    std::vector<Foothold> footholds;
    std::set<std::string> seenIpc;
    for (const auto& t : targets) {
        auto it = best.find(t.target.id);
        if (it == best.end() || !seenIpc.insert(t.ipc->id).second)
            continue;
        footholds.push_back({&t, m_ctx.possibleAddresses(*t.ipc), it->second});
    }
    stats.footholds = footholds.size();
    std::stable_sort(footholds.begin(), footholds.end(), [](const Foothold& a, const Foothold& b) {
        if (a.finding->severity != b.finding->severity)
            return a.finding->severity > b.finding->severity;
        return a.eval->target.name < b.eval->target.name;
    });
    std::vector<Finding> added;
    for (const auto& t : targets) {
        if (!t.dataStore.declared() || t.dataStore.engine.empty() || best.count(t.target.id))
            continue;
        const auto& connected = m_ctx.connectedVnets(t.vnetId);
        AddressSet sources;
        for (const auto& fh : footholds)
            if (fh.eval->target.id != t.target.id
                && std::find(connected.begin(), connected.end(), fh.eval->vnetId) != connected.end())
                sources = sources.united(fh.addresses);
        if (sources.isEmpty())
            continue;
        const TargetEval inner = evaluateTarget(*t.nic, *t.ipc, sources, false);
        if (inner.allowed.isEmpty())
            continue;
        const AddressSet reached = inner.allowed.allSources();
        const Foothold* chosen = nullptr;
        int others = 0;
        for (const auto& fh : footholds) {
            if (fh.eval->target.id == t.target.id || !fh.addresses.intersects(reached))
                continue;
            if (std::find(connected.begin(), connected.end(), fh.eval->vnetId) == connected.end())
                continue;
            if (!chosen)
                chosen = &fh;
            else
                ++others;
        }
        if (!chosen)
            continue;
        const PacketSet fromFoothold =
            inner.allowed.intersected(PacketSet::box(kAllProtocols, PortSet::all(), chosen->addresses));
        const Finding& via = *chosen->finding;
        std::array<PortSet, kProtocolCount> ports;
        for (std::size_t p = 0; p < kProtocolCount; ++p)
            ports[p] = fromFoothold.ports(static_cast<Protocol>(p));
        std::vector<std::pair<std::string, ProtocolMask>> parts;
        const auto tcp = static_cast<std::size_t>(Protocol::Tcp);
        const auto udp = static_cast<std::size_t>(Protocol::Udp);
        if (!ports[tcp].isEmpty() && ports[tcp] == ports[udp] && fromFoothold.hasProtocol(Protocol::Icmp)
            && fromFoothold.hasProtocol(Protocol::Other))
            parts.emplace_back("any", kAllProtocols);
        else
            for (std::size_t p = 0; p < kProtocolCount; ++p)
                if (fromFoothold.hasProtocol(static_cast<Protocol>(p)))
                    parts.emplace_back(protocolName(static_cast<Protocol>(p)), maskOf(static_cast<Protocol>(p)));
        for (const auto& [protocol, mask] : parts) {
            Finding f;
            f.target = t.target;
            f.dataStore = t.dataStore;
            f.protocol = protocol;
            const std::size_t first = static_cast<std::size_t>(std::countr_zero(static_cast<unsigned>(mask)));
            if (first == tcp || first == udp)
                f.ports = ports[first].ranges();
            f.packets = fromFoothold.intersected(PacketSet::box(mask, PortSet::all(), AddressSet::all()));
            f.sources = via.sources;
            f.wholeInternet = via.wholeInternet;
            f.hops = 2;
            f.foothold = via.target;
            // The path to the foothold, then the data store's own filters.
            f.path = via.path;
            for (const auto* lvl : {&inner.subnet, &inner.nicLevel})
                if (lvl->nsg)
                    f.path.push_back({lvl->nsg->displayId.empty() ? lvl->nsg->id : lvl->nsg->displayId, lvl->nsg->name, kNsgType});
            f.path.push_back(t.target);
            f.rules = via.rules;
            for (auto& ev : evidence(inner, f.packets))
                f.rules.push_back(std::move(ev));
            f.assumptions = via.assumptions;
            f.assumptions.insert(f.assumptions.end(), inner.assumptions.begin(), inner.assumptions.end());
            f.frontendAddress = via.frontendAddress;
            f.frontendPorts = via.frontendPorts;
            f.explanation = upper(protocol == "any" ? std::string("all protocols") : protocol)
                + (f.ports.empty() ? std::string() : " " + portsText(f.ports)) + " reaches " + t.target.name
                + " from " + via.target.name + ", which " + sourcesText(via) + " can reach directly: "
                + filterSentence(inner, inner.subnet, f.packets) + "; " + filterSentence(inner, inner.nicLevel, f.packets)
                + (others > 0 ? "; " + std::to_string(others) + " other foothold(s) reach it too" : std::string()) + ".";
            severity(f);
            f.id = stableId({f.target.id, "via-foothold", f.protocol, "2"});
            added.push_back(std::move(f));
        }
    }
    for (auto& f : added)
        findings.push_back(std::move(f));
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

AnalysisResult analyze(const Snapshot& snapshot, const AnalysisOptions& options)
{
    AnalysisResult result;
    Engine engine(snapshot, options);
    std::vector<const NetworkInterface*> nics;
    nics.reserve(snapshot.nics.size());
    for (const auto& [id, nic] : snapshot.nics)
        nics.push_back(&nic);
    std::sort(nics.begin(), nics.end(), [](auto* a, auto* b) { return a->id < b->id; });
    std::vector<TargetEval> targets;
    std::vector<Finding> findings;
    std::set<std::string> assumptions;
    std::size_t done = 0;
    for (const auto* nic : nics) {
        if (options.cancel && options.cancel->load()) {
            result.cancelled = true;
            return result;
        }
        for (const auto& ipc : nic->ipConfigurations) {
            ++engine.stats.ipConfigurations;
            const std::string vnetId = engine.context().vnetOfSubnet(ipc.subnetId);
            TargetEval t = engine.evaluateTarget(*nic, ipc, engine.context().internetSpace(vnetId), true);
            std::vector<std::string> frontendAssumptions;
            const auto frontends = engine.frontendsOf(ipc, frontendAssumptions);
            t.assumptions.insert(t.assumptions.end(), frontendAssumptions.begin(), frontendAssumptions.end());
            for (const auto& fe : frontends) {
                const PacketSet r = engine.reach(t, fe);
                if (!r.isEmpty())
                    engine.addFindings(t, fe, r, findings);
            }
            targets.push_back(std::move(t));
        }
        if (options.progress && (++done % 256 == 0 || done == nics.size()))
            options.progress(done, nics.size());
    }
    if (options.twoHop)
        engine.twoHop(targets, findings);
    for (auto& f : findings) {
        std::sort(f.assumptions.begin(), f.assumptions.end());
        f.assumptions.erase(std::unique(f.assumptions.begin(), f.assumptions.end()), f.assumptions.end());
        assumptions.insert(f.assumptions.begin(), f.assumptions.end());
    }
    std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
        if (a.severity != b.severity)
            return a.severity > b.severity;
        if (a.target.name != b.target.name)
            return a.target.name < b.target.name;
        if (a.hops != b.hops)
            return a.hops < b.hops;
        return a.id < b.id;
    });
    for (const auto& d : snapshot.diagnostics)
        if (d.level == Diagnostic::Level::Warning)
            assumptions.insert(d.toString());
    for (const auto& file : snapshot.files)
        if (file.skipped)
            assumptions.insert("input " + file.path + " was skipped: " + file.reason);
    result.assumptions.assign(assumptions.begin(), assumptions.end());
    result.graph = ReachabilityGraph::build(findings);
    result.findings = std::move(findings);
    result.stats = engine.stats;
    return result;
}

namespace {

std::string lowerCopy(std::string_view v)
{
    std::string s(v);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

HopVerdict filterHop(const FilterEval& f, const PacketSet& arriving)
{
    HopVerdict h;
    const std::string where = f.level == "subnet" ? "subnet" : "NIC";
    if (!f.nsg) {
        h.step = {"", f.unknown ? where + " NSG (unknown)" : "no " + where + " NSG", "filter"};
        h.passes = true;
        h.detail = f.unknown ? "the " + where + " NSG is not in the export; assumed to allow"
                             : "no NSG at the " + where + " level: traffic passes this level";
        return h;
    }
    h.step = {f.nsg->displayId.empty() ? f.nsg->id : f.nsg->displayId, f.nsg->name,
              "Microsoft.Network/networkSecurityGroups"};
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

QueryResult queryFlow(const Snapshot& snapshot, const FlowQuery& query)
{
    QueryResult result;
    AnalysisOptions options;
    Engine engine(snapshot, options);
    const auto& ctx = engine.context();
    const std::string wanted = lowerCopy(query.target);
    const std::string wantedId = normaliseId(query.target);
    // Resolve the target: a VM (its NICs) or a NIC, by name or id.
    std::vector<const NetworkInterface*> nics;
    std::vector<std::string> matches;
    for (const auto& [id, vm] : snapshot.vms)
        if (id == wantedId || lowerCopy(vm.name) == wanted) {
            matches.push_back(vm.displayId.empty() ? vm.id : vm.displayId);
            for (const auto& nicId : vm.nicIds)
                if (auto it = snapshot.nics.find(nicId); it != snapshot.nics.end())
                    nics.push_back(&it->second);
        }
    if (matches.empty())
        for (const auto& [id, nic] : snapshot.nics)
            if (id == wantedId || lowerCopy(nic.name) == wanted) {
                matches.push_back(nic.displayId.empty() ? nic.id : nic.displayId);
                nics.push_back(&nic);
            }
    if (matches.empty()) {
        result.error = "no virtual machine or network interface named \"" + query.target + "\" in the input";
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
            const bool insideSource = sourceIp && !publicInternet().contains(*sourceIp)
                && ctx.virtualNetworkSpace(vnetId).contains(*sourceIp);
            auto finishPath = [&](PathVerdict& pv, const PacketSet& arriving) {
                HopVerdict s = filterHop(t.subnet, arriving);
                PacketSet afterSubnet = t.subnet.verdict ? arriving.intersected(t.subnet.verdict->allowed) : arriving;
                HopVerdict n = filterHop(t.nicLevel, afterSubnet.isEmpty() ? arriving : afterSubnet);
                PacketSet through = t.nicLevel.verdict ? afterSubnet.intersected(t.nicLevel.verdict->allowed) : afterSubnet;
                pv.hops.push_back(std::move(s));
                pv.hops.push_back(std::move(n));
                pv.hops.push_back({t.target, !through.isEmpty(), through.isEmpty() ? "not reached" : "reached", {}});
                pv.reachable = !through.isEmpty();
                pv.sources = through.allSources().toCidrs();
                if (pv.reachable && !sourceIp && through.allSources().containsAll(sources))
                    pv.sources = {"0.0.0.0/0"};
                return through;
            };
            std::vector<std::string> feAssumptions;
            const auto frontends = engine.frontendsOf(ipc, feAssumptions);
            if (insideSource) {
                PathVerdict pv;
                pv.hops.push_back({{"", query.source, "source"}, true, "source inside the virtual network (or a peered one): no frontend needed", {}});
                finishPath(pv, universe);
                pv.summary = pv.reachable ? "reachable from " + query.source : "not reachable from " + query.source;
                result.paths.push_back(std::move(pv));
            } else if (frontends.empty()) {
                PathVerdict pv;
                HopVerdict h;
                h.step = {"", "no internet-facing frontend", "frontend"};
                h.passes = false;
                h.detail = "the IP configuration " + ipc.name
                    + " has no public IP, and no public load balancer rule or inbound NAT rule targets it";
                pv.hops.push_back(std::move(h));
                pv.hops.push_back({t.target, false, "not reached", {}});
                pv.summary = "not reachable: no internet-facing frontend";
                result.paths.push_back(std::move(pv));
            }
            if (!insideSource) {
                for (const auto& fe : frontends) {
                    PathVerdict pv;
                    pv.frontendAddress = fe.address;
                    pv.frontendPorts = fe.frontendPorts;
                    const PacketSet forwarded = universe.intersected(fe.filter);
                    HopVerdict h;
                    h.step = fe.steps.back();
                    h.rules = fe.evidence;
                    h.passes = !forwarded.isEmpty();
                    h.detail = fe.description + (h.passes ? " forwards it" : " does not forward this protocol/port");
                    const bool closedByDefault = fe.standard && !t.subnet.present() && !t.nicLevel.present();
                    if (closedByDefault) {
                        h.passes = false;
                        h.detail = fe.description + ": Standard SKU is closed to inbound traffic unless an NSG allows it, and no NSG applies";
                    }
                    pv.hops.push_back(std::move(h));
                    if (pv.hops.back().passes) {
                        finishPath(pv, forwarded);
                    } else {
                        pv.hops.push_back({t.target, false, "not reached", {}});
                    }
                    std::string stop;
                    for (const auto& hop : pv.hops)
                        if (!hop.passes) {
                            stop = hop.step.name + ": " + hop.detail;
                            break;
                        }
                    pv.summary = pv.reachable ? "reachable through " + fe.description : "not reachable through " + fe.description + " (" + stop + ")";
                    assumptions.insert(fe.assumptions.begin(), fe.assumptions.end());
                    result.paths.push_back(std::move(pv));
                }
            }
            assumptions.insert(t.assumptions.begin(), t.assumptions.end());
            assumptions.insert(feAssumptions.begin(), feAssumptions.end());
        }
    }
    result.reachable = std::any_of(result.paths.begin(), result.paths.end(), [](const PathVerdict& p) { return p.reachable; });
    result.assumptions.assign(assumptions.begin(), assumptions.end());
    return result;
}

} // namespace ew
