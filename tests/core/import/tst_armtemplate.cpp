// The ARM template evaluator: expressions, copy loops, languageVersion 2.0 and nested
// deployments, as Microsoft Learn describes them ("Template functions", "Resource iteration in
// ARM templates", "Property iteration in ARM templates", "Variable iteration in ARM templates",
// "copyIndex", "Nested templates").
#include "import/armtemplate.h"
#include "model/snapshot.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTest>

#include <functional>
#include <random>
#include <set>

using namespace ew;
using nlohmann::json;

class TestArmTemplate : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void expressions_data();
    void expressions();
    void resourceCopy();
    void propertyCopy();
    void variableCopy();
    void unknownCount();
    void languageVersion2();
    void nestedDeployments();
    void moduleOutputs();
    void limits_data();
    void limits();
    void fuzz();
    void recognisesTemplates();
    void samples_data();
    void samples();
};

namespace {

QString q(const std::string& s)
{
    return QString::fromStdString(s);
}

struct Result
{
    json tpl;
    std::vector<ArmProblem> problems;
    std::string problemText() const
    {
        std::string s;
        for (const auto& p : problems)
            s += p.pointer + ": " + p.message + "\n";
        return s;
    }
};

Result evaluate(json tpl)
{
    Result r;
    r.tpl = std::move(tpl);
    evaluateArmTemplate(r.tpl, r.problems);
    return r;
}

// The template every expression row is evaluated in.
json context()
{
    return json::parse(R"({
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "functions": [{"namespace": "__bicep", "members": {"isEven": {
      "parameters": [{"type": "int", "name": "i"}],
      "output": {"type": "bool", "value": "[equals(mod(parameters('i'), 2), 0)]"}}}}],
  "parameters": {
    "rules": {"type": "array", "defaultValue": [{"name": "ssh", "port": 22}, {"name": "https", "port": 443}]},
    "settings": {"type": "object", "defaultValue": {"Prefix": "web", "count": 2, "nested": {"a": 1}}},
    "prefix": {"type": "string"},
    "env": {"type": "string", "defaultValue": "prod"},
    "location": {"type": "string", "defaultValue": "[resourceGroup().location]"}
  },
  "variables": {
    "names": ["a", "b", "c"],
    "obj": {"Key": "v"},
    "nsgName": "[concat(parameters('settings').prefix, '-nsg')]"
  },
  "resources": []
})");
}

// A resource holding the value as its property "v", evaluated in context().
Result evaluateExpression(const json& expr)
{
    json tpl = context();
    tpl["resources"].push_back(
        { { "type", "Microsoft.Network/publicIPAddresses" }, { "name", "x" }, { "properties", { { "v", expr } } } });
    return evaluate(std::move(tpl));
}

bool isRawExpression(const std::string& s)
{
    return s.size() >= 2 && s.front() == '[' && s.back() == ']' && s[1] != '[';
}

// What the importer reads must hold no raw "[...]" text and no internal marks.
void collectRaw(const json& v, const std::string& ptr, std::vector<std::string>& out)
{
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        if (isRawExpression(s) || s.find('\x1f') != std::string::npos)
            out.push_back(ptr + " = " + s);
    } else if (v.is_object()) {
        for (auto it = v.begin(); it != v.end(); ++it)
            if (it.key() != "dependsOn" && it.key() != "condition")
                collectRaw(it.value(), ptr + "/" + it.key(), out);
    } else if (v.is_array()) {
        for (std::size_t i = 0; i < v.size(); ++i)
            collectRaw(v[i], ptr + "/" + std::to_string(i), out);
    }
}

std::vector<std::string> rawTexts(const json& tpl)
{
    std::vector<std::string> out;
    collectRaw(tpl["resources"], "/resources", out);
    return out;
}

// QVERIFY2 builds its message even when the check passes.
std::string firstRaw(const json& tpl)
{
    const auto raw = rawTexts(tpl);
    return raw.empty() ? std::string() : raw.front();
}

const json* findByName(const json& resources, const std::string& name)
{
    for (const auto& r : resources)
        if (r.value("name", std::string()) == name)
            return &r;
    return nullptr;
}

} // namespace

