#include "addressset.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>

namespace ew {

AddressSet AddressSet::all()
{
    return range(0, kU128Max);
}

AddressSet AddressSet::allV4()
{
    return range(kV4Base, kV4Last);
}

AddressSet AddressSet::allV6()
{
    return all().subtracted(allV4());
}

AddressSet AddressSet::range(u128 first, u128 last)
{
    AddressSet s;
    if (first <= last)
        s.m_iv.push_back({ first, last });
    return s;
}

bool AddressSet::contains(u128 address) const
{
    auto it = std::upper_bound(
        m_iv.begin(), m_iv.end(), address, [](u128 a, const AddressInterval& iv) { return a < iv.first; });
    if (it == m_iv.begin())
        return false;
    --it;
    return address <= it->last;
}

bool AddressSet::containsAll(const AddressSet& other) const
{
    // Every interval of other must lie inside one interval of this (intervals are non-adjacent).
    std::size_t i = 0;
    for (const auto& b : other.m_iv) {
        while (i < m_iv.size() && m_iv[i].last < b.first)
            ++i;
        if (i == m_iv.size() || m_iv[i].first > b.first || m_iv[i].last < b.last)
            return false;
    }
    return true;
}

bool AddressSet::intersects(const AddressSet& other) const
{
    const AddressSet& small = m_iv.size() <= other.m_iv.size() ? *this : other;
    const AddressSet& large = m_iv.size() <= other.m_iv.size() ? other : *this;
    if (small.m_iv.size() * 16 < large.m_iv.size()) {
        for (const auto& a : small.m_iv) {
            auto it = std::lower_bound(large.m_iv.begin(), large.m_iv.end(), a.first,
                [](const AddressInterval& iv, u128 v) { return iv.last < v; });
            if (it != large.m_iv.end() && it->first <= a.last)
                return true;
        }
        return false;
    }
    std::size_t i = 0, j = 0;
    while (i < m_iv.size() && j < other.m_iv.size()) {
        const auto& a = m_iv[i];
        const auto& b = other.m_iv[j];
        if (a.last < b.first)
            ++i;
        else if (b.last < a.first)
            ++j;
        else
            return true;
    }
    return false;
}

void AddressSet::add(u128 first, u128 last)
{
    *this = united(range(first, last));
}

namespace {
// The operations build their result here and copy it out at its exact size: a vector grown by
// push_back keeps up to twice its intervals' memory for as long as the set lives, and the sets in
// NSG verdicts and findings live for the whole analysis (issue 14, step 8).
std::vector<AddressInterval>& scratch()
{
    thread_local std::vector<AddressInterval> intervals;
    intervals.clear();
    return intervals;
}

// Appends [f, l] to a sorted result, merging with the previous interval when touching.
void append(std::vector<AddressInterval>& out, u128 f, u128 l)
{
    if (!out.empty() && (out.back().last == kU128Max || out.back().last + 1 >= f)) {
        if (l > out.back().last)
            out.back().last = l;
        return;
    }
    out.push_back({ f, l });
}
} // namespace

AddressSet AddressSet::fromSorted(const std::vector<AddressInterval>& intervals)
{
    AddressSet r;
    r.m_iv.reserve(intervals.size());
    for (const auto& iv : intervals)
        append(r.m_iv, iv.first, iv.last);
    return r;
}

AddressSet AddressSet::united(const AddressSet& other) const
{
    if (other.m_iv.empty())
        return *this;
    if (m_iv.empty())
        return other;
    auto& out = scratch();
    std::size_t i = 0, j = 0;
    while (i < m_iv.size() || j < other.m_iv.size()) {
        const AddressInterval* next;
        if (j >= other.m_iv.size() || (i < m_iv.size() && m_iv[i].first <= other.m_iv[j].first))
            next = &m_iv[i++];
        else
            next = &other.m_iv[j++];
        append(out, next->first, next->last);
    }
    return fromSorted(out); // canonical already: copied at its size
}

AddressSet AddressSet::intersected(const AddressSet& other) const
{
    // Very different sizes (a rule's prefixes against thousands of foothold addresses): walk the
    // small side and binary-search the large one, instead of a linear merge of both.
    const AddressSet& small = m_iv.size() <= other.m_iv.size() ? *this : other;
    const AddressSet& large = m_iv.size() <= other.m_iv.size() ? other : *this;
    auto& out = scratch();
    if (small.m_iv.size() * 16 < large.m_iv.size()) {
        for (const auto& a : small.m_iv) {
            auto it = std::lower_bound(large.m_iv.begin(), large.m_iv.end(), a.first,
                [](const AddressInterval& iv, u128 v) { return iv.last < v; });
            for (; it != large.m_iv.end() && it->first <= a.last; ++it)
                out.push_back({ std::max(a.first, it->first), std::min(a.last, it->last) });
        }
        return fromSorted(out); // canonical already: copied at its size
    }
    std::size_t i = 0, j = 0;
    while (i < m_iv.size() && j < other.m_iv.size()) {
        const auto& a = m_iv[i];
        const auto& b = other.m_iv[j];
        const u128 f = std::max(a.first, b.first);
        const u128 l = std::min(a.last, b.last);
        if (f <= l)
            out.push_back({ f, l });
        if (a.last < b.last)
            ++i;
        else
            ++j;
    }
    return fromSorted(out); // canonical already: copied at its size
}

AddressSet AddressSet::subtracted(const AddressSet& other) const
{
    if (other.m_iv.empty() || m_iv.empty())
        return *this;
    auto& out = scratch();
    std::size_t j = 0;
    for (const auto& a : m_iv) {
        u128 cur = a.first;
        bool done = false;
        while (j < other.m_iv.size() && other.m_iv[j].last < cur)
            ++j;
        std::size_t k = j;
        while (k < other.m_iv.size() && other.m_iv[k].first <= a.last) {
            const auto& b = other.m_iv[k];
            if (b.first > cur)
                out.push_back({ cur, b.first - 1 });
            if (b.last >= a.last) {
                done = true;
                break;
            }
            cur = b.last + 1;
            ++k;
        }
        if (!done)
            out.push_back({ cur, a.last });
    }
    return fromSorted(out); // canonical already: copied at its size
}

std::uint64_t AddressSet::v4Count() const
{
    std::uint64_t n = 0;
    for (const auto& iv : m_iv) {
        const u128 f = std::max(iv.first, kV4Base);
        const u128 l = std::min(iv.last, kV4Last);
        if (f <= l)
            n += static_cast<std::uint64_t>(l - f + 1);
    }
    return n;
}

namespace {

void appendV4(std::string& out, std::uint32_t v)
{
    for (int shift = 24; shift >= 0; shift -= 8) {
        const unsigned octet = (v >> shift) & 0xffu;
        if (octet >= 100)
            out += static_cast<char>('0' + octet / 100);
        if (octet >= 10)
            out += static_cast<char>('0' + octet / 10 % 10);
        out += static_cast<char>('0' + octet % 10);
        if (shift)
            out += '.';
    }
}

std::string formatV6(u128 a)
{
    std::array<unsigned, 8> g {};
    for (int i = 0; i < 8; ++i)
        g[static_cast<std::size_t>(i)] = static_cast<unsigned>((a >> (112 - 16 * i)) & 0xffff);
    // Longest run of zero groups (length >= 2) is written as "::" (RFC 5952).
    int bestStart = -1, bestLen = 0;
    for (int i = 0; i < 8;) {
        if (g[static_cast<std::size_t>(i)] != 0) {
            ++i;
            continue;
        }
        int j = i;
        while (j < 8 && g[static_cast<std::size_t>(j)] == 0)
            ++j;
        if (j - i > bestLen && j - i >= 2) {
            bestStart = i;
            bestLen = j - i;
        }
        i = j;
    }
    std::string out;
    char buf[8];
    for (int i = 0; i < 8; ++i) {
        if (i == bestStart) {
            out += "::";
            i += bestLen - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':')
            out += ':';
        auto [p, ec] = std::to_chars(buf, buf + sizeof buf, g[static_cast<std::size_t>(i)], 16);
        out.append(buf, p);
    }
    return out;
}

} // namespace

std::string formatAddress(u128 a)
{
    if (a >= kV4Base && a <= kV4Last) {
        std::string out;
        appendV4(out, static_cast<std::uint32_t>(a - kV4Base));
        return out;
    }
    return formatV6(a);
}

namespace {

// Number of trailing zero bits of a (128 for zero).
int trailingZeros(u128 a)
{
    const auto low = static_cast<std::uint64_t>(a);
    if (low)
        return std::countr_zero(low);
    const auto high = static_cast<std::uint64_t>(a >> 64);
    return high ? 64 + std::countr_zero(high) : 128;
}

// Index of the highest set bit of a plus one (0 for zero).
int bitWidth(u128 a)
{
    const auto high = static_cast<std::uint64_t>(a >> 64);
    return high ? 64 + static_cast<int>(std::bit_width(high))
                : static_cast<int>(std::bit_width(static_cast<std::uint64_t>(a)));
}

void appendCidrs(const std::vector<AddressInterval>& ivs, bool v4, std::vector<std::string>& out)
{
    for (const auto& iv : ivs) {
        u128 cur = iv.first;
        while (true) {
            // Largest block aligned at cur that stays inside the interval: limited by cur's
            // alignment and by the length of what is left (last - cur + 1, which is 2^128 only
            // for the whole space).
            const u128 span = iv.last - cur; // length - 1
            const int fits = span == kU128Max ? 128 : bitWidth(span + 1) - 1;
            const int bits = std::min(trailingZeros(cur), fits);
            const int len = v4 ? 32 - std::min(bits, 32) : 128 - bits;
            std::string text = formatAddress(cur);
            text += '/';
            char buf[4];
            text.append(buf, std::to_chars(buf, buf + sizeof buf, len).ptr);
            out.push_back(std::move(text));
            const u128 blockLast = bits >= 128 ? kU128Max : cur + ((u128(1) << bits) - 1);
            if (blockLast >= iv.last)
                break;
            cur = blockLast + 1;
        }
    }
}

} // namespace

std::vector<std::string> AddressSet::toCidrs() const
{
    std::vector<std::string> out;
    appendCidrs(intersected(allV4()).m_iv, true, out);
    appendCidrs(subtracted(allV4()).m_iv, false, out);
    return out;
}

namespace {

std::optional<std::uint32_t> parseV4(std::string_view s)
{
    std::uint32_t v = 0;
    int parts = 0;
    std::size_t pos = 0;
    while (parts < 4) {
        unsigned octet = 0;
        const char* b = s.data() + pos;
        const char* e = s.data() + s.size();
        auto [p, ec] = std::from_chars(b, e, octet);
        if (ec != std::errc() || p == b || octet > 255 || (p - b) > 3)
            return std::nullopt;
        v = (v << 8) | octet;
        ++parts;
        pos = static_cast<std::size_t>(p - s.data());
        if (parts < 4) {
            if (pos >= s.size() || s[pos] != '.')
                return std::nullopt;
            ++pos;
        }
    }
    if (pos != s.size())
        return std::nullopt;
    return v;
}

std::optional<u128> parseV6(std::string_view s)
{
    if (s.empty())
        return std::nullopt;
    std::array<std::uint32_t, 8> head {}, tail {};
    int nh = 0, nt = 0;
    bool gap = false;
    std::size_t i = 0;
    if (s.substr(0, 2) == "::") {
        gap = true;
        i = 2;
    } else if (s[0] == ':') {
        return std::nullopt;
    }
    while (i < s.size()) {
        std::size_t j = i;
        while (j < s.size() && s[j] != ':')
            ++j;
        std::string_view grp = s.substr(i, j - i);
        if (grp.empty())
            return std::nullopt;
        if (grp.find('.') != std::string_view::npos) { // embedded IPv4 at the end
            if (j != s.size())
                return std::nullopt;
            auto v4 = parseV4(grp);
            if (!v4)
                return std::nullopt;
            auto& arr = gap ? tail : head;
            int& n = gap ? nt : nh;
            if (n + 2 > 8)
                return std::nullopt;
            arr[static_cast<std::size_t>(n++)] = *v4 >> 16;
            arr[static_cast<std::size_t>(n++)] = *v4 & 0xffff;
            break; // the last group
        }
        unsigned val = 0;
        auto [p, ec] = std::from_chars(grp.data(), grp.data() + grp.size(), val, 16);
        if (ec != std::errc() || p != grp.data() + grp.size() || grp.size() > 4)
            return std::nullopt;
        auto& arr = gap ? tail : head;
        int& n = gap ? nt : nh;
        if (n >= 8)
            return std::nullopt;
        arr[static_cast<std::size_t>(n++)] = val;
        i = j;
        if (i < s.size()) {
            if (s.substr(i, 2) == "::") {
                if (gap)
                    return std::nullopt;
                gap = true;
                i += 2;
            } else {
                ++i;
                if (i == s.size())
                    return std::nullopt;
            }
        }
    }
    if (gap ? (nh + nt > 7) : (nh != 8))
        return std::nullopt;
    u128 v = 0;
    for (int k = 0; k < nh; ++k)
        v |= u128(head[static_cast<std::size_t>(k)]) << (112 - 16 * k);
    for (int k = 0; k < nt; ++k)
        v |= u128(tail[static_cast<std::size_t>(k)]) << (16 * (nt - 1 - k));
    return v;
}

} // namespace

std::optional<u128> parseAddress(std::string_view text, bool* isV4)
{
    if (text.find(':') == std::string_view::npos) {
        auto v4 = parseV4(text);
        if (!v4)
            return std::nullopt;
        if (isV4)
            *isV4 = true;
        return kV4Base + *v4;
    }
    auto v6 = parseV6(text);
    if (v6 && isV4)
        *isV4 = false;
    return v6;
}

std::optional<ParsedPrefix> parsePrefix(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    const auto slash = text.find('/');
    bool v4 = true;
    auto addr = parseAddress(text.substr(0, slash), &v4);
    if (!addr)
        return std::nullopt;
    const int maxLen = v4 ? 32 : 128;
    int len = maxLen;
    if (slash != std::string_view::npos) {
        auto lenText = text.substr(slash + 1);
        auto [p, ec] = std::from_chars(lenText.data(), lenText.data() + lenText.size(), len);
        if (ec != std::errc() || p != lenText.data() + lenText.size() || lenText.empty() || len < 0 || len > maxLen)
            return std::nullopt;
    }
    const int hostBits = maxLen - len;
    const u128 hostMask = hostBits >= 128 ? kU128Max : ((u128(1) << hostBits) - 1);
    ParsedPrefix r;
    r.v4 = v4;
    r.first = *addr & ~hostMask;
    if (v4)
        r.first |= kV4Base;
    r.last = r.first | hostMask;
    return r;
}

const AddressSet& publicInternet()
{
    static const AddressSet s = [] {
        auto block = [](const char* text) {
            auto p = parsePrefix(text);
            return AddressSet::range(p->first, p->last);
        };
        AddressSet v4Special;
        for (const char* p : { "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                 "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
                 "203.0.113.0/24", "224.0.0.0/3" })
            v4Special = v4Special.united(block(p));
        // IPv6: only global unicast is routed on the internet.
        const AddressSet v6 = block("2000::/3").subtracted(block("2001:db8::/32"));
        return AddressSet::allV4().subtracted(v4Special).united(v6);
    }();
    return s;
}

} // namespace ew
