#pragma once

#include <cstdint>
#include <string>

namespace ew {

/// Size of a generated estate (PERFORMANCE.md tiers).
struct EstateSpec
{
    std::string tier = "S";
    int nics = 200;
    int rulesPerNsg = 250;
    int nicsPerSubnet = 50;
    double nicNsgShare = 0.2; // NICs with their own NSG (drawn from a shared pool)
    double publicIpShare = 0.3; // NICs with a public IP
    double dataStoreShare = 0.1;
    int loadBalancers = 1;
    std::uint32_t seed = 1;
    int resourcesPerFile = 2000; // keeps files (and peak parse memory) bounded

    /// "S", "M", "L" or "XL"; false when unknown.
    static bool forTier(const std::string& tier, EstateSpec& out);
};

struct EstateStats
{
    int nics = 0;
    int nsgs = 0;
    int rules = 0;
    int dataStores = 0;
    int publicIps = 0;
    std::uint64_t bytes = 0;
    int files = 0;
};

/// Writes a random but valid Azure estate (az CLI flattened lists for NSGs, NICs and VMs; REST
/// {"value": [...]} lists for VNets and public IPs) into folder, deterministic for a seed.
/// Returns false with a message when the folder cannot be written.
bool generateEstate(const EstateSpec& spec, const std::string& folder, EstateStats& stats, std::string& error);

} // namespace ew
