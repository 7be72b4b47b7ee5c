// The AWS reader: `aws ec2 describe-*` documents (and the collectors that store them), recognised by
// their top-level key, read into the neutral model. Documentation of the semantics is cited where
// the model is decided (VPCs, security groups, network ACLs, route tables, internet gateways).

#include "awsreader.h"

#include "jsonnode.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

namespace ew {

namespace {

constexpr std::string_view kEc2Keys[] = { "SecurityGroups", "NetworkAcls", "RouteTables", "InternetGateways",
    "EgressOnlyInternetGateways", "NatGateways", "NetworkInterfaces", "Reservations", "Subnets", "Vpcs", "Addresses",
    "VpcPeeringConnections", "DBInstances", "PrefixLists" };

// Documents of AWS services that play a part later (issue 12) or none: recognised, so that they are
// skipped with a reason instead of read as something else.
constexpr std::string_view kLaterKeys[] = { "LoadBalancers", "LoadBalancerDescriptions", "Listeners", "TargetGroups",
    "TargetHealthDescriptions", "LoadBalancerListeners", "LoadBalancerTargetHealth", "LoadBalancerAttributes",
    "DBClusters", "DBSubnetGroups", "DomainStatusList", "DomainStatus", "Clusters", "ClusterSubnetGroups",
    "CacheClusters", "CacheSubnetGroups", "ReplicationGroups", "SecurityGroupRules" };

constexpr std::string_view kIgnoredKeys[] = { "AvailabilityZones", "VpcEndpoints", "ServiceNames", "ServiceDetails",
    "DomainNames", "Regions", "DhcpOptions", "CustomerGateways", "VpnGateways", "VpnConnections", "Hosts",
    "PlacementGroups", "InstanceStatuses", "MovingAddressStatuses", "Instances", "Tags" };

// A number field; kAbsent when missing or not a number.
constexpr std::int64_t kAbsent = -2;
std::int64_t number(const std::optional<JsonNode>& n)
{
    return n ? n->intValue().value_or(kAbsent) : kAbsent;
}

std::string lower(std::string_view s)
{
    return toLower(s);
}

// The region of an availability zone name ("eu-west-1a" -> "eu-west-1", a Local Zone
// "us-west-2-lax-1a" -> "us-west-2"); "" for anything else (a zone id such as "use1-az1").
std::string regionOfZone(const std::string& zone)
{
    static const std::regex region(R"(^([a-z]{2}(-[a-z]+)+-[0-9]+)[a-z0-9-]*$)");
    std::smatch m;
    return std::regex_match(zone, m, region) && m[1].length() < static_cast<long>(zone.size()) ? m[1].str()
                                                                                               : std::string();
}

// The fields of an ARN ("arn", partition, service, region, account, resource...); empty when not one.
std::vector<std::string> arnParts(const std::string& arn)
{
    std::vector<std::string> parts;
    if (arn.rfind("arn:", 0) != 0)
        return parts;
    std::size_t at = 0;
    for (int i = 0; i < 5; ++i) {
        const auto colon = arn.find(':', at);
        if (colon == std::string::npos)
            return {};
        parts.push_back(arn.substr(at, colon - at));
        at = colon + 1;
    }
    parts.push_back(arn.substr(at));
    return parts;
}

// A hash of a JSON value that does not depend on the order of object members (collectors sort keys
// or not) or on white space; members named in `ignored` are left out at any depth.
std::size_t contentHash(simdjson::dom::element e, std::initializer_list<std::string_view> ignored = {})
{
    const auto mix = [](std::size_t h, std::size_t v) { return (h ^ v) * 0x100000001b3ull; };
    std::size_t h = 0xcbf29ce484222325ull;
    switch (e.type()) {
    case simdjson::dom::element_type::ARRAY: {
        h = mix(h, '[');
        simdjson::dom::array arr;
        if (e.get_array().get(arr) == simdjson::SUCCESS)
            for (auto child : arr)
                h = mix(h, contentHash(child, ignored));
        return h;
    }
    case simdjson::dom::element_type::OBJECT: {
        std::vector<std::pair<std::string_view, std::size_t>> members;
        simdjson::dom::object obj;
        if (e.get_object().get(obj) == simdjson::SUCCESS)
            for (auto field : obj)
                if (std::find(ignored.begin(), ignored.end(), field.key) == ignored.end())
                    members.emplace_back(field.key, contentHash(field.value, ignored));
        std::sort(members.begin(), members.end());
        h = mix(h, '{');
        for (const auto& [key, value] : members)
            h = mix(mix(h, std::hash<std::string_view> {}(key)), value);
        return h;
    }
    default:
        return mix(h, std::hash<std::string> {}(simdjson::minify(e)));
    }
}

std::string nameTag(const JsonNode& item)
{
    std::string name;
    if (auto tags = item.get("Tags"); tags && tags->isArray())
        tags->forEachElement([&](const JsonNode& t) {
            auto k = t.get("Key");
            auto v = t.get("Value");
            if (k && v && k->stringValue() == "Name")
                name = std::string(v->stringValue());
        });
    return name;
}

std::map<std::string, std::string> tagsOf(const JsonNode& item)
{
    std::map<std::string, std::string> out;
    if (auto tags = item.get("Tags"); tags && tags->isArray())
        tags->forEachElement([&](const JsonNode& t) {
            auto k = t.get("Key");
            auto v = t.get("Value");
            if (k && v && k->isString())
                out[std::string(k->stringValue())] = std::string(v->stringValue());
        });
    return out;
}

// A protocol as AWS writes it: "-1", a name or an IANA number as a string (tcp 6, udp 17, icmp 1,
// icmpv6 58). "Use -1 to specify all protocols ... a protocol number other than tcp, udp, icmp, or
// icmpv6 allows traffic on all ports" (EC2 API reference, IpPermission.IpProtocol). ICMP (1) is
// IPv4's and ICMPv6 (58) IPv6's: the family of the rule.
bool protocolOf(std::string_view text, ProtocolMask& mask, bool& ported, SecurityRule::Family& family)
{
    const std::string p = lower(text);
    ported = false;
    family = SecurityRule::Family::Any;
    if (p == "-1" || p == "all") {
        mask = kAllProtocols;
        return true;
    }
    if (p == "tcp" || p == "6") {
        mask = maskOf(Protocol::Tcp);
        ported = true;
    } else if (p == "udp" || p == "17") {
        mask = maskOf(Protocol::Udp);
        ported = true;
    } else if (p == "icmp" || p == "1" || p == "icmpv6" || p == "58") {
        mask = maskOf(Protocol::Icmp);
        family = p == "icmp" || p == "1" ? SecurityRule::Family::V4 : SecurityRule::Family::V6;
    } else if (!p.empty() && std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        mask = maskOf(Protocol::Other);
    } else {
        return false;
    }
    return true;
}

class AwsReader final : public FormatReader
{
public:
    explicit AwsReader(Snapshot& snap)
        : m_snap(snap)
    { }

    bool recognise(simdjson::dom::element root) const override
    {
        simdjson::dom::object obj;
        if (root.get_object().get(obj) != simdjson::SUCCESS)
            return false;
        // Azure documents (PowerShell objects among them) name themselves; AWS list responses do not.
        for (const char* azure : { "Id", "id", "type", "Type", "properties", "ResourceGroupName" })
            if (obj[azure].error() == simdjson::SUCCESS)
                return false;
        if (wrapper(obj))
            return true;
        for (auto field : obj) {
            for (auto key : kEc2Keys)
                if (field.key == key)
                    return shapeFits(field.key, field.value);
            for (auto key : kLaterKeys)
                if (field.key == key)
                    return true;
            // get-managed-prefix-list-entries: a generic key; the reader decides from the layout
            // whether it is a prefix list's (and skips it with the reason when not).
            if (field.key == "Entries" && field.value.is_array())
                return true;
            for (auto key : kIgnoredKeys)
                if (field.key == key && field.value.is_array())
                    return true;
        }
        return false;
    }

