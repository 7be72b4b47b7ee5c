#pragma once

// The AWS reader (internal to the importer): `aws ec2 describe-*` documents, recognised by their
// top-level key, whatever the collector's folder layout.

#include "formatreader.h"

#include <memory>

namespace ew {

std::unique_ptr<FormatReader> makeAwsReader(Snapshot& snapshot);

} // namespace ew
