#pragma once

#include "importer.h"

#include <optional>
#include <string>
#include <vector>

namespace ew {

/// Reads one security rule written as the az CLI or REST API writes it ("name", "priority",
/// "access", "direction", "protocol", address prefixes, ASGs, port ranges), with the importer's own
/// checks: nullopt when the rule has an error, with the reasons in diagnostics (located at origin).
std::optional<SecurityRule> securityRuleFromJson(
    std::string_view json, const std::string& nsgId, const std::string& origin, std::vector<Diagnostic>& diagnostics);

/// The six default rules every NSG has (Microsoft Learn, "Default security rules").
std::vector<SecurityRule> defaultSecurityRules(const std::string& nsgId, const SourceLocation& where);

} // namespace ew
