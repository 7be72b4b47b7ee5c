#include "graphview.h"

#include <QWheelEvent>

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

void GraphView::fitAll()
{
    if (!scene())
        return;
    fitInView(scene()->itemsBoundingRect().adjusted(-20, -20, 20, 20), Qt::KeepAspectRatio);
    if (zoom() > 1.2) // small graphs stay at a readable size instead of being blown up
        setTransform(QTransform::fromScale(1.2, 1.2));
}

void GraphView::reveal(const QRectF& rect)
{
    // Fit the rectangle, but never blow it up beyond 100% nor shrink it below legibility unless
    // it cannot be shown otherwise.
    fitInView(rect.adjusted(-30, -30, 30, 30), Qt::KeepAspectRatio);
    if (zoom() > 1.0)
        setTransform(QTransform::fromScale(1.0, 1.0));
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

} // namespace ew::ui
