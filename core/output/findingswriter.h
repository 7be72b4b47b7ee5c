#pragma once

#include "findings/analyzer.h"

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace ew {

/// The inputs section of outputs: what was read and what was skipped.
nlohmann::json inputsJson(const Snapshot& snapshot);
nlohmann::json findingJson(const Finding& finding);
/// `exposure-audit analyze --format json`: {"schema": "exposure-findings/1", "inputs", "assumptions", "findings"}.
nlohmann::json analysisJson(const Snapshot& snapshot, const AnalysisResult& result);
/// The same document written to out one finding at a time, without holding it all in memory.
void writeAnalysisJson(std::ostream& out, const Snapshot& snapshot, const AnalysisResult& result);
/// Human-readable report for a terminal.
std::string analysisText(const Snapshot& snapshot, const AnalysisResult& result);

nlohmann::json queryJson(const FlowQuery& query, const QueryResult& result);
std::string queryText(const FlowQuery& query, const QueryResult& result);

std::string portsToString(const std::vector<PortRange>& ports);

} // namespace ew
