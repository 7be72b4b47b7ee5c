// The AWS reader: `aws ec2 describe-*` documents and the managed data services' `describe-*`
// documents (RDS, Aurora, OpenSearch/Elasticsearch, Redshift, ElastiCache), and the collectors that
// store them, recognised by their top-level key, read into the neutral model. Documentation of the
// semantics is cited where the model is decided.

#include "awsreader.h"

#include "awsaccesspolicy.h"
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

constexpr std::string_view kReadKeys[] = { "SecurityGroups", "NetworkAcls", "RouteTables", "InternetGateways",
    "EgressOnlyInternetGateways", "NatGateways", "NetworkInterfaces", "Reservations", "Subnets", "Vpcs", "Addresses",
    "VpcPeeringConnections", "DBInstances", "DBClusters", "DBSubnetGroups", "DomainStatusList", "DomainStatus",
    "Clusters", "ClusterSubnetGroups", "CacheClusters", "CacheSubnetGroups", "ReplicationGroups", "LoadBalancers",
    "LoadBalancerDescriptions", "Listeners", "LoadBalancerListeners", "TargetGroups", "TargetHealthDescriptions",
    "LoadBalancerTargetHealth", "Rules", "Attributes", "PrefixLists", "SecurityGroupRules" };

constexpr std::string_view kIgnoredKeys[] = { "AvailabilityZones", "VpcEndpoints", "ServiceNames", "ServiceDetails",
    "DomainNames", "Regions", "DhcpOptions", "CustomerGateways", "VpnGateways", "VpnConnections", "Hosts",
    "PlacementGroups", "InstanceStatuses", "MovingAddressStatuses", "Instances", "Tags", "LoadBalancerAttributes" };

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

std::string upper(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
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

// The catalogue's engine for an RDS engine name (RDS API reference, CreateDBInstance.Engine:
// "aurora-mysql", "aurora-postgresql", "mysql", "mariadb", "postgres", "oracle-ee", "sqlserver-se",
// "db2-se", "custom-oracle-ee", ...; "aurora" is Aurora MySQL 5.6; DocumentDB speaks MongoDB's
// protocol).
std::string rdsEngine(std::string_view name)
{
    std::string e = lower(name);
    if (e.find("postgres") != std::string::npos)
        return "postgresql";
    if (e.find("mysql") != std::string::npos || e.find("mariadb") != std::string::npos || e == "aurora")
        return "mysql";
    if (e.find("sqlserver") != std::string::npos)
        return "sqlserver";
    if (e.find("oracle") != std::string::npos)
        return "oracle";
    if (e.find("db2") != std::string::npos)
        return "db2";
    if (e == "docdb")
        return "mongodb";
    return e;
}

// The port an engine listens on when the export does not say (each service's defaults: RDS
// CreateDBInstance.Port, Neptune 8182, Redshift 5439, ElastiCache 6379 / 11211); 0 when unknown.
std::int64_t defaultPort(std::string_view engine)
{
    static constexpr std::pair<std::string_view, std::int64_t> kPorts[] = { { "postgresql", 5432 }, { "mysql", 3306 },
        { "sqlserver", 1433 }, { "oracle", 1521 }, { "db2", 50000 }, { "mongodb", 27017 }, { "neptune", 8182 },
        { "redshift", 5439 }, { "redis", 6379 }, { "memcached", 11211 } };
    for (const auto& [e, port] : kPorts)
        if (e == engine)
            return port;
    return 0;
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
            for (auto key : kReadKeys)
                if (field.key == key)
                    return shapeFits(field.key, field.value);
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
        return std::any_of(obj.begin(), obj.end(), [](auto field) {
            return field.key.find("::") != std::string_view::npos
                && field.value["recorded-content"].error() == simdjson::SUCCESS;
        });
    }

    // Keys shared with other services are told apart by their items (research: botocore scan).
    static bool shapeFits(std::string_view key, simdjson::dom::element list)
    {
        // `describe-domain` answers with one object (`create-domain` too).
        if (key == "DomainStatus")
            return list.is_object() && list["DomainName"].error() == simdjson::SUCCESS;
        // "Clusters" is Redshift's, and DAX's, MemoryDB's, EMR's, CloudHSM's...: read() tells them
        // apart by their items (Redshift's carry ClusterIdentifier) and skips the others with a reason.
        if (key == "Clusters")
            return list.is_array();
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
            { "DBInstances", "DBInstanceIdentifier" }, { "LoadBalancers", "LoadBalancerArn" },
            { "LoadBalancerDescriptions", "LoadBalancerName" }, { "Listeners", "ListenerArn" },
            { "LoadBalancerListeners", "Listeners" }, { "TargetGroups", "TargetGroupArn" },
            { "TargetHealthDescriptions", "Target" }, { "LoadBalancerTargetHealth", "TargetHealthDescriptions" },
            { "Rules", "RuleArn" }, { "Attributes", "Key" }, { "DBClusters", "DBClusterIdentifier" },
            { "DBSubnetGroups", "DBSubnetGroupName" }, { "DomainStatusList", "DomainName" },
            { "ClusterSubnetGroups", "ClusterSubnetGroupName" }, { "CacheClusters", "CacheClusterId" },
            { "CacheSubnetGroups", "CacheSubnetGroupName" }, { "ReplicationGroups", "ReplicationGroupId" },
            { "PrefixLists", "PrefixListId" }, { "SecurityGroupRules", "SecurityGroupRuleId" } };
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
    bool permissionBase(const JsonNode& p, bool inbound, SecurityRule& base);
    void addGroupRule(NetworkSecurityGroup& sg, SecurityRule r, const std::string& source);
    void readPermission(const JsonNode& p, bool inbound, NetworkSecurityGroup& sg);
    void readGroupRule(const JsonNode& r);
    void linkGroupRules();
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
    // Elastic Load Balancing: read as written, linked into devices once every document is read.
    void readLoadBalancer(const JsonNode& lb);
    void readClassicLoadBalancer(const JsonNode& lb);
    void readListener(const JsonNode& l, const std::string& lbArn);
    void readListenerRule(const JsonNode& r);
    static std::vector<std::string> forwardedGroups(const JsonNode& actions);
    void readTargetGroup(const JsonNode& g);
    void readTargetHealth(const JsonNode& t, const std::string& groupArn);
    void readTargetGroupAttribute(const JsonNode& a, const std::string& groupArn);
    /// The ARN of the resource a per-resource document belongs to, from the collector's layout
    /// (CloudMapper: `<service>-<command>/<url-quoted parameter>`); empty when the path names none.
    std::string ownerFromLayout(std::string_view arnPart) const;
    void linkLoadBalancers();
    void readDbCluster(const JsonNode& c);
    void readSubnetGroup(const JsonNode& g, const char* kind, std::string_view nameKey);
    void readDomain(const JsonNode& d);
    void readRedshiftCluster(const JsonNode& c);
    void readCacheCluster(const JsonNode& c);
    void readReplicationGroup(const JsonNode& g);
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
    /// The interface through which a service in a VPC is reached, with its security groups; its
    /// private address is not in the exports (any address of its subnet). Returns the IP
    /// configuration's id.
    std::string serviceInterface(const ManagedDataService& svc, const std::string& name,
        const std::vector<std::string>& groups, const std::string& subnetId, const SourceLocation& where);
    /// A service interface's public address: its endpoint's DNS name (the address behind it is not
    /// exported) or an Elastic IP.
    void servicePublicAddress(const std::string& ipcId, const std::string& name, const std::string& address,
        const std::string& type, const SourceLocation& where);
    /// A service interface whose subnet comes from a named subnet group (or among a list of subnets),
    /// by availability zone: chosen when linking, once every document is read.
    void place(const std::string& ipcId, const std::string& serviceId, const char* groupKind, std::string groupName,
        std::vector<std::string> subnets, std::vector<std::string> zones, const SourceLocation& where);
    void linkDbCluster(std::size_t index);
    void linkCacheClusters();
    void linkPlacements();

    Snapshot& m_snap;
    std::string m_file;
    InputFile* m_input = nullptr;
    struct Association
    {
        std::string subnetId;
        std::string listId;
    };
    std::vector<Association> m_aclAssociations, m_routeAssociations;
    struct PendingGroupRule
    {
        std::string groupId, displayId, owner, ruleId, source;
        SecurityRule rule;
    };
    std::vector<PendingGroupRule> m_pendingGroupRules; // describe-security-group-rules, linked in link()
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

    struct Elb
    {
        std::string arn, name, type, scheme, state, vpcId,
            ipAddressType; // type: application, network, gateway, classic
        std::vector<std::string> securityGroups;
        std::vector<std::pair<std::string, std::string>> subnets; // subnet id, node private address when stated
        std::vector<std::string> instances; // classic: registered instances
        SourceLocation where;
    };
    struct Listener
    {
        std::string arn, lbArn, protocol, name;
        std::string ruleArn; // a listener rule: its own ARN (arn names its listener)
        std::uint32_t port = 0;
        std::uint32_t instancePort = 0; // classic
        std::vector<std::string> groupArns; // forward actions
        std::string assumption; // what was taken for a part the export lacks
        bool anyClient = true; // a listener rule's source-ip condition narrows it
        AddressSet clients;
        SourceLocation where;
    };
    struct TargetGroup
    {
        std::string arn, name, protocol, targetType, vpcId;
        std::uint32_t port = 0;
        std::vector<std::string> lbArns;
        SourceLocation where;
    };
    struct Target
    {
        std::string groupArn, id, zone, state;
        std::uint32_t port = 0;
        SourceLocation where;
    };
    std::vector<Elb> m_elbs;
    std::vector<Listener> m_listeners;
    std::map<std::string, TargetGroup> m_targetGroups; // by lower-case ARN
    std::vector<Target> m_targets;
    std::set<std::string> m_targetsKnown; // target groups whose targets some document lists
    std::set<std::string> m_rulesKnown; // listeners whose rules some document lists
    std::map<std::string, std::string> m_preserveClientIp; // target group ARN -> "true" / "false"
    std::map<std::string, std::vector<std::string>> m_elbInterfaces; // "ELB app/name/id" -> interface ids
    std::map<std::string, std::string> m_primaryInterface; // instance id -> its device-index-0 interface
    struct Placement
    {
        std::string ipcId, serviceId;
        const char* groupKind = nullptr; // "DB subnet group", ...; null: among `subnets`
        std::string groupName;
        std::vector<std::string> subnets;
        std::vector<std::string> zones; // the availability zones its nodes are in; empty: unknown
        SourceLocation where;
    };
    std::vector<Placement> m_placements;
    struct SubnetGroup
    {
        std::vector<std::pair<std::string, std::string>> subnets; // (subnet id, availability zone)
    };
    std::map<std::string, SubnetGroup> m_subnetGroups; // by "<kind>/<lower-case name>"
    struct DbInstanceRef
    {
        std::string serviceId, ipcId;
    };
    std::map<std::string, DbInstanceRef> m_dbInstances; // by lower-case DBInstanceIdentifier
    struct DbCluster
    {
        std::string raw, arn, engine, engineName, engineMode, endpoint, subnetGroup, status;
        std::int64_t port = 0;
        std::vector<std::string> groups;
        std::vector<std::pair<std::string, bool>> members; // (DBInstanceIdentifier, IsClusterWriter)
        std::optional<bool> clusterPublic; // Multi-AZ DB clusters only
        std::map<std::string, std::string> tags;
        SourceLocation where, publicWhere;
    };
    std::vector<DbCluster> m_dbClusters;
    struct CacheCluster
    {
        std::string raw, arn, engine, replicationGroup, subnetGroup, endpoint, status;
        std::int64_t port = 0;
        std::vector<std::string> groups, zones;
        SourceLocation where;
    };
    std::vector<CacheCluster> m_cacheClusters;
    struct ReplicationGroup
    {
        std::string raw, arn, endpoint;
        std::int64_t port = 0;
        std::vector<std::string> members;
        SourceLocation where;
    };
    std::map<std::string, ReplicationGroup> m_replicationGroups; // by lower-case id
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
        else if (key == "LoadBalancers")
            each([&](const JsonNode& lb) { readLoadBalancer(lb); });
        else if (key == "LoadBalancerDescriptions")
            each([&](const JsonNode& lb) { readClassicLoadBalancer(lb); });
        else if (key == "Listeners")
            each([&](const JsonNode& l) { readListener(l, {}); });
        else if (key == "LoadBalancerListeners") // Batfish: the listeners of each load balancer
            each([&](const JsonNode& w) {
                if (auto inner = w.get("Listeners"); inner && inner->isArray())
                    inner->forEachElement([&](const JsonNode& l) { readListener(l, str(w, "LoadBalancerArn")); });
            });
        else if (key == "Rules")
            each([&](const JsonNode& r) { readListenerRule(r); });
        else if (key == "TargetGroups")
            each([&](const JsonNode& g) { readTargetGroup(g); });
        else if (key == "LoadBalancerTargetHealth") // Batfish: the targets of each target group
            each([&](const JsonNode& w) {
                if (auto inner = w.get("TargetHealthDescriptions"); inner && inner->isArray()) {
                    const std::string group = str(w, "TargetGroupArn");
                    if (group.empty()) {
                        warn(w,
                            "target health without \"TargetGroupArn\": its targets cannot be placed behind a load "
                            "balancer; data stores behind it may be reachable without a finding");
                        return;
                    }
                    m_targetsKnown.insert(lower(group));
                    inner->forEachElement([&](const JsonNode& t) { readTargetHealth(t, group); });
                }
            });
        else if (key == "TargetHealthDescriptions" || key == "Attributes") {
            // `describe-target-health` and `describe-target-group-attributes` do not name their
            // target group: the collector's layout does.
            const std::string group = ownerFromLayout(":targetgroup/");
            if (group.empty() && key == "Attributes" && !ownerFromLayout(":loadbalancer/").empty()) {
                m_input->skipped = true;
                m_input->reason = "load balancer attributes (access logs, cross-zone, deletion protection) do not "
                                  "change who reaches it";
                return;
            }
            if (group.empty()) {
                m_input->skipped = true;
                m_input->reason = std::string(key == "Attributes" ? "attributes" : "target health")
                    + " of a resource the document does not name: store it as the collector does, "
                      "<service>-<command>/<url-quoted target group ARN>";
                if (key == "TargetHealthDescriptions")
                    m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, { m_file, {}, 0, 0 },
                        "targets of an unnamed target group: " + m_input->reason
                            + "; data stores behind a load balancer may be reachable without a finding" });
                return;
            }
            if (key == "TargetHealthDescriptions") {
                m_targetsKnown.insert(lower(group));
                each([&](const JsonNode& t) { readTargetHealth(t, group); });
            } else {
                each([&](const JsonNode& a) { readTargetGroupAttribute(a, group); });
            }
        } else if (key == "DBClusters")
            each([&](const JsonNode& c) { readDbCluster(c); });
        else if (key == "DBSubnetGroups")
            each([&](const JsonNode& g) { readSubnetGroup(g, "DB subnet group", "DBSubnetGroupName"); });
        else if (key == "ClusterSubnetGroups")
            each([&](const JsonNode& g) { readSubnetGroup(g, "cluster subnet group", "ClusterSubnetGroupName"); });
        else if (key == "CacheSubnetGroups")
            each([&](const JsonNode& g) { readSubnetGroup(g, "cache subnet group", "CacheSubnetGroupName"); });
        else if (key == "CacheClusters")
            each([&](const JsonNode& c) { readCacheCluster(c); });
        else if (key == "ReplicationGroups")
            each([&](const JsonNode& g) { readReplicationGroup(g); });
        else if (key == "DomainStatusList" || key == "DomainStatus") {
            // Amazon CloudSearch answers with the same keys; its domains carry a search service.
            const JsonNode first = list.isArray() && list.element().get_array().size() > 0
                ? JsonNode(list.element().get_array().at(0).value(), list.pointer() + "/0")
                : list;
            if (first.isObject() && (first.get("SearchService") || first.get("DocService"))) {
                m_input->skipped = true;
                m_input->reason
                    = "Amazon CloudSearch domains are not analysed (their search endpoints are public, gated "
                      "by their access policies): a search index behind them may be reachable without a "
                      "finding";
                m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, { m_file, {}, 0, 0 }, m_input->reason });
            } else if (key == "DomainStatus") {
                if (!list.isObject()) {
                    error(list, "\"DomainStatus\" should be an object but is " + std::string(list.typeName()));
                } else {
                    readDomain(list);
                    ++m_input->resources;
                    any = true;
                }
            } else {
                each([&](const JsonNode& d) { readDomain(d); });
            }
        } else if (key == "Clusters") {
            // Redshift's clusters carry ClusterIdentifier; DAX's and MemoryDB's (data stores too) and
            // EMR's, CloudHSM's... do not.
            const bool redshift = !list.isArray() || list.element().get_array().size() == 0
                || list.element().get_array().at(0)["ClusterIdentifier"].error() == simdjson::SUCCESS;
            if (redshift) {
                each([&](const JsonNode& c) { readRedshiftCluster(c); });
            } else {
                m_input->skipped = true;
                m_input->reason = "AWS \"Clusters\" of another service than Redshift (DAX, MemoryDB, EMR, ...) are not "
                                  "analysed: a data store among them may be reachable without a finding";
                m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, { m_file, {}, 0, 0 }, m_input->reason });
            }
        } else if (key == "PrefixLists")
            each([&](const JsonNode& l) { readPrefixList(l); });
        else if (key == "SecurityGroupRules")
            each([&](const JsonNode& r) { readGroupRule(r); });
        else if (key == "Entries")
            any = readEntries(root, list) || any;
        else if (key == "EgressOnlyInternetGateways" || key == "NatGateways")
            each([](const JsonNode&) {}); // outbound only: no inbound path (AWS, "Egress-only internet gateways")
        else if (std::find(std::begin(kIgnoredKeys), std::end(kIgnoredKeys), key) != std::end(kIgnoredKeys)) {
            if (!m_input->skipped) {
                m_input->skipped = true;
                m_input->reason = "AWS " + std::string(key) + " play no part in inbound exposure analysis";
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
            perms->forEachElement([&, in = inbound](const JsonNode& p) { readPermission(p, in, sg); });
    m_snap.nsgs.emplace(id, std::move(sg));
}

// What one permission (or one rule of describe-security-group-rules) matches apart from its
// source: protocol, ports or ICMP type and code. False (with the error said) when it is not valid.
bool AwsReader::permissionBase(const JsonNode& p, bool inbound, SecurityRule& base)
{
    base.allow = true;
    base.inbound = inbound;
    base.destination.any = true; // the interface itself (swapped for outbound rules in addGroupRule)
    base.protocolText = str(p, "IpProtocol");
    if (base.protocolText.empty())
        if (auto n = p.get("IpProtocol"); n && n->intValue())
            base.protocolText = std::to_string(*n->intValue());
    bool ported = false;
    if (!protocolOf(base.protocolText, base.protocols, ported, base.family)) {
        error(p, "unknown IpProtocol \"" + base.protocolText + "\"");
        return false;
    }
    if (ported) {
        const std::int64_t from = number(p.get("FromPort")), to = number(p.get("ToPort"));
        if (from >= 0 && to >= from && to <= 65535)
            base.destinationPorts = PortSet::range(static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to));
        else if (from != kAbsent || to != kAbsent) {
            error(p, "invalid port range " + std::to_string(from) + "-" + std::to_string(to));
            return false;
        }
    } else if (base.protocols == maskOf(Protocol::Icmp)) {
        // "If the protocol is ICMP or ICMPv6, this is the ICMP type or -1 (all ICMP types)" (FromPort)
        // and "the ICMP code or -1 (all ICMP codes)" (ToPort) (EC2 API reference, IpPermission).
        const std::int64_t type = number(p.get("FromPort")), code = number(p.get("ToPort"));
        if (type > 255 || code > 255 || (type < -1 && type != kAbsent) || (code < -1 && code != kAbsent)) {
            error(p, "invalid ICMP type " + std::to_string(type) + " and code " + std::to_string(code));
            return false;
        }
        const auto tc = icmpTypeCode(static_cast<int>(type), static_cast<int>(code));
        base.icmpTypes = PortSet::range(tc.first, tc.last);
    }
    base.where = here(p);
    return true;
}

