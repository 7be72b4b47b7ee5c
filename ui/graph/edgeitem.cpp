#include "edgeitem.h"

#include "graph/graphlayout.h"
#include "nodeitem.h"
#include "theme.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPathStroker>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

#include <cmath>

namespace ew::ui {

EdgeItem::EdgeItem(NodeItem* from, NodeItem* to, std::vector<std::size_t> findings, Severity worst)
    : m_from(from)
    , m_to(to)
    , m_findings(std::move(findings))
    , m_worst(worst)
{
    const QPointF a = from->outPort();
    const QPointF b = to->inPort();
    QPainterPath path(a);
    // Forward edges are S-curves; edges back to an earlier column (a foothold to the next NSG)
    // loop below the nodes so they do not cross them.
    if (b.x() > a.x()) {
        const qreal dx = (b.x() - a.x()) / 2;
        path.cubicTo(a + QPointF(dx, 0), b - QPointF(dx, 0), b);
    } else {
        // Back to an earlier column (a foothold to the next NSG): leave to the right, run back
        // along the gap between rows, and enter from the left.
        // The gap between the target's row and its neighbour towards the source has no nodes.
        const qreal half = GraphLayout::kNodeHeight / 2 + (GraphLayout::kRowHeight - GraphLayout::kNodeHeight) / 2;
        const qreal midY = b.y() + (a.y() > b.y() ? half : -half);
        path.cubicTo(a + QPointF(40, 0), QPointF(a.x() + 40, midY), QPointF(a.x(), midY));
        path.lineTo(QPointF(b.x(), midY));
        path.cubicTo(QPointF(b.x() - 40, midY), b - QPointF(40, 0), b);
    }
    setPath(path);
    // The arrow head's direction, once: pointAtPercent walks the curve's length.
    const QPointF back = path.pointAtPercent(0.97);
    m_angle = std::atan2(b.y() - back.y(), b.x() - back.x());
    setZValue(1);
    setFlag(ItemIsSelectable);
    setToolTip(QObject::tr("%n finding(s) take this step", nullptr, static_cast<int>(m_findings.size())));
}

bool EdgeItem::s_smooth = true;

void EdgeItem::setSmooth(bool smooth)
{
    s_smooth = smooth;
}

void EdgeItem::setEmphasis(bool highlighted, bool dimmed)
{
    m_highlighted = highlighted;
    setOpacity(dimmed ? 0.15 : 1.0);
    setZValue(highlighted ? 3 : 1);
    update();
}

QPainterPath EdgeItem::shape() const
{
    QPainterPathStroker s;
    s.setWidth(8);
    return s.createStroke(path());
}

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*)
{
    const qreal lod = option->levelOfDetailFromTransform(painter->worldTransform());
    // Antialiasing long curves dominates repaint time on large graphs (thousands of edges fan
    // out of the internet node): only highlighted edges get it there.
    painter->setRenderHint(QPainter::Antialiasing, lod > 0.3 && (s_smooth || m_highlighted || isSelected()));
    QColor c = Theme::severityColor(m_worst);
    if (!m_highlighted && !isSelected())
        c.setAlpha(150);
    const qreal width
        = (m_highlighted || isSelected() ? 3.2 : 1.2) + std::min<qreal>(std::log2(1.0 + m_findings.size()), 3);
    QPen pen(c, width);
    pen.setCosmetic(lod < 0.45);
    if (isSelected())
        pen.setStyle(Qt::DashLine);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(path());
    if (lod < 0.45)
        return;
    // Arrow head at the target.
    const QPointF tip = path().currentPosition();
    const qreal angle = m_angle;
    const qreal size = 7 + width;
    QPolygonF head;
    head << tip << tip - QPointF(std::cos(angle - 0.45) * size, std::sin(angle - 0.45) * size)
         << tip - QPointF(std::cos(angle + 0.45) * size, std::sin(angle + 0.45) * size);
    painter->setPen(Qt::NoPen);
    painter->setBrush(c);
    painter->drawPolygon(head);
}

} // namespace ew::ui
