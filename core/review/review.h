#pragma once

#include "model/diagnostic.h"
#include "whatif/whatif.h"

#include <map>
#include <string>
#include <vector>

namespace ew {

/// The analyst's verdict on one finding.
enum class TriageState { New, Confirmed, AcceptedRisk, FalsePositive, Fixed };
const char* triageStateName(TriageState s); // "new", "confirmed", "accepted-risk", "false-positive", "fixed"
const char* triageStateTitle(TriageState s); // "New", "Confirmed", "Accepted risk", ...
bool parseTriageState(std::string_view text, TriageState& out);
constexpr int kTriageStateCount = 5;

/// Triage of one finding, keyed by its stable id. The target and severity are kept for the
/// record, so a decision whose finding has disappeared still says what it was about.
struct Decision
{
    TriageState state = TriageState::New;
    std::string owner;
    std::string note;
    std::string updated; // ISO 8601 UTC
    std::string target; // name of the finding's target when decided
    std::string severity;
    std::string due; // YYYY-MM-DD the analyst set; "" = the due policy's
    /// YYYY-MM-DD: the last day an accepted risk or false positive holds; after it the finding is
    /// open again (effectiveDecision). "" = no end.
    std::string expires;
    bool isDefault() const
    {
        return state == TriageState::New && owner.empty() && note.empty() && due.empty() && expires.empty();
    }
    friend bool operator==(const Decision&, const Decision&) = default;
};

/// One file of the reviewed snapshot: its path relative to the review file, size and SHA-256.
struct SnapshotFile
{
    std::string path;
    std::uint64_t size = 0;
    std::string sha256;
    friend bool operator==(const SnapshotFile&, const SnapshotFile&) = default;
};

/// A snapshot reviewed in this review, with the severity of every finding it had: the review's
/// own timeline, kept when a newer snapshot is opened in the review.
struct ReviewedSnapshot
{
    std::string date; // YYYY-MM-DD (the snapshot's label, or the day it was reviewed)
    std::string label;
    std::vector<std::string> inputs; // as in Review::inputs
    std::map<std::string, std::string> findings; // finding id -> severity name
    friend bool operator==(const ReviewedSnapshot&, const ReviewedSnapshot&) = default;
};

/// A review: what was reviewed (the snapshot's inputs and their identity) and every decision the
/// analyst made about it. Serialised as documented JSON, schema "exposure-review/1". Value type.
struct Review
{
    static constexpr const char* kSchema = "exposure-review/1";
    std::string title;
    std::string reviewer;
    std::string created; // ISO 8601 UTC
    std::string modified;
    std::vector<std::string> inputs; // files or folders, relative to the review file when possible
    std::vector<SnapshotFile> files; // identity of every file read, same relative form
    std::map<std::string, Decision> decisions; // finding id -> decision
    /// Analyst data-store marking: normalised resource id -> engine ("" = "not a data store").
    std::map<std::string, std::string> dataStores;
    /// Snapshots reviewed so far, oldest first (the current one last once recorded).
    std::vector<ReviewedSnapshot> history;
    /// What-if scenarios: named lists of edits to the snapshot (whatif.h).
    std::vector<Scenario> scenarios;
    friend bool operator==(const Review&, const Review&) = default;
};

/// Whether the beginning of a file (its first few kilobytes) is a review rather than an export.
bool looksLikeReview(std::string_view head);

/// Writes the review as indented JSON text (stable key order, ends with a newline).
std::string serialiseReview(const Review& review);

/// Parses a review. On failure returns false and appends diagnostics naming `fileName` and the
/// JSON pointer (or line/column) of each problem; never throws.
bool parseReview(std::string_view text, const std::string& fileName, Review& out, std::vector<Diagnostic>& diags);

/// SHA-256 of a file's contents as lower-case hex; empty when the file cannot be read.
std::string sha256OfFile(const std::string& path);
/// SHA-256 of bytes as lower-case hex (FIPS 180-4).
std::string sha256(std::string_view bytes);

/// The identity of the files a snapshot was read from, paths made relative to baseDir when they
/// lie below it. Files that cannot be read get an empty hash.
std::vector<SnapshotFile> snapshotIdentity(const std::vector<std::string>& filePaths, const std::string& baseDir);
/// The same for the files of an import: the digests it made of the bytes it read
/// (ImportOptions::hashFiles), the others read again.
std::vector<SnapshotFile> snapshotIdentity(const std::vector<InputFile>& files, const std::string& baseDir);

/// Differences between a recorded identity and the files now on disk, one sentence each
/// ("nsgs.json changed since the review (SHA-256 differs)"); empty when identical.
std::vector<std::string> compareIdentity(
    const std::vector<SnapshotFile>& recorded, const std::vector<SnapshotFile>& now);

/// A decision as it holds on a day (YYYY-MM-DD): an accepted risk or false positive whose expiry has
/// passed is open again (confirmed), its note saying since when; any other decision is as made.
Decision effectiveDecision(const Decision& d, const std::string& today);

/// Every decision of a review as it holds on a day (effectiveDecision).
std::map<std::string, Decision> effectiveDecisions(
    const std::map<std::string, Decision>& decisions, const std::string& today);

/// Since when the review has seen a finding exposed: the date of the first of these snapshots
/// (oldest first, as Review::history) that has it; "" when none has it or its date is empty.
std::string exposedSince(const std::vector<ReviewedSnapshot>& snapshots, const std::string& findingId);

/// True when text is a date written YYYY-MM-DD that exists.
bool isIsoDate(const std::string& text);

} // namespace ew