// One rule of a group: named after what it admits ("in tcp 443 from 0.0.0.0/0"), numbered in the
// group's order (a group is a union: the order decides nothing).
void AwsReader::addGroupRule(NetworkSecurityGroup& sg, SecurityRule r, const std::string& source)
{
    const bool icmp = r.protocols == maskOf(Protocol::Icmp);
    const std::string portText = icmp ? formatIcmpTypes(r.icmpTypes.ranges())
        : r.destinationPorts.isAll()  ? "all ports"
                                      : r.destinationPorts.toString();
    if (r.family != SecurityRule::Family::Any && !r.source.prefixes.isEmpty()
        && !r.source.prefixes.intersects(
            r.family == SecurityRule::Family::V4 ? AddressSet::allV4() : AddressSet::allV6()))
        r.description = r.family == SecurityRule::Family::V4
            ? "ICMP is IPv4's: an IPv6 source matches no packet (IPv6 uses icmpv6)"
            : "ICMPv6 is IPv6's: an IPv4 source matches no packet (IPv4 uses icmp)";
    r.priority = static_cast<int>(sg.rules.size()) + 1;
    r.name = (r.inbound ? "in " : "out ") + (r.protocolText == "-1" ? std::string("all") : r.protocolText) + " "
        + portText + (r.inbound ? " from " : " to ") + source;
    r.id = sg.id + "/" + (r.inbound ? "ingress/" : "egress/") + std::to_string(sg.rules.size());
    if (!r.inbound)
        std::swap(r.source, r.destination);
    sg.rules.push_back(std::move(r));
}

