#include "graph/graphcontroller.h"

#include "graph/graphscene.h"
#include "graph/graphview.h"
#include "jobs/jobtracker.h"
#include "review/reviewdocument.h"
#include "util/phaseprofile.h"

#include <memory>
#include <set>
#include <utility>

namespace ew::ui {

namespace {

const QString kJob = QStringLiteral("layout");
// Graphs with more nodes than this open with their groups collapsed (PERFORMANCE.md: draw
// groups, not members, on large estates).
constexpr std::size_t kCollapseAbove = 150;
// Drawn boxes up to which a first view opens the VNets (subnets stay collapsed).
constexpr std::size_t kComfortableNodes = 400;

} // namespace

GraphController::GraphController(
    ReviewDocument* document, GraphScene* scene, GraphView* view, JobTracker* jobs, QObject* parent)
    : QObject(parent)
    , m_document(document)
    , m_scene(scene)
    , m_view(view)
    , m_jobs(jobs)
{
    connect(m_scene, &GraphScene::groupToggled, this, &GraphController::toggleGroup);
}

void GraphController::restart(bool forgetGroups)
{
    if (forgetGroups) {
        m_groupState.clear();
        m_pathGroupsOpenedFor.clear();
    }
    m_firstLayout = true;
}

bool GraphController::isLayingOut() const
{
    return m_jobs->isRunning(kJob);
}

void GraphController::relayout()
{
    const auto analysis = m_document->analysis();
    if (!analysis)
        return;
    if (m_firstLayout)
        m_expandByDefault = analysis->result.graph.nodeCount() <= kCollapseAbove;
    LayoutOptions options;
    options.expanded = m_groupState;
    options.expandByDefault = m_expandByDefault;
    // Only the selected findings' paths: a graph of their own, every group open (BloodHound's
    // path view); with nothing selected, the whole estate as usual.
    auto only = m_pathsOnly ? m_pathsOnly() : std::vector<std::size_t>();
    const bool modeChanged = only.empty() != m_shown.empty();
    m_pending = only;
    if (!only.empty()) {
        options.expanded.clear();
        options.expandByDefault = true;
    }
    auto previous = m_haveLayout && !m_firstLayout && !modeChanged && only.empty()
        ? std::make_shared<GraphLayout>(m_scene->graphLayout())
        : nullptr;
    const bool tryOpenVnets = m_firstLayout && !m_expandByDefault && only.empty();
    m_jobs->run(
        kJob,
        [analysis, options, previous, tryOpenVnets, only]() mutable {
            options.previous = previous.get();
            if (!only.empty())
                return layoutGraph(
                    ReachabilityGraph::build(analysis->result.findings, only), analysis->grouping, options);
            if (tryOpenVnets) {
                // First view of a large graph: VNets open with their subnets collapsed when that is
                // still a readable number of boxes, else everything collapsed.
                LayoutOptions open = options;
                for (const auto& vnet : analysis->grouping.vnetNames)
                    open.expanded[vnet.first] = true;
                GraphLayout layout = layoutGraph(analysis->result.graph, analysis->grouping, open);
                if (layout.nodes.size() <= kComfortableNodes)
                    return layout;
            }
            return layoutGraph(analysis->result.graph, analysis->grouping, options);
        },
        [this](GraphLayout layout) { apply(std::move(layout)); });
}

void GraphController::apply(GraphLayout layout)
{
    if (m_firstLayout && !m_expandByDefault)
        for (const auto& g : layout.groups)
            if (g.kind == "vnet" && !g.collapsed)
                m_groupState[g.id] = true; // the worker opened it (see relayout)
    profilePhase("workbench: graph layout");
    const bool pathsChanged = m_shown != m_pending;
    m_shown = m_pending;
    m_scene->setGraph(m_document->analysis(), std::move(layout));
    m_haveLayout = true;
    Q_EMIT sceneChanged();
    profilePhase("workbench: graph scene, selection");
    // A first view is fitted to the view, and so is a new paths-only graph (small: all of it).
    if (std::exchange(m_firstLayout, false) || (pathsChanged && !m_shown.empty())) {
        m_view->fitAll();
    }
    Q_EMIT laidOut();
}

bool GraphController::openPathGroups(std::size_t finding)
{
    const auto analysis = m_document->analysis();
    if (!analysis || finding >= analysis->result.findings.size() || isLayingOut() || !m_shown.empty())
        return false;
    const Finding& f = analysis->result.findings[finding];
    if (f.id == m_pathGroupsOpenedFor)
        return false; // opened once: what the analyst collapsed since stays collapsed
    m_pathGroupsOpenedFor = f.id;
    const auto& layout = m_scene->graphLayout();
    const auto& graph = analysis->result.graph;
    std::set<std::string> open;
    for (const auto& id : ReachabilityGraph::nodeIdsOfPath(f)) {
        auto shown = layout.nodeOf.find(id);
        if (shown == layout.nodeOf.end() || !layout.nodes[shown->second].aggregate())
            continue;
        open.insert(layout.nodes[shown->second].group); // a frontend in a band or the shared frontends
        if (auto v = graph.find(id))
            for (auto& g : analysis->grouping.groupsOf(graph.graph()[*v]))
                open.insert(std::move(g));
    }
    bool changed = false;
    for (const auto& g : open) {
        auto it = m_groupState.find(g);
        if (g.empty() || (it == m_groupState.end() ? m_expandByDefault : it->second))
            continue;
        m_groupState[g] = true;
        changed = true;
    }
    if (changed)
        relayout();
    return changed;
}

void GraphController::toggleGroup(const QString& groupId)
{
    const std::string id = groupId.toStdString();
    auto it = m_groupState.find(id);
    const bool expanded = it == m_groupState.end() ? m_expandByDefault : it->second;
    m_groupState[id] = !expanded;
    relayout();
}

void GraphController::setAllGroups(bool expanded)
{
    m_groupState.clear();
    m_expandByDefault = expanded;
    relayout();
}

} // namespace ew::ui