    void read(const Document& doc) override;
    void link() override;

private:
    // Documents about AWS that are not exports: botocore's documentation examples and LocalStack's
    // recorded test snapshots.
    static bool wrapper(simdjson::dom::object obj)
    {
        if (obj["examples"].error() == simdjson::SUCCESS && obj["version"].error() == simdjson::SUCCESS)
            return true;
        for (auto field : obj)
            if (field.key.find("::") != std::string_view::npos
                && field.value["recorded-content"].error() == simdjson::SUCCESS)
                return true;
        return false;
    }

    // Keys shared with other services are told apart by their items (research: botocore scan).
    static bool shapeFits(std::string_view key, simdjson::dom::element list)
    {
        simdjson::dom::array arr;
        if (list.get_array().get(arr) != simdjson::SUCCESS)
            return false;
        if (arr.size() == 0)
            return true;
        simdjson::dom::object first;
        if ((*arr.begin()).get_object().get(first) != simdjson::SUCCESS)
            return false;
        auto has = [&](std::string_view k) { return first[k].error() == simdjson::SUCCESS; };
        static constexpr std::pair<std::string_view, std::string_view> kIds[] = { { "SecurityGroups", "GroupId" },
            { "NetworkAcls", "NetworkAclId" }, { "RouteTables", "RouteTableId" },
            { "InternetGateways", "InternetGatewayId" },
            { "EgressOnlyInternetGateways", "EgressOnlyInternetGatewayId" }, { "NatGateways", "NatGatewayId" },
            { "NetworkInterfaces", "NetworkInterfaceId" }, { "Reservations", "Instances" }, { "Subnets", "SubnetId" },
            { "Vpcs", "VpcId" }, { "Addresses", "PublicIp" }, { "VpcPeeringConnections", "VpcPeeringConnectionId" },
            { "DBInstances", "DBInstanceIdentifier" }, { "PrefixLists", "PrefixListId" } };
        for (const auto& [k, id] : kIds)
            if (k == key)
                return has(id);
        return true;
    }

    void error(const JsonNode& at, std::string msg)
    {
        m_snap.diagnostics.push_back({ Diagnostic::Level::Error, { m_file, at.pointer(), 0, 0 }, std::move(msg) });
    }
    void warn(const JsonNode& at, std::string msg)
    {
        m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, { m_file, at.pointer(), 0, 0 }, std::move(msg) });
    }
    SourceLocation here(const JsonNode& n) const { return { m_file, n.pointer(), 0, 0 }; }
    static std::string str(const JsonNode& n, std::string_view key)
    {
        auto v = n.get(key);
        return v && v->isString() ? std::string(v->stringValue()) : std::string();
    }
    AddressSet prefix(const JsonNode& at, const std::string& text)
    {
        // "::/0" is every IPv6 address, not every address: IPv4 lives apart in the address space.
        if (auto p = parsePrefix(text))
            return text.find(':') != std::string::npos
                ? AddressSet::range(p->first, p->last).intersected(AddressSet::allV6())
                : AddressSet::range(p->first, p->last);
        error(at, "invalid CIDR \"" + text + "\"");
        return {};
    }

    /// Whether an item is the first copy of its resource (by its kind's id). A collector run per
    /// account, or twice, lists the same resource in several folders: a copy with the same content
    /// is left out silently, one with other content is left out with a warning (once per resource).
    bool firstCopy(std::string_view kind, const JsonNode& item);
    /// The account and region of an interface, from what the documents said (see NetworkInterface).
    void ownerOf(NetworkInterface& nic) const;

    void readVpc(const JsonNode& v);
    void readSubnet(const JsonNode& s);
    void readSecurityGroup(const JsonNode& g);
    void readPermission(const JsonNode& p, bool inbound, NetworkSecurityGroup& sg);
    void readNetworkAcl(const JsonNode& a);
    void readRouteTable(const JsonNode& t);
    void readInternetGateway(const JsonNode& g);
    void readInterface(const JsonNode& e, const std::string& instanceId);
    /// One private address of an interface; its groups are its "ASGs" (a group reference names the
    /// members' private addresses).
    IpConfiguration ipConfiguration(const JsonNode& at, const NetworkInterface& nic, const std::string& address,
        const std::string& subnetId, bool primary)
    {
        IpConfiguration ipc;
        ipc.id = nic.id + "/ipconfigurations/" + address;
        ipc.name = address;
        ipc.nicId = nic.id;
        ipc.privateAddress = address;
        if (auto a = parseAddress(address)) {
            ipc.privateIp = *a;
            ipc.privateRange = AddressSet::range(*a, *a);
        } else {
            error(at, "invalid private address \"" + address + "\"");
        }
        ipc.subnetId = subnetId;
        ipc.asgIds = nic.securityGroupIds;
        ipc.primary = primary;
        ipc.where = here(at);
        return ipc;
    }
    void readInstance(const JsonNode& i);
    void readAddress(const JsonNode& a);
    void readPeering(const JsonNode& p);
    void readDbInstance(const JsonNode& d);
    void readPrefixList(const JsonNode& l);
    /// get-managed-prefix-list-entries: the list it belongs to comes from a wrapper's PrefixListId or
    /// the collector's layout; false (the file skipped with the reason) when neither names one.
    bool readEntries(const JsonNode& root, const JsonNode& list);
    /// The CIDR blocks of a prefix list into it (entries or Cidrs), each diagnosed at its place.
    void addPrefixListCidr(PrefixList& pl, const JsonNode& at, const std::string& cidr)
    {
        const AddressSet a = prefix(at, cidr);
        if (a.isEmpty())
            return;
        pl.addresses = pl.addresses.united(a);
        pl.cidrs.push_back(cidr);
    }
    /// The public address of an interface's private address (auto-assigned or Elastic IP).
    void publicAddress(const std::string& address, const std::string& ipcId, const SourceLocation& where,
        const std::string& allocationId);

    Snapshot& m_snap;
    std::string m_file;
    InputFile* m_input = nullptr;
    struct Association
    {
        std::string subnetId;
        std::string listId;
    };
    std::vector<Association> m_aclAssociations, m_routeAssociations;
    struct Attachment
    {
        std::string gatewayId, vpcId;
    };
    std::vector<Attachment> m_igwAttachments;
    struct Eip
    {
        std::string address, allocationId, interfaceId, privateAddress;
        SourceLocation where;
    };
    std::vector<Eip> m_eips;
    std::set<std::string> m_interfacesFromDocument; // ENIs read from describe-network-interfaces
    struct Copy
    {
        std::size_t hash = 0; // of the item's content, object keys sorted
        SourceLocation where;
        bool warned = false;
    };
    std::map<std::string, Copy> m_copies; // by kind and id
    // Accounts and regions as the documents say them, resolved per interface on linking.
    std::string m_reservationOwner; // of the reservation being read
    struct Owner
    {
        std::string account, region;
    };
    std::map<std::string, Owner> m_vpcOwners, m_subnetOwners, m_groupOwners, m_interfaceOwners, m_instanceOwners;
};