void AwsReader::readPermission(const JsonNode& p, bool inbound, NetworkSecurityGroup& sg)
{
    SecurityRule base;
    if (!permissionBase(p, inbound, base))
        return;
    auto cidrs = [&](std::string_view listKey, std::string_view cidrKey) {
        if (auto list = p.get(listKey); list && list->isArray())
            list->forEachElement([&](const JsonNode& e) {
                const std::string c = str(e, cidrKey);
                SecurityRule r = base;
                r.source.prefixes = prefix(e, c);
                r.where = here(e);
                if (!r.source.prefixes.isEmpty())
                    addGroupRule(sg, std::move(r), c);
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
            addGroupRule(sg, std::move(r), pl);
        });
    if (auto list = p.get("UserIdGroupPairs"); list && list->isArray())
        list->forEachElement([&](const JsonNode& e) {
            SecurityRule r = base;
            const std::string group = str(e, "GroupId");
            r.source.asgIds.push_back(lower(group));
            r.where = here(e);
            addGroupRule(sg, std::move(r), group);
        });
}

// `aws ec2 describe-security-group-rules`: one rule per item, naming its group (EC2 API reference,
// SecurityGroupRule: GroupId, IsEgress, IpProtocol, FromPort/ToPort, and one of CidrIpv4, CidrIpv6,
// PrefixListId or ReferencedGroupInfo). The same rules as describe-security-groups' permissions:
// a group that document describes keeps its own; the others are made from these rules (link()).
void AwsReader::readGroupRule(const JsonNode& r)
{
    const std::string group = lower(str(r, "GroupId"));
    if (group.empty()) {
        error(r, "security group rule without \"GroupId\"");
        return;
    }
    const bool egress = r.get("IsEgress") && r.get("IsEgress")->boolValue().value_or(false);
    SecurityRule rule;
    if (!permissionBase(r, !egress, rule))
        return;
    std::string source;
    if (const std::string c = str(r, "CidrIpv4"); !c.empty()) {
        rule.source.prefixes = prefix(r, c);
        source = c;
    } else if (const std::string c6 = str(r, "CidrIpv6"); !c6.empty()) {
        rule.source.prefixes = prefix(r, c6);
        source = c6;
    } else if (const std::string pl = str(r, "PrefixListId"); !pl.empty()) {
        rule.source.tags.push_back(lower(pl));
        source = pl;
    } else if (auto ref = r.get("ReferencedGroupInfo"); ref && !str(*ref, "GroupId").empty()) {
        source = str(*ref, "GroupId");
        rule.source.asgIds.push_back(lower(source));
    } else {
        error(r, "security group rule without a source (CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupInfo)");
        return;
    }
    if (rule.source.prefixes.isEmpty() && rule.source.tags.empty() && rule.source.asgIds.empty())
        return; // an invalid prefix, already said
    rule.description = str(r, "Description");
    PendingGroupRule pending;
    pending.groupId = group;
    pending.displayId = str(r, "GroupId");
    pending.owner = str(r, "GroupOwnerId");
    pending.ruleId = str(r, "SecurityGroupRuleId");
    pending.source = source;
    pending.rule = std::move(rule);
    m_pendingGroupRules.push_back(std::move(pending));
}

// Rules of describe-security-group-rules: a group describe-security-groups did not describe is made
// from them (its name is its id; interfaces name it by id). A group it did describe has the same
// rules when both were exported together; a rule it lacks (the documents are of different times) is
// added, towards reachability, and said.
void AwsReader::linkGroupRules()
{
    // What a rule admits, whichever document it comes from: direction, protocol, ports or ICMP
    // types, and the peer (a rule's source, an outbound rule's destination).
    auto key = [](const SecurityRule& r, bool swapped) {
        const AddressMatch& peer = r.inbound || !swapped ? r.source : r.destination;
        std::string k = (r.inbound ? "in|" : "out|") + std::to_string(r.protocols) + "|"
            + std::to_string(static_cast<int>(r.family)) + "|" + r.destinationPorts.toString() + "|"
            + r.icmpTypes.toString() + "|";
        for (const auto& c : peer.prefixes.toCidrs())
            k += c + ",";
        for (const auto& t : peer.tags)
            k += "pl:" + t + ",";
        for (const auto& g : peer.asgIds)
            k += "sg:" + g + ",";
        return k;
    };
    std::map<std::string, std::set<std::string>> described; // group -> keys of its rules
    for (const auto& [id, sg] : m_snap.nsgs)
        if (sg.type == "AWS::EC2::SecurityGroup") {
            auto& keys = described[id];
            for (const auto& r : sg.rules)
                keys.insert(key(r, true));
        }
    std::map<std::string, int> added; // described group -> rules only the rules listing had
    for (auto& p : m_pendingGroupRules) {
        if (auto d = described.find(p.groupId); d != described.end()) {
            if (!d->second.insert(key(p.rule, false)).second)
                continue; // the same rule in both documents
            ++added[p.groupId];
        }
        auto [it, fresh] = m_snap.nsgs.try_emplace(p.groupId);
        NetworkSecurityGroup& sg = it->second;
        if (fresh) {
            sg.id = p.groupId;
            sg.displayId = p.displayId;
            sg.name = p.displayId;
            sg.type = "AWS::EC2::SecurityGroup";
            sg.semantics = NetworkSecurityGroup::Semantics::AllowUnion;
            sg.where = p.rule.where;
            if (!p.owner.empty())
                m_groupOwners[p.groupId].account = p.owner;
        }
        const std::string ruleId = p.ruleId;
        addGroupRule(sg, std::move(p.rule), p.source);
        if (!ruleId.empty())
            sg.rules.back().id = sg.id + "/" + lower(ruleId);
    }
    for (const auto& [group, n] : added) {
        const auto& sg = m_snap.nsgs.at(group);
        m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, sg.where,
            "security group " + (sg.displayId.empty() ? sg.id : sg.displayId) + ": describe-security-group-rules lists "
                + std::to_string(n)
                + " rule(s) describe-security-groups does not (exports of different times?); they are added" });
    }
    m_pendingGroupRules.clear();
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
            // "IcmpTypeCode: the ICMP type and code; -1 for all" (EC2 API reference, NetworkAclEntry).
            if (auto tc = e.get("IcmpTypeCode"); r.protocols == maskOf(Protocol::Icmp) && tc && tc->isObject()) {
                const std::int64_t type = number(tc->get("Type")), code = number(tc->get("Code"));
                if (type > 255 || code > 255 || (type < -1 && type != kAbsent) || (code < -1 && code != kAbsent)) {
                    error(*tc, "invalid ICMP type " + std::to_string(type) + " and code " + std::to_string(code));
                    return;
                }
                const auto range = icmpTypeCode(static_cast<int>(type), static_cast<int>(code));
                r.icmpTypes = PortSet::range(range.first, range.last);
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
    if (auto att = e.get("Attachment"); att && att->isObject() && !nic.vmId.empty())
        if (number(att->get("DeviceIndex")) == 0)
            m_primaryInterface[nic.vmId] = id;
    // Elastic Load Balancing names the interfaces of its nodes "ELB app/<name>/<id>" (network:
    // "net/", classic: "ELB <name>").
    if (const std::string description = str(e, "Description"); description.rfind("ELB ", 0) == 0)
        m_elbInterfaces[lower(description.substr(4))].push_back(id);
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
                set->forEachElement([&, key = field](const JsonNode& c) { add(c, str(c, key)); });
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

std::string AwsReader::serviceInterface(const ManagedDataService& svc, const std::string& name,
    const std::vector<std::string>& groups, const std::string& subnetId, const SourceLocation& where)
{
    NetworkInterface nic;
    nic.id = svc.id + "/networkinterface";
    nic.displayId = svc.displayId;
    nic.name = name;
    nic.type = "AWS::EC2::NetworkInterface";
    nic.serviceId = svc.id;
    nic.where = where;
    nic.securityGroupIds = groups;
    IpConfiguration ipc;
    ipc.id = nic.id + "/ipconfigurations/primary";
    ipc.name = "primary";
    ipc.nicId = nic.id;
    ipc.subnetId = subnetId; // no private address in the export: any address of the subnet
    ipc.asgIds = nic.securityGroupIds;
    ipc.primary = true;
    ipc.where = where;
    std::string ipcId = ipc.id;
    nic.ipConfigurations.push_back(std::move(ipc));
    m_snap.nics[nic.id] = std::move(nic);
    return ipcId;
}

void AwsReader::servicePublicAddress(const std::string& ipcId, const std::string& name, const std::string& address,
    const std::string& type, const SourceLocation& where)
{
    PublicIpAddress pip;
    pip.id = ipcId + "/publicaddress";
    pip.name = name;
    pip.address = address;
    pip.type = type;
    pip.sku = PublicIpAddress::Sku::Standard; // behind security groups: nothing is open by default
    pip.ipConfigurationId = ipcId;
    pip.where = where;
    auto& nic = m_snap.nics.at(ipcId.substr(0, ipcId.find("/ipconfigurations/")));
    for (auto& ipc : nic.ipConfigurations)
        if (ipc.id == ipcId)
            ipc.publicIpId = pip.id;
    m_snap.publicIps[pip.id] = std::move(pip);
}

void AwsReader::place(const std::string& ipcId, const std::string& serviceId, const char* groupKind,
    std::string groupName, std::vector<std::string> subnets, std::vector<std::string> zones,
    const SourceLocation& where)
{
    m_placements.push_back(
        { ipcId, serviceId, groupKind, std::move(groupName), std::move(subnets), std::move(zones), where });
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
    // A member of an Aurora (or Multi-AZ) cluster is named after its cluster: the analyst sees the
    // cluster and the instance that is reached (linkDbCluster adds its role).
    const std::string cluster = str(d, "DBClusterIdentifier");
    svc.name = cluster.empty() ? raw : cluster + "/" + raw;
    svc.type = "AWS::RDS::DBInstance";
    svc.privateOnly = true; // reached through its interface below, never as an Azure-style public endpoint
    svc.where = here(d);
    const std::string engine = lower(str(d, "Engine"));
    svc.engine = rdsEngine(engine);
    std::int64_t port = kAbsent;
    if (auto endpoint = d.get("Endpoint"); endpoint && endpoint->isObject()) {
        port = number(endpoint->get("Port"));
        svc.endpoint = str(*endpoint, "Address");
    }
    if (port <= 0)
        port = number(d.get("DbInstancePort"));
    if (port <= 0 || port > 65535) {
        const std::int64_t fallback = defaultPort(svc.engine);
        if (fallback > 0) {
            warn(d,
                "DB instance " + raw + " has no endpoint port in the export: the engine's default, "
                    + std::to_string(fallback) + ", is assumed");
            svc.assumptions.push_back(svc.name + " listens on its engine's default port " + std::to_string(fallback)
                + " (not in the export)");
        } else {
            warn(d,
                "DB instance " + raw + " has no endpoint port in the export and its engine \"" + engine
                    + "\" has no known default: every TCP port is assumed");
            svc.assumptions.push_back(svc.name + " has no port in the export: every TCP port is assumed");
        }
        port = fallback;
    }
    svc.tcpPorts = port > 0 ? PortSet::range(static_cast<std::uint32_t>(port), static_cast<std::uint32_t>(port))
                            : PortSet::all();
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
    std::vector<std::string> groups;
    if (auto list = d.get("VpcSecurityGroups"); list && list->isArray())
        list->forEachElement([&](const JsonNode& g) { groups.push_back(lower(str(g, "VpcSecurityGroupId"))); });
    const std::string ipcId = serviceInterface(svc, raw, groups, subnet, here(d));
    // arn:partition:rds:region:account:db:name
    if (const auto parts = arnParts(arn); parts.size() >= 5)
        if (auto nic = m_snap.nics.find(ipcId.substr(0, ipcId.find("/ipconfigurations/"))); nic != m_snap.nics.end()) {
            nic->second.region = parts[3];
            nic->second.account = parts[4];
        }
    const bool publiclyAccessible
        = d.get("PubliclyAccessible") && d.get("PubliclyAccessible")->boolValue().value_or(false);
    const bool stopped = lower(str(d, "DBInstanceStatus")) == "stopped";
    // DocumentDB: "Amazon DocumentDB does not currently support public endpoints. The value of
    // PubliclyAccessible is always false" (DocumentDB API reference, DBInstance).
    if (publiclyAccessible && !stopped && engine != "docdb")
        servicePublicAddress(ipcId, raw + " public endpoint", svc.endpoint, "AWS::RDS public address",
            here(*d.get("PubliclyAccessible")));
    m_dbInstances[lower(raw)] = { svc.id, ipcId };
    m_snap.dataServices[svc.id] = std::move(svc);
}

// `aws rds describe-db-clusters` (Aurora, Multi-AZ DB clusters, and DocumentDB and Neptune clusters,
// which share the shape). A cluster's endpoints are DNS names of its instances' addresses: the
// cluster endpoint resolves to the writer, the reader endpoint to the readers (Aurora User Guide,
// "Amazon Aurora endpoint connections"). So the reachable endpoints are the instances, and each is
// one data store (named "<cluster>/<instance>"); the cluster is not a data store of its own, which
// would report the same addresses twice. Linked once every document is read (linkDbCluster).
void AwsReader::readDbCluster(const JsonNode& c)
{
    DbCluster cluster;
    cluster.raw = str(c, "DBClusterIdentifier");
    if (cluster.raw.empty()) {
        error(c, "DB cluster without \"DBClusterIdentifier\"");
        return;
    }
    cluster.arn = str(c, "DBClusterArn");
    cluster.engineName = lower(str(c, "Engine"));
    cluster.engine = rdsEngine(cluster.engineName);
    cluster.engineMode = lower(str(c, "EngineMode"));
    cluster.endpoint = str(c, "Endpoint"); // a string here, not an object as in DBInstance
    cluster.subnetGroup = str(c, "DBSubnetGroup"); // the group's name only
    cluster.status = lower(str(c, "Status"));
    cluster.port = number(c.get("Port"));
    if (auto list = c.get("VpcSecurityGroups"); list && list->isArray())
        list->forEachElement([&](const JsonNode& g) { cluster.groups.push_back(lower(str(g, "VpcSecurityGroupId"))); });
    if (auto list = c.get("DBClusterMembers"); list && list->isArray())
        list->forEachElement([&](const JsonNode& m) {
            const std::string id = str(m, "DBInstanceIdentifier");
            const bool writer = m.get("IsClusterWriter") && m.get("IsClusterWriter")->boolValue().value_or(false);
            if (id.empty())
                return;
            // The same instance may be listed twice (the aws-cli example lists it as reader and writer).
            auto same = std::find_if(cluster.members.begin(), cluster.members.end(),
                [&](const auto& x) { return lower(x.first) == lower(id); });
            if (same == cluster.members.end())
                cluster.members.emplace_back(id, writer);
            else
                same->second = same->second || writer;
        });
    if (auto flag = c.get("PubliclyAccessible"); flag && flag->boolValue()) {
        cluster.clusterPublic = *flag->boolValue();
        cluster.publicWhere = here(*flag);
    }
    if (auto list = c.get("TagList"); list && list->isArray())
        list->forEachElement([&](const JsonNode& t) { cluster.tags[str(t, "Key")] = str(t, "Value"); });
    cluster.where = here(c);
    m_dbClusters.push_back(std::move(cluster));
}

// DB, cluster (Redshift) and cache (ElastiCache) subnet groups share a shape: a name and subnets
// with their availability zones.
void AwsReader::readSubnetGroup(const JsonNode& g, const char* kind, std::string_view nameKey)
{
    const std::string name = str(g, nameKey);
    if (name.empty()) {
        error(g, std::string(kind) + " without \"" + std::string(nameKey) + "\"");
        return;
    }
    SubnetGroup group;
    if (auto subnets = g.get("Subnets"); subnets && subnets->isArray())
        subnets->forEachElement([&](const JsonNode& s) {
            auto az = s.get("SubnetAvailabilityZone");
            group.subnets.emplace_back(
                lower(str(s, "SubnetIdentifier")), az && az->isObject() ? str(*az, "Name") : std::string());
        });
    m_subnetGroups[std::string(kind) + "/" + lower(name)] = std::move(group);
}

// `aws opensearch describe-domain(s)` and `aws es describe-elasticsearch-domain(s)`. A domain lives
// either in a VPC or at a public endpoint, never both (OpenSearch Developer Guide, "Launching your
// Amazon OpenSearch Service domains within a VPC",
// https://docs.aws.amazon.com/opensearch-service/latest/developerguide/vpc.html).
// - Public: "accessible from any internet-connected device", gated by its access policy alone (ac.html):
//   a service whose firewall is the policy's anonymous grants (readAnonymousAccess).
// - VPC: reached through interfaces in VPCOptions.SubnetIds behind VPCOptions.SecurityGroupIds; "you
//   can't directly access your domains from outside the VPC": no public address, two-hop only.
// Ports: HTTPS 443, and HTTP 80 unless DomainEndpointOptions.EnforceHTTPS ("True to require that all
// traffic to the domain arrive over HTTPS", OpenSearch API reference, DomainEndpointOptions); the
// managed endpoint does not expose Elasticsearch's 9200/9300.
void AwsReader::readDomain(const JsonNode& d)
{
    const std::string name = str(d, "DomainName");
    if (name.empty()) {
        error(d, "domain without \"DomainName\"");
        return;
    }
    if (auto deleted = d.get("Deleted"); deleted && deleted->boolValue().value_or(false)) {
        m_snap.diagnostics.push_back({ Diagnostic::Level::Note, here(d),
            "domain " + name + " is being deleted (\"Deleted\": true): not analysed" });
        return;
    }
    const std::string arn = str(d, "ARN");
    const std::string domainId = str(d, "DomainId");
    ManagedDataService svc;
    svc.id = lower(!arn.empty() ? arn : "opensearch/" + (domainId.empty() ? name : domainId));
    svc.displayId = arn.empty() ? name : arn;
    svc.name = name;
    // The OpenSearch API names its fields EngineVersion/ClusterConfig; the legacy es API
    // ElasticsearchVersion/ElasticsearchClusterConfig.
    const bool opensearchApi = d.get("EngineVersion") || d.get("ClusterConfig");
    svc.type = opensearchApi ? "AWS::OpenSearchService::Domain" : "AWS::Elasticsearch::Domain";
    svc.engine = "elasticsearch"; // the catalogue's engine; OpenSearch is its fork with the same REST API
    svc.where = here(d);
    bool enforceHttps = false;
    if (auto options = d.get("DomainEndpointOptions"); options && options->isObject())
        enforceHttps = options->get("EnforceHTTPS") && options->get("EnforceHTTPS")->boolValue().value_or(false);
    svc.tcpPorts = PortSet::range(443, 443);
    if (!enforceHttps)
        svc.tcpPorts.add(80, 80);
    // Fine-grained access control authenticates requests (internal user database, IAM, SAML): a
    // second gate, not a network one; the path stays and the analyst is told.
    if (auto security = d.get("AdvancedSecurityOptions"); security && security->isObject()) {
        const bool fgac = security->get("Enabled") && security->get("Enabled")->boolValue().value_or(false);
        const bool anonymousAuth = security->get("AnonymousAuthEnabled")
            && security->get("AnonymousAuthEnabled")->boolValue().value_or(false);
        if (fgac)
            svc.assumptions.push_back("fine-grained access control is enabled on " + name
                + (anonymousAuth ? ", with anonymous authentication enabled: requests without credentials get the "
                                   "anonymous user's permissions"
                                 : ": a request must also authenticate (internal user, IAM or SAML) before it reads "
                                   "data; the network path is reported as it is (OpenSearch Developer Guide, "
                                   "\"Fine-grained access control in Amazon OpenSearch Service\")"));
    }
    // The policy is a JSON string (LocalStack records it parsed: read either).
    std::string policy;
    std::optional<JsonNode> policyNode = d.get("AccessPolicies");
    if (policyNode && policyNode->isString())
        policy = std::string(policyNode->stringValue());
    else if (policyNode && policyNode->isObject())
        policy = simdjson::minify(policyNode->element());
    const AnonymousAccess access = readAnonymousAccess(policy, arn);
    const SourceLocation policyWhere = policyNode ? here(*policyNode) : here(d);
    for (const auto& bad : access.invalidAddresses)
        error(policyNode ? *policyNode : d,
            "invalid address in aws:SourceIp of the access policy of " + name + ", " + bad);
    std::vector<std::string> subnets, groups;
    std::string vpcId;
    if (auto vpc = d.get("VPCOptions"); vpc && vpc->isObject()) {
        vpcId = lower(str(*vpc, "VPCId"));
        if (auto list = vpc->get("SubnetIds"); list && list->isArray())
            list->forEachElement([&](const JsonNode& s) { subnets.push_back(lower(s.stringValue())); });
        if (auto list = vpc->get("SecurityGroupIds"); list && list->isArray())
            list->forEachElement([&](const JsonNode& g) { groups.push_back(lower(g.stringValue())); });
    }
    if (!subnets.empty() || !vpcId.empty()) {
        svc.privateOnly = true;
        if (auto endpoints = d.get("Endpoints"); endpoints && endpoints->isObject())
            svc.endpoint = str(*endpoints, "vpc");
        // "if a request reaches the OpenSearch Service domain and the associated security groups
        // permit it, the domain accepts the request. The only exception is if you're using
        // fine-grained access control or an access policy that specifies IAM roles" (vpc.html).
        if (access.valid && access.grants.empty())
            svc.assumptions.push_back("the access policy of " + name
                + " admits no anonymous request: a request that reaches it must be signed by a principal the policy "
                  "names (OpenSearch Developer Guide, \"About access policies on VPC domains\")");
        if (!access.valid)
            warn(policyNode ? *policyNode : d,
                "the access policy of " + name + " is " + access.error
                    + ": it does not decide this VPC domain's "
                      "reachability, its security groups do");
        const std::string ipcId = serviceInterface(svc, name, groups, {}, here(d));
        place(ipcId, svc.id, nullptr, {}, subnets, {}, here(d));
        m_snap.dataServices[svc.id] = std::move(svc);
        return;
    }
    svc.endpoint = str(d, "Endpoint");
    if (svc.endpoint.empty())
        svc.endpoint = str(d, "EndpointV2");
    if (!svc.endpoint.empty())
        svc.hostNames.push_back(lower(svc.endpoint));
    svc.firewallLabel = "access policy";
    if (lower(str(d, "IPAddressType")) == "dualstack")
        svc.assumptions.push_back(name + " also has an IPv6 endpoint (dual stack): only IPv4 clients are analysed");
    if (!access.valid) {
        // Towards reachability: a policy that cannot be read is assumed to let anyone in.
        warn(policyNode ? *policyNode : d,
            "the access policy (\"AccessPolicies\") of domain " + name + " is " + access.error
                + ": the domain is treated as open to any address");
        svc.defaultAllow = true;
        svc.defaultWhy = "AccessPolicies unreadable: treated as open";
        svc.defaultWhere = policyWhere;
        svc.assumptions.push_back("the access policy of " + name + " could not be read (" + access.error
            + "): it is assumed to allow anonymous requests from any address");
    }
    for (const auto& g : access.grants)
        svc.entries.push_back({ g.name, g.sources, false, policyWhere });
    for (const auto& note : access.notes)
        svc.assumptions.push_back(name + ": " + note);
    m_snap.dataServices[svc.id] = std::move(svc);
}

// Elastic Load Balancing (Elastic Load Balancing API reference, LoadBalancer.Scheme: "The nodes of
// an Internet-facing load balancer have public IP addresses ... internal load balancers can route
// requests only from clients with access to the VPC"). A load balancer has a node in each of its
// subnets: the node is an interface behind that subnet's network ACL and the load balancer's
// security groups.
void AwsReader::readLoadBalancer(const JsonNode& lb)
{
    Elb e;
    e.arn = str(lb, "LoadBalancerArn");
    if (e.arn.empty()) {
        error(lb, "load balancer without \"LoadBalancerArn\"");
        return;
    }
    e.name = str(lb, "LoadBalancerName").empty() ? e.arn : str(lb, "LoadBalancerName");
    e.type = lower(str(lb, "Type"));
    e.scheme = lower(str(lb, "Scheme"));
    if (auto state = lb.get("State"); state && state->isObject())
        e.state = lower(str(*state, "Code"));
    e.vpcId = lower(str(lb, "VpcId"));
    e.ipAddressType = lower(str(lb, "IpAddressType"));
    if (auto groups = lb.get("SecurityGroups"); groups && groups->isArray())
        groups->forEachElement([&](const JsonNode& g) {
            if (g.isString())
                e.securityGroups.push_back(lower(g.stringValue()));
        });
    if (auto zones = lb.get("AvailabilityZones"); zones && zones->isArray())
        zones->forEachElement([&](const JsonNode& z) {
            const std::string subnet = lower(str(z, "SubnetId"));
            if (subnet.empty())
                return;
            std::string address;
            if (auto addrs = z.get("LoadBalancerAddresses"); addrs && addrs->isArray())
                addrs->forEachElement([&](const JsonNode& a) {
                    if (address.empty())
                        address = !str(a, "PrivateIPv4Address").empty() ? str(a, "PrivateIPv4Address")
                                                                        : str(a, "IpAddress");
                });
            // An internet-facing node's IpAddress is its public (elastic) address, not its own.
            if (e.scheme == "internet-facing" && !address.empty())
                if (auto a = parseAddress(address); a && publicInternet().contains(*a))
                    address.clear();
            e.subnets.emplace_back(subnet, address);
        });
    e.where = here(lb);
    m_elbs.push_back(std::move(e));
}

// Classic Load Balancers (Elastic Load Balancing API reference, version 2012-06-01,
// LoadBalancerDescription): listeners map a load balancer port to an instance port; instances are
// registered on the load balancer itself.
void AwsReader::readClassicLoadBalancer(const JsonNode& lb)
{
    Elb e;
    e.name = str(lb, "LoadBalancerName");
    e.arn = "classic-elb/" + e.name; // classic load balancers have no ARN in the API's answer
    e.type = "classic";
    e.scheme = lower(str(lb, "Scheme"));
    e.state = "active";
    e.vpcId = lower(str(lb, "VPCId"));
    if (auto groups = lb.get("SecurityGroups"); groups && groups->isArray())
        groups->forEachElement([&](const JsonNode& g) {
            if (g.isString())
                e.securityGroups.push_back(lower(g.stringValue()));
        });
    if (auto subnets = lb.get("Subnets"); subnets && subnets->isArray())
        subnets->forEachElement([&](const JsonNode& sn) {
            if (sn.isString())
                e.subnets.emplace_back(lower(sn.stringValue()), std::string());
        });
    if (auto instances = lb.get("Instances"); instances && instances->isArray())
        instances->forEachElement([&](const JsonNode& i) {
            if (const std::string id = lower(str(i, "InstanceId")); !id.empty())
                e.instances.push_back(id);
        });
    e.where = here(lb);
    if (auto list = lb.get("ListenerDescriptions"); list && list->isArray())
        list->forEachElement([&](const JsonNode& d) {
            auto l = d.get("Listener");
            if (!l || !l->isObject())
                return;
            Listener listener;
            listener.lbArn = e.arn;
            listener.protocol = str(*l, "Protocol");
            const std::int64_t port = number(l->get("LoadBalancerPort")), to = number(l->get("InstancePort"));
            if (port < 1 || port > 65535 || to < 1 || to > 65535) {
                error(*l, "listener without a valid LoadBalancerPort and InstancePort");
                return;
            }
            listener.port = static_cast<std::uint32_t>(port);
            listener.instancePort = static_cast<std::uint32_t>(to);
            listener.arn = e.arn + "/listener/" + std::to_string(port);
            listener.name = "listener " + listener.protocol + ":" + std::to_string(port);
            listener.where = here(*l);
            m_listeners.push_back(std::move(listener));
        });
    m_elbs.push_back(std::move(e));
}

// The target groups (lower-case ARNs) a list of listener or rule actions forwards to: a "forward"
// action's TargetGroupArn, or each group of its ForwardConfig with a weight (a weight of 0 sends
// nothing to the group: ELBv2 API reference, TargetGroupTuple).
std::vector<std::string> AwsReader::forwardedGroups(const JsonNode& actions)
{
    std::vector<std::string> groups;
    auto add = [&](std::string g) {
        if (!g.empty() && std::find(groups.begin(), groups.end(), g) == groups.end())
            groups.push_back(std::move(g));
    };
    if (!actions.isArray())
        return groups;
    actions.forEachElement([&](const JsonNode& a) {
        if (lower(str(a, "Type")) != "forward")
            return;
        add(lower(str(a, "TargetGroupArn")));
        if (auto config = a.get("ForwardConfig"); config && config->isObject())
            if (auto list = config->get("TargetGroups"); list && list->isArray())
                list->forEachElement([&](const JsonNode& t) {
                    if (number(t.get("Weight")) != 0)
                        add(lower(str(t, "TargetGroupArn")));
                });
    });
    return groups;
}

// Listeners (ELBv2 API reference, Listener and Action): only a "forward" action reaches targets,
// to its TargetGroupArn or to each group of its ForwardConfig.
void AwsReader::readListener(const JsonNode& l, const std::string& lbArn)
{
    Listener listener;
    listener.arn = str(l, "ListenerArn");
    listener.lbArn = str(l, "LoadBalancerArn").empty() ? lbArn : str(l, "LoadBalancerArn");
    if (listener.arn.find(":elasticloadbalancing:") == std::string::npos && !listener.arn.empty()) {
        warn(l, "listener " + listener.arn + " is not an Elastic Load Balancing listener; ignored");
        return;
    }
    listener.protocol = upper(str(l, "Protocol"));
    const std::int64_t port = number(l.get("Port"));
    if (port < 1 || port > 65535) {
        // A Gateway Load Balancer's listener has no port or protocol ("You cannot specify a
        // protocol or port", Gateway Load Balancer guide): it inspects routed traffic, no way in.
        if (listener.protocol.empty() || listener.protocol == "GENEVE")
            return;
        error(l, "listener without a valid \"Port\"");
        return;
    }
    listener.port = static_cast<std::uint32_t>(port);
    listener.where = here(l);
    if (auto actions = l.get("DefaultActions"))
        listener.groupArns = forwardedGroups(*actions);
    listener.name = "listener " + listener.protocol + ":" + std::to_string(port);
    m_listeners.push_back(std::move(listener));
}

// Listener rules (ELBv2 API reference, Rule and RuleCondition): a rule forwards to further target
// groups; a "source-ip" condition admits only the client addresses it lists ("If a client is
// behind a proxy, this is the IP address of the proxy not the IP address of the client").
void AwsReader::readListenerRule(const JsonNode& r)
{
    const std::string ruleArn = str(r, "RuleArn");
    const auto at = ruleArn.find(":listener-rule/");
    if (at == std::string::npos) {
        warn(r, "rule " + ruleArn + " is not a load balancer listener rule; ignored");
        return;
    }
    // arn:...:listener-rule/app/<lb>/<lb id>/<listener id>/<rule id> names its listener.
    std::string listenerArn = ruleArn.substr(0, at) + ":listener/" + ruleArn.substr(at + 15);
    listenerArn = listenerArn.substr(0, listenerArn.rfind('/'));
    m_rulesKnown.insert(lower(listenerArn));
    if (r.get("IsDefault") && r.get("IsDefault")->boolValue().value_or(false))
        return; // the listener's default actions, read with the listener
    Listener rule;
    rule.arn = listenerArn; // joined with the listener's port and load balancer when linked
    rule.ruleArn = ruleArn;
    rule.name = "rule " + str(r, "Priority");
    rule.where = here(r);
    if (auto conditions = r.get("Conditions"); conditions && conditions->isArray())
        conditions->forEachElement([&](const JsonNode& c) {
            if (lower(str(c, "Field")) != "source-ip")
                return;
            rule.anyClient = false;
            auto add = [&](const JsonNode& v) {
                if (v.isString())
                    rule.clients = rule.clients.united(prefix(v, std::string(v.stringValue())));
            };
            if (auto config = c.get("SourceIpConfig"); config && config->isObject())
                if (auto values = config->get("Values"); values && values->isArray())
                    values->forEachElement(add);
            if (auto values = c.get("Values"); values && values->isArray())
                values->forEachElement(add);
        });
    if (auto actions = r.get("Actions"))
        rule.groupArns = forwardedGroups(*actions);
    rule.lbArn = "rule"; // marks a rule: its listener gives port and load balancer
    m_listeners.push_back(std::move(rule));
}

void AwsReader::readTargetGroup(const JsonNode& g)
{
    TargetGroup group;
    group.arn = str(g, "TargetGroupArn");
    if (group.arn.empty()) {
        error(g, "target group without \"TargetGroupArn\"");
        return;
    }
    group.name = str(g, "TargetGroupName").empty() ? group.arn : str(g, "TargetGroupName");
    group.protocol = upper(str(g, "Protocol"));
    // "instance ... This is the default value" (ELBv2 API reference, CreateTargetGroup.TargetType).
    group.targetType = str(g, "TargetType").empty() ? std::string("instance") : lower(str(g, "TargetType"));
    group.vpcId = lower(str(g, "VpcId"));
    const std::int64_t port = number(g.get("Port"));
    group.port = port >= 1 && port <= 65535 ? static_cast<std::uint32_t>(port) : 0;
    if (auto arns = g.get("LoadBalancerArns"); arns && arns->isArray())
        arns->forEachElement([&](const JsonNode& a) {
            if (a.isString())
                group.lbArns.push_back(lower(a.stringValue()));
        });
    group.where = here(g);
    m_targetGroups[lower(group.arn)] = std::move(group);
}

void AwsReader::readTargetHealth(const JsonNode& t, const std::string& groupArn)
{
    auto target = t.get("Target");
    if (!target || !target->isObject()) {
        warn(t, "target health description without \"Target\"; ignored");
        return;
    }
    Target tg;
    tg.groupArn = lower(groupArn);
    tg.id = str(*target, "Id");
    tg.zone = str(*target, "AvailabilityZone");
    const std::int64_t port = number(target->get("Port"));
    tg.port = port >= 1 && port <= 65535 ? static_cast<std::uint32_t>(port) : 0;
    if (target->get("Port") && !tg.port)
        warn(*target,
            "target port " + (port == kAbsent ? std::string("(not a number)") : std::to_string(port))
                + " is not a port: the target group's port is taken");
    if (auto health = t.get("TargetHealth"); health && health->isObject())
        tg.state = lower(str(*health, "State"));
    tg.where = here(*target);
    if (tg.id.empty()) {
        error(*target, "target without \"Id\"");
        return;
    }
    m_targets.push_back(std::move(tg));
}

void AwsReader::readTargetGroupAttribute(const JsonNode& a, const std::string& groupArn)
{
    if (str(a, "Key") == "preserve_client_ip.enabled")
        m_preserveClientIp[lower(groupArn)] = lower(str(a, "Value"));
}

std::string AwsReader::ownerFromLayout(std::string_view arnPart) const
{
    // quote_plus: "%XX" escapes and "+" for a space.
    auto decode = [](std::string_view in) {
        std::string out;
        for (std::size_t i = 0; i < in.size(); ++i) {
            if (in[i] == '%' && i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1]))
                && std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
                out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
                i += 2;
            } else {
                out += in[i] == '+' ? ' ' : in[i];
            }
        }
        return out;
    };
    std::string path = m_file;
    std::replace(path.begin(), path.end(), '\\', '/');
    std::string name = path.substr(path.rfind('/') + 1);
    if (name.size() > 5 && lower(name.substr(name.size() - 5)) == ".json")
        name.resize(name.size() - 5);
    std::string arn = decode(name);
    if (arn.rfind("arn:", 0) == 0 && arn.find(arnPart) != std::string::npos)
        return arn;
    return {};
}

