#pragma once

#include "diagnostic.h"
#include "net/addressset.h"
#include "net/packetset.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace ew {

/// A normalised resource id: lower case, no trailing slash. Azure ids are case-insensitive.
std::string normaliseId(std::string_view id);
/// ASCII lower case (Azure names, types and tags compare case-insensitively).
std::string toLower(std::string_view text);
/// Wildcards as IAM policies and owner mappings write them: "*" any run of characters, "?" one
/// character. Case-sensitive (lower both sides for a case-insensitive match).
bool globMatch(std::string_view pattern, std::string_view text);
/// The last segment of an id ("/.../networkSecurityGroups/nsg-a" -> "nsg-a").
std::string lastSegment(std::string_view id);

/// One side of an NSG rule's address match: the union of prefixes, service tags and ASGs.
struct AddressMatch
{
    bool any = false; // "*", "Any", "0.0.0.0/0" and "::/0" together
    AddressSet prefixes; // literal addresses and prefixes
    /// Service tags as written ("Internet", "Storage.WestUS"); AWS: the ids of managed prefix lists
    /// ("pl-0123abcd", normalised), resolved from Snapshot::prefixLists when evaluated.
    std::vector<std::string> tags;
    std::vector<std::string> asgIds; // normalised ids of application security groups
    bool invalid = false; // something did not parse (already reported)
};

struct SecurityRule
{
    std::string id;
    std::string name;
    std::string description;
    int priority = 0;
    bool allow = false;
    bool inbound = true;
    bool isDefault = false;
    bool disabled = false; // a what-if edit: shown, but left out of evaluation
    ProtocolMask protocols = kAllProtocols;
    std::string protocolText; // as written
    /// The address family the rule's protocol exists in: AWS's "icmp" (1) is ICMP for IPv4 and
    /// "icmpv6" (58) ICMP for IPv6, so their rules match no packet of the other family whatever
    /// addresses they name. Any: both (the model's ICMP class holds both protocols).
    enum class Family : std::uint8_t { Any, V4, V6 };
    Family family = Family::Any;
    AddressMatch source;
    AddressMatch destination;
    PortSet destinationPorts = PortSet::all();
    /// ICMP's type-codes (icmpTypeCode): every type unless an AWS rule names one.
    PortSet icmpTypes = PortSet::all();
    std::string sourcePortsText; // kept for display: a source port protects nothing
    /// Why the rule was read as it was (parts a template left unevaluated); stated as an assumption
    /// of every verdict it takes part in.
    std::string assumption;
    /// In a list merged from several (the security groups of one interface): the list the rule
    /// comes from, which evidence names. Empty: the list that holds it.
    std::string ownerId;
    std::string ownerName;
    SourceLocation where;
};

/// A rule that allows everything, standing in for rules the export does not give (a missing NSG or
/// security group, a template's unevaluated rule list): the analysis leans towards reachability.
SecurityRule allowAllRule(std::string id, std::string name, int priority, SourceLocation where);

/// A rule list in front of machines (a filter level's policy). Azure NSGs are first match by
/// priority, with default rules; AWS security groups are allow rules whose union passes.
struct NetworkSecurityGroup
{
    enum class Semantics {
        FirstMatch, // the first rule that matches decides (NSGs; network ACLs by rule number)
        AllowUnion, // allow rules only: a packet passes when any rule allows it (security groups)
    };
    Semantics semantics = Semantics::FirstMatch;
    /// Stateless (AWS network ACLs): a reply is filtered too, by the outbound rules, towards the
    /// client's address and a port the client chose.
    bool stateless = false;
    std::string id; // normalised
    std::string displayId;
    std::string name;
    std::string type = "Microsoft.Network/networkSecurityGroups"; // as the cloud names it, for display
    std::vector<SecurityRule> rules; // custom and default, sorted by direction then priority
    SourceLocation where;
    bool synthetic = false; // stands in for a referenced NSG that is not in the export
};

