#include "findingsstreamwriter.h"

#include "findingswriter.h"

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
    std::string text = stepJson(step).dump();
    auto [it, added] = m_resourceIndex.try_emplace(std::move(text), m_resources.size());
    if (added)
        m_resources.push_back(it->first);
    return it->second;
}

std::size_t FindingsStreamWriter::ruleIndex(const RuleEvidence& rule)
{
    auto j = ruleJson(rule);
    j["hop"] = rule.hop; // always: an entry states all of its evidence (v1 writes it in two-hop findings only)
    std::string text = j.dump();
    auto [it, added] = m_ruleIndex.try_emplace(std::move(text), m_rules.size());
    if (added)
        m_rules.push_back(it->first);
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

ordered_json FindingsStreamWriter::findingJson(const Finding& f)
{
    ordered_json target { { "id", f.target.id }, { "name", f.target.name }, { "type", f.target.type } };
    target["dataStore"] = f.dataStore.engine.empty() ? ordered_json(nullptr) : ordered_json(f.dataStore.engine);
    if (!f.dataStore.engine.empty()) {
        target["dataStoreBasis"] = basisName(f.dataStore.basis);
        target["dataStoreReason"] = f.dataStore.reason;
    }
    ordered_json j { { "id", f.id }, { "severity", severityName(f.severity) }, { "target", std::move(target) },
        { "protocol", f.protocol }, { "ports", portsJson(f.ports) } };
    if (!f.icmpTypes.empty())
        j["icmpTypes"] = f.icmpTypes;
    j["sources"] = f.sources;
    j["hops"] = f.hops;
    if (!f.exposures.empty()) {
        ordered_json ex = ordered_json::array();
        for (const auto& e : f.exposures)
            ex.push_back({ { "ports", portsJson(e.ports) }, { "sources", e.sources } });
        j["exposures"] = std::move(ex);
        if (f.exposuresOmitted)
            j["exposuresOmitted"] = f.exposuresOmitted;
    }
    j["frontend"]
        = { { "address", f.frontendAddress.empty() ? ordered_json(nullptr) : ordered_json(f.frontendAddress) },
              { "ports", portsJson(f.frontendPorts) } };
    j["severityReason"] = f.severityReason;
    j["path"] = pathIndex(f.path);
    ordered_json rules = ordered_json::array();
    for (const auto& r : f.rules)
        rules.push_back(ruleIndex(r));
    j["rules"] = std::move(rules);
    if (f.hops > 1)
        j["foothold"] = resourceIndex(f.foothold);
    j["assumptions"] = f.assumptions;
    j["explanation"] = f.explanation;
    return j;
}

void FindingsStreamWriter::add(const Finding& finding, const ordered_json& extra)
{
    auto j = findingJson(finding);
    if (extra.is_object())
        for (const auto& [key, value] : extra.items())
            j[key] = value;
    m_out << (m_first ? "\n    " : ",\n    ") << j.dump();
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