// Links listeners, target groups and targets into one device per load balancer (ELBv2 API
// reference; Application Load Balancer guide, "Target groups": an instance target receives traffic
// at "the primary private IP address specified in the primary network interface for the
// instance"; an IP target at the interface that owns that address).
void AwsReader::linkLoadBalancers()
{
    // Listener rules join the listener they belong to (its port and load balancer).
    std::map<std::string, const Listener*> listenerByArn;
    for (const auto& l : m_listeners)
        if (l.lbArn != "rule")
            listenerByArn[lower(l.arn)] = &l;
    std::vector<Listener> listeners;
    for (const auto& l : m_listeners) {
        if (l.lbArn != "rule") {
            listeners.push_back(l);
            continue;
        }
        auto it = listenerByArn.find(lower(l.arn));
        if (it == listenerByArn.end()) {
            m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, l.where,
                "listener rule of " + l.arn + ", whose listener is not in the export; ignored" });
            continue;
        }
        Listener joined = l;
        joined.lbArn = it->second->lbArn;
        joined.port = it->second->port;
        joined.protocol = it->second->protocol;
        joined.name = it->second->name + " " + l.name;
        listeners.push_back(std::move(joined));
    }
    // A registered address is the interface that has it (in the target group's VPC first).
    std::map<std::string, std::vector<std::string>> ipcOfAddress;
    for (const auto& [id, nic] : m_snap.nics)
        for (const auto& ipc : nic.ipConfigurations)
            if (!ipc.privateAddress.empty())
                ipcOfAddress[ipc.privateAddress].push_back(ipc.id);
    auto primaryIpcOf = [&](const std::string& instance) -> std::string {
        std::string nicId;
        if (auto p = m_primaryInterface.find(instance); p != m_primaryInterface.end())
            nicId = p->second;
        else if (auto vm = m_snap.vms.find(instance); vm != m_snap.vms.end() && !vm->second.nicIds.empty())
            nicId = vm->second.nicIds.front();
        auto nic = m_snap.nics.find(nicId);
        if (nic == m_snap.nics.end() || nic->second.ipConfigurations.empty())
            return {};
        for (const auto& ipc : nic->second.ipConfigurations)
            if (ipc.primary)
                return ipc.id;
        return nic->second.ipConfigurations.front().id;
    };
    for (const auto& e : m_elbs) {
        ProxyDevice device;
        device.kind = ProxyDevice::Kind::LoadBalancer;
        device.id = lower(e.arn);
        device.name = e.name;
        device.type = e.type == "classic" ? "AWS::ElasticLoadBalancing::LoadBalancer"
                                          : "AWS::ElasticLoadBalancingV2::LoadBalancer";
        device.label = e.type == "application" ? "Application Load Balancer"
            : e.type == "network"              ? "Network Load Balancer"
            : e.type == "gateway"              ? "Gateway Load Balancer"
                                               : "Classic Load Balancer";
        device.sku = e.type;
        device.internetFacing = e.scheme == "internet-facing";
        device.dualStack = e.ipAddressType.rfind("dualstack", 0) == 0;
        device.securityGroupIds = e.securityGroups;
        device.where = e.where;
        if (e.type == "gateway") {
            m_snap.diagnostics.push_back({ Diagnostic::Level::Note, e.where,
                "Gateway Load Balancer " + e.name
                    + " inspects traffic routed through it and is not a way in from the internet; not modelled" });
            continue;
        }
        // Its nodes: the interfaces Elastic Load Balancing made (named "ELB <type>/<name>/<id>"),
        // else one stand-in per subnet with any address of the subnet.
        const auto named = e.arn.find("loadbalancer/");
        const std::string suffix = e.type == "classic" ? e.name
            : named == std::string::npos               ? e.arn
                                                       : e.arn.substr(named + 13);
        if (auto found = m_elbInterfaces.find(lower(suffix)); found != m_elbInterfaces.end()) {
            for (const auto& id : found->second)
                if (auto nic = m_snap.nics.find(id); nic != m_snap.nics.end()) {
                    nic->second.deviceId = device.id;
                    if (nic->second.securityGroupIds.empty())
                        nic->second.securityGroupIds = e.securityGroups;
                    device.nodeInterfaceIds.push_back(id);
                }
        } else {
            // No subnets in the export (EC2-Classic, or a trimmed document): one node whose subnet,
            // routes and network ACL are unknown, towards reachability.
            auto subnets = e.subnets;
            if (subnets.empty()) {
                subnets.emplace_back(std::string(), std::string());
                m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, e.where,
                    "load balancer " + e.name
                        + " lists no subnets: its nodes' routes and network ACLs are unknown and assumed to admit "
                          "every client" });
            }
            for (const auto& [subnet, address] : subnets) {
                NetworkInterface nic;
                nic.id = device.id + "/node/" + subnet;
                nic.displayId = e.arn;
                nic.name = subnet.empty() ? e.name + " node" : e.name + " node in " + subnet;
                nic.type = "AWS::ElasticLoadBalancing node";
                nic.deviceId = device.id;
                nic.securityGroupIds = e.securityGroups;
                nic.where = e.where;
                IpConfiguration ipc;
                ipc.id = nic.id + "/ipconfigurations/node";
                ipc.name = "node";
                ipc.nicId = nic.id;
                ipc.subnetId = subnet;
                ipc.asgIds = e.securityGroups;
                ipc.primary = true;
                ipc.where = e.where;
                if (auto a = parseAddress(address)) {
                    ipc.privateAddress = address;
                    ipc.privateIp = *a;
                    ipc.privateRange = AddressSet::range(*a, *a);
                } else if (subnet.empty()) {
                    // Its address is some address of its VPC (every address when the VPC is unknown too).
                    if (auto v = m_snap.vnets.find(e.vpcId); v != m_snap.vnets.end())
                        ipc.privateRange = v->second.addressSpace;
                }
                nic.ipConfigurations.push_back(std::move(ipc));
                device.nodeInterfaceIds.push_back(nic.id);
                m_snap.nics[nic.id] = std::move(nic);
            }
        }
        if (e.state == "failed" || e.state == "provisioning") {
            m_snap.diagnostics.push_back({ Diagnostic::Level::Note, e.where,
                "load balancer " + e.name + " is " + e.state + ": it forwards nothing" });
            m_snap.proxies[device.id] = std::move(device);
            continue;
        }
        // The listeners of this load balancer; none in the export (CloudMapper does not collect
        // them): every target group that names it is assumed forwarded from some listener port.
        std::vector<Listener> mine;
        for (const auto& l : listeners)
            if (lower(l.lbArn) == device.id)
                mine.push_back(l);
        // An Application Load Balancer's HTTP(S) listener whose rules are not in the export
        // (describe-rules; Batfish's snapshots hold none) may forward to any target group that names
        // the load balancer: assumed, and said.
        if (e.type == "application") {
            std::vector<Listener> fromRules;
            for (const auto& l : mine) {
                if (!l.ruleArn.empty() || l.port == 0 || (l.protocol != "HTTP" && l.protocol != "HTTPS")
                    || m_rulesKnown.count(lower(l.arn)))
                    continue;
                for (const auto& [arn, group] : m_targetGroups) {
                    if (std::find(group.lbArns.begin(), group.lbArns.end(), device.id) == group.lbArns.end()
                        || std::find(l.groupArns.begin(), l.groupArns.end(), arn) != l.groupArns.end())
                        continue;
                    Listener r = l;
                    r.ruleArn = l.arn + "/rules-not-in-the-export";
                    r.groupArns = { arn };
                    r.name = l.name + " (a rule not in the export)";
                    r.assumption = "the rules of " + l.name + " on " + e.name
                        + " are not in the export (describe-rules): target group " + group.name
                        + ", which names the load balancer, is assumed forwarded by one of them";
                    fromRules.push_back(std::move(r));
                }
            }
            mine.insert(mine.end(), fromRules.begin(), fromRules.end());
        }
        std::set<std::string> forwarded;
        for (const auto& l : mine)
            forwarded.insert(l.groupArns.begin(), l.groupArns.end());
        for (const auto& [arn, group] : m_targetGroups) {
            if (forwarded.count(arn)
                || std::find(group.lbArns.begin(), group.lbArns.end(), device.id) == group.lbArns.end())
                continue;
            Listener assumed;
            assumed.arn = e.arn + "/listener/unknown/" + group.name;
            assumed.lbArn = e.arn;
            assumed.protocol = group.protocol;
            assumed.name = "a listener not in the export";
            assumed.groupArns.push_back(arn);
            assumed.where = group.where;
            mine.push_back(std::move(assumed));
        }
        if (mine.empty() && device.internetFacing)
            m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, e.where,
                "internet-facing load balancer " + e.name
                    + " has no listeners or target groups in the export (describe-listeners, describe-target-groups, "
                      "describe-target-health): what it forwards, and to which data stores, is unknown" });
        for (const auto& l : mine) {
            const bool unknownListener = l.port == 0;
            auto forward = [&](const std::string& groupName, const std::string& groupId, std::uint32_t port,
                               std::vector<std::string> ipcs, bool preserves, std::string assumption,
                               const SourceLocation& where) {
                ProxyForward fw;
                fw.id = lower(l.ruleArn.empty() ? l.arn : l.ruleArn) + "|" + groupId + "|" + std::to_string(port);
                fw.name = l.name + " -> " + groupName;
                fw.frontendPublicIpId = device.internetFacing ? device.id : std::string();
                const std::string p = upper(l.protocol);
                // QUIC runs over UDP; TCP_QUIC listens on both (ELBv2 API reference, Listener.Protocol).
                fw.protocols = p == "UDP" || p == "QUIC" ? maskOf(Protocol::Udp)
                    : p == "TCP_UDP" || p == "TCP_QUIC"
                    ? static_cast<ProtocolMask>(maskOf(Protocol::Tcp) | maskOf(Protocol::Udp))
                    : maskOf(Protocol::Tcp);
                fw.frontendPorts = unknownListener ? PortSet::all() : PortSet::range(l.port, l.port);
                fw.backendPorts = PortSet::range(port, port);
                fw.anyClient = l.anyClient;
                fw.clientSources = l.clients;
                fw.backendIpConfigurationIds = std::move(ipcs);
                fw.preservesClient = preserves;
                fw.assumption = std::move(assumption);
                if (!l.assumption.empty())
                    fw.assumption += (fw.assumption.empty() ? "" : "; ") + l.assumption;
                if (unknownListener)
                    fw.assumption += std::string(fw.assumption.empty() ? "" : "; ") + "the listeners of " + e.name
                        + " are not in the export (describe-listeners): target group " + groupName
                        + " is assumed forwarded from a listener on any port";
                fw.detail = l.name + " -> " + groupName + ", port " + std::to_string(port);
                fw.where = where;
                device.forwards.push_back(std::move(fw));
            };
            if (e.type == "classic") {
                std::vector<std::string> ipcs;
                for (const auto& instance : e.instances)
                    if (const std::string ipc = primaryIpcOf(instance); !ipc.empty())
                        ipcs.push_back(ipc);
                    else
                        m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, e.where,
                            "instance " + instance + " of load balancer " + e.name
                                + " is not in the export: what it exposes is unknown" });
                forward("registered instances", "instances", l.instancePort, std::move(ipcs), false, {}, l.where);
                continue;
            }
            for (const auto& groupArn : l.groupArns) {
                auto g = m_targetGroups.find(groupArn);
                if (g == m_targetGroups.end()) {
                    m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, l.where,
                        "target group " + groupArn + " of " + l.name + " on " + e.name
                            + " is not in the export (describe-target-groups): its targets are unknown" });
                    continue;
                }
                const TargetGroup& group = g->second;
                if (group.targetType == "lambda" || group.targetType == "alb") {
                    m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, group.where,
                        "target group " + group.name + " forwards to "
                            + (group.targetType == "alb" ? "an Application Load Balancer" : "a Lambda function")
                            + ", not to a machine in the export; not followed: what it leads to may be reachable "
                              "without a finding" });
                    continue;
                }
                if (!m_targetsKnown.count(groupArn)) {
                    m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, group.where,
                        "the targets of target group " + group.name + " (" + e.name
                            + ") are not in the export (describe-target-health): data stores behind it may be "
                              "reachable without a finding" });
                    continue;
                }
                // Network Load Balancer, "Edit target group attributes": client IP preservation
                // is on by default for instance targets and for UDP, TCP_UDP, QUIC and TCP_QUIC;
                // off by default for IP targets with TCP and TLS.
                bool preserves = false;
                std::string assumption;
                if (e.type == "network") {
                    const bool udpLike = group.protocol.find("UDP") != std::string::npos
                        || group.protocol.find("QUIC") != std::string::npos;
                    const bool byDefault = group.targetType == "instance" || udpLike;
                    if (udpLike)
                        preserves = true;
                    else if (auto attr = m_preserveClientIp.find(groupArn); attr != m_preserveClientIp.end())
                        preserves = attr->second == "true";
                    else {
                        preserves = byDefault;
                        assumption = "the attributes of target group " + group.name
                            + " are not in the export: client IP preservation is taken as " + (byDefault ? "on" : "off")
                            + ", the documented default for " + group.targetType + " targets over "
                            + (group.protocol.empty() ? std::string("TCP") : group.protocol);
                    }
                }
                std::map<std::uint32_t, std::vector<std::string>> byPort;
                for (const auto& t : m_targets) {
                    if (t.groupArn != groupArn)
                        continue;
                    const std::uint32_t port = t.port ? t.port : group.port;
                    std::string ipc;
                    if (group.targetType == "instance") {
                        ipc = primaryIpcOf(lower(t.id));
                    } else if (auto found = ipcOfAddress.find(t.id); found != ipcOfAddress.end()) {
                        for (const auto& candidate : found->second) {
                            const auto nic
                                = m_snap.nics.find(candidate.substr(0, candidate.find("/ipconfigurations/")));
                            const auto sub = nic == m_snap.nics.end()
                                ? m_snap.subnets.end()
                                : m_snap.subnets.find(nic->second.ipConfigurations.front().subnetId);
                            if (ipc.empty() || (sub != m_snap.subnets.end() && sub->second.vnetId == group.vpcId))
                                ipc = candidate;
                        }
                    }
                    if (ipc.empty()) {
                        m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, t.where,
                            "target " + t.id + " of target group " + group.name
                                + " is not in the export: what it exposes through " + e.name + " is unknown" });
                        continue;
                    }
                    if (port)
                        byPort[port].push_back(ipc);
                    else
                        m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, t.where,
                            "target " + t.id + " of target group " + group.name
                                + " has no port (neither its own nor the group's): what it exposes is unknown" });
                }
                for (auto& [port, ipcs] : byPort)
                    forward(group.name, groupArn, port, std::move(ipcs), preserves, assumption, l.where);
            }
        }
        m_snap.proxies[device.id] = std::move(device);
    }
}

