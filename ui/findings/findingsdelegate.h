#pragma once

#include <QStyledItemDelegate>

namespace ew::ui {

/// Draws the severity column as a coloured badge with its name, greys settled findings (fixed,
/// false positive) in every column, and frames the current row while the table has the focus
/// (the style's dotted focus rectangle around one cell is barely visible). Display only (STYLE 12).
class FindingsDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

private:
    void paintCurrentRowFrame(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const;

protected:
    void initStyleOption(QStyleOptionViewItem* option, const QModelIndex& index) const override;
};

} // namespace ew::ui
