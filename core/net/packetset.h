#pragma once

#include "addressset.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ew {

/// The protocols a filter can tell apart. Other carries no ports; ICMP's "port" is its type and
/// code (type << 8 | code, see icmpTypeCode), which AWS rules can name and Azure's cannot.
enum class Protocol : std::uint8_t { Tcp = 0, Udp = 1, Icmp = 2, Other = 3 };
constexpr std::size_t kProtocolCount = 4;
using ProtocolMask = std::uint8_t;
constexpr ProtocolMask kAllProtocols = 0x0f;
constexpr ProtocolMask maskOf(Protocol p)
{
    return static_cast<ProtocolMask>(1u << static_cast<unsigned>(p));
}
const char* protocolName(Protocol p); // "tcp", "udp", "icmp", "other"

constexpr std::uint32_t kPortCount = 65536;

struct PortRange
{
    std::uint32_t first = 0;
    std::uint32_t last = 65535;
    friend bool operator==(const PortRange&, const PortRange&) = default;
};

/// The ICMP "ports" of a type and code, each 0-255 or -1 for all (AWS's IcmpTypeCode, and a
/// security group's FromPort/ToPort for icmp).
PortRange icmpTypeCode(int type, int code);
/// What ICMP type-codes cover: "echo-request (8)", "destination-unreachable (3) codes 0-4",
/// "types 20-29", "every type".
std::string formatIcmpTypes(const std::vector<PortRange>& typeCodes);

/// "22, 80-81" (or with another separator).
std::string formatPortRanges(const std::vector<PortRange>& ranges, const char* separator = ", ");

/// Sorted, disjoint, non-adjacent inclusive port ranges.
class PortSet
{
public:
    PortSet() = default;
    static PortSet all() { return range(0, 65535); }
    static PortSet range(std::uint32_t first, std::uint32_t last);
    void add(std::uint32_t first, std::uint32_t last);
    bool isEmpty() const { return m_ranges.empty(); }
    bool isAll() const { return m_ranges.size() == 1 && m_ranges[0].first == 0 && m_ranges[0].last == 65535; }
    bool contains(std::uint32_t port) const;
    const std::vector<PortRange>& ranges() const { return m_ranges; }
    std::string toString() const; // "22, 80-81"
    friend bool operator==(const PortSet&, const PortSet&) = default;

private:
    std::vector<PortRange> m_ranges;
};

/// A set of packets (protocol x destination port x source address), a value type.
/// Per protocol it is a step function over destination ports: each segment starts at a port and
/// carries the source addresses allowed for every port up to the next segment. The representation
/// is canonical (adjacent equal segments merged, an empty protocol has no segments), so == is set
/// equality. Other uses a single segment at port 0 (it has no ports); ICMP's ports are its type
/// and code.
class PacketSet
{
public:
    struct Segment
    {
        std::uint32_t firstPort = 0;
        AddressSet sources;
        friend bool operator==(const Segment&, const Segment&) = default;
    };

    PacketSet() = default;
    /// protocols x ports x sources. For ICMP (every type) and Other the ports are ignored unless empty.
    static PacketSet box(ProtocolMask protocols, const PortSet& ports, const AddressSet& sources);
    /// ICMP of these type-codes (icmpTypeCode) x sources.
    static PacketSet icmp(const PortSet& typeCodes, const AddressSet& sources);
    /// One protocol x ports x sources, ICMP's ports being its type-codes (what ports(p) returns).
    static PacketSet ofPorts(Protocol p, const PortSet& ports, const AddressSet& sources)
    {
        return p == Protocol::Icmp ? icmp(ports, sources) : box(maskOf(p), ports, sources);
    }

    /// Builds protocol p's step function from segments sorted by firstPort, the first at port 0
    /// (merged and canonicalised here); the other protocols of the result are empty.
    static PacketSet fromSteps(Protocol p, std::vector<Segment> steps);

    bool isEmpty() const;
    bool hasProtocol(Protocol p) const { return !m_p[static_cast<std::size_t>(p)].empty(); }
    const std::vector<Segment>& segments(Protocol p) const { return m_p[static_cast<std::size_t>(p)]; }
    /// Last port covered by segment i of protocol p.
    static std::uint32_t segmentLast(const std::vector<Segment>& segs, std::size_t i, Protocol p);

    PacketSet united(const PacketSet& other) const;
    PacketSet intersected(const PacketSet& other) const;
    PacketSet subtracted(const PacketSet& other) const;
    bool intersects(const PacketSet& other) const;
    /// Removes the packets of other from this set and returns those that were in both. Touches
    /// only the ports other covers, so it is cheap for a small other and a large this (first-match).
    PacketSet extract(const PacketSet& other);

    bool contains(Protocol p, std::uint32_t port, u128 source) const;
    /// Every source address that appears anywhere in the set.
    AddressSet allSources() const;
    /// Every destination port of protocol p that has at least one source.
    PortSet ports(Protocol p) const;

    friend bool operator==(const PacketSet&, const PacketSet&) = default;

private:
    template <typename Op> static PacketSet combine(const PacketSet& a, const PacketSet& b, Op op);
    std::array<std::vector<Segment>, kProtocolCount> m_p;
};

} // namespace ew