void AwsReader::read(const Document& doc)
{
    m_file = doc.file;
    m_input = doc.input;
    m_input->format = "aws-cli";
    const JsonNode root(doc.root, {});
    if (simdjson::dom::object obj; doc.root.get_object().get(obj) == simdjson::SUCCESS && wrapper(obj)) {
        m_input->format = "aws-documentation";
        m_input->skipped = true;
        m_input->reason = "AWS SDK documentation examples or recorded test output, not an export of an account";
        m_input = nullptr;
        return;
    }
    bool any = false;
    root.forEachMember([&](std::string_view key, const JsonNode& list) {
        auto each = [&](auto&& f) {
            if (!list.isArray()) {
                error(list, "\"" + std::string(key) + "\" should be a list but is " + list.typeName());
                return;
            }
            list.forEachElement([&](const JsonNode& item) {
                if (!item.isObject()) {
                    warn(item, std::string("list element is ") + item.typeName() + ", not an object; ignored");
                    return;
                }
                if (!firstCopy(key, item))
                    return;
                f(item);
                ++m_input->resources;
            });
            any = true;
        };
        if (key == "Vpcs")
            each([&](const JsonNode& v) { readVpc(v); });
        else if (key == "Subnets")
            each([&](const JsonNode& s) { readSubnet(s); });
        else if (key == "SecurityGroups")
            each([&](const JsonNode& g) { readSecurityGroup(g); });
        else if (key == "NetworkAcls")
            each([&](const JsonNode& a) { readNetworkAcl(a); });
        else if (key == "RouteTables")
            each([&](const JsonNode& t) { readRouteTable(t); });
        else if (key == "InternetGateways")
            each([&](const JsonNode& g) { readInternetGateway(g); });
        else if (key == "NetworkInterfaces")
            each([&](const JsonNode& e) { readInterface(e, {}); });
        else if (key == "Reservations")
            each([&](const JsonNode& r) {
                m_reservationOwner = str(r, "OwnerId");
                if (auto instances = r.get("Instances"); instances && instances->isArray())
                    instances->forEachElement([&](const JsonNode& i) {
                        if (i.isObject() && firstCopy("Instances", i))
                            readInstance(i);
                    });
            });
        else if (key == "Addresses")
            each([&](const JsonNode& a) { readAddress(a); });
        else if (key == "VpcPeeringConnections")
            each([&](const JsonNode& p) { readPeering(p); });
        else if (key == "DBInstances")
            each([&](const JsonNode& d) { readDbInstance(d); });
        else if (key == "PrefixLists")
            each([&](const JsonNode& l) { readPrefixList(l); });
        else if (key == "Entries")
            any = readEntries(root, list) || any;
        else if (key == "EgressOnlyInternetGateways" || key == "NatGateways")
            each([](const JsonNode&) {}); // outbound only: no inbound path (AWS, "Egress-only internet gateways")
        else if (std::find(std::begin(kIgnoredKeys), std::end(kIgnoredKeys), key) != std::end(kIgnoredKeys)) {
            if (!m_input->skipped) {
                m_input->skipped = true;
                m_input->reason = "AWS " + std::string(key) + " play no part in inbound exposure analysis";
            }
        } else if (std::find(std::begin(kLaterKeys), std::end(kLaterKeys), key) != std::end(kLaterKeys)) {
            if (!m_input->skipped) {
                m_input->skipped = true;
                m_input->reason = "AWS " + std::string(key)
                    + " are not analysed yet (load balancers, Aurora clusters, OpenSearch, Redshift and ElastiCache "
                      "come with "
                      "issue 12): data stores behind them may be reachable without a finding";
                m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, { m_file, {}, 0, 0 }, m_input->reason });
            }
        }
    });
    if (!any && !m_input->skipped) {
        m_input->skipped = true;
        m_input->reason = "no AWS network or compute resources in it";
    }
    m_input = nullptr;
}

// Microsoft-free model: a VPC is a virtual network; its CIDR blocks (IPv4 and IPv6) its space.
void AwsReader::readVpc(const JsonNode& v)
{
    const std::string raw = str(v, "VpcId");
    if (raw.empty()) {
        error(v, "VPC without \"VpcId\"");
        return;
    }
    auto& vnet = m_snap.vnets[lower(raw)];
    vnet.id = lower(raw);
    const std::string name = nameTag(v);
    vnet.name = name.empty() ? raw : name;
    vnet.where = here(v);
    if (const std::string owner = str(v, "OwnerId"); !owner.empty())
        m_vpcOwners[vnet.id].account = owner;
    auto add = [&](const JsonNode& at, const std::string& cidr) {
        if (cidr.empty())
            return;
        vnet.addressSpace = vnet.addressSpace.united(prefix(at, cidr));
        vnet.addressPrefixes.push_back(cidr);
    };
    add(v, str(v, "CidrBlock"));
    if (auto set = v.get("CidrBlockAssociationSet"); set && set->isArray())
        set->forEachElement([&](const JsonNode& a) {
            const std::string c = str(a, "CidrBlock");
            if (c != str(v, "CidrBlock"))
                add(a, c);
        });
    if (auto set = v.get("Ipv6CidrBlockAssociationSet"); set && set->isArray())
        set->forEachElement([&](const JsonNode& a) { add(a, str(a, "Ipv6CidrBlock")); });
}

void AwsReader::readSubnet(const JsonNode& s)
{
    const std::string raw = str(s, "SubnetId");
    if (raw.empty()) {
        error(s, "subnet without \"SubnetId\"");
        return;
    }
    Subnet sub;
    sub.id = lower(raw);
    const std::string name = nameTag(s);
    sub.name = name.empty() ? raw : name;
    sub.vnetId = lower(str(s, "VpcId"));
    sub.where = here(s);
    sub.needsInternetRoute = true;
    m_subnetOwners[sub.id] = { str(s, "OwnerId"), regionOfZone(str(s, "AvailabilityZone")) };
    if (const std::string c = str(s, "CidrBlock"); !c.empty())
        sub.prefixes = prefix(s, c);
    if (auto set = s.get("Ipv6CidrBlockAssociationSet"); set && set->isArray())
        set->forEachElement([&](const JsonNode& a) {
            if (const std::string c = str(a, "Ipv6CidrBlock"); !c.empty())
                sub.prefixes = sub.prefixes.united(prefix(a, c));
        });
    auto& vnet = m_snap.vnets[sub.vnetId];
    if (vnet.id.empty()) {
        vnet.id = sub.vnetId;
        vnet.name = str(s, "VpcId");
    }
    if (std::find(vnet.subnetIds.begin(), vnet.subnetIds.end(), sub.id) == vnet.subnetIds.end())
        vnet.subnetIds.push_back(sub.id);
    m_snap.subnets[sub.id] = std::move(sub);
}

// Security groups (Amazon VPC User Guide, "Security group rules"): allow rules only, stateful,
// and "the rules of all security groups associated with the instance are aggregated". A source
// that is another group stands for the private addresses of the interfaces in it.
void AwsReader::readSecurityGroup(const JsonNode& g)
{
    const std::string raw = str(g, "GroupId");
    if (raw.empty()) {
        error(g, "security group without \"GroupId\"");
        return;
    }
    const std::string id = lower(raw);
    if (const std::string owner = str(g, "OwnerId"); !owner.empty())
        m_groupOwners[id].account = owner;
    NetworkSecurityGroup sg;
    sg.id = id;
    sg.displayId = raw;
    sg.name = str(g, "GroupName").empty() ? raw : str(g, "GroupName");
    sg.type = "AWS::EC2::SecurityGroup";
    sg.semantics = NetworkSecurityGroup::Semantics::AllowUnion;
    sg.where = here(g);
    for (const auto& [key, inbound] :
        { std::pair { "IpPermissions", true }, std::pair { "IpPermissionsEgress", false } })
        if (auto perms = g.get(key); perms && perms->isArray())
            perms->forEachElement([&](const JsonNode& p) { readPermission(p, inbound, sg); });
    m_snap.nsgs.emplace(id, std::move(sg));
}

