#pragma once

#include "findings/finding.h"

#include <QGraphicsPathItem>

namespace ew::ui {

class NodeItem;

/// An edge of the reachability graph: the findings whose paths take this step.
class EdgeItem : public QGraphicsPathItem
{
public:
    enum { Type = UserType + 2 };
    EdgeItem(NodeItem* from, NodeItem* to, std::vector<std::size_t> findings, Severity worst);
    int type() const override { return Type; }
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;
    QPainterPath shape() const override;

    NodeItem* from() const { return m_from; }
    NodeItem* to() const { return m_to; }
    const std::vector<std::size_t>& findings() const { return m_findings; }
    void setEmphasis(bool highlighted, bool dimmed);
    bool isHighlighted() const { return m_highlighted; }
    /// Antialias every edge (small graphs) or only emphasised ones (large graphs).
    static void setSmooth(bool smooth);

private:
    NodeItem* m_from;
    NodeItem* m_to;
    std::vector<std::size_t> m_findings;
    Severity m_worst;
    bool m_highlighted = false;
    qreal m_angle = 0; // direction of the arrow head
    static bool s_smooth;
};

} // namespace ew::ui
