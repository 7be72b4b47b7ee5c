#include "graphscene.h"

#include "edgeitem.h"
#include "edgelabelitem.h"
#include "groupitem.h"
#include "nodeitem.h"
#include "theme.h"

#include <algorithm>
#include <map>
#include <set>

namespace ew::ui {

namespace {
// Up to this many edges every edge is antialiased; beyond, only the highlighted ones.
constexpr std::size_t kSmoothEdges = 600;
} // namespace

GraphScene::GraphScene(QObject* parent)
    : QGraphicsScene(parent)
{
    // Static scene after construction: a BSP index pays off for hit tests and level of detail.
    setItemIndexMethod(BspTreeIndex);
    connect(this, &QGraphicsScene::selectionChanged, this, &GraphScene::onSelectionChanged);
}

GraphScene::~GraphScene()
{
    // QGraphicsScene's destructor removes the items, which changes the selection: that must not
    // reach onSelectionChanged (or the window's slots) once this part of the object is gone.
    const QSignalBlocker block(this);
    clear();
}

void GraphScene::setGraph(std::shared_ptr<const AnalysisData> data, GraphLayout layout)
{
    const QSignalBlocker block(this);
    clear();
    m_nodes.clear();
    m_edges.clear();
    m_labels.clear();
    m_data = std::move(data);
    m_layout = std::move(layout);
    if (!m_data)
        return;
    const auto& findings = m_data->result.findings;
    for (const auto& g : m_layout.groups) {
        auto* item = new GroupItem(g);
        connect(item, &GroupItem::toggled, this, &GraphScene::groupToggled);
        addItem(item);
    }
    // The worst severity that reaches each node decides its colour.
    std::vector<int> worst(m_layout.nodes.size(), -1);
    for (const auto& e : m_layout.edges)
        for (auto fi : e.findings)
            worst[e.to] = std::max(worst[e.to], static_cast<int>(findings[fi].severity));
    for (std::size_t i = 0; i < m_layout.nodes.size(); ++i) {
        auto* item = new NodeItem(m_layout.nodes[i], i, static_cast<Severity>(std::max(worst[i], 0)), worst[i] >= 0);
        addItem(item);
        m_nodes.push_back(item);
    }
    EdgeItem::setSmooth(m_layout.edges.size() <= kSmoothEdges);
    for (const auto& e : m_layout.edges) {
        int w = 0;
        for (auto fi : e.findings)
            w = std::max(w, static_cast<int>(findings[fi].severity));
        auto* item = new EdgeItem(m_nodes[e.from], m_nodes[e.to], e.findings, static_cast<Severity>(w));
        addItem(item);
        m_edges.push_back(item);
    }
    setSceneRect(QRectF(-40, -40, m_layout.width + 80, m_layout.height + 80));
    applyChangeMarks();
    highlightFindings(m_highlighted);
}

void GraphScene::setChangeMarks(const std::map<std::size_t, QString>& findingMarks)
{
    m_changeMarks = findingMarks;
    applyChangeMarks();
}

void GraphScene::applyChangeMarks()
{
    for (auto* n : m_nodes)
        n->setChangeMark({});
    if (!m_data)
        return;
    const auto& findings = m_data->result.findings;
    for (const auto& [index, mark] : m_changeMarks) {
        if (index >= findings.size() || findings[index].path.empty())
            continue;
        if (auto* item = nodeItem(findings[index].path.back().id))
            if (item->changeMark() != QLatin1String("new")) // "new" outranks "changed"
                item->setChangeMark(mark);
    }
}

void GraphScene::highlightFindings(const std::vector<std::size_t>& findings)
{
    m_highlighted = findings;
    for (auto* label : m_labels)
        delete label;
    m_labels.clear();
    if (findings.empty()) {
        for (auto* n : m_nodes)
            n->setEmphasis(false, false);
        for (auto* e : m_edges)
            e->setEmphasis(false, false);
        return;
    }
    const std::set<std::size_t> wanted(findings.begin(), findings.end());
    std::set<NodeItem*> onPath;
    for (auto* e : m_edges) {
        const bool hit
            = std::any_of(e->findings().begin(), e->findings().end(), [&](std::size_t f) { return wanted.count(f); });
        e->setEmphasis(hit, !hit);
        if (hit) {
            onPath.insert(e->from());
            onPath.insert(e->to());
        }
    }
    for (auto* n : m_nodes) {
        const bool hit = onPath.count(n) > 0;
        n->setEmphasis(hit, !hit);
    }
    labelPath(findings.front());
}

std::vector<NodeItem*> GraphScene::pathNodes(std::size_t finding) const
{
    std::vector<NodeItem*> out;
    if (!m_data || finding >= m_data->result.findings.size())
        return out;
    for (const auto& id : ReachabilityGraph::nodeIdsOfPath(m_data->result.findings[finding]))
        if (auto* item = nodeItem(id); item && (out.empty() || out.back() != item))
            out.push_back(item);
    return out;
}

void GraphScene::labelPath(std::size_t finding)
{
    if (!m_data || finding >= m_data->result.findings.size())
        return;
    const Finding& f = m_data->result.findings[finding];
    const auto ids = ReachabilityGraph::nodeIdsOfPath(f);
    const auto labels = ReachabilityGraph::edgeLabels(f);
    // Only the path's own steps are looked up (an estate's graph has thousands of edges, and this
    // runs for every selection).
    std::set<const NodeItem*> onPath;
    for (const auto& id : ids)
        onPath.insert(nodeItem(id));
    std::map<std::pair<const NodeItem*, const NodeItem*>, EdgeItem*> edgeOf;
    for (auto* e : m_edges)
        if (onPath.count(e->from()) && onPath.count(e->to()))
            edgeOf[{ e->from(), e->to() }] = e;
    const QColor accent = Theme::severityColor(f.severity);
    for (std::size_t s = 0; s + 1 < ids.size() && s < labels.size(); ++s) {
        const NodeItem* from = nodeItem(ids[s]);
        const NodeItem* to = nodeItem(ids[s + 1]);
        auto it = edgeOf.find({ from, to });
        // Steps inside one collapsed group have no edge of their own: their labels wait for it
        // to open.
        if (it == edgeOf.end() || labels[s].empty())
            continue;
        auto* label = new EdgeLabelItem(QString::fromStdString(labels[s]), accent);
        // Above the row of the node the edge enters, ending at its left edge: over the gap and the
        // row above, never over the path's own nodes.
        label->setPos(it->second->to()->inPort() - QPointF(0, GraphLayout::kNodeHeight / 2 + 1));
        addItem(label);
        m_labels.push_back(label);
    }
}

NodeItem* GraphScene::nodeItem(const std::string& graphNodeId) const
{
    auto it = m_layout.nodeOf.find(graphNodeId);
    return it == m_layout.nodeOf.end() ? nullptr : m_nodes[it->second];
}

std::vector<NodeItem*> GraphScene::search(const QString& text) const
{
    std::vector<NodeItem*> out;
    const QString t = text.trimmed();
    if (t.isEmpty())
        return out;
    for (auto* n : m_nodes) {
        const auto& node = n->node();
        if (QString::fromStdString(node.name).contains(t, Qt::CaseInsensitive)
            || QString::fromStdString(node.id).contains(t, Qt::CaseInsensitive))
            out.push_back(n);
    }
    return out;
}

void GraphScene::onSelectionChanged()
{
    const auto items = selectedItems();
    if (items.isEmpty()) {
        Q_EMIT nodeSelected(QString());
        return;
    }
    if (auto* n = qgraphicsitem_cast<NodeItem*>(items.front()))
        Q_EMIT nodeSelected(QString::fromStdString(n->node().id));
    else if (auto* e = qgraphicsitem_cast<EdgeItem*>(items.front()))
        Q_EMIT edgeSelected(QString::fromStdString(e->from()->node().id), QString::fromStdString(e->to()->node().id));
}

} // namespace ew::ui