// `aws redshift describe-clusters`: like an RDS instance, in its cluster subnet group behind its VPC
// security groups on its endpoint port; "PubliclyAccessible": "the cluster can be accessed from a
// public network", through an Elastic IP (Redshift Management Guide, "Managing clusters in a VPC":
// "Amazon Redshift uses an elastic IP address for the external IP address"). The node addresses in
// ClusterNodes appear "regardless of whether the cluster is publicly accessible or not": ignored.
void AwsReader::readRedshiftCluster(const JsonNode& c)
{
    const std::string raw = str(c, "ClusterIdentifier");
    if (raw.empty()) {
        error(c, "Redshift cluster without \"ClusterIdentifier\"");
        return;
    }
    ManagedDataService svc;
    svc.id = "redshift/cluster/" + lower(raw); // describe-clusters gives no cluster ARN
    svc.displayId = raw;
    svc.name = raw;
    svc.type = "AWS::Redshift::Cluster";
    svc.engine = "redshift";
    svc.privateOnly = true;
    svc.where = here(c);
    std::int64_t port = kAbsent;
    if (auto endpoint = c.get("Endpoint"); endpoint && endpoint->isObject()) {
        port = number(endpoint->get("Port"));
        svc.endpoint = str(*endpoint, "Address");
    }
    if (port <= 0 || port > 65535) {
        warn(c, "Redshift cluster " + raw + " has no endpoint port in the export: the default, 5439, is assumed");
        svc.assumptions.push_back(raw + " listens on Redshift's default port 5439 (not in the export)");
        port = 5439;
    }
    svc.tcpPorts = PortSet::range(static_cast<std::uint32_t>(port), static_cast<std::uint32_t>(port));
    svc.tags = tagsOf(c);
    std::vector<std::string> groups;
    if (auto list = c.get("VpcSecurityGroups"); list && list->isArray())
        list->forEachElement([&](const JsonNode& g) { groups.push_back(lower(str(g, "VpcSecurityGroupId"))); });
    const std::string ipcId = serviceInterface(svc, raw, groups, {}, here(c));
    const std::string zone = str(c, "AvailabilityZone");
    place(ipcId, svc.id, "cluster subnet group", str(c, "ClusterSubnetGroupName"), {},
        zone.empty() ? std::vector<std::string> {} : std::vector<std::string> { zone }, here(c));
    const bool publiclyAccessible
        = c.get("PubliclyAccessible") && c.get("PubliclyAccessible")->boolValue().value_or(false);
    const std::string status = lower(str(c, "ClusterStatus"));
    if (publiclyAccessible && status != "paused") {
        std::string address = svc.endpoint;
        std::string type = "AWS::Redshift public address";
        if (auto eip = c.get("ElasticIpStatus"); eip && eip->isObject() && !str(*eip, "ElasticIp").empty()) {
            address = str(*eip, "ElasticIp");
            type = "AWS::EC2::EIP";
        }
        servicePublicAddress(ipcId, raw + " public endpoint", address, type, here(*c.get("PubliclyAccessible")));
    }
    m_snap.dataServices[svc.id] = std::move(svc);
}

