#pragma once

#include "findings/analyzer.h"

#include <nlohmann/json.hpp>

#include <map>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

namespace ew {

/// Writes an `exposure-findings/2` document to a stream as findings are produced, holding only the
/// tables in memory, never the document:
///
///     {"schema": "exposure-findings/2", "generator", "inputs", "assumptions", (extra members),
///      "findings": [one finding per line],
///      "rules": [...], "resources": [...], "paths": [...]}
///
/// A finding keeps inline what scripts filter on (id, severity, target, protocol, ports, icmpTypes,
/// sources, hops, exposures, frontend, explanation); its deciding rules are indices into "rules",
/// its path an index into "paths" (each a list of indices into "resources"), its foothold an index
/// into "resources". A rule entry carries its "hop" (1, or 2 from a foothold), which v1 writes in
/// two-hop findings only. The tables come last because they are complete only when the last finding is.
class FindingsStreamWriter
{
public:
    /// Writes the head of the document at once; extra (an object, may be null) adds members to it,
    /// such as "baseline". out must outlive the writer.
    FindingsStreamWriter(std::ostream& out, const Snapshot& snapshot, const std::vector<std::string>& assumptions,
        const nlohmann::ordered_json& extra = nullptr);
    FindingsStreamWriter(const FindingsStreamWriter&) = delete;
    FindingsStreamWriter& operator=(const FindingsStreamWriter&) = delete;

    /// Writes one finding; extra (an object, may be null) adds members to it, such as "baseline".
    void add(const Finding& finding, const nlohmann::ordered_json& extra = nullptr);
    /// Writes the tables and closes the document. Nothing may be added afterwards.
    void finish();

    /// The finding as `exposure-findings/2` states it, with indices into the writer's tables.
    nlohmann::ordered_json findingJson(const Finding& finding);
    /// The same as compact JSON text (what add() writes), with extra's members last.
    std::string findingText(const Finding& finding, const nlohmann::ordered_json& extra = nullptr);

private:
    std::size_t resourceIndex(const PathStep& step);
    std::size_t ruleIndex(const RuleEvidence& rule);
    std::size_t pathIndex(const std::vector<PathStep>& path);

    std::ostream& m_out;
    bool m_first = true;
    bool m_finished = false;
    // Each table: its entries in index order, and the index of each entry by its compact text.
    std::vector<std::string> m_resources, m_rules;
    std::vector<std::vector<std::size_t>> m_paths;
    std::unordered_map<std::string, std::size_t> m_resourceIndex, m_ruleIndex; // by their fields
    std::map<std::vector<std::size_t>, std::size_t> m_pathIndex;
    std::string m_key; // the lookup key being made (one buffer for a million lookups)
};

} // namespace ew