struct VirtualNetworkPeering
{
    std::string name;
    std::string remoteVnetId;
    AddressSet remoteSpace;
    bool connected = true; // peeringState Connected (or not stated); Initiated/Disconnected carry nothing
    /// allowVirtualNetworkAccess: when false the VirtualNetwork tag of this VNet leaves the remote
    /// space out, so default rules no longer admit it (traffic still flows where a rule names its
    /// addresses). Microsoft Learn, "Create, change, or delete a virtual network peering".
    bool allowVirtualNetworkAccess = true;
    bool allowForwardedTraffic = false;
    bool allowGatewayTransit = false;
    bool useRemoteGateways = false;
    /// AWS: traffic crosses the connection (named by `name`, its pcx- id) only between subnets whose
    /// route tables both send it there (Amazon VPC Peering Guide, "Update your route tables for a VPC
    /// peering connection"); Azure peerings route the whole address space by themselves.
    bool needsRoutes = false;
    SourceLocation where;
};

struct VirtualNetwork
{
    std::string id;
    std::string name;
    AddressSet addressSpace;
    std::vector<std::string> addressPrefixes;
    std::vector<std::string> subnetIds;
    std::vector<VirtualNetworkPeering> peerings;
    /// AWS: the main route table and default network ACL, which subnets without their own use, and
    /// the internet gateways attached to the VPC.
    std::string mainRouteTableId;
    std::string defaultNetworkAclId;
    std::vector<std::string> internetGatewayIds;
    SourceLocation where;
};

struct Subnet
{
    std::string id;
    std::string name;
    std::string vnetId;
    AddressSet prefixes;
    std::string nsgId; // empty: none
    std::string routeTableId; // empty: none
    /// privateEndpointNetworkPolicies as written ("Disabled", "Enabled", "NetworkSecurityGroupEnabled",
    /// "RouteTableEnabled"); empty when the export does not say. NSGs filter traffic to the subnet's
    /// private endpoints only when Enabled or NetworkSecurityGroupEnabled (Microsoft Learn, "Manage
    /// network policies for private endpoints"; disabled by default).
    std::string privateEndpointPolicies;
    std::vector<std::string> serviceEndpoints; // "Microsoft.Storage", "Microsoft.Sql", ... as written
    /// AWS: the subnet's network ACL (stateless, first match by rule number). Internet clients reach
    /// a public address in it only through a route to an internet gateway attached to the VPC.
    std::string networkAclId;
    bool needsInternetRoute = false;
    SourceLocation where;
};

/// One user-defined route (Microsoft Learn, "Virtual network traffic routing").
struct Route
{
    std::string id;
    std::string name;
    std::string prefixText; // as written: a prefix, or a service tag
    AddressSet prefix; // empty when prefixIsTag
    bool prefixIsTag = false;
    std::string nextHopType; // "VirtualAppliance", "VirtualNetworkGateway", "VnetLocal", "Internet", "None";
                             // AWS: "InternetGateway", "NatGateway", "Local", ... with the target's id
    std::string nextHopAddress;
    bool blackhole = false; // AWS: the target is gone; the route drops traffic
    SourceLocation where;
};

struct RouteTable
{
    std::string id;
    std::string name;
    std::vector<Route> routes;
    bool disableBgpRoutePropagation = false;
    SourceLocation where;
};

struct PublicIpAddress
{
    enum class Sku { Unknown, Basic, Standard };
    std::string id;
    std::string name;
    std::string type = "Microsoft.Network/publicIPAddresses";
    std::string address; // empty when not allocated
    /// Why the address is not known, when the export says (a Terraform plan: "known only after
    /// apply"); stated as the assumption of every verdict through it.
    std::string unknownAddress;
    std::string fqdn; // dnsSettings.fqdn ("label.westeurope.cloudapp.azure.com")
    Sku sku = Sku::Unknown;
    bool ipv6 = false; // publicIPAddressVersion IPv6: only IPv6 clients reach it
    std::string ipConfigurationId; // back reference (NIC ip configuration or LB frontend)
    SourceLocation where;
};

struct IpConfiguration
{
    std::string id;
    std::string name;
    std::string nicId;
    std::string privateAddress;
    std::optional<u128> privateIp; // a single address
    AddressSet privateRange; // what the configuration owns: the address, or a delegated prefix
    std::string subnetId;
    std::string publicIpId;
    std::vector<std::string> asgIds;
    std::vector<std::string> backendPoolIds;
    std::vector<std::string> natRuleIds;
    std::vector<std::string> appGatewayPoolIds; // applicationGatewayBackendAddressPools
    bool primary = false;
    SourceLocation where;
};

