#include "nodepainter.h"

#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>

namespace ew::ui {

QColor nodeAccent(ReachabilityGraph::Kind kind)
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

QColor severityColor(Severity s)
{
    switch (s) {
    case Severity::Critical:
        return QColor(0xc6, 0x28, 0x28);
    case Severity::High:
        return QColor(0xe6, 0x6a, 0x00);
    case Severity::Medium:
        return QColor(0xf2, 0xb7, 0x05);
    case Severity::Low:
        return QColor(0x3b, 0x82, 0xc4);
    case Severity::Info:
        return QColor(0x80, 0x86, 0x8b);
    }
    return Qt::gray;
}

QString nodeGlyph(ReachabilityGraph::Kind kind)
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

void paintNode(QPainter* painter, const QRectF& r, ReachabilityGraph::Kind kind, const QString& name,
    const QString& label, const NodeLook& look)
{
    painter->save();
    const QColor accent = nodeAccent(kind);
    QPen border(look.border, look.borderWidth);
    if (look.dashed)
        border.setStyle(Qt::DashLine);
    painter->setPen(border);
    painter->setBrush(look.fill);
    painter->drawRoundedRect(r, 6, 6);
    painter->setPen(Qt::NoPen);
    painter->setBrush(accent);
    painter->drawRoundedRect(QRectF(r.left(), r.top(), 8, r.height()), 4, 4);
    if (!look.detailed) {
        painter->restore();
        return;
    }
    QFont font = painter->font();
    QFont title = font;
    title.setBold(look.boldTitle);
    title.setPointSizeF(std::max(font.pointSizeF(), look.minPointSize));
    QFont small = font;
    small.setPointSizeF(std::max(font.pointSizeF() * 0.85, look.minPointSize));
    const qreal titleHeight = QFontMetricsF(title).height();
    const bool twoLines = titleHeight + QFontMetricsF(small).height() <= r.height() - 2;
    if (!twoLines && titleHeight > r.height() - 2) {
        painter->restore(); // text this size does not fit: the box only
        return;
    }
    QFont glyphFont = font;
    glyphFont.setPointSizeF(std::min<qreal>(title.pointSizeF() * 1.3, 15)); // its column is 22 units wide
    painter->setFont(glyphFont);
    painter->setPen(accent);
    painter->drawText(QRectF(r.left() + 12, r.top(), 22, r.height()), Qt::AlignCenter, nodeGlyph(kind));
    painter->setFont(title);
    painter->setPen(look.text);
    const QRectF titleRect = twoLines ? QRectF(r.left() + 38, r.top() + 3, r.width() - 44, r.height() / 2 - 2)
                                      : QRectF(r.left() + 38, r.top(), r.width() - 44, r.height());
    painter->drawText(titleRect, Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetricsF(title).elidedText(name, Qt::ElideMiddle, titleRect.width()));
    if (!twoLines) {
        painter->restore();
        return;
    }
    painter->setFont(small);
    painter->setPen(look.subText);
    const QRectF labelRect(r.left() + 38, r.top() + r.height() / 2, r.width() - 44, r.height() / 2 - 3);
    painter->drawText(labelRect, Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetricsF(small).elidedText(label, Qt::ElideRight, labelRect.width()));
    painter->restore();
}

} // namespace ew::ui
