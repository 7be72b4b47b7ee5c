#include "reachabilitygraph.h"

#include "findings/finding.h"
#include "model/snapshot.h"

#include <boost/graph/breadth_first_search.hpp>

#include <algorithm>

namespace ew {

ReachabilityGraph::Vertex ReachabilityGraph::vertexFor(
    const std::string& id, const std::string& name, const std::string& type, Kind kind)
{
    if (auto it = m_index.find(id); it != m_index.end()) {
        // A data store seen first as a path step keeps its stronger kind.
        if (kind == Kind::DataStore)
            m_g[it->second].kind = Kind::DataStore;
        return it->second;
    }
    const Vertex v = boost::add_vertex(Node { id, name, type, kind }, m_g);
    m_index.emplace(id, v);
    return v;
}

ReachabilityGraph::Kind ReachabilityGraph::kindOfStep(const std::string& type, bool dataStoreTarget)
{
    const std::string t = toLower(type);
    if (type == "Internet")
        return Kind::Internet;
    if (t == "microsoft.network/publicipaddresses" || t == "microsoft.network/loadbalancers"
        || t == "microsoft.network/applicationgateways" || t == "microsoft.network/azurefirewalls")
        return Kind::Frontend; // what clients connect to, forwarding or translating to the machine
    if (t == "microsoft.network/networksecuritygroups" || t.ends_with("/firewall"))
        return Kind::Filter;
    return dataStoreTarget ? Kind::DataStore : Kind::Compute;
}

std::string ReachabilityGraph::typeLabel(const std::string& type)
{
    const std::string t = toLower(type);
    if (type == "Internet")
        return "any internet address";
    if (t.ends_with("/publicipaddresses"))
        return "public IP";
    if (t.ends_with("/loadbalancers"))
        return "load balancer";
    if (t.ends_with("/applicationgateways"))
        return "application gateway";
    if (t.ends_with("/azurefirewalls"))
        return "Azure Firewall (DNAT)";
    if (t.ends_with("/networksecuritygroups"))
        return "NSG";
    if (t.ends_with("/firewall"))
        return "service firewall";
    if (t.ends_with("/virtualmachines"))
        return "virtual machine";
    if (t.ends_with("/networkinterfaces"))
        return "network interface";
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
            const Kind kind = kindOfStep(step.type, s + 1 == f.path.size() && !f.dataStore.engine.empty());
            // A filter is drawn once per resource it guards (the next non-filter step), so that the
            // same NSG in front of two machines does not merge their paths.
            std::string key = step.id;
            if (kind == Kind::Filter) {
                std::size_t n = s + 1;
                while (n < f.path.size() && f.path[n].type == "Microsoft.Network/networkSecurityGroups")
                    ++n;
                key += "@" + (n < f.path.size() ? f.path[n].id : f.target.id);
            }
            const Vertex v = rg.vertexFor(key, step.name, step.type, kind);
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
