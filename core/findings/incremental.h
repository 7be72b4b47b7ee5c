#pragma once

#include "analyzer.h"
#include "whatif/whatif.h"

#include <memory>
#include <string>
#include <vector>

namespace ew {

/// What one edit changed in the findings, by stable finding id.
struct FindingsDelta
{
    std::vector<std::string> opened;
    std::vector<std::string> closed;
    std::vector<std::string> changed;
    bool empty() const { return opened.empty() && closed.empty() && changed.empty(); }
};

/// An analysis that follows what-if edits without starting over (PERFORMANCE.md: re-analysis
/// after one rule edit). It owns its copy of the snapshot; an edit re-evaluates only the IP
/// configurations behind the NSGs, subnets, NICs or public IPs it touched, and only the two-hop
/// paths whose footholds or data stores those are. After any sequence of edits, result() equals
/// analyze() of the edited snapshot (tested on random edit sequences).
class IncrementalAnalysis
{
public:
    IncrementalAnalysis(Snapshot snapshot, AnalysisOptions options = {});
    ~IncrementalAnalysis();
    IncrementalAnalysis(const IncrementalAnalysis&) = delete;
    IncrementalAnalysis& operator=(const IncrementalAnalysis&) = delete;

    /// Applies an edit. On success fills `inverse` (apply it to undo) and `delta`; on failure the
    /// analysis and snapshot are unchanged and `error` says why.
    bool apply(const WhatIfEdit& edit, WhatIfEdit& inverse, FindingsDelta& delta, std::string& error);

    const Snapshot& snapshot() const;
    /// The current findings, most severe first (as analyze() orders them), without the graph.
    std::vector<Finding> findings() const;
    /// The whole current result, as analyze() returns it.
    AnalysisResult result() const;
    /// One current finding by id (nullptr when there is none); valid until the next apply().
    const Finding* find(const std::string& id) const;
    /// What both NSG levels let through to an IP configuration from any source, the internet and
    /// the virtual network (with peers) as seen from its VNet, and its target's name; false when
    /// the id is unknown.
    bool policyAt(const std::string& ipcId, std::shared_ptr<const PacketSet>& allowed, AddressSet& internet,
        std::string& targetName, AddressSet* virtualNetwork = nullptr) const;
    /// IP configurations re-evaluated by the last apply() (for measurements and tests).
    std::size_t lastReevaluated() const;

private:
    struct State;
    std::unique_ptr<State> d;
};

} // namespace ew