// Microsoft Learn "Template functions" (string, array, object, numeric, logical, comparison,
// deployment, resource, lambda): one row per function behaviour, with the value ARM gives.
void TestArmTemplate::expressions_data()
{
    QTest::addColumn<QByteArray>("expression"); // a JSON value, usually a "[...]" string
    QTest::addColumn<QByteArray>("expected"); // JSON
    QTest::addColumn<QString>("problem"); // part of the problem reported, empty: none

    auto row = [](const char* name, const char* expr, const char* expected, const char* problem = "") {
        QTest::newRow(name) << QByteArray(expr) << QByteArray(expected) << QString::fromUtf8(problem);
    };
    row("padLeft", R"("[padLeft(7, 3, '0')]")", R"("007")");
    row("padLeft-longer-than-total", R"("[padLeft('abcd', 2, '0')]")", R"("abcd")");
    row("format-D2", R"("[format('vm-{0:D2}', 3)]")", R"("vm-03")");
    row("format-plain", R"("[format('{0}-{1}', 'a', 12)]")", R"("a-12")");
    row("format-escaped-braces", R"("[format('{{{0}}}', 'x')]")", R"("{x}")");
    row("format-bool-as-dotnet", R"("[format('{0}', true())]")", R"("True")");
    row("format-N0", R"("[format('{0:N0}', 1234567)]")", R"("1,234,567")");
    row("format-X", R"("[format('{0:X}', 255)]")", R"("FF")");
    row("format-alignment", R"("[format('<{0,4}>', 7)]")", R"("<   7>")");
    row("replace", R"("[replace('a-b-c', '-', '_')]")", R"("a_b_c")");
    row("toLower", R"("[toLower('AbC')]")", R"("abc")");
    row("toUpper", R"("[toUpper('AbC')]")", R"("ABC")");
    row("if-true", R"("[if(equals(parameters('env'), 'prod'), 'Deny', 'Allow')]")", R"("Deny")");
    row("if-evaluates-only-its-branch", R"("[if(true(), 'ok', reference('missing').x)]")", R"("ok")");
    row("union-objects-deep",
        R"("[union(createObject('a', 1, 'n', createObject('x', 1)), createObject('b', 2, 'n', createObject('y', 2)))]")",
        R"({"a": 1, "b": 2, "n": {"x": 1, "y": 2}})");
    row("union-arrays", R"("[union(createArray(1, 2), createArray(2, 3))]")", "[1, 2, 3]");
    row("intersection", R"("[intersection(createArray(1, 2, 3), createArray(2, 3, 4))]")", "[2, 3]");
    row("range", R"("[range(5, 3)]")", "[5, 6, 7]");
    row("split-several-delimiters", R"("[split('a,b;c', createArray(',', ';'))]")", R"(["a", "b", "c"])");
    row("join", R"("[join(variables('names'), '-')]")", R"("a-b-c")");
    row("first", R"("[first(variables('names'))]")", R"("a")");
    row("last-string", R"("[last('xyz')]")", R"("z")");
    row("contains-string-case-sensitive", R"("[contains('OneTwo', 'two')]")", "false");
    row("contains-object-key-case-insensitive", R"("[contains(parameters('settings'), 'prefix')]")", "true");
    row("contains-array", R"("[contains(variables('names'), 'b')]")", "true");
    row("take", R"("[take(variables('names'), 2)]")", R"(["a", "b"])");
    row("skip-string", R"("[skip('abcdef', 4)]")", R"("ef")");
    row("substring", R"("[substring('abcdef', 1, 3)]")", R"("bcd")");
    row("indexOf-case-insensitive", R"("[indexOf('abcDEF', 'de')]")", "3");
    row("lastIndexOf", R"("[lastIndexOf('abcabc', 'BC')]")", "4");
    row("startsWith", R"("[startsWith('abcdef', 'AB')]")", "true");
    row("endsWith", R"("[endsWith('abcdef', 'de')]")", "false");
    row("trim", R"("[trim('  a b  ')]")", R"("a b")");
    row("arithmetic", R"("[add(mul(3, 4), sub(10, div(9, 2)))]")", "18");
    row("mod", R"("[mod(7, 3)]")", "1");
    row("max-array", R"("[max(createArray(3, 9, 2))]")", "9");
    row("min-arguments", R"("[min(4, 1, 8)]")", "1");
    row("coalesce", R"("[coalesce(null(), 'x')]")", R"("x")");
    row("array", R"("[array('a')]")", R"(["a"])");
    row("bool", R"("[bool('TRUE')]")", "true");
    row("createObject", R"("[createObject('a', 1, 'b', createArray())]")", R"({"a": 1, "b": []})");
    row("items-sorted-by-key", R"("[items(createObject('b', 2, 'a', 1))]")",
        R"([{"key": "a", "value": 1}, {"key": "b", "value": 2}])");
    row("string-bool", R"("[string(true())]")", R"("True")");
    row("string-object", R"("[string(createObject('a', 1))]")", R"("{\"a\":1}")");
    row("int", R"("[int('42')]")", "42");
    row("empty", R"("[empty(createArray())]")", "true");
    row("not-and-or", R"("[or(not(true()), and(true(), greaterOrEquals(2, 2)))]")", "true");
    row("less-strings", R"("[less('a', 'b')]")", "true");
    row("concat-arrays", R"("[concat(createArray(1), createArray(2, 3))]")", "[1, 2, 3]");
    row("concat-strings", R"("[concat('a', 1, 'b')]")", R"("a1b")");
    row("length-string", R"("[length('abcd')]")", "4");
    row("length-array-parameter", R"("[length(parameters('rules'))]")", "2");
    row("length-object", R"("[length(variables('obj'))]")", "1");
    row("index-array-then-member", R"("[parameters('rules')[1].port]")", "443");
    row("index-object-case-insensitive", R"("[parameters('settings')['prefix']]")", R"("web")");
    row("member-case-insensitive", R"("[parameters('settings').PREFIX]")", R"("web")");
    row("member-nested", R"("[parameters('settings').nested.a]")", "1");
    row("variable-of-expressions", R"("[variables('nsgName')]")", R"("web-nsg")");
    row("uniqueString-13-characters", R"("[length(uniqueString('a', 'b'))]")", "13");
    row("uniqueString-deterministic", R"("[equals(uniqueString('a'), uniqueString('a'))]")", "true");
    row("guid-shape", R"("[length(guid('x'))]")", "36");
    row("resourceId", R"("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'default')]")",
        R"("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/template-resource-group/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default")");
    row("resourceId-resource-group", R"("[resourceId('other-rg', 'Microsoft.Network/publicIPAddresses', 'pip')]")",
        R"("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/other-rg/providers/Microsoft.Network/publicIPAddresses/pip")");
    row("subscriptionResourceId", R"("[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'rg1')]")",
        R"("/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Resources/resourceGroups/rg1")");
    row("extensionResourceId",
        R"("[extensionResourceId('/subscriptions/s/resourceGroups/g', 'Microsoft.Authorization/locks', 'l')]")",
        R"("/subscriptions/s/resourceGroups/g/providers/Microsoft.Authorization/locks/l")");
    row("tenant", R"("[tenant().tenantId]")", R"("00000000-0000-0000-0000-000000000000")");
    row("environment", R"("[environment().suffixes.storage]")", R"("core.windows.net")");
    row("subscription", R"("[subscription().subscriptionId]")", R"("00000000-0000-0000-0000-000000000000")");
    row("resourceGroup-name", R"("[resourceGroup().name]")", R"("template-resource-group")");
    row("resourceGroup-location-unknown-without-problem", R"("[parameters('location')]")",
        R"("{resourceGroup().location}")");
    row("map", R"("[map(variables('names'), lambda('n', toUpper(lambdaVariables('n'))))]")", R"(["A", "B", "C"])");
    row("map-with-index",
        R"("[map(variables('names'), lambda('n', 'i', concat(lambdaVariables('n'), string(lambdaVariables('i')))))]")",
        R"(["a0", "b1", "c2"])");
    row("filter-with-user-function", R"("[filter(range(0, 6), lambda('i', __bicep.isEven(lambdaVariables('i'))))]")",
        "[0, 2, 4]");
    row("reduce",
        R"("[reduce(range(1, 4), 0, lambda('acc', 'x', add(lambdaVariables('acc'), lambdaVariables('x'))))]")", "10");
    row("sort", R"("[sort(createArray(3, 1, 2), lambda('x', 'y', less(lambdaVariables('x'), lambdaVariables('y'))))]")",
        "[1, 2, 3]");
    row("toObject",
        R"("[toObject(parameters('rules'), lambda('r', lambdaVariables('r').name), lambda('r', lambdaVariables('r').port))]")",
        R"({"ssh": 22, "https": 443})");
    row("cidrSubnet", R"("[cidrSubnet('10.1.0.0/16', 24, 3)]")", R"("10.1.3.0/24")");
    row("escaped-bracket", R"("[[not an expression]")", R"("[not an expression]")");
    row("nested-object-values", R"({"a": ["[concat('x', 'y')]"]})", R"({"a": ["xy"]})");
    // Partial evaluation: what cannot be known reads as a placeholder, never as "[...]".
    row("parameter-without-default", R"("[parameters('prefix')]")", R"("{prefix}")");
    row("concat-around-unknown", R"("[concat(parameters('prefix'), '-nsg')]")", R"("{prefix}-nsg")");
    row("format-around-unknown", R"("[format('{0}-nsg', parameters('prefix'))]")", R"("{prefix}-nsg")");
    row("equals-of-unknown-is-unknown", R"("[if(equals(parameters('prefix'), 'x'), 'Deny', 'Allow')]")",
        R"("{if(equals(prefix, x), Deny, Allow)}")");
    row("length-of-unknown", R"("[length(parameters('prefix'))]")", R"("{length(prefix)}")");
    row("reference", R"("[reference('vnet').outputs.subnets.value[2].id]")",
        R"("{reference(vnet).outputs.subnets.value[2].id}")", "reference() reads what Azure holds");
    row("listKeys",
        R"("[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'st'), '2023-01-01').keys[0].value]")",
        R"("{listKeys(Microsoft.Storage/storageAccounts/st, 2023-01-01).keys[0].value}")", "listKeys()");
    row("unsupported-function", R"("[base64ToJson('e30=')]")", R"("{base64ToJson(e30=)}")", "is not supported");
    row("syntax-error", R"("[concat('a', ]")", R"("{concat('a', }")", "unexpected");
    row("missing-property", R"("[variables('obj').nope]")", R"("{{\"Key\":\"v\"}.nope}")", "no property 'nope'");
    row("copyIndex-outside-a-loop", R"("[copyIndex()]")", R"("{copyIndex()}")", "outside a copy loop");
    row("division-by-zero", R"("[div(1, 0)]")", R"("{div(1, 0)}")", "division by zero");
}

void TestArmTemplate::expressions()
{
    QFETCH(QByteArray, expression);
    QFETCH(QByteArray, expected);
    QFETCH(QString, problem);
    const Result r = evaluateExpression(json::parse(expression.toStdString()));
    const json& actual = r.tpl["resources"][0]["properties"]["v"];
    QVERIFY2(actual == json::parse(expected.toStdString()),
        qPrintable(QStringLiteral("got %1\nproblems:\n%2").arg(q(actual.dump()), q(r.problemText()))));
    if (problem.isEmpty())
        QVERIFY2(r.problems.empty(), r.problemText().c_str());
    else
        QVERIFY2(r.problemText().find(problem.toStdString()) != std::string::npos, r.problemText().c_str());
    // A literal "[[...]" legitimately reads as "[...]".
    if (const json e = json::parse(expected.toStdString()); !(e.is_string() && isRawExpression(e.get<std::string>())))
        QVERIFY2(rawTexts(r.tpl).empty(), firstRaw(r.tpl).c_str());
}

// "Resource iteration in ARM templates": copy on a resource deploys count instances;
// copyIndex() and copyIndex('loop', offset) read the iteration; count 0 deploys none.
void TestArmTemplate::resourceCopy()
{
    const Result r = evaluate(json::parse(R"({
  "contentVersion": "1.0.0.0",
  "parameters": {"count": {"type": "int", "defaultValue": 3}},
  "resources": [
{"type": "Microsoft.Compute/virtualMachines", "name": "[format('vm-{0}', padLeft(copyIndex(1), 2, '0'))]",
 "copy": {"name": "vmLoop", "count": "[parameters('count')]", "mode": "serial", "batchSize": 1},
 "properties": {"idx": "[copyIndex('vmLoop', 10)]", "plain": "[copyIndex()]"},
 "resources": [{"type": "extensions", "name": "[concat('ext', copyIndex())]"}]},
{"type": "Microsoft.Network/publicIPAddresses", "name": "none", "copy": {"name": "zero", "count": 0}},
{"type": "Microsoft.Network/publicIPAddresses", "name": "after"}
  ]})"));
    const json& res = r.tpl["resources"];
    QVERIFY2(r.problems.empty(), r.problemText().c_str());
    QCOMPARE(res.size(), std::size_t(4));
    for (int i = 0; i < 3; ++i) {
        const json& vm = res[static_cast<std::size_t>(i)];
        QCOMPARE(q(vm["name"].get<std::string>()), QStringLiteral("vm-0%1").arg(i + 1));
        QCOMPARE(vm["properties"]["idx"].get<int>(), 10 + i);
        QCOMPARE(vm["properties"]["plain"].get<int>(), i);
        QCOMPARE(q(vm["__ewSource"].get<std::string>()), QStringLiteral("/resources/0"));
        QVERIFY(!vm.contains("copy"));
        // A child resource follows its parent's iteration.
        QCOMPARE(q(vm["resources"][0]["name"].get<std::string>()), QStringLiteral("ext%1").arg(i));
        QCOMPARE(q(vm["resources"][0]["type"].get<std::string>()),
            QStringLiteral("Microsoft.Compute/virtualMachines/extensions"));
        QCOMPARE(q(vm["resources"][0]["__ewSource"].get<std::string>()), QStringLiteral("/resources/0/resources/0"));
    }
    QCOMPARE(q(res[1]["id"].get<std::string>()),
        QStringLiteral("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/template-resource-group/"
                       "providers/Microsoft.Compute/virtualMachines/vm-02"));
    QCOMPARE(q(res[3]["name"].get<std::string>()), QStringLiteral("after"));
    QCOMPARE(q(res[3]["__ewSource"].get<std::string>()), QStringLiteral("/resources/2"));
}

// "Property iteration in ARM templates": copy inside properties makes the named property an
// array; copyIndex needs the loop name there, and copyIndex() without one is the resource's
// own loop ("copyIndex": "If no value is provided for loopName, the current resource type
// iteration is used").
void TestArmTemplate::propertyCopy()
{
    const Result r = evaluate(json::parse(R"({
  "contentVersion": "1.0.0.0",
  "parameters": {"rules": {"type": "array", "defaultValue": [
  {"name": "ssh", "port": "22"}, {"name": "web", "port": "443"}, {"name": "rdp", "port": "3389"}]}},
  "resources": [{
"type": "Microsoft.Network/networkSecurityGroups", "name": "[concat('nsg', copyIndex())]",
"copy": {"name": "nsgLoop", "count": 2},
"properties": {
  "copy": [{"name": "securityRules", "count": "[length(parameters('rules'))]", "input": {
    "name": "[parameters('rules')[copyIndex('securityRules')].name]",
    "properties": {
      "priority": "[add(100, copyIndex('securityRules'))]",
      "destinationPortRange": "[parameters('rules')[copyIndex('securityRules')].port]",
      "description": "[format('nsg {0} rule {1}', copyIndex('nsgLoop'), copyIndex())]",
      "copy": [{"name": "sourceAddressPrefixes", "count": 2,
                "input": "[format('10.{0}.{1}.0/24', copyIndex('securityRules'), copyIndex('sourceAddressPrefixes'))]"}]
    }}}]
}
  }]})"));
    QVERIFY2(r.problems.empty(), r.problemText().c_str());
    const json& res = r.tpl["resources"];
    QCOMPARE(res.size(), std::size_t(2));
    for (std::size_t n = 0; n < 2; ++n) {
        const json& rules = res[n]["properties"]["securityRules"];
        QCOMPARE(rules.size(), std::size_t(3));
        QCOMPARE(q(rules[2]["name"].get<std::string>()), QStringLiteral("rdp"));
        QCOMPARE(rules[2]["properties"]["priority"].get<int>(), 102);
        QCOMPARE(q(rules[1]["properties"]["destinationPortRange"].get<std::string>()), QStringLiteral("443"));
        QCOMPARE(q(rules[1]["properties"]["description"].get<std::string>()), QStringLiteral("nsg %1 rule %1").arg(n));
        QVERIFY(rules[2]["properties"]["sourceAddressPrefixes"] == json::parse(R"(["10.2.0.0/24", "10.2.1.0/24"])"));
        QCOMPARE(q(rules[0]["__ewSource"].get<std::string>()), QStringLiteral("/resources/0/properties/copy/0/input"));
        QVERIFY(!res[n]["properties"].contains("copy"));
    }
}

// "Variable iteration in ARM templates": copy in the variables section, and copy inside a
// variable's object.
void TestArmTemplate::variableCopy()
{
    const Result r = evaluate(json::parse(R"({
  "contentVersion": "1.0.0.0",
  "variables": {
"copy": [{"name": "items", "count": 3, "input": "[concat('item', copyIndex('items', 1))]"}],
"disks": {"copy": [{"name": "list", "count": 2, "input": {"lun": "[copyIndex('list')]"}}]}
  },
  "resources": [{"type": "Microsoft.Compute/virtualMachines", "name": "vm",
             "properties": {"items": "[variables('items')]", "disks": "[variables('disks').list]"}}]})"));
    QVERIFY2(r.problems.empty(), r.problemText().c_str());
    const json& p = r.tpl["resources"][0]["properties"];
    QVERIFY(p["items"] == json::parse(R"(["item1", "item2", "item3"])"));
    QCOMPARE(p["disks"].size(), std::size_t(2));
    QCOMPARE(p["disks"][1]["lun"].get<int>(), 1);
    QCOMPARE(q(p["disks"][1]["__ewSource"].get<std::string>()), QStringLiteral("/variables/disks/copy/0/input"));
}

// A loop whose count cannot be known is read once, with copyIndex unknown, and said so.
void TestArmTemplate::unknownCount()
{
    const Result r = evaluate(json::parse(R"({
  "contentVersion": "1.0.0.0",
  "parameters": {"ruleCount": {"type": "int"}, "vmCount": {"type": "int"}},
  "resources": [
{"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg",
 "properties": {"copy": [{"name": "securityRules", "count": "[parameters('ruleCount')]", "input": {
    "name": "[concat('rule-', copyIndex('securityRules'))]",
    "properties": {"priority": "[add(100, copyIndex('securityRules'))]", "access": "Allow"}}}]}},
{"type": "Microsoft.Compute/virtualMachines", "name": "[format('vm-{0}', copyIndex())]",
 "copy": {"name": "vmLoop", "count": "[parameters('vmCount')]"}}
  ]})"));
    const json& res = r.tpl["resources"];
    QCOMPARE(res.size(), std::size_t(2));
    const json& rules = res[0]["properties"]["securityRules"];
    QCOMPARE(rules.size(), std::size_t(1));
    QCOMPARE(q(rules[0]["name"].get<std::string>()), QStringLiteral("rule-{copyIndex(securityRules)}"));
    QCOMPARE(q(rules[0]["properties"]["priority"].get<std::string>()),
        QStringLiteral("{add(100, copyIndex(securityRules))}"));
    QCOMPARE(q(res[1]["name"].get<std::string>()), QStringLiteral("vm-{copyIndex(vmLoop)}"));
    const auto text = r.problemText();
    QVERIFY2(text.find("/resources/0/properties/copy/0/count: the count of copy loop securityRules is unknown")
            != std::string::npos,
        text.c_str());
    QVERIFY2(text.find("/resources/1/copy/count: the count of copy loop vmLoop is unknown") != std::string::npos,
        text.c_str());
    QVERIFY2(rawTexts(r.tpl).empty(), firstRaw(r.tpl).c_str());
}

// languageVersion 2.0: resources keyed by symbolic name become an array; "existing" ones
// are deployed elsewhere and left out; resourceInfo() reads a symbolic resource.
void TestArmTemplate::languageVersion2()
{
    json tpl = json::parse(R"({
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "languageVersion": "2.0", "contentVersion": "1.0.0.0",
  "parameters": {"nsgName": {"type": "string", "defaultValue": "nsg-b"}},
  "resources": {
"nsg": {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-04-01",
        "name": "[parameters('nsgName')]", "properties": {}},
"vnetRef": {"existing": true, "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-04-01", "name": "hub"},
"subnet": {"type": "Microsoft.Network/virtualNetworks/subnets", "apiVersion": "2023-04-01",
           "name": "[format('{0}/{1}', 'hub', 'app')]",
           "properties": {"networkSecurityGroup": {"id": "[resourceInfo('nsg').id]"},
                          "vnet": "[resourceInfo('vnetRef').name]"}}
  }})");
    QVERIFY(isArmTemplate(tpl));
    const Result r = evaluate(std::move(tpl));
    QVERIFY2(r.problems.empty(), r.problemText().c_str());
    const json& res = r.tpl["resources"];
    QVERIFY(res.is_array());
    QCOMPARE(res.size(), std::size_t(2));
    const json* nsg = findByName(res, "nsg-b");
    const json* subnet = findByName(res, "app");
    QVERIFY(nsg && subnet);
    QCOMPARE(q((*nsg)["__ewSource"].get<std::string>()), QStringLiteral("/resources/nsg"));
    QCOMPARE(q((*subnet)["properties"]["networkSecurityGroup"]["id"].get<std::string>()),
        q((*nsg)["id"].get<std::string>()));
    QCOMPARE(q((*subnet)["properties"]["vnet"].get<std::string>()), QStringLiteral("hub"));
    QCOMPARE(q((*subnet)["id"].get<std::string>()),
        QStringLiteral("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/template-resource-group/"
                       "providers/Microsoft.Network/virtualNetworks/hub/subnets/app"));
}

// Nested deployments and Bicep modules: the inner template's resources join the top-level
// array, with parameters passed from the outer scope ("inner" evaluation scope) or the
// outer template's own parameters ("outer", the default of plain ARM).
void TestArmTemplate::nestedDeployments()
{
    const Result r = evaluate(json::parse(R"({
  "contentVersion": "1.0.0.0",
  "parameters": {"prefix": {"type": "string", "defaultValue": "app"}},
  "variables": {"ports": ["22", "3389"]},
  "resources": [
{"type": "Microsoft.Network/publicIPAddresses", "name": "pip-top"},
{"type": "Microsoft.Resources/deployments", "name": "module", "resourceGroup": "[format('{0}-rg', parameters('prefix'))]",
 "copy": {"name": "modLoop", "count": 2},
 "properties": {
   "expressionEvaluationOptions": {"scope": "inner"}, "mode": "Incremental",
   "parameters": {"nsgName": {"value": "[format('{0}-nsg-{1}', parameters('prefix'), copyIndex())]"},
                  "port": {"value": "[variables('ports')[copyIndex()]]"}},
   "template": {
     "languageVersion": "2.0", "contentVersion": "1.0.0.0",
     "parameters": {"nsgName": {"type": "string"}, "port": {"type": "string"}, "prefix": {"type": "string", "defaultValue": "inner"}},
     "resources": {"nsg": {"type": "Microsoft.Network/networkSecurityGroups", "name": "[parameters('nsgName')]",
       "properties": {"securityRules": [{"name": "[concat(parameters('prefix'), '-rule')]",
          "properties": {"destinationPortRange": "[parameters('port')]"}}]}}}
   }}},
{"type": "Microsoft.Resources/deployments", "name": "outer",
 "properties": {"mode": "Incremental", "template": {"contentVersion": "1.0.0.0",
   "resources": [{"type": "Microsoft.Network/publicIPAddresses", "name": "[concat(parameters('prefix'), '-pip')]"}]}}}
  ]})"));
    QVERIFY2(r.problems.empty(), r.problemText().c_str());
    const json& res = r.tpl["resources"];
    const json* nsg1 = findByName(res, "app-nsg-1");
    QVERIFY2(nsg1, res.dump(1).c_str());
    QCOMPARE(
        q((*nsg1)["__ewSource"].get<std::string>()), QStringLiteral("/resources/1/properties/template/resources/nsg"));
    QCOMPARE(q((*nsg1)["properties"]["securityRules"][0]["properties"]["destinationPortRange"].get<std::string>()),
        QStringLiteral("3389"));
    QCOMPARE(q((*nsg1)["properties"]["securityRules"][0]["name"].get<std::string>()), QStringLiteral("inner-rule"));
    QVERIFY((*nsg1)["id"].get<std::string>().find("/resourceGroups/app-rg/") != std::string::npos);
    QVERIFY(findByName(res, "app-nsg-0"));
    const json* pip = findByName(res, "app-pip");
    QVERIFY(pip);
    QCOMPARE(
        q((*pip)["__ewSource"].get<std::string>()), QStringLiteral("/resources/2/properties/template/resources/0"));
    // pip-top, 2 module deployments, their 2 NSGs, the outer deployment and its public IP.
    QCOMPARE(res.size(), std::size_t(7));
    for (const auto& e : res)
        QVERIFY(!e.contains("properties") || !e["properties"].contains("template"));
}

// Bicep modules pass ids through outputs: reference('module').outputs.x.value is the other
// module's template output, evaluated in its own scope.
void TestArmTemplate::moduleOutputs()
{
    const Result r = evaluate(json::parse(R"({
  "languageVersion": "2.0", "contentVersion": "1.0.0.0",
  "resources": {
    "nicMod": {"type": "Microsoft.Resources/deployments", "name": "nic-deploy",
      "properties": {"expressionEvaluationOptions": {"scope": "inner"},
        "parameters": {"pipId": {"value": "[reference('pipMod').outputs.id.value]"},
                       "names": {"value": "[reference('pipMod').outputs.names.value]"}},
        "template": {"languageVersion": "2.0", "contentVersion": "1.0.0.0",
          "parameters": {"pipId": {"type": "string"}, "names": {"type": "array"}},
          "resources": {"nic": {"type": "Microsoft.Network/networkInterfaces", "name": "[parameters('names')[1]]",
            "properties": {"ipConfigurations": [{"name": "ip", "properties": {"publicIPAddress": {"id": "[parameters('pipId')]"}}}]}}}}}},
    "pipMod": {"type": "Microsoft.Resources/deployments", "name": "pip-deploy", "resourceGroup": "net-rg",
      "properties": {"expressionEvaluationOptions": {"scope": "inner"}, "parameters": {"name": {"value": "pip-1"}},
        "template": {"languageVersion": "2.0", "contentVersion": "1.0.0.0", "parameters": {"name": {"type": "string"}},
          "resources": {"pip": {"type": "Microsoft.Network/publicIPAddresses", "name": "[parameters('name')]"}},
          "outputs": {"id": {"type": "string", "value": "[resourceId('Microsoft.Network/publicIPAddresses', parameters('name'))]"},
                      "names": {"type": "array", "copy": {"count": 2, "input": "[format('nic-{0}', copyIndex())]"}}}}}}
  }})"));
    QVERIFY2(r.problems.empty(), r.problemText().c_str());
    const json& res = r.tpl["resources"];
    const json* nic = findByName(res, "nic-1");
    const json* pip = findByName(res, "pip-1");
    QVERIFY2(nic && pip, res.dump(1).c_str());
    QCOMPARE(q((*nic)["properties"]["ipConfigurations"][0]["properties"]["publicIPAddress"]["id"].get<std::string>()),
        q((*pip)["id"].get<std::string>()));
    QVERIFY((*pip)["id"].get<std::string>().find("/resourceGroups/net-rg/") != std::string::npos);
}

// Whatever the input, evaluation ends, throws nothing and keeps every resource.
void TestArmTemplate::limits_data()
{
    QTest::addColumn<QByteArray>("tpl");
    QTest::addColumn<int>("resources");
    QTest::addColumn<QString>("problem");
    QTest::newRow("count-over-800") << QByteArray(R"({"contentVersion": "1", "resources": [
        {"type": "Microsoft.Network/publicIPAddresses", "name": "[concat('p', copyIndex())]", "copy": {"name": "l", "count": 5000}}]})")
                                    << 800 << QStringLiteral("over the 800 Resource Manager allows");
    QTest::newRow("negative-count") << QByteArray(R"({"contentVersion": "1", "resources": [
        {"type": "Microsoft.Network/publicIPAddresses", "name": "p", "copy": {"name": "l", "count": -1}}]})")
                                    << 0 << QStringLiteral("negative");
    QTest::newRow("variable-cycle") << QByteArray(
        R"({"contentVersion": "1", "variables": {"a": "[variables('b')]", "b": "[variables('a')]"},
        "resources": [{"type": "Microsoft.Network/publicIPAddresses", "name": "[variables('a')]"}]})")
                                    << 1 << QStringLiteral("refers to itself");
    QTest::newRow("huge-padLeft") << QByteArray(R"({"contentVersion": "1", "resources": [
        {"type": "Microsoft.Network/publicIPAddresses", "name": "[padLeft('a', 999999999, 'x')]"}]})")
                                  << 1 << QStringLiteral("longer than 1 MiB");
    QTest::newRow("huge-range") << QByteArray(R"({"contentVersion": "1", "resources": [
        {"type": "Microsoft.Network/publicIPAddresses", "name": "[string(length(range(0, 2000000000)))]"}]})")
                                << 1 << QStringLiteral("range()");
    QTest::newRow("not-objects") << QByteArray(R"({"contentVersion": "1", "resources": [1, "x", null,
        {"type": "Microsoft.Network/publicIPAddresses"}]})")
                                 << 1 << QStringLiteral("should be an object");
    QTest::newRow("nested-loops-multiply") << QByteArray(R"({"contentVersion": "1", "resources": [
        {"type": "Microsoft.Network/networkSecurityGroups", "name": "[concat('n', copyIndex())]", "copy": {"name": "l", "count": 800},
         "properties": {"copy": [{"name": "securityRules", "count": 800, "input": {"priority": "[copyIndex('securityRules')]"}}]}}]})")
                                           << 800 << QStringLiteral("cut short");
    std::string deep = "'x'";
    for (int i = 0; i < 300; ++i)
        deep = "concat(" + deep + ")";
    QTest::newRow("deep-expression") << QByteArray(
        R"({"contentVersion": "1", "resources": [{"type": "Microsoft.Network/publicIPAddresses", "name": "[)"
        + QByteArray::fromStdString(deep) + R"(]"}]})")
                                     << 1 << QStringLiteral("nests too deeply");
    std::string deepJson = "1";
    for (int i = 0; i < 5000; ++i)
        deepJson = "[" + deepJson + "]";
    QTest::newRow("deep-json") << QByteArray(
        R"({"contentVersion": "1", "resources": [{"type": "Microsoft.Network/publicIPAddresses", "name": "p", "properties": {"v": )"
        + QByteArray::fromStdString(deepJson) + "}}]}")
                               << 1 << QStringLiteral("nests too deeply");
}

