#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ew {

struct ArmProblem
{
    std::string pointer;
    std::string message;
};

/// Evaluates the ARM template expressions ("[concat(...)]", "[resourceId(...)]", ...) found in the
/// resources of an ARM template / `az group export` document, in place: every string value keeps
/// its JSON pointer. Child resources nested in a parent's "resources" get their full type and name,
/// and every resource gets the "id" Azure would give it in the placeholder resource group.
/// Expressions that cannot be evaluated are left as written and reported in problems.
void evaluateArmTemplate(nlohmann::json& tpl, std::vector<ArmProblem>& problems);

/// True when the document looks like an ARM deployment template.
bool isArmTemplate(const nlohmann::json& doc);

inline constexpr const char* kArmSubscription = "00000000-0000-0000-0000-000000000000";
inline constexpr const char* kArmResourceGroup = "template-resource-group";

} // namespace ew
