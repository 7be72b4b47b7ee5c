#include "graphlayout.h"

#include "model/snapshot.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace ew {

namespace {

constexpr double kColumnSpacing = GraphLayout::kColumnSpacing;
constexpr double kRowHeight = GraphLayout::kRowHeight;
constexpr double kVnetHeader = 30;
constexpr double kSubnetHeader = 26;
constexpr double kBandGap = 14;
constexpr double kGroupPad = 14;
constexpr std::size_t kMaxLooseFrontends = 60;
constexpr const char* kSharedFrontends = "frontends";

double columnX(int column)
{
    return column * kColumnSpacing;
}

int columnOf(ReachabilityGraph::Kind kind)
{
    switch (kind) {
    case ReachabilityGraph::Kind::Internet:
        return GraphLayout::InternetColumn;
    case ReachabilityGraph::Kind::Frontend:
        return GraphLayout::FrontendColumn;
    case ReachabilityGraph::Kind::Filter:
        return GraphLayout::FilterColumn;
    case ReachabilityGraph::Kind::Compute:
        return GraphLayout::ComputeColumn;
    case ReachabilityGraph::Kind::DataStore:
        return GraphLayout::DataStoreColumn;
    }
    return GraphLayout::ComputeColumn;
}

const char* aggregateNoun(int column, std::size_t n)
{
    switch (column) {
    case GraphLayout::FrontendColumn:
        return n == 1 ? "frontend" : "frontends";
    case GraphLayout::FilterColumn:
        return n == 1 ? "NSG / filter" : "NSGs / filters";
    case GraphLayout::ComputeColumn:
        return n == 1 ? "compute resource" : "compute resources";
    default:
        return n == 1 ? "data store" : "data stores";
    }
}

} // namespace

GraphGrouping GraphGrouping::fromSnapshot(const Snapshot& snap)
{
    GraphGrouping g;
    for (const auto& [id, vnet] : snap.vnets)
        g.vnetNames[id] = vnet.name;
    for (const auto& [id, subnet] : snap.subnets) {
        g.subnets[id] = { subnet.name, subnet.vnetId };
        if (!g.vnetNames.count(subnet.vnetId))
            g.vnetNames[subnet.vnetId] = lastSegment(subnet.vnetId);
    }
    // NSGs live in the first subnet (by id) they are associated with, else their first NIC's.
    for (const auto& [id, subnet] : g.subnets) {
        auto it = snap.subnets.find(id);
        if (it != snap.subnets.end() && !it->second.nsgId.empty())
            g.subnetOf.try_emplace(it->second.nsgId, id);
    }
    std::vector<const NetworkInterface*> nics;
    nics.reserve(snap.nics.size());
    for (const auto& [id, nic] : snap.nics)
        nics.push_back(&nic);
    std::sort(nics.begin(), nics.end(), [](auto* a, auto* b) { return a->id < b->id; });
    for (const auto* nic : nics) {
        std::string subnet;
        for (const auto& ipc : nic->ipConfigurations)
            if (!ipc.subnetId.empty() && (subnet.empty() || ipc.primary))
                subnet = ipc.subnetId;
        if (subnet.empty())
            continue;
        g.subnetOf.try_emplace(nic->id, subnet);
        if (!nic->vmId.empty())
            g.subnetOf.try_emplace(nic->vmId, subnet);
        if (!nic->nsgId.empty())
            g.subnetOf.try_emplace(nic->nsgId, subnet);
    }
    return g;
}

std::vector<std::string> GraphGrouping::groupsOf(const ReachabilityGraph::Node& node) const
{
    const int column = columnOf(node.kind);
    if (column < GraphLayout::FilterColumn)
        return {};
    std::string guarded = node.id;
    if (column == GraphLayout::FilterColumn)
        if (auto at = guarded.find('@'); at != std::string::npos)
            guarded = guarded.substr(at + 1);
    auto it = subnetOf.find(normaliseId(guarded));
    if (it == subnetOf.end())
        return { "other" };
    auto s = subnets.find(it->second);
    if (s == subnets.end() || s->second.vnetId.empty())
        return { it->second };
    return { s->second.vnetId, it->second };
}