void TestArmTemplate::limits()
{
    QFETCH(QByteArray, tpl);
    QFETCH(int, resources);
    QFETCH(QString, problem);
    Result r;
    try {
        r = evaluate(json::parse(tpl.toStdString()));
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    std::size_t count = 0;
    for (const auto& e : r.tpl["resources"])
        count += e.is_object() ? 1 : 0;
    QCOMPARE(count, static_cast<std::size_t>(resources));
    QVERIFY2(r.problemText().find(problem.toStdString()) != std::string::npos, r.problemText().c_str());
    for (const auto& e : r.tpl["resources"])
        QVERIFY(!isRawExpression(e.value("name", std::string())));
}

// Random expressions made of real function names and odd arguments: no throw, no raw text.
void TestArmTemplate::fuzz()
{
    const std::vector<std::string> fns = { "concat", "format", "padLeft", "replace", "length", "if", "union",
        "copyIndex", "parameters", "variables", "range", "split", "substring", "take", "skip", "add", "div",
        "resourceId", "reference", "createObject", "createArray", "items", "json", "string", "int", "equals", "map",
        "lambda", "lambdaVariables", "first", "nosuch", "cidrSubnet", "indexOf", "toObject", "sort" };
    const std::vector<std::string> atoms = { "'a'", "0", "-1", "800", "'{0:D3}'", "'rules'", "'p'", "'v'",
        "'10.0.0.0/8'", "true()", "null()", "createArray(1, 2)", "'x'", "99999999999" };
    std::mt19937 rng(12345);
    std::function<std::string(int)> gen = [&](int depth) -> std::string {
        if (depth > 4 || rng() % 3 == 0)
            return atoms[rng() % atoms.size()];
        std::string s = fns[rng() % fns.size()] + "(";
        const int n = static_cast<int>(rng() % 4);
        for (int i = 0; i < n; ++i)
            s += (i ? ", " : "") + gen(depth + 1);
        s += ")";
        if (rng() % 5 == 0)
            s += rng() % 2 ? "[0]" : ".name";
        return s;
    };
    for (int i = 0; i < 400; ++i) {
        json tpl = { { "contentVersion", "1" },
            { "parameters", { { "rules", { { "defaultValue", json::array({ 1, 2 }) } } }, { "p", json::object() } } },
            { "variables", { { "v", "[" + gen(0) + "]" } } },
            { "resources",
                { { { "type", "Microsoft.Network/publicIPAddresses" }, { "name", "[" + gen(0) + "]" },
                    { "copy", { { "name", "l" }, { "count", "[" + gen(1) + "]" } } },
                    { "properties", { { "v", "[" + gen(0) + "]" } } } } } } };
        Result r;
        try {
            r = evaluate(tpl);
        } catch (const std::exception& e) {
            QFAIL(qPrintable(QStringLiteral("%1 threw %2").arg(q(tpl.dump()), QString::fromUtf8(e.what()))));
        }
        const auto raw = rawTexts(r.tpl);
        QVERIFY2(raw.empty(), qPrintable(q(tpl.dump()) + QStringLiteral("\n") + q(raw.empty() ? "" : raw[0])));
        for (const auto& e : r.tpl["resources"])
            QVERIFY2(e["name"].is_string(), e.dump().c_str());
    }
}

void TestArmTemplate::recognisesTemplates()
{
    QVERIFY(isArmTemplate(json::parse(R"({"contentVersion": "1.0.0.0", "resources": []})")));
    QVERIFY(isArmTemplate(json::parse(R"({"languageVersion": "2.0", "contentVersion": "1.0.0.0", "resources": {}})")));
    QVERIFY(!isArmTemplate(json::parse(R"({"resources": []})")));
    QVERIFY(!isArmTemplate(json::parse(R"({"contentVersion": "1", "resources": 3})")));
    std::vector<ArmProblem> problems;
    json notTemplate = json::array({ 1, 2 });
    evaluateArmTemplate(notTemplate, problems);
    QVERIFY(problems.empty());
}

// Real templates (../shared/samples): every resource reads without raw "[...]" text.
void TestArmTemplate::samples_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("minResources");
    const QDir root(QStringLiteral(EW_SAMPLES "/azure"));
    if (!root.exists()) {
        QTest::newRow("no-samples") << QString() << 0;
        return;
    }
    for (const char* dir : { "bicep", "checkov", "cloud-custodian", "azure-quickstart-templates" }) {
        QDirIterator it(
            root.filePath(QLatin1String(dir)), { QStringLiteral("*.json") }, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString f = it.next();
            QTest::newRow(qPrintable(root.relativeFilePath(f))) << f << 1;
        }
    }
}

