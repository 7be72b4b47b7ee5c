#pragma once

#include "model/snapshot.h"
#include "policy/nsgevaluator.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace ew {

/// One what-if change to a snapshot's network configuration. Serialised in reviews (scenarios)
/// with ids as the snapshot normalises them and new rules as the az CLI writes them.
struct WhatIfEdit
{
    enum class Kind {
        AddRule,
        EditRule,
        DeleteRule,
        DisableRule, // Azure has no disabled rules: "as if it were deleted", kept visible
        EnableRule,
        DetachNsg,
        AttachNsg,
        RemovePublicIp,
        RestorePublicIp,
    };
    Kind kind = Kind::AddRule;
    std::string nsgId; // rule edits; AttachNsg: the NSG to attach
    std::string ruleName; // EditRule, DeleteRule, DisableRule, EnableRule
    nlohmann::json rule; // AddRule, EditRule: the new rule ("name", "priority", "access", ...)
    std::string resourceId; // Detach/AttachNsg: a subnet or NIC; Remove/RestorePublicIp: the public IP
    std::string holderId; // RestorePublicIp: the IP configuration or load-balancer frontend

    /// Set on inverses made by applyEdit: the exact rule to put back (not serialised).
    std::shared_ptr<const SecurityRule> exact;

    friend bool operator==(const WhatIfEdit& a, const WhatIfEdit& b)
    {
        return a.kind == b.kind && a.nsgId == b.nsgId && a.ruleName == b.ruleName && a.rule == b.rule
            && a.resourceId == b.resourceId && a.holderId == b.holderId;
    }
};

const char* editKindName(WhatIfEdit::Kind kind); // "add-rule", "edit-rule", ...
bool parseEditKind(std::string_view text, WhatIfEdit::Kind& out);

/// What an applied edit touched, so that re-analysis can be limited to it.
struct EditImpact
{
    std::vector<std::string> nsgIds; // NSGs whose rules changed
    /// Per NSG in nsgIds: which rule changed, when one did (for updating verdicts).
    std::vector<RuleChange> ruleChanges;
    std::vector<std::string> ipConfigurationIds; // IP configurations whose NSGs or frontends changed
};

/// Applies an edit to a snapshot. On success fills `inverse` (the edit that undoes it exactly) and
/// `impact`; on failure leaves the snapshot as it was and says why in `error`. `request` may be the
/// same object as `inverse` (undoing an undo).
bool applyEdit(Snapshot& snap, const WhatIfEdit& request, WhatIfEdit& inverse, EditImpact& impact, std::string& error);

/// One line: "Add rule deny-es-internet (priority 105: deny Tcp Internet -> * 9200-9300) to nsg-es-cluster".
std::string describeEdit(const WhatIfEdit& edit, const Snapshot& snapshot);
/// The Azure CLI command that makes the change for real.
std::string azCommand(const WhatIfEdit& edit, const Snapshot& snapshot);

/// An existing rule as the az CLI writes it: the starting point of an edit.
nlohmann::json ruleJson(const SecurityRule& rule, const Snapshot& snapshot);

nlohmann::json editJson(const WhatIfEdit& edit);
/// Reads an edit written by editJson; false with a message naming the field when malformed.
bool editFromJson(const nlohmann::json& json, WhatIfEdit& edit, std::string& error);

/// A named set of what-if edits, kept in the review.
struct Scenario
{
    std::string name;
    std::vector<WhatIfEdit> edits;
    friend bool operator==(const Scenario&, const Scenario&) = default;
};

/// The scenario as a change list for the people who will make it: numbered descriptions, each
/// with its az CLI command (plain text, or markdown when `markdown`).
std::string scenarioChangeList(const Scenario& scenario, const Snapshot& base, bool markdown);

} // namespace ew
