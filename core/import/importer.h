#pragma once

#include "model/snapshot.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ew {

/// Which state of a Terraform plan to read: the one it would produce, or the one it starts from.
enum class TerraformPlanSide { Planned, Prior };

/// Limits that protect the analyst's machine from an export too large or too strange to analyse
/// (README, "Limits"). Past each one the importer adds an Error diagnostic naming the file and place.
struct ImportOptions
{
    /// A Terraform plan (`terraform show -json`) is read as its planned state, or as its prior state
    /// (`exposure-audit diff PLAN.json` compares the two).
    TerraformPlanSide terraformPlanSide = TerraformPlanSide::Planned;
    /// Files larger than this are refused with a diagnostic (simdjson's own limit is 4 GiB).
    std::uint64_t maxFileSize = std::uint64_t(3) << 30;
    /// Files whose objects and arrays nest deeper than this are refused (exports nest about 10 deep).
    std::size_t maxDepth = 128;
    /// Reading stops once the snapshot holds more resources than this; the rest is not read.
    std::size_t maxResources = 1'000'000;
    /// A rule list (an NSG, a security group, a network ACL) longer than this is cut there. Azure
    /// allows 1,000 rules per NSG, AWS 1,000 per security group and 40 per network ACL.
    std::size_t maxRulesPerList = 10'000;
    /// Rules of every list together; past this, lists are cut from the one that crosses it.
    std::size_t maxRules = 5'000'000;
    /// Memory the import and analysis may use, in bytes; 0: what the machine has available now
    /// (availableMemory()). An export whose estimate (kMemoryPerInputByte times its size) exceeds it
    /// is refused before anything is read, rather than ending in the kernel's out-of-memory killer.
    std::uint64_t memoryBudget = 0;
    /// Hash each file's bytes as read (InputFile::sha256), on a second thread while the file is
    /// parsed: the workbench's review records the identity of what it analysed.
    bool hashFiles = false;
    /// Called with (files done, files total) from the importing thread.
    std::function<void(std::size_t, std::size_t)> progress;
    /// Set from any thread to stop; the result then carries an error diagnostic "cancelled".
    const std::atomic<bool>* cancel = nullptr;
};

/// Bytes of memory an import and analysis take for each byte of input, measured end to end on the
/// generated L estate (2.64 GB peak for 184 MB of JSON, BENCHMARKS.md) and rounded up.
inline constexpr std::uint64_t kMemoryPerInputByte = 16;

/// Memory this process may still use, in bytes: the smallest of the kernel's MemAvailable, the room
/// left under the cgroup's memory limit and under the address-space limit (ulimit -v); 0 when none
/// can be read.
std::uint64_t availableMemory();

/// The file in an export folder that labels the snapshot with its date (see diff/series.h); the
/// importer leaves it out of the snapshot.
inline constexpr const char* kSnapshotLabelFile = "exposure-snapshot.json";

/// Reads exports (files or folders, recursively) into a Snapshot. Never throws: every problem
/// becomes a diagnostic in Snapshot::diagnostics with file and JSON pointer or line/column.
/// Each file is decoded (UTF-8, UTF-16/32 with a byte order mark), parsed, and read by the format
/// reader that recognises its content; the readers then link what they read across files.
/// Azure shapes: az CLI (flattened), REST (properties), {"value": [...]}, single resources, REST API
/// examples (responses/200/body), ARM templates, Bicep output and `az group export`, PowerShell
/// ConvertTo-Json, Resource Graph results, service tag lists and `az network nic
/// list-effective-nsg` output. Terraform: `terraform show -json` of a state or a plan, and
/// terraform.tfstate (version 4), azurerm and aws resources.
Snapshot importSnapshot(const std::vector<std::string>& inputs, const ImportOptions& options = {});

/// Whether a snapshot was read from one Terraform plan (`terraform show -json tfplan`), by content.
bool isTerraformPlan(const Snapshot& snapshot);

/// An export with a plan applied (`exposure-audit diff EXPORT PLAN.json`): what the plan's prior
/// state has and its planned state no longer has is removed; what the planned state has replaces
/// or joins the export's, by id. The planned side's files and diagnostics are added.
void applyPlan(Snapshot& exportSnapshot, const Snapshot& prior, const Snapshot& planned);

} // namespace ew