void TestArmTemplate::samples()
{
    QFETCH(QString, file);
    if (file.isEmpty())
        QSKIP("../shared/samples is not beside this checkout");
    QFile in(file);
    QVERIFY(in.open(QIODevice::ReadOnly));
    json tpl = json::parse(in.readAll().toStdString(), nullptr, false);
    QVERIFY(!tpl.is_discarded());
    QVERIFY(isArmTemplate(tpl));
    const Result r = evaluate(std::move(tpl));
    const json& res = r.tpl["resources"];
    QVERIFY(res.is_array());
    const auto raw = rawTexts(r.tpl);
    QVERIFY2(raw.empty(), raw.empty() ? "" : raw[0].c_str());
    for (const auto& e : res) {
        QVERIFY2(e.contains("__ewSource"), e.dump().c_str());
        const auto name = e.value("name", std::string());
        QVERIFY2(!name.empty() && name.front() != '[', e.dump().c_str());
    }
    if (file.endsWith(QStringLiteral("modules-vwan-to-vnet-s2s-with-fw/main.symbolicnames.json"))) {
        // Thirteen modules: their firewalls, VNet, NSGs, gateways... join the top level.
        std::set<std::string> types;
        std::size_t fromModules = 0;
        for (const auto& e : res) {
            types.insert(toLower(e.value("type", std::string())));
            fromModules
                += e["__ewSource"].get<std::string>().find("/properties/template/resources/") != std::string::npos;
        }
        QVERIFY(types.count("microsoft.network/azurefirewalls"));
        QVERIFY(types.count("microsoft.network/virtualnetworks"));
        QVERIFY(types.count("microsoft.network/networksecuritygroups"));
        QVERIFY2(fromModules >= 13, std::to_string(fromModules).c_str());
        // The module's resources are in the resource group its deployment names.
        bool vnet = false;
        for (const auto& e : res)
            if (e.value("type", std::string()) == "Microsoft.Network/virtualNetworks") {
                vnet = true;
                QCOMPARE(q(e["name"].get<std::string>()), QStringLiteral("contoso-vnet"));
                QVERIFY(e["id"].get<std::string>().find("/resourceGroups/contoso-hubvnet-rg/") != std::string::npos);
            }
        QVERIFY(vnet);
    }
    if (file.endsWith(QStringLiteral("Lambdas_LF/main.json"))) {
        // The existing storage account is left out; the module deployment stays.
        QCOMPARE(res.size(), std::size_t(1));
        QVERIFY2(r.problems.empty(), r.problemText().c_str());
    }
}

QTEST_GUILESS_MAIN(TestArmTemplate)
#include "tst_armtemplate.moc"
