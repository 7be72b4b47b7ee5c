#pragma once

#include "model/snapshot.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ew {

struct ImportOptions
{
    /// Files larger than this are refused with a diagnostic (simdjson's own limit is 4 GiB).
    std::uint64_t maxFileSize = std::uint64_t(3) << 30;
    /// Called with (files done, files total) from the importing thread.
    std::function<void(std::size_t, std::size_t)> progress;
    /// Set from any thread to stop; the result then carries an error diagnostic "cancelled".
    const std::atomic<bool>* cancel = nullptr;
};

/// The file in an export folder that labels the snapshot with its date (see diff/series.h); the
/// importer leaves it out of the snapshot.
inline constexpr const char* kSnapshotLabelFile = "exposure-snapshot.json";

/// Reads Azure exports (files or folders, recursively) into a Snapshot. Never throws: every
/// problem becomes a diagnostic in Snapshot::diagnostics with file and JSON pointer or line/column.
/// Recognised shapes: az CLI (flattened), REST (properties), {"value": [...]}, single resources,
/// REST API examples (responses/200/body), ARM templates and `az group export`, and
/// `az network nic list-effective-nsg` output. Resources are recognised by their "type".
Snapshot importAzure(const std::vector<std::string>& inputs, const ImportOptions& options = {});

/// Reads one security rule written as the az CLI or REST API writes it ("name", "priority",
/// "access", "direction", "protocol", address prefixes, ASGs, port ranges), with the importer's own
/// checks: nullopt when the rule has an error, with the reasons in diagnostics (located at origin).
std::optional<SecurityRule> securityRuleFromJson(
    std::string_view json, const std::string& nsgId, const std::string& origin, std::vector<Diagnostic>& diagnostics);

/// The six default rules every NSG has (Microsoft Learn, "Default security rules").
std::vector<SecurityRule> defaultSecurityRules(const std::string& nsgId, const SourceLocation& where);

} // namespace ew