// `aws elasticache describe-cache-clusters [--show-cache-node-info]`. ElastiCache has no public
// endpoint: "Opening up the ElastiCache cluster to 0.0.0.0/0 does not expose the cluster to the
// Internet because it has no public IP address and therefore cannot be accessed from outside the
// VPC" (ElastiCache User Guide, "Accessing your ElastiCache cluster"). Its nodes are reached in its
// cache subnet group's subnets behind SecurityGroups, on the node port. The nodes of a replication
// group hold the same data behind the same groups: one data store per replication group
// (linkCacheClusters), one per cluster outside any.
void AwsReader::readCacheCluster(const JsonNode& c)
{
    CacheCluster cache;
    cache.raw = str(c, "CacheClusterId");
    if (cache.raw.empty()) {
        error(c, "cache cluster without \"CacheClusterId\"");
        return;
    }
    cache.arn = str(c, "ARN");
    cache.engine = lower(str(c, "Engine"));
    cache.replicationGroup = str(c, "ReplicationGroupId");
    cache.subnetGroup = str(c, "CacheSubnetGroupName");
    cache.status = lower(str(c, "CacheClusterStatus"));
    cache.where = here(c);
    if (auto list = c.get("SecurityGroups"); list && list->isArray())
        list->forEachElement([&](const JsonNode& g) { cache.groups.push_back(lower(str(g, "SecurityGroupId"))); });
    // Node endpoints only with --show-cache-node-info; the configuration endpoint for Memcached.
    if (auto nodes = c.get("CacheNodes"); nodes && nodes->isArray())
        nodes->forEachElement([&](const JsonNode& n) {
            if (auto endpoint = n.get("Endpoint"); endpoint && endpoint->isObject()) {
                if (cache.port <= 0)
                    cache.port = number(endpoint->get("Port"));
                if (cache.endpoint.empty())
                    cache.endpoint = str(*endpoint, "Address");
            }
            if (const std::string zone = str(n, "CustomerAvailabilityZone"); !zone.empty())
                cache.zones.push_back(zone);
        });
    if (auto endpoint = c.get("ConfigurationEndpoint"); endpoint && endpoint->isObject()) {
        if (cache.port <= 0)
            cache.port = number(endpoint->get("Port"));
        cache.endpoint = str(*endpoint, "Address");
    }
    if (const std::string zone = str(c, "PreferredAvailabilityZone");
        cache.zones.empty() && !zone.empty() && lower(zone) != "multiple")
        cache.zones.push_back(zone);
    m_cacheClusters.push_back(std::move(cache));
}

