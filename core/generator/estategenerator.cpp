#include "estategenerator.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

namespace ew {

bool EstateSpec::forTier(const std::string& tier, EstateSpec& out)
{
    // PERFORMANCE.md's tiers: NICs and rules; 50 NICs share a subnet NSG.
    struct Tier
    {
        const char* name;
        int nics;
        int rulesPerNsg;
        int loadBalancers;
    };
    static const Tier tiers[]
        = { { "S", 200, 250, 2 }, { "M", 5000, 200, 20 }, { "L", 50000, 200, 100 }, { "XL", 250000, 200, 500 } };
    for (const auto& t : tiers) {
        if (tier != t.name)
            continue;
        out = EstateSpec {};
        out.tier = tier;
        out.nics = t.nics;
        out.rulesPerNsg = t.rulesPerNsg;
        out.nicsPerSubnet = 50;
        out.loadBalancers = t.loadBalancers;
        return true;
    }
    return false;
}

namespace {

const char* kSub = "/subscriptions/0e0e0e0e-1111-2222-3333-444444444444/resourceGroups/rg-gen/providers";

class Files
{
public:
    Files(std::string folder, std::string stem, int perFile, EstateStats& stats)
        : m_folder(std::move(folder))
        , m_stem(std::move(stem))
        , m_perFile(perFile)
        , m_stats(stats)
    { }
    ~Files() { close(); }
    std::ostream& next()
    {
        if (!m_out.is_open() || m_count >= m_perFile) {
            close();
            char name[64];
            std::snprintf(name, sizeof name, "%s-%04d.json", m_stem.c_str(), m_index++);
            m_path = m_folder + "/" + name;
            m_out.open(m_path, std::ios::binary | std::ios::trunc);
            m_out << "[\n";
            m_count = 0;
            ++m_stats.files;
        } else {
            m_out << ",\n";
        }
        ++m_count;
        return m_out;
    }
    void close()
    {
        if (!m_out.is_open())
            return;
        m_out << "\n]\n";
        m_out.close();
        std::error_code ec;
        m_stats.bytes += std::filesystem::file_size(m_path, ec);
    }
    bool good() const { return !m_out.is_open() || m_out.good(); }

private:
    std::string m_folder, m_stem, m_path;
    int m_perFile, m_index = 0, m_count = 0;
    std::ofstream m_out;
    EstateStats& m_stats;
};

std::string ip4(std::uint32_t v)
{
    return std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 255) + "." + std::to_string((v >> 8) & 255) + "."
        + std::to_string(v & 255);
}

} // namespace

