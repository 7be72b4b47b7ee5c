#pragma once

#include <QGraphicsItem>
#include <QString>

namespace ew::ui {

/// The label of one step of the selected finding's path ("TCP 443 · allow-https (100)"), drawn
/// at the platform's font size whatever the zoom, so it stays readable on a large estate. Its
/// position is the top left corner of the node its edge enters: the label sits above that row,
/// ending there, so that it covers the gap and the row above rather than the path's names.
class EdgeLabelItem : public QGraphicsItem
{
public:
    enum { Type = UserType + 4 };
    EdgeLabelItem(const QString& text, const QColor& accent);
    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;
    QString text() const { return m_text; }

private:
    QString m_text;
    QColor m_accent;
    QRectF m_box; // left of and above the item's position
};

} // namespace ew::ui