struct NetworkInterface
{
    std::string id;
    std::string displayId;
    std::string name;
    std::string type = "Microsoft.Network/networkInterfaces";
    std::string nsgId;
    std::string vmId;
    /// A private endpoint's interface: the managed service it leads to (normalised id), and the
    /// private endpoint. Traffic to it reaches that service only, on the service's ports.
    std::string serviceId;
    std::string privateEndpointId;
    /// A node of a device (an AWS load balancer's interface in one of its subnets): the filters in
    /// front of the device, never a target itself (normalised id of the ProxyDevice).
    std::string deviceId;
    /// AWS: the security groups of the interface, whose allow rules together are one filter level.
    std::vector<std::string> securityGroupIds;
    /// AWS: the account and region of what the interface belongs to, as the data give them (its
    /// instance's reservation OwnerId, its own OwnerId, an RDS instance's ARN, else its VPC's OwnerId;
    /// an availability zone or an ARN), never a collector's folder name; empty when the data do not say.
    std::string account;
    std::string region;
    std::vector<IpConfiguration> ipConfigurations;
    std::map<std::string, std::string> tags;
    SourceLocation where;
};

struct VirtualMachine
{
    std::string id;
    std::string displayId;
    std::string name;
    std::string type = "Microsoft.Compute/virtualMachines";
    std::vector<std::string> nicIds;
    std::map<std::string, std::string> tags;
    std::string powerState; // when the export says
    SourceLocation where;
};

struct LbFrontend
{
    std::string id;
    std::string name;
    std::string publicIpId;
    std::string privateAddress;
};

struct LbBackendPool
{
    std::string id;
    std::string name;
    std::vector<std::string> ipConfigurationIds; // from the pool side
};

struct LbRule
{
    std::string id;
    std::string name;
    std::string frontendId;
    std::vector<std::string> backendPoolIds;
    ProtocolMask protocols = maskOf(Protocol::Tcp);
    std::uint32_t frontendPort = 0; // 0 with protocol All: HA ports
    std::uint32_t backendPort = 0;
    SourceLocation where;
};

struct LbNatRule
{
    std::string id;
    std::string name;
    std::string frontendId;
    ProtocolMask protocols = maskOf(Protocol::Tcp);
    std::uint32_t frontendPort = 0;
    std::uint32_t frontendPortLast = 0; // range-based NAT rules (frontendPortRangeStart/End)
    std::uint32_t backendPort = 0;
    std::string backendIpConfigurationId;
    std::string backendPoolId;
    SourceLocation where;
};

struct LoadBalancer
{
    std::string id;
    std::string name;
    std::string type = "Microsoft.Network/loadBalancers";
    PublicIpAddress::Sku sku = PublicIpAddress::Sku::Unknown;
    std::vector<LbFrontend> frontends;
    std::vector<LbBackendPool> pools;
    std::vector<LbRule> rules;
    std::vector<LbNatRule> natRules;
    SourceLocation where;
};

struct ApplicationSecurityGroup
{
    std::string id;
    std::string name;
    SourceLocation where;
};

