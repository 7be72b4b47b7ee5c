// Differential test of the whole engine (importSnapshot, analyze, queryFlow) against a naive oracle on
// random small Azure estates, peerings and ingress services included (issue 11).
//
// The oracle below is written from the documented rules, not from the engine's code:
// - Microsoft Learn, "How network security groups filter network traffic": inbound, the subnet NSG and
//   then the NIC NSG, both must allow; rules by priority, first match; default rules 65000
//   AllowVnetInBound (VirtualNetwork -> VirtualNetwork), 65001 AllowAzureLoadBalancerInBound, 65500
//   DenyAllInBound; a missing NSG at one level lets traffic pass that level. NSGs see the NIC's private
//   address as the destination.
// - Microsoft Learn, "Service tags": Internet is the public address space outside the VNet's
//   VirtualNetwork space; VirtualNetwork is the VNet's space plus peered VNets; a service tag file
//   gives AzureFrontDoor.Backend its exact ranges.
// - Microsoft Learn, "Create, change, or delete a virtual network peering": a peered VNet is in the
//   VirtualNetwork tag when the peering is Connected and this side's allowVirtualNetworkAccess is true
//   (when this side is not exported, its flag is unknown and taken to allow); the networks route to each other when
//   the peering is Connected (one exported side saying so suffices), whatever the flag.
// - Microsoft Learn, "Public IP addresses": a Standard SKU public IP is closed unless an NSG allows; a
//   Basic one is open when no NSG applies.
// - Microsoft Learn, "Application Gateway components" and "Application Gateway infrastructure
//   configuration": a listener on the public frontend's port, a basic routing rule to a pool (members
//   by IP configuration, or by address where the gateway's VNet routes), the backend settings' port
//   at the member; the clients are those the gateway subnet's NSG admits on the listener port, and the
//   member's NSGs see the gateway subnet as the source.
// - Microsoft Learn, "Filter inbound Internet or intranet traffic with Azure Firewall DNAT": a DNAT
//   rule's sources and protocols, its port at the firewall's public IP translated to an address and
//   port; the backend's NSGs see the AzureFirewallSubnet (the firewall SNATs).
// - Microsoft Learn, "Secure traffic to Azure Front Door origins", and the Front Door (classic) REST
//   API (routing rules' acceptedProtocols, forwardingProtocol, redirect configurations): Front Door
//   accepts any client (IPv6 ones too) and reaches a backend named by a VM's public IP address from
//   AzureFrontDoor.Backend, on the port its forwarding protocol chooses.
// - PRODUCT.md "Multi-hop paths": every VM the internet reaches (directly or through a device) is a
//   foothold; a data store (tag workload=elasticsearch) gets, per foothold in its own or a routed peer
//   VNet, every packet (internet source behind the foothold, protocol, port) the foothold delivers to
//   it with its private address as the source and that the internet does not already deliver in one hop.
//
// Every address here is IPv4, except one stand-in for all IPv6 clients, and every source that matters
// is one of a few representatives (the edges of every range a rule, DNAT rule or service tag names),
// one per class of addresses the rules tell apart, so the oracle's "exists a source" and "exists a
// port" are exact, and its comparisons with the engine are made at fixed sample points. One-hop
// findings are compared per way in (the public IP, each gateway rule, DNAT rule and Front Door route
// to a backend), with the device and its public IP on the path and the frontend ports that lead there.

#include "findings/analyzer.h"
#include "import/azureimporter.h"

#include "randomrounds.h"

#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace ew;
using nlohmann::json;

namespace {

constexpr int kSeeds = 40;
constexpr int kIngressSeeds = 60;
const std::string kPrefix = "/subscriptions/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/rg-oracle/providers/";

// ---------------------------------------------------------------------------------------------
// IPv4 helpers of the oracle's own.

std::uint32_t ip4(int a, int b, int c, int d)
{
    return (std::uint32_t(a) << 24) | (std::uint32_t(b) << 16) | (std::uint32_t(c) << 8) | std::uint32_t(d);
}

std::string ipText(std::uint32_t ip)
{
    return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." + std::to_string((ip >> 8) & 255)
        + "." + std::to_string(ip & 255);
}

struct Prefix
{
    std::uint32_t first = 0;
    std::uint32_t last = 0;
    bool contains(std::uint32_t ip) const { return ip >= first && ip <= last; }
};

Prefix prefixOf(std::uint32_t base, int length)
{
    const std::uint32_t mask = length == 0 ? 0 : ~std::uint32_t(0) << (32 - length);
    return { base & mask, (base & mask) | ~mask };
}

// "a.b.c.d" or "a.b.c.d/n"; the generator writes nothing else.
Prefix parsePrefixText(const std::string& text)
{
    int a = 0, b = 0, c = 0, d = 0, n = 32;
    const auto slash = text.find('/');
    std::sscanf(text.c_str(), "%d.%d.%d.%d", &a, &b, &c, &d);
    if (slash != std::string::npos)
        n = std::stoi(text.substr(slash + 1));
    return prefixOf(ip4(a, b, c, d), n);
}

// RFC 6890 special-purpose IPv4 blocks: everything else is the public internet.
bool isPublic(std::uint32_t ip)
{
    static const std::vector<Prefix> special = [] {
        std::vector<Prefix> out;
        for (const char* p : { "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                 "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
                 "203.0.113.0/24", "224.0.0.0/3" })
            out.push_back(parsePrefixText(p));
        return out;
    }();
    return std::none_of(special.begin(), special.end(), [&](const Prefix& p) { return p.contains(ip); });
}

const std::uint32_t kAzureLoadBalancer = ip4(168, 63, 129, 16);

// The oracle's stand-in for every IPv6 internet client (2a00:1450:4001::1; 255.255.255.255 is no
// IPv4 client). Front Door accepts any client, IPv6 too; the public IPs, gateways and firewalls here
// are IPv4 and reach only IPv4 clients (README: "Only clients of the public IP's address family reach it").
constexpr std::uint32_t kIpv6Client = 0xffffffffu;

bool isClient(std::uint32_t ip)
{
    return ip == kIpv6Client || isPublic(ip);
}

std::string addressText(std::uint32_t ip)
{
    return ip == kIpv6Client ? std::string("2a00:1450:4001::1") : ipText(ip);
}

// ---------------------------------------------------------------------------------------------
// The random estate.

enum class Proto { Tcp, Udp, Icmp };

struct Rule
{
    std::string name;
    int priority = 0;
    bool allow = true;
    std::string protocol; // "Tcp", "Udp", "*"
    std::vector<std::string> ports; // "22", "80-443", "*"
    std::vector<std::string> sources; // "*", "Internet", "VirtualNetwork", "AzureLoadBalancer", prefixes
    std::string destination; // "*", "VirtualNetwork" or an address
};

struct Nsg
{
    std::string name;
    std::vector<Rule> rules; // custom inbound rules, in file order
};

struct Vnet
{
    std::string name;
    int octet = 0; // 10.<octet>.0.0/16
    Prefix space() const { return prefixOf(ip4(10, octet, 0, 0), 16); }
    std::uint32_t sample() const { return ip4(10, octet, 250, 9); } // inside the VNet, no NIC has it
};

struct Subnet
{
    std::string name;
    int vnet = 0;
    int third = 0; // 10.<octet>.<third>.0/<length>
    int nsg = -1;
    int length = 24;
};

struct PeeringSide
{
    bool exported = true;
    bool access = true; // allowVirtualNetworkAccess
};

struct Peering
{
    int a = 0;
    int b = 0;
    std::string state; // "Connected", "Initiated", "Disconnected" (both exported sides say the same)
    PeeringSide side[2]; // side[0] belongs to vnet a, side[1] to vnet b
};

struct Vm
{
    std::string name;
    int subnet = 0;
    std::uint32_t ip = 0;
    int nicNsg = -1;
    enum class Pip { None, Basic, Standard } pip = Pip::None;
    std::uint32_t pipAddress = 0;
    bool store = false; // tagged workload=elasticsearch
};

// An Application Gateway v2 in a subnet of its own (no machine in it), with a public frontend
// (and sometimes a private one), listeners on frontend ports, basic routing rules and pools.
struct AppGateway
{
    struct Listener
    {
        std::string name;
        std::uint32_t port = 0;
        bool onPublicFrontend = true;
    };
    struct Pool
    {
        std::string name;
        std::vector<std::size_t> byNic; // VMs in the gateway's VNet, by IP configuration reference
        std::vector<std::size_t> byAddress; // VMs by private address (any VNet)
        std::vector<std::uint32_t> strayAddresses; // addresses no NIC has
        int nicSide = 0; // 0: the pool lists the IP configurations, 1: they list the pool, 2: both
    };
    struct RoutingRule
    {
        std::string name;
        std::size_t listener = 0;
        std::size_t pool = 0;
        std::uint32_t backendPort = 0;
        int priority = 100;
    };
    std::string name;
    int subnet = 0;
    std::uint32_t pipAddress = 0;
    std::vector<Listener> listeners;
    std::vector<Pool> pools;
    std::vector<RoutingRule> rules; // at most one per listener
};

// An Azure Firewall in AzureFirewallSubnet with classic DNAT rules (one collection).
struct Firewall
{
    struct Dnat
    {
        std::string name;
        bool tcp = true;
        bool udp = false;
        std::vector<std::string> sources; // "*" or prefixes
        std::uint32_t port = 0; // at the firewall's public IP
        std::uint32_t translatedAddress = 0;
        std::uint32_t translatedPort = 0;
    };
    std::string name;
    int subnet = 0;
    std::uint32_t pipAddress = 0;
    std::vector<Dnat> rules;
};

// A Front Door (classic) whose backends are VMs' public IP addresses (or hosts outside the export).
struct FrontDoor
{
    enum class Forwarding { HttpOnly, HttpsOnly, MatchRequest };
    struct Backend
    {
        std::string address;
        int vm = -1; // -1: a host outside the export
        std::uint32_t httpPort = 80;
        std::uint32_t httpsPort = 443;
        bool enabled = true;
        std::size_t pool = 0;
    };
    struct Route
    {
        std::string name;
        bool http = true; // acceptedProtocols
        bool https = true;
        Forwarding forwarding = Forwarding::MatchRequest;
        bool redirect = false; // a redirect configuration: answered at the edge
        bool enabled = true;
        std::size_t pool = 0;
    };
    std::string name;
    std::size_t poolCount = 1;
    std::vector<Backend> backends;
    std::vector<Route> routes;
};

struct Estate
{
    unsigned seed = 0;
    std::vector<Vnet> vnets;
    std::vector<Subnet> subnets;
    std::vector<Nsg> nsgs;
    std::vector<Peering> peerings;
    std::vector<Vm> vms;
    std::vector<std::uint32_t> publicRanges; // /24 bases named by rules
    std::vector<AppGateway> gateways;
    std::vector<Firewall> firewalls;
    std::vector<FrontDoor> frontDoors;
    std::vector<std::string> frontDoorRanges; // AzureFrontDoor.Backend in the service tag file (IPv4 prefixes)
};

class Generator
{
public:
    explicit Generator(unsigned seed)
        : m_rng(seed)
    { }

    Estate make(unsigned seed)
    {
        Estate e;
        e.seed = seed;
        const int vnetCount = between(2, 4);
        std::set<int> octets;
        while (int(octets.size()) < vnetCount)
            octets.insert(between(1, 250));
        std::vector<int> order(octets.begin(), octets.end());
        std::shuffle(order.begin(), order.end(), m_rng);
        for (int v = 0; v < vnetCount; ++v)
            e.vnets.push_back({ "vnet-" + std::to_string(v), order[std::size_t(v)] });
        static const int firstOctets[] = { 20, 40, 52, 91, 137 };
        for (int i = 0; i < 3; ++i)
            e.publicRanges.push_back(
                ip4(firstOctets[pick(std::size(firstOctets))], between(0, 255), between(0, 255), 0));

        const int nsgCount = between(1, 4);
        for (int n = 0; n < nsgCount; ++n)
            e.nsgs.push_back({ "nsg-" + std::to_string(n), {} });
        for (int v = 0; v < vnetCount; ++v) {
            const int subnetCount = between(1, 3);
            for (int s = 0; s < subnetCount; ++s)
                e.subnets.push_back(
                    { "snet-" + std::to_string(s), v, s + 1, chance(60) ? int(pick(e.nsgs.size())) : -1 });
        }
        const int vmCount = between(2, 8);
        std::vector<int> hostsUsed(e.subnets.size(), 0);
        for (int i = 0; i < vmCount; ++i) {
            Vm vm;
            vm.subnet = int(pick(e.subnets.size()));
            const Subnet& sn = e.subnets[std::size_t(vm.subnet)];
            vm.ip = ip4(10, e.vnets[std::size_t(sn.vnet)].octet, sn.third, 4 + hostsUsed[std::size_t(vm.subnet)]++);
            vm.nicNsg = chance(40) ? int(pick(e.nsgs.size())) : -1;
            if (chance(55)) {
                vm.pip = chance(50) ? Vm::Pip::Standard : Vm::Pip::Basic;
                vm.pipAddress = ip4(20, 200, int(seed % 250), 10 + i);
            }
            vm.store = chance(35);
            vm.name = (vm.store ? "es-" : "app-") + std::to_string(i);
            e.vms.push_back(vm);
        }
        for (auto& nsg : e.nsgs) {
            const int ruleCount = between(0, 6);
            std::set<int> priorities;
            while (int(priorities.size()) < ruleCount)
                priorities.insert(between(100, 4096));
            std::vector<int> pr(priorities.begin(), priorities.end());
            std::shuffle(pr.begin(), pr.end(), m_rng); // file order is not priority order
            for (int r = 0; r < ruleCount; ++r)
                nsg.rules.push_back(randomRule(e, "rule-" + std::to_string(r), pr[std::size_t(r)]));
        }
        for (int a = 0; a < vnetCount; ++a)
            for (int b = a + 1; b < vnetCount; ++b) {
                if (!chance(65))
                    continue;
                Peering p;
                p.a = a;
                p.b = b;
                static const char* states[] = { "Connected", "Connected", "Connected", "Initiated", "Disconnected" };
                p.state = states[pick(std::size(states))];
                const int exported = between(0, 2); // 0: both sides, 1: only a's, 2: only b's
                p.side[0] = { exported != 2, !chance(35) };
                p.side[1] = { exported != 1, !chance(35) };
                e.peerings.push_back(p);
            }
        return e;
    }

