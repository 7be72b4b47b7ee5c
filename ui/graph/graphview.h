#pragma once

#include <QGraphicsView>

namespace ew::ui {

/// Zoom (wheel, keys), pan (drag, arrows) and fit over the graph scene. With the focus, + and -
/// zoom, 0 fits, and a frame shows that the keys go here.
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
    void keyPressEvent(QKeyEvent* event) override;
    void focusInEvent(QFocusEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    void drawForeground(QPainter* painter, const QRectF& rect) override;
};

} // namespace ew::ui
