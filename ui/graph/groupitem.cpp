#include "groupitem.h"

#include <QApplication>
#include <QGraphicsSceneMouseEvent>
#include <QPainter>
#include <QPalette>
#include <QStyleOptionGraphicsItem>

namespace ew::ui {

GroupItem::GroupItem(const GraphLayout::Group& group)
    : m_group(group)
{
    setPos(group.x, group.y);
    setZValue(group.kind == "vnet" ? -2 : -1);
    setToolTip(QString::fromStdString(group.id));
}

QRectF GroupItem::boundingRect() const
{
    return QRectF(0, 0, m_group.width, m_group.height);
}

QRectF GroupItem::headerRect() const
{
    return QRectF(0, 0, m_group.width, m_group.kind == "vnet" ? 28 : 24);
}

void GroupItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*)
{
    const QPalette pal = QApplication::palette();
    const bool vnet = m_group.kind == "vnet";
    QColor fill = pal.color(QPalette::AlternateBase);
    QColor line = pal.color(QPalette::Mid);
    if (vnet)
        fill = fill.darker(pal.color(QPalette::Window).lightness() < 128 ? 90 : 104);
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(line, 1, vnet ? Qt::SolidLine : Qt::DashLine));
    painter->setBrush(fill);
    painter->drawRoundedRect(boundingRect(), 8, 8);
    if (option->levelOfDetailFromTransform(painter->worldTransform()) < 0.35)
        return;
    QFont f = QApplication::font();
    f.setBold(vnet);
    painter->setFont(f);
    painter->setPen(pal.color(QPalette::WindowText));
    const QString marker = m_group.collapsed ? QStringLiteral("▸ ") : QStringLiteral("▾ ");
    const QString kind = vnet ? tr("VNet") : m_group.kind == "subnet" ? tr("subnet") : QString();
    QString text = marker + QString::fromStdString(m_group.name);
    if (!kind.isEmpty())
        text += QStringLiteral("  ·  ") + kind;
    text += QStringLiteral("  ·  ") + tr("%n resource(s) on paths", nullptr, static_cast<int>(m_group.members));
    painter->drawText(headerRect().adjusted(10, 0, -10, 0), Qt::AlignLeft | Qt::AlignVCenter, text);
}

void GroupItem::mousePressEvent(QGraphicsSceneMouseEvent* event)
{
    if (event->button() == Qt::LeftButton && headerRect().contains(event->pos())) {
        Q_EMIT toggled(QString::fromStdString(m_group.id));
        event->accept();
        return;
    }
    QGraphicsObject::mousePressEvent(event);
}

} // namespace ew::ui
