#pragma once

#include "graph/graphlayout.h"

#include <QGraphicsObject>

namespace ew::ui {

/// A VNet or subnet band; clicking its header collapses or expands it.
class GroupItem : public QGraphicsObject
{
    Q_OBJECT
public:
    enum { Type = UserType + 3 };
    explicit GroupItem(const GraphLayout::Group& group);
    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;
    const GraphLayout::Group& group() const { return m_group; }
    QRectF headerRect() const;

Q_SIGNALS:
    void toggled(const QString& groupId);

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent* event) override;

private:
    GraphLayout::Group m_group;
};

} // namespace ew::ui
