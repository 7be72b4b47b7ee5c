#include "findingsstreamwriter.h"

#include "findingswriter.h"

#include <cstdint>
#include <string_view>

namespace ew {

using nlohmann::ordered_json;

namespace {

// One array member per line, two-space indented: the document stays greppable and diffable line
// by line while each entry is compact (indenting every [first, last] pair is what made v1 large).
void writeLines(std::ostream& out, const char* key, const std::vector<std::string>& lines, bool last)
{
    out << "  \"" << key << "\": [";
    for (std::size_t i = 0; i < lines.size(); ++i)
        out << (i ? ",\n    " : "\n    ") << lines[i];
    out << (lines.empty() ? "]" : "\n  ]") << (last ? "\n" : ",\n");
}

} // namespace

FindingsStreamWriter::FindingsStreamWriter(
    std::ostream& out, const Snapshot& snapshot, const std::vector<std::string>& assumptions, const ordered_json& extra)
    : m_out(out)
{
    std::vector<std::string> inputs;
    for (const auto& i : inputsJson(snapshot))
        inputs.push_back(i.dump());
    m_out << "{\n  \"schema\": \"exposure-findings/2\",\n  \"generator\": "
          << ordered_json(std::string("exposure-audit ") + EW_VERSION).dump() << ",\n";
    writeLines(m_out, "inputs", inputs, false);
    std::vector<std::string> texts;
    for (const auto& a : assumptions)
        texts.push_back(ordered_json(a).dump());
    writeLines(m_out, "assumptions", texts, false);
    if (extra.is_object())
        for (const auto& [key, value] : extra.items())
            m_out << "  " << ordered_json(key).dump() << ": " << value.dump() << ",\n";
    m_out << "  \"findings\": [";
}

std::size_t FindingsStreamWriter::resourceIndex(const PathStep& step)
{
    // The fields, each after its length, instead of the entry's JSON: the text is made once per
    // distinct resource, not once per mention (a million mentions on L).
    m_key.clear();
    for (const std::string* field : { &step.id.str(), &step.name.str(), &step.type.str() })
        m_key.append(std::to_string(field->size())).append(1, ':').append(*field);
    auto [it, added] = m_resourceIndex.try_emplace(m_key, m_resources.size());
    if (added)
        m_resources.push_back(stepJson(step).dump());
    return it->second;
}

std::size_t FindingsStreamWriter::ruleIndex(const RuleEvidence& rule)
{
    m_key.clear();
    for (const std::string* field : { &rule.filterId.str(), &rule.filterName.str(), &rule.level.str(),
             &rule.ruleName.str(), &rule.where.file, &rule.where.pointer, &rule.where.address })
        m_key.append(std::to_string(field->size())).append(1, ':').append(*field);
    m_key.append(std::to_string(rule.priority)).append(1, rule.allow ? 'A' : 'D').append(1, rule.isDefault ? 'd' : '-');
    m_key.append(std::to_string(rule.hop));
    auto [it, added] = m_ruleIndex.try_emplace(m_key, m_rules.size());
    if (added) {
        auto j = ruleJson(rule);
        j["hop"] = rule.hop; // always: an entry states all of its evidence (v1 writes it in two-hop findings only)
        m_rules.push_back(j.dump());
    }
    return it->second;
}

std::size_t FindingsStreamWriter::pathIndex(const std::vector<PathStep>& path)
{
    std::vector<std::size_t> steps;
    steps.reserve(path.size());
    for (const auto& s : path)
        steps.push_back(resourceIndex(s));
    auto [it, added] = m_pathIndex.try_emplace(steps, m_paths.size());
    if (added)
        m_paths.push_back(std::move(steps));
    return it->second;
}

namespace {

// Compact JSON text as nlohmann_json's dump() writes it (no spaces; strings escaped the same way),
// appended to one buffer: building a json value per finding and dumping it was most of the time
// of writing L's findings (tst_findingsjson compares the two texts on every golden case).
class JsonText
{
public:
    explicit JsonText(std::string& out)
        : m_out(out)
    { }
    void raw(std::string_view text) { m_out.append(text); }
    void key(std::string_view name)
    {
        string(name);
        m_out += ':';
        m_fresh = true;
    }
    void string(std::string_view text)
    {
        separate();
        // Text that is not valid UTF-8 goes through the library, which reports it as it always has.
        if (!plainUtf8(text)) {
            m_out += nlohmann::ordered_json(std::string(text)).dump();
            return;
        }
        m_out += '"';
        std::size_t from = 0;
        for (std::size_t i = 0; i < text.size(); ++i) {
            const auto c = static_cast<unsigned char>(text[i]);
            if (c >= 0x20 && c != '"' && c != '\\')
                continue;
            m_out.append(text.substr(from, i - from));
            from = i + 1;
            switch (c) {
            case '"':
                m_out += "\\\"";
                break;
            case '\\':
                m_out += "\\\\";
                break;
            case '\b':
                m_out += "\\b";
                break;
            case '\f':
                m_out += "\\f";
                break;
            case '\n':
                m_out += "\\n";
                break;
            case '\r':
                m_out += "\\r";
                break;
            case '\t':
                m_out += "\\t";
                break;
            default: {
                static const char hex[] = "0123456789abcdef";
                m_out += "\\u00";
                m_out += hex[c >> 4];
                m_out += hex[c & 0xF];
            }
            }
        }
        m_out.append(text.substr(from));
        m_out += '"';
    }
    void number(long long n)
    {
        separate();
        m_out += std::to_string(n);
    }
    void boolean(bool b)
    {
        separate();
        m_out += b ? "true" : "false";
    }
    void null()
    {
        separate();
        m_out += "null";
    }
    void open(char bracket)
    {
        separate();
        m_out += bracket;
        m_fresh = true;
    }
    void close(char bracket)
    {
        m_out += bracket;
        m_fresh = false;
    }
    void strings(const std::vector<std::string>& list)
    {
        open('[');
        for (const auto& s : list)
            string(s);
        close(']');
    }
    void ports(const std::vector<PortRange>& ranges)
    {
        open('[');
        for (const auto& r : ranges) {
            open('[');
            number(r.first);
            number(r.last);
            close(']');
        }
        close(']');
    }

private:
    void separate()
    {
        if (!m_fresh)
            m_out += ',';
        m_fresh = false;
    }
    // True when text is well-formed UTF-8 (what the escaping above may pass through unchanged).
    static bool plainUtf8(std::string_view text)
    {
        for (std::size_t i = 0; i < text.size();) {
            const auto c = static_cast<unsigned char>(text[i]);
            if (c < 0x80) {
                ++i;
                continue;
            }
            std::size_t n = 0;
            std::uint32_t cp = 0;
            if ((c & 0xE0) == 0xC0) {
                n = 1;
                cp = c & 0x1F;
            } else if ((c & 0xF0) == 0xE0) {
                n = 2;
                cp = c & 0x0F;
            } else if ((c & 0xF8) == 0xF0) {
                n = 3;
                cp = c & 0x07;
            } else
                return false;
            for (std::size_t k = 1; k <= n; ++k) {
                if (i + k >= text.size())
                    return false;
                const auto d = static_cast<unsigned char>(text[i + k]);
                if ((d & 0xC0) != 0x80)
                    return false;
                cp = (cp << 6) | (d & 0x3F);
            }
            // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
            if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF
                || (cp >= 0xD800 && cp <= 0xDFFF))
                return false;
            i += n + 1;
        }
        return true;
    }

