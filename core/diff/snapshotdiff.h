#pragma once

#include "findings/analyzer.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ew {

/// A configuration change that can explain a finding's appearance or change.
struct ConfigChange
{
    /// "rule-added", "rule-removed", "rule-edited", "nsg-added", "nsg-removed", "public-ip-added",
    /// "nsg-association-changed" (a subnet's or NIC's NSG), "public-ip-association-changed",
    /// "frontend-added" (a load balancer, Application Gateway or firewall on the path is new); a
    /// forward of such a frontend (listener rule, routing rule, DNAT rule) is a rule
    std::string kind;
    std::string subject; // "nsg-es-cluster/allow-es-any", "pip-es-01"
    std::string detail; // "priority 110, allow Tcp * -> * 9200-9300"
    SourceLocation where; // in the snapshot where it exists (the new one, or the old one for removals)
};

struct ChangedFinding
{
    const Finding* before = nullptr;
    const Finding* after = nullptr;
    std::vector<std::string> what; // "severity", "ports", "sources", "path", "rules"
    std::vector<ConfigChange> causes;
};

/// New, closed and changed findings between two analyses, matched by stable finding id, each
/// with the configuration changes on its path (NSG rules added, removed or edited, NSGs and public
/// IPs that appeared or went). The findings point into the two results, which must outlive this.
struct AnalysisDiff
{
    std::vector<std::pair<const Finding*, std::vector<ConfigChange>>> added;
    std::vector<std::pair<const Finding*, std::vector<ConfigChange>>> closed;
    std::vector<ChangedFinding> changed;
    bool empty() const { return added.empty() && closed.empty() && changed.empty(); }
};

/// What compare calls a change of a finding from a (before) to b (after), as ChangedFinding::what
/// ("severity", "ports", "sources", "packets", "path", "rules"); empty when an analyst would see
/// none, though the explanation's wording or the rules' places in their files may differ (a rule
/// deleted before them moves them).
std::vector<std::string> findingDifferences(const Finding& a, const Finding& b);

AnalysisDiff diffAnalyses(const Snapshot& oldSnapshot, const AnalysisResult& oldResult, const Snapshot& newSnapshot,
    const AnalysisResult& newResult);
/// The same without causes, when a side has no snapshot (findings read back from findings JSON).
AnalysisDiff diffAnalyses(const AnalysisResult& oldResult, const AnalysisResult& newResult);

/// `exposure-audit diff --format json`: {"schema": "exposure-diff/1", "new": [...], "closed": [...],
/// "changed": [{"before", "after", "what", "causes"}]}, findings in the analyze schema.
nlohmann::json diffJson(const AnalysisDiff& diff);
std::string diffText(const AnalysisDiff& diff);
std::string diffMarkdown(const AnalysisDiff& diff);

} // namespace ew