/// A managed data service with its own network firewall (Azure SQL, PostgreSQL/MySQL servers,
/// Storage accounts, Cosmos DB, Azure Cache for Redis, a public OpenSearch domain's access policy),
/// or one reached through interfaces in a VPC (privateOnly: RDS, Aurora, Redshift, ElastiCache,
/// OpenSearch VPC domains), whose NetworkInterface::serviceId names it.
struct ManagedDataService
{
    struct FirewallEntry
    {
        std::string name;
        AddressSet range;
        bool azureServices = false; // 0.0.0.0-0.0.0.0 / "0.0.0.0": any Azure-hosted client
        SourceLocation where;
    };
    enum class PublicAccess { Enabled, Disabled };
    std::string id;
    std::string displayId;
    std::string name;
    std::string type; // as written, "Microsoft.Sql/servers"
    std::string engine; // data-store engine id of the catalogue
    PublicAccess publicAccess = PublicAccess::Enabled;
    bool defaultAllow = false; // with no matching entry the firewall allows (Storage defaultAction Allow, ...)
    std::string defaultWhy; // what makes it open by default, for evidence
    SourceLocation defaultWhere;
    std::vector<FirewallEntry> entries;
    PortSet tcpPorts;
    std::string endpoint; // FQDN when the export has it
    std::vector<std::string> hostNames; // lower case: every public host name the export gives
    bool privateOnly = false; // injected into a VNet (Redis Premium subnetId): no public endpoint
    /// Virtual network rules: subnets whose service endpoint traffic the firewall admits (storage
    /// networkAcls.virtualNetworkRules, SQL virtualNetworkRules, Cosmos DB virtualNetworkRules).
    struct VnetRule
    {
        std::string name;
        std::string subnetId; // normalised
        SourceLocation where;
    };
    std::vector<VnetRule> vnetRules;
    bool vnetRulesApply = true; // Cosmos DB: only with isVirtualNetworkFilterEnabled
    /// The service endpoint name its subnets need ("Microsoft.Storage", "Microsoft.Sql", ...).
    std::string serviceEndpointName;
    /// What its own gate is called on a path ("firewall"; "access policy" for an OpenSearch domain).
    std::string firewallLabel = "firewall";
    /// What the reader had to assume about the service (a port, a subnet or a flag the export does
    /// not give, a policy it could not read): stated with every verdict on it.
    std::vector<std::string> assumptions;
    std::map<std::string, std::string> tags;
    SourceLocation where;
};

/// One forwarding rule of a device that terminates or translates connections in front of machines
/// (an Application Gateway listener and routing rule, an Azure Firewall DNAT rule). The machine
/// behind it sees the device's private address as the source, not the client.
struct ProxyForward
{
    std::string id; // the rule's id (routing rule or DNAT rule; one per backend pool and settings)
    std::string name; // "listener-https / rule-portal" or "dnat-collection / rule"
    std::string frontendPublicIpId; // the public IP clients connect to; empty: a private frontend
    std::string frontendAddress; // as written (DNAT destination address)
    ProtocolMask protocols = maskOf(Protocol::Tcp);
    PortSet frontendPorts;
    PortSet backendPorts; // after translation
    bool anyClient = true; // no source restriction in the rule
    AddressSet clientSources; // the rule's source addresses and IP groups when !anyClient
    std::vector<std::string> clientTags; // source entries that are not addresses (service tags), kept for evidence
    std::vector<std::string> clientIpGroupIds; // source IP groups, resolved into clientSources on linking
    std::vector<std::string> backendIpConfigurationIds; // by reference
    std::string backendPoolId; // Application Gateway pool (NICs may name it from their side)
    /// AWS Network Load Balancer client IP preservation: the target sees the client's address, not
    /// the device's (its filters judge the client); otherwise the device opens its own connection.
    bool preservesClient = false;
    std::string assumption; // stated on every verdict through this forward (a documented default taken)
    AddressSet backendAddresses; // literal backend addresses (pool ipAddress, DNAT translatedAddress)
    std::vector<std::string> backendFqdns; // cannot be resolved offline
    std::string detail; // "listener l (port 443, Https) -> rule r -> pool p, settings s (port 8080)"
    SourceLocation where;
};

struct ProxyDevice
{
    /// LoadBalancer: an AWS Elastic Load Balancer (application, network or classic), whose nodes
    /// are interfaces in its subnets behind their network ACLs and its security groups.
    enum class Kind { ApplicationGateway, Firewall, LoadBalancer };
    Kind kind = Kind::ApplicationGateway;
    std::string id;
    std::string name;
    std::string type; // as written
    std::string subnetId; // its instances' subnet: what the backends see as source
    std::string sku; // "WAF_v2", "Standard": context, a WAF is not a network filter
    std::vector<std::string> publicIpIds; // the firewall's public IPs (DNAT destinations)
    std::vector<std::string> hubPublicAddresses; // a secured virtual hub firewall's public addresses
    std::string policyId; // Azure Firewall Policy (normalised)
    /// AWS load balancers: the interfaces of its nodes (NetworkInterface::deviceId names it), its
    /// security groups, whether it faces the internet, and whether IPv6 clients reach it too.
    std::vector<std::string> nodeInterfaceIds;
    std::vector<std::string> securityGroupIds;
    bool internetFacing = true;
    bool dualStack = false;
    std::string label; // "Application Load Balancer", "Network Load Balancer", "Classic Load Balancer"
    std::vector<ProxyForward> forwards;
    SourceLocation where;
};