void AwsReader::readPermission(const JsonNode& p, bool inbound, NetworkSecurityGroup& sg)
{
    SecurityRule base;
    base.allow = true;
    base.inbound = inbound;
    base.destination.any = true; // the interface itself (swapped for outbound rules below)
    base.protocolText = str(p, "IpProtocol");
    if (base.protocolText.empty())
        if (auto n = p.get("IpProtocol"); n && n->intValue())
            base.protocolText = std::to_string(*n->intValue());
    bool ported = false;
    if (!protocolOf(base.protocolText, base.protocols, ported, base.family)) {
        error(p, "unknown IpProtocol \"" + base.protocolText + "\"");
        return;
    }
    if (ported) {
        const std::int64_t from = number(p.get("FromPort")), to = number(p.get("ToPort"));
        if (from >= 0 && to >= from && to <= 65535)
            base.destinationPorts = PortSet::range(static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to));
        else if (from != kAbsent || to != kAbsent) {
            error(p, "invalid port range " + std::to_string(from) + "-" + std::to_string(to));
            return;
        }
    }
    base.where = here(p);
    const std::string portText = base.destinationPorts.isAll() ? "all ports" : base.destinationPorts.toString();
    auto add = [&](SecurityRule r, const std::string& source) {
        r.priority = static_cast<int>(sg.rules.size()) + 1; // no order: a security group is a union
        r.name = (inbound ? "in " : "out ") + (base.protocolText == "-1" ? std::string("all") : base.protocolText) + " "
            + portText + (inbound ? " from " : " to ") + source;
        r.id = sg.id + "/" + (inbound ? "ingress/" : "egress/") + std::to_string(sg.rules.size());
        if (!inbound)
            std::swap(r.source, r.destination);
        sg.rules.push_back(std::move(r));
    };
    auto cidrs = [&](std::string_view listKey, std::string_view cidrKey) {
        if (auto list = p.get(listKey); list && list->isArray())
            list->forEachElement([&](const JsonNode& e) {
                const std::string c = str(e, cidrKey);
                SecurityRule r = base;
                r.source.prefixes = prefix(e, c);
                r.where = here(e);
                if (r.family != SecurityRule::Family::Any
                    && !r.source.prefixes.intersects(
                        r.family == SecurityRule::Family::V4 ? AddressSet::allV4() : AddressSet::allV6()))
                    r.description = r.family == SecurityRule::Family::V4
                        ? "ICMP is IPv4's: an IPv6 source matches no packet (IPv6 uses icmpv6)"
                        : "ICMPv6 is IPv6's: an IPv4 source matches no packet (IPv4 uses icmp)";
                if (!r.source.prefixes.isEmpty())
                    add(std::move(r), c);
            });
    };
    cidrs("IpRanges", "CidrIp");
    cidrs("Ipv6Ranges", "CidrIpv6");
    if (auto list = p.get("PrefixListIds"); list && list->isArray())
        list->forEachElement([&](const JsonNode& e) {
            // A prefix list stands for its entries, resolved when evaluated (any address of its family,
            // with an assumption, when the export lacks them); the list is named in the rule's name.
            SecurityRule r = base;
            const std::string pl = str(e, "PrefixListId");
            if (pl.empty()) {
                error(e, "prefix list reference without \"PrefixListId\"");
                return;
            }
            r.source.tags.push_back(lower(pl));
            r.description = str(e, "Description");
            r.where = here(e);
            add(std::move(r), pl);
        });
    if (auto list = p.get("UserIdGroupPairs"); list && list->isArray())
        list->forEachElement([&](const JsonNode& e) {
            SecurityRule r = base;
            const std::string group = str(e, "GroupId");
            r.source.asgIds.push_back(lower(group));
            r.where = here(e);
            add(std::move(r), group);
        });
}

// Network ACLs (Amazon VPC User Guide, "Control subnet traffic with network access control lists"):
// "rules are evaluated in order, starting with the lowest numbered rule"; stateless: "responses to
// allowed inbound traffic are subject to the rules for outbound traffic".
void AwsReader::readNetworkAcl(const JsonNode& a)
{
    const std::string raw = str(a, "NetworkAclId");
    if (raw.empty()) {
        error(a, "network ACL without \"NetworkAclId\"");
        return;
    }
    NetworkSecurityGroup acl;
    acl.id = lower(raw);
    acl.displayId = raw;
    acl.name = nameTag(a).empty() ? raw : nameTag(a);
    acl.type = "AWS::EC2::NetworkAcl";
    acl.stateless = true;
    acl.where = here(a);
    bool haveV4Default[2] = { false, false }, haveV6Default[2] = { false, false };
    if (auto entries = a.get("Entries"); entries && entries->isArray())
        entries->forEachElement([&](const JsonNode& e) {
            SecurityRule r;
            r.source.any = r.destination.any = true; // one side is set from the entry's CIDR below
            const std::int64_t ruleNumber = number(e.get("RuleNumber"));
            if (ruleNumber < 1 || ruleNumber > 32768) {
                error(e, "network ACL entry without a valid \"RuleNumber\"");
                return;
            }
            r.priority = static_cast<int>(ruleNumber);
            r.inbound = !(e.get("Egress") && e.get("Egress")->boolValue().value_or(false));
            r.allow = lower(str(e, "RuleAction")) == "allow";
            r.protocolText = str(e, "Protocol");
            bool ported = false;
            if (!protocolOf(r.protocolText, r.protocols, ported, r.family)) {
                error(e, "unknown protocol \"" + r.protocolText + "\"");
                return;
            }
            if (auto range = e.get("PortRange"); ported && range && range->isObject()) {
                const std::int64_t from = number(range->get("From")), to = number(range->get("To"));
                if (from < 0 || to < from || to > 65535) {
                    error(*range, "invalid port range");
                    return;
                }
                r.destinationPorts = PortSet::range(static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to));
            }
            std::string cidr = str(e, "CidrBlock");
            const bool v6 = cidr.empty();
            if (v6)
                cidr = str(e, "Ipv6CidrBlock");
            AddressMatch match;
            match.prefixes = prefix(e, cidr);
            if (match.prefixes.isEmpty())
                return;
            (r.inbound ? r.source : r.destination) = match;
            r.isDefault = ruleNumber >= 32767;
            if (r.isDefault)
                (v6 ? haveV6Default : haveV4Default)[r.inbound ? 0 : 1] = true;
            r.name = r.isDefault ? "* (" + std::to_string(ruleNumber) + ")" : std::to_string(ruleNumber);
            r.id = acl.id + (r.inbound ? "/ingress/" : "/egress/") + std::to_string(ruleNumber);
            r.where = here(e);
            acl.rules.push_back(std::move(r));
        });
    // The final "*" rules deny what no rule matched; exports list them (32767, and 32768 for IPv6),
    // hand-written ones may not.
    for (int dir = 0; dir < 2; ++dir)
        for (const bool v6 : { false, true }) {
            if ((v6 ? haveV6Default : haveV4Default)[dir])
                continue;
            SecurityRule r;
            r.priority = v6 ? 32768 : 32767;
            r.inbound = dir == 0;
            r.allow = false;
            r.isDefault = true;
            r.protocolText = "-1";
            r.source.any = r.destination.any = true;
            AddressMatch all;
            all.prefixes = v6 ? AddressSet::allV6() : AddressSet::allV4();
            (r.inbound ? r.source : r.destination) = all;
            r.name = "* (" + std::to_string(r.priority) + ")";
            r.id = acl.id + (r.inbound ? "/ingress/" : "/egress/") + std::to_string(r.priority);
            r.description = "implied final rule (not in the export)";
            r.where = acl.where;
            acl.rules.push_back(std::move(r));
        }
    std::stable_sort(acl.rules.begin(), acl.rules.end(), [](const SecurityRule& x, const SecurityRule& y) {
        return x.inbound != y.inbound ? x.inbound : x.priority < y.priority;
    });
    if (auto assoc = a.get("Associations"); assoc && assoc->isArray())
        assoc->forEachElement([&](const JsonNode& s) {
            m_aclAssociations.push_back({ lower(str(s, "SubnetId")), acl.id });
        });
    const std::string vpc = lower(str(a, "VpcId"));
    if (auto d = a.get("IsDefault"); d && d->boolValue().value_or(false) && !vpc.empty())
        m_snap.vnets[vpc].defaultNetworkAclId = acl.id;
    m_snap.nsgs[acl.id] = std::move(acl);
}

