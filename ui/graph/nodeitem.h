#pragma once

#include "findings/finding.h"
#include "graph/graphlayout.h"

#include <QGraphicsItem>

namespace ew::ui {

/// One node of the reachability graph (or an aggregate of a collapsed group).
class NodeItem : public QGraphicsItem
{
public:
    enum { Type = UserType + 1 };
    NodeItem(const GraphLayout::Node& node, std::size_t index, Severity worst, bool hasFindings);
    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    const GraphLayout::Node& node() const { return m_node; }
    std::size_t index() const { return m_index; }
    void setEmphasis(bool highlighted, bool dimmed);
    bool isHighlighted() const { return m_highlighted; }
    bool isDimmed() const { return m_dimmed; }
    /// A badge against the comparison's baseline ("new", "changed"); empty for none.
    void setChangeMark(const QString& mark);
    QString changeMark() const { return m_changeMark; }
    QPointF inPort() const; // where edges arrive (scene coordinates)
    QPointF outPort() const;
    static QString kindLabel(const GraphLayout::Node& node);
    /// The size below which no node text is drawn on screen (the platform's smallest readable
    /// font, at most the normal size).
    static qreal smallestReadablePointSize();

private:
    GraphLayout::Node m_node;
    std::size_t m_index;
    Severity m_worst;
    bool m_hasFindings;
    bool m_highlighted = false;
    bool m_dimmed = false;
    QString m_changeMark;
};

} // namespace ew::ui