// `aws elasticache describe-replication-groups`: its member clusters, and the port of its primary
// (or configuration) endpoint. It names neither subnets nor security groups: those come from its
// member clusters.
void AwsReader::readReplicationGroup(const JsonNode& g)
{
    ReplicationGroup group;
    group.raw = str(g, "ReplicationGroupId");
    if (group.raw.empty()) {
        error(g, "replication group without \"ReplicationGroupId\"");
        return;
    }
    group.arn = str(g, "ARN");
    group.where = here(g);
    if (auto list = g.get("MemberClusters"); list && list->isArray())
        list->forEachElement([&](const JsonNode& m) { group.members.emplace_back(m.stringValue()); });
    auto endpointOf = [&](const JsonNode& e) {
        if (group.port <= 0)
            group.port = number(e.get("Port"));
        if (group.endpoint.empty())
            group.endpoint = str(e, "Address");
    };
    if (auto e = g.get("ConfigurationEndpoint"); e && e->isObject())
        endpointOf(*e);
    if (auto nodeGroups = g.get("NodeGroups"); nodeGroups && nodeGroups->isArray())
        nodeGroups->forEachElement([&](const JsonNode& ng) {
            if (auto e = ng.get("PrimaryEndpoint"); e && e->isObject())
                endpointOf(*e);
        });
    m_replicationGroups[lower(group.raw)] = std::move(group);
}

