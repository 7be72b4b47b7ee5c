#include "nodeitem.h"

#include "report/nodepainter.h"
#include "theme.h"

#include <QApplication>
#include <QFontDatabase>
#include <QFontMetricsF>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

namespace ew::ui {

NodeItem::NodeItem(const GraphLayout::Node& node, std::size_t index, Severity worst, bool hasFindings)
    : m_node(node)
    , m_index(index)
    , m_worst(worst)
    , m_hasFindings(hasFindings)
{
    setPos(node.x, node.y);
    setFlag(ItemIsSelectable);
    setAcceptHoverEvents(true);
    setZValue(2);
    setToolTip(QString::fromStdString(node.aggregate() ? node.name : node.id));
    setCacheMode(DeviceCoordinateCache);
}

QString NodeItem::kindLabel(const GraphLayout::Node& node)
{
    if (node.aggregate())
        return QObject::tr("collapsed group");
    const QString label = QString::fromStdString(ReachabilityGraph::typeLabel(node.step, node.type));
    return node.kind == ReachabilityGraph::Kind::DataStore ? label + QObject::tr(" · data store") : label;
}

qreal NodeItem::smallestReadablePointSize()
{
    const QFont smallest = QFontDatabase::systemFont(QFontDatabase::SmallestReadableFont);
    const qreal normal = QApplication::font().pointSizeF();
    // Some platforms have no such font (a point size of -1), and Qt's generic Unix theme answers
    // 12 points, above its normal 9: then the small size desktops use, a little below the normal.
    const qreal size = smallest.pointSizeF();
    return size > 0 && size < normal ? size : normal * 0.85;
}

QRectF NodeItem::boundingRect() const
{
    return QRectF(-3, -3, GraphLayout::kNodeWidth + 6, GraphLayout::kNodeHeight + 6);
}

QPointF NodeItem::inPort() const
{
    return pos() + QPointF(0, GraphLayout::kNodeHeight / 2);
}

QPointF NodeItem::outPort() const
{
    return pos() + QPointF(GraphLayout::kNodeWidth, GraphLayout::kNodeHeight / 2);
}

void NodeItem::setEmphasis(bool highlighted, bool dimmed)
{
    if (highlighted == m_highlighted && dimmed == m_dimmed)
        return;
    m_highlighted = highlighted;
    m_dimmed = dimmed;
    setOpacity(dimmed ? 0.5 : 1.0); // off the path, but still legible
    setZValue(highlighted ? 4 : 2);
    update();
}

void NodeItem::setChangeMark(const QString& mark)
{
    if (mark == m_changeMark)
        return;
    m_changeMark = mark;
    update();
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    const QPalette pal = QApplication::palette();
    const qreal lod = QStyleOptionGraphicsItem::levelOfDetailFromTransform(painter->worldTransform());
    painter->setRenderHint(QPainter::Antialiasing, lod > 0.3);
    NodeLook look;
    look.fill = pal.color(QPalette::Base);
    if (m_node.kind == ReachabilityGraph::Kind::DataStore && m_hasFindings)
        look.fill
            = Theme::isDark() ? Theme::severityColor(m_worst).darker(260) : Theme::severityColor(m_worst).lighter(185);
    look.border = isSelected() ? pal.color(QPalette::Highlight)
                               : (m_highlighted ? nodeAccent(m_node.kind) : pal.color(QPalette::Mid));
    look.borderWidth = isSelected() || m_highlighted ? 2.5 : 1.0;
    look.dashed = m_node.aggregate();
    look.text = pal.color(QPalette::Text);
    look.subText = pal.color(QPalette::PlaceholderText);
    look.boldTitle = m_highlighted || isSelected();
    // Names never shrink below the platform's smallest readable size: zoomed out, the text grows
    // in the scene (and the kind label goes) until even the name alone no longer fits the box.
    static const qreal smallest = smallestReadablePointSize(); // asked once: thousands of nodes repaint
    look.minPointSize = smallest / std::max<qreal>(lod, 0.01);
    painter->setFont(QApplication::font());
    paintNode(painter, QRectF(0, 0, GraphLayout::kNodeWidth, GraphLayout::kNodeHeight), m_node.kind,
        QString::fromStdString(m_node.name), kindLabel(m_node), look);
    if (!m_changeMark.isEmpty() && lod >= 0.45) {
        // A pill on the top edge, right: what changed against the baseline.
        QFont f = QApplication::font();
        f.setPointSizeF(f.pointSizeF() * 0.72);
        f.setBold(true);
        painter->setFont(f);
        const QString text = m_changeMark.toUpper();
        const qreal w = QFontMetricsF(f).horizontalAdvance(text) + 10;
        const QRectF pill(GraphLayout::kNodeWidth - w - 4, -7, w, 14);
        const QColor fill = m_changeMark == QLatin1String("new") ? QColor(0xc6, 0x28, 0x28) : QColor(0xe6, 0x7e, 0x00);
        painter->setPen(Qt::NoPen);
        painter->setBrush(fill);
        painter->drawRoundedRect(pill, 7, 7);
        painter->setPen(Qt::white);
        painter->drawText(pill, Qt::AlignCenter, text);
    }
}

} // namespace ew::ui
