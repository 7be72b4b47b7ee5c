#pragma once

#include "model/diagnostic.h"
#include "net/packetset.h"
#include "util/sharedstring.h"
#include "util/sharedvector.h"

#include <memory>
#include <string>
#include <vector>

namespace ew {

enum class Severity { Info = 0, Low = 1, Medium = 2, High = 3, Critical = 4 };
const char* severityName(Severity s); // "critical", ...
/// Parses "critical", "high", ... (case-insensitive); false when unknown.
bool parseSeverity(std::string_view text, Severity& out);

/// What an element of an exposure path is, whatever its cloud calls it. The layers after the
/// importer (graph, diff, report, workbench) look at kinds; the type string is what the input
/// names, for display and output.
enum class StepKind {
    Other,
    Internet,
    PublicAddress, // a public IP, an elastic IP
    InternetGateway, // AWS: the VPC's gateway that translates public to private addresses
    LoadBalancer, // forwards or translates to the machines behind it (L4)
    Gateway, // terminates connections and opens new ones to its backends (Application Gateway)
    Firewall, // a firewall that translates (Azure Firewall DNAT)
    EdgeService, // a global edge in front of origins (Front Door, CDN)
    Filter, // a rule list on the path (NSG, security group, network ACL)
    ServiceFirewall, // a managed service's own network firewall
    ServiceEndpoint, // a managed service's public endpoint
    Machine, // a virtual machine or instance
    Interface, // a network interface with no machine in the export
    ManagedService, // a managed data service
};

/// One element of an exposure path, as named in the input. The texts are shared: the findings of
/// an estate repeat the same steps (targets, frontends, NSGs), two-hop findings their foothold's.
struct PathStep
{
    SharedString id;
    SharedString name;
    SharedString type;
    StepKind kind = StepKind::Other;
};

/// A rule that decided part of the exposure at one filter on the path. The texts are shared: the
/// findings of an estate repeat the same rules' evidence (two-hop findings the foothold's too).
struct RuleEvidence
{
    SharedString filterId; // NSG or load balancer id
    SharedString filterName; // NSG or load balancer name
    SharedString level; // "subnet", "nic", "load-balancer", "nat"
    SharedString ruleName;
    SharedString ruleId;
    int priority = 0;
    bool allow = true;
    bool isDefault = false;
    /// Which hop of the path it decides: 1 from the internet to the first machine, 2 from the
    /// foothold to the data store (hops == 2 findings only), where the source is the foothold.
    int hop = 1;
    SourceLocation where;
    friend bool operator==(const RuleEvidence&, const RuleEvidence&) = default;
};

/// How a resource is known to be a data store.
struct DataStoreMatch
{
    std::string engine; // "elasticsearch", ... ; empty when not a data store
    enum class Basis { None, ServiceType, Tag, Analyst, Port } basis = Basis::None;
    std::string reason; // "tag workload=elasticsearch", "exposes port 9200 (Elasticsearch)"
    bool declared() const { return basis == Basis::ServiceType || basis == Basis::Tag || basis == Basis::Analyst; }
};
const char* basisName(DataStoreMatch::Basis b);

/// Part of a finding whose ports are reached from exactly these sources.
struct Exposure
{
    std::vector<PortRange> ports;
    std::vector<std::string> sources;
    friend bool operator==(const Exposure&, const Exposure&) = default;
};

/// The packets from the internet that reach one resource with one protocol through one frontend
/// (and, for hops == 2, through a foothold). Value type.
struct Finding
{
    std::string id; // stable across snapshots for the same exposure
    Severity severity = Severity::Info;
    std::string severityReason;
    PathStep target;
    DataStoreMatch dataStore;
    std::string protocol; // "tcp", "udp", "icmp", "other" or "any"
    std::vector<PortRange> ports; // destination ports at the target, after translation (union)
    /// An ICMP finding's types and codes when not every type passes ("echo-request (8)"); empty
    /// otherwise (Azure's rules cannot tell ICMP types apart; AWS's can).
    std::string icmpTypes;
    SharedVector<std::string>
        sources; // CIDRs reaching any of the ports (union); the whole public internet is 0.0.0.0/0
    /// Exact breakdown when different ports are reached from different sources (empty otherwise).
    SharedVector<Exposure> exposures;
    std::size_t exposuresOmitted = 0; // breakdown groups not listed (more than 32)
    bool wholeInternet = false;
    int hops = 1;
    std::vector<PathStep> path; // from the internet to the target
    /// Shared with the findings of the same policy group and path (copied only when changed).
    SharedVector<RuleEvidence> rules;
    std::vector<std::string> assumptions;
    std::string explanation;
    std::string frontendAddress; // public IP the client connects to ("" when unknown)
    std::vector<PortRange> frontendPorts; // ports at the frontend (before translation)
    PathStep foothold; // hops == 2
    /// Normalised ids of the IP configurations whose NSGs the path crosses: the target's and, for
    /// hops == 2, the foothold's (empty for managed services). The rule inspector re-evaluates
    /// the NSGs for these.
    std::string ipConfigurationId;
    std::string footholdIpConfigurationId;

    /// The packets at the target this finding stands for (exact, for queries and diffs). Shared
    /// and immutable: machines with the same policy share one set.
    std::shared_ptr<const PacketSet> packets;
    /// The sources the target's own NSGs see when a proxy stands between (an Application Gateway's
    /// or Azure Firewall's private addresses); null when they see the internet clients themselves.
    std::shared_ptr<const AddressSet> seenSources;
};

/// What a finding's protocol reaches, for display: its ports, or its ICMP types ("" for every
/// type and for port-less protocols).
inline std::string portsOrTypes(const Finding& f)
{
    return f.protocol == "icmp" ? f.icmpTypes : formatPortRanges(f.ports);
}

} // namespace ew
