#include "reachabilitygraph.h"

#include "findings/finding.h"
#include "model/snapshot.h"

#include <boost/graph/breadth_first_search.hpp>

#include <algorithm>

namespace ew {

ReachabilityGraph::Vertex ReachabilityGraph::vertexFor(const std::string& id, const PathStep& step, Kind kind)
{
    if (auto it = m_index.find(id); it != m_index.end()) {
        // A data store seen first as a path step keeps its stronger kind.
        if (kind == Kind::DataStore)
            m_g[it->second].kind = Kind::DataStore;
        return it->second;
    }
    const Vertex v = boost::add_vertex(Node { id, step.name, step.type, kind, step.kind }, m_g);
    m_index.emplace(id, v);
    return v;
}

ReachabilityGraph::Kind ReachabilityGraph::kindOfStep(const PathStep& step, bool dataStoreTarget)
{
    switch (step.kind) {
    case StepKind::Internet:
        return Kind::Internet;
    case StepKind::PublicAddress:
    case StepKind::InternetGateway:
    case StepKind::LoadBalancer:
    case StepKind::Gateway:
    case StepKind::Firewall:
    case StepKind::EdgeService:
    case StepKind::ServiceEndpoint:
        return Kind::Frontend; // what clients connect to, forwarding or translating to the machine
    case StepKind::Filter:
    case StepKind::ServiceFirewall:
        return Kind::Filter;
    case StepKind::Other:
    case StepKind::Machine:
    case StepKind::Interface:
    case StepKind::ManagedService:
        break;
    }
    return dataStoreTarget ? Kind::DataStore : Kind::Compute;
}

std::string ReachabilityGraph::typeLabel(StepKind kind, const std::string& type)
{
    switch (kind) {
    case StepKind::Internet:
        return "any internet address";
    case StepKind::PublicAddress:
        return "public IP";
    case StepKind::InternetGateway:
        return "internet gateway";
    case StepKind::LoadBalancer:
        return "load balancer";
    case StepKind::Gateway:
        // Terminates connections: an application gateway, or a load balancer that does the same.
        return type.find("LoadBalancer") != std::string::npos ? "load balancer (proxy)" : "application gateway";
    case StepKind::Firewall:
        return "Azure Firewall (DNAT)";
    case StepKind::EdgeService:
        return "edge (Front Door/CDN)";
    case StepKind::Filter:
        // The kind is a filter; what the cloud calls it is display text.
        return type == "AWS::EC2::NetworkAcl"   ? "network ACL"
            : type == "AWS::EC2::SecurityGroup" ? "security groups"
                                                : "NSG";
    case StepKind::ServiceFirewall:
        return "service firewall";
    case StepKind::ServiceEndpoint:
        return "public endpoint";
    case StepKind::Machine:
        return type == "AWS::EC2::Instance" ? "EC2 instance" : "virtual machine";
    case StepKind::Interface:
        return "network interface";
    case StepKind::Other:
    case StepKind::ManagedService:
        break;
    }
    const auto slash = type.find('/');
    return slash == std::string::npos ? type : type.substr(slash + 1);
}

ReachabilityGraph ReachabilityGraph::build(const std::vector<Finding>& findings)
{
    ReachabilityGraph rg;
    for (std::size_t i = 0; i < findings.size(); ++i) {
        const auto& f = findings[i];
        std::optional<Vertex> prev;
        for (std::size_t s = 0; s < f.path.size(); ++s) {
            const auto& step = f.path[s];
            const Kind kind = kindOfStep(step, s + 1 == f.path.size() && !f.dataStore.engine.empty());
            // A filter is drawn once per resource it guards (the next non-filter step), so that the
            // same NSG in front of two machines does not merge their paths.
            std::string key = step.id;
            if (kind == Kind::Filter) {
                std::size_t n = s + 1;
                while (n < f.path.size() && f.path[n].kind == StepKind::Filter)
                    ++n;
                key += "@" + (n < f.path.size() ? f.path[n].id : f.target.id);
            }
            const Vertex v = rg.vertexFor(key, step, kind);
            if (prev) {
                const std::uint64_t edgeKey = (std::uint64_t(*prev) << 32) | std::uint64_t(v);
                auto it = rg.m_edges.find(edgeKey);
                if (it == rg.m_edges.end())
                    it = rg.m_edges.emplace(edgeKey, boost::add_edge(*prev, v, Edge {}, rg.m_g).first).first;
                const auto e = it->second;
                auto& list = rg.m_g[e].findings;
                if (list.empty() || list.back() != i)
                    list.push_back(i);
            }
            prev = v;
        }
    }
    return rg;
}

std::optional<ReachabilityGraph::Vertex> ReachabilityGraph::find(const std::string& id) const
{
    auto it = m_index.find(id);
    if (it == m_index.end())
        return std::nullopt;
    return it->second;
}

std::vector<std::string> ReachabilityGraph::shortestPathFromInternet(const std::string& id) const
{
    auto src = find("internet");
    auto dst = find(id);
    if (!src || !dst)
        return {};
    std::vector<Vertex> pred(boost::num_vertices(m_g), boost::graph_traits<Graph>::null_vertex());
    boost::breadth_first_search(m_g, *src,
        boost::visitor(boost::make_bfs_visitor(boost::record_predecessors(pred.data(), boost::on_tree_edge {}))));
    std::vector<std::string> path;
    for (Vertex v = *dst; v != boost::graph_traits<Graph>::null_vertex(); v = pred[v]) {
        path.push_back(m_g[v].id);
        if (v == *src)
            break;
    }
    if (path.empty() || path.back() != "internet")
        return {};
    std::reverse(path.begin(), path.end());
    return path;
}

int ReachabilityGraph::hopsFromInternet(const std::string& id) const
{
    const auto path = shortestPathFromInternet(id);
    int hops = 0;
    for (const auto& step : path) {
        auto v = find(step);
        if (v && (m_g[*v].kind == Kind::Compute || m_g[*v].kind == Kind::DataStore))
            ++hops;
    }
    return hops;
}

} // namespace ew
