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

/// Evaluates an ARM template / `az group export` document / Bicep output in place, the way
/// Resource Manager would expand it before deploying, so that the importer can read `resources`
/// as a plain array of resources:
/// - template expressions ("[concat(...)]", "[resourceId(...)]", ...) in every resource;
/// - resource, property and variable copy loops (Microsoft Learn: "Resource iteration in ARM
///   templates", "Property iteration in ARM templates", "Variable iteration in ARM templates");
/// - `"languageVersion": "2.0"` templates whose `resources` is an object keyed by symbolic name
///   (resources marked `"existing": true` are deployed elsewhere and left out);
/// - nested deployments and Bicep modules (`Microsoft.Resources/deployments` with an inline
///   `properties.template`): their resources are appended to the top-level array.
/// Child resources nested in a parent's "resources" get their full type and name, and every
/// resource gets the "id" Azure would give it in the placeholder resource group.
///
/// What cannot be known offline (reference(), listKeys(), a parameter without defaultValue, an
/// unsupported function, a copy count that depends on such a value) becomes a readable
/// placeholder in braces ("{reference(vnet).id}", "{prefix}-nsg"), never the raw "[...]" text,
/// and a loop whose count is unknown is read once. Unknowns other than parameters without a
/// value are reported in problems with the JSON pointer of what holds them.
///
/// Every resource and every element produced by a copy loop carries "__ewSource": the JSON
/// pointer, in the original document, of what it was made from (a loop's "input", a resource of
/// a copy loop, of a 2.0 object or of a nested template), since positions in the evaluated
/// arrays no longer match the file. Never throws.
void evaluateArmTemplate(nlohmann::json& tpl, std::vector<ArmProblem>& problems);

/// True when the document looks like an ARM deployment template (`resources` an array, or an
/// object keyed by symbolic name as languageVersion 2.0 writes it).
bool isArmTemplate(const nlohmann::json& doc);

inline constexpr const char* kArmSubscription = "00000000-0000-0000-0000-000000000000";
inline constexpr const char* kArmResourceGroup = "template-resource-group";
inline constexpr const char* kArmTenant = "00000000-0000-0000-0000-000000000000";

/// The member every expanded element carries: its JSON pointer in the original document.
inline constexpr const char* kArmSourceKey = "__ewSource";

} // namespace ew
