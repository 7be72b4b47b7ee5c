#include "edgelabelitem.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QPainter>
#include <QPalette>

namespace ew::ui {

EdgeLabelItem::EdgeLabelItem(const QString& text, const QColor& accent)
    : m_text(text)
    , m_accent(accent)
{
    // Device-sized: zooming out leaves the label as large as the table's text.
    setFlag(ItemIgnoresTransformations);
    setZValue(10);
    setToolTip(text);
    const QFontMetricsF fm(QApplication::font());
    const qreal w = std::min<qreal>(fm.horizontalAdvance(text), 280) + 12;
    const qreal h = fm.height() + 4;
    m_box = QRectF(-w + 8, -h, w, h); // over the edge's last few units, so it reads as the edge's
}

QRectF EdgeLabelItem::boundingRect() const
{
    return m_box.adjusted(-1, -1, 1, 1);
}

void EdgeLabelItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    const QPalette pal = QApplication::palette();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(m_accent, 1.2));
    painter->setBrush(pal.color(QPalette::ToolTipBase));
    painter->drawRoundedRect(m_box, m_box.height() / 2, m_box.height() / 2);
    painter->setFont(QApplication::font());
    painter->setPen(pal.color(QPalette::ToolTipText));
    const QRectF text = m_box.adjusted(6, 0, -6, 0);
    painter->drawText(
        text, Qt::AlignCenter, QFontMetricsF(QApplication::font()).elidedText(m_text, Qt::ElideMiddle, text.width()));
}

} // namespace ew::ui
