// ew-generate-estate TIER FOLDER [SEED]: writes a seeded Azure estate of PERFORMANCE.md's tier.
#include "generator/estategenerator.h"

#include <cstdlib>
#include <iostream>

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::cerr << "usage: ew-generate-estate S|M|L|XL FOLDER [SEED]\n";
        return 2;
    }
    ew::EstateSpec spec;
    if (!ew::EstateSpec::forTier(argv[1], spec)) {
        std::cerr << "unknown tier " << argv[1] << " (S, M, L or XL)\n";
        return 2;
    }
    if (argc > 3)
        spec.seed = static_cast<std::uint32_t>(std::strtoul(argv[3], nullptr, 10));
    ew::EstateStats stats;
    std::string error;
    if (!ew::generateEstate(spec, argv[2], stats, error)) {
        std::cerr << error << "\n";
        return 2;
    }
    std::cout << "tier " << spec.tier << ": " << stats.nics << " NICs, " << stats.nsgs << " NSGs, " << stats.rules
              << " rules, " << stats.dataStores << " data stores, " << stats.publicIps << " public IPs, " << stats.files
              << " files, " << (stats.bytes >> 20) << " MiB\n";
    return 0;
}
