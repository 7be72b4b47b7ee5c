#include "graphview.h"

#include "edgelabelitem.h"

#include <QFontMetricsF>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace ew::ui {

GraphView::GraphView(QWidget* parent)
    : QGraphicsView(parent)
{
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(ScrollHandDrag);
    setTransformationAnchor(AnchorUnderMouse);
    setViewportUpdateMode(SmartViewportUpdate);
    setOptimizationFlags(DontSavePainterState);
    setFocusPolicy(Qt::StrongFocus);
    setAccessibleName(tr("Reachability graph"));
}

qreal GraphView::zoom() const
{
    return transform().m11();
}

void GraphView::zoomBy(qreal factor)
{
    const qreal next = zoom() * factor;
    if (next < 0.02 || next > 6)
        return;
    scale(factor, factor);
}

namespace {
// Below this scale node names are not legible; views never fit below it, they scroll instead.
constexpr qreal kLegible = 0.45;

// What the path's labels cover of the scene at this scale: they are drawn at device size, so
// their boundingRect (in device pixels) stands for more of the scene the further out the view is.
QRectF labelsRect(const QGraphicsScene& scene, qreal scale)
{
    QRectF out;
    for (const QGraphicsItem* item : scene.items())
        if (item->type() == EdgeLabelItem::Type) {
            const QRectF box = item->boundingRect();
            out |= QRectF(item->scenePos() + box.topLeft() / scale, box.size() / scale);
        }
    return out;
}
} // namespace

void GraphView::fitAll()
{
    if (!scene())
        return;
    QRectF all = scene()->itemsBoundingRect().adjusted(-20, -20, 20, 20);
    fitInView(all, Qt::KeepAspectRatio);
    // Room for the labels of the selected path (the first one ends at the second column and
    // reaches back over the first): twice, since making room lowers the scale a little.
    for (int pass = 0; pass < 2 && zoom() > 0; ++pass) {
        const QRectF withLabels = all.united(labelsRect(*scene(), std::min(zoom(), 1.2)).adjusted(-8, -8, 8, 8));
        if (withLabels == all)
            break;
        all = withLabels;
        fitInView(all, Qt::KeepAspectRatio);
    }
    if (zoom() > 1.2) { // small graphs stay at a readable size instead of being blown up
        setTransform(QTransform::fromScale(1.2, 1.2));
    } else if (zoom() < kLegible) {
        // A tall estate: fit the width (within legibility) and start at the top.
        const qreal s = std::clamp(viewport()->width() / all.width(), kLegible, 1.0);
        setTransform(QTransform::fromScale(s, s));
        centerOn(all.center().x(), all.top() + viewport()->height() / (2 * s));
    }
}

bool GraphView::reveal(const QRectF& rect, const QRectF& focus)
{
    // Fit the rectangle, but never blow it up beyond 100%; when it only fits at an illegible
    // scale, show the focus (the target end of a path) at a legible one.
    fitInView(rect.adjusted(-30, -30, 30, 30), Qt::KeepAspectRatio);
    if (zoom() > 1.0)
        setTransform(QTransform::fromScale(1.0, 1.0));
    if (zoom() < kLegible && !focus.isNull()) {
        setTransform(QTransform::fromScale(kLegible * 1.4, kLegible * 1.4));
        centerOn(focus.center());
        return false;
    }
    centerOn(rect.center());
    return true;
}

void GraphView::wheelEvent(QWheelEvent* event)
{
    // Wheel zooms (like map and graph tools); Shift+wheel scrolls.
    if (event->modifiers() & Qt::ShiftModifier) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    const qreal steps = event->angleDelta().y() / 120.0;
    zoomBy(std::pow(1.15, steps));
    event->accept();
}

void GraphView::keyPressEvent(QKeyEvent* event)
{
    if (event->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier)) {
        QGraphicsView::keyPressEvent(event);
        return;
    }
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomBy(1.25);
        return;
    case Qt::Key_Minus:
        zoomBy(0.8);
        return;
    case Qt::Key_0:
        fitAll();
        return;
    default:
        QGraphicsView::keyPressEvent(event); // arrows and page keys pan
    }
}

void GraphView::focusInEvent(QFocusEvent* event)
{
    QGraphicsView::focusInEvent(event);
    viewport()->update();
}

void GraphView::focusOutEvent(QFocusEvent* event)
{
    QGraphicsView::focusOutEvent(event);
    viewport()->update();
}

void GraphView::scrollContentsBy(int dx, int dy)
{
    QGraphicsView::scrollContentsBy(dx, dy);
    // The focus frame and the off-screen marker are drawn at the viewport's edge, not scrolled
    // with the scene.
    if (hasFocus() || !m_markerTarget.isNull())
        viewport()->update();
}

void GraphView::setOffscreenMarker(const QRectF& sceneRect, const QString& text)
{
    m_markerTarget = sceneRect;
    m_markerText = text;
    viewport()->update();
}

QRectF GraphView::offscreenMarkerRect() const
{
    if (m_markerTarget.isNull())
        return {};
    const QRectF view = QRectF(viewport()->rect());
    const QPointF target = mapFromScene(m_markerTarget.center());
    if (view.intersects(mapFromScene(m_markerTarget).boundingRect()))
        return {};
    // On the view's edge, along the line from its centre to the node.
    const QFontMetricsF fm(font());
    const QString text = m_markerText;
    const QSizeF size(fm.horizontalAdvance(text) + 16, fm.height() + 8);
    const QPointF centre = view.center();
    const QPointF d = target - centre;
    const qreal halfW = view.width() / 2 - size.width() / 2 - 4;
    const qreal halfH = view.height() / 2 - size.height() / 2 - 4;
    const qreal t = std::min(d.x() == 0 ? 1e9 : halfW / std::abs(d.x()), d.y() == 0 ? 1e9 : halfH / std::abs(d.y()));
    const QPointF at = centre + d * std::min<qreal>(t, 1);
    return QRectF(at - QPointF(size.width() / 2, size.height() / 2), size);
}

void GraphView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton && offscreenMarkerRect().contains(event->position())) {
        centerOn(m_markerTarget.center());
        event->accept();
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void GraphView::drawForeground(QPainter* painter, const QRectF& rect)
{
    QGraphicsView::drawForeground(painter, rect);
    if (const QRectF marker = offscreenMarkerRect(); !marker.isNull()) {
        painter->save();
        painter->resetTransform();
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(QPen(palette().color(QPalette::Highlight), 1.5));
        painter->setBrush(palette().color(QPalette::ToolTipBase));
        painter->drawRoundedRect(marker, marker.height() / 2, marker.height() / 2);
        painter->setPen(palette().color(QPalette::ToolTipText));
        painter->setFont(font());
        painter->drawText(marker, Qt::AlignCenter, m_markerText);
        painter->restore();
    }
    if (!hasFocus())
        return;
    // The focus frame, in viewport pixels whatever the zoom.
    painter->save();
    painter->resetTransform();
    QPen pen(palette().color(QPalette::Highlight), 3);
    pen.setJoinStyle(Qt::MiterJoin);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawRect(QRectF(viewport()->rect()).adjusted(1.5, 1.5, -1.5, -1.5));
    painter->restore();
}

} // namespace ew::ui
