#include "whatif.h"

#include "findings/ruleinspection.h"
#include "import/azureimporter.h"

#include <algorithm>
#include <array>
#include <sstream>

namespace ew {

namespace {

using json = nlohmann::json;

constexpr std::array<const char*, 9> kKindNames = { "add-rule", "edit-rule", "delete-rule", "disable-rule",
    "enable-rule", "detach-nsg", "attach-nsg", "remove-public-ip", "restore-public-ip" };

bool iequal(std::string_view a, std::string_view b)
{
    return toLower(a) == toLower(b);
}

// The segment after `key` in an id ("resourcegroups" -> "rg-prod"), empty when absent.
std::string segmentAfter(std::string_view id, std::string_view key)
{
    const std::string lower = toLower(id);
    const std::string needle = "/" + toLower(key) + "/";
    const auto at = lower.find(needle);
    if (at == std::string::npos)
        return {};
    const auto start = at + needle.size();
    const auto end = id.find('/', start);
    return std::string(id.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
}

std::string quoted(const std::string& s)
{
    if (!s.empty() && s.find_first_of(" *'\"$&;|<>()") == std::string::npos)
        return s;
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

int findRule(const NetworkSecurityGroup& nsg, std::string_view name)
{
    for (std::size_t i = 0; i < nsg.rules.size(); ++i)
        if (iequal(nsg.rules[i].name, name))
            return static_cast<int>(i);
    return -1;
}

std::string ruleSummary(const SecurityRule& r, const Snapshot& snap)
{
    return "priority " + std::to_string(r.priority) + ": " + ruleText(r, snap);
}

// The "name" of an edit's rule. The rule comes from a review file and may hold anything: json::value()
// would throw type_error.302 for a name that is not a string.
std::string nameOfRule(const json& rule, const std::string& fallback)
{
    if (!rule.is_object())
        return fallback;
    const auto it = rule.find("name");
    return it != rule.end() && it->is_string() ? it->get<std::string>() : fallback;
}

// AWS rule lists (a security group's allow rules, a network ACL's numbered entries) take the same
// what-if rule JSON as NSGs; their own constraints are checked in compileRule.
bool awsList(const NetworkSecurityGroup& nsg)
{
    return nsg.semantics == NetworkSecurityGroup::Semantics::AllowUnion || nsg.stateless;
}

// An edit's rule read as the importer reads exported ones; a what-if rule is inbound unless it says.
// A network ACL's rule number (1-32766) stands where an NSG's priority (100-4096) would.
std::optional<SecurityRule> readEditRule(const json& spec, const std::string& nsgId, std::vector<Diagnostic>& diags,
    const NetworkSecurityGroup* list = nullptr)
{
    json filled = spec;
    if (filled.is_object() && !filled.contains("direction"))
        filled["direction"] = "Inbound";
    std::optional<std::int64_t> number;
    if (list && awsList(*list) && filled.is_object()) {
        auto it = filled.find("priority");
        if (it != filled.end() && it->is_number_integer())
            number = it->get<std::int64_t>();
        filled["priority"] = 100; // checked below against the list's own range
        if (list->semantics == NetworkSecurityGroup::Semantics::AllowUnion && !filled.contains("access"))
            filled["access"] = "Allow";
    }
    auto rule = securityRuleFromJson(filled.dump(), nsgId, "what-if", diags);
    if (rule && list && awsList(*list)) {
        if (list->semantics == NetworkSecurityGroup::Semantics::AllowUnion) {
            int next = 1; // a security group has no order: after every rule
            for (const auto& r : list->rules)
                next = std::max(next, r.priority + 1);
            rule->priority = next;
        } else if (!number || *number < 1 || *number > 32766) {
            diags.push_back({ Diagnostic::Level::Error, { "what-if", "/priority", 0, 0 },
                "a network ACL entry needs a rule number from 1 to 32766 (\"priority\")" });
            return std::nullopt;
        } else {
            rule->priority = static_cast<int>(*number);
        }
    }
    return rule;
}

// Evaluation order: direction, then priority (as the importer sorts).
// Inserts in the importer's order (inbound first, by priority); returns the rule's index.
std::size_t insertSorted(NetworkSecurityGroup& nsg, SecurityRule rule)
{
    auto at = std::find_if(nsg.rules.begin(), nsg.rules.end(),
        [&](const SecurityRule& r) { return r.inbound != rule.inbound ? !r.inbound : r.priority > rule.priority; });
    const auto inserted = nsg.rules.insert(at, std::move(rule)); // may reallocate: begin() after it
    return static_cast<std::size_t>(inserted - nsg.rules.begin());
}

// A rule from its JSON, checked as the importer checks exported rules, plus Azure's constraints
// within one NSG (unique names, unique priorities per direction).
std::optional<SecurityRule> compileRule(
    const json& spec, const NetworkSecurityGroup& nsg, int replacing, std::string& error)
{
    if (!spec.is_object()) {
        error = "the rule must be a JSON object";
        return std::nullopt;
    }
    std::vector<Diagnostic> diags;
    auto rule = readEditRule(spec, nsg.id, diags, &nsg);
    if (rule && nsg.semantics == NetworkSecurityGroup::Semantics::AllowUnion && !rule->allow) {
        // Amazon VPC User Guide, "Security group rules": "You can specify allow rules, but not deny rules."
        error = nsg.name + " is a security group, which has allow rules only: deny in the subnet's network ACL instead";
        return std::nullopt;
    }
    if (!rule) {
        for (const auto& d : diags)
            if (d.level == Diagnostic::Level::Error) {
                error = "rule " + nameOfRule(spec, "(unnamed)") + ": " + d.message
                    + (d.where.pointer.empty() ? std::string() : " (at " + d.where.pointer + ")");
                break;
            }
        if (error.empty())
            error = "the rule could not be read";
        return std::nullopt;
    }
    for (std::size_t i = 0; i < nsg.rules.size(); ++i) {
        if (static_cast<int>(i) == replacing)
            continue;
        const auto& other = nsg.rules[i];
        if (iequal(other.name, rule->name)) {
            error = nsg.name + " already has a rule named " + other.name;
            return std::nullopt;
        }
        if (other.inbound == rule->inbound && other.priority == rule->priority
            && nsg.semantics == NetworkSecurityGroup::Semantics::FirstMatch) {
            error = nsg.stateless ? "rule number " + std::to_string(rule->priority) + " is taken by entry " + other.name
                    + " in " + nsg.name + " (a network ACL's rule numbers are unique per direction)"
                                  : "priority " + std::to_string(rule->priority) + " is taken by " + other.name + " in "
                    + nsg.name + " (Azure requires unique priorities)";
            return std::nullopt;
        }
    }
    rule->id = nsg.id + "/securityrules/" + toLower(rule->name);
    rule->where = { "what-if", {}, 0, 0 };
    return rule;
}

// IP configurations that a change of this subnet's or NIC's NSG affects.
std::vector<std::string> ipcsBehind(const Snapshot& snap, const std::string& resourceId, bool subnet)
{
    std::vector<std::string> out;
    for (const auto& [id, nic] : snap.nics)
        for (const auto& ipc : nic.ipConfigurations)
            if (subnet ? ipc.subnetId == resourceId : nic.id == resourceId)
                out.push_back(ipc.id);
    return out;
}

// IP configurations with a frontend on this load balancer (pools or NAT rules).
std::vector<std::string> ipcsBehindLoadBalancer(const Snapshot& snap, const std::string& lbId)
{
    std::vector<std::string> out;
    const std::string prefix = lbId + "/";
    auto under = [&](const std::vector<std::string>& ids) {
        return std::any_of(ids.begin(), ids.end(), [&](const std::string& id) { return id.starts_with(prefix); });
    };
    for (const auto& [id, nic] : snap.nics)
        for (const auto& ipc : nic.ipConfigurations)
            if (under(ipc.backendPoolIds) || under(ipc.natRuleIds))
                out.push_back(ipc.id);
    return out;
}

IpConfiguration* findIpc(Snapshot& snap, const std::string& id)
{
    for (auto& [nicId, nic] : snap.nics)
        for (auto& ipc : nic.ipConfigurations)
            if (ipc.id == id)
                return &ipc;
    return nullptr;
}

std::string nameOf(const Snapshot& snap, const std::string& id)
{
    if (auto it = snap.nsgs.find(id); it != snap.nsgs.end())
        return it->second.name;
    if (auto it = snap.subnets.find(id); it != snap.subnets.end())
        return "subnet " + it->second.name;
    if (auto it = snap.nics.find(id); it != snap.nics.end())
        return "NIC " + it->second.name;
    if (auto it = snap.publicIps.find(id); it != snap.publicIps.end())
        return it->second.name;
    return lastSegment(id);
}

std::string displayIdOf(const Snapshot& snap, const std::string& nsgId)
{
    if (auto it = snap.nsgs.find(nsgId); it != snap.nsgs.end() && !it->second.displayId.empty())
        return it->second.displayId;
    return nsgId;
}

// "--source-address-prefixes Internet 10.0.0.0/8 --source-asgs ..." for one side of a rule.
void addressArgs(std::ostringstream& out, const json& rule, const char* side)
{
    const std::string single = std::string(side) + "AddressPrefix";
    const std::string plural = std::string(side) + "AddressPrefixes";
    const std::string asgs = std::string(side) + "ApplicationSecurityGroups";
    std::vector<std::string> prefixes;
    if (rule.contains(single) && rule[single].is_string())
        prefixes.push_back(rule[single].get<std::string>());
    if (rule.contains(plural) && rule[plural].is_array())
        for (const auto& p : rule[plural])
            if (p.is_string())
                prefixes.push_back(p.get<std::string>());
    const std::string flag = std::string(side) == "source" ? "--source-" : "--destination-";
    if (!prefixes.empty()) {
        out << " " << flag << "address-prefixes";
        for (const auto& p : prefixes)
            out << " " << quoted(p);
    }
    if (rule.contains(asgs) && rule[asgs].is_array() && !rule[asgs].empty()) {
        out << " " << flag << "asgs";
        for (const auto& a : rule[asgs])
            if (a.is_object() && a.contains("id") && a["id"].is_string())
                out << " " << quoted(a["id"].get<std::string>());
    }
}

std::string ruleArgs(const json& rule)
{
    std::ostringstream out;
    auto text = [&](const char* key) {
        // Integers as written, other numbers (100.5, 1e300) as JSON writes them: never cast out of range.
        return rule.contains(key) && rule[key].is_string() ? rule[key].get<std::string>()
            : rule.contains(key) && rule[key].is_number()  ? rule[key].dump()
                                                           : std::string();
    };
    out << " --name " << quoted(text("name")) << " --priority " << text("priority") << " --direction "
        << (text("direction").empty() ? std::string("Inbound") : text("direction")) << " --access " << text("access")
        << " --protocol " << quoted(text("protocol").empty() ? std::string("*") : text("protocol"));
    addressArgs(out, rule, "source");
    addressArgs(out, rule, "destination");
    std::vector<std::string> ports;
    if (!text("destinationPortRange").empty())
        ports.push_back(text("destinationPortRange"));
    if (rule.contains("destinationPortRanges") && rule["destinationPortRanges"].is_array())
        for (const auto& p : rule["destinationPortRanges"])
            ports.push_back(p.is_string() ? p.get<std::string>() : p.dump());
    if (!ports.empty()) {
        out << " --destination-port-ranges";
        for (const auto& p : ports)
            out << " " << quoted(p);
    }
    if (!text("description").empty())
        out << " --description " << quoted(text("description"));
    return out.str();
}

std::string nsgArgs(const std::string& nsgDisplayId)
{
    return " --resource-group " + quoted(segmentAfter(nsgDisplayId, "resourceGroups")) + " --nsg-name "
        + quoted(lastSegment(nsgDisplayId));
}

} // namespace

const char* editKindName(WhatIfEdit::Kind kind)
{
    return kKindNames[static_cast<std::size_t>(kind)];
}

bool parseEditKind(std::string_view text, WhatIfEdit::Kind& out)
{
    for (std::size_t i = 0; i < kKindNames.size(); ++i)
        if (text == kKindNames[i]) {
            out = static_cast<WhatIfEdit::Kind>(i);
            return true;
        }
    return false;
}

json ruleJson(const SecurityRule& rule, const Snapshot& snapshot)
{
    (void)snapshot;
    json j = json::object();
    j["name"] = rule.name;
    j["priority"] = rule.priority;
    j["access"] = rule.allow ? "Allow" : "Deny";
    j["direction"] = rule.inbound ? "Inbound" : "Outbound";
    j["protocol"] = rule.protocolText.empty() ? std::string("*") : rule.protocolText;
    auto side = [&](const AddressMatch& m, const std::string& prefix) {
        std::vector<std::string> parts;
        if (m.any)
            parts.push_back("*");
        else {
            parts = m.tags;
            for (const auto& c : m.prefixes.toCidrs())
                parts.push_back(c);
        }
        if (parts.size() == 1)
            j[prefix + "AddressPrefix"] = parts.front();
        else if (!parts.empty())
            j[prefix + "AddressPrefixes"] = parts;
        if (!m.asgIds.empty()) {
            json asgs = json::array();
            for (const auto& a : m.asgIds)
                asgs.push_back({ { "id", a } });
            j[prefix + "ApplicationSecurityGroups"] = std::move(asgs);
        }
    };
    side(rule.source, "source");
    side(rule.destination, "destination");
    if (rule.destinationPorts.isAll())
        j["destinationPortRange"] = "*";
    else {
        std::vector<std::string> ports;
        for (const auto& r : rule.destinationPorts.ranges())
            ports.push_back(
                r.first == r.last ? std::to_string(r.first) : std::to_string(r.first) + "-" + std::to_string(r.last));
        j["destinationPortRanges"] = ports;
    }
    if (!rule.description.empty())
        j["description"] = rule.description;
    return j;
}

bool applyEdit(Snapshot& snap, const WhatIfEdit& request, WhatIfEdit& inverse, EditImpact& impact, std::string& error)
{
    using Kind = WhatIfEdit::Kind;
    const WhatIfEdit edit = request; // the caller may pass the same object as inverse (undo of undo)
    inverse = {};
    impact = {};
    const bool ruleEdit = edit.kind == Kind::AddRule || edit.kind == Kind::EditRule || edit.kind == Kind::DeleteRule
        || edit.kind == Kind::DisableRule || edit.kind == Kind::EnableRule;
    if (ruleEdit) {
        auto it = snap.nsgs.find(normaliseId(edit.nsgId));
        if (it == snap.nsgs.end()) {
            error = "there is no network security group " + edit.nsgId + " in the snapshot";
            return false;
        }
        auto& nsg = it->second;
        inverse.nsgId = nsg.id;
        impact.nsgIds.push_back(nsg.id);
        auto& change = impact.ruleChanges.emplace_back();
        if (edit.kind == Kind::AddRule) {
            std::optional<SecurityRule> rule;
            if (edit.exact)
                rule = *edit.exact;
            else
                rule = compileRule(edit.rule, nsg, -1, error);
            if (!rule)
                return false;
            inverse.kind = Kind::DeleteRule;
            inverse.ruleName = rule->name;
            change.added = insertSorted(nsg, std::move(*rule));
            return true;
        }
        const int index = findRule(nsg, edit.ruleName);
        if (index < 0) {
            error = nsg.name + " has no rule named " + edit.ruleName;
            return false;
        }
        SecurityRule& old = nsg.rules[static_cast<std::size_t>(index)];
        if (old.isDefault && edit.kind != Kind::EnableRule) {
            error = nsg.stateless ? "entry " + old.name
                    + " is the network ACL's final rule, which cannot be changed or removed; add an entry with a lower "
                      "rule number instead"
                                  : old.name
                    + " is one of Azure's default rules, which cannot be changed or removed; add a rule "
                      "with a lower priority number instead";
            return false;
        }
        switch (edit.kind) {
        case Kind::EditRule: {
            std::optional<SecurityRule> rule;
            if (edit.exact)
                rule = *edit.exact;
            else
                rule = compileRule(edit.rule, nsg, index, error);
            if (!rule)
                return false;
            rule->disabled = old.disabled;
            inverse.kind = Kind::EditRule;
            inverse.ruleName = rule->name;
            inverse.rule = ruleJson(old, snap);
            inverse.exact = std::make_shared<const SecurityRule>(old);
            nsg.rules.erase(nsg.rules.begin() + index);
            change.removed = static_cast<std::size_t>(index);
            change.added = insertSorted(nsg, std::move(*rule));
            return true;
        }
        case Kind::DeleteRule:
            inverse.kind = Kind::AddRule;
            inverse.rule = ruleJson(old, snap);
            inverse.exact = std::make_shared<const SecurityRule>(old);
            nsg.rules.erase(nsg.rules.begin() + index);
            change.removed = static_cast<std::size_t>(index);
            return true;
        case Kind::DisableRule:
        case Kind::EnableRule: {
            const bool disable = edit.kind == Kind::DisableRule;
            if (old.disabled == disable) {
                error = old.name + (disable ? " is already disabled" : " is not disabled");
                return false;
            }
            old.disabled = disable;
            change.removed = change.added = static_cast<std::size_t>(index);
            inverse.kind = disable ? Kind::EnableRule : Kind::DisableRule;
            inverse.ruleName = old.name;
            return true;
        }
        default:
            break;
        }
        return false;
    }

    const std::string resource = normaliseId(edit.resourceId);
    if (edit.kind == Kind::DetachNsg || edit.kind == Kind::AttachNsg) {
        std::string* slot = nullptr;
        bool subnet = false;
        if (auto s = snap.subnets.find(resource); s != snap.subnets.end()) {
            slot = &s->second.nsgId;
            subnet = true;
        } else if (auto n = snap.nics.find(resource); n != snap.nics.end()) {
            slot = &n->second.nsgId;
        } else {
            error = "there is no subnet or network interface " + edit.resourceId + " in the snapshot";
            return false;
        }
        std::string next;
        if (edit.kind == Kind::AttachNsg) {
            next = normaliseId(edit.nsgId);
            if (!snap.nsgs.count(next)) {
                error = "there is no network security group " + edit.nsgId + " in the snapshot";
                return false;
            }
        } else if (slot->empty()) {
            error = nameOf(snap, resource) + " has no network security group to detach";
            return false;
        }
        inverse.resourceId = resource;
        if (slot->empty()) {
            inverse.kind = Kind::DetachNsg;
        } else {
            inverse.kind = Kind::AttachNsg;
            inverse.nsgId = *slot;
        }
        *slot = next;
        impact.ipConfigurationIds = ipcsBehind(snap, resource, subnet);
        return true;
    }

    // Public IPs: on an IP configuration, or on a load balancer's frontend.
    if (edit.kind == Kind::RemovePublicIp) {
        for (auto& [nicId, nic] : snap.nics)
            for (auto& ipc : nic.ipConfigurations)
                if (ipc.publicIpId == resource) {
                    ipc.publicIpId.clear();
                    inverse = { Kind::RestorePublicIp, {}, {}, {}, resource, ipc.id, nullptr };
                    impact.ipConfigurationIds.push_back(ipc.id);
                    return true;
                }
        for (auto& [lbId, lb] : snap.loadBalancers)
            for (auto& fe : lb.frontends)
                if (fe.publicIpId == resource) {
                    fe.publicIpId.clear();
                    inverse = { Kind::RestorePublicIp, {}, {}, {}, resource, fe.id, nullptr };
                    impact.ipConfigurationIds = ipcsBehindLoadBalancer(snap, lb.id);
                    return true;
                }
        error = "public IP " + nameOf(snap, resource) + " is not attached to a NIC or load balancer in the snapshot";
        return false;
    }
    if (edit.kind == Kind::RestorePublicIp) {
        const std::string holder = normaliseId(edit.holderId);
        if (auto* ipc = findIpc(snap, holder)) {
            if (!ipc->publicIpId.empty()) {
                error = ipc->name + " already has a public IP";
                return false;
            }
            ipc->publicIpId = resource;
            inverse = { Kind::RemovePublicIp, {}, {}, {}, resource, {}, nullptr };
            impact.ipConfigurationIds.push_back(ipc->id);
            return true;
        }
        for (auto& [lbId, lb] : snap.loadBalancers)
            for (auto& fe : lb.frontends)
                if (fe.id == holder) {
                    if (!fe.publicIpId.empty()) {
                        error = "frontend " + fe.name + " already has a public IP";
                        return false;
                    }
                    fe.publicIpId = resource;
                    inverse = { Kind::RemovePublicIp, {}, {}, {}, resource, {}, nullptr };
                    impact.ipConfigurationIds = ipcsBehindLoadBalancer(snap, lb.id);
                    return true;
                }
        error = "there is no IP configuration or load-balancer frontend " + edit.holderId + " in the snapshot";
        return false;
    }
    error = "unknown edit";
    return false;
}

std::string describeEdit(const WhatIfEdit& edit, const Snapshot& snap)
{
    using Kind = WhatIfEdit::Kind;
    const std::string nsg = nameOf(snap, normaliseId(edit.nsgId));
    auto specSummary = [&]() {
        std::vector<Diagnostic> diags;
        const auto list = snap.nsgs.find(normaliseId(edit.nsgId));
        auto r = readEditRule(
            edit.rule, normaliseId(edit.nsgId), diags, list == snap.nsgs.end() ? nullptr : &list->second);
        return r ? r->name + " (" + ruleSummary(*r, snap) + ")" : nameOfRule(edit.rule, "(invalid rule)");
    };
    switch (edit.kind) {
    case Kind::AddRule:
        return "Add rule " + specSummary() + " to " + nsg;
    case Kind::EditRule:
        return "Change rule " + edit.ruleName + " of " + nsg + " to " + specSummary();
    case Kind::DeleteRule:
        return "Delete rule " + edit.ruleName + " of " + nsg;
    case Kind::DisableRule:
        return "Disable rule " + edit.ruleName + " of " + nsg;
    case Kind::EnableRule:
        return "Enable rule " + edit.ruleName + " of " + nsg;
    case Kind::DetachNsg:
        return "Detach the network security group from " + nameOf(snap, normaliseId(edit.resourceId));
    case Kind::AttachNsg:
        return "Attach " + nsg + " to " + nameOf(snap, normaliseId(edit.resourceId));
    case Kind::RemovePublicIp:
        return "Remove public IP " + nameOf(snap, normaliseId(edit.resourceId));
    case Kind::RestorePublicIp:
        return "Restore public IP " + nameOf(snap, normaliseId(edit.resourceId));
    }
    return {};
}

namespace {

// ICMP type-codes as AWS names them: (type, code), -1 for all; a set that is not whole types or
// single codes is listed code by code.
std::vector<std::pair<int, int>> icmpTypesAndCodes(const PortSet& typeCodes)
{
    if (typeCodes.isAll())
        return { { -1, -1 } };
    std::vector<std::pair<int, int>> out;
    for (const auto r : typeCodes.ranges())
        for (std::uint32_t v = r.first; v <= r.last;) {
            const auto type = static_cast<int>(v >> 8);
            if ((v & 0xffu) == 0 && (v | 0xffu) <= r.last) {
                out.emplace_back(type, -1);
                v += 0x100;
            } else {
                out.emplace_back(type, static_cast<int>(v & 0xffu));
                ++v;
            }
        }
    return out;
}

// The AWS CLI commands of a rule edit (EC2 API reference: AuthorizeSecurityGroupIngress,
// RevokeSecurityGroupIngress, CreateNetworkAclEntry, DeleteNetworkAclEntry).
std::string awsCommand(const WhatIfEdit& edit, const NetworkSecurityGroup& list, const Snapshot& snap)
{
    using Kind = WhatIfEdit::Kind;
    const std::string id = list.displayId.empty() ? list.id : list.displayId;
    // One IpPermission per port range of the rule (a permission has one FromPort-ToPort).
    auto permission = [&](const SecurityRule& r) {
        json base;
        const std::string proto = toLower(r.protocolText);
        const bool all = proto == "*" || proto == "-1" || proto == "all" || proto.empty();
        base["IpProtocol"] = all ? "-1" : proto;
        json v4 = json::array(), v6 = json::array(), groups = json::array();
        const AddressSet prefixes = r.source.any ? AddressSet::all() : r.source.prefixes;
        for (const auto& c : prefixes.toCidrs())
            (c.find(':') == std::string::npos ? v4 : v6)
                .push_back({ { c.find(':') == std::string::npos ? "CidrIp" : "CidrIpv6", c } });
        for (const auto& g : r.source.asgIds)
            groups.push_back({ { "GroupId", g } });
        if (!v4.empty())
            base["IpRanges"] = v4;
        if (!v6.empty())
            base["Ipv6Ranges"] = v6;
        if (!groups.empty())
            base["UserIdGroupPairs"] = groups;
        json permissions = json::array();
        if (const bool icmp = proto == "icmp" || proto == "1" || proto == "icmpv6" || proto == "58"; icmp) {
            // An ICMP permission's FromPort is the type and its ToPort the code, -1 for all.
            for (const auto& [type, code] : icmpTypesAndCodes(r.icmpTypes)) {
                json p = base;
                p["FromPort"] = type;
                p["ToPort"] = code;
                permissions.push_back(std::move(p));
            }
        } else if (all || r.destinationPorts.isAll() || r.destinationPorts.ranges().empty())
            permissions.push_back(base);
        else
            for (const auto& range : r.destinationPorts.ranges()) {
                json p = base;
                p["FromPort"] = range.first;
                p["ToPort"] = range.last;
                permissions.push_back(std::move(p));
            }
        return quoted(permissions.dump());
    };
    // One entry per source CIDR and port range (an entry has one of each), at consecutive numbers.
    auto entry = [&](const SecurityRule& r, const char* verb) {
        const std::string proto = toLower(r.protocolText);
        const std::string number = proto == "tcp" ? "6"
            : proto == "udp"                      ? "17"
            : proto == "icmp"                     ? "1"
            : proto == "icmpv6"                   ? "58"
            : proto == "*" || proto.empty()       ? "-1"
                                                  : proto;
        const AddressSet& side = r.inbound ? r.source.prefixes : r.destination.prefixes;
        const auto cidrs = (r.inbound ? r.source.any : r.destination.any) ? std::vector<std::string> { "0.0.0.0/0" }
                                                                          : side.toCidrs();
        std::vector<std::string> ranges;
        if (number == "1" || number == "58")
            for (const auto& [type, code] : icmpTypesAndCodes(r.icmpTypes))
                ranges.push_back(" --icmp-type-code Type=" + std::to_string(type) + ",Code=" + std::to_string(code));
        else if (r.destinationPorts.isAll() || r.destinationPorts.ranges().empty())
            ranges.emplace_back();
        else
            for (const auto& range : r.destinationPorts.ranges())
                ranges.push_back(
                    " --port-range From=" + std::to_string(range.first) + ",To=" + std::to_string(range.last));
        std::string out;
        int n = r.priority;
        for (const auto& cidr : cidrs)
            for (const auto& range : ranges)
                out += (out.empty() ? "" : " && ") + std::string("aws ec2 ") + verb
                    + "-network-acl-entry --network-acl-id " + quoted(id) + (r.inbound ? " --ingress" : " --egress")
                    + " --rule-number " + std::to_string(n++) + " --protocol " + number + " --rule-action "
                    + (r.allow ? "allow" : "deny")
                    + (cidr.find(':') == std::string::npos ? " --cidr-block " : " --ipv6-cidr-block ") + cidr + range;
        return out;
    };
    auto existing = [&](const std::string& name) -> const SecurityRule* {
        const int i = findRule(list, name);
        return i < 0 ? nullptr : &list.rules[static_cast<std::size_t>(i)];
    };
    auto compiled = [&]() -> std::optional<SecurityRule> {
        std::vector<Diagnostic> diags;
        return readEditRule(edit.rule, list.id, diags, &list);
    };
    const bool acl = list.stateless;
    auto remove = [&](const SecurityRule& r) {
        return acl ? "aws ec2 delete-network-acl-entry --network-acl-id " + quoted(id)
                + (r.inbound ? " --ingress" : " --egress") + " --rule-number " + std::to_string(r.priority)
                   : "aws ec2 revoke-security-group-ingress --group-id " + quoted(r.ownerId.empty() ? id : r.ownerId)
                + " --ip-permissions " + permission(r);
    };
    auto add = [&](const SecurityRule& r) {
        return acl ? entry(r, "create")
                   : "aws ec2 authorize-security-group-ingress --group-id " + quoted(id) + " --ip-permissions "
                + permission(r);
    };
    switch (edit.kind) {
    case Kind::AddRule:
        if (auto r = compiled())
            return add(*r);
        break;
    case Kind::EditRule: {
        const SecurityRule* old = existing(edit.ruleName);
        auto r = compiled();
        if (old && r)
            return acl && old->priority == r->priority ? entry(*r, "replace") : remove(*old) + " && " + add(*r);
        break;
    }
    case Kind::DeleteRule:
    case Kind::DisableRule:
        if (const SecurityRule* old = existing(edit.ruleName))
            return remove(*old)
                + (edit.kind == Kind::DisableRule
                        ? "  # AWS rules cannot be disabled; removing the rule has the same effect"
                        : "");
        break;
    case Kind::EnableRule:
        return "# " + edit.ruleName + " stays as it is";
    default:
        break;
    }
    (void)snap;
    return "# " + describeEdit(edit, snap);
}

} // namespace

std::string azCommand(const WhatIfEdit& edit, const Snapshot& snap)
{
    using Kind = WhatIfEdit::Kind;
    if (auto list = snap.nsgs.find(normaliseId(edit.nsgId)); list != snap.nsgs.end() && awsList(list->second)
        && edit.kind != Kind::AttachNsg && edit.kind != Kind::DetachNsg)
        return awsCommand(edit, list->second, snap);
    const std::string nsgId = displayIdOf(snap, normaliseId(edit.nsgId));
    const std::string resource = normaliseId(edit.resourceId);
    switch (edit.kind) {
    case Kind::AddRule:
        return "az network nsg rule create" + nsgArgs(nsgId) + ruleArgs(edit.rule);
    case Kind::EditRule:
        if (!iequal(nameOfRule(edit.rule, edit.ruleName), edit.ruleName))
            return "az network nsg rule delete" + nsgArgs(nsgId) + " --name " + quoted(edit.ruleName)
                + " && az network nsg rule create" + nsgArgs(nsgId) + ruleArgs(edit.rule);
        return "az network nsg rule update" + nsgArgs(nsgId) + ruleArgs(edit.rule);
    case Kind::DeleteRule:
        return "az network nsg rule delete" + nsgArgs(nsgId) + " --name " + quoted(edit.ruleName);
    case Kind::DisableRule:
        return "az network nsg rule delete" + nsgArgs(nsgId) + " --name " + quoted(edit.ruleName)
            + "  # Azure rules cannot be disabled; deleting the rule has the same effect";
    case Kind::EnableRule:
        return "# " + edit.ruleName + " stays as it is";
    case Kind::DetachNsg:
    case Kind::AttachNsg: {
        const std::string rg = quoted(segmentAfter(resource, "resourceGroups"));
        const std::string what = edit.kind == Kind::DetachNsg
            ? std::string(" --remove networkSecurityGroup")
            : " --network-security-group " + quoted(displayIdOf(snap, normaliseId(edit.nsgId)));
        if (snap.subnets.count(resource))
            return "az network vnet subnet update --resource-group " + rg + " --vnet-name "
                + quoted(segmentAfter(resource, "virtualNetworks")) + " --name " + quoted(lastSegment(resource)) + what;
        return "az network nic update --resource-group " + rg + " --name " + quoted(lastSegment(resource)) + what;
    }
    case Kind::RemovePublicIp: {
        // Where the public IP sits decides the command.
        for (const auto& [nicId, nic] : snap.nics)
            for (const auto& ipc : nic.ipConfigurations)
                if (ipc.publicIpId == resource)
                    return "az network nic ip-config update --resource-group "
                        + quoted(segmentAfter(nic.displayId.empty() ? nic.id : nic.displayId, "resourceGroups"))
                        + " --nic-name " + quoted(nic.name) + " --name " + quoted(ipc.name)
                        + " --remove publicIpAddress";
        for (const auto& [lbId, lb] : snap.loadBalancers)
            for (const auto& fe : lb.frontends)
                if (fe.publicIpId == resource)
                    return "az network lb frontend-ip delete --resource-group "
                        + quoted(segmentAfter(lb.id, "resourceGroups")) + " --lb-name " + quoted(lb.name) + " --name "
                        + quoted(fe.name) + "  # a frontend needs an address: remove the rules that use it first";
        return "# public IP " + nameOf(snap, resource) + " is not attached";
    }
    case Kind::RestorePublicIp:
        return "# restore public IP " + nameOf(snap, resource);
    }
    return {};
}

json editJson(const WhatIfEdit& edit)
{
    using Kind = WhatIfEdit::Kind;
    json j = json::object();
    j["kind"] = editKindName(edit.kind);
    if (!edit.nsgId.empty())
        j["nsg"] = edit.nsgId;
    if (!edit.ruleName.empty())
        j["rule"] = edit.ruleName;
    if (edit.kind == Kind::AddRule || edit.kind == Kind::EditRule)
        j["newRule"] = edit.rule;
    if (!edit.resourceId.empty())
        j["resource"] = edit.resourceId;
    if (!edit.holderId.empty())
        j["holder"] = edit.holderId;
    return j;
}

bool editFromJson(const json& j, WhatIfEdit& edit, std::string& error)
{
    using Kind = WhatIfEdit::Kind;
    edit = {};
    if (!j.is_object()) {
        error = std::string("an edit must be an object, not ") + j.type_name();
        return false;
    }
    auto text = [&](const char* key, std::string& out, bool required) {
        auto it = j.find(key);
        if (it == j.end()) {
            if (required)
                error = std::string("missing \"") + key + "\"";
            return !required;
        }
        if (!it->is_string()) {
            error = std::string("\"") + key + "\" must be a string, not " + it->type_name();
            return false;
        }
        out = it->get<std::string>();
        return true;
    };
    std::string kind;
    if (!text("kind", kind, true))
        return false;
    if (!parseEditKind(kind, edit.kind)) {
        error = "unknown edit kind \"" + kind + "\"";
        return false;
    }
    const bool ruleEdit = edit.kind == Kind::AddRule || edit.kind == Kind::EditRule || edit.kind == Kind::DeleteRule
        || edit.kind == Kind::DisableRule || edit.kind == Kind::EnableRule;
    const bool named = ruleEdit && edit.kind != Kind::AddRule;
    const bool resource = !ruleEdit;
    if (!text("nsg", edit.nsgId, ruleEdit || edit.kind == Kind::AttachNsg) || !text("rule", edit.ruleName, named)
        || !text("resource", edit.resourceId, resource)
        || !text("holder", edit.holderId, edit.kind == Kind::RestorePublicIp))
        return false;
    if (edit.kind == Kind::AddRule || edit.kind == Kind::EditRule) {
        auto it = j.find("newRule");
        if (it == j.end() || !it->is_object()) {
            error = "\"newRule\" must be an object (the rule as the az CLI writes it)";
            return false;
        }
        edit.rule = *it;
    }
    return true;
}

std::string scenarioChangeList(const Scenario& scenario, const Snapshot& base, bool markdown)
{
    std::ostringstream out;
    if (markdown)
        out << "# What-if scenario: " << scenario.name << "\n\n";
    else
        out << "What-if scenario: " << scenario.name << "\n\n";
    if (scenario.edits.empty())
        out << "No changes.\n";
    int n = 0;
    for (const auto& e : scenario.edits) {
        ++n;
        if (markdown)
            out << n << ". " << describeEdit(e, base) << "\n\n   ```sh\n   " << azCommand(e, base) << "\n   ```\n\n";
        else
            out << n << ". " << describeEdit(e, base) << "\n   " << azCommand(e, base) << "\n\n";
    }
    return out.str();
}

} // namespace ew
