#pragma once

#include "graph/graphlayout.h"
#include "jobs/analysisdata.h"

#include <QGraphicsScene>

#include <map>
#include <memory>
#include <unordered_map>

namespace ew::ui {

class EdgeItem;
class EdgeLabelItem;
class GroupItem;
class NodeItem;

/// Draws a GraphLayout (STYLE 16: the core computes the layout, this scene only draws it) and
/// highlights the paths of the selected findings.
class GraphScene : public QGraphicsScene
{
    Q_OBJECT
public:
    explicit GraphScene(QObject* parent = nullptr);
    ~GraphScene() override;

    void setGraph(std::shared_ptr<const AnalysisData> data, GraphLayout layout);
    const GraphLayout& graphLayout() const { return m_layout; }
    /// Highlights every node and edge on the paths of these findings and dims the rest; an empty
    /// list restores the normal look. The first finding's path (the current one) gets its edges
    /// labelled with what crosses them and the rules that let it through.
    void highlightFindings(const std::vector<std::size_t>& findings);
    const std::vector<EdgeLabelItem*>& edgeLabels() const { return m_labels; }
    /// The visible nodes the finding's path crosses, in order (an aggregate once for the steps
    /// it stands for); fewer than its steps while some of them are in collapsed groups.
    std::vector<NodeItem*> pathNodes(std::size_t finding) const;
    const std::vector<std::size_t>& highlightedFindings() const { return m_highlighted; }
    NodeItem* nodeItem(const std::string& graphNodeId) const;
    const std::vector<NodeItem*>& nodeItems() const { return m_nodes; }
    const std::vector<EdgeItem*>& edgeItems() const { return m_edges; }
    /// Marks the targets of new and changed findings (by finding index) with a badge; the
    /// marks survive setGraph() until replaced.
    void setChangeMarks(const std::map<std::size_t, QString>& findingMarks);
    /// Nodes whose name or id contains the text (case-insensitive).
    std::vector<NodeItem*> search(const QString& text) const;

Q_SIGNALS:
    void groupToggled(const QString& groupId);
    void nodeSelected(const QString& graphNodeId); // empty when the selection is cleared
    void edgeSelected(const QString& fromId, const QString& toId);

private:
    void onSelectionChanged();
    std::shared_ptr<const AnalysisData> m_data;
    GraphLayout m_layout;
    std::vector<NodeItem*> m_nodes;
    std::vector<EdgeItem*> m_edges;
    std::vector<EdgeLabelItem*> m_labels;
    void labelPath(std::size_t finding);
    std::vector<std::size_t> m_highlighted;
    std::map<std::size_t, QString> m_changeMarks;
    void applyChangeMarks();
};

} // namespace ew::ui
