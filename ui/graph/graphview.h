#pragma once

#include <QGraphicsView>

namespace ew::ui {

/// Zoom (wheel, keys), pan (drag) and fit over the graph scene.
class GraphView : public QGraphicsView
{
    Q_OBJECT
public:
    explicit GraphView(QWidget* parent = nullptr);
    void zoomBy(qreal factor);
    void fitAll();
    /// Shows a scene rectangle, zooming out if it does not fit; if it fits only at an illegible
    /// scale, shows focus instead.
    void reveal(const QRectF& rect, const QRectF& focus = {});
    qreal zoom() const;

protected:
    void wheelEvent(QWheelEvent* event) override;
};

} // namespace ew::ui
