#pragma once

#include <QStyledItemDelegate>

namespace ew::ui {

/// Draws the severity column as a coloured badge with its name, and greys settled findings
/// (fixed, false positive) in every column. Display only (STYLE 12).
class FindingsDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override;
};

} // namespace ew::ui
