#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ew {

/// A simdjson DOM element together with its JSON pointer, so every value read can be reported
/// precisely. Cheap to copy; valid while the parser that produced it is alive.
class JsonNode
{
public:
    /// How a document is read; children inherit it.
    enum Mode : unsigned {
        Plain = 0,
        /// Keys match case-insensitively when no exact key exists (Azure PowerShell's PascalCase).
        AnyCase = 1,
        /// Objects carrying "__ewSource" (an evaluated ARM template's copy loops) report that pointer
        /// into the original document instead of their place in the evaluated one.
        SourcePointers = 2,
    };

    JsonNode(simdjson::dom::element element, std::string pointer, unsigned mode = Plain)
        : m_el(element)
        , m_ptr(std::move(pointer))
        , m_mode(mode)
    { }

    const std::string& pointer() const { return m_ptr; }
    simdjson::dom::element element() const { return m_el; }
    bool isObject() const { return m_el.is_object(); }
    bool isArray() const { return m_el.is_array(); }
    bool isString() const { return m_el.is_string(); }
    bool isNumber() const { return m_el.is_number(); }
    bool isNull() const { return m_el.is_null(); }
    const char* typeName() const;

    /// Direct member.
    std::optional<JsonNode> get(std::string_view key) const;
    /// Member of "properties" when the resource is nested (REST/ARM), else a direct member
    /// (az CLI flattens properties into the resource).
    std::optional<JsonNode> prop(std::string_view key) const;
    std::optional<JsonNode> path(std::initializer_list<std::string_view> keys) const;

    std::string_view stringValue() const; // empty when not a string
    std::optional<std::int64_t> intValue() const; // numbers and numeric strings
    std::optional<bool> boolValue() const;

    template <typename F> void forEachElement(F&& f) const
    {
        simdjson::dom::array arr;
        if (m_el.get_array().get(arr) != simdjson::SUCCESS)
            return;
        std::size_t i = 0;
        for (simdjson::dom::element child : arr)
            f(childAt(child, m_ptr + '/' + std::to_string(i++)));
    }

    template <typename F> void forEachMember(F&& f) const
    {
        simdjson::dom::object obj;
        if (m_el.get_object().get(obj) != simdjson::SUCCESS)
            return;
        for (auto field : obj)
            f(field.key, childAt(field.value, m_ptr + '/' + escape(field.key)));
    }

    static std::string escape(std::string_view key);

    unsigned mode() const { return m_mode; }

private:
    JsonNode childAt(simdjson::dom::element child, std::string pointer) const
    {
        if (m_mode & SourcePointers) {
            std::string_view source;
            if (child.is_object() && child["__ewSource"].get_string().get(source) == simdjson::SUCCESS)
                pointer = std::string(source);
        }
        return JsonNode(child, std::move(pointer), m_mode);
    }

    simdjson::dom::element m_el;
    std::string m_ptr;
    unsigned m_mode = Plain;
};

} // namespace ew
