#pragma once

#include "finding.h"

#include <string>
#include <vector>

namespace ew {

/// A rule as the workbench names it in short: "allow-https (100)"; the priority only where it
/// orders the rules and the name does not already say it (a network ACL's rule is its number;
/// security groups are a union, their rules have no order).
std::string ruleShortName(
    const std::string& level, const std::string& ruleName, const std::string& ruleId, int priority);

/// The findings one allowing rule lets in: the analyst's "group by deciding rule", where the
/// rule to change first is the group at the top.
struct RuleGroup
{
    std::string filterId; // NSG, security group, load balancer or service firewall id
    std::string filterName;
    std::string ruleName;
    std::string ruleId;
    std::string level; // "subnet", "nic", "load-balancer", ...
    int priority = 0;
    bool isDefault = false;
    std::vector<std::size_t> findings; // indices into the findings grouped, in their order
    Severity worst = Severity::Info;
    std::size_t dataStores = 0; // distinct data-store targets among them
    std::size_t targets = 0; // distinct targets among them
    /// "nsg-es / allow-es-any (109)"
    std::string title() const;
};

/// Groups findings by the rules that let them through (the allowing rules of their evidence, at
/// any hop). A finding that needs several rules (a subnet and a NIC NSG, or two hops) is in the
/// group of each. Sorted by the worst severity, then by how many findings, then by name: the
/// rule whose change closes most of the worst first. Findings without an allowing rule (a
/// managed service open to the internet by default) are in one group with an empty rule.
std::vector<RuleGroup> groupByDecidingRule(const std::vector<const Finding*>& findings);

} // namespace ew