    std::string& m_out;
    bool m_fresh = true;
};

} // namespace

std::string FindingsStreamWriter::findingText(const Finding& f, const ordered_json& extra)
{
    std::string text;
    text.reserve(1024);
    JsonText j(text);
    j.open('{');
    j.key("id");
    j.string(f.id);
    j.key("severity");
    j.string(severityName(f.severity));
    j.key("target");
    j.open('{');
    j.key("id");
    j.string(f.target.id);
    j.key("name");
    j.string(f.target.name);
    j.key("type");
    j.string(f.target.type);
    j.key("dataStore");
    if (f.dataStore.engine.empty())
        j.null();
    else {
        j.string(f.dataStore.engine);
        j.key("dataStoreBasis");
        j.string(basisName(f.dataStore.basis));
        j.key("dataStoreReason");
        j.string(f.dataStore.reason);
    }
    j.close('}');
    j.key("protocol");
    j.string(f.protocol);
    j.key("ports");
    j.ports(f.ports);
    if (!f.icmpTypes.empty()) {
        j.key("icmpTypes");
        j.string(f.icmpTypes);
    }
    j.key("sources");
    j.strings(f.sources);
    j.key("hops");
    j.number(f.hops);
    if (!f.exposures.empty()) {
        j.key("exposures");
        j.open('[');
        for (const auto& e : f.exposures) {
            j.open('{');
            j.key("ports");
            j.ports(e.ports);
            j.key("sources");
            j.strings(e.sources);
            j.close('}');
        }
        j.close(']');
        if (f.exposuresOmitted) {
            j.key("exposuresOmitted");
            j.number(static_cast<long long>(f.exposuresOmitted));
        }
    }
    j.key("frontend");
    j.open('{');
    j.key("address");
    if (f.frontendAddress.empty())
        j.null();
    else
        j.string(f.frontendAddress);
    j.key("ports");
    j.ports(f.frontendPorts);
    j.close('}');
    j.key("severityReason");
    j.string(f.severityReason);
    j.key("path");
    j.number(static_cast<long long>(pathIndex(f.path)));
    j.key("rules");
    j.open('[');
    for (const auto& r : f.rules)
        j.number(static_cast<long long>(ruleIndex(r)));
    j.close(']');
    if (f.hops > 1) {
        j.key("foothold");
        j.number(static_cast<long long>(resourceIndex(f.foothold)));
    }
    j.key("assumptions");
    j.strings(f.assumptions);
    j.key("explanation");
    j.string(f.explanation);
    // Extra members come last, as assigning them to the finding's json value placed them.
    if (extra.is_object())
        for (const auto& [key, value] : extra.items()) {
            j.key(key);
            j.raw(value.dump());
        }
    j.close('}');
    return text;
}

ordered_json FindingsStreamWriter::findingJson(const Finding& f)
{
    return ordered_json::parse(findingText(f));
}

void FindingsStreamWriter::add(const Finding& finding, const ordered_json& extra)
{
    m_out << (m_first ? "\n    " : ",\n    ") << findingText(finding, extra);
    m_first = false;
}

void FindingsStreamWriter::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_out << (m_first ? "],\n" : "\n  ],\n");
    writeLines(m_out, "rules", m_rules, false);
    writeLines(m_out, "resources", m_resources, false);
    std::vector<std::string> paths;
    paths.reserve(m_paths.size());
    for (const auto& p : m_paths)
        paths.push_back(ordered_json(p).dump());
    writeLines(m_out, "paths", paths, true);
    m_out << "}\n";
}

} // namespace ew