    // Adds ingress services to an estate made by make(): Application Gateways, an Azure Firewall with
    // DNAT rules, a Front Door (classic) on the VMs' public IPs, the AzureFrontDoor.Backend ranges,
    // NSG rules naming the devices' subnets and the Front Door tag, and NIC NSGs of their own for some
    // Front Door backends. Called on another generator than make()'s (ingressEstate), so the machines,
    // networks and first rules are those of the same seed in randomEstates.
    void addIngress(Estate& e)
    {
        e.frontDoorRanges = { ipText(ip4(147, between(0, 255), 0, 0)) + "/16",
            ipText(ip4(20, 21, between(0, 255), 8 * between(0, 31))) + "/29" };
        std::vector<std::uint32_t> backendPorts;
        const std::size_t baseNsgs = e.nsgs.size();
        const int gatewayCount = chance(80) ? between(1, 2) : 0;
        for (int g = 0; g < gatewayCount; ++g)
            e.gateways.push_back(randomGateway(e, g, backendPorts));
        if (chance(65))
            e.firewalls.push_back(randomFirewall(e, backendPorts));
        if (chance(75))
            e.frontDoors.push_back(randomFrontDoor(e, backendPorts));
        // Backend NSG rules naming what the devices' backends see as the source: the gateway and
        // firewall subnets (whole or in part) and the Front Door service tag.
        std::vector<std::string> sources = { "AzureFrontDoor.Backend", "AzureFrontDoor.Backend" };
        for (const auto& s : e.subnets) {
            if (s.third < 200)
                continue; // a machines' subnet
            const std::string base
                = "10." + std::to_string(e.vnets[std::size_t(s.vnet)].octet) + "." + std::to_string(s.third) + ".";
            sources.push_back(base + "0/" + std::to_string(s.length));
            sources.push_back(base + "0/28");
            sources.push_back(base + "16/28");
        }
        for (std::size_t n = 0; n < baseNsgs; ++n) {
            if (!chance(70))
                continue;
            const int count = between(1, 3);
            for (int k = 0; k < count; ++k) {
                Rule r;
                r.name = "ingress-" + std::to_string(k);
                r.priority = freePriority(e.nsgs[n]);
                r.allow = chance(70);
                static const char* protocols[] = { "Tcp", "Tcp", "*", "Udp" };
                r.protocol = protocols[pick(std::size(protocols))];
                if (!backendPorts.empty() && chance(65))
                    r.ports.push_back(std::to_string(backendPorts[pick(backendPorts.size())]));
                else
                    r.ports.push_back(randomPorts());
                r.sources.push_back(sources[pick(sources.size())]);
                if (chance(15))
                    r.sources.push_back(randomSource(e));
                r.destination = chance(20) && !e.vms.empty() ? ipText(e.vms[pick(e.vms.size())].ip) : "*";
                e.nsgs[n].rules.push_back(r);
            }
        }
    }

private:
    int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }
    std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(m_rng); }
    bool chance(int percent) { return between(1, 100) <= percent; }

    std::string randomSource(const Estate& e)
    {
        switch (pick(8)) {
        case 0:
            return "*";
        case 1:
        case 2:
            return "Internet";
        case 3:
            return "VirtualNetwork";
        case 4:
        case 5:
            return ipText(e.publicRanges[pick(e.publicRanges.size())]) + "/24";
        case 6:
            return "10." + std::to_string(e.vnets[pick(e.vnets.size())].octet) + ".0.0/16";
        default:
            return chance(20) ? "AzureLoadBalancer" : "Internet";
        }
    }

    std::string randomPorts()
    {
        static const char* singles[] = { "22", "80", "443", "3389", "5432", "9200", "9300", "27017", "1", "65535" };
        static const char* ranges[]
            = { "80-443", "9200-9300", "1-1024", "23-3389", "9201-27017", "5000-65535", "21-22", "443-444" };
        switch (pick(5)) {
        case 0:
        case 1:
            return singles[pick(std::size(singles))];
        case 2:
        case 3:
            return ranges[pick(std::size(ranges))];
        default:
            return "*";
        }
    }

    Rule randomRule(const Estate& e, const std::string& name, int priority)
    {
        Rule r;
        r.name = name;
        r.priority = priority;
        r.allow = chance(60);
        static const char* protocols[] = { "Tcp", "Tcp", "Udp", "*" };
        r.protocol = protocols[pick(std::size(protocols))];
        r.ports.push_back(randomPorts());
        if (chance(20))
            r.ports.push_back(randomPorts()); // destinationPortRanges
        r.sources.push_back(randomSource(e));
        if (chance(15))
            r.sources.push_back(randomSource(e)); // sourceAddressPrefixes
        // "*" or a NIC's private address (any NIC: for the others it never matches).
        if (chance(30) && !e.vms.empty())
            r.destination = ipText(e.vms[pick(e.vms.size())].ip);
        else
            r.destination = chance(10) ? "VirtualNetwork" : "*";
        return r;
    }

    int freePriority(const Nsg& nsg)
    {
        for (;;) {
            const int p = between(100, 4096);
            if (std::none_of(nsg.rules.begin(), nsg.rules.end(), [&](const Rule& r) { return r.priority == p; }))
                return p;
        }
    }

    // A subnet of its own for a device, in a random VNet.
    int deviceSubnet(Estate& e, const std::string& name, int third, int length, int nsg)
    {
        e.subnets.push_back({ name, int(pick(e.vnets.size())), third, nsg, length });
        return int(e.subnets.size()) - 1;
    }

    AppGateway randomGateway(Estate& e, int g, std::vector<std::uint32_t>& backendPorts)
    {
        AppGateway gw;
        gw.name = "agw-" + std::to_string(g);
        gw.pipAddress = ip4(20, 201, int(e.seed % 250), 10 + g);
        // The gateway subnet's NSG: none, one shared with machines, or one of its own.
        int nsg = -1;
        const int nsgKind = between(0, 3);
        if (nsgKind == 1)
            nsg = int(pick(e.nsgs.size()));
        std::vector<std::uint32_t> freePorts = { 80, 443, 8080, 8443, 9443, 8081 };
        std::shuffle(freePorts.begin(), freePorts.end(), m_rng);
        const int listenerCount = between(1, 3);
        for (int l = 0; l < listenerCount; ++l)
            gw.listeners.push_back({ "listener-" + std::to_string(l), freePorts[std::size_t(l)], true });
        if (chance(30)) // a listener on the private frontend: not internet-facing
            gw.listeners.push_back({ "listener-private", freePorts[std::size_t(listenerCount)], false });
        if (nsgKind >= 2) {
            Nsg own { "nsg-agw-" + std::to_string(g), {} };
            const int count = between(1, 3);
            for (int k = 0; k < count; ++k) {
                Rule r;
                r.name = "gw-rule-" + std::to_string(k);
                r.priority = freePriority(own);
                r.allow = chance(70);
                r.protocol = chance(80) ? "Tcp" : "*";
                if (chance(60))
                    r.ports.push_back(std::to_string(gw.listeners[pick(gw.listeners.size())].port));
                else
                    r.ports.push_back(randomPorts());
                static const int shapes[] = { 0, 0, 1, 2, 2, 3 };
                switch (shapes[pick(std::size(shapes))]) {
                case 0:
                    r.sources.push_back("Internet");
                    break;
                case 1:
                    r.sources.push_back("*");
                    break;
                case 2:
                    r.sources.push_back(ipText(e.publicRanges[pick(e.publicRanges.size())]) + "/24");
                    break;
                default:
                    r.sources.push_back(ipText(e.publicRanges[pick(e.publicRanges.size())] + 128) + "/25");
                }
                r.destination = chance(20) ? "VirtualNetwork" : "*";
                own.rules.push_back(r);
            }
            e.nsgs.push_back(own);
            nsg = int(e.nsgs.size()) - 1;
        }
        gw.subnet = deviceSubnet(e, "snet-agw-" + std::to_string(g), 200 + g, 24, nsg);
        const int gwVnet = e.subnets[std::size_t(gw.subnet)].vnet;
        const int poolCount = between(1, 2);
        for (int p = 0; p < poolCount; ++p) {
            AppGateway::Pool pool;
            pool.name = "pool-" + std::to_string(p);
            pool.nicSide = between(0, 2);
            for (std::size_t v = 0; v < e.vms.size(); ++v) {
                const bool sameVnet = e.subnets[std::size_t(e.vms[v].subnet)].vnet == gwVnet;
                if (sameVnet && chance(45))
                    pool.byNic.push_back(v); // NIC backends are in the gateway's own VNet
                else if (chance(30))
                    pool.byAddress.push_back(v);
            }
            if (chance(20))
                pool.strayAddresses.push_back(ip4(10, e.vnets[pick(e.vnets.size())].octet, 250, 77));
            gw.pools.push_back(pool);
        }
        static const std::uint32_t ports[] = { 80, 443, 8080, 9200, 22, 5432, 3389 };
        for (std::size_t l = 0; l < gw.listeners.size(); ++l) {
            if (!chance(85))
                continue; // a listener no rule uses
            const std::uint32_t port = ports[pick(std::size(ports))];
            backendPorts.push_back(port);
            gw.rules.push_back(
                { "rule-" + std::to_string(l), l, pick(gw.pools.size()), port, 100 + 10 * int(gw.rules.size()) });
        }
        return gw;
    }

    Firewall randomFirewall(Estate& e, std::vector<std::uint32_t>& backendPorts)
    {
        Firewall fw;
        fw.name = "fw-hub";
        fw.pipAddress = ip4(20, 202, int(e.seed % 250), 10);
        fw.subnet = deviceSubnet(e, "AzureFirewallSubnet", 210, 26, -1); // it takes no NSG
        const int count = between(1, 3);
        static const std::uint32_t ports[] = { 22, 80, 443, 1433, 3389, 5432, 9200 };
        for (int k = 0; k < count; ++k) {
            Firewall::Dnat d;
            d.name = "dnat-" + std::to_string(k);
            switch (between(0, 3)) {
            case 0:
                d.tcp = false;
                d.udp = true;
                break;
            case 1:
                d.udp = true;
                break;
            default:
                break;
            }
            if (chance(45)) {
                d.sources.push_back("*");
            } else {
                d.sources.push_back(ipText(e.publicRanges[pick(e.publicRanges.size())]) + "/24");
                if (chance(35))
                    d.sources.push_back(ipText(e.publicRanges[pick(e.publicRanges.size())] + 64) + "/26");
            }
            d.port = 10000 + std::uint32_t(k) * 1111 + std::uint32_t(between(0, 99));
            d.translatedAddress = chance(85) && !e.vms.empty() ? e.vms[pick(e.vms.size())].ip
                                                               : ip4(10, e.vnets[pick(e.vnets.size())].octet, 250, 88);
            d.translatedPort = ports[pick(std::size(ports))];
            backendPorts.push_back(d.translatedPort);
            fw.rules.push_back(d);
        }
        return fw;
    }

    FrontDoor randomFrontDoor(Estate& e, std::vector<std::uint32_t>& backendPorts)
    {
        FrontDoor fd;
        fd.name = "fd-portal";
        fd.poolCount = std::size_t(between(1, 2));
        for (std::size_t v = 0; v < e.vms.size(); ++v) {
            if (e.vms[v].pip == Vm::Pip::None || !chance(70))
                continue;
            FrontDoor::Backend b;
            b.address = ipText(e.vms[v].pipAddress);
            b.vm = int(v);
            b.httpPort = chance(70) ? 80 : 8080;
            b.httpsPort = chance(70) ? 443 : 8443;
            b.enabled = chance(85);
            b.pool = pick(fd.poolCount);
            if (e.vms[v].nicNsg < 0 && chance(50)) {
                // A NIC NSG of its own that admits Front Door on one or both origin ports.
                Nsg own { "nsg-fd-" + std::to_string(v), {} };
                const int ports = between(0, 2);
                if (ports != 1)
                    own.rules.push_back({ "allow-https-frontdoor", 100, true, "Tcp", { std::to_string(b.httpsPort) },
                        { "AzureFrontDoor.Backend" }, "*" });
                if (ports != 0)
                    own.rules.push_back({ "allow-http-frontdoor", 110, true, "Tcp", { std::to_string(b.httpPort) },
                        { "AzureFrontDoor.Backend" }, "*" });
                if (chance(50))
                    own.rules.push_back({ "deny-internet", 200, false, "*", { "*" }, { "Internet" }, "*" });
                e.nsgs.push_back(own);
                e.vms[v].nicNsg = int(e.nsgs.size()) - 1;
            }
            backendPorts.push_back(b.httpPort);
            backendPorts.push_back(b.httpsPort);
            fd.backends.push_back(b);
        }
        if (chance(30))
            fd.backends.push_back({ "www.partner.example", -1, 80, 443, true, pick(fd.poolCount) });
        const int routeCount = between(1, 3);
        for (int r = 0; r < routeCount; ++r) {
            FrontDoor::Route route;
            route.name = "route-" + std::to_string(r);
            const int accepted = between(0, 2);
            route.http = accepted != 1;
            route.https = accepted != 0;
            static const FrontDoor::Forwarding forwardings[] = { FrontDoor::Forwarding::HttpOnly,
                FrontDoor::Forwarding::HttpsOnly, FrontDoor::Forwarding::MatchRequest };
            route.forwarding = forwardings[pick(std::size(forwardings))];
            route.redirect = chance(20);
            route.enabled = chance(90);
            route.pool = pick(fd.poolCount);
            fd.routes.push_back(route);
        }
        return fd;
    }

    std::mt19937 m_rng;
};

