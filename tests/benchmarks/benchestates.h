#pragma once
// The generated estates the benchmarks run on: $EW_BENCH_DIR/<tier> (default /tmp/ew-bench),
// generated on first use and reused (a ".complete" marker says the folder is whole).

#include "generator/estategenerator.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

namespace {

inline std::string estateFolder(const std::string& tier)
{
    const char* root = std::getenv("EW_BENCH_DIR");
    const std::string folder = std::string(root ? root : "/tmp/ew-bench") + "/" + tier;
    if (!std::filesystem::exists(folder + "/.complete")) {
        ew::EstateSpec spec;
        ew::EstateSpec::forTier(tier, spec);
        std::filesystem::remove_all(folder);
        ew::EstateStats stats;
        std::string error;
        if (!ew::generateEstate(spec, folder, stats, error)) {
            std::cerr << error << "\n";
            std::exit(2);
        }
        std::ofstream(folder + "/.complete") << stats.rules << "\n";
    }
    return folder;
}

} // namespace