// Route tables (Amazon VPC User Guide, "Route tables"): a subnet uses its associated table, else
// the main table of the VPC; the most specific route matches; a blackhole route drops.
void AwsReader::readRouteTable(const JsonNode& t)
{
    const std::string raw = str(t, "RouteTableId");
    if (raw.empty()) {
        error(t, "route table without \"RouteTableId\"");
        return;
    }
    RouteTable table;
    table.id = lower(raw);
    table.name = nameTag(t).empty() ? raw : nameTag(t);
    table.where = here(t);
    if (auto routes = t.get("Routes"); routes && routes->isArray())
        routes->forEachElement([&](const JsonNode& r) {
            Route route;
            route.prefixText = str(r, "DestinationCidrBlock");
            if (route.prefixText.empty())
                route.prefixText = str(r, "DestinationIpv6CidrBlock");
            if (route.prefixText.empty()) {
                route.prefixText = str(r, "DestinationPrefixListId");
                route.prefixIsTag = true; // a prefix list: resolved with issue 12's prefix lists
            } else if (auto p = parsePrefix(route.prefixText)) {
                route.prefix = AddressSet::range(p->first, p->last);
            }
            for (const auto& [key, kind] : { std::pair { "GatewayId", "" }, std::pair { "NatGatewayId", "NatGateway" },
                     std::pair { "TransitGatewayId", "TransitGateway" },
                     std::pair { "VpcPeeringConnectionId", "VpcPeering" },
                     std::pair { "NetworkInterfaceId", "NetworkInterface" }, std::pair { "InstanceId", "Instance" },
                     std::pair { "EgressOnlyInternetGatewayId", "EgressOnlyInternetGateway" } }) {
                const std::string target = str(r, key);
                if (target.empty())
                    continue;
                route.nextHopAddress = lower(target);
                route.nextHopType = *kind          ? kind
                    : target == "local"            ? "Local"
                    : target.rfind("igw-", 0) == 0 ? "InternetGateway"
                    : target.rfind("vgw-", 0) == 0 ? "VirtualPrivateGateway"
                                                   : "Gateway";
                break;
            }
            route.blackhole = lower(str(r, "State")) == "blackhole";
            route.name = route.prefixText + " -> " + (route.nextHopAddress.empty() ? "?" : route.nextHopAddress);
            route.where = here(r);
            table.routes.push_back(std::move(route));
        });
    if (auto assoc = t.get("Associations"); assoc && assoc->isArray())
        assoc->forEachElement([&](const JsonNode& s) {
            if (s.get("Main") && s.get("Main")->boolValue().value_or(false)) {
                if (const std::string vpc = lower(str(t, "VpcId")); !vpc.empty())
                    m_snap.vnets[vpc].mainRouteTableId = table.id;
            } else if (const std::string subnet = lower(str(s, "SubnetId")); !subnet.empty()) {
                m_routeAssociations.push_back({ subnet, table.id });
            }
        });
    m_snap.routeTables[table.id] = std::move(table);
}

void AwsReader::readInternetGateway(const JsonNode& g)
{
    const std::string id = lower(str(g, "InternetGatewayId"));
    if (auto att = g.get("Attachments"); att && att->isArray())
        att->forEachElement([&](const JsonNode& a) {
            // The real API reports "available" for an attached gateway; botocore lists "attached".
            const std::string state = lower(str(a, "State"));
            if (state == "available" || state == "attached" || state.empty())
                m_igwAttachments.push_back({ id, lower(str(a, "VpcId")) });
        });
}

void AwsReader::publicAddress(
    const std::string& address, const std::string& ipcId, const SourceLocation& where, const std::string& allocationId)
{
    PublicIpAddress pip;
    pip.id = allocationId.empty() ? "publicip/" + address : lower(allocationId);
    pip.name = address;
    pip.address = address;
    pip.type = allocationId.empty() ? "AWS public IPv4 address" : "AWS::EC2::EIP";
    pip.sku = PublicIpAddress::Sku::Standard; // every interface has a security group: nothing is open by default
    pip.ipv6 = address.find(':') != std::string::npos;
    pip.ipConfigurationId = ipcId;
    pip.where = where;
    if (auto nic = m_snap.nics.find(ipcId.substr(0, ipcId.find("/ipconfigurations/"))); nic != m_snap.nics.end())
        for (auto& ipc : nic->second.ipConfigurations)
            if (ipc.id == ipcId)
                ipc.publicIpId = pip.id;
    m_snap.publicIps[pip.id] = std::move(pip);
}

// An elastic network interface: its security groups filter every address on it; each private
// address (and its public association) is an IP configuration; a global IPv6 address is reachable
// as it is (Amazon VPC User Guide, "IP addressing for your VPCs and subnets").
void AwsReader::readInterface(const JsonNode& e, const std::string& instanceId)
{
    const std::string raw = str(e, "NetworkInterfaceId");
    if (raw.empty()) {
        error(e, "network interface without \"NetworkInterfaceId\"");
        return;
    }
    const std::string id = lower(raw);
    if (instanceId.empty())
        m_interfacesFromDocument.insert(id);
    else if (m_interfacesFromDocument.count(id))
        return; // describe-network-interfaces says more (and was read)
    NetworkInterface nic;
    nic.id = id;
    nic.displayId = raw;
    nic.name = raw;
    nic.type = "AWS::EC2::NetworkInterface";
    nic.where = here(e);
    nic.tags = tagsOf(e);
    m_interfaceOwners[id] = { str(e, "OwnerId"), regionOfZone(str(e, "AvailabilityZone")) };
    std::string vm = instanceId;
    if (auto att = e.get("Attachment"); att && att->isObject() && vm.empty())
        vm = str(*att, "InstanceId");
    nic.vmId = lower(vm);
    if (auto groups = e.get("Groups"); groups && groups->isArray())
        groups->forEachElement([&](const JsonNode& g) { nic.securityGroupIds.push_back(lower(str(g, "GroupId"))); });
    const std::string subnet = lower(str(e, "SubnetId"));
    std::vector<std::pair<std::string, SourceLocation>> publics;
    auto addIpc = [&](const JsonNode& at, const std::string& address, bool primary) {
        IpConfiguration ipc = ipConfiguration(at, nic, address, subnet, primary);
        if (auto assoc = at.get("Association"); assoc && assoc->isObject())
            if (const std::string pub = str(*assoc, "PublicIp"); !pub.empty())
                publics.emplace_back(pub + "|" + ipc.id + "|" + str(*assoc, "AllocationId"), here(*assoc));
        nic.ipConfigurations.push_back(std::move(ipc));
    };
    if (auto list = e.get("PrivateIpAddresses"); list && list->isArray() && list->element().get_array().size() > 0)
        list->forEachElement([&](const JsonNode& p) {
            addIpc(p, str(p, "PrivateIpAddress"), p.get("Primary") && p.get("Primary")->boolValue().value_or(false));
        });
    else if (const std::string single = str(e, "PrivateIpAddress"); !single.empty())
        addIpc(e, single, true);
    // An IPv6 address is the same inside the VPC and on the internet: an IP configuration of its own,
    // beside the IPv4 one and its public IPv4 address (one public address per configuration).
    if (auto v6 = e.get("Ipv6Addresses"); v6 && v6->isArray())
        v6->forEachElement([&](const JsonNode& a) {
            const std::string address = str(a, "Ipv6Address");
            if (address.empty())
                return;
            IpConfiguration ipc = ipConfiguration(a, nic, address, subnet, false);
            publics.emplace_back(address + "|" + ipc.id + "|", here(a));
            nic.ipConfigurations.push_back(std::move(ipc));
        });
    if (nic.ipConfigurations.empty()) {
        warn(e, "network interface " + raw + " has no private address in the export; ignored");
        return;
    }
    m_snap.nics[id] = std::move(nic);
    for (const auto& [packed, where] : publics) {
        const auto a = packed.find('|'), b = packed.find('|', a + 1);
        publicAddress(packed.substr(0, a), packed.substr(a + 1, b - a - 1), where, packed.substr(b + 1));
    }
}

