#pragma once

#include <map>
#include <string>
#include <string_view>

namespace ew {

/// Replaces what must not leave the security team with placeholders, consistently: the same
/// value always gets the same placeholder within one Redactor. Covers IPv4 and IPv6 addresses
/// and prefixes (PUBLIC-IP-n, PRIVATE-IP-n, with the prefix length kept), e-mail addresses
/// (EMAIL-n), also when written to dodge filters ("jane @contoso com", "jane [at] contoso [dot]
/// com", "jane at contoso dot com"), GUIDs such as subscription and tenant ids (ID-n), AWS
/// account ids (ACCOUNT-n, twelve digits, also inside ARNs) and, unless turned off, host names
/// and FQDNs of two dots or more under a known top-level domain (HOST-n). "0.0.0.0/0" and
/// "::/0" stay: they mean "the whole internet", not an address of the estate.
class Redactor
{
public:
    explicit Redactor(bool hostNames = true)
        : m_hostNames(hostNames)
    { }
    std::string redact(std::string_view text);
    std::size_t replacedValues() const { return m_map.size(); }
    /// How many distinct values of each kind were replaced ("EMAIL" -> 2, "PUBLIC-IP" -> 14, ...).
    const std::map<std::string, int>& counts() const { return m_counters; }

private:
    std::string obfuscatedEmails(std::string_view text);
    std::string hostNames(std::string_view text);
    std::string accountIds(std::string_view text);
    bool m_hostNames = true;
    std::string placeholder(const std::string& value, const char* kind);
    std::map<std::string, std::string> m_map;
    std::map<std::string, int> m_counters;
};

} // namespace ew
