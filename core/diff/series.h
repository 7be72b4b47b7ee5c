#pragma once

#include "findings/analyzer.h"
#include "review/review.h"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ew {

/// A snapshot's place in time: its folder and date, from the folder's exposure-snapshot.json
/// ({"schema": "exposure-snapshot/1", "date": "2019-12-05", "label": "..."}) or the command line.
struct SnapshotLabel
{
    std::string folder;
    std::string date; // YYYY-MM-DD
    std::string label; // optional free text
};

/// Whether text is a calendar date written YYYY-MM-DD.
bool isIsoDate(std::string_view text);

/// Reads "DATE=FOLDER" or "FOLDER" (then the date comes from FOLDER/exposure-snapshot.json).
/// False with a message naming the file and field when there is no usable date.
bool readSnapshotLabel(const std::string& argument, SnapshotLabel& out, std::string& error);

/// The label of the snapshot an input (an export folder, or a file in one) belongs to, from the
/// folder's exposure-snapshot.json; nullopt when there is none or it has no valid date.
std::optional<SnapshotLabel> labelOfInput(const std::string& input);

/// How a finding of a new analysis stands against a baseline (an older analysis or a review).
enum class BaselineStatus {
    New, // not in the baseline
    Worse, // in the baseline, but now more severe or reaching more (ports, sources, protocols)
    Known, // in the baseline, no wider than it was
    Accepted, // accepted risk or false positive in the baseline review
};
const char* baselineStatusName(BaselineStatus s); // "new", "worse", "known", "accepted"

/// Each finding's standing against the baseline analysis (may be null: only decisions count)
/// and the baseline review's decisions (may be null). Accepted decisions win over everything.
std::map<std::string, BaselineStatus> compareWithBaseline(
    const AnalysisResult& now, const AnalysisResult* baseline, const std::map<std::string, Decision>* decisions);

/// One finding across a series of snapshots, oldest first.
struct FindingHistory
{
    std::string id;
    std::string target;
    std::vector<std::optional<Severity>> severities; // per snapshot; nullopt when absent
    std::string firstSeen; // date of the first snapshot it is in
    std::string lastSeen;
    /// Start of its current run of appearances, for findings in the latest snapshot ("exposed since");
    /// empty when closed.
    std::string exposedSince;
    /// Since when it has been at its latest severity without a break (empty when closed).
    std::string atSeveritySince;
};

struct Timeline
{
    std::vector<SnapshotLabel> snapshots; // oldest first
    std::vector<FindingHistory> findings; // open ones first (most severe), then closed ones
};

/// The timeline of every finding over analyses of a series of snapshots, given oldest first.
Timeline buildTimeline(const std::vector<SnapshotLabel>& snapshots, const std::vector<const AnalysisResult*>& results);

/// `exposure-audit timeline --format json`: {"schema": "exposure-timeline/1", "snapshots", "findings"}.
nlohmann::json timelineJson(const Timeline& timeline);
std::string timelineText(const Timeline& timeline);
std::string timelineMarkdown(const Timeline& timeline);

} // namespace ew
