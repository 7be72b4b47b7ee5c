#pragma once

#include "findings/finding.h"

namespace ew {

/// A finding's exposure as the clients see it, from what it reports: its ports from its sources,
/// per its exact breakdown when it has one; "0.0.0.0/0" and "::/0" stand for the public internet of
/// their family. An ICMP finding is narrowed to its types only when it has its packets.
PacketSet clientView(const Finding& finding);

/// clientView as the finding reports itself, whether or not it has its packets: how a finding
/// read back from findings JSON (which has none) is compared with one of an analysis.
PacketSet reportedView(const Finding& finding);

} // namespace ew
