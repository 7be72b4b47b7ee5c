#pragma once

#include "graph/graphlayout.h"

#include <QObject>
#include <QString>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ew::ui {

class GraphScene;
class GraphView;
class JobTracker;
class ReviewDocument;

/// The reachability graph's layouts: which groups are open (the analyst's choices, the first
/// view's defaults by the estate's size, the groups the selected path crosses), the whole estate
/// or only the selected findings' paths. Each layout is computed off the GUI thread (JobTracker:
/// only the newest is shown) and fitted to the view when it is a first view or a new paths-only
/// graph.
class GraphController : public QObject
{
    Q_OBJECT
public:
    GraphController(ReviewDocument* document, GraphScene* scene, GraphView* view, JobTracker* jobs, QObject* parent);

    /// The findings whose paths alone are drawn ("selected paths only"), sorted; empty: the whole
    /// estate.
    void setPathsOnly(std::function<std::vector<std::size_t>()> pathsOnly) { m_pathsOnly = std::move(pathsOnly); }

    /// Another review or snapshot: the next layout is a first view (groups open or not by the
    /// estate's size, fitted to the view); forgetGroups: the analyst's open groups go too.
    void restart(bool forgetGroups);
    /// Lays out what the document shows, as it is now wanted.
    void relayout();
    bool isLayingOut() const;
    /// The findings whose paths alone the graph shows (empty: the whole estate), and those of the
    /// layout being computed, if any.
    const std::vector<std::size_t>& shownPaths() const { return m_shown; }
    const std::vector<std::size_t>& wantedPaths() const { return isLayingOut() ? m_pending : m_shown; }
    /// Opens the collapsed groups this finding's path crosses (once per finding: what the analyst
    /// collapses again stays collapsed); true when a new layout was started for it.
    bool openPathGroups(std::size_t finding);
    /// The next selected finding's groups open again (the paths-only mode was left or entered).
    void forgetOpenedPath() { m_pathGroupsOpenedFor.clear(); }
    void toggleGroup(const QString& groupId);
    void setAllGroups(bool expanded);

Q_SIGNALS:
    /// The scene holds a new layout (the selection is to be shown on it, before the view fits).
    void sceneChanged();
    /// The new layout is shown and fitted.
    void laidOut();

private:
    void apply(GraphLayout layout);

    ReviewDocument* m_document;
    GraphScene* m_scene;
    GraphView* m_view;
    JobTracker* m_jobs;
    std::function<std::vector<std::size_t>()> m_pathsOnly;
    std::map<std::string, bool> m_groupState; // open (true) or collapsed, by group id
    bool m_expandByDefault = true;
    std::string m_pathGroupsOpenedFor; // the finding whose path's groups were last opened
    std::vector<std::size_t> m_shown; // of the laid-out graph: all (empty) or these paths only
    std::vector<std::size_t> m_pending; // of the layout being computed
    bool m_haveLayout = false;
    bool m_firstLayout = true;
};

} // namespace ew::ui