// ---------------------------------------------------------------------------------------------
// The estate as a REST-shaped Azure export.

std::string vnetId(const Vnet& v)
{
    return kPrefix + "Microsoft.Network/virtualNetworks/" + v.name;
}
std::string subnetId(const Estate& e, const Subnet& s)
{
    return vnetId(e.vnets[std::size_t(s.vnet)]) + "/subnets/" + s.name;
}
Prefix subnetPrefix(const Estate& e, const Subnet& s)
{
    return prefixOf(ip4(10, e.vnets[std::size_t(s.vnet)].octet, s.third, 0), s.length);
}
std::string nsgId(const Nsg& n)
{
    return kPrefix + "Microsoft.Network/networkSecurityGroups/" + n.name;
}

std::string nicIdOf(const Vm& vm)
{
    return kPrefix + "Microsoft.Network/networkInterfaces/" + vm.name + "-nic";
}
std::string ipConfigurationIdOf(const Vm& vm)
{
    return nicIdOf(vm) + "/ipConfigurations/ipconfig1";
}
std::string gatewayId(const AppGateway& g)
{
    return kPrefix + "Microsoft.Network/applicationGateways/" + g.name;
}
std::string poolId(const AppGateway& g, const AppGateway::Pool& p)
{
    return gatewayId(g) + "/backendAddressPools/" + p.name;
}

json publicIpJson(const std::string& name, std::uint32_t address, bool standard)
{
    return { { "id", kPrefix + "Microsoft.Network/publicIPAddresses/" + name }, { "name", name },
        { "type", "Microsoft.Network/publicIPAddresses" }, { "location", "westeurope" },
        { "sku", { { "name", standard ? "Standard" : "Basic" } } },
        { "properties",
            { { "publicIPAllocationMethod", "Static" }, { "publicIPAddressVersion", "IPv4" },
                { "ipAddress", ipText(address) } } } };
}

// As in tests/data/golden/application-gateway-listener-rule-backend (REST shape, basic rules).
json gatewayJson(const Estate& e, const AppGateway& g)
{
    const std::string id = gatewayId(g);
    const std::string pipName = g.name + "-pip";
    const Subnet& sn = e.subnets[std::size_t(g.subnet)];
    json frontends = json::array({ { { "name", "fe-public" }, { "id", id + "/frontendIPConfigurations/fe-public" },
        { "properties",
            { { "publicIPAddress", { { "id", kPrefix + "Microsoft.Network/publicIPAddresses/" + pipName } } } } } } });
    frontends.push_back({ { "name", "fe-private" }, { "id", id + "/frontendIPConfigurations/fe-private" },
        { "properties",
            { { "privateIPAddress",
                  "10." + std::to_string(e.vnets[std::size_t(sn.vnet)].octet) + "." + std::to_string(sn.third)
                      + ".10" },
                { "privateIPAllocationMethod", "Static" }, { "subnet", { { "id", subnetId(e, sn) } } } } } });
    json ports = json::array(), listeners = json::array(), pools = json::array(), settings = json::array(),
         rules = json::array();
    std::set<std::uint32_t> settingsPorts;
    for (const auto& l : g.listeners) {
        const std::string portName = "port-" + std::to_string(l.port);
        ports.push_back({ { "name", portName }, { "id", id + "/frontendPorts/" + portName },
            { "properties", { { "port", l.port } } } });
        listeners.push_back({ { "name", l.name }, { "id", id + "/httpListeners/" + l.name },
            { "properties",
                { { "frontendIPConfiguration",
                      { { "id",
                          id + "/frontendIPConfigurations/" + (l.onPublicFrontend ? "fe-public" : "fe-private") } } },
                    { "frontendPort", { { "id", id + "/frontendPorts/" + portName } } },
                    { "protocol", l.port == 443 || l.port == 8443 ? "Https" : "Http" } } } });
    }
    for (const auto& p : g.pools) {
        json props = json::object();
        if (p.nicSide != 1 && !p.byNic.empty()) {
            json refs = json::array();
            for (auto v : p.byNic)
                refs.push_back({ { "id", ipConfigurationIdOf(e.vms[v]) } });
            props["backendIPConfigurations"] = refs;
        }
        json addresses = json::array();
        for (auto v : p.byAddress)
            addresses.push_back({ { "ipAddress", ipText(e.vms[v].ip) } });
        for (auto a : p.strayAddresses)
            addresses.push_back({ { "ipAddress", ipText(a) } });
        props["backendAddresses"] = addresses;
        pools.push_back({ { "name", p.name }, { "id", poolId(g, p) }, { "properties", props } });
    }
    for (const auto& r : g.rules) {
        const std::string settingsName = "settings-" + std::to_string(r.backendPort);
        if (settingsPorts.insert(r.backendPort).second)
            settings.push_back(
                { { "name", settingsName }, { "id", id + "/backendHttpSettingsCollection/" + settingsName },
                    { "properties", { { "port", r.backendPort }, { "protocol", "Http" } } } });
        rules.push_back({ { "name", r.name }, { "id", id + "/requestRoutingRules/" + r.name },
            { "properties",
                { { "ruleType", "Basic" }, { "priority", r.priority },
                    { "httpListener", { { "id", id + "/httpListeners/" + g.listeners[r.listener].name } } },
                    { "backendAddressPool", { { "id", poolId(g, g.pools[r.pool]) } } },
                    { "backendHttpSettings",
                        { { "id", id + "/backendHttpSettingsCollection/" + settingsName } } } } } });
    }
    return { { "id", id }, { "name", g.name }, { "type", "Microsoft.Network/applicationGateways" },
        { "location", "westeurope" },
        { "properties",
            { { "sku", { { "name", "WAF_v2" }, { "tier", "WAF_v2" }, { "capacity", 2 } } },
                { "gatewayIPConfigurations",
                    { { { "name", "agw-ipc" }, { "id", id + "/gatewayIPConfigurations/agw-ipc" },
                        { "properties", { { "subnet", { { "id", subnetId(e, sn) } } } } } } } },
                { "frontendIPConfigurations", frontends }, { "frontendPorts", ports }, { "httpListeners", listeners },
                { "backendAddressPools", pools }, { "backendHttpSettingsCollection", settings },
                { "requestRoutingRules", rules },
                { "webApplicationFirewallConfiguration",
                    { { "enabled", true }, { "firewallMode", "Prevention" }, { "ruleSetType", "OWASP" },
                        { "ruleSetVersion", "3.2" } } } } } };
}

// As in tests/data/golden/azure-firewall-dnat-classic-rules.
json firewallJson(const Estate& e, const Firewall& f)
{
    const std::string id = kPrefix + "Microsoft.Network/azureFirewalls/" + f.name;
    json rules = json::array();
    for (const auto& d : f.rules) {
        json protocols = json::array();
        if (d.tcp)
            protocols.push_back("TCP");
        if (d.udp)
            protocols.push_back("UDP");
        rules.push_back({ { "name", d.name }, { "protocols", protocols }, { "sourceAddresses", d.sources },
            { "destinationAddresses", { ipText(f.pipAddress) } }, { "destinationPorts", { std::to_string(d.port) } },
            { "translatedAddress", ipText(d.translatedAddress) },
            { "translatedPort", std::to_string(d.translatedPort) } });
    }
    return { { "id", id }, { "name", f.name }, { "type", "Microsoft.Network/azureFirewalls" },
        { "location", "westeurope" },
        { "properties",
            { { "sku", { { "name", "AZFW_VNet" }, { "tier", "Standard" } } }, { "threatIntelMode", "Alert" },
                { "ipConfigurations",
                    { { { "name", "fw-ipc" }, { "id", id + "/azureFirewallIpConfigurations/fw-ipc" },
                        { "properties",
                            { { "privateIPAddress",
                                  ipText(subnetPrefix(e, e.subnets[std::size_t(f.subnet)]).first + 4) },
                                { "subnet", { { "id", subnetId(e, e.subnets[std::size_t(f.subnet)]) } } },
                                { "publicIPAddress",
                                    { { "id",
                                        kPrefix + "Microsoft.Network/publicIPAddresses/" + f.name
                                            + "-pip" } } } } } } } },
                { "natRuleCollections",
                    { { { "name", "dnat-inbound" }, { "id", id + "/natRuleCollections/dnat-inbound" },
                        { "properties",
                            { { "priority", 100 }, { "action", { { "type", "Dnat" } } }, { "rules", rules } } } } } },
                { "networkRuleCollections", json::array() }, { "applicationRuleCollections", json::array() } } } };
}

// As in tests/data/golden/front-door-classic-origin-public-ip.
json frontDoorJson(const FrontDoor& fd)
{
    const std::string id = kPrefix + "Microsoft.Network/frontDoors/" + fd.name;
    json pools = json::array();
    for (std::size_t p = 0; p < fd.poolCount; ++p) {
        json backends = json::array();
        for (const auto& b : fd.backends)
            if (b.pool == p)
                backends.push_back({ { "address", b.address }, { "httpPort", b.httpPort }, { "httpsPort", b.httpsPort },
                    { "enabledState", b.enabled ? "Enabled" : "Disabled" }, { "weight", 50 }, { "priority", 1 } });
        const std::string name = "pool-" + std::to_string(p);
        pools.push_back({ { "id", id + "/backendPools/" + name }, { "name", name },
            { "properties", { { "backends", backends } } } });
    }
    json routes = json::array();
    for (const auto& r : fd.routes) {
        json accepted = json::array();
        if (r.http)
            accepted.push_back("Http");
        if (r.https)
            accepted.push_back("Https");
        json config;
        if (r.redirect)
            config = { { "@odata.type", "#Microsoft.Azure.FrontDoor.Models.FrontdoorRedirectConfiguration" },
                { "redirectType", "Moved" }, { "redirectProtocol", "HttpsOnly" } };
        else
            config = { { "@odata.type", "#Microsoft.Azure.FrontDoor.Models.FrontdoorForwardingConfiguration" },
                { "forwardingProtocol",
                    r.forwarding == FrontDoor::Forwarding::HttpOnly        ? "HttpOnly"
                        : r.forwarding == FrontDoor::Forwarding::HttpsOnly ? "HttpsOnly"
                                                                           : "MatchRequest" },
                { "backendPool", { { "id", id + "/backendPools/pool-" + std::to_string(r.pool) } } } };
        routes.push_back({ { "id", id + "/routingRules/" + r.name }, { "name", r.name },
            { "properties",
                { { "frontendEndpoints", { { { "id", id + "/frontendEndpoints/default" } } } },
                    { "acceptedProtocols", accepted }, { "patternsToMatch", { "/*" } },
                    { "enabledState", r.enabled ? "Enabled" : "Disabled" }, { "routeConfiguration", config } } } });
    }
    return { { "id", id }, { "name", fd.name }, { "type", "Microsoft.Network/frontDoors" }, { "location", "global" },
        { "properties",
            { { "enabledState", "Enabled" }, { "cname", fd.name + ".azurefd.net" },
                { "frontendEndpoints",
                    { { { "id", id + "/frontendEndpoints/default" }, { "name", "default" },
                        { "properties", { { "hostName", fd.name + ".azurefd.net" } } } } } },
                { "backendPools", pools }, { "routingRules", routes } } } };
}

// The weekly service tag download's shape, with AzureFrontDoor.Backend only.
json serviceTagsJson(const Estate& e)
{
    json prefixes = e.frontDoorRanges;
    prefixes.push_back("2a01:111:2050::/44");
    return { { "changeNumber", "1" }, { "cloud", "Public" }, { "type", "Microsoft.Network/serviceTags" },
        { "values",
            { { { "name", "AzureFrontDoor.Backend" }, { "id", "AzureFrontDoor.Backend" },
                { "properties",
                    { { "addressPrefixes", prefixes }, { "changeNumber", "1" }, { "region", "" },
                        { "systemService", "AzureFrontDoor" } } } } } } };
}

json ruleJson(const Rule& r)
{
    json p = { { "protocol", r.protocol }, { "sourcePortRange", "*" }, { "access", r.allow ? "Allow" : "Deny" },
        { "priority", r.priority }, { "direction", "Inbound" }, { "destinationAddressPrefix", r.destination } };
    if (r.ports.size() == 1)
        p["destinationPortRange"] = r.ports[0];
    else
        p["destinationPortRanges"] = r.ports;
    if (r.sources.size() == 1)
        p["sourceAddressPrefix"] = r.sources[0];
    else
        p["sourceAddressPrefixes"] = r.sources;
    return { { "name", r.name }, { "properties", p } };
}

