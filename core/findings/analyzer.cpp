#include "engine.h"
#include "findings/clientview.h"

#include <cctype>

namespace ew {

namespace {

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

// "0.0.0.0/0" and "::/0" stand for the public internet of their family, as the engine writes them.
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
    PacketSet out;
    if (f.exposures.empty() || f.exposuresOmitted > 0)
        out = PacketSet::box(mask, portsOf(f.ports), parse(f.sources));
    else
        for (const auto& e : f.exposures)
            out = out.united(PacketSet::box(mask, portsOf(e.ports), parse(e.sources)));
    // ICMP's ports are its types and codes, which box() leaves whole: narrowed to the finding's.
    if (f.protocol == "icmp" && f.packets)
        out = out.intersected(PacketSet::icmp(f.packets->ports(Protocol::Icmp), AddressSet::all()));
    return out;
}

PacketSet reportedView(const Finding& f)
{
    if (!f.packets)
        return clientView(f);
    Finding reported = f;
    reported.packets.reset();
    return clientView(reported);
}

bool coveredByOthers(const Finding& twoHop, const std::vector<const Finding*>& findings)
{
    const Finding& f = twoHop;
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

namespace engine {

void normaliseAssumptions(std::vector<Finding>& findings)
{
    for (auto& f : findings) {
        std::sort(f.assumptions.begin(), f.assumptions.end());
        f.assumptions.erase(std::unique(f.assumptions.begin(), f.assumptions.end()), f.assumptions.end());
    }
}

} // namespace engine

namespace {

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
        && engine::sameRules(a.rules, b.rules) && a.assumptions == b.assumptions
        && a.frontendAddress == b.frontendAddress && a.frontendPorts == b.frontendPorts
        && a.dataStore.engine == b.dataStore.engine && a.dataStore.basis == b.dataStore.basis
        && a.foothold.id == b.foothold.id && a.ipConfigurationId == b.ipConfigurationId
        && a.footholdIpConfigurationId == b.footholdIpConfigurationId && a.dataStore.reason == b.dataStore.reason
        && a.target.id == b.target.id && a.target.name == b.target.name
        && std::equal(a.exposures.begin(), a.exposures.end(), b.exposures.begin(), b.exposures.end(),
            [](const Exposure& x, const Exposure& y) { return x.ports == y.ports && x.sources == y.sources; })
        && a.exposuresOmitted == b.exposuresOmitted && samePackets;
}

} // namespace ew
