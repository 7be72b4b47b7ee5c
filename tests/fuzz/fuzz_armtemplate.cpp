// The ARM template evaluator (core/import/armtemplate): a whole template when the input begins
// with '{', else the input is one template expression placed where templates put them (a name,
// a variable, a copy count, a property, a condition), so that mutations reach the expression
// parser and its functions rather than the JSON syntax.

#include "fuzzsupport.h"

#include "import/armtemplate.h"
#include "import/jsonparse.h"

#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;

json templateAround(const std::string& expression)
{
    const json e = expression;
    return json {
        { "$schema", "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#" },
        { "contentVersion", "1.0.0.0" },
        { "parameters",
            { { "prefix", { { "type", "string" }, { "defaultValue", "web" } } },
                { "count", { { "type", "int" }, { "defaultValue", 2 } } } } },
        { "variables", { { "v", e }, { "list", json::array({ "a", "b" }) } } },
        { "resources",
            json::array({
                { { "type", "Microsoft.Network/networkSecurityGroups" }, { "apiVersion", "2023-09-01" }, { "name", e },
                    { "location", "westeurope" },
                    { "properties",
                        { { "securityRules",
                            json::array({ { { "name", "r" },
                                { "properties",
                                    { { "priority", e }, { "access", "Allow" }, { "direction", "Inbound" },
                                        { "protocol", "Tcp" }, { "sourceAddressPrefix", e },
                                        { "destinationPortRange", "[variables('v')]" } } } } }) } } } },
                { { "type", "Microsoft.Network/publicIPAddresses" }, { "apiVersion", "2023-09-01" },
                    { "name", "[concat(parameters('prefix'), '-pip-', copyIndex())]" }, { "condition", e },
                    { "copy", { { "name", "pips" }, { "count", e } } }, { "properties", { { "ipAddress", e } } } },
            }) },
    };
}

// Every element the evaluator made says where in the original document it came from.
void checkSources(const json& v, const json& original, int depth = 0)
{
    if (depth > 300)
        return;
    if (v.is_object()) {
        if (auto it = v.find(ew::kArmSourceKey); it != v.end() && it->is_string()) {
            const std::string& p = it->get_ref<const std::string&>();
            bool resolves = false;
            try {
                resolves = original.contains(json::json_pointer(p));
            } catch (const json::exception&) { }
            if (!resolves)
                ew::fuzz::fail("an evaluated element names a place not in the template: " + p);
        }
        for (const auto& [k, e] : v.items())
            checkSources(e, original, depth + 1);
    } else if (v.is_array()) {
        for (const auto& e : v)
            checkSources(e, original, depth + 1);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view input = ew::fuzz::text(data, size);
    const auto first = input.find_first_not_of(" \t\r\n");
    json tpl;
    if (first != std::string_view::npos && input[first] == '{') {
        // The importer hands the evaluator only documents within its nesting limit.
        if (ew::JsonSyntaxError deep; ew::findDepthError(input, ew::kDefaultMaxDepth, deep))
            return 0;
        tpl = json::parse(input.begin(), input.end(), nullptr, false);
        if (tpl.is_discarded())
            return 0;
    } else {
        tpl = templateAround(std::string(input));
    }
    const json original = tpl;
    std::vector<ew::ArmProblem> problems;
    ew::isArmTemplate(tpl);
    ew::evaluateArmTemplate(tpl, problems);
    for (const auto& p : problems)
        if (p.message.rfind("internal error", 0) == 0)
            ew::fuzz::fail("the evaluator failed inside: " + p.pointer + ": " + p.message);
    if (tpl.contains("resources"))
        checkSources(tpl["resources"], original);
    // What the importer does next: the evaluated template as text (cut UTF-8 replaced, never thrown).
    (void)tpl.dump(-1, ' ', false, json::error_handler_t::replace);
    return 0;
}