json estateJson(const Estate& e)
{
    json out = json::array();
    for (std::size_t v = 0; v < e.vnets.size(); ++v) {
        const Vnet& vn = e.vnets[v];
        json subnets = json::array();
        for (const auto& s : e.subnets) {
            if (s.vnet != int(v))
                continue;
            json props = { { "addressPrefix",
                "10." + std::to_string(vn.octet) + "." + std::to_string(s.third) + ".0/" + std::to_string(s.length) } };
            if (s.nsg >= 0)
                props["networkSecurityGroup"] = { { "id", nsgId(e.nsgs[std::size_t(s.nsg)]) } };
            subnets.push_back({ { "id", subnetId(e, s) }, { "name", s.name }, { "properties", props } });
        }
        json peerings = json::array();
        for (const auto& p : e.peerings)
            for (int side = 0; side < 2; ++side) {
                const int self = side == 0 ? p.a : p.b;
                const int other = side == 0 ? p.b : p.a;
                if (self != int(v) || !p.side[side].exported)
                    continue;
                const Vnet& remote = e.vnets[std::size_t(other)];
                peerings.push_back({ { "name", vn.name + "-to-" + remote.name },
                    { "properties",
                        { { "remoteVirtualNetwork", { { "id", vnetId(remote) } } },
                            { "remoteAddressSpace",
                                { { "addressPrefixes", { "10." + std::to_string(remote.octet) + ".0.0/16" } } } },
                            { "peeringState", p.state }, { "allowVirtualNetworkAccess", p.side[side].access },
                            { "allowForwardedTraffic", false } } } });
            }
        out.push_back({ { "id", vnetId(vn) }, { "name", vn.name }, { "type", "Microsoft.Network/virtualNetworks" },
            { "location", "westeurope" },
            { "properties",
                { { "addressSpace", { { "addressPrefixes", { "10." + std::to_string(vn.octet) + ".0.0/16" } } } },
                    { "subnets", subnets }, { "virtualNetworkPeerings", peerings } } } });
    }
    for (const auto& n : e.nsgs) {
        json rules = json::array();
        for (const auto& r : n.rules)
            rules.push_back(ruleJson(r));
        out.push_back({ { "id", nsgId(n) }, { "name", n.name }, { "type", "Microsoft.Network/networkSecurityGroups" },
            { "location", "westeurope" }, { "properties", { { "securityRules", rules } } } });
    }
    for (const auto& g : e.gateways) {
        out.push_back(publicIpJson(g.name + "-pip", g.pipAddress, true));
        out.push_back(gatewayJson(e, g));
    }
    for (const auto& f : e.firewalls) {
        out.push_back(publicIpJson(f.name + "-pip", f.pipAddress, true));
        out.push_back(firewallJson(e, f));
    }
    for (const auto& fd : e.frontDoors)
        out.push_back(frontDoorJson(fd));
    for (std::size_t v = 0; v < e.vms.size(); ++v) {
        const Vm& vm = e.vms[v];
        const std::string nicId = nicIdOf(vm);
        const std::string vmId = kPrefix + "Microsoft.Compute/virtualMachines/" + vm.name;
        json ipcProps = { { "privateIPAddress", ipText(vm.ip) }, { "privateIPAllocationMethod", "Static" },
            { "primary", true }, { "subnet", { { "id", subnetId(e, e.subnets[std::size_t(vm.subnet)]) } } } };
        json gatewayPools = json::array(); // the NIC's side of a gateway pool membership
        for (const auto& g : e.gateways)
            for (const auto& p : g.pools)
                if (p.nicSide != 0 && std::find(p.byNic.begin(), p.byNic.end(), v) != p.byNic.end())
                    gatewayPools.push_back({ { "id", poolId(g, p) } });
        if (!gatewayPools.empty())
            ipcProps["applicationGatewayBackendAddressPools"] = gatewayPools;
        if (vm.pip != Vm::Pip::None) {
            const std::string pipId = kPrefix + "Microsoft.Network/publicIPAddresses/" + vm.name + "-pip";
            ipcProps["publicIPAddress"] = { { "id", pipId } };
            out.push_back({ { "id", pipId }, { "name", vm.name + "-pip" },
                { "type", "Microsoft.Network/publicIPAddresses" }, { "location", "westeurope" },
                { "sku", { { "name", vm.pip == Vm::Pip::Standard ? "Standard" : "Basic" } } },
                { "properties",
                    { { "publicIPAllocationMethod", "Static" }, { "publicIPAddressVersion", "IPv4" },
                        { "ipAddress", ipText(vm.pipAddress) } } } });
        }
        json nicProps = { { "ipConfigurations",
                              { { { "id", nicId + "/ipConfigurations/ipconfig1" }, { "name", "ipconfig1" },
                                  { "properties", ipcProps } } } },
            { "virtualMachine", { { "id", vmId } } } };
        if (vm.nicNsg >= 0)
            nicProps["networkSecurityGroup"] = { { "id", nsgId(e.nsgs[std::size_t(vm.nicNsg)]) } };
        out.push_back(
            { { "id", nicId }, { "name", vm.name + "-nic" }, { "type", "Microsoft.Network/networkInterfaces" },
                { "location", "westeurope" }, { "properties", nicProps } });
        out.push_back({ { "id", vmId }, { "name", vm.name }, { "type", "Microsoft.Compute/virtualMachines" },
            { "location", "westeurope" },
            { "tags", vm.store ? json { { "workload", "elasticsearch" } } : json { { "env", "prod" } } },
            { "properties", { { "networkProfile", { { "networkInterfaces", { { { "id", nicId } } } } } } } } });
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// The naive oracle.

const std::uint32_t kSamplePorts[] = { 1, 21, 22, 23, 80, 443, 444, 3389, 5432, 9200, 9300, 27017, 65535 };
const Proto kSampleProtos[] = { Proto::Tcp, Proto::Udp };

// One way in through an ingress device to one machine: an Application Gateway routing rule, a DNAT
// rule, or a Front Door route to one backend. Keyed as the engine's evidence names the forwarding
// rule ("<device>/<listener> / <rule>", "<firewall>/<collection> / <rule>", "<front door>/<route> -> <backend>").
struct Channel
{
    enum class Kind { Gateway, Firewall, FrontDoor } kind = Kind::Gateway;
    std::size_t device = 0;
    std::size_t item = 0; // the routing rule, DNAT rule or route
    std::size_t backend = 0; // Front Door backend
    std::string deviceName;
    std::string key;
    std::string pipName; // the public IP on the path
};

class Oracle
{
public:
    explicit Oracle(const Estate& e)
        : m_e(e)
    {
        for (const auto& n : e.nsgs) {
            std::vector<const Rule*> rules;
            for (const auto& r : n.rules)
                rules.push_back(&r);
            std::sort(
                rules.begin(), rules.end(), [](const Rule* a, const Rule* b) { return a->priority < b->priority; });
            m_sorted.push_back(std::move(rules));
        }
        // Every prefix that tells addresses apart: NSG rule sources, DNAT sources, the Front Door ranges.
        for (const auto& n : e.nsgs)
            for (const auto& r : n.rules)
                for (const auto& src : r.sources)
                    if (!src.empty() && std::isdigit(static_cast<unsigned char>(src[0])))
                        m_named.push_back(parsePrefixText(src));
        for (const auto& f : e.firewalls)
            for (const auto& d : f.rules)
                for (const auto& src : d.sources)
                    if (src != "*")
                        m_named.push_back(parsePrefixText(src));
        for (const auto& r : e.frontDoorRanges) {
            m_frontDoor.push_back(parsePrefixText(r));
            m_named.push_back(m_frontDoor.back());
        }
        // Representative public sources: both edges of every named prefix and the addresses just
        // outside them, one inside each /24 the rules name, and one outside all of them (no rule
        // names 8.0.0.0/8). Between two consecutive edges no rule tells addresses apart.
        std::set<std::uint32_t> reps { ip4(8, 8, 4, 4) };
        for (auto base : e.publicRanges)
            reps.insert(base + 9);
        for (const Prefix& p : m_named) {
            reps.insert(p.first);
            reps.insert(p.last);
            reps.insert(p.first + (p.last - p.first) / 2);
            if (p.first > 0)
                reps.insert(p.first - 1);
            if (p.last < 0xffffffffu)
                reps.insert(p.last + 1);
        }
        for (auto r : reps)
            if (isPublic(r))
                m_publicReps.push_back(r);
        m_clientReps = m_publicReps;
        m_clientReps.push_back(kIpv6Client);
        // Fewer for queries (each analyses the estate again): the first address of each named
        // prefix, the address outside all of them and the IPv6 client.
        std::set<std::uint32_t> queryReps { ip4(8, 8, 4, 4), kIpv6Client };
        for (const Prefix& p : m_named)
            if (isPublic(p.first))
                queryReps.insert(p.first);
        m_queryReps.assign(queryReps.begin(), queryReps.end());
        // Representative ports: the verdict is constant between rule port boundaries, and the ports
        // the devices forward to.
        std::set<std::uint32_t> ports { 0 };
        for (const auto& n : e.nsgs)
            for (const auto& r : n.rules)
                for (const auto& p : r.ports) {
                    const auto [first, last] = portRange(p);
                    ports.insert(first);
                    if (last < 65535)
                        ports.insert(last + 1);
                }
        std::set<std::uint32_t> forwarded;
        for (const auto& g : e.gateways)
            for (const auto& r : g.rules)
                forwarded.insert(r.backendPort);
        for (const auto& f : e.firewalls)
            for (const auto& d : f.rules)
                forwarded.insert(d.translatedPort);
        for (const auto& fd : e.frontDoors)
            for (const auto& b : fd.backends) {
                forwarded.insert(b.httpPort);
                forwarded.insert(b.httpsPort);
            }
        ports.insert(forwarded.begin(), forwarded.end());
        m_portReps.assign(ports.begin(), ports.end());
        // Sample ports for the comparisons: fixed ones, the forwarded ports and their neighbours.
        std::set<std::uint32_t> samples(std::begin(kSamplePorts), std::end(kSamplePorts));
        for (auto p : forwarded) {
            samples.insert(p);
            samples.insert(p - 1);
            if (p < 65535)
                samples.insert(p + 1);
        }
        m_samplePorts.assign(samples.begin(), samples.end());
        samples = { std::begin(kSamplePorts), std::end(kSamplePorts) };
        samples.insert(forwarded.begin(), forwarded.end());
        m_queryPorts.assign(samples.begin(), samples.end());

        m_channels.resize(e.vms.size());
        for (std::size_t v = 0; v < e.vms.size(); ++v)
            m_channels[v] = findChannels(v);
        for (std::size_t i = 0; i < e.vms.size(); ++i)
            for (auto s : m_clientReps)
                if (reachesAnything(i, s))
                    m_footholdSources[i].insert(s);
    }

    const std::vector<std::uint32_t>& publicReps() const { return m_publicReps; }
    /// The public representatives and the IPv6 client.
    const std::vector<std::uint32_t>& clientReps() const { return m_clientReps; }
    const std::vector<std::uint32_t>& queryReps() const { return m_queryReps; }
    const std::vector<std::uint32_t>& samplePorts() const { return m_samplePorts; }
    const std::vector<std::uint32_t>& queryPorts() const { return m_queryPorts; }
    const std::vector<Channel>& channels(std::size_t vm) const { return m_channels[vm]; }

    int vnetOfVm(std::size_t vm) const { return m_e.subnets[std::size_t(m_e.vms[vm].subnet)].vnet; }

    int vnetOfAddress(std::uint32_t ip) const
    {
        for (std::size_t v = 0; v < m_e.vnets.size(); ++v)
            if (m_e.vnets[v].space().contains(ip))
                return int(v);
        return -1;
    }

    // Routing: the same VNet, or a peering that is Connected.
    bool routed(int from, int to) const
    {
        if (from == to)
            return true;
        for (const auto& p : m_e.peerings)
            if (((p.a == from && p.b == to) || (p.a == to && p.b == from)) && p.state == "Connected")
                return true;
        return false;
    }

    // The VirtualNetwork service tag as seen from a NIC in vnet v.
    bool inVirtualNetworkTag(int v, std::uint32_t ip) const
    {
        if (m_e.vnets[std::size_t(v)].space().contains(ip))
            return true;
        for (const auto& p : m_e.peerings) {
            if (p.state != "Connected" || (p.a != v && p.b != v))
                continue;
            const int self = p.a == v ? 0 : 1;
            const PeeringSide& mine = p.side[self];
            const bool access = mine.exported ? mine.access : true; // this side unknown: taken to allow
            const int other = self == 0 ? p.b : p.a;
            if (access && m_e.vnets[std::size_t(other)].space().contains(ip))
                return true;
        }
        return false;
    }

    // One NSG's inbound verdict for a packet to a NIC in vnet v with private address dst.
    bool nsgAllows(int nsg, int v, Proto proto, std::uint32_t port, std::uint32_t src, std::uint32_t dst) const
    {
        for (const Rule* r : m_sorted[std::size_t(nsg)])
            if (matches(*r, v, proto, port, src, dst))
                return r->allow;
        // Default rules.
        if (inVirtualNetworkTag(v, src) && inVirtualNetworkTag(v, dst))
            return true; // 65000 AllowVnetInBound
        if (src == kAzureLoadBalancer)
            return true; // 65001 AllowAzureLoadBalancerInBound
        return false; // 65500 DenyAllInBound
    }

    // Subnet NSG then NIC NSG; a missing one lets traffic pass its level.
    bool nsgsAllow(std::size_t vm, Proto proto, std::uint32_t port, std::uint32_t src) const
    {
        const Vm& t = m_e.vms[vm];
        const Subnet& sn = m_e.subnets[std::size_t(t.subnet)];
        if (sn.nsg >= 0 && !nsgAllows(sn.nsg, sn.vnet, proto, port, src, t.ip))
            return false;
        if (t.nicNsg >= 0 && !nsgAllows(t.nicNsg, sn.vnet, proto, port, src, t.ip))
            return false;
        return true;
    }

    bool anyNsg(std::size_t vm) const
    {
        return m_e.subnets[std::size_t(m_e.vms[vm].subnet)].nsg >= 0 || m_e.vms[vm].nicNsg >= 0;
    }

    // A packet from public source src reaches the VM through its public IP.
    bool direct(std::size_t vm, Proto proto, std::uint32_t port, std::uint32_t src) const
    {
        const Vm& t = m_e.vms[vm];
        if (t.pip == Vm::Pip::None || !isPublic(src))
            return false;
        if (!anyNsg(vm))
            return t.pip == Vm::Pip::Basic;
        return nsgsAllow(vm, proto, port, src);
    }

    // The VM's NSGs allow (proto, port) from some address of `from` (what a device's backend sees).
    bool seenFromSome(std::size_t vm, Proto proto, std::uint32_t port, const Prefix& from) const
    {
        const auto reps = repsWithin(from);
        return std::any_of(reps.begin(), reps.end(), [&](std::uint32_t s) { return nsgsAllow(vm, proto, port, s); });
    }

    // Microsoft Learn, "Application Gateway infrastructure configuration": an NSG on the gateway
    // subnet filters the clients; the destination is the gateway (its subnet), on the listener port.
    bool gatewayAdmits(const AppGateway& g, std::uint32_t listenerPort, std::uint32_t src) const
    {
        const Subnet& sn = m_e.subnets[std::size_t(g.subnet)];
        if (sn.nsg < 0)
            return true;
        return nsgAllows(sn.nsg, sn.vnet, Proto::Tcp, listenerPort, src, subnetPrefix(m_e, sn).first + 4);
    }

    // Front Door (classic), Microsoft Learn REST "Front Doors - Create Or Update": a routing rule
    // forwards the protocols it accepts (acceptedProtocols) by its forwardingProtocol: HttpOnly to
    // the backend's httpPort, HttpsOnly to its httpsPort, MatchRequest to the port of the request's
    // protocol. Pairs (client port, origin port).
    static std::vector<std::pair<std::uint32_t, std::uint32_t>> frontDoorPorts(
        const FrontDoor::Route& r, const FrontDoor::Backend& b)
    {
        std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
        if (r.http)
            out.emplace_back(80, r.forwarding == FrontDoor::Forwarding::HttpsOnly ? b.httpsPort : b.httpPort);
        if (r.https)
            out.emplace_back(443, r.forwarding == FrontDoor::Forwarding::HttpOnly ? b.httpPort : b.httpsPort);
        return out;
    }

    // Microsoft Learn, "Secure traffic to Azure Front Door origins": the origin sees the
    // AzureFrontDoor.Backend addresses; "Public IP addresses": a Standard public IP is closed unless
    // an NSG allows, a Basic one open when no NSG applies.
    bool originAdmitsFrontDoor(std::size_t vm, std::uint32_t port) const
    {
        if (!anyNsg(vm))
            return m_e.vms[vm].pip == Vm::Pip::Basic;
        return std::any_of(m_frontDoor.begin(), m_frontDoor.end(),
            [&](const Prefix& r) { return seenFromSome(vm, Proto::Tcp, port, r); });
    }

    // A packet (proto, port at the VM) from internet client src reaches the VM through channel c.
    bool via(std::size_t vm, const Channel& c, Proto proto, std::uint32_t port, std::uint32_t src) const
    {
        if (!isClient(src) || (src == kIpv6Client && c.kind != Channel::Kind::FrontDoor))
            return false;
        switch (c.kind) {
        case Channel::Kind::Gateway: {
            // Microsoft Learn, "Application Gateway components": the listener's port at the
            // frontend, the backend settings' port at the backend; the backend sees the gateway
            // subnet as the source ("Application Gateway infrastructure configuration").
            const AppGateway& g = m_e.gateways[c.device];
            const AppGateway::RoutingRule& r = g.rules[c.item];
            if (proto != Proto::Tcp || port != r.backendPort || !gatewayAdmits(g, g.listeners[r.listener].port, src))
                return false;
            return seenFromSome(vm, proto, port, subnetPrefix(m_e, m_e.subnets[std::size_t(g.subnet)]));
        }
        case Channel::Kind::Firewall: {
            // Microsoft Learn, "Filter inbound Internet or intranet traffic with Azure Firewall
            // DNAT": the rule's sources and protocols, translated to its address and port; the
            // firewall SNATs, so the backend sees an AzureFirewallSubnet address.
            const Firewall& f = m_e.firewalls[c.device];
            const Firewall::Dnat& d = f.rules[c.item];
            if ((proto == Proto::Tcp && !d.tcp) || (proto == Proto::Udp && !d.udp) || proto == Proto::Icmp
                || port != d.translatedPort)
                return false;
            if (std::none_of(d.sources.begin(), d.sources.end(),
                    [&](const std::string& s) { return s == "*" || parsePrefixText(s).contains(src); }))
                return false;
            return seenFromSome(vm, proto, port, subnetPrefix(m_e, m_e.subnets[std::size_t(f.subnet)]));
        }
        case Channel::Kind::FrontDoor: {
            // Front Door accepts any client ("Secure traffic to Azure Front Door origins").
            const FrontDoor& fd = m_e.frontDoors[c.device];
            if (proto != Proto::Tcp)
                return false;
            const auto pairs = frontDoorPorts(fd.routes[c.item], fd.backends[c.backend]);
            if (std::none_of(pairs.begin(), pairs.end(), [&](const auto& pr) { return pr.second == port; }))
                return false;
            return originAdmitsFrontDoor(vm, port);
        }
        }
        return false;
    }

    // The client ports at the device that lead to what channel c delivers.
    std::set<std::uint32_t> clientPorts(std::size_t vm, const Channel& c) const
    {
        switch (c.kind) {
        case Channel::Kind::Gateway: {
            const AppGateway& g = m_e.gateways[c.device];
            return { g.listeners[g.rules[c.item].listener].port };
        }
        case Channel::Kind::Firewall:
            return { m_e.firewalls[c.device].rules[c.item].port };
        case Channel::Kind::FrontDoor: {
            const FrontDoor& fd = m_e.frontDoors[c.device];
            std::set<std::uint32_t> out;
            for (const auto& [client, origin] : frontDoorPorts(fd.routes[c.item], fd.backends[c.backend]))
                if (originAdmitsFrontDoor(vm, origin))
                    out.insert(client);
            return out;
        }
        }
        return {};
    }

    // Reached from the internet in one hop: through the public IP or any ingress device.
    bool hop1(std::size_t vm, Proto proto, std::uint32_t port, std::uint32_t src) const
    {
        if (direct(vm, proto, port, src))
            return true;
        const auto& cs = m_channels[vm];
        return std::any_of(cs.begin(), cs.end(), [&](const Channel& c) { return via(vm, c, proto, port, src); });
    }

    // Some internet source reaches foothold f and f adds (proto, port) at data store d.
    bool twoHopVia(std::size_t d, std::size_t f, Proto proto, std::uint32_t port) const
    {
        return std::any_of(
            m_clientReps.begin(), m_clientReps.end(), [&](std::uint32_t s) { return twoHop(d, f, proto, port, s); });
    }

    bool isFoothold(std::size_t vm) const { return m_footholdSources.count(vm) > 0; }
    bool footholdReachedFrom(std::size_t vm, std::uint32_t src) const
    {
        auto it = m_footholdSources.find(vm);
        return it != m_footholdSources.end() && it->second.count(src);
    }

    // What foothold f adds at data store d: the packet (proto, port, internet source src). A machine
    // behind a gateway, firewall or Front Door is a foothold too (README, "Semantics (Azure)").
    bool twoHop(std::size_t d, std::size_t f, Proto proto, std::uint32_t port, std::uint32_t src) const
    {
        if (d == f || !m_e.vms[d].store || !footholdReachedFrom(f, src))
            return false;
        if (!routed(vnetOfVm(f), vnetOfVm(d)))
            return false;
        return nsgsAllow(d, proto, port, m_e.vms[f].ip) && !hop1(d, proto, port, src);
    }

    // "query --to vm --from src": a private source must be routed to the VM's VNet and pass its
    // NSGs; a public one must come in through the public IP or an ingress device.
    bool query(std::size_t vm, Proto proto, std::uint32_t port, std::uint32_t src) const
    {
        if (isClient(src))
            return hop1(vm, proto, port, src);
        const int from = vnetOfAddress(src);
        if (from < 0 || !routed(from, vnetOfVm(vm)))
            return false;
        return nsgsAllow(vm, proto, port, src);
    }

private:
    static std::pair<std::uint32_t, std::uint32_t> portRange(const std::string& text)
    {
        if (text == "*")
            return { 0, 65535 };
        const auto dash = text.find('-');
        if (dash == std::string::npos)
            return { std::uint32_t(std::stoul(text)), std::uint32_t(std::stoul(text)) };
        return { std::uint32_t(std::stoul(text.substr(0, dash))), std::uint32_t(std::stoul(text.substr(dash + 1))) };
    }

    // One address per class of `range` that the named prefixes tell apart (its edges and theirs).
    std::vector<std::uint32_t> repsWithin(const Prefix& range) const
    {
        std::set<std::uint32_t> out { range.first, range.last };
        for (const Prefix& p : m_named) {
            if (p.last < range.first || p.first > range.last)
                continue;
            out.insert(std::max(p.first, range.first));
            out.insert(std::min(p.last, range.last));
            if (p.first > range.first)
                out.insert(p.first - 1);
            if (p.last < range.last)
                out.insert(p.last + 1);
        }
        return { out.begin(), out.end() };
    }

    std::vector<Channel> findChannels(std::size_t vm) const
    {
        std::vector<Channel> out;
        const int vmVnet = vnetOfVm(vm);
        const auto has = [](const std::vector<std::size_t>& list, std::size_t v) {
            return std::find(list.begin(), list.end(), v) != list.end();
        };
        for (std::size_t gi = 0; gi < m_e.gateways.size(); ++gi) {
            const AppGateway& g = m_e.gateways[gi];
            const int gwVnet = m_e.subnets[std::size_t(g.subnet)].vnet;
            for (std::size_t ri = 0; ri < g.rules.size(); ++ri) {
                const auto& r = g.rules[ri];
                const auto& listener = g.listeners[r.listener];
                const auto& pool = g.pools[r.pool];
                // A listener on the private frontend is not internet-facing; a backend named by
                // address must be routed from the gateway's VNet.
                if (!listener.onPublicFrontend)
                    continue;
                if (has(pool.byNic, vm) || (has(pool.byAddress, vm) && routed(gwVnet, vmVnet)))
                    out.push_back({ Channel::Kind::Gateway, gi, ri, 0, g.name,
                        g.name + "/" + listener.name + " / " + r.name, g.name + "-pip" });
            }
        }
        for (std::size_t fi = 0; fi < m_e.firewalls.size(); ++fi) {
            const Firewall& f = m_e.firewalls[fi];
            for (std::size_t k = 0; k < f.rules.size(); ++k)
                if (f.rules[k].translatedAddress == m_e.vms[vm].ip
                    && routed(m_e.subnets[std::size_t(f.subnet)].vnet, vmVnet))
                    out.push_back({ Channel::Kind::Firewall, fi, k, 0, f.name,
                        f.name + "/dnat-inbound / " + f.rules[k].name, f.name + "-pip" });
        }
        for (std::size_t di = 0; di < m_e.frontDoors.size(); ++di) {
            const FrontDoor& fd = m_e.frontDoors[di];
            for (std::size_t ri = 0; ri < fd.routes.size(); ++ri) {
                const auto& r = fd.routes[ri];
                if (!r.enabled || r.redirect)
                    continue; // a redirect is answered at the edge
                for (std::size_t bi = 0; bi < fd.backends.size(); ++bi) {
                    const auto& b = fd.backends[bi];
                    if (b.vm == int(vm) && b.enabled && b.pool == r.pool)
                        out.push_back({ Channel::Kind::FrontDoor, di, ri, bi, fd.name,
                            fd.name + "/" + r.name + " -> " + b.address, m_e.vms[vm].name + "-pip" });
                }
            }
        }
        return out;
    }

    bool addressMatches(const std::string& text, int v, std::uint32_t ip) const
    {
        if (text == "*")
            return true;
        if (text == "Internet")
            return isPublic(ip) && !inVirtualNetworkTag(v, ip);
        if (text == "VirtualNetwork")
            return inVirtualNetworkTag(v, ip);
        if (text == "AzureLoadBalancer")
            return ip == kAzureLoadBalancer;
        if (text == "AzureFrontDoor.Backend") // exact: the estate holds the service tag file
            return std::any_of(m_frontDoor.begin(), m_frontDoor.end(), [&](const Prefix& p) { return p.contains(ip); });
        return parsePrefixText(text).contains(ip);
    }

    bool matches(const Rule& r, int v, Proto proto, std::uint32_t port, std::uint32_t src, std::uint32_t dst) const
    {
        if (r.protocol == "Tcp" && proto != Proto::Tcp)
            return false;
        if (r.protocol == "Udp" && proto != Proto::Udp)
            return false;
        // ICMP carries no ports: only a rule for any protocol can match it, whatever its ports.
        if (proto != Proto::Icmp && std::none_of(r.ports.begin(), r.ports.end(), [&](const std::string& p) {
                const auto [first, last] = portRange(p);
                return port >= first && port <= last;
            }))
            return false;
        if (std::none_of(
                r.sources.begin(), r.sources.end(), [&](const std::string& s) { return addressMatches(s, v, src); }))
            return false;
        return addressMatches(r.destination, v, dst);
    }

    bool reachesAnything(std::size_t vm, std::uint32_t src) const
    {
        for (Proto p : { Proto::Tcp, Proto::Udp, Proto::Icmp })
            for (auto port : m_portReps)
                if (hop1(vm, p, port, src))
                    return true;
        return false;
    }

    const Estate& m_e;
    std::vector<std::vector<const Rule*>> m_sorted; // each NSG's rules by priority
    std::vector<Prefix> m_named;
    std::vector<Prefix> m_frontDoor;
    std::vector<std::uint32_t> m_publicReps;
    std::vector<std::uint32_t> m_clientReps;
    std::vector<std::uint32_t> m_queryReps;
    std::vector<std::uint32_t> m_portReps;
    std::vector<std::uint32_t> m_samplePorts;
    std::vector<std::uint32_t> m_queryPorts;
    std::vector<std::vector<Channel>> m_channels;
    std::map<std::size_t, std::set<std::uint32_t>> m_footholdSources;
};

// ---------------------------------------------------------------------------------------------
// Comparison.

Protocol engineProtocol(Proto p)
{
    return p == Proto::Tcp ? Protocol::Tcp : Protocol::Udp;
}

const char* protoName(Proto p)
{
    return p == Proto::Tcp ? "tcp" : "udp";
}

u128 engineAddress(std::uint32_t ip)
{
    if (ip == kIpv6Client)
        return (u128(0x2a00) << 112) | (u128(0x1450) << 96) | (u128(0x4001) << 80) | 1;
    return kV4Base + ip;
}

bool contains(const Finding& f, Proto p, std::uint32_t port, std::uint32_t src)
{
    return f.packets && f.packets->contains(engineProtocol(p), port, engineAddress(src));
}

struct Coverage
{
    int twoHopSameVnet = 0;
    int twoHopViaPeer = 0;
    int twoHopViaPeerOneSideExported = 0;
    int twoHopViaPeerWithoutAccess = 0; // the store's side leaves the peer out of VirtualNetwork
    int peerInTagAdmitsByDefault = 0; // AllowVnetInBound admits a peer's foothold
    int footholdInUnroutedPeer = 0; // an Initiated/Disconnected peering: no two-hop
    int queriesFromPeer = 0;
};

// What the oracle says about the estate's peerings, for the coverage check.
void countCoverage(const Estate& e, const Oracle& o, Coverage& c)
{
    for (std::size_t d = 0; d < e.vms.size(); ++d) {
        if (!e.vms[d].store)
            continue;
        for (std::size_t f = 0; f < e.vms.size(); ++f) {
            if (f == d || !o.isFoothold(f))
                continue;
            const int vf = o.vnetOfVm(f), vd = o.vnetOfVm(d);
            bool any = false;
            for (auto port : o.samplePorts())
                for (Proto p : kSampleProtos)
                    for (auto s : o.clientReps())
                        any = any || o.twoHop(d, f, p, port, s);
            if (vf != vd && !o.routed(vf, vd)) {
                for (const auto& pe : e.peerings)
                    if ((pe.a == vf && pe.b == vd) || (pe.a == vd && pe.b == vf))
                        ++c.footholdInUnroutedPeer;
                continue;
            }
            if (!any)
                continue;
            if (vf == vd) {
                ++c.twoHopSameVnet;
                continue;
            }
            ++c.twoHopViaPeer;
            for (const auto& pe : e.peerings)
                if ((pe.a == vf && pe.b == vd) || (pe.a == vd && pe.b == vf))
                    if (!pe.side[0].exported || !pe.side[1].exported)
                        ++c.twoHopViaPeerOneSideExported;
            if (o.inVirtualNetworkTag(vd, e.vms[f].ip))
                ++c.peerInTagAdmitsByDefault;
            else
                ++c.twoHopViaPeerWithoutAccess;
        }
    }
}

// What the ingress estates exercise, for the coverage check (oracle only).
struct IngressCoverage
{
    int gatewayByNic = 0; // a channel to a pool member by IP configuration reaches something
    int gatewayByAddressViaPeer = 0; // by address, in a peered VNet
    int gatewayNsgNarrowsClients = 0; // the gateway subnet NSG admits some clients, not others
    int gatewayBackendNsgBlocks = 0; // clients admitted, but the backend's NSGs stop the gateway
    int gatewayPrivateListener = 0; // a rule on the private frontend with members (no channel)
    int firewallReached = 0;
    int firewallSourcesNarrow = 0; // the DNAT rule admits some clients, not others
    int firewallUdp = 0;
    int firewallUnrouted = 0; // translated to a VM that no peering routes to the firewall
    int frontDoorReached = 0;
    int frontDoorPortTranslated = 0; // forwarding protocol sends a client port to another origin port
    int frontDoorClientPortClosed = 0; // one client port's origin port is admitted, another's is not
    int frontDoorStandardClosed = 0; // a Standard public IP without NSG: closed to Front Door
    int frontDoorRedirectOrDisabled = 0;
    int footholdOnlyBehindDevice = 0; // a foothold the internet reaches only through a device
    int twoHopForIpv6Clients = 0; // what an IPv6 client gets through a foothold behind Front Door
};

void countIngressCoverage(const Estate& e, const Oracle& o, IngressCoverage& c)
{
    const auto& reps = o.publicReps();
    for (std::size_t vm = 0; vm < e.vms.size(); ++vm) {
        const int vmVnet = o.vnetOfVm(vm);
        for (const auto& ch : o.channels(vm)) {
            bool any = false;
            std::set<std::uint32_t> clients;
            for (auto port : o.samplePorts())
                for (Proto p : kSampleProtos)
                    for (auto s : reps)
                        if (o.via(vm, ch, p, port, s)) {
                            any = true;
                            clients.insert(s);
                        }
            switch (ch.kind) {
            case Channel::Kind::Gateway: {
                const AppGateway& g = e.gateways[ch.device];
                const auto& rule = g.rules[ch.item];
                const auto& pool = g.pools[rule.pool];
                const std::uint32_t listenerPort = g.listeners[rule.listener].port;
                const auto admitted = std::count_if(
                    reps.begin(), reps.end(), [&](std::uint32_t s) { return o.gatewayAdmits(g, listenerPort, s); });
                if (admitted > 0 && std::size_t(admitted) < reps.size() && any)
                    ++c.gatewayNsgNarrowsClients;
                if (admitted > 0 && !any)
                    ++c.gatewayBackendNsgBlocks;
                if (!any)
                    break;
                if (std::find(pool.byNic.begin(), pool.byNic.end(), vm) != pool.byNic.end())
                    ++c.gatewayByNic;
                else if (e.subnets[std::size_t(g.subnet)].vnet != vmVnet)
                    ++c.gatewayByAddressViaPeer;
                break;
            }
            case Channel::Kind::Firewall: {
                const auto& d = e.firewalls[ch.device].rules[ch.item];
                if (!any)
                    break;
                ++c.firewallReached;
                if (clients.size() < reps.size())
                    ++c.firewallSourcesNarrow;
                for (auto port : o.samplePorts())
                    if (d.udp && o.via(vm, ch, Proto::Udp, port, reps.front()))
                        ++c.firewallUdp;
                break;
            }
            case Channel::Kind::FrontDoor: {
                const FrontDoor& fd = e.frontDoors[ch.device];
                const auto pairs = Oracle::frontDoorPorts(fd.routes[ch.item], fd.backends[ch.backend]);
                if (e.vms[vm].pip == Vm::Pip::Standard && !o.anyNsg(vm))
                    ++c.frontDoorStandardClosed;
                if (!any)
                    break;
                ++c.frontDoorReached;
                for (const auto& [client, origin] : pairs)
                    if (client != origin)
                        ++c.frontDoorPortTranslated;
                if (o.clientPorts(vm, ch).size() < pairs.size())
                    ++c.frontDoorClientPortClosed;
                break;
            }
            }
        }
        for (const auto& f : e.firewalls)
            for (const auto& d : f.rules)
                if (d.translatedAddress == e.vms[vm].ip && !o.routed(e.subnets[std::size_t(f.subnet)].vnet, vmVnet))
                    ++c.firewallUnrouted;
        if (o.isFoothold(vm)) {
            bool direct = false;
            for (auto port : o.samplePorts())
                for (Proto p : kSampleProtos)
                    for (auto s : reps)
                        direct = direct || o.direct(vm, p, port, s);
            if (!direct)
                ++c.footholdOnlyBehindDevice;
        }
        if (e.vms[vm].store)
            for (std::size_t f = 0; f < e.vms.size(); ++f)
                for (auto port : o.samplePorts())
                    if (o.twoHop(vm, f, Proto::Tcp, port, kIpv6Client)) {
                        ++c.twoHopForIpv6Clients;
                        break;
                    }
    }
    for (const auto& g : e.gateways)
        for (const auto& r : g.rules)
            if (!g.listeners[r.listener].onPublicFrontend
                && (!g.pools[r.pool].byNic.empty() || !g.pools[r.pool].byAddress.empty()))
                ++c.gatewayPrivateListener;
    for (const auto& fd : e.frontDoors)
        for (const auto& r : fd.routes)
            if (r.redirect || !r.enabled)
                ++c.frontDoorRedirectOrDisabled;
}

class Comparison
{
public:
    Comparison(const Estate& e, const Oracle& o, const AnalysisResult& r)
        : m_e(e)
        , m_o(o)
        , m_r(r)
    { }

    std::vector<std::string> mismatches;
    /// A private source that no peering routes to the target, reported reachable at its public IP.
    std::vector<std::string> unroutedSourceMismatches;
    /// A data store whose footholds reach different ports, reported through one foothold only.
    std::vector<std::string> onlyOneFootholdMismatches;

    void add(std::string text)
    {
        if (mismatches.size() < 12)
            mismatches.push_back(std::move(text));
        else if (mismatches.size() == 12)
            mismatches.push_back("... (more)");
    }

    std::size_t vmIndex(const std::string& name) const
    {
        for (std::size_t i = 0; i < m_e.vms.size(); ++i)
            if (m_e.vms[i].name == name)
                return i;
        return m_e.vms.size();
    }

    // The sources and ports of every one-hop finding, per way in: "direct" (the VM's public IP) and
    // each ingress channel, told apart by the forwarding rule in the finding's evidence. Each finding
    // through a device names the device and its public IP on its path, and its frontend ports are
    // the client ports that lead to what it delivers.
    void directFindings()
    {
        for (const auto& f : m_r.findings)
            if (vmIndex(f.target.name) == m_e.vms.size())
                add("a finding for an unknown target " + f.target.name);
        // Sources that are no internet clients: never in a finding.
        std::vector<std::uint32_t> sources = m_o.clientReps();
        for (auto s : { ip4(10, 1, 2, 3), ip4(100, 64, 0, 1), ip4(192, 168, 1, 1), ip4(203, 0, 113, 5) })
            sources.push_back(s);
        for (std::size_t vm = 0; vm < m_e.vms.size(); ++vm) {
            const std::string& name = m_e.vms[vm].name;
            std::map<std::string, const Channel*> channels { { "direct", nullptr } };
            for (const auto& c : m_o.channels(vm))
                channels[c.key] = &c;
            std::map<std::string, std::vector<const Finding*>> mine;
            for (const auto& f : m_r.findings) {
                if (f.hops != 1 || f.target.name != name)
                    continue;
                const std::string key = channelOf(f);
                if (!channels.count(key)) {
                    add(name + ": a finding through " + key + ", which the oracle does not route to it");
                    continue;
                }
                mine[key].push_back(&f);
                checkShape(vm, f, channels[key]);
            }
            for (const auto& [key, channel] : channels) {
                const auto& found = mine[key];
                int reported = 0;
                for (auto port : m_o.samplePorts())
                    for (Proto p : kSampleProtos)
                        for (auto s : sources) {
                            const bool expected
                                = channel ? m_o.via(vm, *channel, p, port, s) : m_o.direct(vm, p, port, s);
                            const bool actual = std::any_of(
                                found.begin(), found.end(), [&](const Finding* f) { return contains(*f, p, port, s); });
                            if (expected != actual && reported++ < 4)
                                add((channel ? "via " + key : std::string("direct")) + " " + name + " " + protoName(p)
                                    + "/" + std::to_string(port) + " from " + addressText(s) + ": oracle "
                                    + (expected ? "reached" : "not reached") + ", analyze "
                                    + (actual ? "reached" : "not reached"));
                        }
            }
        }
    }

    static std::string channelOf(const Finding& f)
    {
        for (const auto& r : f.rules)
            if (r.level == "application-gateway" || r.level == "firewall-dnat" || r.level == "edge-route")
                return r.filterName + "/" + r.ruleName;
        return "direct";
    }

    void checkShape(std::size_t vm, const Finding& f, const Channel* c)
    {
        const std::string head = m_e.vms[vm].name + " " + f.protocol + " finding " + channelOf(f) + ": ";
        std::vector<std::string> names;
        for (const auto& step : f.path)
            names.push_back(step.name);
        std::string path;
        for (const auto& n : names)
            path += (path.empty() ? "" : " -> ") + n;
        const auto at = [&](const std::string& n) {
            return std::size_t(std::find(names.begin(), names.end(), n) - names.begin());
        };
        if (names.empty() || names.front() != "Internet" || names.back() != m_e.vms[vm].name)
            add(head + "path " + path + " does not run from Internet to the machine");
        if (!c) {
            std::vector<std::string> devices;
            for (const auto& g : m_e.gateways)
                devices.push_back(g.name);
            for (const auto& fw : m_e.firewalls)
                devices.push_back(fw.name);
            for (const auto& fd : m_e.frontDoors)
                devices.push_back(fd.name);
            for (const auto& d : devices)
                if (at(d) < names.size())
                    add(head + "a direct finding whose path names " + d + ": " + path);
            return;
        }
        // The device and its public IP, in path order: Front Door before the origin's public IP,
        // a gateway or firewall after its own.
        const std::size_t device = at(c->deviceName), pip = at(c->pipName);
        if (device >= names.size() || pip >= names.size())
            add(head + "the path does not name " + c->deviceName + " and " + c->pipName + ": " + path);
        else if (c->kind == Channel::Kind::FrontDoor ? device > pip : pip > device)
            add(head + "the path names " + c->deviceName + " and " + c->pipName + " out of order: " + path);
        std::set<std::uint32_t> frontendPorts;
        for (const auto& r : f.frontendPorts)
            for (std::uint32_t p = r.first; p <= r.last && frontendPorts.size() < 16; ++p)
                frontendPorts.insert(p);
        const std::set<std::uint32_t> expected = m_o.clientPorts(vm, *c);
        if (frontendPorts != expected) {
            std::string a, b;
            for (auto p : frontendPorts)
                a += " " + std::to_string(p);
            for (auto p : expected)
                b += " " + std::to_string(p);
            add(head + "frontend ports" + a + ", the oracle's client ports" + b);
        }
        std::string address;
        if (c->kind == Channel::Kind::Gateway)
            address = ipText(m_e.gateways[c->device].pipAddress);
        else if (c->kind == Channel::Kind::Firewall)
            address = ipText(m_e.firewalls[c->device].pipAddress);
        if (f.frontendAddress != address)
            add(head + "frontend address '" + f.frontendAddress + "', expected '" + address + "'");
    }

    // Two-hop findings: the (protocol, port) sample points at which the data store gets a two-hop
    // finding (its packets carry the foothold's private address as the source, so ports are compared).
    void twoHopFindings()
    {
        for (std::size_t d = 0; d < m_e.vms.size(); ++d) {
            std::set<std::pair<Proto, std::uint32_t>> actual, expected, viaReported;
            std::set<std::size_t> reportedFootholds;
            for (const auto& f : m_r.findings) {
                if (f.hops != 2 || f.target.name != m_e.vms[d].name)
                    continue;
                const std::size_t fh = vmIndex(f.foothold.name);
                if (!m_e.vms[d].store)
                    add("two-hop finding for " + f.target.name + ", which is no declared data store");
                if (fh == m_e.vms.size()) {
                    add("two-hop finding for " + f.target.name + " through unknown foothold '" + f.foothold.name + "'");
                    continue;
                }
                reportedFootholds.insert(fh);
                for (auto port : m_o.samplePorts())
                    for (Proto p : kSampleProtos)
                        if (f.packets && f.packets->ports(engineProtocol(p)).contains(port)) {
                            actual.insert({ p, port });
                            if (!m_o.twoHopVia(d, fh, p, port))
                                add("two-hop " + m_e.vms[d].name + " " + protoName(p) + "/" + std::to_string(port)
                                    + " through " + m_e.vms[fh].name + ": the oracle's foothold delivers nothing "
                                    + "there the internet does not already deliver directly");
                        }
            }
            for (auto port : m_o.samplePorts())
                for (Proto p : kSampleProtos)
                    for (std::size_t fh = 0; fh < m_e.vms.size(); ++fh)
                        if (m_o.twoHopVia(d, fh, p, port)) {
                            expected.insert({ p, port });
                            if (reportedFootholds.count(fh))
                                viaReported.insert({ p, port });
                        }
            if (actual == expected)
                continue;
            std::string diff;
            for (const auto& [p, port] : expected)
                if (!actual.count({ p, port }))
                    diff += std::string(" missing ") + protoName(p) + "/" + std::to_string(port);
            for (const auto& [p, port] : actual)
                if (!expected.count({ p, port }))
                    diff += std::string(" extra ") + protoName(p) + "/" + std::to_string(port);
            std::string footholds;
            for (std::size_t fh = 0; fh < m_e.vms.size(); ++fh)
                if (m_o.isFoothold(fh) && fh != d && m_o.routed(m_o.vnetOfVm(fh), m_o.vnetOfVm(d)))
                    footholds += " " + m_e.vms[fh].name;
            const std::string text
                = "two-hop ports of " + m_e.vms[d].name + " (oracle footholds:" + footholds + "):" + diff;
            // The engine reports one foothold per data store: what the others add is not reported.
            if (actual == viaReported && !reportedFootholds.empty())
                onlyOneFootholdMismatches.push_back(text);
            else
                add(text);
        }
    }

    void queries(const Snapshot& snap, Coverage& coverage)
    {
        std::vector<std::uint32_t> sources;
        for (std::size_t f = 0; f < m_e.vms.size(); ++f)
            if (m_o.isFoothold(f))
                sources.push_back(m_e.vms[f].ip);
        for (const auto& v : m_e.vnets)
            sources.push_back(v.sample());
        for (auto s : m_o.queryReps())
            sources.push_back(s);
        for (std::size_t d = 0; d < m_e.vms.size(); ++d) {
            for (auto src : sources) {
                const int from = m_o.vnetOfAddress(src);
                if (from >= 0 && from != m_o.vnetOfVm(d) && m_o.routed(from, m_o.vnetOfVm(d)))
                    ++coverage.queriesFromPeer;
                for (auto port : m_o.queryPorts())
                    for (Proto p : kSampleProtos) {
                        FlowQuery q;
                        q.target = m_e.vms[d].name;
                        q.protocol = engineProtocol(p);
                        q.port = port;
                        q.fromInternet = false;
                        q.source = addressText(src);
                        const QueryResult qr = queryFlow(snap, q);
                        const bool expected = m_o.query(d, p, port, src);
                        const bool unrouted = !isClient(src) && (from < 0 || !m_o.routed(from, m_o.vnetOfVm(d)));
                        if (!qr.error.empty())
                            add("query " + q.target + " from " + q.source + ": error " + qr.error);
                        else if (qr.reachable != expected && unrouted && qr.reachable)
                            unroutedSourceMismatches.push_back("query --to " + q.target + " --port "
                                + std::to_string(port) + " --protocol " + protoName(p) + " --from " + q.source
                                + ": oracle not reachable (no route from the source's VNet), queryFlow reachable");
                        else if (qr.reachable != expected)
                            add("query --to " + q.target + " --port " + std::to_string(port) + " --protocol "
                                + protoName(p) + " --from " + q.source + ": oracle "
                                + (expected ? "reachable" : "not reachable") + ", queryFlow "
                                + (qr.reachable ? "reachable" : "not reachable"));
                    }
            }
        }
    }

private:
    const Estate& m_e;
    const Oracle& m_o;
    const AnalysisResult& m_r;
};

std::string describeEstate(const Estate& e)
{
    std::string out;
    for (std::size_t v = 0; v < e.vnets.size(); ++v)
        out += "  " + e.vnets[v].name + " 10." + std::to_string(e.vnets[v].octet) + ".0.0/16\n";
    for (const auto& p : e.peerings)
        out += "  peering " + e.vnets[std::size_t(p.a)].name + " <-> " + e.vnets[std::size_t(p.b)].name + " " + p.state
            + " exported " + (p.side[0].exported ? "a" : "") + (p.side[1].exported ? "b" : "") + " access "
            + (p.side[0].access ? "1" : "0") + (p.side[1].access ? "1" : "0") + "\n";
    for (const auto& vm : e.vms) {
        const Subnet& s = e.subnets[std::size_t(vm.subnet)];
        out += "  " + vm.name + " " + ipText(vm.ip) + " subnet " + e.vnets[std::size_t(s.vnet)].name + "/" + s.name
            + " subnet-nsg " + (s.nsg >= 0 ? e.nsgs[std::size_t(s.nsg)].name : "-") + " nic-nsg "
            + (vm.nicNsg >= 0 ? e.nsgs[std::size_t(vm.nicNsg)].name : "-") + " pip "
            + (vm.pip == Vm::Pip::None         ? "-"
                    : vm.pip == Vm::Pip::Basic ? "basic"
                                               : "standard")
            + "\n";
    }
    const auto subnetText = [&](int s) {
        const Subnet& sn = e.subnets[std::size_t(s)];
        const Prefix p = subnetPrefix(e, sn);
        return e.vnets[std::size_t(sn.vnet)].name + "/" + sn.name + " " + ipText(p.first) + "/"
            + std::to_string(sn.length) + " nsg " + (sn.nsg >= 0 ? e.nsgs[std::size_t(sn.nsg)].name : "-");
    };
    const auto vmNames = [&](const std::vector<std::size_t>& list) {
        std::string text;
        for (auto v : list)
            text += " " + e.vms[v].name;
        return text;
    };
    for (const auto& g : e.gateways) {
        out += "  " + g.name + " pip " + ipText(g.pipAddress) + " subnet " + subnetText(g.subnet) + "\n";
        for (const auto& r : g.rules) {
            const auto& l = g.listeners[r.listener];
            const auto& pool = g.pools[r.pool];
            out += "    " + l.name + " " + (l.onPublicFrontend ? "public" : "private") + ":" + std::to_string(l.port)
                + " / " + r.name + " -> " + pool.name + " nic:" + vmNames(pool.byNic)
                + " address:" + vmNames(pool.byAddress) + " port " + std::to_string(r.backendPort) + "\n";
        }
    }
    for (const auto& f : e.firewalls) {
        out += "  " + f.name + " pip " + ipText(f.pipAddress) + " subnet " + subnetText(f.subnet) + "\n";
        for (const auto& d : f.rules) {
            std::string sources;
            for (const auto& src : d.sources)
                sources += " " + src;
            out += std::string("    ") + d.name + (d.tcp ? " tcp" : "") + (d.udp ? " udp" : "") + " from" + sources
                + " :" + std::to_string(d.port) + " -> " + ipText(d.translatedAddress) + ":"
                + std::to_string(d.translatedPort) + "\n";
        }
    }
    for (const auto& fd : e.frontDoors) {
        out += "  " + fd.name + "\n";
        for (const auto& b : fd.backends)
            out += "    backend " + b.address + " pool-" + std::to_string(b.pool) + " http "
                + std::to_string(b.httpPort) + " https " + std::to_string(b.httpsPort) + (b.enabled ? "" : " disabled")
                + "\n";
        for (const auto& r : fd.routes)
            out += "    " + r.name + (r.http ? " Http" : "") + (r.https ? " Https" : "")
                + (r.redirect ? " redirect"
                              : std::string(" forward ")
                            + (r.forwarding == FrontDoor::Forwarding::HttpOnly         ? "HttpOnly"
                                    : r.forwarding == FrontDoor::Forwarding::HttpsOnly ? "HttpsOnly"
                                                                                       : "MatchRequest")
                            + " to pool-" + std::to_string(r.pool))
                + (r.enabled ? "" : " disabled") + "\n";
    }
    if (!e.frontDoorRanges.empty())
        out += "  AzureFrontDoor.Backend " + e.frontDoorRanges.front() + " " + e.frontDoorRanges.back() + "\n";
    return out;
}

// Imports the estate as JSON, analyzes it and compares with the oracle.
struct Outcome
{
    bool imported = false;
    std::string importProblems;
    std::string failures; // disagreements that are no known gap
    std::string unroutedSource; // a query from an unrouted private address answered reachable
    std::string oneFoothold; // two-hop ports another foothold adds, not reported
    std::string context; // the estate and the engine's findings, for messages
};

Outcome check(const Estate& estate)
{
    Outcome out;
    const json doc = estateJson(estate);
    QTemporaryDir dir;
    {
        std::ofstream file(dir.filePath(QStringLiteral("estate.json")).toStdString());
        file << doc.dump(1);
    }
    if (!estate.frontDoorRanges.empty()) {
        std::ofstream file(dir.filePath(QStringLiteral("service-tags.json")).toStdString());
        file << serviceTagsJson(estate).dump(1);
    }
    const Snapshot snap = importSnapshot({ dir.path().toStdString() });
    for (const auto& d : snap.diagnostics)
        out.importProblems += d.toString() + "\n";
    out.imported = dir.isValid() && !snap.hasErrors() && snap.vms.size() == estate.vms.size()
        && snap.vnets.size() == estate.vnets.size()
        && snap.proxies.size() == estate.gateways.size() + estate.firewalls.size()
        && snap.edges.size() == estate.frontDoors.size();
    if (!out.imported)
        return out;

    const Oracle oracle(estate);
    const AnalysisResult result = analyze(snap);
    Comparison cmp(estate, oracle, result);
    Coverage coverage;
    cmp.directFindings();
    cmp.twoHopFindings();
    cmp.queries(snap, coverage);
    const auto join = [](const std::vector<std::string>& lines) {
        std::string text;
        for (const auto& l : lines)
            text += "  " + l + "\n";
        return text;
    };
    out.failures = join(cmp.mismatches);
    out.unroutedSource = join(cmp.unroutedSourceMismatches);
    out.oneFoothold = join(cmp.onlyOneFootholdMismatches);
    out.context = "findings of analyze():\n";
    for (const auto& f : result.findings) {
        out.context += "  " + f.target.name + " hops " + std::to_string(f.hops) + " " + f.protocol + " ports "
            + formatPortRanges(f.ports) + " from";
        for (const auto& src : f.sources)
            out.context += " " + src;
        if (f.hops == 2)
            out.context += " foothold " + f.foothold.name;
        out.context += "\n";
    }
    out.context += "estate:\n" + describeEstate(estate) + "estate JSON:\n" + doc.dump(1);
    return out;
}

// QTest cuts long messages: a disagreement is written whole to stderr, with the findings and the estate.
void printIfDisagrees(const Outcome& out, const std::string& head)
{
    const std::string problems = out.failures + out.unroutedSource + out.oneFoothold;
    if (!problems.empty())
        std::fprintf(stderr, "%s\n%s%s\n", head.c_str(), problems.c_str(), out.context.c_str());
}

// A random estate of make() with ingress services added.
Estate ingressEstate(unsigned seed)
{
    Estate e = Generator(seed).make(seed);
    Generator(seed + 1000003u).addIngress(e);
    return e;
}

Vm vmAt(const std::string& name, int subnet, std::uint32_t ip, Vm::Pip pip, bool store)
{
    Vm vm;
    vm.name = name;
    vm.subnet = subnet;
    vm.ip = ip;
    vm.pip = pip;
    vm.pipAddress = pip == Vm::Pip::None ? 0 : ip4(20, 50, 1, 10 + int(ip & 255));
    vm.store = store;
    return vm;
}

} // namespace

class TestEstateOracle : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void randomEstates_data()
    {
        QTest::addColumn<int>("seed");
        for (int seed = 1; seed <= ew::test::randomRounds(kSeeds); ++seed)
            QTest::newRow(("seed-" + std::to_string(seed)).c_str()) << seed;
    }

    void randomEstates()
    {
        QFETCH(int, seed);
        const Outcome out = check(Generator(unsigned(seed)).make(unsigned(seed)));
        const std::string head = "seed " + std::to_string(seed) + ": ";
        QVERIFY2(out.imported, (head + "the import failed\n" + out.importProblems).c_str());
        printIfDisagrees(out, head);
        QVERIFY2(
            out.failures.empty(), (head + "the engine and the oracle disagree\n" + out.failures + out.context).c_str());
        QVERIFY2(out.unroutedSource.empty(), (head + "\n" + out.unroutedSource + out.context).c_str());
        QVERIFY2(out.oneFoothold.empty(), (head + "\n" + out.oneFoothold + out.context).c_str());
    }

    // The same, with Application Gateways, an Azure Firewall and a Front Door in front of the machines.
    void randomIngressEstates_data()
    {
        QTest::addColumn<int>("seed");
        for (int seed = 1; seed <= ew::test::randomRounds(kIngressSeeds); ++seed)
            QTest::newRow(("ingress-seed-" + std::to_string(seed)).c_str()) << seed;
    }

    void randomIngressEstates()
    {
        QFETCH(int, seed);
        const Outcome out = check(ingressEstate(unsigned(seed)));
        const std::string head = "ingress seed " + std::to_string(seed) + ": ";
        QVERIFY2(out.imported, (head + "the import failed\n" + out.importProblems).c_str());
        printIfDisagrees(out, head);
        QVERIFY2(
            out.failures.empty(), (head + "the engine and the oracle disagree\n" + out.failures + out.context).c_str());
        QVERIFY2(out.unroutedSource.empty(), (head + "\n" + out.unroutedSource + out.context).c_str());
        QVERIFY2(out.oneFoothold.empty(), (head + "\n" + out.oneFoothold + out.context).c_str());
    }

    // Regression (found by this test): two-hop findings came through one foothold only. es-data (vnet-data 10.5.0.0/16)
    // has an NSG that allows only 9200/tcp from 10.1.0.0/16. Footholds: app-a in vnet-a (10.1.0.0/16, Connected,
    // vnet-data's side without virtual network access) and app-b in vnet-b (10.2.0.0/16, Connected, access on both
    // sides), both with a Basic public IP and no NSG. app-a reaches only 9200/tcp (the rule naming its
    // prefix); app-b reaches every port through AllowVnetInBound, since vnet-b is in vnet-data's
    // VirtualNetwork tag (Microsoft Learn, peering). PRODUCT.md: every packet a foothold can deliver is a
    // two-hop exposure, so es-data is two-hop exposed on every port (the engine once reported app-a's 9200 only).
    void twoHopReportsWhatEveryFootholdAdds()
    {
        Estate e;
        e.vnets = { { "vnet-data", 5 }, { "vnet-a", 1 }, { "vnet-b", 2 } };
        e.subnets = { { "snet-data", 0, 1, 0 }, { "snet-a", 1, 1, -1 }, { "snet-b", 2, 1, -1 } };
        e.nsgs = { { "nsg-data", { { "allow-es-from-a", 100, true, "Tcp", { "9200" }, { "10.1.0.0/16" }, "*" } } } };
        e.peerings = { { 0, 1, "Connected", { { true, false }, { true, true } } },
            { 0, 2, "Connected", { { true, true }, { true, true } } } };
        e.vms = { vmAt("app-a", 1, ip4(10, 1, 1, 4), Vm::Pip::Basic, false),
            vmAt("app-b", 2, ip4(10, 2, 1, 4), Vm::Pip::Basic, false),
            vmAt("es-data", 0, ip4(10, 5, 1, 4), Vm::Pip::None, true) };
        e.publicRanges = { ip4(52, 160, 10, 0) };
        const Outcome out = check(e);
        QVERIFY2(out.imported, out.importProblems.c_str());
        printIfDisagrees(out, QTest::currentTestFunction());
        QVERIFY2(out.failures.empty(), (out.failures + out.context).c_str());
        QVERIFY2(out.oneFoothold.empty(), (out.oneFoothold + out.context).c_str());
    }

    // Regression (found by this test): a query from an unrouted private address. vnet-a (10.1.0.0/16) and vnet-data
    // (10.5.0.0/16) are peered, but the peering is only Initiated: no route (Microsoft Learn, peering). es-data has a
    // Basic public IP and no NSG. 'query --to es-data --port 22 --from 10.1.250.9' must be not
    // reachable: the address is private (RFC 1918), so it does not cross the internet to the public IP,
    // and no peering carries it (the engine once answered reachable through the public IP).
    void queryFromUnroutedPrivateAddress()
    {
        Estate e;
        e.vnets = { { "vnet-data", 5 }, { "vnet-a", 1 } };
        e.subnets = { { "snet-data", 0, 1, -1 }, { "snet-a", 1, 1, -1 } };
        e.peerings = { { 0, 1, "Initiated", { { true, true }, { false, true } } } };
        e.vms = { vmAt("app-a", 1, ip4(10, 1, 1, 4), Vm::Pip::None, false),
            vmAt("es-data", 0, ip4(10, 5, 1, 4), Vm::Pip::Basic, true) };
        e.publicRanges = { ip4(52, 160, 10, 0) };
        const Outcome out = check(e);
        QVERIFY2(out.imported, out.importProblems.c_str());
        printIfDisagrees(out, QTest::currentTestFunction());
        QVERIFY2(out.failures.empty(), (out.failures + out.context).c_str());
        QVERIFY(out.oneFoothold.empty());
        QVERIFY2(out.unroutedSource.empty(), (out.unroutedSource + out.context).c_str());
    }

    // Regression (found by this test): Front Door (classic) route accepting HTTP and HTTPS with MatchRequest to web-1's
    // Standard public IP (origin ports 80 and 443), whose subnet NSG admits AzureFrontDoor.Backend on 443 only: the
    // Front Door finding reaches 443 from any client, and only clients on Front Door's port 443 get
    // there (a request on 80 is forwarded to 80, which the NSG denies).
    void frontDoorClientPortsFollowTheOrigin()
    {
        Estate e;
        e.vnets = { { "vnet-web", 5 } };
        e.subnets = { { "snet-web", 0, 1, 0 } };
        e.nsgs = { { "nsg-web",
            { { "allow-https-frontdoor", 100, true, "Tcp", { "443" }, { "AzureFrontDoor.Backend" }, "*" } } } };
        e.vms = { vmAt("web-1", 0, ip4(10, 5, 1, 4), Vm::Pip::Standard, false) };
        e.publicRanges = { ip4(52, 160, 10, 0) };
        e.frontDoorRanges = { "147.243.0.0/16", "20.21.37.40/29" };
        FrontDoor fd;
        fd.name = "fd-portal";
        fd.backends = { { ipText(e.vms[0].pipAddress), 0, 80, 443, true, 0 } };
        fd.routes = { { "route-web", true, true, FrontDoor::Forwarding::MatchRequest, false, true, 0 } };
        e.frontDoors = { fd };
        const Outcome out = check(e);
        QVERIFY2(out.imported, out.importProblems.c_str());
        printIfDisagrees(out, QTest::currentTestFunction());
        QVERIFY2(out.failures.empty(), (out.failures + out.context).c_str());
    }

    // The ingress estates exercise every way in the oracle knows, and the cases that close it:
    // gateway pools by IP configuration and by address in a peered VNet, clients narrowed by the
    // gateway subnet's NSG, backends whose NSGs stop the gateway, private listeners, DNAT rules
    // with narrow sources, UDP and unrouted backends, Front Door with port translation, redirects,
    // Standard public IPs without NSG, footholds reached only through a device, and two-hop paths
    // of IPv6 clients behind Front Door. Checked on the oracle alone.
    void randomIngressEstatesCoverIngress()
    {
        IngressCoverage c;
        for (int seed = 1; seed <= kIngressSeeds; ++seed) {
            const Estate estate = ingressEstate(unsigned(seed));
            countIngressCoverage(estate, Oracle(estate), c);
        }
        qInfo("gateway: %d by IP configuration, %d by address via a peer, %d clients narrowed by its NSG, %d "
              "stopped by the backend's NSGs, %d private listeners; firewall: %d reached (%d narrow sources, %d "
              "UDP), %d unrouted; Front Door: %d reached, %d port translations, %d client ports closed, %d Standard "
              "IPs closed, %d redirects or disabled routes; %d footholds only behind a device; %d two-hop for IPv6 "
              "clients",
            c.gatewayByNic, c.gatewayByAddressViaPeer, c.gatewayNsgNarrowsClients, c.gatewayBackendNsgBlocks,
            c.gatewayPrivateListener, c.firewallReached, c.firewallSourcesNarrow, c.firewallUdp, c.firewallUnrouted,
            c.frontDoorReached, c.frontDoorPortTranslated, c.frontDoorClientPortClosed, c.frontDoorStandardClosed,
            c.frontDoorRedirectOrDisabled, c.footholdOnlyBehindDevice, c.twoHopForIpv6Clients);
        QVERIFY(c.gatewayByNic > 0);
        QVERIFY(c.gatewayByAddressViaPeer > 0);
        QVERIFY(c.gatewayNsgNarrowsClients > 0);
        QVERIFY(c.gatewayBackendNsgBlocks > 0);
        QVERIFY(c.gatewayPrivateListener > 0);
        QVERIFY(c.firewallReached > 0);
        QVERIFY(c.firewallSourcesNarrow > 0);
        QVERIFY(c.firewallUdp > 0);
        QVERIFY(c.firewallUnrouted > 0);
        QVERIFY(c.frontDoorReached > 0);
        QVERIFY(c.frontDoorPortTranslated > 0);
        QVERIFY(c.frontDoorClientPortClosed > 0);
        QVERIFY(c.frontDoorStandardClosed > 0);
        QVERIFY(c.frontDoorRedirectOrDisabled > 0);
        QVERIFY(c.footholdOnlyBehindDevice > 0);
        QVERIFY(c.twoHopForIpv6Clients > 0);
    }

    // The random estates exercise what peering changes: two-hop paths through a peer in both
    // directions, with one side exported, with the peer inside and outside the VirtualNetwork tag,
    // and peerings that do not route (Initiated, Disconnected). Checked on the oracle alone.
    void randomEstatesCoverPeering()
    {
        Coverage c;
        for (int seed = 1; seed <= kSeeds; ++seed) {
            const Estate estate = Generator(unsigned(seed)).make(unsigned(seed));
            const Oracle oracle(estate);
            countCoverage(estate, oracle, c);
            for (std::size_t d = 0; d < estate.vms.size(); ++d)
                if (estate.vms[d].store)
                    for (std::size_t f = 0; f < estate.vms.size(); ++f)
                        if (oracle.isFoothold(f) && oracle.vnetOfVm(f) != oracle.vnetOfVm(d)
                            && oracle.routed(oracle.vnetOfVm(f), oracle.vnetOfVm(d)))
                            ++c.queriesFromPeer;
        }
        qInfo("two-hop pairs: %d same VNet, %d via a peer (%d one side exported, %d peer outside the "
              "VirtualNetwork tag, %d admitted by the tag); %d footholds behind unrouted peerings; %d queries "
              "from a routed peer",
            c.twoHopSameVnet, c.twoHopViaPeer, c.twoHopViaPeerOneSideExported, c.twoHopViaPeerWithoutAccess,
            c.peerInTagAdmitsByDefault, c.footholdInUnroutedPeer, c.queriesFromPeer);
        QVERIFY(c.twoHopSameVnet > 0);
        QVERIFY(c.twoHopViaPeer > 0);
        QVERIFY(c.twoHopViaPeerOneSideExported > 0);
        QVERIFY(c.twoHopViaPeerWithoutAccess > 0);
        QVERIFY(c.peerInTagAdmitsByDefault > 0);
        QVERIFY(c.footholdInUnroutedPeer > 0);
        QVERIFY(c.queriesFromPeer > 0);
    }
};

QTEST_GUILESS_MAIN(TestEstateOracle)
#include "tst_estateoracle.moc"
