#include "nodeitem.h"

#include "theme.h"

#include <QApplication>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

namespace ew::ui {

namespace {
QColor kindColor(ReachabilityGraph::Kind kind)
{
    switch (kind) {
    case ReachabilityGraph::Kind::Internet:
        return QColor(0x6d, 0x4c, 0xc2);
    case ReachabilityGraph::Kind::Frontend:
        return QColor(0x1f, 0x8a, 0x9e);
    case ReachabilityGraph::Kind::Filter:
        return QColor(0x5b, 0x6b, 0x7d);
    case ReachabilityGraph::Kind::Compute:
        return QColor(0x2f, 0x7d, 0x32);
    case ReachabilityGraph::Kind::DataStore:
        return QColor(0xb2, 0x3c, 0x17);
    }
    return Qt::gray;
}

QString glyph(ReachabilityGraph::Kind kind)
{
    switch (kind) {
    case ReachabilityGraph::Kind::Internet:
        return QStringLiteral("◎");
    case ReachabilityGraph::Kind::Frontend:
        return QStringLiteral("⇥");
    case ReachabilityGraph::Kind::Filter:
        return QStringLiteral("▤");
    case ReachabilityGraph::Kind::Compute:
        return QStringLiteral("▣");
    case ReachabilityGraph::Kind::DataStore:
        return QStringLiteral("⛁");
    }
    return {};
}
} // namespace

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
    const QString type = QString::fromStdString(node.type).toLower();
    if (node.kind == ReachabilityGraph::Kind::Internet)
        return QObject::tr("any internet address");
    if (type.endsWith(QLatin1String("publicipaddresses")))
        return QObject::tr("public IP");
    if (type.endsWith(QLatin1String("loadbalancers")))
        return QObject::tr("load balancer");
    if (type.endsWith(QLatin1String("networksecuritygroups")))
        return QObject::tr("network security group");
    if (type.endsWith(QLatin1String("/firewall")))
        return QObject::tr("service firewall");
    if (type.endsWith(QLatin1String("virtualmachines")))
        return node.kind == ReachabilityGraph::Kind::DataStore ? QObject::tr("VM · data store")
                                                               : QObject::tr("virtual machine");
    if (type.endsWith(QLatin1String("networkinterfaces")))
        return QObject::tr("network interface");
    const int slash = type.indexOf(QLatin1Char('/'));
    return slash > 0 ? QString::fromStdString(node.type).mid(slash + 1) : QString::fromStdString(node.type);
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
    setOpacity(dimmed ? 0.28 : 1.0);
    setZValue(highlighted ? 4 : 2);
    update();
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*)
{
    const QPalette pal = QApplication::palette();
    const QRectF r(0, 0, GraphLayout::kNodeWidth, GraphLayout::kNodeHeight);
    const QColor accent = kindColor(m_node.kind);
    const qreal lod = option->levelOfDetailFromTransform(painter->worldTransform());
    painter->setRenderHint(QPainter::Antialiasing, lod > 0.3);
    QColor fill = pal.color(QPalette::Base);
    if (m_node.kind == ReachabilityGraph::Kind::DataStore && m_hasFindings)
        fill = Theme::isDark() ? Theme::severityColor(m_worst).darker(260) : Theme::severityColor(m_worst).lighter(185);
    QPen border(isSelected() ? pal.color(QPalette::Highlight) : (m_highlighted ? accent : pal.color(QPalette::Mid)),
        isSelected() || m_highlighted ? 2.5 : 1.0);
    if (m_node.aggregate())
        border.setStyle(Qt::DashLine);
    painter->setPen(border);
    painter->setBrush(fill);
    painter->drawRoundedRect(r, 6, 6);
    // Level of detail: far away, a coloured box is all that is readable.
    painter->setPen(Qt::NoPen);
    painter->setBrush(accent);
    painter->drawRoundedRect(QRectF(0, 0, 8, r.height()), 4, 4);
    if (lod < 0.45)
        return;
    QFont font = QApplication::font();
    painter->setPen(accent);
    QFont glyphFont = font;
    glyphFont.setPointSizeF(font.pointSizeF() * 1.3);
    painter->setFont(glyphFont);
    painter->drawText(QRectF(12, 0, 22, r.height()), Qt::AlignCenter, glyph(m_node.kind));
    font.setBold(m_highlighted || isSelected());
    painter->setFont(font);
    painter->setPen(pal.color(QPalette::Text));
    const QRectF textRect(38, 4, r.width() - 44, r.height() / 2 - 2);
    const QFontMetricsF fm(font);
    painter->drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter,
        fm.elidedText(QString::fromStdString(m_node.name), Qt::ElideMiddle, textRect.width()));
    QFont small = QApplication::font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    painter->setFont(small);
    painter->setPen(pal.color(QPalette::PlaceholderText));
    painter->drawText(QRectF(38, r.height() / 2, r.width() - 44, r.height() / 2 - 4), Qt::AlignLeft | Qt::AlignVCenter,
        kindLabel(m_node));
}

} // namespace ew::ui