void AwsReader::readInstance(const JsonNode& i)
{
    const std::string raw = str(i, "InstanceId");
    if (raw.empty()) {
        error(i, "instance without \"InstanceId\"");
        return;
    }
    VirtualMachine vm;
    vm.id = lower(raw);
    vm.displayId = raw;
    vm.name = nameTag(i).empty() ? raw : nameTag(i);
    vm.type = "AWS::EC2::Instance";
    vm.tags = tagsOf(i);
    {
        auto placement = i.get("Placement");
        m_instanceOwners[vm.id] = { m_reservationOwner,
            regionOfZone(placement && placement->isObject() ? str(*placement, "AvailabilityZone") : std::string()) };
    }
    if (auto state = i.get("State"); state && state->isObject())
        vm.powerState = str(*state, "Name");
    vm.where = here(i);
    if (auto enis = i.get("NetworkInterfaces"); enis && enis->isArray() && enis->element().get_array().size() > 0) {
        enis->forEachElement([&](const JsonNode& e) {
            readInterface(e, raw);
            vm.nicIds.push_back(lower(str(e, "NetworkInterfaceId")));
        });
    } else if (const std::string address = str(i, "PrivateIpAddress"); !address.empty()) {
        // No interface list (older exports): the instance's own fields describe its primary interface.
        NetworkInterface nic;
        nic.id = vm.id + "/primary-interface";
        nic.displayId = raw;
        nic.name = raw;
        nic.type = "AWS::EC2::NetworkInterface";
        nic.vmId = vm.id;
        nic.where = here(i);
        if (auto groups = i.get("SecurityGroups"); groups && groups->isArray())
            groups->forEachElement(
                [&](const JsonNode& g) { nic.securityGroupIds.push_back(lower(str(g, "GroupId"))); });
        IpConfiguration ipc = ipConfiguration(i, nic, address, lower(str(i, "SubnetId")), true);
        const std::string ipcId = ipc.id;
        nic.ipConfigurations.push_back(std::move(ipc));
        vm.nicIds.push_back(nic.id);
        m_snap.nics[nic.id] = std::move(nic);
        if (const std::string pub = str(i, "PublicIpAddress"); !pub.empty())
            publicAddress(pub, ipcId, here(i), {});
    }
    m_snap.vms[vm.id] = std::move(vm);
}

void AwsReader::readAddress(const JsonNode& a)
{
    Eip eip;
    eip.address = str(a, "PublicIp");
    eip.allocationId = str(a, "AllocationId");
    eip.interfaceId = lower(str(a, "NetworkInterfaceId"));
    eip.privateAddress = str(a, "PrivateIpAddress");
    eip.where = here(a);
    m_eips.push_back(std::move(eip));
}

// VPC peering (Amazon VPC Peering Guide, "VPC peering connection lifecycle": traffic flows only while
// the connection is active; "Update your route tables for a VPC peering connection": "you must add a
// route to the route tables associated with the subnets for both instances"). Each VPC gets its side,
// with the other side's CIDR blocks (CidrBlockSet and Ipv6CidrBlockSet, which may hold more than
// CidrBlock); the engine checks the routes. The requester's and the accepter's accounts both list
// the same connection: one copy per VPC.
void AwsReader::readPeering(const JsonNode& p)
{
    const std::string id = str(p, "VpcPeeringConnectionId");
    auto status = p.get("Status");
    const std::string code = status && status->isObject() ? lower(str(*status, "Code")) : std::string();
    struct Side
    {
        std::string vpc;
        AddressSet space;
    };
    auto side = [&](const char* key) -> Side {
        auto info = p.get(key);
        if (!info || !info->isObject())
            return {};
        Side out { lower(str(*info, "VpcId")), {} };
        auto add = [&](const JsonNode& at, const std::string& cidr) {
            if (!cidr.empty())
                out.space = out.space.united(prefix(at, cidr));
        };
        add(*info, str(*info, "CidrBlock"));
        for (const auto& [list, field] :
            { std::pair { "CidrBlockSet", "CidrBlock" }, std::pair { "Ipv6CidrBlockSet", "Ipv6CidrBlock" } })
            if (auto set = info->get(list); set && set->isArray())
                set->forEachElement([&](const JsonNode& c) { add(c, str(c, field)); });
        return out;
    };
    const Side requester = side("RequesterVpcInfo");
    const Side accepter = side("AccepterVpcInfo");
    if (id.empty() || requester.vpc.empty() || accepter.vpc.empty())
        return;
    for (const auto& [local, remote] : { std::pair { &requester, &accepter }, std::pair { &accepter, &requester } }) {
        VirtualNetworkPeering peering;
        peering.name = id;
        peering.remoteVnetId = remote->vpc;
        peering.remoteSpace = remote->space;
        peering.connected = code == "active";
        peering.needsRoutes = true;
        peering.where = here(p);
        auto& vnet = m_snap.vnets[local->vpc];
        if (vnet.id.empty()) {
            vnet.id = local->vpc;
            vnet.name = local->vpc;
        }
        if (std::none_of(vnet.peerings.begin(), vnet.peerings.end(),
                [&](const VirtualNetworkPeering& existing) { return existing.name == peering.name; }))
            vnet.peerings.push_back(std::move(peering));
    }
}

