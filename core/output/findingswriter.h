#pragma once

#include "findings/analyzer.h"

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace ew {

/// The schemas of findings JSON: `exposure-findings/1` states every finding in full;
/// `exposure-findings/2` (the default) states rules, resources and paths once in top-level tables.
enum class FindingsSchema { V1 = 1, V2 = 2 };

/// The inputs section of outputs: what was read and what was skipped.
nlohmann::json inputsJson(const Snapshot& snapshot);
/// A path step, a foothold or a query's target: {"id", "name", "type"}.
nlohmann::json stepJson(const PathStep& step);
/// Port ranges as [[first, last], ...].
nlohmann::json portsJson(const std::vector<PortRange>& ports);
/// A deciding rule as findings JSON states it (file and JSON pointer, the filter by its kind); its
/// hop is the caller's to add.
nlohmann::json ruleJson(const RuleEvidence& rule);
/// A finding as `exposure-findings/1` writes it (also inside `exposure-diff/1`).
nlohmann::json findingJson(const Finding& finding);
/// `exposure-audit analyze --format json --schema 1`: {"schema": "exposure-findings/1", "inputs",
/// "assumptions", "findings"}.
nlohmann::json analysisJson(const Snapshot& snapshot, const AnalysisResult& result);
/// The analysis document in the given schema, written to out one finding at a time without holding
/// it all in memory (v1: the layout of analysisJson; v2: FindingsStreamWriter).
void writeAnalysisJson(std::ostream& out, const Snapshot& snapshot, const AnalysisResult& result,
    FindingsSchema schema = FindingsSchema::V2);
/// Human-readable report for a terminal.
std::string analysisText(const Snapshot& snapshot, const AnalysisResult& result);

nlohmann::json queryJson(const FlowQuery& query, const QueryResult& result);
std::string queryText(const FlowQuery& query, const QueryResult& result);

std::string portsToString(const std::vector<PortRange>& ports);

} // namespace ew
