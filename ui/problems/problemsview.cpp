#include "problemsview.h"

#include <QApplication>
#include <QHeaderView>
#include <QLabel>
#include <QStyle>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <map>

namespace ew::ui {

namespace {
constexpr int kFileRole = Qt::UserRole + 1;
constexpr int kWhereRole = Qt::UserRole + 2;
} // namespace

ProblemsView::ProblemsView(QWidget* parent)
    : QWidget(parent)
    , m_summary(new QLabel(this))
    , m_tree(new QTreeWidget(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_tree->setObjectName(QStringLiteral("problemsTree"));
    m_tree->setHeaderLabels({ tr("Problem"), tr("Where") });
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_tree->setWordWrap(true);
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    layout->addWidget(m_tree, 1);
    auto activate = [this](QTreeWidgetItem* item) {
        const QString file = item->data(0, kFileRole).toString();
        if (!file.isEmpty())
            Q_EMIT openLocation(file, item->data(0, kWhereRole).toString());
    };
    connect(m_tree, &QTreeWidget::itemActivated, this, activate);
    clear();
}

void ProblemsView::clear()
{
    m_tree->clear();
    m_errors = m_warnings = 0;
    m_summary->setText(tr("No input read yet."));
}

void ProblemsView::setProblems(const Snapshot& snapshot, const QStringList& identityChanges, const QStringList& extra)
{
    m_tree->clear();
    m_errors = m_warnings = 0;
    const QStyle* style = QApplication::style();
    const QIcon errorIcon = style->standardIcon(QStyle::SP_MessageBoxCritical);
    const QIcon warningIcon = style->standardIcon(QStyle::SP_MessageBoxWarning);
    const QIcon noteIcon = style->standardIcon(QStyle::SP_MessageBoxInformation);
    std::map<std::string, QTreeWidgetItem*> files;
    auto fileItem = [&](const std::string& file) {
        auto& item = files[file];
        if (!item) {
            item = new QTreeWidgetItem(m_tree);
            item->setText(0, file.empty() ? tr("(estate)") : QString::fromStdString(file));
            item->setData(0, kFileRole, QString::fromStdString(file));
            item->setFirstColumnSpanned(true);
        }
        return item;
    };
    if (!identityChanges.isEmpty() || !extra.isEmpty()) {
        auto* review = new QTreeWidgetItem(m_tree);
        review->setText(0, tr("Review"));
        review->setFirstColumnSpanned(true);
        for (const auto& c : identityChanges + extra) {
            auto* item = new QTreeWidgetItem(review);
            item->setIcon(0, warningIcon);
            item->setText(0, c);
            ++m_warnings;
        }
        review->setExpanded(true);
    }
    for (const auto& d : snapshot.diagnostics) {
        auto* parent = fileItem(d.where.file);
        auto* item = new QTreeWidgetItem(parent);
        item->setText(0, QString::fromStdString(d.message));
        const QString where = !d.where.pointer.empty() ? QString::fromStdString(d.where.pointer)
            : d.where.line > 0                         ? tr("line %1, column %2").arg(d.where.line).arg(d.where.column)
                                                       : QString();
        item->setText(1, where);
        item->setToolTip(0, QString::fromStdString(d.toString()));
        item->setData(0, kFileRole, QString::fromStdString(d.where.file));
        item->setData(0, kWhereRole,
            !d.where.pointer.empty() ? QString::fromStdString(d.where.pointer) : QString::number(d.where.line));
        switch (d.level) {
        case Diagnostic::Level::Error:
            item->setIcon(0, errorIcon);
            ++m_errors;
            break;
        case Diagnostic::Level::Warning:
            item->setIcon(0, warningIcon);
            ++m_warnings;
            break;
        case Diagnostic::Level::Note:
            item->setIcon(0, noteIcon);
            break;
        }
    }
    int skipped = 0;
    for (const auto& f : snapshot.files) {
        if (!f.skipped)
            continue;
        ++skipped;
        auto* item = new QTreeWidgetItem(fileItem(f.path));
        item->setIcon(0, noteIcon);
        item->setText(0, tr("skipped: %1").arg(QString::fromStdString(f.reason)));
        item->setData(0, kFileRole, QString::fromStdString(f.path));
    }
    for (auto& [name, item] : files) {
        item->setText(
            0, item->text(0) + QStringLiteral("  (") + QString::number(item->childCount()) + QLatin1Char(')'));
        item->setExpanded(true);
    }
    m_summary->setText(tr("%1 file(s) read, %2 skipped · %3 error(s), %4 warning(s)")
                           .arg(snapshot.files.size() - static_cast<std::size_t>(skipped))
                           .arg(skipped)
                           .arg(m_errors)
                           .arg(m_warnings));
}

} // namespace ew::ui