// RDS (and Neptune, DocumentDB, which share the shape): the instance is a data service reached at
// an interface in its subnet group, filtered by its VPC security groups and its subnet's ACL, on its
// port; "PubliclyAccessible" gives it a public address too (RDS API reference, DBInstance: "its
// Domain Name System (DNS) endpoint resolves to the public IP address ... Access to the DB instance
// is ultimately controlled by the security group it uses"; RDS User Guide, "Working with a DB
// instance in a VPC": all subnets of a public instance's subnet group must be public).
void AwsReader::readDbInstance(const JsonNode& d)
{
    const std::string raw = str(d, "DBInstanceIdentifier");
    if (raw.empty()) {
        error(d, "DB instance without \"DBInstanceIdentifier\"");
        return;
    }
    const std::string arn = str(d, "DBInstanceArn");
    ManagedDataService svc;
    svc.id = lower(arn.empty() ? "rds/" + raw : arn);
    svc.displayId = arn.empty() ? raw : arn;
    svc.name = raw;
    svc.type = "AWS::RDS::DBInstance";
    svc.privateOnly = true; // reached through its interface below, never as an Azure-style public endpoint
    svc.where = here(d);
    const std::string engine = lower(str(d, "Engine"));
    svc.engine = engine.find("postgres") != std::string::npos                                      ? "postgresql"
        : engine.find("mysql") != std::string::npos || engine.find("mariadb") != std::string::npos ? "mysql"
        : engine.find("sqlserver") != std::string::npos                                            ? "sqlserver"
        : engine.find("oracle") != std::string::npos                                               ? "oracle"
        : engine == "docdb"                                                                        ? "mongodb"
                                                                                                   : engine;
    std::int64_t port = kAbsent;
    if (auto endpoint = d.get("Endpoint"); endpoint && endpoint->isObject()) {
        port = number(endpoint->get("Port"));
        svc.endpoint = str(*endpoint, "Address");
    }
    if (port <= 0)
        port = number(d.get("DbInstancePort"));
    if (port <= 0 || port > 65535) {
        const std::int64_t fallback = svc.engine == "postgresql" ? 5432
            : svc.engine == "mysql"                              ? 3306
            : svc.engine == "sqlserver"                          ? 1433
            : svc.engine == "oracle"                             ? 1521
                                                                 : 27017;
        warn(d,
            "DB instance " + raw + " has no endpoint port in the export: the engine's default, "
                + std::to_string(fallback) + ", is assumed");
        port = fallback;
    }
    svc.tcpPorts = PortSet::range(static_cast<std::uint32_t>(port), static_cast<std::uint32_t>(port));
    if (auto list = d.get("TagList"); list && list->isArray())
        list->forEachElement([&](const JsonNode& t) { svc.tags[str(t, "Key")] = str(t, "Value"); });
    // Its interface: in the subnet of its availability zone, else the group's first subnet.
    std::string subnet;
    const std::string zone = str(d, "AvailabilityZone");
    if (auto group = d.get("DBSubnetGroup"); group && group->isObject())
        if (auto subnets = group->get("Subnets"); subnets && subnets->isArray())
            subnets->forEachElement([&](const JsonNode& s) {
                const std::string id = lower(str(s, "SubnetIdentifier"));
                auto az = s.get("SubnetAvailabilityZone");
                if (subnet.empty() || (az && az->isObject() && str(*az, "Name") == zone))
                    subnet = id;
            });
    NetworkInterface nic;
    nic.id = svc.id + "/networkinterface";
    nic.displayId = svc.displayId;
    nic.name = raw;
    nic.type = "AWS::EC2::NetworkInterface";
    nic.serviceId = svc.id;
    // arn:partition:rds:region:account:db:name
    if (const auto parts = arnParts(arn); parts.size() >= 5) {
        nic.region = parts[3];
        nic.account = parts[4];
    }
    nic.where = here(d);
    if (auto groups = d.get("VpcSecurityGroups"); groups && groups->isArray())
        groups->forEachElement(
            [&](const JsonNode& g) { nic.securityGroupIds.push_back(lower(str(g, "VpcSecurityGroupId"))); });
    IpConfiguration ipc;
    ipc.id = nic.id + "/ipconfigurations/primary";
    ipc.name = "primary";
    ipc.nicId = nic.id;
    ipc.subnetId = subnet; // no private address in the export: any address of the subnet
    ipc.asgIds = nic.securityGroupIds;
    ipc.primary = true;
    ipc.where = here(d);
    const bool publiclyAccessible
        = d.get("PubliclyAccessible") && d.get("PubliclyAccessible")->boolValue().value_or(false);
    const bool stopped = lower(str(d, "DBInstanceStatus")) == "stopped";
    if (publiclyAccessible && !stopped && engine != "docdb") {
        // The public address is not in the export (only the DNS name): one stands for it.
        PublicIpAddress pip;
        pip.id = ipc.id + "/publicaddress";
        pip.name = raw + " public endpoint";
        pip.address = svc.endpoint; // its DNS name: the address behind it is not exported
        pip.type = "AWS::RDS public address";
        pip.sku = PublicIpAddress::Sku::Standard;
        pip.ipConfigurationId = ipc.id;
        pip.where = here(*d.get("PubliclyAccessible"));
        ipc.publicIpId = pip.id;
        m_snap.publicIps[pip.id] = std::move(pip);
    }
    nic.ipConfigurations.push_back(std::move(ipc));
    m_snap.nics[nic.id] = std::move(nic);
    m_snap.dataServices[svc.id] = std::move(svc);
}

// Prefix lists (Amazon VPC User Guide, "Group CIDR blocks using managed prefix lists"): the older
// describe-prefix-lists gives AWS service lists with their Cidrs; describe-managed-prefix-lists gives
// customer- and AWS-managed lists without entries, which get-managed-prefix-list-entries adds.
void AwsReader::readPrefixList(const JsonNode& l)
{
    const std::string raw = str(l, "PrefixListId");
    if (raw.empty()) {
        error(l, "prefix list without \"PrefixListId\"");
        return;
    }
    PrefixList& pl = m_snap.prefixLists[lower(raw)];
    const bool described = !pl.where.file.empty();
    pl.id = lower(raw);
    pl.displayId = raw;
    if (!described) {
        pl.name = str(l, "PrefixListName");
        pl.ownerId = str(l, "OwnerId");
        pl.addressFamily = str(l, "AddressFamily");
        pl.where = here(l);
    }
    auto cidrs = l.get("Cidrs");
    if (!cidrs || !cidrs->isArray())
        return;
    if (pl.entriesKnown)
        return; // the same list again (another account's copy); its entries were read
    cidrs->forEachElement([&](const JsonNode& c) { addPrefixListCidr(pl, c, std::string(c.stringValue())); });
    pl.entriesKnown = true;
    pl.entriesWhere = here(*cidrs);
}

namespace {

// CloudMapper names a per-resource call's file after its parameter, urllib.parse.quote_plus'ed.
std::string unquotePlus(std::string_view text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        auto hex = [](char h) {
            return h >= '0' && h <= '9' ? h - '0'
                : h >= 'a' && h <= 'f'  ? h - 'a' + 10
                : h >= 'A' && h <= 'F'  ? h - 'A' + 10
                                        : -1;
        };
        if (c == '+')
            out += ' ';
        else if (c == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
            out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
            i += 2;
        } else
            out += c;
    }
    return out;
}

// A prefix list id ("pl-" and 8 to 17 hexadecimal digits) standing alone in text, or "".
std::string prefixListIdIn(std::string_view text)
{
    const auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    for (std::size_t at = text.find("pl-"); at != std::string_view::npos; at = text.find("pl-", at + 1)) {
        if (at > 0 && alnum(text[at - 1]))
            continue;
        std::size_t end = at + 3;
        while (end < text.size() && std::isxdigit(static_cast<unsigned char>(text[end])))
            ++end;
        const std::size_t digits = end - at - 3;
        if (digits >= 8 && digits <= 17 && (end == text.size() || !alnum(text[end])))
            return std::string(text.substr(at, end - at));
    }
    return {};
}

} // namespace

