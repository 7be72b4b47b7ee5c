#pragma once

#include "findings/finding.h"

#include <boost/graph/adjacency_list.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace ew {

/// The exposure graph: internet, frontends, filters (NSGs), compute and data stores, with an edge
/// for every step of every finding's path. Built from findings; used for path queries and drawn by
/// the workbench.
class ReachabilityGraph
{
public:
    enum class Kind { Internet, Frontend, Filter, Compute, DataStore };
    struct Node
    {
        std::string id;
        std::string name;
        std::string type;
        Kind kind = Kind::Compute;
        StepKind step = StepKind::Other;
    };
    struct Edge
    {
        std::vector<std::size_t> findings; // indices into the findings the graph was built from
    };
    using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, Node, Edge>;
    using Vertex = Graph::vertex_descriptor;

    ReachabilityGraph() = default;
    /// The column of a path step by its kind; the last step of a finding whose target is a data
    /// store is a DataStore.
    static Kind kindOfStep(const PathStep& step, bool dataStoreTarget);
    /// A few words for a kind of step ("public IP", "load balancer", "NSG", "service firewall",
    /// "virtual machine", "network interface"), else the type as written without its provider.
    static std::string typeLabel(StepKind kind, const std::string& type);
    static ReachabilityGraph build(const std::vector<Finding>& findings);
    /// The graph of only these findings (indices into findings; edges keep those indices): the
    /// workbench's "selected paths only" view.
    static ReachabilityGraph build(const std::vector<Finding>& findings, const std::vector<std::size_t>& only);
    /// The graph node id of each step of the finding's path, in order: a step's id, except that a
    /// filter is keyed "<filter>@<the resource it guards>" (one node per guarded resource).
    static std::vector<std::string> nodeIdsOfPath(const Finding& finding);
    /// A label for each step of the finding's path (element i is the edge from step i to i + 1),
    /// as BloodHound labels edges: what crosses it ("TCP 443") where that changes (the first step,
    /// after a frontend translates ports, at the second hop) and, out of a filter or a forwarding
    /// frontend, the rules that let it through ("allow-https (100)"). Ports are left out where the
    /// finding does not know them (the first hop of a two-hop path); "" for nothing to say.
    static std::vector<std::string> edgeLabels(const Finding& finding);

    const Graph& graph() const { return m_g; }
    std::size_t nodeCount() const { return boost::num_vertices(m_g); }
    std::size_t edgeCount() const { return boost::num_edges(m_g); }
    std::optional<Vertex> find(const std::string& id) const;
    /// Shortest path (fewest steps) from the internet to the node with this id, as node ids.
    std::vector<std::string> shortestPathFromInternet(const std::string& id) const;
    /// Number of compute/data-store nodes crossed on the shortest path (1 = direct).
    int hopsFromInternet(const std::string& id) const;

private:
    Vertex vertexFor(const std::string& id, const PathStep& step, Kind kind);
    void addFinding(const Finding& f, std::size_t index);
    Graph m_g;
    std::unordered_map<std::string, Vertex> m_index;
    std::unordered_map<std::uint64_t, Graph::edge_descriptor>
        m_edges; // (from, to) -> edge: boost::edge() scans out-edges
};

} // namespace ew