// A cluster's members are its data stores (readDbCluster). Aurora: "the instance's
// PubliclyAccessible decides" (DBCluster.PubliclyAccessible: "This setting is only for non-Aurora
// Multi-AZ DB clusters"); a Multi-AZ DB cluster: the cluster's setting. Members missing from
// `describe-db-instances` stand in with the cluster's subnet group and security groups, and, towards
// reachability, are assumed public where the instance's own setting would decide.
void AwsReader::linkDbCluster(std::size_t index)
{
    const DbCluster& c = m_dbClusters[index];
    const bool aurora = c.engineName.rfind("aurora", 0) == 0;
    const bool docdb = c.engineName == "docdb";
    const bool clusterDecides = !aurora && c.clusterPublic.has_value(); // a Multi-AZ DB cluster
    const bool stopped = c.status == "stopped";
    // A member the export lacks: public when the cluster's setting says so (Multi-AZ DB cluster),
    // assumed public where the instance's own setting decides (Aurora, Neptune), never for
    // DocumentDB ("does not currently support public endpoints") or Aurora Serverless v1 ("can't be
    // given a public IP address").
    const bool neverPublic = docdb || stopped || c.engineMode == "serverless";
    const bool assumedPublic = !neverPublic && !clusterDecides;
    std::vector<std::pair<std::string, bool>> missing;
    for (const auto& [member, writer] : c.members) {
        auto it = m_dbInstances.find(lower(member));
        if (it == m_dbInstances.end()) {
            missing.emplace_back(member, writer);
            continue;
        }
        const std::string role = std::string(writer ? "writer" : "reader") + " of " + c.raw;
        const auto& ref = it->second;
        auto& svc = m_snap.dataServices.at(ref.serviceId);
        const auto& ipc
            = m_snap.nics.at(ref.ipcId.substr(0, ref.ipcId.find("/ipconfigurations/"))).ipConfigurations.front();
        if (!ipc.publicIpId.empty()) {
            m_snap.publicIps.at(ipc.publicIpId).name = member + " public endpoint (" + role + ")";
            if (writer && !c.endpoint.empty())
                svc.hostNames.push_back(lower(c.endpoint)); // the cluster endpoint resolves here
        } else if (clusterDecides && *c.clusterPublic && !docdb && !stopped) {
            m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, c.publicWhere,
                "DB cluster " + c.raw + " is publicly accessible but its member " + member
                    + " is not: the cluster's setting decides for a Multi-AZ DB cluster" });
            servicePublicAddress(ref.ipcId, member + " public endpoint (" + role + ")", svc.endpoint,
                "AWS::RDS public address", c.publicWhere);
        }
    }
    // A cluster without members (Aurora Serverless v1, or no instance yet) is reached, if at all, at
    // its cluster endpoint: one stand-in for it.
    const bool noMembers = c.members.empty();
    if (noMembers)
        missing.emplace_back(std::string(), true);
    std::string names;
    for (const auto& [member, writer] : missing)
        if (!member.empty())
            names += (names.empty() ? "" : ", ") + member;
    if (!names.empty())
        m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, c.where,
            "member(s) " + names + " of DB cluster " + c.raw
                + " are not in the export (aws rds describe-db-instances): each is analysed with the cluster's "
                  "subnet group and security groups"
                + (assumedPublic ? " and assumed publicly accessible" : std::string()) });
    for (const auto& [member, writer] : missing) {
        ManagedDataService svc;
        const std::string clusterId = lower(c.arn.empty() ? "rds/cluster/" + c.raw : c.arn);
        svc.id = member.empty() ? clusterId : clusterId + "/" + lower(member);
        svc.displayId = member.empty() ? (c.arn.empty() ? c.raw : c.arn) : member;
        svc.name = member.empty() ? c.raw : c.raw + "/" + member;
        svc.type = member.empty() ? "AWS::RDS::DBCluster" : "AWS::RDS::DBInstance";
        svc.engine = c.engine;
        svc.endpoint = c.endpoint;
        svc.privateOnly = true;
        svc.tags = c.tags;
        svc.where = c.where;
        std::int64_t port = c.port;
        if (port <= 0 || port > 65535) {
            port = defaultPort(c.engine);
            svc.assumptions.push_back(svc.name + " listens on its engine's default port "
                + (port > 0 ? std::to_string(port) : std::string("(unknown: every TCP port)"))
                + " (not in the export)");
        }
        svc.tcpPorts = port > 0 ? PortSet::range(static_cast<std::uint32_t>(port), static_cast<std::uint32_t>(port))
                                : PortSet::all();
        // A memberless cluster without a cluster-level setting has no instance to answer publicly.
        bool isPublic = false;
        SourceLocation publicWhere = c.where;
        if (!neverPublic && clusterDecides) {
            isPublic = *c.clusterPublic;
            publicWhere = c.publicWhere;
        } else if (assumedPublic && !member.empty()) {
            isPublic = true;
            svc.assumptions.push_back(member + " (" + (writer ? "writer" : "reader") + " of DB cluster " + c.raw
                + ") is not in the export (aws rds describe-db-instances): its PubliclyAccessible setting is unknown "
                  "and assumed true");
        }
        if (!member.empty())
            svc.assumptions.push_back(member + " is analysed in its cluster's DB subnet group " + c.subnetGroup
                + " with the cluster's security groups (the instance is not in the export)");
        const std::string ipcId = serviceInterface(svc, member.empty() ? c.raw : member, c.groups, {}, c.where);
        place(ipcId, svc.id, "DB subnet group", c.subnetGroup, {}, {}, c.where);
        if (isPublic)
            servicePublicAddress(ipcId,
                (member.empty() ? c.raw : member) + " public endpoint ("
                    + (member.empty() ? "cluster endpoint" : std::string(writer ? "writer" : "reader") + " of " + c.raw)
                    + ")",
                c.endpoint, "AWS::RDS public address", publicWhere);
        m_snap.dataServices[svc.id] = std::move(svc);
    }
}

// One data store per replication group (its member clusters fold into it), one per cache cluster
// outside any; a replication group whose members are not in the export cannot be placed.
void AwsReader::linkCacheClusters()
{
    std::map<std::string, std::vector<const CacheCluster*>> byGroup; // by lower-case replication group id
    std::vector<const CacheCluster*> alone;
    for (const auto& c : m_cacheClusters)
        if (c.replicationGroup.empty())
            alone.push_back(&c);
        else
            byGroup[lower(c.replicationGroup)].push_back(&c);
    for (const auto& [id, g] : m_replicationGroups)
        if (!byGroup.count(id))
            m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, g.where,
                "no member cluster of ElastiCache replication group " + g.raw
                    + " is in the export (aws elasticache describe-cache-clusters): its subnets and security groups "
                      "are unknown and it is not analysed" });
    auto build = [&](const std::vector<const CacheCluster*>& members, const ReplicationGroup* group) {
        const CacheCluster& first = *members.front();
        ManagedDataService svc;
        const std::string raw = first.replicationGroup.empty() ? first.raw : first.replicationGroup;
        const std::string arn = group ? group->arn : first.replicationGroup.empty() ? first.arn : std::string();
        svc.id = lower(!arn.empty()              ? arn
                : first.replicationGroup.empty() ? "elasticache/cluster/" + raw
                                                 : "elasticache/replicationgroup/" + raw);
        svc.displayId = arn.empty() ? raw : arn;
        svc.name = raw;
        svc.type
            = first.replicationGroup.empty() ? "AWS::ElastiCache::CacheCluster" : "AWS::ElastiCache::ReplicationGroup";
        // Valkey is Redis's fork and speaks its protocol on its port.
        svc.engine = first.engine == "valkey" ? "redis" : first.engine;
        svc.privateOnly = true;
        svc.where = group ? group->where : first.where;
        svc.endpoint = group && !group->endpoint.empty() ? group->endpoint : first.endpoint;
        std::int64_t port = group ? group->port : 0;
        std::vector<std::string> groups, zones;
        for (const auto* m : members) {
            if (port <= 0)
                port = m->port;
            for (const auto& sg : m->groups)
                if (std::find(groups.begin(), groups.end(), sg) == groups.end())
                    groups.push_back(sg);
            zones.insert(zones.end(), m->zones.begin(), m->zones.end());
        }
        if (port <= 0 || port > 65535) {
            port = defaultPort(svc.engine);
            m_snap.diagnostics.push_back({ Diagnostic::Level::Warning, first.where,
                "ElastiCache " + raw
                    + " has no node port in the export (describe-cache-clusters without "
                      "--show-cache-node-info): "
                    + (port > 0 ? "the engine's default, " + std::to_string(port) + ", is assumed"
                                : std::string("every TCP port is assumed")) });
            svc.assumptions.push_back(raw + " listens on "
                + (port > 0 ? "its engine's default port " + std::to_string(port) : std::string("every TCP port"))
                + " (the export has no node endpoints: describe-cache-clusters --show-cache-node-info gives them)");
        }
        svc.tcpPorts = port > 0 ? PortSet::range(static_cast<std::uint32_t>(port), static_cast<std::uint32_t>(port))
                                : PortSet::all();
        const std::string ipcId = serviceInterface(svc, raw, groups, {}, svc.where);
        place(ipcId, svc.id, "cache subnet group", first.subnetGroup, {}, zones, first.where);
        m_snap.dataServices[svc.id] = std::move(svc);
    };
    for (const auto* c : alone)
        build({ c }, nullptr);
    for (const auto& [id, members] : byGroup) {
        auto g = m_replicationGroups.find(id);
        build(members, g == m_replicationGroups.end() ? nullptr : &g->second);
    }
}

// Subnets from subnet groups, by availability zone. Nodes spread over subnets whose network ACLs
// differ are analysed in one of them, and the analyst is told.
void AwsReader::linkPlacements()
{
    static const std::map<std::string, std::string> kCommands
        = { { "DB subnet group", "aws rds describe-db-subnet-groups" },
              { "cluster subnet group", "aws redshift describe-cluster-subnet-groups" },
              { "cache subnet group", "aws elasticache describe-cache-subnet-groups" } };
    for (const auto& p : m_placements) {
        auto svc = m_snap.dataServices.find(p.serviceId);
        auto nic = m_snap.nics.find(p.ipcId.substr(0, p.ipcId.find("/ipconfigurations/")));
        if (svc == m_snap.dataServices.end() || nic == m_snap.nics.end())
            continue;
        std::vector<std::pair<std::string, std::string>> subnets;
        if (p.groupKind) {
            auto g = m_subnetGroups.find(std::string(p.groupKind) + "/" + lower(p.groupName));
            if (g == m_subnetGroups.end()) {
                const std::string what = p.groupName.empty() ? "names no " + std::string(p.groupKind)
                                                             : "is in " + std::string(p.groupKind) + " " + p.groupName
                        + ", which is not in the export (" + kCommands.at(p.groupKind) + ")";
                m_snap.diagnostics.push_back(
                    { Diagnostic::Level::Warning, p.where, svc->second.name + " " + what + ": its subnet is unknown" });
                svc->second.assumptions.push_back(svc->second.name + " " + what
                    + ": its subnet and VPC are unknown, its network ACL and route are assumed to let traffic pass, "
                      "and footholds in its VPC cannot be weighed");
                continue;
            }
            subnets = g->second.subnets;
        } else {
            for (const auto& s : p.subnets)
                subnets.emplace_back(s, std::string());
        }
        std::vector<std::string> candidates;
        for (const auto& [id, zone] : subnets)
            if (std::find(p.zones.begin(), p.zones.end(), zone) != p.zones.end()
                && std::find(candidates.begin(), candidates.end(), id) == candidates.end())
                candidates.push_back(id);
        if (candidates.empty())
            for (const auto& [id, zone] : subnets)
                if (std::find(candidates.begin(), candidates.end(), id) == candidates.end())
                    candidates.push_back(id);
        if (candidates.empty())
            continue;
        nic->second.ipConfigurations.front().subnetId = candidates.front();
        std::set<std::string> acls;
        for (const auto& id : candidates)
            if (auto s = m_snap.subnets.find(id); s != m_snap.subnets.end())
                acls.insert(s->second.networkAclId);
        if (acls.size() > 1) {
            std::string list;
            for (const auto& id : candidates)
                list += (list.empty() ? "" : ", ") + id;
            svc->second.assumptions.push_back(svc->second.name + " has nodes in subnets " + list
                + ", whose network ACLs differ: it is analysed in " + candidates.front());
        }
    }
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
    linkGroupRules();
    linkLoadBalancers();
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
    for (std::size_t i = 0; i < m_dbClusters.size(); ++i)
        linkDbCluster(i);
    linkCacheClusters();
    linkPlacements();
}

} // namespace

std::unique_ptr<FormatReader> makeAwsReader(Snapshot& snapshot)
{
    return std::make_unique<AwsReader>(snapshot);
}

} // namespace ew