bool AwsReader::readEntries(const JsonNode& root, const JsonNode& list)
{
    auto skip = [&](std::string reason) {
        m_input->skipped = true;
        m_input->reason = std::move(reason);
        m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, { m_file, list.pointer(), 0, 0 }, m_input->reason });
        return false;
    };
    // "Entries" is a generic key (CloudWatch, EventBridge, SSM, ... answer with it): only items of the
    // shape {Cidr, Description} are a prefix list's.
    bool cidrs = true;
    list.forEachElement([&](const JsonNode& e) { cidrs = cidrs && e.isObject() && e.get("Cidr"); });
    if (!cidrs)
        return skip("an \"Entries\" list whose items are not prefix list entries ({Cidr, Description}): not an "
                    "export this tool reads");
    // The list: a wrapper's PrefixListId (Batfish-like collectors), else the layout: CloudMapper's
    // ec2-get-managed-prefix-list-entries/<quoted list id>, or a file named after the list.
    std::string id = lower(str(root, "PrefixListId"));
    const std::filesystem::path path(m_file);
    if (id.empty())
        id = prefixListIdIn(lower(unquotePlus(path.filename().string())));
    if (id.empty())
        return skip("get-managed-prefix-list-entries output does not say which prefix list it holds: store it as "
                    "ec2-get-managed-prefix-list-entries/<prefix list id> (CloudMapper's layout) or in a file "
                    "named after the list (pl-0123456789abcdef0.json); skipped");
    PrefixList& pl = m_snap.prefixLists[id];
    if (pl.id.empty()) {
        pl.id = id;
        pl.displayId = id;
    }
    PrefixList read = pl;
    read.addresses = {};
    read.cidrs.clear();
    list.forEachElement([&](const JsonNode& e) {
        ++m_input->resources;
        auto cidr = e.get("Cidr");
        addPrefixListCidr(read, *cidr, std::string(cidr->stringValue()));
    });
    if (pl.entriesKnown) {
        // The same list twice (a collector run per account, or a second layout): one copy counts.
        if (read.addresses != pl.addresses)
            warn(list,
                "prefix list " + pl.displayId + " has other entries in " + pl.entriesWhere.toString()
                    + "; those are kept");
        return true;
    }
    pl.addresses = std::move(read.addresses);
    pl.cidrs = std::move(read.cidrs);
    pl.entriesKnown = true;
    pl.entriesWhere = here(list);
    return true;
}

bool AwsReader::firstCopy(std::string_view kind, const JsonNode& item)
{
    static constexpr std::array<std::array<std::string_view, 4>, 12> kIds = { {
        { "Vpcs", "VpcId", "", "VPC" },
        { "Subnets", "SubnetId", "", "subnet" },
        { "SecurityGroups", "GroupId", "", "security group" },
        { "NetworkAcls", "NetworkAclId", "", "network ACL" },
        { "RouteTables", "RouteTableId", "", "route table" },
        { "InternetGateways", "InternetGatewayId", "", "internet gateway" },
        { "NetworkInterfaces", "NetworkInterfaceId", "", "network interface" },
        { "Instances", "InstanceId", "", "instance" },
        { "Addresses", "AllocationId", "PublicIp", "Elastic IP" },
        { "VpcPeeringConnections", "VpcPeeringConnectionId", "", "peering connection" },
        { "DBInstances", "DBInstanceArn", "DBInstanceIdentifier", "DB instance" },
        { "PrefixLists", "PrefixListId", "", "prefix list" },
    } };
    for (const auto& [k, idKey, otherKey, label] : kIds) {
        if (k != kind)
            continue;
        std::string id = str(item, idKey);
        if (id.empty() && !otherKey.empty())
            id = str(item, otherKey);
        if (id.empty())
            return true; // the reader says what is missing
        // The two accounts of a peering connection each see their own tags and peering options.
        const std::size_t hash = kind == "VpcPeeringConnections"
            ? contentHash(item.element(), { "Tags", "PeeringOptions" })
            : contentHash(item.element());
        auto [it, fresh] = m_copies.try_emplace(std::string(kind) + "|" + lower(id), Copy { hash, here(item), false });
        if (fresh)
            return true;
        if (it->second.hash != hash && !it->second.warned) {
            it->second.warned = true;
            warn(item,
                std::string(label) + " " + id + " is listed again with other content; the first copy ("
                    + it->second.where.toString() + ") is kept");
        }
        return false;
    }
    return true;
}

void AwsReader::ownerOf(NetworkInterface& nic) const
{
    const auto find = [](const std::map<std::string, Owner>& owners, const std::string& id) {
        auto it = owners.find(id);
        return it == owners.end() ? Owner {} : it->second;
    };
    // The interface's instance owns the target; then the interface itself, its security groups, its
    // subnet and VPC.
    std::vector<Owner> candidates { find(m_instanceOwners, nic.vmId), find(m_interfaceOwners, nic.id) };
    for (const auto& group : nic.securityGroupIds)
        candidates.push_back(find(m_groupOwners, group));
    if (!nic.ipConfigurations.empty()) {
        const std::string& subnet = nic.ipConfigurations.front().subnetId;
        candidates.push_back(find(m_subnetOwners, subnet));
        if (auto s = m_snap.subnets.find(subnet); s != m_snap.subnets.end())
            candidates.push_back(find(m_vpcOwners, s->second.vnetId));
    }
    for (const auto& c : candidates) {
        if (nic.account.empty())
            nic.account = c.account;
        if (nic.region.empty())
            nic.region = c.region;
    }
}

void AwsReader::link()
{
    if (m_snap.subnets.empty() && m_snap.nics.empty() && m_snap.nsgs.empty())
        return;
    // A rule naming a prefix list the export describes also carries its name ("from pl-0a1b (office)").
    for (auto& [id, sg] : m_snap.nsgs) {
        if (sg.type != "AWS::EC2::SecurityGroup")
            continue;
        for (auto& rule : sg.rules)
            for (const auto* side : { &rule.source, &rule.destination })
                for (const auto& tag : side->tags)
                    if (auto pl = m_snap.prefixLists.find(tag);
                        pl != m_snap.prefixLists.end() && !pl->second.name.empty() && lower(rule.name).ends_with(tag))
                        rule.name += " (" + pl->second.name + ")";
    }
    for (const auto& a : m_aclAssociations)
        if (auto s = m_snap.subnets.find(a.subnetId); s != m_snap.subnets.end())
            s->second.networkAclId = a.listId;
    for (const auto& a : m_routeAssociations)
        if (auto s = m_snap.subnets.find(a.subnetId); s != m_snap.subnets.end())
            s->second.routeTableId = a.listId;
    for (const auto& att : m_igwAttachments)
        if (auto v = m_snap.vnets.find(att.vpcId); v != m_snap.vnets.end())
            v->second.internetGatewayIds.push_back(att.gatewayId);
    for (auto& [id, nic] : m_snap.nics)
        if (nic.type == "AWS::EC2::NetworkInterface")
            ownerOf(nic);
    for (auto& [id, subnet] : m_snap.subnets) {
        if (!subnet.needsInternetRoute)
            continue;
        auto vnet = m_snap.vnets.find(subnet.vnetId);
        if (subnet.networkAclId.empty() && vnet != m_snap.vnets.end())
            subnet.networkAclId = vnet->second.defaultNetworkAclId;
        if (subnet.routeTableId.empty() && vnet != m_snap.vnets.end())
            subnet.routeTableId = vnet->second.mainRouteTableId;
    }
    for (const auto& eip : m_eips) {
        if (eip.interfaceId.empty())
            continue; // not associated: reaches nothing
        auto nic = m_snap.nics.find(eip.interfaceId);
        if (nic == m_snap.nics.end())
            continue;
        std::string ipcId = nic->second.ipConfigurations.front().id;
        for (const auto& ipc : nic->second.ipConfigurations)
            if (ipc.privateAddress == eip.privateAddress)
                ipcId = ipc.id;
        // The interface document may already list it as its association: one address, one id.
        m_snap.publicIps.erase("publicip/" + eip.address);
        publicAddress(eip.address, ipcId, eip.where, eip.allocationId);
    }
}

} // namespace

std::unique_ptr<FormatReader> makeAwsReader(Snapshot& snapshot)
{
    return std::make_unique<AwsReader>(snapshot);
}

} // namespace ew
