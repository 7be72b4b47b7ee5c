#pragma once

#include "findings/analyzer.h"
#include "report/notify.h"
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
    /// Finding pages: every critical one, and at most this many of the high ones; findings whose
    /// cause is the same (severity, what, from whom, and the same deciding rules) share a page.
    std::size_t maxFindingPages = 25;
    /// The table of all findings lists at most this many, most severe first; the rest are counted.
    std::size_t maxTableRows = 500;
    /// Owners, due dates and smallest fixes as `notify` finds them (owner tags, mapping, policy);
    /// smallest fixes for the 20 most severe findings (and every finding their fixes close).
    NotifyOptions notify = [] {
        NotifyOptions o;
        o.maxFixes = 20;
        return o;
    }();
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
        std::string stateSince; // "2026-11-30 by A. Analyst" when the review decided it
        std::string owner;
        std::string ownerBasis; // "review", "tag owner", "mapping orders-*"
        std::string note;
        std::string exposedSince; // YYYY-MM-DD
        int daysExposed = 0;
        std::string due; // YYYY-MM-DD by the due policy, "" when none
        std::string fix; // the smallest fix proposed
        std::string fixCommand;
        std::vector<std::string> assumptions;
        std::vector<std::string> alsoTargets; // findings of the same cause this page stands for
    };
    struct Row
    {
        std::string severity, state, target, dataStore, ports, from, id;
        int hops = 1;
        std::string owner, due;
    };
    /// One change of "Fix these first": the smallest fix of one or more findings, with what it
    /// closes.
    struct FixGroup
    {
        std::string rule; // the rule to change: "nsg-es / allow-es-any"
        std::string change; // "Deny Tcp 9200 from Internet to 10.1.2.4 at priority 109 in nsg-es"
        int changes = 1; // distinct changes (one per target when a deny is added for each)
        std::vector<std::string> commands; // as az / aws commands, the first few
        std::string severity; // the most severe finding it closes
        int findings = 0; // findings it closes
        int narrowed = 0; // findings it narrows (another rule still admits part of them)
        int dataStores = 0; // data stores among their targets
        std::string owners; // "payments@contoso.com, (unassigned)"
        std::vector<std::string> targets; // the first few targets
    };
    /// Exposures by severity at one reviewed snapshot.
    struct TrendPoint
    {
        std::string date;
        int bySeverity[5] = {};
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
    std::vector<FixGroup> fixFirst; // most severe first, then closing most
    std::string duePolicy; // "critical 1 day, high 7 days, ..."
    std::vector<TrendPoint> trend; // the review's snapshots, oldest first (empty with fewer than two)
    std::vector<FindingPage> pages; // critical and high, most severe first
    int findingsWithoutPage = 0; // high findings left to the table by maxFindingPages
    int rowsLeftOut[5] = {}; // by severity: findings beyond maxTableRows
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
