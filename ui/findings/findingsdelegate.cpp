#include "findingsdelegate.h"

#include "findingsmodel.h"
#include "review/review.h"
#include "theme.h"

#include <QApplication>
#include <QPainter>

namespace ew::ui {

void FindingsDelegate::initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    const auto state = static_cast<TriageState>(index.data(FindingsModel::StateRole).toInt());
    if (state == TriageState::Fixed || state == TriageState::FalsePositive)
        option->palette.setColor(QPalette::Text, option->palette.color(QPalette::Disabled, QPalette::Text));
}

void FindingsDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    if (index.column() != FindingsModel::SeverityColumn) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
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
