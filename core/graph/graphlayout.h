#pragma once

#include "reachabilitygraph.h"

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace ew {

struct Snapshot;

/// Where graph nodes live in the estate: the subnet of each compute node and NSG, the VNet of
/// each subnet. Built once per snapshot; plain data, safe to copy to a worker thread.
struct GraphGrouping
{
    struct SubnetInfo
    {
        std::string name;
        std::string vnetId;
    };
    std::unordered_map<std::string, std::string> subnetOf; // normalised node id -> subnet id
    std::map<std::string, SubnetInfo> subnets; // subnet id -> info
    std::map<std::string, std::string> vnetNames; // vnet id -> name
    static GraphGrouping fromSnapshot(const Snapshot& snapshot);
    /// The groups a graph node is drawn in when they are open: its VNet (when known) and subnet,
    /// or "other" for a node outside known subnets. A filter node ("<filter>@<guarded>") lives
    /// in the groups of the resource it guards; the internet and frontends are in none.
    std::vector<std::string> groupsOf(const ReachabilityGraph::Node& node) const;
};

/// A deterministic layered layout: columns internet, frontends, filters, compute, data stores left
/// to right; VNets and subnets are horizontal bands that contain their filters, compute and data
/// stores. A collapsed group shows one aggregate node per column. Coordinates are in scene units.
struct GraphLayout
{
    enum Column { InternetColumn = 0, FrontendColumn, FilterColumn, ComputeColumn, DataStoreColumn, ColumnCount };
    struct Group
    {
        std::string id; // subnet or VNet id; "other" for nodes with no known subnet
        std::string name;
        std::string kind; // "vnet", "subnet", "other"
        std::string parent; // VNet of a subnet
        double x = 0, y = 0, width = 0, height = 0;
        bool collapsed = false;
        std::size_t members = 0; // graph nodes inside
    };
    struct Node
    {
        std::string id; // graph node id, or "group:<group>:<column>" for an aggregate
        std::string name;
        std::string type;
        ReachabilityGraph::Kind kind = ReachabilityGraph::Kind::Compute;
        StepKind step = StepKind::Other;
        std::string group; // innermost visible group ("" for internet and frontends)
        int column = 0;
        std::vector<std::string> members; // graph node ids an aggregate stands for (just id otherwise)
        double x = 0, y = 0; // top-left
        bool aggregate() const { return members.size() != 1 || members.front() != id; }
    };
    struct Edge
    {
        std::size_t from = 0, to = 0; // indices into nodes
        std::vector<std::size_t> findings; // finding indices the edge carries
    };
    static constexpr double kNodeWidth = 180;
    static constexpr double kNodeHeight = 40;
    static constexpr double kColumnSpacing = 245;
    static constexpr double kRowHeight = 52;

    std::vector<Group> groups; // VNets before their subnets
    std::vector<Node> nodes;
    std::vector<Edge> edges;
    std::unordered_map<std::string, std::size_t> nodeOf; // graph node id -> visible node index
    double width = 0, height = 0;
};

struct LayoutOptions
{
    /// Groups (VNet or subnet ids) whose state differs from the default.
    std::map<std::string, bool> expanded;
    /// The default state of groups; callers collapse by default on large graphs.
    bool expandByDefault = true;
    /// The previous layout: nodes that are still present keep their slot in their band, and
    /// nodes that are gone leave their slot empty, so positions stay stable across edits.
    const GraphLayout* previous = nullptr;
};

/// Lays out the graph. Pure function; cost linear in nodes and edges (after sorting).
GraphLayout layoutGraph(
    const ReachabilityGraph& graph, const GraphGrouping& grouping, const LayoutOptions& options = {});

} // namespace ew
