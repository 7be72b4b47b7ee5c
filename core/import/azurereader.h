#pragma once

// The Azure reader and linker (internal to the importer).

#include "formatreader.h"
#include "importer.h"

#include <memory>
#include <string>
#include <vector>

namespace ew {

/// Reads every Azure shape; registered last, it takes what no other reader recognised.
std::unique_ptr<FormatReader> makeAzureReader(Snapshot& snapshot);

/// An NSG that an effective-rules export names for a NIC or subnet, linked once every file is read.
struct EffectiveLink
{
    std::string nsgId, nicId, subnetId;
};

/// Links what the Azure reader read across files: firewall policies and IP groups into firewalls,
/// effective-rules NSGs to their NICs and subnets, dangling references (an NSG, a subnet, a public
/// IP not in the export) stated and resolved towards reachability, duplicate rules merged.
void linkAzure(Snapshot& snapshot, const std::vector<EffectiveLink>& effective);

} // namespace ew
