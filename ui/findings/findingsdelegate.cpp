#include "findingsdelegate.h"

#include "findingsmodel.h"
#include "review/review.h"
#include "theme.h"

#include <QApplication>
#include <QHeaderView>
#include <QPainter>
#include <QTableView>

namespace ew::ui {

void FindingsDelegate::initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    // Names keep both ends (the prefix and the number that tell resources apart).
    if (index.column() == FindingsModel::TargetColumn || index.column() == FindingsModel::OwnerColumn)
        option->textElideMode = Qt::ElideMiddle;
    const auto state = static_cast<TriageState>(index.data(FindingsModel::StateRole).toInt());
    if (state == TriageState::Fixed || state == TriageState::FalsePositive)
        option->palette.setColor(QPalette::Text, option->palette.color(QPalette::Disabled, QPalette::Text));
}

void FindingsDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QStyleOptionViewItem base = option;
    base.state &= ~QStyle::State_HasFocus; // the row frame below says it
    if (index.column() != FindingsModel::SeverityColumn) {
        QStyledItemDelegate::paint(painter, base, index);
        paintCurrentRowFrame(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = base;
    initStyleOption(&opt, index);
    opt.text.clear();
    QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    const auto severity = static_cast<Severity>(index.data(FindingsModel::SeverityRole).toInt());
    const QRect badge = option.rect.adjusted(4, 3, -4, -3);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(Theme::severityColor(severity));
    painter->drawRoundedRect(badge, 4, 4);
    painter->setPen(Theme::severityTextColor(severity));
    QFont f = option.font;
    f.setBold(true);
    painter->setFont(f);
    painter->drawText(badge, Qt::AlignCenter, Theme::severityTitle(severity));
    painter->restore();
    paintCurrentRowFrame(painter, option, index);
}

void FindingsDelegate::paintCurrentRowFrame(
    QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const auto* view = qobject_cast<const QTableView*>(option.widget);
    if (!view || !view->hasFocus() || view->currentIndex().row() != index.row())
        return;
    // One frame around the whole row: every cell draws its top and bottom edge, the first and last
    // visible columns their outer edges (columns can be moved and hidden).
    const QHeaderView* header = view->horizontalHeader();
    const int visual = header->visualIndex(index.column());
    bool first = true, last = true;
    for (int v = 0; v < header->count(); ++v)
        if (!header->isSectionHidden(header->logicalIndex(v))) {
            first = first && v >= visual;
            last = last && v <= visual;
        }
    const bool selected = option.state & QStyle::State_Selected;
    QPen pen(option.palette.color(QPalette::Active, selected ? QPalette::Text : QPalette::Highlight), 2);
    pen.setCapStyle(Qt::FlatCap);
    painter->save();
    painter->setPen(pen);
    const QRectF r = QRectF(option.rect).adjusted(1, 1, -1, -1);
    painter->drawLine(QPointF(option.rect.left(), r.top()), QPointF(option.rect.right() + 1, r.top()));
    painter->drawLine(QPointF(option.rect.left(), r.bottom()), QPointF(option.rect.right() + 1, r.bottom()));
    if (first)
        painter->drawLine(r.topLeft(), r.bottomLeft());
    if (last)
        painter->drawLine(r.topRight(), r.bottomRight());
    painter->restore();
}

QSize FindingsDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QSize s = QStyledItemDelegate::sizeHint(option, index);
    if (index.column() == FindingsModel::SeverityColumn)
        s.setWidth(std::max(s.width(), option.fontMetrics.horizontalAdvance(QStringLiteral("Critical")) + 22));
    s.setHeight(std::max(s.height(), option.fontMetrics.height() + 10));
    return s;
}

} // namespace ew::ui
