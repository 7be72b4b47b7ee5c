#pragma once

// The Terraform reader (internal to the importer): `terraform show -json` of a state or a plan, and
// a raw terraform.tfstate (version 4), recognised by their top-level keys. Each azurerm and aws
// resource is translated into the document the Azure or AWS reader reads (REST shapes, describe-*
// lists), which that reader then reads with its own semantics; every location it records is moved
// back to the Terraform file, at the resource's place in it and with its address
// ("module.net.aws_security_group.web[\"a\"]").

#include "formatreader.h"
#include "importer.h"

#include <memory>

namespace ew {

std::unique_ptr<FormatReader> makeTerraformReader(
    Snapshot& snapshot, FormatReader& aws, FormatReader& azure, const ImportOptions& options);

} // namespace ew