bool generateEstate(const EstateSpec& spec, const std::string& folder, EstateStats& stats, std::string& error)
{
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) {
        error = "cannot create " + folder + ": " + ec.message();
        return false;
    }
    std::mt19937 rng(spec.seed);
    auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    stats = {};
    const int subnets = std::max(1, (spec.nics + spec.nicsPerSubnet - 1) / spec.nicsPerSubnet);
    const int subnetsPerVnet = 200; // 10.x.y.0/24 inside 10.x.0.0/16
    const int vnets = (subnets + subnetsPerVnet - 1) / subnetsPerVnet;
    const int nicNsgPool = std::max(1, static_cast<int>(spec.nics * spec.nicNsgShare / 20));

    auto subnetPrefix = [&](int s) {
        return (10u << 24) | (static_cast<std::uint32_t>(s / subnetsPerVnet) << 16)
            | (static_cast<std::uint32_t>(s % subnetsPerVnet) << 8);
    };
    auto nsgId = [&](const std::string& name) {
        return std::string(kSub) + "/Microsoft.Network/networkSecurityGroups/" + name;
    };

    // NSGs: one per subnet, plus a pool shared by NICs with their own NSG.
    static const char* engines[] = { "elasticsearch", "mongodb", "redis", "postgresql", "mysql", "cassandra" };
    static const int popular[]
        = { 22, 80, 443, 3389, 9200, 9300, 27017, 6379, 5432, 3306, 1433, 8080, 8443, 5601, 9042 };
    {
        Files files(folder, "nsgs", spec.resourcesPerFile / 10 + 1, stats);
        auto writeNsg = [&](const std::string& name, std::uint32_t localPrefix) {
            std::ostream& o = files.next();
            o << "{\"id\":\"" << nsgId(name) << "\",\"name\":\"" << name
              << "\",\"type\":\"Microsoft.Network/"
                 "networkSecurityGroups\",\"location\":\"westeurope\",\"resourceGroup\":\"rg-gen\",\"securityRules\":[";
            for (int r = 0; r < spec.rulesPerNsg; ++r) {
                const int priority = 100 + r * (3900 / std::max(1, spec.rulesPerNsg));
                const bool allow = chance(0.65);
                const char* proto = chance(0.7) ? "Tcp" : (chance(0.5) ? "Udp" : "*");
                std::string ports;
                if (chance(0.05))
                    ports = "\"destinationPortRange\":\"*\"";
                else if (chance(0.3)) {
                    const int a = 1024 + pick(60000);
                    ports = "\"destinationPortRange\":\"" + std::to_string(a) + "-"
                        + std::to_string(std::min(65535, a + pick(2000))) + "\"";
                } else if (chance(0.3)) {
                    ports = "\"destinationPortRanges\":[\"" + std::to_string(popular[pick(15)]) + "\",\""
                        + std::to_string(popular[pick(15)]) + "\"]";
                } else {
                    ports = "\"destinationPortRange\":\""
                        + std::to_string(chance(0.6) ? popular[pick(15)] : 1 + pick(65535)) + "\"";
                }
                // A source mix like real NSGs: mostly the virtual network, private ranges and a few
                // partner or office ranges; a minority open to the whole internet.
                std::string src;
                const int s = pick(100);
                auto publicRange = [&](int minLen) {
                    return ip4((static_cast<std::uint32_t>(20 + pick(150)) << 24) | (rng() & 0xffffff00u)) + "/"
                        + std::to_string(minLen + pick(33 - minLen));
                };
                if (s < 6)
                    src = "\"sourceAddressPrefix\":\"*\"";
                else if (s < 10)
                    src = "\"sourceAddressPrefix\":\"Internet\"";
                else if (s < 40)
                    src = "\"sourceAddressPrefix\":\"VirtualNetwork\"";
                else if (s < 70)
                    src = "\"sourceAddressPrefix\":\"" + ip4((10u << 24) | (rng() & 0xffff00u)) + "/"
                        + std::to_string(16 + pick(9)) + "\"";
                else if (s < 90)
                    src = "\"sourceAddressPrefix\":\"" + publicRange(24) + "\"";
                else
                    src = "\"sourceAddressPrefixes\":[\"" + publicRange(24) + "\",\"" + publicRange(26) + "\"]";
                std::string dst = chance(0.7) ? std::string("\"destinationAddressPrefix\":\"*\"")
                                              : "\"destinationAddressPrefix\":\"" + ip4(localPrefix) + "/24\"";
                o << (r ? "," : "") << "{\"name\":\"r" << r << "\",\"id\":\"" << nsgId(name) << "/securityRules/r" << r
                  << "\",\"protocol\":\"" << proto << "\",\"sourcePortRange\":\"*\"," << ports << "," << src << ","
                  << dst << ",\"access\":\"" << (allow ? "Allow" : "Deny") << "\",\"priority\":" << priority
                  << ",\"direction\":\"" << (chance(0.9) ? "Inbound" : "Outbound") << "\"}";
                ++stats.rules;
            }
            o << "]}";
            ++stats.nsgs;
        };
        for (int s = 0; s < subnets; ++s)
            writeNsg("nsg-snet-" + std::to_string(s), subnetPrefix(s));
        for (int n = 0; n < nicNsgPool; ++n)
            writeNsg("nsg-nic-" + std::to_string(n), subnetPrefix(pick(subnets)));
        if (!files.good()) {
            error = "cannot write NSG files in " + folder;
            return false;
        }
    }
    {
        Files files(folder, "vnets", 100, stats);
        for (int v = 0; v < vnets; ++v) {
            const std::string vid = std::string(kSub) + "/Microsoft.Network/virtualNetworks/vnet-" + std::to_string(v);
            std::ostream& o = files.next();
            o << "{\"id\":\"" << vid << "\",\"name\":\"vnet-" << v
              << "\",\"type\":\"Microsoft.Network/"
                 "virtualNetworks\",\"location\":\"westeurope\",\"properties\":{\"addressSpace\":{\"addressPrefixes\":["
                 "\""
              << ip4((10u << 24) | (static_cast<std::uint32_t>(v) << 16)) << "/16\"]},\"subnets\":[";
            for (int s = v * subnetsPerVnet, k = 0; s < std::min(subnets, (v + 1) * subnetsPerVnet); ++s, ++k)
                o << (k ? "," : "") << "{\"id\":\"" << vid << "/subnets/snet-" << s << "\",\"name\":\"snet-" << s
                  << "\",\"properties\":{\"addressPrefix\":\"" << ip4(subnetPrefix(s))
                  << "/24\",\"networkSecurityGroup\":{\"id\":\"" << nsgId("nsg-snet-" + std::to_string(s)) << "\"}}}";
            o << "]}}";
        }
    }
    // Load balancers: each with one public frontend, a pool and a rule; pool members drawn below.
    std::vector<int> lbOfNic(static_cast<std::size_t>(spec.nics), -1);
    for (int n = 0; n < spec.nics; ++n)
        if (spec.loadBalancers > 0 && chance(0.05))
            lbOfNic[static_cast<std::size_t>(n)] = pick(spec.loadBalancers);
    {
        Files pips(folder, "public-ips", spec.resourcesPerFile, stats);
        Files lbs(folder, "load-balancers", 200, stats);
        for (int l = 0; l < spec.loadBalancers; ++l) {
            const std::string lbId = std::string(kSub) + "/Microsoft.Network/loadBalancers/lb-" + std::to_string(l);
            const std::string pipId
                = std::string(kSub) + "/Microsoft.Network/publicIPAddresses/pip-lb-" + std::to_string(l);
            pips.next() << "{\"id\":\"" << pipId << "\",\"name\":\"pip-lb-" << l
                        << "\",\"type\":\"Microsoft.Network/"
                           "publicIPAddresses\",\"sku\":{\"name\":\"Standard\"},\"properties\":{\"ipAddress\":\""
                        << ip4((52u << 24) | static_cast<std::uint32_t>(l)) << "\"}}";
            const int port = popular[pick(15)];
            lbs.next()
                << "{\"id\":\"" << lbId << "\",\"name\":\"lb-" << l
                << "\",\"type\":\"Microsoft.Network/loadBalancers\",\"sku\":{\"name\":\"Standard\"},\"properties\":{"
                << "\"frontendIPConfigurations\":[{\"id\":\"" << lbId
                << "/frontendIPConfigurations/fe\",\"name\":\"fe\",\"properties\":{\"publicIPAddress\":{\"id\":\""
                << pipId << "\"}}}],\"backendAddressPools\":[{\"id\":\"" << lbId
                << "/backendAddressPools/pool\",\"name\":\"pool\",\"properties\":{}}],"
                << "\"loadBalancingRules\":[{\"id\":\"" << lbId
                << "/loadBalancingRules/rule\",\"name\":\"rule\",\"properties\":{\"frontendIPConfiguration\":{\"id\":\""
                << lbId << "/frontendIPConfigurations/fe\"},\"backendAddressPool\":{\"id\":\"" << lbId
                << "/backendAddressPools/pool\"},\"protocol\":\"Tcp\",\"frontendPort\":" << port
                << ",\"backendPort\":" << port << "}}]}}";
        }
        Files nics(folder, "nics", spec.resourcesPerFile, stats);
        Files vms(folder, "vms", spec.resourcesPerFile, stats);
        for (int n = 0; n < spec.nics; ++n) {
            const int s = n / spec.nicsPerSubnet;
            const std::string name = "vm-" + std::to_string(n);
            const std::string nicId = std::string(kSub) + "/Microsoft.Network/networkInterfaces/" + name + "-nic";
            const std::string vmId = std::string(kSub) + "/Microsoft.Compute/virtualMachines/" + name;
            const std::string subnetId = std::string(kSub) + "/Microsoft.Network/virtualNetworks/vnet-"
                + std::to_string(s / subnetsPerVnet) + "/subnets/snet-" + std::to_string(s);
            const bool hasPip = chance(spec.publicIpShare);
            std::ostream& o = nics.next();
            o << "{\"id\":\"" << nicId << "\",\"name\":\"" << name
              << "-nic\",\"type\":\"Microsoft.Network/networkInterfaces\",\"resourceGroup\":\"rg-gen\",";
            if (chance(spec.nicNsgShare))
                o << "\"networkSecurityGroup\":{\"id\":\"" << nsgId("nsg-nic-" + std::to_string(pick(nicNsgPool)))
                  << "\",\"resourceGroup\":\"rg-gen\"},";
            o << "\"virtualMachine\":{\"id\":\"" << vmId << "\"},\"ipConfigurations\":[{\"id\":\"" << nicId
              << "/ipConfigurations/ipconfig1\",\"name\":\"ipconfig1\",\"privateIPAddress\":\""
              << ip4(subnetPrefix(s) + 4 + static_cast<std::uint32_t>(n % spec.nicsPerSubnet))
              << "\",\"subnet\":{\"id\":\"" << subnetId << "\"}";
            if (hasPip)
                o << ",\"publicIPAddress\":{\"id\":\"" << std::string(kSub)
                  << "/Microsoft.Network/publicIPAddresses/pip-" << n << "\"}";
            if (int l = lbOfNic[static_cast<std::size_t>(n)]; l >= 0)
                o << ",\"loadBalancerBackendAddressPools\":[{\"id\":\"" << kSub
                  << "/Microsoft.Network/loadBalancers/lb-" << l << "/backendAddressPools/pool\"}]";
            o << "}]}";
            if (hasPip) {
                pips.next() << "{\"id\":\"" << kSub << "/Microsoft.Network/publicIPAddresses/pip-" << n
                            << "\",\"name\":\"pip-" << n
                            << "\",\"type\":\"Microsoft.Network/publicIPAddresses\",\"sku\":{\"name\":\""
                            << (chance(0.8) ? "Standard" : "Basic") << "\"},\"properties\":{\"ipAddress\":\""
                            << ip4((20u << 24) + static_cast<std::uint32_t>(n)) << "\"}}";
                ++stats.publicIps;
            }
            const bool dataStore = chance(spec.dataStoreShare);
            std::ostream& v = vms.next();
            v << "{\"id\":\"" << vmId << "\",\"name\":\"" << name
              << "\",\"type\":\"Microsoft.Compute/virtualMachines\",\"resourceGroup\":\"rg-gen\",";
            if (dataStore) {
                v << "\"tags\":{\"workload\":\"" << engines[pick(6)] << "\"},";
                ++stats.dataStores;
            }
            v << "\"networkProfile\":{\"networkInterfaces\":[{\"id\":\"" << nicId << "\"}]}}";
            ++stats.nics;
        }
        if (!nics.good() || !vms.good() || !pips.good()) {
            error = "cannot write files in " + folder;
            return false;
        }
    }
    return true;
}

} // namespace ew
