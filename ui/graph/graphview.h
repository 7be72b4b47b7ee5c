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
    /// scale, shows focus instead and returns false.
    bool reveal(const QRectF& rect, const QRectF& focus = {});
    qreal zoom() const;
    /// A node to keep in sight: while its rectangle (scene coordinates) is outside the view, a
    /// marker at the view's edge points to it with this text, and clicking the marker brings it
    /// into view (the internet end of the selected path on a large estate). A null rectangle: none.
    void setOffscreenMarker(const QRectF& sceneRect, const QString& text);
    /// Where the marker is drawn, in viewport coordinates (null when the node is in view).
    QRectF offscreenMarkerRect() const;

protected:
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void focusInEvent(QFocusEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    void drawForeground(QPainter* painter, const QRectF& rect) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    QRectF m_markerTarget;
    QString m_markerText;
};

} // namespace ew::ui
