#include "graphview.h"

#include <QKeyEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>

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
} // namespace

void GraphView::fitAll()
{
    if (!scene())
        return;
    const QRectF all = scene()->itemsBoundingRect().adjusted(-20, -20, 20, 20);
    fitInView(all, Qt::KeepAspectRatio);
    if (zoom() > 1.2) { // small graphs stay at a readable size instead of being blown up
        setTransform(QTransform::fromScale(1.2, 1.2));
    } else if (zoom() < kLegible) {
        // A tall estate: fit the width (within legibility) and start at the top.
        const qreal s = std::clamp(viewport()->width() / all.width(), kLegible, 1.0);
        setTransform(QTransform::fromScale(s, s));
        centerOn(all.center().x(), all.top() + viewport()->height() / (2 * s));
    }
}

void GraphView::reveal(const QRectF& rect, const QRectF& focus)
{
    // Fit the rectangle, but never blow it up beyond 100%; when it only fits at an illegible
    // scale, show the focus (the target end of a path) at a legible one.
    fitInView(rect.adjusted(-30, -30, 30, 30), Qt::KeepAspectRatio);
    if (zoom() > 1.0)
        setTransform(QTransform::fromScale(1.0, 1.0));
    if (zoom() < kLegible && !focus.isNull()) {
        setTransform(QTransform::fromScale(kLegible * 1.4, kLegible * 1.4));
        centerOn(focus.center());
        return;
    }
    centerOn(rect.center());
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
    if (hasFocus())
        viewport()->update(); // the frame is drawn at the viewport's edge, not scrolled with the scene
}

void GraphView::drawForeground(QPainter* painter, const QRectF& rect)
{
    QGraphicsView::drawForeground(painter, rect);
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