/// One origin of an edge service: where it connects, on which ports.
struct EdgeOrigin
{
    std::string name;
    std::string groupId; // normalised id of its origin group (backend pool, CDN endpoint)
    std::string host; // host name or address as written
    std::uint32_t httpPort = 80;
    std::uint32_t httpsPort = 443;
    bool enabled = true;
    /// Private Link: the edge reaches this resource through a private endpoint (normalised id),
    /// not its public address; only approved connections carry traffic.
    std::string privateLinkId;
    bool privateLinkApproved = true;
    // Resolved by the linker from host or privateLinkId (empty: outside the export).
    std::string publicIpId;
    std::string dataServiceId;
    SourceLocation where;
};

/// One route of an edge service: what it accepts from clients and how it forwards to its origins.
struct EdgeRoute
{
    enum class Forwarding { HttpOnly, HttpsOnly, MatchRequest };
    std::string id; // normalised
    std::string name;
    std::string endpointId; // Front Door Standard/Premium endpoint (normalised), else empty
    bool enabled = true;
    bool acceptsHttp = true; // forwards HTTP requests (not redirected to HTTPS)
    bool acceptsHttps = true;
    Forwarding forwarding = Forwarding::MatchRequest;
    std::string originGroupId; // normalised
    SourceLocation where;
};

/// A global edge in front of origins: Azure Front Door (classic, Standard/Premium) or Azure CDN.
/// It accepts any client on the internet and opens its own connections to the origins, from the
/// AzureFrontDoor.Backend addresses (Microsoft Learn, "Secure traffic to Azure Front Door origins").
struct EdgeService
{
    std::string id;
    std::string name;
    std::string type; // as written
    std::string label; // "Front Door", "Front Door (classic)", "CDN"
    bool enabled = true;
    std::vector<EdgeRoute> routes;
    std::vector<EdgeOrigin> origins;
    std::set<std::string> disabledEndpoints;
    SourceLocation where;
};

/// A private endpoint: an interface in a subnet that leads to one service (Microsoft Learn, "What is
/// a private endpoint?").
struct PrivateEndpoint
{
    struct Connection
    {
        std::string serviceId; // normalised privateLinkServiceId
        std::vector<std::string> groupIds;
        bool approved = true;
        std::string status;
    };
    std::string id;
    std::string name;
    std::string type = "Microsoft.Network/privateEndpoints"; // as the cloud names it, for display
    std::string subnetId;
    AddressSet addresses; // its private addresses when the export says
    std::vector<std::string> nicIds;
    std::vector<Connection> connections;
    SourceLocation where;
};

/// An on-premises network as a VPN gateway knows it (Microsoft.Network/localNetworkGateways).
struct LocalNetworkGateway
{
    std::string id;
    std::string name;
    AddressSet space;
    bool bgp = false; // learns further prefixes over BGP, which no export lists
    SourceLocation where;
};

struct VirtualNetworkGateway
{
    std::string id;
    std::string name;
    std::string subnetId; // its GatewaySubnet: the VNet it serves
    SourceLocation where;
};

struct GatewayConnection
{
    std::string id;
    std::string name;
    std::string type; // IPsec, ExpressRoute, Vnet2Vnet
    std::string gatewayId;
    std::string localGatewayId;
    SourceLocation where;
};

/// An Azure Firewall Policy's DNAT rules (from its rule collection groups) and its base policy.
struct FirewallPolicy
{
    std::string id;
    std::string name;
    std::string basePolicyId;
    std::vector<ProxyForward> natRules; // backends and public IP resolved when linked to a firewall
    SourceLocation where;
};

