#include "reachabilitygraph.h"

#include "findings/finding.h"
#include "findings/rulegroups.h"
#include "model/snapshot.h"

#include <boost/graph/breadth_first_search.hpp>
#include <boost/property_map/property_map.hpp>

#include <algorithm>
#include <cctype>

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

std::vector<std::string> ReachabilityGraph::nodeIdsOfPath(const Finding& f)
{
    std::vector<std::string> ids;
    ids.reserve(f.path.size());
    for (std::size_t s = 0; s < f.path.size(); ++s) {
        const auto& step = f.path[s];
        std::string key = step.id;
        // A filter is drawn once per resource it guards (the next non-filter step), so that the
        // same NSG in front of two machines does not merge their paths.
        if (kindOfStep(step, false) == Kind::Filter) {
            std::size_t n = s + 1;
            while (n < f.path.size() && f.path[n].kind == StepKind::Filter)
                ++n;
            key += "@" + (n < f.path.size() ? f.path[n].id : f.target.id);
        }
        ids.push_back(std::move(key));
    }
    return ids;
}

void ReachabilityGraph::addFinding(const Finding& f, std::size_t i)
{
    const auto ids = nodeIdsOfPath(f);
    std::optional<Vertex> prev;
    for (std::size_t s = 0; s < f.path.size(); ++s) {
        const Kind kind = kindOfStep(f.path[s], s + 1 == f.path.size() && !f.dataStore.engine.empty());
        const Vertex v = vertexFor(ids[s], f.path[s], kind);
        if (prev) {
            const std::uint64_t edgeKey = (std::uint64_t(*prev) << 32) | std::uint64_t(v);
            auto it = m_edges.find(edgeKey);
            if (it == m_edges.end())
                it = m_edges.emplace(edgeKey, boost::add_edge(*prev, v, Edge {}, m_g).first).first;
            auto& list = m_g[it->second].findings;
            if (list.empty() || list.back() != i)
                list.push_back(i);
        }
        prev = v;
    }
}

namespace {

std::string upper(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

} // namespace

std::vector<std::string> ReachabilityGraph::edgeLabels(const Finding& f)
{
    if (f.path.size() < 2)
        return {};
    // The step where the second hop starts: the foothold (two-hop findings only).
    std::size_t footholdStep = f.path.size();
    if (f.hops == 2)
        for (std::size_t s = 0; s < f.path.size(); ++s)
            if (!f.foothold.id.empty() && normaliseId(f.path[s].id) == normaliseId(f.foothold.id))
                footholdStep = s;
    const std::string proto = f.protocol == "any" ? std::string("any protocol") : upper(f.protocol);
    const std::string atTarget = portsOrTypes(f);
    // A frontend that does not translate (a machine's public IP) lists every port it accepts: the
    // client ports are then the target's. One that translates (a load balancer rule 443 -> 8443)
    // lists the client ports that lead to the target's.
    auto covers = [](const std::vector<PortRange>& outer, const PortRange& r) {
        return std::any_of(
            outer.begin(), outer.end(), [&](const PortRange& o) { return o.first <= r.first && r.last <= o.last; });
    };
    const bool translated = !f.frontendPorts.empty() && f.protocol != "icmp"
        && !std::all_of(f.ports.begin(), f.ports.end(), [&](const PortRange& r) { return covers(f.frontendPorts, r); });
    const std::string atFrontend = translated ? formatPortRanges(f.frontendPorts) : atTarget;
    auto isFrontend = [](StepKind k) { return kindOfStep(PathStep { {}, {}, {}, k }, false) == Kind::Frontend; };
    // Each allowing rule is credited to the step of its filter; the rules of filters that are not
    // a step by themselves (the security groups of an AWS interface, drawn as one step) go to the
    // first filter step of their hop that has none of its own.
    std::vector<std::vector<const RuleEvidence*>> rulesAt(f.path.size());
    std::vector<const RuleEvidence*> unplaced;
    // The steps of a rule's hop: the first ends at the foothold, the second starts there.
    auto stepsOf = [&](const RuleEvidence& r) {
        return r.hop == 2 ? std::pair(footholdStep, f.path.size())
                          : std::pair(std::size_t(0), std::min(footholdStep + 1, f.path.size()));
    };
    for (const auto& r : f.rules) {
        if (!r.allow)
            continue;
        const auto [from, to] = stepsOf(r);
        const std::string filter = normaliseId(r.filterId);
        bool placed = false;
        for (std::size_t s = from; s < to && !placed; ++s)
            if (normaliseId(f.path[s].id) == filter) {
                rulesAt[s].push_back(&r);
                placed = true;
            }
        if (!placed)
            unplaced.push_back(&r);
    }
    std::vector<bool> ownRules(f.path.size());
    for (std::size_t s = 0; s < f.path.size(); ++s)
        ownRules[s] = !rulesAt[s].empty();
    for (const RuleEvidence* r : unplaced) {
        const auto [from, to] = stepsOf(*r);
        for (std::size_t s = from; s < to; ++s)
            if (kindOfStep(f.path[s], false) == Kind::Filter && !ownRules[s]) {
                rulesAt[s].push_back(r);
                break;
            }
    }
    std::vector<std::string> labels;
    labels.reserve(f.path.size() - 1);
    std::string said; // the packets named on an earlier edge: said again only when they change
    for (std::size_t s = 0; s + 1 < f.path.size(); ++s) {
        std::string label;
        const bool firstHopOfTwo = f.hops == 2 && s < footholdStep;
        if (!firstHopOfTwo) {
            // Clients address the frontend's ports until a frontend has translated them.
            const bool beforeTranslation = f.hops != 2 && (s == 0 || isFrontend(f.path[s + 1].kind));
            const std::string& ports = beforeTranslation ? atFrontend : atTarget;
            std::string packets = ports.empty() ? proto : proto + " " + ports;
            if (packets != said)
                label = said = std::move(packets);
        }
        if (!rulesAt[s].empty()) {
            const RuleEvidence& r = *rulesAt[s].front();
            std::string rule = ruleShortName(r.level, r.ruleName, r.ruleId, r.priority);
            if (rulesAt[s].size() > 1)
                rule += " +" + std::to_string(rulesAt[s].size() - 1);
            label += (label.empty() ? "" : " · ") + rule;
        }
        labels.push_back(std::move(label));
    }
    return labels;
}

ReachabilityGraph ReachabilityGraph::build(const std::vector<Finding>& findings)
{
    ReachabilityGraph rg;
    for (std::size_t i = 0; i < findings.size(); ++i)
        rg.addFinding(findings[i], i);
    return rg;
}

ReachabilityGraph ReachabilityGraph::build(const std::vector<Finding>& findings, const std::vector<std::size_t>& only)
{
    std::vector<std::size_t> sorted = only; // edges list their findings in ascending order
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    ReachabilityGraph rg;
    for (const std::size_t i : sorted)
        if (i < findings.size())
            rg.addFinding(findings[i], i);
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
    // Our own colour map: the default one is a shared array the static analyzer cannot follow.
    std::vector<boost::default_color_type> colours(boost::num_vertices(m_g));
    boost::breadth_first_search(m_g, *src,
        boost::visitor(boost::make_bfs_visitor(boost::record_predecessors(pred.data(), boost::on_tree_edge {})))
            .color_map(boost::make_iterator_property_map(colours.begin(), boost::get(boost::vertex_index, m_g))));
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
