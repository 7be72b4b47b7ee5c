#include "redactor.h"

#include "net/addressset.h"

#include <algorithm>
#include <cctype>
#include <regex>

namespace ew {

namespace {

std::string toLowerAscii(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

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

namespace {

// Every match of re in text replaced by replace(match).
template <typename Replace> std::string replaceAll(std::string_view text, const std::regex& re, Replace replace)
{
    const std::string s(text);
    std::string out;
    auto last = s.cbegin();
    for (std::sregex_iterator it(s.cbegin(), s.cend(), re), end; it != end; ++it) {
        out.append(last, (*it)[0].first);
        out += replace(*it);
        last = (*it)[0].second;
    }
    out.append(last, s.cend());
    return out;
}

} // namespace

// E-mail addresses written so that a filter misses them: "@" between spaces, "at" and "dot" as
// words or in brackets, a space where the domain's dot was ("XYZ @contoso com", the incident's).
// The "at" word counts only before a domain written with "dot", and a space stands for a dot only
// before a known top-level domain.
std::string Redactor::obfuscatedEmails(std::string_view text)
{
    static const std::regex pattern(
        R"(([A-Za-z0-9][A-Za-z0-9._%+-]*)(\s*@\s+|\s+@\s*|\s*[\[\(\{<]\s*at\s*[\]\)\}>]\s*|\s+at\s+(?=[A-Za-z0-9-]+\s*(?:[\[\(\{<]\s*dot\s*[\]\)\}>]|\s+dot\s+))))"
        R"(([A-Za-z0-9-]+(?:(?:\s*[\[\(\{<]\s*dot\s*[\]\)\}>]\s*|\s+dot\s+|\.|\s+(?=(?:com|net|org|io|de|uk|fr|nl|eu|us|info|biz|co)\b))[A-Za-z0-9-]+)+))",
        std::regex::icase);
    static const std::regex dot(R"(\s*[\[\(\{<]\s*dot\s*[\]\)\}>]\s*|\s+dot\s+|\s+)", std::regex::icase);
    return replaceAll(text, pattern, [&](const std::smatch& m) {
        return placeholder(toLowerAscii(m.str(1) + "@" + std::regex_replace(m.str(3), dot, ".")), "EMAIL");
    });
}

// AWS account ids: twelve digits alone, between an ARN's colons, or URL-quoted ones.
std::string Redactor::accountIds(std::string_view text)
{
    static const std::regex pattern(R"((^|[^A-Za-z0-9.]|%3[Aa])([0-9]{12})(?![A-Za-z0-9-]|\.[0-9]))");
    return replaceAll(text, pattern, [&](const std::smatch& m) { return m.str(1) + placeholder(m.str(2), "ACCOUNT"); });
}

// Host names and FQDNs: labels joined by at least two dots, ending in a known top-level domain
// (public ones and the usual internal ones).
std::string Redactor::hostNames(std::string_view text)
{
    static const std::regex pattern(
        R"(\b((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.){2,}(?:com|net|org|io|gov|edu|info|biz|co|uk|de|fr|nl|eu|us|cn|jp|internal|local|lan|corp|intra|intranet|home|arpa))\b)",
        std::regex::icase);
    return replaceAll(text, pattern, [&](const std::smatch& m) { return placeholder(toLowerAscii(m.str(1)), "HOST"); });
}

std::string Redactor::redact(std::string_view input)
{
    // Disguised e-mail addresses, then host names, before the character scan below (which knows
    // plain addresses, GUIDs, account ids and plain e-mail addresses).
    std::string staged = accountIds(obfuscatedEmails(input));
    if (m_hostNames)
        staged = hostNames(staged);
    const std::string_view s = staged;
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
                const std::string email = toLowerAscii(out.substr(start) + "@" + std::string(domain));
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
