#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ew {

/// An immutable string whose copies share one storage.
///
/// The rule evidence of L's findings repeats the same ids (NSG and rule ids of 150 characters and
/// more) in 1.2 million copies (BENCHMARKS.md, issue 14): a copy of a SharedString costs a pointer.
/// It reads as a const std::string (a conversion and the members used on text); assigning a string
/// replaces the storage, never changes a shared one, so copies may be read from several threads.
class SharedString
{
public:
    SharedString() = default;
    SharedString(std::string text) // NOLINT(google-explicit-constructor): assigned as the string it reads as
        : m_text(text.empty() ? nullptr : std::make_shared<const std::string>(std::move(text)))
    { }
    SharedString(const char* text) // NOLINT(google-explicit-constructor)
        : SharedString(std::string(text))
    { }
    explicit SharedString(std::string_view text)
        : SharedString(std::string(text))
    { }

    const std::string& str() const { return m_text ? *m_text : none(); }
    operator const std::string&() const { return str(); } // NOLINT(google-explicit-constructor)
    operator std::string_view() const { return str(); } // NOLINT(google-explicit-constructor)
    std::string_view view() const { return str(); }
    bool empty() const { return !m_text; }
    std::size_t size() const { return m_text ? m_text->size() : 0; }
    const char* c_str() const { return str().c_str(); }
    const char* data() const { return str().data(); }
    /// Whether both read the same storage (then they are equal without comparing characters).
    bool sharesWith(const SharedString& other) const { return m_text == other.m_text; }

    friend bool operator==(const SharedString& a, const SharedString& b)
    {
        return a.m_text == b.m_text || a.view() == b.view();
    }
    // One overload per kind of text, so that none needs a conversion another could make too.
    friend bool operator==(const SharedString& a, const std::string& b) { return a.view() == b; }
    friend bool operator==(const SharedString& a, std::string_view b) { return a.view() == b; }
    friend bool operator==(const SharedString& a, const char* b) { return a.view() == b; }
    friend std::strong_ordering operator<=>(const SharedString& a, const SharedString& b)
    {
        return a.view() <=> b.view();
    }
    friend std::strong_ordering operator<=>(const SharedString& a, const std::string& b)
    {
        return a.view() <=> std::string_view(b);
    }
    friend std::strong_ordering operator<=>(const SharedString& a, std::string_view b) { return a.view() <=> b; }
    friend std::strong_ordering operator<=>(const SharedString& a, const char* b)
    {
        return a.view() <=> std::string_view(b);
    }

    friend std::string operator+(const SharedString& a, const SharedString& b) { return a.str() + b.str(); }
    friend std::string operator+(const SharedString& a, const std::string& b) { return a.str() + b; }
    friend std::string operator+(const SharedString& a, const char* b) { return a.str() + b; }
    friend std::string operator+(const SharedString& a, char b) { return a.str() + b; }
    friend std::string operator+(const std::string& a, const SharedString& b) { return a + b.str(); }
    friend std::string operator+(std::string&& a, const SharedString& b) { return std::move(a) + b.str(); }
    friend std::string operator+(const char* a, const SharedString& b) { return a + b.str(); }
    friend std::string operator+(char a, const SharedString& b) { return a + b.str(); }
    friend std::ostream& operator<<(std::ostream& out, const SharedString& s) { return out << s.str(); }

private:
    static const std::string& none()
    {
        static const std::string nothing;
        return nothing;
    }
    std::shared_ptr<const std::string> m_text; // null when empty
};

/// Written as the string it reads as (nlohmann_json finds this by argument-dependent lookup).
template <typename Json> void to_json(Json& j, const SharedString& s)
{
    j = s.str();
}

} // namespace ew

/// Hashed as its text (equal texts hash equal whether they share a storage or not), so that
/// SharedStrings can key the engine's caches, which then hold each key's text once.
template <> struct std::hash<ew::SharedString>
{
    std::size_t operator()(const ew::SharedString& s) const noexcept { return std::hash<std::string_view>()(s.view()); }
};

namespace ew {

/// One SharedString per distinct text: strings made apart from equal text share one storage. Not
/// thread-safe (one per engine); past a bound it starts afresh (strings handed out stay valid).
class StringPool
{
public:
    SharedString operator()(std::string_view text)
    {
        if (text.empty())
            return {};
        if (auto it = m_strings.find(text); it != m_strings.end())
            return it->second;
        if (m_strings.size() >= kMaxStrings)
            m_strings.clear();
        SharedString s(text);
        // The key views the storage of the string it maps to, which lives as long as the entry.
        m_strings.emplace(s.view(), s);
        return s;
    }

private:
    static constexpr std::size_t kMaxStrings = 1 << 18;
    std::unordered_map<std::string_view, SharedString> m_strings;
};

} // namespace ew
