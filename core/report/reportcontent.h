#pragma once

#include "findings/analyzer.h"
#include "review/review.h"

#include <string>
#include <vector>

namespace ew {

struct ReportOptions
{
    std::string title = "Internet exposure review";
    std::string reviewer;
    std::string date; // as printed on the cover
    bool redact = false;
    /// What the findings are compared with on the summary page ("What changed"): an analysis of
    /// the state before (a Terraform plan's prior state), named by baselineLabel. Without it, the
    /// review's previous reviewed snapshot, when its history has one.
    const AnalysisResult* baseline = nullptr;
    std::string baselineLabel;
};

/// The report as data (STYLE 4: the core builds the content, ui/report draws it). Every string
/// is final: redaction, when asked for, has been applied to all of them consistently.
struct ReportContent
{
    struct Step
    {
        std::string name;
        std::string kind; // "internet", "frontend", "filter", "compute", "datastore"
        std::string type; // resource type label ("public IP", "NSG", "virtual machine")
    };
    struct Rule
    {
        std::string text; // "nsg-es-cluster / allow-es-any, priority 110, allow (subnet)"
        std::string where; // file#pointer
    };
    struct FindingPage
    {
        std::string id;
        std::string severity; // "critical"
        std::string target;
        std::string dataStore; // engine, or "" for compute
        std::string what; // "TCP 5601, 9200-9300"
        std::string from; // "any internet address" or sources
        std::vector<std::string> sourcesByPort; // "9200-9300 from 0.0.0.0/0"
        std::vector<Step> path;
        std::vector<Rule> rules;
        std::string explanation;
        std::string state; // "Confirmed"
        std::string owner;
        std::string note;
        std::vector<std::string> assumptions;
    };
    struct Row
    {
        std::string severity, state, target, dataStore, ports, from, id;
        int hops = 1;
    };
    /// One line of "What changed": a finding that is new, worse (more severe, or reaching more)
    /// or closed since the state compared with.
    struct Change
    {
        std::string kind; // "new", "worse", "closed"
        std::string severity; // now (closed: before)
        std::string target;
        std::string what; // "tcp 9200" (closed: "" when only its id is known)
        std::string id;
    };

    std::string title;
    std::string estate; // what was reviewed (input names)
    std::string reviewer;
    std::string date;
    std::string toolVersion;
    bool redacted = false;
    /// What redaction replaced: each kind of placeholder with how many distinct values it stands
    /// for ("PUBLIC-IP", 14), for the report's last page.
    std::vector<std::pair<std::string, int>> redactions;
    std::vector<std::pair<std::string, std::string>> identity; // file, sha256 (shortened)
    int bySeverity[5] = {}; // index = Severity
    int byState[kTriageStateCount] = {}; // index = TriageState
    std::vector<std::string> keyMessages; // the executive summary's sentences
    std::string changesSince; // what "What changed" compares with ("" when nothing is compared)
    std::vector<Change> changes; // new and worse first, most severe first; then closed
    std::vector<FindingPage> pages; // critical and high, most severe first
    std::vector<Row> rows; // every finding
    std::vector<std::string> methodology; // paragraphs
    std::vector<std::string> assumptions; // estate-wide
    std::vector<std::string> skipped; // "file: reason"
    std::vector<std::string> problems; // input errors and warnings
};

/// Builds the report of one analysis and its review's decisions. Never throws.
ReportContent buildReport(const Snapshot& snapshot, const AnalysisResult& result, const Review& review,
    const std::vector<std::string>& inputs, const ReportOptions& options);

} // namespace ew
