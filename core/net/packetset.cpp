#include "packetset.h"

#include <algorithm>

namespace ew {

const char* protocolName(Protocol p)
{
    switch (p) {
    case Protocol::Tcp:
        return "tcp";
    case Protocol::Udp:
        return "udp";
    case Protocol::Icmp:
        return "icmp";
    case Protocol::Other:
        return "other";
    }
    return "other";
}

PortSet PortSet::range(std::uint32_t first, std::uint32_t last)
{
    PortSet s;
    if (first <= last && last < kPortCount)
        s.m_ranges.push_back({ first, last });
    return s;
}

void PortSet::add(std::uint32_t first, std::uint32_t last)
{
    if (first > last || last >= kPortCount)
        return;
    m_ranges.push_back({ first, last });
    std::sort(m_ranges.begin(), m_ranges.end(), [](auto a, auto b) { return a.first < b.first; });
    std::vector<PortRange> merged;
    for (auto r : m_ranges) {
        if (!merged.empty() && merged.back().last + 1 >= r.first)
            merged.back().last = std::max(merged.back().last, r.last);
        else
            merged.push_back(r);
    }
    m_ranges = std::move(merged);
}

bool PortSet::contains(std::uint32_t port) const
{
    return std::any_of(m_ranges.begin(), m_ranges.end(), [port](auto r) { return port >= r.first && port <= r.last; });
}

std::string formatPortRanges(const std::vector<PortRange>& ranges, const char* separator)
{
    std::string s;
    for (auto r : ranges) {
        if (!s.empty())
            s += separator;
        s += std::to_string(r.first);
        if (r.last != r.first)
            s += '-' + std::to_string(r.last);
    }
    return s;
}

std::string PortSet::toString() const
{
    return formatPortRanges(m_ranges);
}

PortRange icmpTypeCode(int type, int code)
{
    if (type < 0 || type > 255)
        return { 0, kPortCount - 1 };
    const auto t = static_cast<std::uint32_t>(type) << 8;
    if (code < 0 || code > 255)
        return { t, t | 0xffu };
    return { t | static_cast<std::uint32_t>(code), t | static_cast<std::uint32_t>(code) };
}

namespace {

// ICMP types by their IANA names (ICMP Parameters registry), for the ones a rule is written for.
const char* icmpTypeName(std::uint32_t type)
{
    switch (type) {
    case 0:
        return "echo-reply";
    case 3:
        return "destination-unreachable";
    case 4:
        return "source-quench";
    case 5:
        return "redirect";
    case 8:
        return "echo-request";
    case 9:
        return "router-advertisement";
    case 10:
        return "router-solicitation";
    case 11:
        return "time-exceeded";
    case 12:
        return "parameter-problem";
    case 13:
        return "timestamp";
    case 14:
        return "timestamp-reply";
    default:
        return nullptr;
    }
}

bool hasPorts(std::size_t p)
{
    return p != static_cast<std::size_t>(Protocol::Other);
}

// The step function of ports x sources: PortSet ranges are disjoint and non-adjacent, so empty and
// full segments alternate.
void appendSteps(std::vector<PacketSet::Segment>& segs, const PortSet& ports, const AddressSet& sources)
{
    std::uint32_t cur = 0;
    for (auto r : ports.ranges()) {
        if (r.first > cur)
            segs.push_back({ cur, {} });
        segs.push_back({ r.first, sources });
        cur = r.last + 1;
    }
    if (cur < kPortCount)
        segs.push_back({ cur, {} });
}

} // namespace

std::string formatIcmpTypes(const std::vector<PortRange>& typeCodes)
{
    if (typeCodes.size() == 1 && typeCodes[0].first == 0 && typeCodes[0].last == kPortCount - 1)
        return "every type";
    auto type = [](std::uint32_t t) {
        const char* name = icmpTypeName(t);
        return name ? std::string(name) + " (" + std::to_string(t) + ")" : "type " + std::to_string(t);
    };
    std::vector<std::string> parts;
    std::uint32_t runFirst = 0, runLast = 0;
    bool inRun = false;
    auto closeRun = [&] {
        if (inRun)
            parts.push_back(runLast > runFirst + 1 ? "types " + std::to_string(runFirst) + "-" + std::to_string(runLast)
                    : runLast > runFirst           ? type(runFirst) + ", " + type(runLast)
                                                   : type(runFirst));
        inRun = false;
    };
    for (const auto r : typeCodes) {
        for (std::uint32_t t = r.first >> 8; t <= r.last >> 8; ++t) {
            const std::uint32_t lo = t == r.first >> 8 ? r.first & 0xffu : 0;
            const std::uint32_t hi = t == r.last >> 8 ? r.last & 0xffu : 0xffu;
            if (lo == 0 && hi == 0xffu) {
                if (inRun && runLast + 1 == t) {
                    runLast = t;
                    continue;
                }
                closeRun();
                inRun = true;
                runFirst = runLast = t;
                continue;
            }
            closeRun();
            parts.push_back(type(t)
                + (hi > lo ? " codes " + std::to_string(lo) + "-" + std::to_string(hi)
                           : " code " + std::to_string(lo)));
        }
    }
    closeRun();
    std::string s;
    for (const auto& p : parts)
        s += (s.empty() ? "" : ", ") + p;
    return s;
}

PacketSet PacketSet::box(ProtocolMask protocols, const PortSet& ports, const AddressSet& sources)
{
    PacketSet s;
    if (sources.isEmpty() || ports.isEmpty())
        return s;
    for (std::size_t p = 0; p < kProtocolCount; ++p) {
        if (!(protocols & (1u << p)))
            continue;
        auto& segs = s.m_p[p];
        if (!hasPorts(p) || p == static_cast<std::size_t>(Protocol::Icmp)) {
            segs.push_back({ 0, sources });
            continue;
        }
        appendSteps(segs, ports, sources);
    }
    return s;
}

PacketSet PacketSet::icmp(const PortSet& typeCodes, const AddressSet& sources)
{
    PacketSet s;
    if (sources.isEmpty() || typeCodes.isEmpty())
        return s;
    appendSteps(s.m_p[static_cast<std::size_t>(Protocol::Icmp)], typeCodes, sources);
    return s;
}

PacketSet PacketSet::fromSteps(Protocol p, std::vector<Segment> steps)
{
    PacketSet s;
    auto& out = s.m_p[static_cast<std::size_t>(p)];
    bool any = false;
    for (auto& st : steps) {
        any = any || !st.sources.isEmpty();
        if (!out.empty() && out.back().sources == st.sources)
            continue;
        out.push_back(std::move(st));
    }
    if (!any || !hasPorts(static_cast<std::size_t>(p))) {
        if (any)
            out.resize(1);
        else
            out.clear();
    }
    return s;
}

bool PacketSet::isEmpty() const
{
    return std::all_of(m_p.begin(), m_p.end(), [](const auto& v) { return v.empty(); });
}

std::uint32_t PacketSet::segmentLast(const std::vector<Segment>& segs, std::size_t i, Protocol p)
{
    if (!hasPorts(static_cast<std::size_t>(p)))
        return 0;
    return i + 1 < segs.size() ? segs[i + 1].firstPort - 1 : kPortCount - 1;
}

template <typename Op> PacketSet PacketSet::combine(const PacketSet& a, const PacketSet& b, Op op)
{
    PacketSet r;
    static const std::vector<Segment> kEmpty { Segment { 0, {} } };
    // Built here, moved out at the exact size (as AddressSet's operations do): results are kept in
    // verdicts and findings for the whole analysis.
    thread_local std::vector<Segment> out;
    for (std::size_t p = 0; p < kProtocolCount; ++p) {
        const auto& va = a.m_p[p].empty() ? kEmpty : a.m_p[p];
        const auto& vb = b.m_p[p].empty() ? kEmpty : b.m_p[p];
        if (a.m_p[p].empty() && b.m_p[p].empty())
            continue;
        out.clear();
        std::size_t i = 0, j = 0;
        std::uint32_t port = 0;
        bool any = false;
        while (true) {
            AddressSet s = op(va[i].sources, vb[j].sources);
            any = any || !s.isEmpty();
            if (out.empty() || !(out.back().sources == s))
                out.push_back({ port, std::move(s) });
            const std::uint32_t na = i + 1 < va.size() ? va[i + 1].firstPort : kPortCount;
            const std::uint32_t nb = j + 1 < vb.size() ? vb[j + 1].firstPort : kPortCount;
            const std::uint32_t next = std::min(na, nb);
            if (next >= kPortCount)
                break;
            if (na == next)
                ++i;
            if (nb == next)
                ++j;
            port = next;
        }
        if (any)
            r.m_p[p].assign(std::make_move_iterator(out.begin()), std::make_move_iterator(out.end()));
    }
    return r;
}

PacketSet PacketSet::united(const PacketSet& other) const
{
    return combine(*this, other, [](const AddressSet& x, const AddressSet& y) { return x.united(y); });
}

PacketSet PacketSet::intersected(const PacketSet& other) const
{
    return combine(*this, other, [](const AddressSet& x, const AddressSet& y) { return x.intersected(y); });
}

PacketSet PacketSet::subtracted(const PacketSet& other) const
{
    return combine(*this, other, [](const AddressSet& x, const AddressSet& y) { return x.subtracted(y); });
}

bool PacketSet::intersects(const PacketSet& other) const
{
    for (std::size_t p = 0; p < kProtocolCount; ++p) {
        const auto& a = m_p[p];
        const auto& b = other.m_p[p];
        if (a.empty() || b.empty())
            continue;
        std::size_t i = 0, j = 0;
        while (i < a.size() && j < b.size()) {
            if (!a[i].sources.isEmpty() && !b[j].sources.isEmpty() && a[i].sources.intersects(b[j].sources))
                return true;
            const std::uint32_t na = i + 1 < a.size() ? a[i + 1].firstPort : kPortCount;
            const std::uint32_t nb = j + 1 < b.size() ? b[j + 1].firstPort : kPortCount;
            if (na <= nb)
                ++i;
            if (nb <= na)
                ++j;
        }
    }
    return false;
}

PacketSet PacketSet::extract(const PacketSet& other)
{
    PacketSet taken;
    for (std::size_t p = 0; p < kProtocolCount; ++p) {
        auto& segs = m_p[p];
        const auto& mask = other.m_p[p];
        if (segs.empty() || mask.empty())
            continue;
        const auto proto = static_cast<Protocol>(p);
        std::vector<Segment> steps; // the taken part, as a step function
        // Index of the segment of segs that holds port, splitting it so that one starts there.
        auto splitAt = [&](std::uint32_t port) -> std::size_t {
            auto it = std::upper_bound(
                segs.begin(), segs.end(), port, [](std::uint32_t v, const Segment& s) { return v < s.firstPort; });
            auto idx = static_cast<std::size_t>(it - segs.begin()) - 1;
            if (segs[idx].firstPort != port) {
                segs.insert(segs.begin() + static_cast<std::ptrdiff_t>(idx) + 1, Segment { port, segs[idx].sources });
                ++idx;
            }
            return idx;
        };
        std::size_t touchedFirst = segs.size(), touchedLast = 0;
        for (std::size_t k = 0; k < mask.size(); ++k) {
            if (mask[k].sources.isEmpty())
                continue;
            const std::uint32_t first = mask[k].firstPort;
            const std::uint32_t last = segmentLast(mask, k, proto);
            std::size_t i = splitAt(first);
            const std::size_t end = last + 1 < kPortCount && hasPorts(p) ? splitAt(last + 1) : segs.size();
            touchedFirst = std::min(touchedFirst, i);
            for (; i < end; ++i) {
                if (segs[i].sources.isEmpty() || !segs[i].sources.intersects(mask[k].sources))
                    continue;
                AddressSet m = segs[i].sources.intersected(mask[k].sources);
                segs[i].sources = segs[i].sources.subtracted(m);
                const std::uint32_t segLast = segmentLast(segs, i, proto);
                steps.push_back({ segs[i].firstPort, std::move(m) });
                steps.push_back({ segLast + 1, {} });
                touchedLast = std::max(touchedLast, i);
            }
            touchedLast = std::max(touchedLast, end);
        }
        // Merge equal neighbours around what was touched; drop the protocol when nothing is left.
        if (touchedFirst < segs.size()) {
            const std::size_t from = touchedFirst > 0 ? touchedFirst - 1 : 0;
            const std::size_t to = std::min(segs.size(), touchedLast + 2);
            std::vector<Segment> merged;
            for (std::size_t i = from; i < to; ++i) {
                if (!merged.empty() && merged.back().sources == segs[i].sources)
                    continue;
                merged.push_back(std::move(segs[i]));
            }
            segs.erase(
                segs.begin() + static_cast<std::ptrdiff_t>(from), segs.begin() + static_cast<std::ptrdiff_t>(to));
            segs.insert(segs.begin() + static_cast<std::ptrdiff_t>(from), std::make_move_iterator(merged.begin()),
                std::make_move_iterator(merged.end()));
            if (std::all_of(segs.begin(), segs.end(), [](const Segment& s) { return s.sources.isEmpty(); }))
                segs.clear();
        }
        if (steps.empty())
            continue;
        // steps holds (start, taken) pieces each followed by an empty marker; make a step function.
        std::vector<Segment> fn;
        if (steps.front().firstPort > 0)
            fn.push_back({ 0, {} });
        for (auto& st : steps) {
            if (st.firstPort >= kPortCount)
                continue;
            if (!fn.empty() && fn.back().firstPort == st.firstPort) {
                if (!st.sources.isEmpty())
                    fn.back() = std::move(st);
                continue;
            }
            fn.push_back(std::move(st));
        }
        taken = taken.united(fromSteps(proto, std::move(fn)));
    }
    return taken;
}

bool PacketSet::contains(Protocol p, std::uint32_t port, u128 source) const
{
    const auto& segs = m_p[static_cast<std::size_t>(p)];
    if (segs.empty())
        return false;
    if (!hasPorts(static_cast<std::size_t>(p)))
        port = 0;
    auto it = std::upper_bound(
        segs.begin(), segs.end(), port, [](std::uint32_t v, const Segment& s) { return v < s.firstPort; });
    if (it == segs.begin())
        return false;
    --it;
    return it->sources.contains(source);
}

AddressSet PacketSet::allSources() const
{
    AddressSet all;
    for (const auto& segs : m_p)
        for (const auto& s : segs)
            all = all.united(s.sources);
    return all;
}

PortSet PacketSet::ports(Protocol p) const
{
    PortSet ps;
    const auto& segs = m_p[static_cast<std::size_t>(p)];
    for (std::size_t i = 0; i < segs.size(); ++i)
        if (!segs[i].sources.isEmpty())
            ps.add(segs[i].firstPort, segmentLast(segs, i, p));
    return ps;
}

} // namespace ew
