#pragma once

#include "datastores.h"
#include "finding.h"
#include "graph/reachabilitygraph.h"
#include "model/snapshot.h"

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ew {

struct AnalysisOptions
{
    const DataStoreCatalogue* catalogue = &DataStoreCatalogue::builtin();
    /// Analyst decisions: normalised resource id -> engine ("" marks "not a data store").
    std::map<std::string, std::string> analystDataStores;
    bool twoHop = true;
    /// Threads analyze() may use: 0 for one per core, 1 for the calling thread only. The findings
    /// are the same whatever the number (tst_analyzer compares them). IncrementalAnalysis builds on
    /// one thread.
    unsigned threads = 0;
    /// Called from the calling thread with (done, total); may skip steps.
    std::function<void(std::size_t, std::size_t)> progress;
    const std::atomic<bool>* cancel = nullptr;
};

struct AnalysisStats
{
    std::size_t ipConfigurations = 0;
    std::size_t policyGroups = 0; // distinct (NSG, context) evaluations
    std::size_t frontends = 0;
    std::size_t footholds = 0;
};

struct AnalysisResult
{
    std::vector<Finding> findings; // most severe first
    std::vector<std::string> assumptions; // estate-wide, de-duplicated
    ReachabilityGraph graph;
    AnalysisStats stats;
    bool cancelled = false;
    /// Non-empty when the analysis could not finish (memory ran out): a sentence for the analyst;
    /// the result then holds no findings.
    std::string error;
};

/// Computes every internet exposure of the snapshot. Pure function of its inputs; never throws:
/// running out of memory gives an empty result with `error` set.
AnalysisResult analyze(const Snapshot& snapshot, const AnalysisOptions& options = {});

/// Whether two findings say the same: every field an analyst sees, and the exact packets.
bool sameFinding(const Finding& a, const Finding& b);

/// One flow's verdict ("exposure-audit query").
struct FlowQuery
{
    std::string target; // VM or NIC name or id
    Protocol protocol = Protocol::Tcp;
    std::uint32_t port = 0; // destination port at the target
    bool fromInternet = true; // any internet address
    std::string source; // an address when !fromInternet
};

struct HopVerdict
{
    PathStep step;
    bool passes = false;
    std::string detail; // what decided, in words
    std::vector<RuleEvidence> rules; // deciding rule(s); several when sources split
};

struct PathVerdict
{
    std::vector<HopVerdict> hops;
    bool reachable = false;
    std::string frontendAddress;
    std::vector<PortRange> frontendPorts;
    std::vector<std::string> sources; // sources that get through
    std::string summary;
};

struct QueryResult
{
    std::string error; // non-empty: the query could not be answered (unknown or ambiguous target)
    PathStep target;
    std::vector<PathVerdict> paths;
    bool reachable = false;
    std::vector<std::string> assumptions;
};

QueryResult queryFlow(const Snapshot& snapshot, const FlowQuery& query);

/// The protocols a finding's "protocol" names ("tcp", "udp", "icmp", "other"; "any": all).
ProtocolMask protocolMaskOfName(std::string_view protocol);

/// Whether a two-hop finding adds no exposure to the other findings of its target among `findings`:
/// every (protocol, port) it names, from every internet source it names, is exposed by them too
/// (directly, or through another foothold). Two-hop findings cover only what a foothold adds, so
/// such a finding comes and goes as the others narrow or widen: diffs, baselines and fixes do not
/// count it as new or closed. False for direct findings.
bool coveredByOthers(const Finding& twoHop, const std::vector<const Finding*>& findings);

/// A stable finding id from its identifying parts.
std::string stableId(std::initializer_list<std::string_view> parts);

} // namespace ew