/// The published address ranges of one Azure service tag, from `az network list-service-tags`,
/// the REST "Service Tags - List" response or the weekly downloadable JSON file (Microsoft Learn,
/// "Virtual network service tags"). The file is a dated version: its changeNumber and cloud are
/// kept so every verdict that uses the ranges can say which version it rests on.
struct ServiceTagRanges
{
    std::string name; // as written ("Storage.WestEurope")
    AddressSet addresses; // every prefix of the tag, IPv4 and IPv6
    std::string changeNumber; // of the file (the version of the whole list), as written
    std::string cloud; // "Public", "AzureGovernment", ... when the file says
    SourceLocation where; // the tag's entry in the file
};

/// An AWS prefix list: a named set of CIDR blocks that security group rules and routes may name
/// instead of addresses (Amazon VPC User Guide, "Group CIDR blocks using managed prefix lists").
/// `aws ec2 describe-prefix-lists` gives AWS service lists with their CIDRs;
/// `describe-managed-prefix-lists` gives customer- and AWS-managed lists without them, whose entries
/// come from `get-managed-prefix-list-entries`, one document per list.
struct PrefixList
{
    std::string id; // normalised ("pl-0123abcd")
    std::string displayId;
    std::string name; // PrefixListName ("com.amazonaws.global.cloudfront.origin-facing"); empty when unknown
    std::string ownerId; // OwnerId as written ("AWS" for AWS-managed lists); empty when unknown
    std::string addressFamily; // "IPv4" or "IPv6" when the export says (a list holds one family only)
    bool entriesKnown = false; // its CIDRs were read (Cidrs, or its get-managed-prefix-list-entries document)
    AddressSet addresses; // the union of its entries when entriesKnown
    std::vector<std::string> cidrs; // as written
    SourceLocation where; // its description
    SourceLocation entriesWhere; // where its entries were read
};

/// Everything imported from one export, with references normalised. Value type.
struct Snapshot
{
    std::unordered_map<std::string, VirtualNetwork> vnets;
    std::unordered_map<std::string, Subnet> subnets;
    std::unordered_map<std::string, NetworkSecurityGroup> nsgs;
    std::unordered_map<std::string, NetworkInterface> nics;
    std::unordered_map<std::string, PublicIpAddress> publicIps;
    std::unordered_map<std::string, LoadBalancer> loadBalancers;
    std::unordered_map<std::string, ApplicationSecurityGroup> asgs;
    std::unordered_map<std::string, VirtualMachine> vms;
    std::unordered_map<std::string, ManagedDataService> dataServices;
    std::unordered_map<std::string, ProxyDevice> proxies;
    std::unordered_map<std::string, FirewallPolicy> firewallPolicies;
    std::unordered_map<std::string, AddressSet> ipGroups; // Microsoft.Network/ipGroups by id
    std::unordered_map<std::string, RouteTable> routeTables;
    std::unordered_map<std::string, EdgeService> edges;
    std::unordered_map<std::string, PrivateEndpoint> privateEndpoints;
    std::unordered_map<std::string, LocalNetworkGateway> localGateways;
    std::unordered_map<std::string, VirtualNetworkGateway> vnetGateways;
    std::unordered_map<std::string, GatewayConnection> gatewayConnections;
    /// Service tags with exact ranges, by lower-case name ("azurecloud", "storage.westeurope"):
    /// empty unless the export holds a service tag file. Not resources (resourceCount leaves them out).
    std::unordered_map<std::string, ServiceTagRanges> serviceTags;
    /// AWS prefix lists by normalised id, with their entries when the export has them. Not resources.
    std::unordered_map<std::string, PrefixList> prefixLists;

    std::vector<InputFile> files;
    std::vector<Diagnostic> diagnostics;

    bool hasErrors() const;
    std::size_t resourceCount() const;

    /// An IP configuration by its normalised id ("<nic id>/ipconfigurations/<name>") with its NIC
    /// and subnet (each null when absent).
    struct Located
    {
        const NetworkInterface* nic = nullptr;
        const IpConfiguration* ipc = nullptr;
        const Subnet* subnet = nullptr;
    };
    Located locate(const std::string& ipConfigurationId) const;
};

} // namespace ew
