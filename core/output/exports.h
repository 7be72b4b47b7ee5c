#pragma once

#include "findings/analyzer.h"
#include "review/review.h"

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace ew {

using Decisions = std::map<std::string, Decision>;

/// The kinds of finding, one SARIF rule each.
struct FindingKind
{
    const char* id; // "EW001"
    const char* name; // "internet-exposed-data-store"
    const char* title;
    const char* description;
};
const FindingKind& findingKind(const Finding& f);
const std::vector<FindingKind>& findingKinds();

/// A finding's path by names: "Internet -> 52.1.2.3 -> nsg-web -> vm-web".
std::string pathText(const Finding& f);
/// A Markdown table cell: pipes escaped, line breaks flattened.
std::string markdownCell(const std::string& s);

/// RFC 4180 CSV, one row per finding, with the triage columns when decisions are given.
std::string findingsCsv(const AnalysisResult& result, const Decisions* decisions = nullptr);

/// Markdown for tickets and wikis: a summary, a table of every finding, and the detail (path,
/// deciding rules, sources by port) of every critical and high one.
std::string findingsMarkdown(
    const Snapshot& snapshot, const AnalysisResult& result, const Decisions* decisions = nullptr);

/// SARIF 2.1.0: one rule per finding kind, one result per finding, located at the deciding rules
/// (file, and the line of the rule's JSON pointer, read from the files). Decisions become
/// suppressions (accepted risk, false positive) so code-scanning tools show the triage. A file under
/// `sourceRoot` (empty: the working folder) is named relative to it with the uriBaseId %SRCROOT%,
/// which the run declares in originalUriBaseIds; any other by an absolute file:// URI. Valid for
/// Microsoft's SARIF Multitool (no error or warning).
nlohmann::json findingsSarif(const Snapshot& snapshot, const AnalysisResult& result,
    const Decisions* decisions = nullptr, const std::string& sourceRoot = {});

} // namespace ew