GraphLayout layoutGraph(const ReachabilityGraph& graph, const GraphGrouping& grouping, const LayoutOptions& options)
{
    GraphLayout out;
    const auto& g = graph.graph();
    const std::size_t n = boost::num_vertices(g);
    auto isExpanded = [&](const std::string& group) {
        auto it = options.expanded.find(group);
        return it == options.expanded.end() ? options.expandByDefault : it->second;
    };

    // 1. Each vertex's column and visible group. A filter node is keyed "<filter>@<guarded>"
    // (one node per guarded resource) and lives in the band of the resource it guards.
    struct Placement
    {
        int column = 0;
        std::string subnet; // "" when unknown
        std::string vnet;
        std::string band; // visible group id ("" outside bands)
        std::string guarded; // graph id of the resource this node's row belongs to
        bool aggregated = false;
    };
    std::vector<Placement> place(n);
    std::map<std::string, std::size_t> members; // group id -> graph nodes inside
    for (std::size_t v = 0; v < n; ++v) {
        const auto& node = g[v];
        auto& p = place[v];
        p.column = columnOf(node.kind);
        if (p.column < GraphLayout::FilterColumn)
            continue;
        p.guarded = node.id;
        if (p.column == GraphLayout::FilterColumn)
            if (auto at = node.id.find('@'); at != std::string::npos)
                p.guarded = node.id.substr(at + 1);
        auto groups = grouping.groupsOf(node);
        if (groups.back() != "other") {
            p.subnet = std::move(groups.back());
            if (groups.size() == 2)
                p.vnet = std::move(groups.front());
        }
        if (p.subnet.empty()) {
            p.band = "other";
            p.aggregated = !isExpanded("other");
        } else if (!p.vnet.empty() && !isExpanded(p.vnet)) {
            p.band = p.vnet;
            p.aggregated = true;
        } else {
            p.band = p.subnet;
            p.aggregated = !isExpanded(p.subnet);
        }
        ++members[p.subnet.empty() ? std::string("other") : p.subnet];
        if (!p.vnet.empty())
            ++members[p.vnet];
    }

    // 2. Bands in a stable order: VNets by name, their subnets by name, then "other".
    std::vector<std::pair<std::string, std::string>> vnets; // (name, id)
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> subnetsOf;
    for (const auto& [group, count] : members) {
        (void)count;
        if (group == "other")
            continue;
        if (grouping.vnetNames.count(group)) {
            vnets.emplace_back(grouping.vnetNames.at(group), group);
        } else if (auto s = grouping.subnets.find(group); s != grouping.subnets.end()) {
            subnetsOf[s->second.vnetId].emplace_back(s->second.name, group);
            if (!members.count(s->second.vnetId) && !s->second.vnetId.empty())
                vnets.emplace_back(lastSegment(s->second.vnetId), s->second.vnetId);
        }
    }
    std::sort(vnets.begin(), vnets.end());
    vnets.erase(std::unique(vnets.begin(), vnets.end()), vnets.end());

    // 3. Rows per band: one row per guarded resource (its filters beside it, stacked when there
    // are several), sorted by name; the previous layout's resources keep an empty row.
    struct Row
    {
        std::string name;
        std::string resource; // graph id
        std::vector<std::size_t> nodes; // vertices in this row (filters and the resource)
    };
    std::map<std::string, std::map<std::string, Row>> rows; // band -> resource id -> row
    std::map<std::string, std::map<int, std::vector<std::size_t>>> aggregates; // band -> column -> vertices
    std::vector<std::size_t> frontends;
    std::size_t internet = n;
    for (std::size_t v = 0; v < n; ++v) {
        const auto& p = place[v];
        if (p.column == GraphLayout::InternetColumn) {
            internet = v;
        } else if (p.column == GraphLayout::FrontendColumn) {
            frontends.push_back(v);
        } else if (p.aggregated) {
            aggregates[p.band][p.column].push_back(v);
        } else {
            Row& row = rows[p.band][p.guarded];
            row.resource = p.guarded;
            if (p.column != GraphLayout::FilterColumn || row.name.empty())
                row.name = p.column == GraphLayout::FilterColumn ? std::string() : g[v].name;
            row.nodes.push_back(v);
        }
    }
    // A frontend that only leads into one collapsed band (directly, or through another frontend
    // such as a public IP in front of a load balancer) joins that band's aggregate, so a large
    // estate does not draw thousands of public IPs in a column.
    for (bool changed = true; changed;) {
        changed = false;
        for (auto v : frontends) {
            auto& p = place[v];
            if (p.aggregated)
                continue;
            std::string band;
            bool single = true, collapsed = true;
            for (auto [e, end] = boost::out_edges(v, g); e != end && single && collapsed; ++e) {
                const auto& t = place[boost::target(*e, g)];
                single = !t.band.empty() && (band.empty() || band == t.band);
                band = t.band;
                collapsed = t.aggregated;
            }
            if (single && collapsed && !band.empty()) {
                p.band = band;
                p.aggregated = true;
                aggregates[band][GraphLayout::FrontendColumn].push_back(v);
                changed = true;
            }
        }
    }
    std::erase_if(frontends, [&](std::size_t v) { return place[v].aggregated; });
    for (auto& [band, list] : rows)
        for (auto& [id, row] : list)
            if (row.name.empty()) // guarded resource not drawn itself: name the row after it
                row.name = graph.find(id) ? g[*graph.find(id)].name : lastSegment(id);
    if (options.previous)
        for (const auto& pn : options.previous->nodes)
            if (pn.column > GraphLayout::FilterColumn && !pn.aggregate() && rows.count(pn.group)
                && !rows[pn.group].count(pn.id))
                rows[pn.group][pn.id] = Row { pn.name, pn.id, {} }; // a ghost keeps its row

    auto addNode = [&](GraphLayout::Node node) {
        const std::size_t index = out.nodes.size();
        for (const auto& m : node.members)
            out.nodeOf[m] = index;
        out.nodes.push_back(std::move(node));
        return index;
    };
    auto vertexNode = [&](std::size_t v, int column, const std::string& band, double x, double y) {
        GraphLayout::Node node;
        node.id = g[v].id;
        node.name = g[v].name;
        node.type = g[v].type;
        node.kind = g[v].kind;
        node.step = g[v].step;
        node.column = column;
        node.group = band;
        node.x = x;
        node.y = y;
        node.members = { node.id };
        addNode(std::move(node));
    };

    // 4. Bands top to bottom.
    double y = 0;
    auto layBand = [&](const std::string& bandId, double top) -> double {
        double cursor = top;
        if (auto agg = aggregates.find(bandId); agg != aggregates.end()) {
            for (const auto& [c, vertices] : agg->second) {
                GraphLayout::Node node;
                node.id = "group:" + bandId + ":" + std::to_string(c);
                node.kind = c == GraphLayout::FrontendColumn ? ReachabilityGraph::Kind::Frontend
                    : c == GraphLayout::FilterColumn         ? ReachabilityGraph::Kind::Filter
                    : c == GraphLayout::ComputeColumn        ? ReachabilityGraph::Kind::Compute
                                                             : ReachabilityGraph::Kind::DataStore;
                node.type = "group";
                node.name = std::to_string(vertices.size()) + " " + aggregateNoun(c, vertices.size());
                node.column = c;
                node.group = bandId;
                node.x = columnX(c);
                node.y = top;
                for (auto v : vertices)
                    node.members.push_back(g[v].id);
                addNode(std::move(node));
            }
            cursor = top + kRowHeight;
        }
        if (auto it = rows.find(bandId); it != rows.end()) {
            std::vector<const Row*> ordered;
            for (const auto& [id, row] : it->second)
                ordered.push_back(&row);
            std::sort(ordered.begin(), ordered.end(), [](const Row* a, const Row* b) {
                return std::tie(a->name, a->resource) < std::tie(b->name, b->resource);
            });
            for (const Row* row : ordered) {
                std::size_t filters = 0;
                for (auto v : row->nodes) {
                    const int c = place[v].column;
                    if (c == GraphLayout::FilterColumn)
                        vertexNode(v, c, bandId, columnX(c), cursor + kRowHeight * static_cast<double>(filters++));
                    else
                        vertexNode(v, c, bandId, columnX(c), cursor);
                }
                cursor += kRowHeight * static_cast<double>(std::max<std::size_t>(filters, 1));
            }
        }
        return std::max(cursor, top + kRowHeight);
    };
    const double left = columnX(GraphLayout::FilterColumn);
    const double right = columnX(GraphLayout::DataStoreColumn) + GraphLayout::kNodeWidth;
    for (const auto& [vnetName, vnetId] : vnets) {
        GraphLayout::Group vg;
        vg.id = vnetId;
        vg.name = vnetName;
        vg.kind = "vnet";
        vg.collapsed = !isExpanded(vnetId);
        vg.members = members.count(vnetId) ? members[vnetId] : 0;
        vg.x = left - 2 * kGroupPad;
        vg.y = y;
        vg.width = right - left + 4 * kGroupPad;
        const std::size_t vgIndex = out.groups.size();
        out.groups.push_back(vg);
        double inner = y + kVnetHeader;
        if (vg.collapsed) {
            inner = layBand(vnetId, inner);
        } else {
            auto subs = subnetsOf[vnetId];
            std::sort(subs.begin(), subs.end());
            for (const auto& [subName, subId] : subs) {
                GraphLayout::Group sg;
                sg.id = subId;
                sg.name = subName;
                sg.kind = "subnet";
                sg.parent = vnetId;
                sg.collapsed = !isExpanded(subId);
                sg.members = members[subId];
                sg.x = left - kGroupPad;
                sg.y = inner;
                sg.width = right - left + 2 * kGroupPad;
                const double bottom = layBand(subId, inner + kSubnetHeader);
                sg.height = bottom - inner + kBandGap / 2;
                out.groups.push_back(sg);
                inner = bottom + kBandGap;
            }
        }
        out.groups[vgIndex].height = inner - y + kBandGap / 2;
        y = inner + kBandGap * 2;
    }
    if (members.count("other")) {
        GraphLayout::Group og;
        og.id = "other";
        og.name = "Managed services and resources outside known subnets";
        og.kind = "other";
        og.collapsed = !isExpanded("other");
        og.members = members["other"];
        og.x = left - kGroupPad;
        og.y = y;
        og.width = right - left + 2 * kGroupPad;
        const double bottom = layBand("other", y + kSubnetHeader);
        og.height = bottom - y + kBandGap / 2;
        out.groups.push_back(og);
        y = bottom + kBandGap;
    }

    // 5. Frontends that lead into several bands. Many of them (load balancers in front of
    // several networks) become one collapsible "shared frontends" group, or the column would be
    // thousands of rows tall.
    const bool manyShared = frontends.size() > kMaxLooseFrontends;
    if (manyShared) {
        GraphLayout::Group fg;
        fg.id = kSharedFrontends;
        fg.name = "Shared frontends";
        fg.kind = "frontends";
        fg.collapsed = !isExpanded(kSharedFrontends);
        fg.members = frontends.size();
        fg.x = columnX(GraphLayout::FrontendColumn) - kGroupPad;
        fg.y = 0;
        fg.width = GraphLayout::kNodeWidth + 2 * kGroupPad;
        if (fg.collapsed) {
            GraphLayout::Node node;
            node.id = "group:" + std::string(kSharedFrontends) + ":1";
            node.kind = ReachabilityGraph::Kind::Frontend;
            node.type = "group";
            node.name = std::to_string(frontends.size()) + " shared frontends";
            node.column = GraphLayout::FrontendColumn;
            node.group = kSharedFrontends;
            node.x = columnX(GraphLayout::FrontendColumn);
            node.y = kSubnetHeader;
            for (auto v : frontends)
                node.members.push_back(g[v].id);
            addNode(std::move(node));
            frontends.clear();
            fg.height = kSubnetHeader + kRowHeight;
        } else {
            fg.height = kSubnetHeader + kRowHeight * static_cast<double>(frontends.size());
        }
        out.groups.push_back(fg);
    }

    // 6. Frontends: beside what they lead to (barycentre), or where they were before.
    std::unordered_map<std::string, double> previousY;
    if (options.previous)
        for (const auto& pn : options.previous->nodes)
            if (pn.column <= GraphLayout::FrontendColumn)
                previousY[pn.id] = pn.y;
    std::vector<std::pair<double, std::size_t>> wanted;
    for (auto v : frontends) {
        double want = 0;
        if (auto it = previousY.find(g[v].id); it != previousY.end()) {
            want = it->second;
        } else {
            double sum = 0;
            int count = 0;
            for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
                auto t = out.nodeOf.find(g[boost::target(*e, g)].id);
                if (t != out.nodeOf.end()) {
                    sum += out.nodes[t->second].y;
                    ++count;
                }
            }
            want = count ? sum / count : y;
        }
        wanted.emplace_back(want, v);
    }
    std::sort(wanted.begin(), wanted.end(), [&](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : g[a.second].name < g[b.second].name;
    });
    double next = manyShared ? kSubnetHeader : -1e18; // inside the shared group when it is open
    for (const auto& [want, v] : wanted) {
        const double at = std::max(want, next);
        next = at + kRowHeight;
        vertexNode(v, GraphLayout::FrontendColumn, manyShared ? kSharedFrontends : "",
            columnX(GraphLayout::FrontendColumn), at);
    }
    if (internet < n) {
        auto it = previousY.find(g[internet].id);
        double feTop = 1e18, feBottom = -1e18; // every frontend box, aggregates included
        for (const auto& fe : out.nodes)
            if (fe.column == GraphLayout::FrontendColumn) {
                feTop = std::min(feTop, fe.y);
                feBottom = std::max(feBottom, fe.y);
            }
        // Beside the middle of the frontends; on a tall estate beside the first ones, so the
        // top of the view shows where paths start.
        const double middle = feTop > feBottom ? 0 : (feBottom - feTop > 1200 ? feTop : (feTop + feBottom) / 2);
        vertexNode(internet, GraphLayout::InternetColumn, "", columnX(GraphLayout::InternetColumn),
            it != previousY.end() ? it->second : middle);
    }

    // 7. Edges between visible nodes, merged when groups are collapsed.
    std::map<std::pair<std::size_t, std::size_t>, std::size_t> edgeIndex;
    for (auto [e, end] = boost::edges(g); e != end; ++e) {
        auto a = out.nodeOf.find(g[boost::source(*e, g)].id);
        auto b = out.nodeOf.find(g[boost::target(*e, g)].id);
        if (a == out.nodeOf.end() || b == out.nodeOf.end() || a->second == b->second)
            continue;
        auto [it, inserted] = edgeIndex.try_emplace({ a->second, b->second }, out.edges.size());
        if (inserted)
            out.edges.push_back({ a->second, b->second, {} });
        auto& f = out.edges[it->second].findings;
        f.insert(f.end(), g[*e].findings.begin(), g[*e].findings.end());
    }
    for (auto& e : out.edges) {
        std::sort(e.findings.begin(), e.findings.end());
        e.findings.erase(std::unique(e.findings.begin(), e.findings.end()), e.findings.end());
    }
    double maxY = y;
    for (const auto& node : out.nodes)
        maxY = std::max(maxY, node.y + GraphLayout::kNodeHeight);
    out.width = right + 2 * kGroupPad;
    out.height = maxY;
    return out;
}

} // namespace ew
