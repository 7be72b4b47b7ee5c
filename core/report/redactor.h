#pragma once

#include <map>
#include <string>
#include <string_view>

namespace ew {

/// Replaces what must not leave the security team with placeholders, consistently: the same
/// value always gets the same placeholder within one Redactor. Covers IPv4 and IPv6 addresses
/// and prefixes (PUBLIC-IP-n, PRIVATE-IP-n, with the prefix length kept), e-mail addresses
/// (EMAIL-n) and GUIDs such as subscription and tenant ids (ID-n). "0.0.0.0/0" and "::/0" stay:
/// they mean "the whole internet", not an address of the estate.
class Redactor
{
public:
    std::string redact(std::string_view text);
    std::size_t replacedValues() const { return m_map.size(); }

private:
    std::string placeholder(const std::string& value, const char* kind);
    std::map<std::string, std::string> m_map;
    std::map<std::string, int> m_counters;
};

} // namespace ew
