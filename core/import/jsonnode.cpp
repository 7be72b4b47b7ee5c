#include "jsonnode.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ew {

const char* JsonNode::typeName() const
{
    switch (m_el.type()) {
    case simdjson::dom::element_type::ARRAY:
        return "an array";
    case simdjson::dom::element_type::OBJECT:
        return "an object";
    case simdjson::dom::element_type::STRING:
        return "a string";
    case simdjson::dom::element_type::BOOL:
        return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE:
        return "null";
    default:
        return "a number";
    }
}

std::string JsonNode::escape(std::string_view key)
{
    std::string s;
    s.reserve(key.size());
    for (char c : key) {
        if (c == '~')
            s += "~0";
        else if (c == '/')
            s += "~1";
        else
            s += c;
    }
    return s;
}

std::optional<JsonNode> JsonNode::get(std::string_view key) const
{
    simdjson::dom::object obj;
    if (m_el.get_object().get(obj) != simdjson::SUCCESS)
        return std::nullopt;
    simdjson::dom::element child;
    if (obj.at_key(key).get(child) != simdjson::SUCCESS) {
        if (!(m_mode & AnyCase))
            return std::nullopt;
        // The pointer names the key as the document spells it.
        for (auto field : obj)
            if (field.key.size() == key.size()
                && std::equal(field.key.begin(), field.key.end(), key.begin(), [](char a, char b) {
                       return std::tolower(static_cast<unsigned char>(a))
                           == std::tolower(static_cast<unsigned char>(b));
                   }))
                return childAt(field.value, m_ptr + '/' + escape(field.key));
        return std::nullopt;
    }
    return childAt(child, m_ptr + '/' + escape(key));
}

std::optional<JsonNode> JsonNode::prop(std::string_view key) const
{
    if (auto props = get("properties"); props && props->isObject()) {
        if (auto v = props->get(key))
            return v;
    }
    return get(key);
}

std::optional<JsonNode> JsonNode::path(std::initializer_list<std::string_view> keys) const
{
    std::optional<JsonNode> cur = *this;
    for (auto k : keys) {
        cur = cur->prop(k);
        if (!cur)
            return std::nullopt;
    }
    return cur;
}

std::string_view JsonNode::stringValue() const
{
    std::string_view s;
    if (m_el.get_string().get(s) != simdjson::SUCCESS)
        return {};
    return s;
}

std::optional<std::int64_t> JsonNode::intValue() const
{
    std::int64_t i = 0;
    if (m_el.get_int64().get(i) == simdjson::SUCCESS)
        return i;
    double d = 0;
    if (m_el.get_double().get(d) == simdjson::SUCCESS) {
        // Outside int64's range (1e300) the cast is undefined behaviour (clang's UBSan stops there):
        // such a number is not a whole number we can hold.
        if (!(d >= -0x1p63 && d < 0x1p63))
            return std::nullopt;
        if (d == static_cast<double>(static_cast<std::int64_t>(d)))
            return static_cast<std::int64_t>(d);
        return std::nullopt;
    }
    std::string_view s;
    if (m_el.get_string().get(s) == simdjson::SUCCESS) {
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
        if (ec == std::errc() && p == s.data() + s.size() && !s.empty())
            return i;
    }
    return std::nullopt;
}

std::optional<bool> JsonNode::boolValue() const
{
    bool b = false;
    if (m_el.get_bool().get(b) == simdjson::SUCCESS)
        return b;
    std::string_view s;
    if (m_el.get_string().get(s) == simdjson::SUCCESS) {
        if (s == "true" || s == "True")
            return true;
        if (s == "false" || s == "False")
            return false;
    }
    return std::nullopt;
}

} // namespace ew
