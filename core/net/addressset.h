#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ew {

// 128-bit address space. IPv4 addresses live in the IPv4-mapped block ::ffff:0:0/96 so that one
// interval set can hold both families.
__extension__ using u128 = unsigned __int128;

constexpr u128 kV4Base = (u128(0xffff) << 32);
constexpr u128 kV4Last = kV4Base + 0xffffffffu;
constexpr u128 kU128Max = ~u128(0);

struct AddressInterval
{
    u128 first = 0;
    u128 last = 0;
    friend bool operator==(const AddressInterval&, const AddressInterval&) = default;
};

/// A set of addresses as sorted, disjoint, non-adjacent inclusive intervals. Value type.
class AddressSet
{
public:
    AddressSet() = default;
    static AddressSet all();
    static AddressSet allV4();
    static AddressSet allV6();
    static AddressSet range(u128 first, u128 last);
    /// The union of intervals sorted by their first address, in one pass.
    static AddressSet fromSorted(const std::vector<AddressInterval>& intervals);

    bool isEmpty() const { return m_iv.empty(); }
    bool contains(u128 address) const;
    bool containsAll(const AddressSet& other) const;
    bool intersects(const AddressSet& other) const;
    const std::vector<AddressInterval>& intervals() const { return m_iv; }

    AddressSet united(const AddressSet& other) const;
    AddressSet intersected(const AddressSet& other) const;
    AddressSet subtracted(const AddressSet& other) const;
    void add(u128 first, u128 last);

    /// Number of IPv4 addresses in the set (IPv6 part ignored), saturating.
    std::uint64_t v4Count() const;

    /// Minimal CIDR cover of the set, IPv4 in dotted form; a full family prints as 0.0.0.0/0 or ::/0.
    std::vector<std::string> toCidrs() const;

    friend bool operator==(const AddressSet&, const AddressSet&) = default;

private:
    std::vector<AddressInterval> m_iv;
};

struct ParsedPrefix
{
    u128 first = 0;
    u128 last = 0;
    bool v4 = true;
};

/// Parses "10.0.0.0/8", "10.1.2.3", "2001:db8::/32" or "::1". Host bits set below the mask are
/// accepted (Azure accepts them too) and masked off. Returns nullopt when the text is no prefix.
std::optional<ParsedPrefix> parsePrefix(std::string_view text);
/// Parses a single address (no mask).
std::optional<u128> parseAddress(std::string_view text, bool* isV4 = nullptr);
std::string formatAddress(u128 address);

/// The public internet as seen by a client: every address that is not private, shared, loopback,
/// link-local, multicast or reserved (RFC 6890 special-purpose registries, the blocks that matter).
const AddressSet& publicInternet();

} // namespace ew
