#pragma once

#include "findings/incremental.h"

#include <string>
#include <vector>

namespace ew {

/// One rule change that closes or narrows a finding, tried on the analysis, with its effects.
struct FixProposal
{
    std::string title; // "Deny Tcp 9200-9300 from Internet to 10.1.2.4 at priority 109 in nsg-es-cluster"
    WhatIfEdit edit;
    bool closesFinding = false; // the finding is gone afterwards
    std::string remaining; // when it is not: what is left of it ("high: tcp/5601 from 52.160.10.0/24")
    std::size_t remainingPorts = 0; // ports left exposed (0 when closed)
    std::vector<std::string> closes; // ids of every finding the change closes (the selected one included)
    std::vector<std::string> narrows; // ids of other findings it changes
    std::vector<std::string> opens; // ids of findings it opens
    /// Two-hop findings that come out from under what the change takes away: the exposure it
    /// removes stays reachable through a foothold (ids). Not "opened", and not closed either.
    std::vector<std::string> stillThrough;
    /// Traffic allowed today that the change would stop and that is not internet exposure (from
    /// private or VNet addresses): one sentence per affected machine.
    std::vector<std::string> breaks;
};

/// Proposes the smallest rule changes that close (or, failing that, narrow) a finding: a deny just
/// before each deciding allow rule for the exposed ports and sources, to this target only; the
/// deciding rule with its internet sources removed; the deciding rule deleted. Each is applied to
/// the analysis and undone, so the analysis is left as it was. Best first: closes the finding,
/// then breaks least, then changes least else. Empty when the finding is unknown or has no
/// deciding NSG rule that a change could address (a managed service's firewall, say).
std::vector<FixProposal> proposeFixes(IncrementalAnalysis& analysis, const std::string& findingId);

} // namespace ew
