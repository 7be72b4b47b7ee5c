#include "redactor.h"

#include "net/addressset.h"

#include <algorithm>
#include <cctype>

namespace ew {

namespace {

bool isHex(char c)
{
    return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

bool isPrivateV4(u128 a)
{
    const auto v = static_cast<std::uint32_t>(a & 0xffffffffu);
    return (v >> 24) == 10 || (v >> 20) == ((172u << 4) | 1u) || (v >> 16) == ((192u << 8) | 168u)
        || (v >> 22) == ((100u << 2) | 1u) || (v >> 24) == 127;
}

bool emailChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

// A GUID: 8-4-4-4-12 hex digits.
bool guidAt(std::string_view s, std::size_t i)
{
    static const int groups[] = { 8, 4, 4, 4, 12 };
    std::size_t p = i;
    for (int g = 0; g < 5; ++g) {
        for (int k = 0; k < groups[g]; ++k, ++p)
            if (p >= s.size() || !isHex(s[p]))
                return false;
        if (g < 4) {
            if (p >= s.size() || s[p] != '-')
                return false;
            ++p;
        }
    }
    return p >= s.size() || !(isHex(s[p]) || s[p] == '-');
}

} // namespace

std::string Redactor::placeholder(const std::string& value, const char* kind)
{
    auto it = m_map.find(value);
    if (it != m_map.end())
        return it->second;
    const std::string p = std::string(kind) + "-" + std::to_string(++m_counters[kind]);
    m_map.emplace(value, p);
    return p;
}

std::string Redactor::redact(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const bool boundary
            = i == 0 || !(std::isalnum(static_cast<unsigned char>(s[i - 1])) || s[i - 1] == '.' || s[i - 1] == ':');
        // GUIDs first: they also look like hex runs.
        if (boundary && isHex(s[i]) && guidAt(s, i)) {
            out += placeholder(std::string(s.substr(i, 36)), "ID");
            i += 36;
            continue;
        }
        // E-mail: a local part ending at '@' followed by a domain with a dot.
        if (s[i] == '@' && !out.empty()) {
            std::size_t start = out.size();
            while (start > 0 && emailChar(out[start - 1]))
                --start;
            std::size_t end = i + 1;
            while (
                end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '.' || s[end] == '-'))
                ++end;
            while (end > i + 1 && s[end - 1] == '.')
                --end;
            const std::string_view domain = s.substr(i + 1, end - i - 1);
            if (start < out.size() && domain.find('.') != std::string_view::npos) {
                const std::string email = out.substr(start) + "@" + std::string(domain);
                out.resize(start);
                out += placeholder(email, "EMAIL");
                i = end;
                continue;
            }
        }
        // Addresses and prefixes: a run of hex digits, dots, colons and one slash.
        if (boundary && (isHex(s[i]) || s[i] == ':')) {
            std::size_t end = i;
            while (end < s.size() && (isHex(s[end]) || s[end] == '.' || s[end] == ':' || s[end] == '/'))
                ++end;
            std::string_view run = s.substr(i, end - i);
            while (!run.empty() && (run.back() == '.' || run.back() == ':' || run.back() == '/'))
                run.remove_suffix(1); // sentence punctuation
            const bool v4Shape = std::count(run.begin(), run.end(), '.') == 3;
            const bool v6Shape = std::count(run.begin(), run.end(), ':') >= 2;
            if ((v4Shape || v6Shape) && run != "0.0.0.0/0" && run != "::/0") {
                if (auto prefix = parsePrefix(run)) {
                    const auto slash = run.find('/');
                    const std::string address(run.substr(0, slash));
                    const char* kind = prefix->v4 && isPrivateV4(prefix->first) ? "PRIVATE-IP" : "PUBLIC-IP";
                    if (!prefix->v4 && (address.rfind("fd", 0) == 0 || address.rfind("fc", 0) == 0))
                        kind = "PRIVATE-IP";
                    out += placeholder(address, kind);
                    if (slash != std::string_view::npos)
                        out += std::string(run.substr(slash));
                    i += run.size();
                    continue;
                }
            }
            // Not an address: copy the word so its tail is not taken for one.
            std::size_t wordEnd = i;
            while (wordEnd < s.size()
                && (std::isalnum(static_cast<unsigned char>(s[wordEnd])) || s[wordEnd] == '.' || s[wordEnd] == ':'))
                ++wordEnd;
            out.append(s.substr(i, std::max<std::size_t>(wordEnd - i, 1)));
            i += std::max<std::size_t>(wordEnd - i, 1);
            continue;
        }
        out += s[i++];
    }
    return out;
}

} // namespace ew
