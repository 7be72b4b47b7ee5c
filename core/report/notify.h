#pragma once

// `exposure-audit notify`: one notice per owner of the exposed resources (issue 16, "Alerting
// service teams"), ready for mail or ticketing, and an index for scripts.

#include "diff/series.h"
#include "findings/analyzer.h"
#include "model/diagnostic.h"
#include "review/review.h"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ew {

/// Days from "exposed since" to the due date, by severity; a severity without an entry has no
/// due date. The default policy: critical 1 day, high 7, medium 30, low 90, info none.
struct DuePolicy
{
    std::map<Severity, int> days { { Severity::Critical, 1 }, { Severity::High, 7 }, { Severity::Medium, 30 },
        { Severity::Low, 90 } };
    /// "critical=1,high=7" (days); false with the error said when the text is not that.
    static bool parse(const std::string& text, DuePolicy& out, std::string& error);
};

/// An owner chosen for a target by a mapping file: the first rule whose pattern (a glob with `*`
/// and `?`, case-insensitive) matches the target's name or id.
struct OwnerRule
{
    std::string pattern;
    std::string owner;
};

/// Reads a mapping file: {"owners": [{"match": "orders-*", "owner": "payments@contoso.com"}, ...]}.
/// Problems become diagnostics naming the file and the JSON pointer; never throws.
bool parseOwnerMapping(
    std::string_view text, const std::string& fileName, std::vector<OwnerRule>& out, std::vector<Diagnostic>& diags);

struct NotifyOptions
{
    /// Tag keys that name an owner, in order of preference (compared case-insensitively).
    std::vector<std::string> ownerTags { "owner", "team", "contact" };
    std::vector<OwnerRule> mapping;
    DuePolicy due;
    std::string date; // YYYY-MM-DD: the notice's date, and "exposed since" for findings first seen now
    /// Smallest fixes are proposed for at most this many findings, most severe first (each costs
    /// re-analyses); the others point to the workbench.
    std::size_t maxFixes = 100;
    AnalysisOptions analysis; // as the result was analysed (analyst data stores), for the fixes
};

/// One finding in a notice.
struct NoticeItem
{
    const Finding* finding = nullptr;
    std::string ownerBasis; // "review", "mapping orders-*", "tag owner"
    std::string exposedSince; // YYYY-MM-DD
    std::string due; // YYYY-MM-DD, empty when the policy sets none
    std::string baseline; // "new", "worse" (with --baseline), else empty
    std::string state; // the review's triage state ("new" without one)
    std::string fix; // the smallest fix proposed ("" when none was computed)
    std::string fixCommand; // as an az / aws command
    bool fixCloses = false;
};

struct OwnerNotice
{
    std::string owner; // "" for the findings nobody owns
    std::string file; // file name in the output folder
    std::vector<NoticeItem> items; // most severe first, then earliest due
};

struct Notices
{
    std::string date;
    std::vector<OwnerNotice> owners; // by owner name; the unowned last
    std::size_t left = 0; // findings left out: accepted or false positive in the review, or known in the baseline
};

/// The notices of an analysis. decisions: the review's (accepted risks and false positives are
/// left out, its owners are used first); history: the review's reviewed snapshots (for "exposed
/// since"); standing: compareWithBaseline's result (only new or worse findings are sent).
Notices buildNotices(const Snapshot& snapshot, const AnalysisResult& result, const NotifyOptions& options,
    const std::map<std::string, Decision>* decisions = nullptr, const std::vector<ReviewedSnapshot>* history = nullptr,
    const std::map<std::string, BaselineStatus>* standing = nullptr);

/// One owner's notice as Markdown: a summary, then each finding with what, where, why, due date
/// and the proposed fix.
std::string noticeMarkdown(const OwnerNotice& notice, const Notices& all);

/// The index of the notices ("exposure-notify/1"): per owner its file and findings (id, severity,
/// target, ports, due, basis).
nlohmann::json noticesIndex(const Notices& notices);

/// YYYY-MM-DD plus days (proleptic Gregorian); empty when date is not a date.
std::string addDays(const std::string& date, int days);

} // namespace ew
