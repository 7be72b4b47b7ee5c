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
    /// Centres on a scene rectangle, zooming out if it does not fit.
    void reveal(const QRectF& rect);
    qreal zoom() const;

protected:
    void wheelEvent(QWheelEvent* event) override;
};

} // namespace ew::ui
