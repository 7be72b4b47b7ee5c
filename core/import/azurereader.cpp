#include "azurereader.h"
#include "azureimporter.h"

#include "armtemplate.h"
#include "encoding.h"
#include "jsonnode.h"
#include "jsonparse.h"

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace ew {

namespace {

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

// The host of a URL ("https://acct.blob.core.windows.net/" -> "acct.blob.core.windows.net"), lower case.
std::string hostOfUrl(std::string_view url)
{
    if (const auto scheme = url.find("://"); scheme != std::string_view::npos)
        url.remove_prefix(scheme + 3);
    url = url.substr(0, url.find_first_of("/:"));
    return toLower(url);
}

// An ARM template parameter without a value, as armtemplate.cpp writes it: "{name}".
bool isPlaceholder(std::string_view text)
{
    return text.size() > 2 && text.front() == '{' && text.back() == '}';
}

// The resource type an Azure id names: ".../providers/Microsoft.Network/virtualNetworks/v/subnets/s"
// is "Microsoft.Network/virtualNetworks/subnets".
std::string typeFromId(std::string_view id)
{
    const auto pos = id.rfind("/providers/");
    if (pos == std::string_view::npos)
        return {};
    std::string_view rest = id.substr(pos + 11);
    std::vector<std::string_view> parts;
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        parts.push_back(rest.substr(0, slash));
        if (slash == std::string_view::npos)
            break;
        rest.remove_prefix(slash + 1);
    }
    if (parts.size() < 3 || parts.size() % 2 == 0)
        return {};
    std::string type(parts[0]);
    for (std::size_t i = 1; i < parts.size(); i += 2)
        type += "/" + std::string(parts[i]);
    return type;
}

// Azure PowerShell's ConvertTo-Json writes the objects' PascalCase properties ("Id", "Name",
// "ResourceGroupName", "SecurityRules"); keys are then matched case-insensitively.
bool looksLikePowerShell(simdjson::dom::element root)
{
    simdjson::dom::element first = root;
    if (root.is_array()) {
        simdjson::dom::array arr;
        if (root.get_array().get(arr) != simdjson::SUCCESS || arr.size() == 0)
            return false;
        first = *arr.begin();
    }
    simdjson::dom::object obj;
    if (first.get_object().get(obj) != simdjson::SUCCESS)
        return false;
    bool pascalId = false, camelId = false;
    for (auto field : obj) {
        if (field.key == "Id" || field.key == "Name" || field.key == "ResourceGroupName" || field.key == "Etag")
            pascalId = true;
        if (field.key == "id" || field.key == "name" || field.key == "type")
            camelId = true;
    }
    return pascalId && !camelId;
}

// A value an ARM template left unevaluated: a placeholder "{...}" or a raw "[...]" expression.
// `az network list-service-tags`, the REST "Service Tags - List" response and the downloadable
// weekly file (ServiceTags_Public_YYYYMMDD.json): a "values" list of tags with their prefixes. The
// first two say type Microsoft.Network/serviceTags; the download has no type, only changeNumber and
// cloud beside the list. Checked before the generic "type" and "value" handling, which would skip
// the document as a resource type of no interest.
bool isServiceTagList(const JsonNode& node)
{
    auto values = node.get("values");
    if (!values || !values->isArray())
        return false;
    if (auto type = node.get("type"); type && type->isString())
        return iequals(type->stringValue(), "Microsoft.Network/serviceTags");
    return node.get("changeNumber") && node.get("cloud");
}

bool isUnevaluated(const JsonNode& v)
{
    const std::string_view t = v.stringValue();
    return t.size() > 2
        && ((t.front() == '{' && t.back() == '}') || (t.front() == '[' && t.back() == ']' && t[1] != '['));
}

bool isArmShape(const JsonNode& root)
{
    auto resources = root.get("resources");
    // Bicep's languageVersion 2.0 keys resources by symbolic name.
    if (!resources || !(resources->isArray() || resources->isObject()))
        return false;
    auto schema = root.get("$schema");
    return (schema && schema->stringValue().find("deploymentTemplate") != std::string_view::npos)
        || root.get("contentVersion").has_value();
}

class AzureReader final : public FormatReader
{
public:
    explicit AzureReader(Snapshot& snap)
        : m_snap(snap)
    { }

    // Azure is the reader of last resort: every document no other reader claims is read as one of
    // Azure's shapes, and one that is none says why.
    bool recognise(simdjson::dom::element) const override { return true; }
    void read(const Document& doc) override;
    void link() override { linkAzure(m_snap, m_effective); }
    std::optional<SecurityRule> readOneRule(std::string_view json, const std::string& nsgId, const std::string& origin);

private:
    void dispatchDocument(const JsonNode& root);
    void dispatchItem(const JsonNode& node, bool inList);
    void importArmTemplate(const simdjson::padded_string& text);
    void importResource(const JsonNode& r, std::string typeText = {});
    void importResources(const JsonNode& list);

    void readNsg(const JsonNode& r);
    void readRule(const JsonNode& r, const std::string& nsgId, bool isDefault, std::vector<SecurityRule>& out);
    void readVnet(const JsonNode& r);
    void readSubnet(const JsonNode& r, const std::string& vnetId);
    void readNic(const JsonNode& r);
    void readPublicIp(const JsonNode& r);
    void readLoadBalancer(const JsonNode& r);
    void readAsg(const JsonNode& r);
    void readVm(const JsonNode& r);
    void readVmss(const JsonNode& r);
    void readEffective(const JsonNode& entry);
    void readServiceTags(const JsonNode& list);
    void readDataService(const JsonNode& r, const std::string& type);
    void readFirewallRule(const JsonNode& r, const std::string& type);
    ManagedDataService& dataService(const std::string& id);
    void readPeering(const JsonNode& r, VirtualNetwork& vnet);
    void readApplicationGateway(const JsonNode& r);
    void readAzureFirewall(const JsonNode& r);
    void readFirewallPolicy(const JsonNode& r);
    void readRuleCollectionGroup(const JsonNode& r);
    void readIpGroup(const JsonNode& r);
    /// One DNAT rule (classic natRuleCollections or a policy's NatRule); false when unreadable.
    bool readNatRule(const JsonNode& rule, const std::string& collection, ProxyForward& fw);
    void readRoute(const JsonNode& r, RouteTable& table);
    void readRouteTable(const JsonNode& r);
    EdgeService& edgeService(const std::string& id, const JsonNode& r);
    EdgeOrigin readOrigin(const JsonNode& o, const std::string& groupId, std::string_view hostKey);
    void readFrontDoorClassic(const JsonNode& r);
    void readCdnProfile(const JsonNode& r);
    void readCdnChild(const JsonNode& r, const std::string& type);
    static std::string profileOf(const std::string& childId);
    void readPrivateEndpoint(const JsonNode& r);
    void readLocalNetworkGateway(const JsonNode& r);
    void readVirtualNetworkGateway(const JsonNode& r);
    void readConnection(const JsonNode& r);
    void readVnetRule(const JsonNode& r, const std::string& type);
    void linkProxies();

    void error(const JsonNode& at, std::string msg) { diag(Diagnostic::Level::Error, at.pointer(), std::move(msg)); }
    void warn(const JsonNode& at, std::string msg) { diag(Diagnostic::Level::Warning, at.pointer(), std::move(msg)); }
    void diag(Diagnostic::Level level, std::string pointer, std::string msg)
    {
        m_snap.diagnostics.push_back({ level, { m_file, std::move(pointer), 0, 0 }, std::move(msg) });
    }
    SourceLocation here(const JsonNode& n) const { return { m_file, n.pointer(), 0, 0 }; }

    std::string idOf(const JsonNode& r, const std::string& parentId, std::string_view childKind);
    std::string refId(const std::optional<JsonNode>& ref, const char* what);
    std::string str(const JsonNode& r, std::string_view key, bool required = false);
    std::optional<std::int64_t> integer(
        const JsonNode& r, std::string_view key, bool required, std::int64_t lo, std::int64_t hi);
    std::vector<std::string> refIds(const JsonNode& r, std::string_view key);
    std::map<std::string, std::string> tags(const JsonNode& r);
    PublicIpAddress::Sku sku(const JsonNode& r);
    AddressMatch addressMatch(
        const JsonNode& r, std::string_view single, std::string_view plural, std::string_view asgKey, bool& bad);
    bool parsePorts(const JsonNode& at, std::string_view text, PortSet& out);
    /// A port or range written as a string ("443", "8000-8100", "*") or as a number.
    bool portValue(const JsonNode& v, PortSet& out)
    {
        return v.isString() ? parsePorts(v, v.stringValue(), out)
                            : parsePorts(v, std::to_string(v.intValue().value_or(-1)), out);
    }
    ProtocolMask protocol(const JsonNode& at, std::string_view text, bool& ok);
    void importEmbedded(const std::optional<JsonNode>& ref);
    void importEmbeddedResource(const JsonNode& ref);
    static bool isEmbeddedResource(const JsonNode& ref);

    Snapshot& m_snap;
    std::string m_file;
    InputFile* m_input = nullptr;
    std::set<std::string> m_skippedTypes; // per file
    simdjson::dom::parser m_parser;
    std::vector<EffectiveLink> m_effective;
    bool m_embedding = false; // reading a copy embedded in a reference
    std::set<std::string> m_readOwn; // ids of NSGs and public IPs read from their own documents
    std::set<std::string> m_readCopy; // ... and of those read only from a copy so far
    std::set<std::string> m_effectiveIds; // NSGs known so far only from effective-rules exports
    /// Whether to read the resource with this id: a copy embedded in a reference never replaces
    /// one read from its own document (and is replaced by it).
    bool takes(const std::string& id)
    {
        if (!m_embedding)
            return m_readOwn.insert(id), true;
        if (m_readOwn.count(id))
            return false;
        m_readCopy.insert(id);
        return true;
    }
};

void AzureReader::read(const Document& doc)
{
    m_file = doc.file;
    m_input = doc.input;
    m_skippedTypes.clear();
    const simdjson::dom::element root = doc.root;
    const JsonNode rootNode(root, {}, looksLikePowerShell(root) ? JsonNode::AnyCase : JsonNode::Plain);
    if (rootNode.mode() & JsonNode::AnyCase)
        m_input->format = "powershell";
    if (root.is_object() && isArmShape(rootNode)) {
        m_input->format = "arm-template";
        importArmTemplate(*doc.text);
    } else {
        dispatchDocument(rootNode);
    }
    if (m_input->resources == 0 && !m_input->skipped) {
        std::string reason = m_input->reason;
        if (reason.empty() && !m_skippedTypes.empty()) {
            for (const auto& t : m_skippedTypes)
                reason += (reason.empty() ? "" : ", ") + t;
            reason = "holds only " + reason + ", which play no part in inbound exposure analysis";
        }
        m_input->skipped = true;
        m_input->reason = reason.empty() ? "no Azure network or compute resources in it" : reason;
    }
    m_input = nullptr;
}

void AzureReader::importArmTemplate(const simdjson::padded_string& text)
{
    nlohmann::json tpl;
    if (!parseJson(std::string_view(text.data(), text.size()), m_file, tpl, m_snap.diagnostics))
        return;
    std::vector<ArmProblem> problems;
    try {
        evaluateArmTemplate(tpl, problems);
    } catch (const std::exception& e) {
        diag(Diagnostic::Level::Error, {}, std::string("the ARM template could not be evaluated: ") + e.what());
        return;
    }
    for (auto& p : problems)
        diag(Diagnostic::Level::Warning, p.pointer, p.message);
    // The evaluated template keeps the original structure, so pointers still name the source.
    // Functions such as substring() can cut a UTF-8 sequence in two; such text is replaced, never thrown.
    const std::string evaluated = tpl.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    simdjson::dom::element root;
    if (m_parser.parse(evaluated).get(root) != simdjson::SUCCESS) {
        diag(Diagnostic::Level::Error, {}, "internal error re-reading the evaluated ARM template");
        return;
    }
    const JsonNode evaluatedRoot(root, {}, JsonNode::SourcePointers);
    if (auto resources = evaluatedRoot.get("resources"); resources && resources->isArray())
        importResources(*resources);
    else if (resources && resources->isObject())
        resources->forEachMember([&](std::string_view, const JsonNode& r) { dispatchItem(r, true); });
}

void AzureReader::dispatchDocument(const JsonNode& root)
{
    if (root.isArray()) {
        if (m_input->format.empty())
            m_input->format = "list";
        importResources(root);
        return;
    }
    if (!root.isObject()) {
        m_input->reason = std::string("the document is ") + root.typeName() + ", not a resource or a list";
        return;
    }
    if (auto responses = root.get("responses"); responses && responses->isObject() && root.get("parameters")) {
        // Azure REST API specification example: the response body is the export.
        m_input->format = "rest-example";
        for (const char* code : { "200", "201" }) {
            if (auto body = responses->path({ code, "body" })) {
                dispatchItem(*body, false);
                return;
            }
        }
        m_input->reason = "REST API example without a 200/201 response body";
        return;
    }
    dispatchItem(root, false);
}

void AzureReader::importResources(const JsonNode& list)
{
    list.forEachElement([&](const JsonNode& item) { dispatchItem(item, true); });
}

void AzureReader::dispatchItem(const JsonNode& node, bool inList)
{
    if (!node.isObject()) {
        if (inList)
            warn(node, std::string("list element is ") + node.typeName() + ", not a resource; ignored");
        return;
    }
    if (node.get("effectiveSecurityRules")) {
        m_input->format = "effective-nsg";
        readEffective(node);
        return;
    }
    if (isServiceTagList(node)) {
        if (m_input->format.empty() || m_input->format == "list" || m_input->format == "rest-example")
            m_input->format = "service-tags";
        readServiceTags(node);
        return;
    }
    if (auto type = node.get("type"); type && type->isString()) {
        if (m_input->format.empty())
            m_input->format = node.get("properties") ? "rest" : "az-cli";
        importResource(node);
        return;
    }
    if (auto id = node.get("id");
        id && id->isString() && (node.get("properties") || (node.mode() & JsonNode::AnyCase))) {
        // REST GETs of child resources (a subnet) may omit "type"; the id says what it is.
        const std::string type = typeFromId(id->stringValue());
        if (!type.empty()) {
            if (m_input->format.empty())
                m_input->format = "rest";
            importResource(node, type);
            return;
        }
    }
    if (auto data = node.get("data"); data
        && (node.get("count") || node.get("totalRecords") || node.get("total_records") || node.get("skip_token")
            || node.get("$skipToken") || node.get("resultTruncated"))) {
        // Azure Resource Graph: `az graph query` prints {"count", "data", "skip_token",
        // "total_records"}; the REST API {"totalRecords", "count", "data", "$skipToken", ...}.
        m_input->format = "resource-graph";
        if (!data->isArray()) {
            m_input->reason = "Resource Graph result in table form (data.columns/rows): ask for objects "
                              "(the default of az graph query, resultFormat objectArray)";
            return;
        }
        std::string_view token;
        for (const char* key : { "skip_token", "$skipToken", "skipToken" })
            if (auto t = node.get(key); t && t->isString())
                token = t->stringValue();
        auto truncated = node.get("resultTruncated");
        if (!token.empty() || (truncated && truncated->boolValue().value_or(false)))
            warn(node,
                "this Resource Graph result is one page of a longer answer (it has a skip token): resources on "
                "the other pages are not in the export, so machines may be missing from the analysis; query "
                "with --first 1000 and every --skip-token, or --query with a smaller scope");
        importResources(*data);
        return;
    }
    if (auto value = node.get("value"); value && value->isArray()) {
        if (m_input->format.empty() || m_input->format == "list")
            m_input->format = "list-response";
        importResources(*value);
        return;
    }
    if (auto groups = node.get("networkSecurityGroups"); groups && groups->isArray()) {
        m_input->format = "effective-nsg";
        importResources(*groups);
        return;
    }
    if (inList)
        warn(node, "list element has no \"type\"; it is not a recognisable Azure resource");
    else
        m_input->reason = "no \"type\", \"value\" list or ARM \"resources\" at the top level";
}

void AzureReader::importResource(const JsonNode& r, std::string typeText)
{
    if (typeText.empty())
        typeText = std::string(r.get("type")->stringValue());
    const std::string type = toLower(typeText);
    if (type == "microsoft.network/networksecuritygroups") {
        readNsg(r);
    } else if (type == "microsoft.network/networksecuritygroups/securityrules"
        || type == "microsoft.network/networksecuritygroups/defaultsecurityrules") {
        // A rule on its own (ARM child resource or a GET of one rule): belongs to the NSG in its id.
        const std::string id = idOf(r, {}, "securityRules");
        const bool isDefault = type.find("defaultsecurityrules") != std::string::npos;
        const auto pos = normaliseId(id).rfind(isDefault ? "/defaultsecurityrules/" : "/securityrules/");
        if (pos == std::string::npos) {
            error(r, "security rule id does not name its network security group");
            return;
        }
        const std::string nsgId = normaliseId(id).substr(0, pos);
        auto& nsg = m_snap.nsgs[nsgId];
        if (nsg.id.empty()) {
            nsg.id = nsgId;
            nsg.displayId = id.substr(0, pos);
            nsg.name = lastSegment(nsg.displayId);
            nsg.where = here(r);
        }
        readRule(r, nsgId, isDefault, nsg.rules);
        ++m_input->resources;
        return;
    } else if (type == "microsoft.network/virtualnetworks") {
        readVnet(r);
    } else if (type == "microsoft.network/virtualnetworks/subnets") {
        const std::string id = normaliseId(idOf(r, {}, "subnets"));
        const auto pos = id.rfind("/subnets/");
        readSubnet(r, pos == std::string::npos ? std::string() : id.substr(0, pos));
    } else if (type == "microsoft.network/virtualnetworks/virtualnetworkpeerings") {
        const std::string id = normaliseId(idOf(r, {}, "virtualNetworkPeerings"));
        const auto pos = id.rfind("/virtualnetworkpeerings/");
        if (pos != std::string::npos) {
            auto& vnet = m_snap.vnets[id.substr(0, pos)];
            if (vnet.id.empty()) {
                vnet.id = id.substr(0, pos);
                vnet.name = lastSegment(vnet.id);
            }
            readPeering(r, vnet);
            ++m_input->resources;
        }
        return;
    } else if (type == "microsoft.network/networkinterfaces") {
        readNic(r);
    } else if (type == "microsoft.network/publicipaddresses") {
        readPublicIp(r);
    } else if (type == "microsoft.network/loadbalancers") {
        readLoadBalancer(r);
    } else if (type == "microsoft.network/applicationsecuritygroups") {
        readAsg(r);
    } else if (type == "microsoft.compute/virtualmachines") {
        readVm(r);
    } else if (type == "microsoft.compute/virtualmachinescalesets") {
        readVmss(r);
    } else if (type == "microsoft.sql/servers" || type == "microsoft.dbforpostgresql/servers"
        || type == "microsoft.dbforpostgresql/flexibleservers" || type == "microsoft.dbformysql/servers"
        || type == "microsoft.dbformysql/flexibleservers" || type == "microsoft.storage/storageaccounts"
        || type == "microsoft.documentdb/databaseaccounts" || type == "microsoft.cache/redis") {
        readDataService(r, type);
    } else if (type.size() > 14 && type.compare(type.size() - 14, 14, "/firewallrules") == 0) {
        readFirewallRule(r, type);
    } else if (type == "microsoft.network/applicationgateways") {
        readApplicationGateway(r);
    } else if (type == "microsoft.network/azurefirewalls") {
        readAzureFirewall(r);
    } else if (type == "microsoft.network/firewallpolicies") {
        readFirewallPolicy(r);
    } else if (type == "microsoft.network/firewallpolicies/rulecollectiongroups") {
        readRuleCollectionGroup(r);
    } else if (type == "microsoft.network/ipgroups") {
        readIpGroup(r);
    } else if (type == "microsoft.network/frontdoors" || type == "microsoft.network/frontdoor") {
        // The REST API example of a GET writes the singular type.
        readFrontDoorClassic(r);
    } else if (type == "microsoft.cdn/profiles") {
        readCdnProfile(r);
    } else if (type == "microsoft.cdn/profiles/afdendpoints" || type == "microsoft.cdn/profiles/afdendpoints/routes"
        || type == "microsoft.cdn/profiles/origingroups" || type == "microsoft.cdn/profiles/origingroups/origins"
        || type == "microsoft.cdn/profiles/endpoints") {
        readCdnChild(r, type);
    } else if (type == "microsoft.network/routetables") {
        readRouteTable(r);
    } else if (type == "microsoft.network/routetables/routes") {
        const std::string id = normaliseId(idOf(r, {}, "routes"));
        const auto pos = id.rfind("/routes/");
        if (pos == std::string::npos) {
            error(r, "route id does not name its route table");
            return;
        }
        auto& table = m_snap.routeTables[id.substr(0, pos)];
        if (table.id.empty()) {
            table.id = id.substr(0, pos);
            table.name = lastSegment(table.id);
            table.where = here(r);
        }
        readRoute(r, table);
    } else if (type == "microsoft.network/privateendpoints") {
        readPrivateEndpoint(r);
    } else if (type == "microsoft.network/localnetworkgateways") {
        readLocalNetworkGateway(r);
    } else if (type == "microsoft.network/virtualnetworkgateways") {
        readVirtualNetworkGateway(r);
    } else if (type == "microsoft.network/connections") {
        readConnection(r);
    } else if (type.size() > 20 && type.compare(type.size() - 20, 20, "/virtualnetworkrules") == 0) {
        readVnetRule(r, type);
    } else {
        if (m_skippedTypes.insert(typeText).second)
            diag(Diagnostic::Level::Note, r.pointer(),
                "resources of type " + typeText + " play no part in inbound exposure analysis yet; skipped");
        return;
    }
    ++m_input->resources;
    // Child resources nested in the resource (ARM "resources" arrays).
    if (auto children = r.get("resources"); children && children->isArray())
        importResources(*children);
}

std::string AzureReader::idOf(const JsonNode& r, const std::string& parentId, std::string_view childKind)
{
    if (auto id = r.get("id"); id && id->isString() && !id->stringValue().empty())
        return std::string(id->stringValue());
    const std::string name = str(r, "name");
    if (!parentId.empty() && !name.empty())
        return parentId + '/' + std::string(childKind) + '/' + name;
    if (!name.empty())
        return "/name/" + std::string(childKind) + '/' + name;
    return {};
}

std::string AzureReader::str(const JsonNode& r, std::string_view key, bool required)
{
    auto v = r.prop(key);
    if (!v || v->isNull()) {
        if (required)
            error(r, "missing \"" + std::string(key) + "\"");
        return {};
    }
    if (!v->isString()) {
        error(*v, "\"" + std::string(key) + "\" should be a string but is " + v->typeName());
        return {};
    }
    return std::string(v->stringValue());
}

std::optional<std::int64_t> AzureReader::integer(
    const JsonNode& r, std::string_view key, bool required, std::int64_t lo, std::int64_t hi)
{
    auto v = r.prop(key);
    if (!v || v->isNull()) {
        if (required)
            error(r, "missing \"" + std::string(key) + "\"");
        return std::nullopt;
    }
    auto i = v->intValue();
    if (!i) {
        error(*v,
            "\"" + std::string(key) + "\" should be a whole number but is " + v->typeName()
                + (v->isString() ? " \"" + std::string(v->stringValue()) + "\"" : std::string()));
        return std::nullopt;
    }
    if (*i < lo || *i > hi) {
        error(*v,
            "\"" + std::string(key) + "\" is " + std::to_string(*i) + ", outside " + std::to_string(lo) + "-"
                + std::to_string(hi));
        return std::nullopt;
    }
    return i;
}

std::string AzureReader::refId(const std::optional<JsonNode>& ref, const char* what)
{
    if (!ref || ref->isNull())
        return {};
    if (ref->isString())
        return normaliseId(ref->stringValue());
    if (!ref->isObject()) {
        error(*ref, std::string("reference to ") + what + " should be an object with \"id\" but is " + ref->typeName());
        return {};
    }
    auto id = ref->get("id");
    if (!id || !id->isString()) {
        warn(*ref, std::string("reference to ") + what + " has no \"id\"");
        return {};
    }
    return normaliseId(id->stringValue());
}

std::vector<std::string> AzureReader::refIds(const JsonNode& r, std::string_view key)
{
    std::vector<std::string> ids;
    auto list = r.prop(key);
    if (!list || list->isNull())
        return ids;
    if (!list->isArray()) {
        error(*list, "\"" + std::string(key) + "\" should be a list but is " + list->typeName());
        return ids;
    }
    list->forEachElement([&](const JsonNode& e) {
        auto id = refId(e, "a resource");
        if (!id.empty())
            ids.push_back(std::move(id));
    });
    return ids;
}

std::map<std::string, std::string> AzureReader::tags(const JsonNode& r)
{
    std::map<std::string, std::string> t;
    auto node = r.get("tags");
    if (!node || !node->isObject())
        node = r.get("Tag"); // Azure PowerShell's network objects
    if (!node || !node->isObject())
        return t;
    node->forEachMember([&](std::string_view k, const JsonNode& v) {
        t.emplace(std::string(k), v.isString() ? std::string(v.stringValue()) : std::string());
    });
    return t;
}

PublicIpAddress::Sku AzureReader::sku(const JsonNode& r)
{
    auto s = r.get("sku");
    if (!s)
        s = r.prop("sku");
    if (!s)
        return PublicIpAddress::Sku::Unknown;
    std::string_view name = s->isString() ? s->stringValue() : std::string_view();
    if (auto n = s->get("name"); n && n->isString())
        name = n->stringValue();
    if (iequals(name, "Standard"))
        return PublicIpAddress::Sku::Standard;
    if (iequals(name, "Basic"))
        return PublicIpAddress::Sku::Basic;
    return PublicIpAddress::Sku::Unknown;
}

bool AzureReader::isEmbeddedResource(const JsonNode& ref)
{
    // `az group export` writes {"id": ..., "properties": {"deleteOption": "Detach"}} in a NIC's
    // publicIPAddress: a reference with options, not the resource. Only properties beyond those
    // options make it an embedded copy.
    auto props = ref.get("properties");
    if (!props || !props->isObject() || !ref.get("id"))
        return false;
    bool more = false;
    props->forEachMember([&](std::string_view key, const JsonNode&) {
        more = more || !(iequals(key, "deleteOption") || iequals(key, "primary"));
    });
    return more;
}

void AzureReader::importEmbedded(const std::optional<JsonNode>& ref)
{
    // REST responses with $expand and some exports embed the whole referenced resource; the
    // resource read from its own document always wins over such a copy (see m_embedding).
    if (ref && ref->isObject() && isEmbeddedResource(*ref)) {
        const bool was = m_embedding;
        m_embedding = true;
        importEmbeddedResource(*ref);
        m_embedding = was;
    }
}

void AzureReader::importEmbeddedResource(const JsonNode& ref)
{
    const auto* r = &ref;
    {
        if (!r->get("type")) {
            // Without "type" the kind follows from the id.
            const std::string id = normaliseId(r->get("id")->stringValue());
            if (id.find("/publicipaddresses/") != std::string::npos)
                readPublicIp(*r);
            else if (id.find("/networksecuritygroups/") != std::string::npos
                && id.find("/securityrules/") == std::string::npos)
                readNsg(*r);
            return;
        }
        importResource(*r);
    }
}

ProtocolMask AzureReader::protocol(const JsonNode& at, std::string_view text, bool& ok)
{
    ok = true;
    if (text == "*" || iequals(text, "Any") || iequals(text, "All"))
        return kAllProtocols;
    if (iequals(text, "Tcp"))
        return maskOf(Protocol::Tcp);
    if (iequals(text, "Udp"))
        return maskOf(Protocol::Udp);
    if (iequals(text, "Icmp") || iequals(text, "IcmpV6"))
        return maskOf(Protocol::Icmp);
    if (iequals(text, "Esp") || iequals(text, "Ah"))
        return maskOf(Protocol::Other);
    ok = false;
    error(at, "unknown protocol \"" + std::string(text) + "\" (expected Tcp, Udp, Icmp, Esp, Ah or *)");
    return 0;
}

bool AzureReader::parsePorts(const JsonNode& at, std::string_view text, PortSet& out)
{
    auto trim = [](std::string_view v) {
        while (!v.empty() && v.front() == ' ')
            v.remove_prefix(1);
        while (!v.empty() && v.back() == ' ')
            v.remove_suffix(1);
        return v;
    };
    text = trim(text);
    if (text == "*" || iequals(text, "Any")) {
        out.add(0, 65535);
        return true;
    }
    auto number = [](std::string_view v, std::uint32_t& n) {
        if (v.empty() || v.size() > 6)
            return false;
        n = 0;
        for (char c : v) {
            if (c < '0' || c > '9')
                return false;
            n = n * 10 + static_cast<std::uint32_t>(c - '0');
        }
        return true;
    };
    const auto dash = text.find('-');
    std::uint32_t lo = 0, hi = 0;
    const bool okLo = number(trim(text.substr(0, dash)), lo);
    const bool okHi = dash == std::string_view::npos ? (hi = lo, okLo) : number(trim(text.substr(dash + 1)), hi);
    if (!okLo || !okHi) {
        error(at, "invalid port range \"" + std::string(text) + "\" (expected a port, a range like 8000-8100, or *)");
        return false;
    }
    if (lo > 65535 || hi > 65535) {
        error(at, "port range \"" + std::string(text) + "\" is outside 0-65535");
        return false;
    }
    if (lo > hi) {
        error(at, "port range \"" + std::string(text) + "\" starts after it ends");
        return false;
    }
    out.add(lo, hi);
    return true;
}

AddressMatch AzureReader::addressMatch(
    const JsonNode& r, std::string_view single, std::string_view plural, std::string_view asgKey, bool& bad)
{
    AddressMatch m;
    auto addOne = [&](const JsonNode& at, std::string_view text) {
        while (!text.empty() && text.front() == ' ')
            text.remove_prefix(1);
        while (!text.empty() && text.back() == ' ')
            text.remove_suffix(1);
        if (text.empty())
            return;
        if (text == "*" || iequals(text, "Any")) {
            m.any = true;
            return;
        }
        if (auto p = parsePrefix(text)) {
            m.prefixes.add(p->first, p->last);
            return;
        }
        if (isPlaceholder(text)) {
            // Unknown value: kept like an unmodelled tag, which evaluation resolves towards reachability.
            m.tags.emplace_back(text);
            warn(at,
                "the address is the template parameter " + std::string(text)
                    + ", which has no value in the template; it is treated as unknown");
            return;
        }
        const bool looksLikeTag = std::isalpha(static_cast<unsigned char>(text.front()))
            && std::all_of(text.begin(), text.end(),
                [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'; })
            && text.find(':') == std::string_view::npos;
        if (looksLikeTag) {
            m.tags.emplace_back(text);
            return;
        }
        m.invalid = true;
        bad = true;
        error(at,
            "invalid address prefix \"" + std::string(text)
                + "\" (expected an address, a CIDR prefix, a service tag or *)");
    };
    if (auto v = r.prop(single); v && !v->isNull()) {
        if (v->isString())
            addOne(*v, v->stringValue());
        else if (v->isArray() && (r.mode() & JsonNode::AnyCase))
            // Azure PowerShell writes the singular fields as lists ("SourceAddressPrefix": ["*"]).
            v->forEachElement([&](const JsonNode& e) { addOne(e, e.stringValue()); });
        else {
            bad = true;
            error(*v, "\"" + std::string(single) + "\" should be a string but is " + v->typeName());
        }
    }
    if (auto v = r.prop(plural); v && !v->isNull()) {
        if (isUnevaluated(*v)) {
            addOne(*v, v->stringValue()); // a whole list a template left unevaluated: unknown
        } else if (!v->isArray()) {
            bad = true;
            error(*v, "\"" + std::string(plural) + "\" should be a list but is " + v->typeName());
        } else {
            v->forEachElement([&](const JsonNode& e) {
                if (e.isString())
                    addOne(e, e.stringValue());
                else {
                    bad = true;
                    error(e, "address prefix should be a string but is " + std::string(e.typeName()));
                }
            });
        }
    }
    m.asgIds = refIds(r, asgKey);
    // 0.0.0.0/0 together with ::/0 is everything.
    if (m.prefixes.containsAll(AddressSet::allV4()) && m.prefixes.containsAll(AddressSet::allV6()))
        m.any = true;
    return m;
}

void AzureReader::readRule(const JsonNode& r, const std::string& nsgId, bool isDefault, std::vector<SecurityRule>& out)
{
    SecurityRule rule;
    rule.where = here(r);
    rule.name = str(r, "name", true);
    rule.id = normaliseId(idOf(r, nsgId, isDefault ? "defaultSecurityRules" : "securityRules"));
    rule.isDefault = isDefault;
    rule.description = str(r, "description");
    // Fields a template left unevaluated ("{param}" placeholders, "[...]" expressions): the rule
    // is read towards reachability, never dropped (issue 11): an unknown access, priority,
    // direction, protocol or port range is read as allow, first (100), inbound, any, any.
    std::vector<std::string> unknown;
    for (const char* key : { "access", "priority", "direction", "protocol", "destinationPortRange" })
        if (auto v = r.prop(key); v && isUnevaluated(*v))
            unknown.emplace_back(key);
    if (auto v = r.prop("destinationPortRanges"); v && v->isArray()) {
        bool any = false;
        v->forEachElement([&](const JsonNode& e) { any = any || isUnevaluated(e); });
        if (any)
            unknown.emplace_back("destinationPortRanges");
    } else if (v && isUnevaluated(*v)) {
        unknown.emplace_back("destinationPortRanges"); // the whole list is one unevaluated value
    }
    auto isUnknown
        = [&](std::string_view key) { return std::find(unknown.begin(), unknown.end(), key) != unknown.end(); };
    if (!unknown.empty()) {
        std::string fields;
        for (const auto& u : unknown)
            fields += (fields.empty() ? "" : ", ") + u;
        if (!isUnknown("access") && iequals(str(r, "access"), "Deny")) {
            warn(r,
                "security rule " + rule.name + ": " + fields
                    + " could not be evaluated from the template; this deny is left out, so it is assumed to block "
                      "nothing");
            return;
        }
        rule.assumption = "its " + fields
            + " could not be evaluated from the template, so it is read as an allow that applies (unknown values "
              "taken as the widest: evaluated first, inbound, any protocol, any port)";
        warn(r, "security rule " + rule.name + ": " + rule.assumption);
    }
    bool ok = true;
    const auto access = isUnknown("access") ? std::string("Allow") : str(r, "access", true);
    if (iequals(access, "Allow"))
        rule.allow = true;
    else if (iequals(access, "Deny"))
        rule.allow = false;
    else {
        ok = false;
        if (!access.empty())
            error(*r.prop("access"), "\"access\" is \"" + access + "\"; expected Allow or Deny");
    }
    const auto direction = isUnknown("direction") ? std::string("Inbound") : str(r, "direction", true);
    if (iequals(direction, "Inbound"))
        rule.inbound = true;
    else if (iequals(direction, "Outbound"))
        rule.inbound = false;
    else {
        ok = false;
        if (!direction.empty())
            error(*r.prop("direction"), "\"direction\" is \"" + direction + "\"; expected Inbound or Outbound");
    }
    // Custom rules take priorities 100-4096; the platform's default rules sit at 65000 and above.
    const bool platform = isDefault;
    // 99: evaluated before every readable custom rule (100-4096) and never clashing with one.
    auto priority = isUnknown("priority") ? std::optional<std::int64_t>(99)
                                          : integer(r, "priority", true, platform ? 0 : 100, platform ? 65535 : 4096);
    if (!priority) {
        ok = false; // a rule whose priority is unknown cannot be placed in the evaluation order
    } else {
        rule.priority = static_cast<int>(*priority);
    }
    rule.protocolText = isUnknown("protocol") ? std::string("*") : str(r, "protocol", true);
    bool protoOk = true;
    if (auto p = r.prop("protocol"); p && p->isString() && !isUnknown("protocol"))
        rule.protocols = protocol(*p, rule.protocolText, protoOk);
    ok = ok && protoOk && !rule.protocolText.empty();
    bool bad = false;
    rule.source
        = addressMatch(r, "sourceAddressPrefix", "sourceAddressPrefixes", "sourceApplicationSecurityGroups", bad);
    rule.destination = addressMatch(
        r, "destinationAddressPrefix", "destinationAddressPrefixes", "destinationApplicationSecurityGroups", bad);
    // Effective rules (list-effective-nsg) carry the tag's expansion next to it.
    PortSet ports;
    bool portsGiven = false;
    if (isUnknown("destinationPortRange") || isUnknown("destinationPortRanges")) {
        portsGiven = true;
        ports = PortSet::all();
    } else if (auto v = r.prop("destinationPortRange"); v && !v->isNull()) {
        portsGiven = true;
        if (v->isString())
            ok = parsePorts(*v, v->stringValue(), ports) && ok;
        else if (auto i = v->intValue()) {
            ok = parsePorts(*v, std::to_string(*i), ports) && ok;
        } else if (v->isArray() && (r.mode() & JsonNode::AnyCase)) {
            v->forEachElement([&](const JsonNode& e) { ok = portValue(e, ports) && ok; });
        } else {
            ok = false;
            error(*v, std::string("\"destinationPortRange\" should be a string but is ") + v->typeName());
        }
    }
    if (auto v = r.prop("destinationPortRanges");
        v && !v->isNull() && !isUnknown("destinationPortRanges") && !isUnknown("destinationPortRange")) {
        if (!v->isArray()) {
            ok = false;
            error(*v, std::string("\"destinationPortRanges\" should be a list but is ") + v->typeName());
        } else {
            v->forEachElement([&](const JsonNode& e) {
                portsGiven = true;
                if (e.isString())
                    ok = parsePorts(e, e.stringValue(), ports) && ok;
                else if (auto i = e.intValue())
                    ok = parsePorts(e, std::to_string(*i), ports) && ok;
                else {
                    ok = false;
                    error(e, std::string("port range should be a string but is ") + e.typeName());
                }
            });
        }
    }
    if (!portsGiven) {
        ok = false;
        error(r, "missing \"destinationPortRange\" and \"destinationPortRanges\"");
    }
    rule.destinationPorts = ports;
    if (auto v = r.prop("sourcePortRange"); v && v->isArray()) { // Azure PowerShell: a list
        v->forEachElement([&](const JsonNode& e) {
            rule.sourcePortsText += (rule.sourcePortsText.empty() ? "" : ",") + std::string(e.stringValue());
        });
    } else {
        rule.sourcePortsText = str(r, "sourcePortRange");
    }
    if (!ok) {
        // Keep the rule out of evaluation; the error makes the verdict unreliable and is reported.
        return;
    }
    out.push_back(std::move(rule));
}

std::optional<SecurityRule> AzureReader::readOneRule(
    std::string_view json, const std::string& nsgId, const std::string& origin)
{
    m_file = origin;
    const simdjson::padded_string text(json);
    simdjson::dom::element root;
    if (auto err = m_parser.parse(text).get(root)) {
        diag(Diagnostic::Level::Error, {}, std::string("the rule is not valid JSON: ") + simdjson::error_message(err));
        return std::nullopt;
    }
    const JsonNode node(root, {});
    if (!node.isObject()) {
        error(node, std::string("a rule should be an object but is ") + node.typeName());
        return std::nullopt;
    }
    std::vector<SecurityRule> out;
    readRule(node, nsgId, false, out);
    const bool failed = std::any_of(m_snap.diagnostics.begin(), m_snap.diagnostics.end(),
        [](const Diagnostic& d) { return d.level == Diagnostic::Level::Error; });
    if (failed || out.empty())
        return std::nullopt;
    return std::move(out.front());
}

void AzureReader::readNsg(const JsonNode& r)
{
    const std::string display = idOf(r, {}, "networkSecurityGroups");
    const std::string id = normaliseId(display);
    if (id.empty()) {
        error(r, "network security group without \"id\" or \"name\"");
        return;
    }
    // The NSG's own document replaces what an embedded copy or an effective-rules export said of it
    // (the same rules, read twice, would otherwise clash as duplicate priorities).
    const bool replacesCopy = !m_embedding && (m_readCopy.erase(id) + m_effectiveIds.erase(id)) > 0;
    if (!takes(id))
        return;
    auto& nsg = m_snap.nsgs[id];
    if (replacesCopy)
        nsg.rules.clear();
    nsg.id = id;
    nsg.displayId = display;
    nsg.name = str(r, "name");
    if (nsg.name.empty())
        nsg.name = lastSegment(display);
    nsg.where = here(r);
    nsg.synthetic = false;
    for (auto [key, isDefault] : { std::pair { "securityRules", false }, std::pair { "defaultSecurityRules", true } }) {
        auto list = r.prop(key);
        if (!list || list->isNull())
            continue;
        if (!isDefault && isUnevaluated(*list)) {
            // The whole rule list is a template value without one: its rules are unknown, so the NSG
            // is read as allowing everything, as a referenced NSG missing from the export is.
            SecurityRule all = allowAllRule(
                id + "/securityrules/unevaluated", "(rules not evaluable: assumed allow all)", 99, here(*list));
            all.assumption = "its security rules are the template value " + std::string(list->stringValue())
                + ", which could not be evaluated: read as allowing all traffic";
            warn(*list, "network security group " + nsg.name + ": " + all.assumption);
            nsg.rules.push_back(std::move(all));
            continue;
        }
        if (!list->isArray()) {
            error(*list, "\"" + std::string(key) + "\" should be a list but is " + list->typeName());
            continue;
        }
        simdjson::dom::array arr;
        if (list->element().get_array().get(arr) == simdjson::SUCCESS)
            nsg.rules.reserve(nsg.rules.size() + arr.size() + 6); // + the default rules added later
        const bool defaults = isDefault; // a lambda cannot capture a structured binding before clang 16
        list->forEachElement([&](const JsonNode& rule) {
            if (!rule.isObject()) {
                error(rule, std::string("security rule should be an object but is ") + rule.typeName());
                return;
            }
            readRule(rule, id, defaults, nsg.rules);
        });
    }
}

void AzureReader::readPeering(const JsonNode& r, VirtualNetwork& vnet)
{
    VirtualNetworkPeering p;
    p.name = str(r, "name");
    p.remoteVnetId = refId(r.prop("remoteVirtualNetwork"), "the remote virtual network");
    if (auto space = r.path({ "remoteAddressSpace", "addressPrefixes" }); space && space->isArray()) {
        space->forEachElement([&](const JsonNode& e) {
            if (auto pp = parsePrefix(e.stringValue()))
                p.remoteSpace.add(pp->first, pp->last);
            else
                error(e, "invalid address prefix \"" + std::string(e.stringValue()) + "\"");
        });
    }
    const auto state = str(r, "peeringState");
    p.connected = state.empty() || iequals(state, "Connected");
    auto flag = [&](std::string_view key, bool fallback) {
        auto v = r.prop(key);
        return v ? v->boolValue().value_or(fallback) : fallback;
    };
    p.allowVirtualNetworkAccess = flag("allowVirtualNetworkAccess", true);
    p.allowForwardedTraffic = flag("allowForwardedTraffic", false);
    p.allowGatewayTransit = flag("allowGatewayTransit", false);
    p.useRemoteGateways = flag("useRemoteGateways", false);
    p.where = here(r);
    vnet.peerings.push_back(std::move(p));
}

void AzureReader::readVnet(const JsonNode& r)
{
    const std::string display = idOf(r, {}, "virtualNetworks");
    const std::string id = normaliseId(display);
    auto& vnet = m_snap.vnets[id];
    vnet.id = id;
    vnet.name = str(r, "name");
    vnet.where = here(r);
    if (auto space = r.path({ "addressSpace", "addressPrefixes" }); space && space->isArray()) {
        space->forEachElement([&](const JsonNode& e) {
            if (auto pp = parsePrefix(e.stringValue())) {
                vnet.addressSpace.add(pp->first, pp->last);
                vnet.addressPrefixes.emplace_back(e.stringValue());
            } else if (isPlaceholder(e.stringValue())) {
                warn(e,
                    "the address space is the template parameter " + std::string(e.stringValue())
                        + ", which has no value; the VirtualNetwork tag of this VNet is taken as empty");
            } else {
                error(e, "invalid address prefix \"" + std::string(e.stringValue()) + "\"");
            }
        });
    }
    if (auto subnets = r.prop("subnets"); subnets && subnets->isArray())
        subnets->forEachElement([&](const JsonNode& s) { readSubnet(s, id); });
    if (auto peerings = r.prop("virtualNetworkPeerings"); peerings && peerings->isArray()) {
        peerings->forEachElement([&](const JsonNode& p) { readPeering(p, m_snap.vnets[id]); });
    }
}

void AzureReader::readSubnet(const JsonNode& r, const std::string& vnetId)
{
    const std::string id = normaliseId(idOf(r, vnetId, "subnets"));
    if (id.empty()) {
        error(r, "subnet without \"id\" or \"name\"");
        return;
    }
    Subnet s;
    s.id = id;
    s.name = str(r, "name");
    if (s.name.empty())
        s.name = lastSegment(id);
    s.vnetId = vnetId;
    s.where = here(r);
    auto addPrefix = [&](const JsonNode& e) {
        if (auto pp = parsePrefix(e.stringValue()))
            s.prefixes.add(pp->first, pp->last);
        else if (isPlaceholder(e.stringValue()))
            warn(e,
                "the subnet prefix is the template parameter " + std::string(e.stringValue()) + ", which has no value");
        else
            error(e, "invalid subnet prefix \"" + std::string(e.stringValue()) + "\"");
    };
    if (auto p = r.prop("addressPrefix"); p && p->isString())
        addPrefix(*p);
    else if (p && p->isArray()) // Azure PowerShell: a list
        p->forEachElement(addPrefix);
    if (auto p = r.prop("addressPrefixes"); p && p->isArray())
        p->forEachElement(addPrefix);
    auto nsgRef = r.prop("networkSecurityGroup");
    s.nsgId = refId(nsgRef, "the network security group");
    importEmbedded(nsgRef);
    auto routeRef = r.prop("routeTable");
    s.routeTableId = refId(routeRef, "the route table");
    if (routeRef && routeRef->isObject() && (routeRef->get("properties") || routeRef->get("routes")))
        readRouteTable(*routeRef); // az CLI and PowerShell may embed the table
    s.privateEndpointPolicies = str(r, "privateEndpointNetworkPolicies");
    if (auto endpoints = r.prop("serviceEndpoints"); endpoints && endpoints->isArray())
        endpoints->forEachElement([&](const JsonNode& e) {
            if (const std::string service = str(e, "service"); !service.empty())
                s.serviceEndpoints.push_back(service);
        });
    auto& vnet = m_snap.vnets[vnetId];
    if (vnet.id.empty()) {
        vnet.id = vnetId;
        vnet.name = lastSegment(vnetId);
    }
    if (std::find(vnet.subnetIds.begin(), vnet.subnetIds.end(), id) == vnet.subnetIds.end())
        vnet.subnetIds.push_back(id);
    m_snap.subnets[id] = std::move(s);
}

void AzureReader::readNic(const JsonNode& r)
{
    const std::string display = idOf(r, {}, "networkInterfaces");
    const std::string id = normaliseId(display);
    NetworkInterface nic;
    nic.id = id;
    nic.displayId = display;
    nic.name = str(r, "name");
    if (nic.name.empty())
        nic.name = lastSegment(display);
    nic.where = here(r);
    nic.tags = tags(r);
    auto nsgRef = r.prop("networkSecurityGroup");
    nic.nsgId = refId(nsgRef, "the network security group");
    importEmbedded(nsgRef);
    nic.vmId = refId(r.prop("virtualMachine"), "the virtual machine");
    nic.privateEndpointId = refId(r.prop("privateEndpoint"), "the private endpoint");
    auto configs = r.prop("ipConfigurations");
    if (configs && !configs->isArray())
        error(*configs, std::string("\"ipConfigurations\" should be a list but is ") + configs->typeName());
    if (configs && configs->isArray()) {
        configs->forEachElement([&](const JsonNode& c) {
            IpConfiguration ipc;
            ipc.id = normaliseId(idOf(c, display, "ipConfigurations"));
            ipc.name = str(c, "name");
            ipc.nicId = id;
            ipc.where = here(c);
            ipc.privateAddress = str(c, "privateIPAddress");
            if (!ipc.privateAddress.empty()) {
                // With IP prefix delegation the configuration owns a prefix ("172.20.2.16/28").
                if (auto pp = parsePrefix(ipc.privateAddress)) {
                    ipc.privateRange = AddressSet::range(pp->first, pp->last);
                    if (pp->first == pp->last)
                        ipc.privateIp = pp->first;
                } else if (isPlaceholder(ipc.privateAddress)) {
                    warn(*c.prop("privateIPAddress"),
                        "the private IP address is the template parameter " + ipc.privateAddress
                            + ", which has no value: the subnet's range is assumed");
                } else {
                    error(*c.prop("privateIPAddress"), "invalid private IP address \"" + ipc.privateAddress + "\"");
                }
            }
            ipc.subnetId = refId(c.prop("subnet"), "the subnet");
            auto pipRef = c.prop("publicIPAddress");
            ipc.publicIpId = refId(pipRef, "the public IP address");
            importEmbedded(pipRef);
            ipc.asgIds = refIds(c, "applicationSecurityGroups");
            ipc.backendPoolIds = refIds(c, "loadBalancerBackendAddressPools");
            ipc.natRuleIds = refIds(c, "loadBalancerInboundNatRules");
            ipc.appGatewayPoolIds = refIds(c, "applicationGatewayBackendAddressPools");
            if (auto p = c.prop("primary"))
                ipc.primary = p->boolValue().value_or(false);
            nic.ipConfigurations.push_back(std::move(ipc));
        });
    }
    m_snap.nics[id] = std::move(nic);
}

void AzureReader::readPublicIp(const JsonNode& r)
{
    PublicIpAddress pip;
    pip.id = normaliseId(idOf(r, {}, "publicIPAddresses"));
    if (!takes(pip.id))
        return;
    pip.name = str(r, "name");
    if (pip.name.empty())
        pip.name = lastSegment(pip.id);
    pip.where = here(r);
    pip.address = str(r, "ipAddress");
    if (!pip.address.empty() && !parseAddress(pip.address))
        error(*r.prop("ipAddress"), "invalid public IP address \"" + pip.address + "\"");
    pip.sku = sku(r);
    if (auto dns = r.prop("dnsSettings"); dns && dns->isObject())
        pip.fqdn = toLower(str(*dns, "fqdn"));
    pip.ipv6 = iequals(str(r, "publicIPAddressVersion"), "IPv6") || pip.address.find(':') != std::string::npos;
    pip.ipConfigurationId = refId(r.prop("ipConfiguration"), "the IP configuration");
    m_snap.publicIps[pip.id] = std::move(pip);
}

void AzureReader::readLoadBalancer(const JsonNode& r)
{
    LoadBalancer lb;
    const std::string display = idOf(r, {}, "loadBalancers");
    lb.id = normaliseId(display);
    lb.name = str(r, "name");
    if (lb.name.empty())
        lb.name = lastSegment(lb.id);
    lb.where = here(r);
    lb.sku = sku(r);
    auto each = [&](std::string_view key, auto&& f) {
        auto list = r.prop(key);
        if (!list || list->isNull())
            return;
        if (!list->isArray()) {
            error(*list, "\"" + std::string(key) + "\" should be a list but is " + list->typeName());
            return;
        }
        list->forEachElement(f);
    };
    auto lbProtocols = [&](const JsonNode& n) {
        const auto p = str(n, "protocol", true);
        if (iequals(p, "All"))
            return kAllProtocols;
        if (iequals(p, "Udp"))
            return maskOf(Protocol::Udp);
        if (!iequals(p, "Tcp") && !p.empty())
            error(*n.prop("protocol"), "unknown load balancer protocol \"" + p + "\" (expected Tcp, Udp or All)");
        return maskOf(Protocol::Tcp);
    };
    each("frontendIPConfigurations", [&](const JsonNode& f) {
        LbFrontend fe;
        fe.id = normaliseId(idOf(f, display, "frontendIPConfigurations"));
        fe.name = str(f, "name");
        auto pipRef = f.prop("publicIPAddress");
        fe.publicIpId = refId(pipRef, "the public IP address");
        importEmbedded(pipRef);
        fe.privateAddress = str(f, "privateIPAddress");
        lb.frontends.push_back(std::move(fe));
    });
    each("backendAddressPools", [&](const JsonNode& p) {
        LbBackendPool pool;
        pool.id = normaliseId(idOf(p, display, "backendAddressPools"));
        pool.name = str(p, "name");
        pool.ipConfigurationIds = refIds(p, "backendIPConfigurations");
        lb.pools.push_back(std::move(pool));
    });
    each("loadBalancingRules", [&](const JsonNode& n) {
        LbRule rule;
        rule.id = normaliseId(idOf(n, display, "loadBalancingRules"));
        rule.name = str(n, "name");
        rule.where = here(n);
        rule.frontendId = refId(n.prop("frontendIPConfiguration"), "the frontend");
        if (auto pool = refId(n.prop("backendAddressPool"), "the backend pool"); !pool.empty())
            rule.backendPoolIds.push_back(pool);
        for (auto& pool : refIds(n, "backendAddressPools"))
            if (std::find(rule.backendPoolIds.begin(), rule.backendPoolIds.end(), pool) == rule.backendPoolIds.end())
                rule.backendPoolIds.push_back(pool);
        rule.protocols = lbProtocols(n);
        rule.frontendPort = static_cast<std::uint32_t>(integer(n, "frontendPort", true, 0, 65534).value_or(0));
        rule.backendPort
            = static_cast<std::uint32_t>(integer(n, "backendPort", false, 0, 65535).value_or(rule.frontendPort));
        lb.rules.push_back(std::move(rule));
    });
    each("inboundNatRules", [&](const JsonNode& n) {
        LbNatRule nat;
        nat.id = normaliseId(idOf(n, display, "inboundNatRules"));
        nat.name = str(n, "name");
        nat.where = here(n);
        nat.frontendId = refId(n.prop("frontendIPConfiguration"), "the frontend");
        nat.protocols = lbProtocols(n);
        nat.backendIpConfigurationId = refId(n.prop("backendIPConfiguration"), "the backend IP configuration");
        nat.backendPoolId = refId(n.prop("backendAddressPool"), "the backend pool");
        auto start = integer(n, "frontendPortRangeStart", false, 1, 65534);
        auto end = integer(n, "frontendPortRangeEnd", false, 1, 65534);
        if (start && end) {
            nat.frontendPort = static_cast<std::uint32_t>(*start);
            nat.frontendPortLast = static_cast<std::uint32_t>(*end);
        } else {
            nat.frontendPort = static_cast<std::uint32_t>(integer(n, "frontendPort", true, 1, 65534).value_or(0));
            nat.frontendPortLast = nat.frontendPort;
        }
        nat.backendPort = static_cast<std::uint32_t>(integer(n, "backendPort", true, 1, 65535).value_or(0));
        lb.natRules.push_back(std::move(nat));
    });
    m_snap.loadBalancers[lb.id] = std::move(lb);
}

void AzureReader::readAsg(const JsonNode& r)
{
    ApplicationSecurityGroup asg;
    asg.id = normaliseId(idOf(r, {}, "applicationSecurityGroups"));
    asg.name = str(r, "name");
    asg.where = here(r);
    m_snap.asgs[asg.id] = std::move(asg);
}

void AzureReader::readVm(const JsonNode& r)
{
    VirtualMachine vm;
    vm.displayId = idOf(r, {}, "virtualMachines");
    vm.id = normaliseId(vm.displayId);
    vm.name = str(r, "name");
    if (vm.name.empty())
        vm.name = lastSegment(vm.id);
    vm.where = here(r);
    vm.tags = tags(r);
    if (auto nics = r.path({ "networkProfile", "networkInterfaces" }); nics && nics->isArray())
        nics->forEachElement([&](const JsonNode& n) {
            auto id = refId(n, "the network interface");
            if (!id.empty())
                vm.nicIds.push_back(id);
        });
    vm.powerState = str(r, "powerState"); // az vm list -d
    m_snap.vms[vm.id] = std::move(vm);
}

void AzureReader::readVmss(const JsonNode& r)
{
    // A scale set is read as one machine whose NIC stands for every instance's NIC: the instances
    // share the network profile, and so share their exposure.
    VirtualMachine vm;
    vm.displayId = idOf(r, {}, "virtualMachineScaleSets");
    vm.id = normaliseId(vm.displayId);
    vm.name = str(r, "name");
    vm.type = "Microsoft.Compute/virtualMachineScaleSets";
    vm.where = here(r);
    vm.tags = tags(r);
    auto configs = r.path({ "virtualMachineProfile", "networkProfile", "networkInterfaceConfigurations" });
    if (configs && configs->isArray()) {
        configs->forEachElement([&](const JsonNode& c) {
            NetworkInterface nic;
            nic.displayId = vm.displayId + "/networkInterfaceConfigurations/" + str(c, "name");
            nic.id = normaliseId(nic.displayId);
            nic.name = vm.name + "/" + str(c, "name");
            nic.where = here(c);
            nic.vmId = vm.id;
            nic.nsgId = refId(c.prop("networkSecurityGroup"), "the network security group");
            if (auto ipcs = c.prop("ipConfigurations"); ipcs && ipcs->isArray()) {
                ipcs->forEachElement([&](const JsonNode& ic) {
                    IpConfiguration ipc;
                    ipc.id = normaliseId(nic.displayId + "/ipConfigurations/" + str(ic, "name"));
                    ipc.name = str(ic, "name");
                    ipc.nicId = nic.id;
                    ipc.where = here(ic);
                    ipc.subnetId = refId(ic.prop("subnet"), "the subnet");
                    ipc.asgIds = refIds(ic, "applicationSecurityGroups");
                    ipc.backendPoolIds = refIds(ic, "loadBalancerBackendAddressPools");
                    ipc.natRuleIds = refIds(ic, "loadBalancerInboundNatPools");
                    ipc.appGatewayPoolIds = refIds(ic, "applicationGatewayBackendAddressPools");
                    if (auto pipc = ic.prop("publicIPAddressConfiguration"); pipc && pipc->isObject()) {
                        // Every instance gets its own public IP from this configuration.
                        PublicIpAddress pip;
                        pip.id = ipc.id + "/publicipaddressconfiguration";
                        pip.name = vm.name + " instance public IPs";
                        pip.sku = sku(*pipc);
                        pip.where = here(*pipc);
                        pip.ipConfigurationId = ipc.id;
                        ipc.publicIpId = pip.id;
                        m_snap.publicIps[pip.id] = std::move(pip);
                    }
                    nic.ipConfigurations.push_back(std::move(ipc));
                });
            }
            vm.nicIds.push_back(nic.id);
            m_snap.nics[nic.id] = std::move(nic);
        });
    }
    m_snap.vms[vm.id] = std::move(vm);
}

ManagedDataService& AzureReader::dataService(const std::string& id)
{
    auto& svc = m_snap.dataServices[id];
    if (svc.id.empty()) {
        svc.id = id;
        svc.displayId = id;
        svc.name = lastSegment(id);
    }
    return svc;
}

void AzureReader::readDataService(const JsonNode& r, const std::string& type)
{
    const std::string display = idOf(r, {}, "dataServices");
    ManagedDataService& svc = dataService(normaliseId(display));
    svc.displayId = display;
    svc.type = std::string(r.get("type") ? r.get("type")->stringValue() : std::string_view(type));
    if (auto n = str(r, "name"); !n.empty())
        svc.name = n;
    svc.where = here(r);
    svc.tags = tags(r);
    if (iequals(str(r, "publicNetworkAccess"), "Disabled"))
        svc.publicAccess = ManagedDataService::PublicAccess::Disabled;
    auto addRange = [&](const JsonNode& at, std::string_view text, const std::string& name) {
        if (text == "0.0.0.0") {
            svc.entries.push_back({ name, {}, true, here(at) });
            return;
        }
        if (auto p = parsePrefix(text))
            svc.entries.push_back({ name, AddressSet::range(p->first, p->last), false, here(at) });
        else
            error(at, "invalid IP address or range \"" + std::string(text) + "\"");
    };
    svc.tcpPorts = PortSet();
    if (type == "microsoft.sql/servers") {
        // Azure SQL: the server firewall denies unless a rule allows; TCP 1433 (Microsoft Learn,
        // "Azure SQL Database and Azure Synapse IP firewall rules").
        svc.engine = "sqlserver";
        svc.tcpPorts.add(1433, 1433);
        svc.endpoint = str(r, "fullyQualifiedDomainName");
        svc.serviceEndpointName = "Microsoft.Sql";
    } else if (type.find("postgresql") != std::string::npos) {
        svc.engine = "postgresql";
        svc.tcpPorts.add(5432, 5432);
        svc.endpoint = str(r, "fullyQualifiedDomainName");
        svc.serviceEndpointName = "Microsoft.Sql"; // single servers share SQL's service endpoint
        if (auto net = r.prop("network"); net && net->get("delegatedSubnetResourceId"))
            svc.privateOnly = true; // flexible server with VNet integration has no public endpoint
    } else if (type.find("mysql") != std::string::npos) {
        svc.engine = "mysql";
        svc.tcpPorts.add(3306, 3306);
        svc.endpoint = str(r, "fullyQualifiedDomainName");
        svc.serviceEndpointName = "Microsoft.Sql";
        if (auto net = r.prop("network"); net && net->get("delegatedSubnetResourceId"))
            svc.privateOnly = true;
    } else if (type == "microsoft.storage/storageaccounts") {
        // Storage: network rules' defaultAction is Allow unless set to Deny; ipRules then allow.
        svc.engine = "azure-storage";
        svc.tcpPorts.add(443, 443);
        auto https = r.prop("supportsHttpsTrafficOnly");
        if (https && https->boolValue() == false)
            svc.tcpPorts.add(80, 80);
        auto acls = r.prop("networkAcls");
        if (!acls)
            acls = r.prop("networkRuleSet"); // az CLI spelling
        const std::string action = acls ? str(*acls, "defaultAction") : std::string();
        svc.defaultAllow = action.empty() || iequals(action, "Allow");
        svc.defaultWhy
            = action.empty() ? "no network rules: every network is allowed" : "networkAcls.defaultAction is Allow";
        svc.defaultWhere = acls ? here(*acls) : here(r);
        if (acls)
            if (auto rules = acls->prop("ipRules"); rules && rules->isArray())
                rules->forEachElement([&](const JsonNode& e) {
                    // REST and ARM write "value"; `az storage account list` and
                    // Get-AzStorageAccount write "ipAddressOrRange" (any case).
                    std::string v = str(e, "value");
                    if (v.empty())
                        v = str(e, "ipAddressOrRange");
                    if (v.empty())
                        v = str(e, "iPAddressOrRange");
                    if (!iequals(str(e, "action"), "Deny"))
                        addRange(e, v, "ipRule " + v);
                });
        if (acls)
            if (auto rules = acls->prop("virtualNetworkRules"); rules && rules->isArray())
                rules->forEachElement([&](const JsonNode& e) {
                    std::string subnet = str(e, "id");
                    if (subnet.empty())
                        subnet = str(e, "virtualNetworkResourceId"); // az CLI
                    if (!subnet.empty() && !iequals(str(e, "action"), "Deny"))
                        svc.vnetRules.push_back(
                            { "virtualNetworkRule " + lastSegment(subnet), normaliseId(subnet), here(e) });
                });
        svc.serviceEndpointName = "Microsoft.Storage";
        if (auto ep = r.path({ "primaryEndpoints", "blob" }); ep && ep->isString())
            svc.endpoint = std::string(ep->stringValue());
        if (auto eps = r.prop("primaryEndpoints"); eps && eps->isObject())
            eps->forEachMember([&](std::string_view, const JsonNode& e) {
                if (e.isString())
                    svc.hostNames.push_back(hostOfUrl(e.stringValue()));
            });
    } else if (type == "microsoft.documentdb/databaseaccounts") {
        // Cosmos DB: with no IP rules (and no VNet filter) every network is allowed; "0.0.0.0"
        // admits Azure datacenters.
        svc.engine = "cosmosdb";
        svc.tcpPorts.add(443, 443);
        if (auto rules = r.prop("ipRules"); rules && rules->isArray())
            rules->forEachElement([&](const JsonNode& e) {
                const std::string v = str(e, "ipAddressOrRange");
                addRange(e, v, "ipRule " + v);
            });
        if (auto filter = r.prop("ipRangeFilter"); filter && filter->isString()) {
            std::string_view text = filter->stringValue();
            while (!text.empty()) {
                const auto comma = text.find(',');
                std::string_view one = text.substr(0, comma);
                while (!one.empty() && one.front() == ' ')
                    one.remove_prefix(1);
                if (!one.empty())
                    addRange(*filter, one, "ipRangeFilter " + std::string(one));
                if (comma == std::string_view::npos)
                    break;
                text.remove_prefix(comma + 1);
            }
        }
        const bool vnetFilter
            = r.prop("isVirtualNetworkFilterEnabled") && r.prop("isVirtualNetworkFilterEnabled")->boolValue() == true;
        svc.vnetRulesApply = vnetFilter;
        svc.serviceEndpointName = "Microsoft.AzureCosmosDB";
        if (auto rules = r.prop("virtualNetworkRules"); rules && rules->isArray())
            rules->forEachElement([&](const JsonNode& e) {
                if (const std::string subnet = str(e, "id"); !subnet.empty())
                    svc.vnetRules.push_back(
                        { "virtualNetworkRule " + lastSegment(subnet), normaliseId(subnet), here(e) });
            });
        svc.defaultAllow = svc.entries.empty() && !vnetFilter;
        svc.defaultWhy = "no IP rules and no virtual network filter: every network is allowed";
        svc.defaultWhere = here(r);
        svc.endpoint = str(r, "documentEndpoint");
    } else if (type == "microsoft.cache/redis") {
        // Redis: TLS port 6380, 6379 only with enableNonSslPort; no firewall rules allow all;
        // a cache injected into a subnet has no public endpoint.
        svc.engine = "redis";
        svc.tcpPorts.add(6380, 6380);
        if (auto p = r.prop("enableNonSslPort"); p && p->boolValue() == true)
            svc.tcpPorts.add(6379, 6379);
        svc.privateOnly = !str(r, "subnetId").empty();
        svc.endpoint = str(r, "hostName");
    }
}

void AzureReader::readFirewallRule(const JsonNode& r, const std::string& type)
{
    const std::string id = normaliseId(idOf(r, {}, "firewallRules"));
    const auto pos = id.rfind("/firewallrules/");
    if (pos == std::string::npos) {
        error(r, "firewall rule id does not name its server");
        return;
    }
    ManagedDataService& svc = dataService(id.substr(0, pos));
    if (svc.type.empty())
        svc.type = type.substr(0, type.size() - 14);
    if (svc.where.file.empty()) // until the server itself is read: what its warnings point at
        svc.where = here(r);
    const std::string name = str(r, "name").empty() ? lastSegment(id) : str(r, "name");
    const std::string start = str(r, "startIpAddress").empty() ? str(r, "startIP") : str(r, "startIpAddress");
    const std::string end = str(r, "endIpAddress").empty() ? str(r, "endIP") : str(r, "endIpAddress");
    auto first = parseAddress(start);
    auto last = parseAddress(end);
    if (!first || !last || *first > *last) {
        error(r, "firewall rule " + name + " has an invalid range \"" + start + "\" - \"" + end + "\"");
        return;
    }
    // Azure SQL's "Allow Azure services" rule is 0.0.0.0-0.0.0.0 (AllowAllWindowsAzureIps).
    const bool azure = start == "0.0.0.0" && end == "0.0.0.0";
    svc.entries.push_back({ name, azure ? AddressSet() : AddressSet::range(*first, *last), azure, here(r) });
}

// A virtual network rule of Azure SQL or a PostgreSQL/MySQL single server (child resource): the
// subnet whose service endpoint traffic the server admits.
void AzureReader::readVnetRule(const JsonNode& r, const std::string& type)
{
    const std::string id = normaliseId(idOf(r, {}, "virtualNetworkRules"));
    const auto pos = id.rfind("/virtualnetworkrules/");
    if (pos == std::string::npos) {
        error(r, "virtual network rule id does not name its server");
        return;
    }
    ManagedDataService& svc = dataService(id.substr(0, pos));
    if (svc.type.empty())
        svc.type = type.substr(0, type.size() - 20);
    if (svc.where.file.empty())
        svc.where = here(r);
    const std::string name = str(r, "name").empty() ? lastSegment(id) : str(r, "name");
    const std::string subnet = str(r, "virtualNetworkSubnetId");
    if (subnet.empty()) {
        error(r, "virtual network rule " + name + " has no virtualNetworkSubnetId");
        return;
    }
    svc.vnetRules.push_back({ "virtualNetworkRule " + name, normaliseId(subnet), here(r) });
}

void AzureReader::readEffective(const JsonNode& entry)
{
    // One association of `az network nic list-effective-nsg`: an NSG with its effective rules.
    std::string nsgId = refId(entry.get("networkSecurityGroup"), "the network security group");
    const std::string nicId = refId(entry.path({ "association", "networkInterface" }), "the network interface");
    const std::string subnetId = refId(entry.path({ "association", "subnet" }), "the subnet");
    if (nsgId.empty())
        nsgId = "effective:" + (nicId.empty() ? subnetId : nicId);
    auto& nsg = m_snap.nsgs[nsgId];
    if (!nsg.id.empty() && !nsg.synthetic) {
        ++m_input->resources; // the real NSG was exported too and wins
        return;
    }
    nsg.id = nsgId;
    nsg.displayId = nsgId;
    nsg.name = lastSegment(nsgId);
    nsg.where = here(entry);
    nsg.rules.clear();
    m_effectiveIds.insert(nsgId);
    if (auto rules = entry.get("effectiveSecurityRules"); rules && rules->isArray()) {
        rules->forEachElement([&](const JsonNode& rule) {
            std::vector<SecurityRule> one;
            const bool isDefault
                = rule.get("name") && rule.get("name")->stringValue().rfind("defaultSecurityRules/", 0) == 0;
            readRule(rule, nsgId, isDefault, one);
            for (auto& r : one) {
                if (auto slash = r.name.find('/'); slash != std::string::npos)
                    r.name = r.name.substr(slash + 1);
                nsg.rules.push_back(std::move(r));
            }
        });
    }
    m_effective.push_back({ nsgId, nicId, subnetId });
    ++m_input->resources;
}

// Application Gateway (Microsoft Learn, "Application Gateway components"): a listener listens on one
// frontend IP and port; a routing rule (basic, or path-based through a URL path map) sends what
// the listener accepts to a backend pool with backend settings (the port on the backend). The
// backend sees the gateway instance's private address, from the gateway subnet, as the source.
void AzureReader::readApplicationGateway(const JsonNode& r)
{
    ProxyDevice gw;
    gw.kind = ProxyDevice::Kind::ApplicationGateway;
    const std::string display = idOf(r, {}, "applicationGateways");
    gw.id = normaliseId(display);
    gw.name = str(r, "name").empty() ? lastSegment(gw.id) : str(r, "name");
    gw.type = "Microsoft.Network/applicationGateways";
    gw.where = here(r);
    if (auto sku = r.prop("sku"); sku && sku->isObject())
        gw.sku = str(*sku, "tier").empty() ? str(*sku, "name") : str(*sku, "tier");
    auto each = [&](std::string_view key, auto&& f) {
        if (auto list = r.prop(key); list && list->isArray())
            list->forEachElement(f);
    };
    each("gatewayIPConfigurations", [&](const JsonNode& c) {
        if (gw.subnetId.empty())
            gw.subnetId = refId(c.prop("subnet"), "the gateway subnet");
    });
    struct Frontend
    {
        std::string publicIpId, privateAddress;
    };
    std::map<std::string, Frontend> frontends;
    each("frontendIPConfigurations", [&](const JsonNode& f) {
        auto pipRef = f.prop("publicIPAddress");
        frontends[normaliseId(idOf(f, display, "frontendIPConfigurations"))]
            = { refId(pipRef, "the public IP address"), str(f, "privateIPAddress") };
        importEmbedded(pipRef);
    });
    std::map<std::string, std::uint32_t> ports;
    each("frontendPorts", [&](const JsonNode& f) {
        ports[normaliseId(idOf(f, display, "frontendPorts"))]
            = static_cast<std::uint32_t>(integer(f, "port", true, 1, 65535).value_or(0));
    });
    struct Listener
    {
        std::string name, frontendId, portId, protocol;
    };
    std::map<std::string, Listener> listeners;
    for (const char* key : { "httpListeners", "listeners" }) // v2 also has layer-4 (TCP/TLS) listeners
        each(key, [&](const JsonNode& l) {
            listeners[normaliseId(idOf(l, display, key))]
                = { str(l, "name"), refId(l.prop("frontendIPConfiguration"), "the frontend"),
                      refId(l.prop("frontendPort"), "the port"), str(l, "protocol") };
        });
    struct Pool
    {
        std::string name;
        std::vector<std::string> ipcs;
        AddressSet addresses;
        std::vector<std::string> fqdns;
    };
    std::map<std::string, Pool> pools;
    each("backendAddressPools", [&](const JsonNode& p) {
        Pool pool;
        pool.name = str(p, "name");
        pool.ipcs = refIds(p, "backendIPConfigurations");
        if (auto list = p.prop("backendAddresses"); list && list->isArray())
            list->forEachElement([&](const JsonNode& a) {
                if (const auto ip = str(a, "ipAddress"); !ip.empty()) {
                    if (auto pp = parsePrefix(ip))
                        pool.addresses.add(pp->first, pp->last);
                    else
                        error(*a.prop("ipAddress"), "invalid backend address \"" + ip + "\"");
                }
                if (const auto fqdn = str(a, "fqdn"); !fqdn.empty())
                    pool.fqdns.push_back(fqdn);
            });
        pools[normaliseId(idOf(p, display, "backendAddressPools"))] = std::move(pool);
    });
    struct Settings
    {
        std::string name;
        std::uint32_t port = 0;
    };
    std::map<std::string, Settings> settings;
    for (const char* key : { "backendHttpSettingsCollection", "backendSettingsCollection" })
        each(key, [&](const JsonNode& h) {
            settings[normaliseId(idOf(h, display, key))]
                = { str(h, "name"), static_cast<std::uint32_t>(integer(h, "port", true, 1, 65535).value_or(0)) };
        });
    struct PathMap
    {
        std::vector<std::pair<std::string, std::string>> targets; // (pool, settings)
    };
    std::map<std::string, PathMap> pathMaps;
    each("urlPathMaps", [&](const JsonNode& m) {
        PathMap map;
        map.targets.emplace_back(refId(m.prop("defaultBackendAddressPool"), "the default pool"),
            refId(m.prop("defaultBackendHttpSettings"), "the default settings"));
        if (auto rules = m.prop("pathRules"); rules && rules->isArray())
            rules->forEachElement([&](const JsonNode& pr) {
                map.targets.emplace_back(refId(pr.prop("backendAddressPool"), "the pool"),
                    refId(pr.prop("backendHttpSettings"), "the settings"));
            });
        pathMaps[normaliseId(idOf(m, display, "urlPathMaps"))] = std::move(map);
    });
    for (const char* key : { "requestRoutingRules", "routingRules" })
        each(key, [&](const JsonNode& rule) {
            const std::string ruleName = str(rule, "name");
            std::string listenerId = refId(rule.prop("httpListener"), "the listener");
            if (listenerId.empty())
                listenerId = refId(rule.prop("listener"), "the listener");
            const auto l = listeners.find(listenerId);
            if (l == listeners.end()) {
                warn(rule, "routing rule " + ruleName + " names a listener that is not in the gateway; skipped");
                return;
            }
            std::vector<std::pair<std::string, std::string>> targets;
            if (auto pool = refId(rule.prop("backendAddressPool"), "the pool"); !pool.empty()) {
                std::string set = refId(rule.prop("backendHttpSettings"), "the settings");
                if (set.empty())
                    set = refId(rule.prop("backendSettings"), "the settings");
                targets.emplace_back(pool, set);
            }
            if (auto map = pathMaps.find(refId(rule.prop("urlPathMap"), "the URL path map")); map != pathMaps.end())
                targets.insert(targets.end(), map->second.targets.begin(), map->second.targets.end());
            const auto fe = frontends.find(l->second.frontendId);
            const auto port = ports.find(l->second.portId);
            for (const auto& [poolId, settingsId] : targets) {
                const auto pool = pools.find(poolId);
                const auto set = settings.find(settingsId);
                if (pool == pools.end() || set == settings.end() || !set->second.port)
                    continue; // a redirect, or a pool or settings the export lacks
                ProxyForward fw;
                fw.id = normaliseId(idOf(rule, display, key)) + "|" + poolId + "|" + settingsId;
                fw.name = l->second.name + " / " + ruleName;
                if (fe != frontends.end()) {
                    fw.frontendPublicIpId = fe->second.publicIpId;
                    fw.frontendAddress = fe->second.privateAddress;
                }
                const std::uint32_t listenPort = port == ports.end() ? 0 : port->second;
                if (listenPort) {
                    fw.frontendPorts = PortSet::range(listenPort, listenPort);
                } else {
                    fw.frontendPorts = PortSet::all(); // towards reachability
                    warn(rule,
                        "listener " + l->second.name + " of " + gw.name
                            + " has a frontend port that is not in the export: any port is assumed");
                }
                fw.backendPorts = PortSet::range(set->second.port, set->second.port);
                fw.backendIpConfigurationIds = pool->second.ipcs;
                fw.backendPoolId = poolId;
                fw.backendAddresses = pool->second.addresses;
                fw.backendFqdns = pool->second.fqdns;
                fw.detail = "listener " + l->second.name + " (port " + std::to_string(listenPort)
                    + (l->second.protocol.empty() ? std::string() : ", " + l->second.protocol) + "), rule " + ruleName
                    + ", pool " + pool->second.name + ", settings " + set->second.name + " (port "
                    + std::to_string(set->second.port) + ")";
                fw.where = here(rule);
                gw.forwards.push_back(std::move(fw));
            }
        });
    const bool publicFrontend
        = std::any_of(frontends.begin(), frontends.end(), [](const auto& f) { return !f.second.publicIpId.empty(); });
    if (publicFrontend && gw.forwards.empty())
        warn(r,
            "Application Gateway " + gw.name
                + " has a public frontend but no routing rule to a backend pool in the export: if its configuration "
                  "was cut short, machines behind it may be reachable from the internet without a finding");
    m_snap.proxies[gw.id] = std::move(gw);
}

bool AzureReader::readNatRule(const JsonNode& rule, const std::string& collection, ProxyForward& fw)
{
    fw.name = (collection.empty() ? std::string() : collection + " / ") + str(rule, "name");
    fw.where = here(rule);
    fw.protocols = 0;
    bool ok = true;
    for (const char* key : { "protocols", "ipProtocols" })
        if (auto list = rule.prop(key); list && list->isArray())
            list->forEachElement([&](const JsonNode& p) {
                const auto text = p.stringValue();
                if (iequals(text, "TCP"))
                    fw.protocols |= maskOf(Protocol::Tcp);
                else if (iequals(text, "UDP"))
                    fw.protocols |= maskOf(Protocol::Udp);
                else if (iequals(text, "Any"))
                    fw.protocols |= maskOf(Protocol::Tcp) | maskOf(Protocol::Udp);
                else {
                    ok = false;
                    error(p, "unknown DNAT protocol \"" + std::string(text) + "\" (expected TCP, UDP or Any)");
                }
            });
    if (!fw.protocols)
        fw.protocols = maskOf(Protocol::Tcp) | maskOf(Protocol::Udp);
    fw.anyClient = false;
    if (auto list = rule.prop("sourceAddresses"); list && list->isArray())
        list->forEachElement([&](const JsonNode& a) {
            const auto text = a.stringValue();
            if (text == "*" || iequals(text, "Any"))
                fw.anyClient = true;
            else if (auto pp = parsePrefix(text))
                fw.clientSources.add(pp->first, pp->last);
            else if (const auto dash = text.find('-'); dash != std::string_view::npos) {
                auto lo = parseAddress(text.substr(0, dash));
                auto hi = parseAddress(text.substr(dash + 1));
                if (lo && hi && *lo <= *hi)
                    fw.clientSources.add(*lo, *hi);
                else
                    fw.clientTags.emplace_back(text);
            } else {
                fw.clientTags.emplace_back(text); // a service tag: treated as any client (towards reachability)
            }
        });
    fw.clientIpGroupIds = refIds(rule, "sourceIpGroups");
    if (!fw.clientTags.empty())
        fw.anyClient = true;
    if (fw.clientSources.isEmpty() && fw.clientIpGroupIds.empty())
        fw.anyClient = true; // no source given: the rule admits every client
    if (auto list = rule.prop("destinationAddresses"); list && list->isArray())
        list->forEachElement([&](const JsonNode& a) {
            if (fw.frontendAddress.empty())
                fw.frontendAddress = std::string(a.stringValue());
        });
    if (auto list = rule.prop("destinationPorts"); list && list->isArray())
        list->forEachElement([&](const JsonNode& p) { ok = portValue(p, fw.frontendPorts) && ok; });
    const std::string translated = str(rule, "translatedAddress");
    if (!translated.empty()) {
        if (auto a = parseAddress(translated))
            fw.backendAddresses.add(*a, *a);
        else {
            ok = false;
            error(*rule.prop("translatedAddress"), "invalid translated address \"" + translated + "\"");
        }
    }
    if (const auto fqdn = str(rule, "translatedFqdn"); !fqdn.empty())
        fw.backendFqdns.push_back(fqdn);
    if (auto port = rule.prop("translatedPort"); port && !port->isNull()) {
        PortSet p;
        ok = portValue(*port, p) && ok;
        fw.backendPorts = p;
    } else {
        fw.backendPorts = fw.frontendPorts;
    }
    fw.detail = "DNAT rule " + fw.name + " (" + fw.frontendPorts.toString() + " to " + translated
        + (fw.backendFqdns.empty() ? std::string() : fw.backendFqdns.front()) + ":" + fw.backendPorts.toString() + ")";
    return ok;
}

// Azure Firewall DNAT (Microsoft Learn, "Filter inbound Internet or intranet traffic with Azure
// Firewall DNAT"): traffic to a firewall public IP and port that a DNAT rule matches is translated
// to the rule's address and port; the firewall also SNATs it to one of its private addresses, so
// the backend's NSGs see a source from the AzureFirewallSubnet.
void AzureReader::readAzureFirewall(const JsonNode& r)
{
    ProxyDevice fw;
    fw.kind = ProxyDevice::Kind::Firewall;
    const std::string display = idOf(r, {}, "azureFirewalls");
    fw.id = normaliseId(display);
    fw.name = str(r, "name").empty() ? lastSegment(fw.id) : str(r, "name");
    fw.type = "Microsoft.Network/azureFirewalls";
    fw.where = here(r);
    if (auto sku = r.prop("sku"); sku && sku->isObject())
        fw.sku = str(*sku, "tier");
    if (auto list = r.prop("ipConfigurations"); list && list->isArray())
        list->forEachElement([&](const JsonNode& c) {
            if (fw.subnetId.empty())
                fw.subnetId = refId(c.prop("subnet"), "the firewall subnet");
            auto pipRef = c.prop("publicIPAddress");
            if (auto pip = refId(pipRef, "the public IP address"); !pip.empty())
                fw.publicIpIds.push_back(pip);
            importEmbedded(pipRef);
        });
    // A firewall in a secured virtual hub (sku AZFW_Hub) has its public addresses here instead.
    if (auto hub = r.path({ "hubIPAddresses", "publicIPs", "addresses" }); hub && hub->isArray())
        hub->forEachElement([&](const JsonNode& a) {
            if (const auto address = str(a, "address"); !address.empty())
                fw.hubPublicAddresses.push_back(address);
        });
    fw.policyId = refId(r.prop("firewallPolicy"), "the firewall policy");
    if (auto list = r.prop("natRuleCollections"); list && list->isArray())
        list->forEachElement([&](const JsonNode& coll) {
            const std::string name = str(coll, "name");
            if (auto rules = coll.prop("rules"); rules && rules->isArray())
                rules->forEachElement([&](const JsonNode& rule) {
                    ProxyForward f;
                    f.id = normaliseId(idOf(coll, display, "natRuleCollections")) + "/rules/" + str(rule, "name");
                    if (readNatRule(rule, name, f))
                        fw.forwards.push_back(std::move(f));
                });
        });
    m_snap.proxies[fw.id] = std::move(fw);
}

void AzureReader::readFirewallPolicy(const JsonNode& r)
{
    const std::string id = normaliseId(idOf(r, {}, "firewallPolicies"));
    auto& policy = m_snap.firewallPolicies[id];
    policy.id = id;
    policy.name = str(r, "name").empty() ? lastSegment(id) : str(r, "name");
    policy.where = here(r);
    policy.basePolicyId = refId(r.prop("basePolicy"), "the base policy");
    // Rule collection groups nested as child resources (ARM, Get-AzResource) come through the
    // resource walk; REST lists them as references only.
}

void AzureReader::readRuleCollectionGroup(const JsonNode& r)
{
    const std::string id = normaliseId(idOf(r, {}, "ruleCollectionGroups"));
    const auto cut = id.rfind("/rulecollectiongroups/");
    if (cut == std::string::npos) {
        error(r, "rule collection group id does not name its firewall policy");
        return;
    }
    auto& policy = m_snap.firewallPolicies[id.substr(0, cut)];
    if (policy.id.empty()) {
        policy.id = id.substr(0, cut);
        policy.name = lastSegment(policy.id);
        policy.where = here(r);
    }
    if (auto colls = r.prop("ruleCollections"); colls && colls->isArray())
        colls->forEachElement([&](const JsonNode& coll) {
            if (str(coll, "ruleCollectionType") != "FirewallPolicyNatRuleCollection")
                return; // network and application rules filter traffic the firewall forwards, not DNAT
            const std::string name = str(coll, "name");
            if (auto rules = coll.prop("rules"); rules && rules->isArray())
                rules->forEachElement([&](const JsonNode& rule) {
                    ProxyForward f;
                    f.id = id + "/" + normaliseId(name) + "/" + normaliseId(str(rule, "name"));
                    if (readNatRule(rule, name, f))
                        policy.natRules.push_back(std::move(f));
                });
        });
}

void AzureReader::readIpGroup(const JsonNode& r)
{
    const std::string id = normaliseId(idOf(r, {}, "ipGroups"));
    AddressSet set;
    if (auto list = r.prop("ipAddresses"); list && list->isArray())
        list->forEachElement([&](const JsonNode& a) {
            if (auto pp = parsePrefix(a.stringValue()))
                set.add(pp->first, pp->last);
            else
                error(a, "invalid IP group address \"" + std::string(a.stringValue()) + "\"");
        });
    m_snap.ipGroups[id] = std::move(set);
}

void AzureReader::readServiceTags(const JsonNode& list)
{
    // The version of the whole list: the download writes a number, the CLI and REST a string.
    std::string changeNumber;
    if (auto c = list.get("changeNumber"); c && c->isString())
        changeNumber = std::string(c->stringValue());
    else if (c && c->intValue())
        changeNumber = std::to_string(*c->intValue());
    const std::string cloud = str(list, "cloud");
    // Which of two versions of a tag to keep when the export holds several files: the higher
    // changeNumber is the newer list.
    auto version = [](const std::string& text) -> std::optional<std::int64_t> {
        std::int64_t v = 0;
        if (text.empty() || text.size() > 18)
            return std::nullopt;
        for (char c : text) {
            if (c < '0' || c > '9')
                return std::nullopt;
            v = v * 10 + (c - '0');
        }
        return v;
    };
    auto values = list.get("values");
    values->forEachElement([&](const JsonNode& v) {
        if (!v.isObject()) {
            warn(v, std::string("service tag entry is ") + v.typeName() + ", not an object; ignored");
            return;
        }
        std::string name = str(v, "name");
        if (name.empty())
            name = str(v, "id");
        if (name.empty()) {
            error(v, "service tag entry has no \"name\"");
            return;
        }
        ServiceTagRanges tag;
        tag.name = name;
        tag.changeNumber = changeNumber;
        tag.cloud = cloud;
        tag.where = here(v);
        auto prefixes = v.prop("addressPrefixes");
        if (!prefixes || !prefixes->isArray()) {
            error(prefixes ? *prefixes : v,
                "service tag " + name + ": \"addressPrefixes\" should be a list"
                    + (prefixes ? std::string(" but is ") + prefixes->typeName() : std::string(" and is missing")));
            return;
        }
        // The real AzureCloud tag has thousands of prefixes: collect, sort and merge once rather
        // than one union per prefix.
        std::vector<AddressInterval> intervals;
        bool bad = false;
        prefixes->forEachElement([&](const JsonNode& p) {
            const auto parsed = p.isString() ? parsePrefix(p.stringValue()) : std::nullopt;
            if (!parsed) {
                error(p,
                    "service tag " + name + ": invalid address prefix "
                        + (p.isString() ? "\"" + std::string(p.stringValue()) + "\"" : std::string(p.typeName())));
                bad = true;
                return;
            }
            intervals.push_back({ parsed->first, parsed->last });
        });
        if (bad)
            return; // already an error: the import stops before any verdict
        std::sort(intervals.begin(), intervals.end(),
            [](const AddressInterval& a, const AddressInterval& b) { return a.first < b.first; });
        tag.addresses = AddressSet::fromSorted(intervals);
        ++m_input->resources;
        const std::string key = toLower(name);
        auto [it, fresh] = m_snap.serviceTags.try_emplace(key, tag);
        if (fresh || it->second.addresses == tag.addresses)
            return;
        const auto kept = version(it->second.changeNumber), other = version(changeNumber);
        const bool replace = kept && other && *other > *kept;
        warn(v,
            "service tag " + name + " has other ranges here (changeNumber " + changeNumber + ") than in "
                + it->second.where.toString() + " (changeNumber " + it->second.changeNumber + "); those of "
                + (replace ? "this list" : "that list")
                + (replace || (kept && other) ? " (the newer)" : " (read first; the versions cannot be compared)")
                + " are used");
        if (replace)
            it->second = std::move(tag);
    });
}

// ---- Route tables (Microsoft Learn, "Virtual network traffic routing": user-defined routes) ----

void AzureReader::readRoute(const JsonNode& r, RouteTable& table)
{
    Route route;
    route.name = str(r, "name");
    route.id = normaliseId(idOf(r, table.id, "routes"));
    if (route.name.empty())
        route.name = lastSegment(route.id);
    route.where = here(r);
    route.prefixText = str(r, "addressPrefix");
    if (auto p = parsePrefix(route.prefixText))
        route.prefix = AddressSet::range(p->first, p->last);
    else if (!route.prefixText.empty())
        route.prefixIsTag = true; // a service tag ("Storage") or a template parameter
    route.nextHopType = str(r, "nextHopType");
    route.nextHopAddress = str(r, "nextHopIpAddress");
    table.routes.push_back(std::move(route));
}

void AzureReader::readRouteTable(const JsonNode& r)
{
    const std::string id = normaliseId(idOf(r, {}, "routeTables"));
    auto& table = m_snap.routeTables[id];
    table.id = id;
    table.name = str(r, "name").empty() ? lastSegment(id) : str(r, "name");
    table.where = here(r);
    if (auto d = r.prop("disableBgpRoutePropagation"))
        table.disableBgpRoutePropagation = d->boolValue().value_or(false);
    table.routes.clear();
    if (auto routes = r.prop("routes"); routes && routes->isArray())
        routes->forEachElement([&](const JsonNode& route) { readRoute(route, table); });
}

// ---- Edge services: Azure Front Door (classic, Standard/Premium) and Azure CDN ----
// Microsoft Learn, "Secure traffic to Azure Front Door origins": Front Door accepts clients from
// anywhere and connects to its origins from the AzureFrontDoor.Backend addresses; "Routing
// architecture" / "Origins and origin groups": a route forwards what it accepts to an origin group
// on the origin's HTTP or HTTPS port, by its forwarding protocol.

EdgeService& AzureReader::edgeService(const std::string& id, const JsonNode& r)
{
    auto& edge = m_snap.edges[id];
    if (edge.id.empty()) {
        edge.id = id;
        edge.name = lastSegment(id);
        edge.where = here(r);
    }
    return edge;
}

namespace {

// A route's ports: what clients connect to, and the origin port for each.
void setForwarding(EdgeRoute& route, bool http, bool https, std::string_view forwarding, bool httpsRedirect)
{
    route.acceptsHttp = http && !httpsRedirect; // redirected requests are answered by the edge itself
    route.acceptsHttps = https;
    route.forwarding = iequals(forwarding, "HttpOnly") ? EdgeRoute::Forwarding::HttpOnly
        : iequals(forwarding, "HttpsOnly")             ? EdgeRoute::Forwarding::HttpsOnly
                                                       : EdgeRoute::Forwarding::MatchRequest;
}

bool enabledState(const std::string& text)
{
    return text.empty() || iequals(text, "Enabled");
}

} // namespace

EdgeOrigin AzureReader::readOrigin(const JsonNode& o, const std::string& groupId, std::string_view hostKey)
{
    EdgeOrigin origin;
    origin.name = str(o, "name");
    origin.groupId = groupId;
    origin.host = str(o, hostKey);
    origin.where = here(o);
    if (auto p = o.prop("httpPort"); p && !p->isNull())
        origin.httpPort = static_cast<std::uint32_t>(integer(o, "httpPort", false, 1, 65535).value_or(80));
    if (auto p = o.prop("httpsPort"); p && !p->isNull())
        origin.httpsPort = static_cast<std::uint32_t>(integer(o, "httpsPort", false, 1, 65535).value_or(443));
    origin.enabled = enabledState(str(o, "enabledState"));
    if (auto e = o.prop("enabled"); e && e->boolValue().has_value()) // classic CDN origins
        origin.enabled = *e->boolValue();
    // Private Link origins (Front Door Premium, classic privateLinkResourceId): the edge reaches the
    // resource through a private endpoint, not its public address.
    if (auto pl = o.prop("privateLinkResourceId"); pl && pl->isString())
        origin.privateLinkId = normaliseId(pl->stringValue());
    if (auto shared = o.prop("sharedPrivateLinkResource"); shared && shared->isObject()) {
        origin.privateLinkId = refId(shared->prop("privateLink"), "the private link resource");
        const std::string status = str(*shared, "status");
        origin.privateLinkApproved = status.empty() || iequals(status, "Approved");
    }
    if (auto status = o.prop("privateEndpointStatus"); status && status->isString())
        origin.privateLinkApproved = iequals(status->stringValue(), "Approved");
    return origin;
}

void AzureReader::readFrontDoorClassic(const JsonNode& r)
{
    const std::string display = idOf(r, {}, "frontDoors");
    auto& edge = edgeService(normaliseId(display), r);
    edge.name = str(r, "name").empty() ? edge.name : str(r, "name");
    edge.type = "Microsoft.Network/frontDoors";
    edge.label = "Front Door (classic)";
    edge.where = here(r);
    edge.enabled = enabledState(str(r, "enabledState"));
    auto each = [&](std::string_view key, auto&& f) {
        if (auto list = r.prop(key); list && list->isArray())
            list->forEachElement(f);
    };
    each("backendPools", [&](const JsonNode& pool) {
        // Templates write the child type as backEndPools: ids compare case-insensitively.
        const std::string poolId = normaliseId(idOf(pool, display, "backendPools"));
        if (auto backends = pool.prop("backends"); backends && backends->isArray())
            backends->forEachElement([&](const JsonNode& b) {
                EdgeOrigin o = readOrigin(b, poolId, "address");
                if (o.name.empty())
                    o.name = o.host;
                edge.origins.push_back(std::move(o));
            });
    });
    each("routingRules", [&](const JsonNode& rule) {
        EdgeRoute route;
        route.id = normaliseId(idOf(rule, display, "routingRules"));
        route.name = str(rule, "name").empty() ? lastSegment(route.id) : str(rule, "name");
        route.where = here(rule);
        route.enabled = enabledState(str(rule, "enabledState"));
        bool http = false, https = false;
        if (auto accepted = rule.prop("acceptedProtocols"); accepted && accepted->isArray())
            accepted->forEachElement([&](const JsonNode& p) {
                http = http || iequals(p.stringValue(), "Http");
                https = https || iequals(p.stringValue(), "Https");
            });
        else
            http = https = true;
        auto config = rule.prop("routeConfiguration");
        if (!config || !config->isObject()) {
            warn(rule, "routing rule " + route.name + " has no routeConfiguration; it forwards nothing");
            return;
        }
        const std::string odata = str(*config, "@odata.type");
        if (odata.find("Redirect") != std::string::npos)
            return; // a redirect answers at the edge: no origin is reached
        route.originGroupId = refId(config->prop("backendPool"), "the backend pool");
        setForwarding(route, http, https, str(*config, "forwardingProtocol"), false);
        edge.routes.push_back(std::move(route));
    });
}

void AzureReader::readCdnProfile(const JsonNode& r)
{
    auto& edge = edgeService(normaliseId(idOf(r, {}, "profiles")), r);
    edge.name = str(r, "name").empty() ? edge.name : str(r, "name");
    edge.type = "Microsoft.Cdn/profiles";
    edge.where = here(r);
    std::string sku;
    if (auto s = r.get("sku"); s && s->isObject())
        sku = str(*s, "name");
    else if (auto ps = r.prop("sku"); ps && ps->isObject())
        sku = str(*ps, "name");
    edge.label = sku.find("AzureFrontDoor") != std::string::npos ? "Front Door" : "CDN";
}

// The profile id of a child resource ("/.../profiles/p/afdendpoints/e/routes/r" -> ".../profiles/p").
std::string AzureReader::profileOf(const std::string& childId)
{
    const auto pos = childId.find("/providers/microsoft.cdn/profiles/");
    if (pos == std::string::npos)
        return {};
    const auto start = pos + std::string_view("/providers/microsoft.cdn/profiles/").size();
    const auto end = childId.find('/', start);
    return childId.substr(0, end);
}

void AzureReader::readCdnChild(const JsonNode& r, const std::string& type)
{
    const std::string id = normaliseId(idOf(r, {}, "children"));
    const std::string profileId = profileOf(id);
    if (profileId.empty()) {
        error(r, "the id of this " + type + " does not name its profile");
        return;
    }
    auto& edge = edgeService(profileId, r);
    if (edge.type.empty())
        edge.type = "Microsoft.Cdn/profiles";
    if (type == "microsoft.cdn/profiles/afdendpoints") {
        if (!enabledState(str(r, "enabledState")))
            edge.disabledEndpoints.insert(id);
    } else if (type == "microsoft.cdn/profiles/afdendpoints/routes") {
        EdgeRoute route;
        route.id = id;
        route.name = str(r, "name").empty() ? lastSegment(id) : str(r, "name");
        route.where = here(r);
        route.enabled = enabledState(str(r, "enabledState"));
        route.endpointId = id.substr(0, id.rfind("/routes/"));
        bool http = false, https = false;
        if (auto p = r.prop("supportedProtocols"); p && p->isArray())
            p->forEachElement([&](const JsonNode& v) {
                http = http || iequals(v.stringValue(), "Http");
                https = https || iequals(v.stringValue(), "Https");
            });
        else
            http = https = true;
        route.originGroupId = refId(r.prop("originGroup"), "the origin group");
        setForwarding(route, http, https, str(r, "forwardingProtocol"), iequals(str(r, "httpsRedirect"), "Enabled"));
        edge.routes.push_back(std::move(route));
    } else if (type == "microsoft.cdn/profiles/origingroups/origins") {
        const std::string groupId = id.substr(0, id.rfind("/origins/"));
        EdgeOrigin o = readOrigin(r, groupId, "hostName");
        if (o.name.empty())
            o.name = lastSegment(id);
        edge.origins.push_back(std::move(o));
    } else if (type == "microsoft.cdn/profiles/endpoints") {
        // Classic CDN: the endpoint forwards to its inline origins, HTTP and HTTPS as allowed.
        if (edge.label.empty())
            edge.label = "CDN";
        EdgeRoute route;
        route.id = id;
        route.name = str(r, "name").empty() ? lastSegment(id) : str(r, "name");
        route.where = here(r);
        const std::string state = str(r, "resourceState");
        route.enabled = state.empty() || !iequals(state, "Stopped");
        auto allowed = [&](std::string_view key) {
            auto v = r.prop(key);
            return !v || v->boolValue().value_or(true);
        };
        setForwarding(route, allowed("isHttpAllowed"), allowed("isHttpsAllowed"), "MatchRequest", false);
        route.originGroupId = id; // the inline origins form the endpoint's own group
        if (auto origins = r.prop("origins"); origins && origins->isArray())
            origins->forEachElement([&](const JsonNode& o) {
                EdgeOrigin origin = readOrigin(o, id, "hostName");
                edge.origins.push_back(std::move(origin));
            });
        edge.routes.push_back(std::move(route));
    }
    // Origin groups carry no members (origins name their group by id): nothing to read.
}

// ---- Private endpoints (Microsoft Learn, "What is a private endpoint?") ----

void AzureReader::readPrivateEndpoint(const JsonNode& r)
{
    PrivateEndpoint pe;
    pe.id = normaliseId(idOf(r, {}, "privateEndpoints"));
    pe.name = str(r, "name").empty() ? lastSegment(pe.id) : str(r, "name");
    pe.where = here(r);
    pe.subnetId = refId(r.prop("subnet"), "the subnet");
    auto connections = [&](std::string_view key, bool manual) {
        if (auto list = r.prop(key); list && list->isArray())
            list->forEachElement([&](const JsonNode& c) {
                PrivateEndpoint::Connection conn;
                if (auto id = c.prop("privateLinkServiceId"); id && id->isString())
                    conn.serviceId = normaliseId(id->stringValue());
                if (auto groups = c.prop("groupIds"); groups && groups->isArray())
                    groups->forEachElement([&](const JsonNode& g) { conn.groupIds.emplace_back(g.stringValue()); });
                std::string status;
                if (auto state = c.prop("privateLinkServiceConnectionState"); state && state->isObject())
                    status = str(*state, "status");
                // Only approved connections carry traffic; an auto-approved one may not say so.
                conn.approved = status.empty() ? !manual : iequals(status, "Approved");
                conn.status = status.empty() ? (manual ? "Pending" : "Approved (auto)") : status;
                if (!conn.serviceId.empty())
                    pe.connections.push_back(std::move(conn));
            });
    };
    connections("privateLinkServiceConnections", false);
    connections("manualPrivateLinkServiceConnections", true);
    auto addAddress = [&](std::string_view text) {
        if (auto a = parseAddress(text))
            pe.addresses.add(*a, *a);
    };
    if (auto configs = r.prop("ipConfigurations"); configs && configs->isArray())
        configs->forEachElement([&](const JsonNode& c) { addAddress(str(c, "privateIPAddress")); });
    if (auto dns = r.prop("customDnsConfigs"); dns && dns->isArray())
        dns->forEachElement([&](const JsonNode& c) {
            if (auto ips = c.prop("ipAddresses"); ips && ips->isArray())
                ips->forEachElement([&](const JsonNode& ip) { addAddress(ip.stringValue()); });
        });
    pe.nicIds = refIds(r, "networkInterfaces");
    m_snap.privateEndpoints[pe.id] = std::move(pe);
}

// ---- Hybrid connectivity: what the VirtualNetwork tag gains through gateways ----
// Microsoft Learn, "Virtual network service tags": VirtualNetwork includes "all connected
// on-premises address spaces"; "VPN Gateway transit for virtual network peering": spokes that use
// the hub's gateway learn its routes.

void AzureReader::readLocalNetworkGateway(const JsonNode& r)
{
    LocalNetworkGateway g;
    g.id = normaliseId(idOf(r, {}, "localNetworkGateways"));
    g.name = str(r, "name").empty() ? lastSegment(g.id) : str(r, "name");
    g.where = here(r);
    auto addPrefix = [&](const JsonNode& e) {
        if (auto p = parsePrefix(e.stringValue()))
            g.space.add(p->first, p->last);
        else
            warn(e, "invalid on-premises prefix \"" + std::string(e.stringValue()) + "\"; ignored");
    };
    if (auto space = r.prop("localNetworkAddressSpace"); space && space->isObject())
        if (auto list = space->prop("addressPrefixes"); list && list->isArray())
            list->forEachElement(addPrefix);
    if (auto bgp = r.prop("bgpSettings"); bgp && bgp->isObject())
        g.bgp = true; // prefixes learned over BGP are not in the export
    m_snap.localGateways[g.id] = std::move(g);
}

void AzureReader::readVirtualNetworkGateway(const JsonNode& r)
{
    VirtualNetworkGateway g;
    g.id = normaliseId(idOf(r, {}, "virtualNetworkGateways"));
    g.name = str(r, "name").empty() ? lastSegment(g.id) : str(r, "name");
    g.where = here(r);
    if (auto configs = r.prop("ipConfigurations"); configs && configs->isArray())
        configs->forEachElement([&](const JsonNode& c) {
            if (g.subnetId.empty())
                g.subnetId = refId(c.prop("subnet"), "the gateway subnet");
        });
    m_snap.vnetGateways[g.id] = std::move(g);
}

void AzureReader::readConnection(const JsonNode& r)
{
    GatewayConnection c;
    c.id = normaliseId(idOf(r, {}, "connections"));
    c.name = str(r, "name").empty() ? lastSegment(c.id) : str(r, "name");
    c.where = here(r);
    c.gatewayId = refId(r.prop("virtualNetworkGateway1"), "the virtual network gateway");
    c.localGatewayId = refId(r.prop("localNetworkGateway2"), "the local network gateway");
    c.type = str(r, "connectionType");
    m_snap.gatewayConnections[c.id] = std::move(c);
}

} // namespace

std::unique_ptr<FormatReader> makeAzureReader(Snapshot& snapshot)
{
    return std::make_unique<AzureReader>(snapshot);
}

std::vector<SecurityRule> defaultSecurityRules(const std::string& nsgId, const SourceLocation& where)
{
    struct Def
    {
        const char* name;
        int priority;
        bool inbound;
        bool allow;
        const char* source;
        const char* destination;
    };
    static const Def defs[] = {
        { "AllowVnetInBound", 65000, true, true, "VirtualNetwork", "VirtualNetwork" },
        { "AllowAzureLoadBalancerInBound", 65001, true, true, "AzureLoadBalancer", "*" },
        { "DenyAllInBound", 65500, true, false, "*", "*" },
        { "AllowVnetOutBound", 65000, false, true, "VirtualNetwork", "VirtualNetwork" },
        { "AllowInternetOutBound", 65001, false, true, "*", "Internet" },
        { "DenyAllOutBound", 65500, false, false, "*", "*" },
    };
    std::vector<SecurityRule> out;
    for (const auto& d : defs) {
        SecurityRule r;
        r.name = d.name;
        r.id = nsgId + "/defaultsecurityrules/" + normaliseId(d.name);
        r.priority = d.priority;
        r.inbound = d.inbound;
        r.allow = d.allow;
        r.isDefault = true;
        r.protocolText = "*";
        r.description = "default rule (implied: not in the export)";
        auto side = [](const char* text) {
            AddressMatch m;
            if (std::string_view(text) == "*")
                m.any = true;
            else
                m.tags.emplace_back(text);
            return m;
        };
        r.source = side(d.source);
        r.destination = side(d.destination);
        r.where = where;
        out.push_back(std::move(r));
    }
    return out;
}

std::optional<SecurityRule> securityRuleFromJson(
    std::string_view json, const std::string& nsgId, const std::string& origin, std::vector<Diagnostic>& diagnostics)
{
    Snapshot scratch;
    AzureReader importer(scratch);
    auto rule = importer.readOneRule(json, nsgId, origin);
    diagnostics = std::move(scratch.diagnostics);
    return rule;
}

} // namespace ew
