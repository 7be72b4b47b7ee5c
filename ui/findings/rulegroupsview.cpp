#include "rulegroupsview.h"

#include "rulegroupsmodel.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QScopedValueRollback>

namespace ew::ui {

RuleGroupsView::RuleGroupsView(QAbstractItemModel* rows, QItemSelectionModel* tableSelection, QWidget* parent)
    : QTreeView(parent)
    , m_model(new RuleGroupsModel(rows, this))
    , m_tableSelection(tableSelection)
{
    setObjectName(QStringLiteral("ruleGroups"));
    setAccessibleName(tr("Findings by deciding rule"));
    setModel(m_model);
    setSelectionMode(ExtendedSelection);
    setSelectionBehavior(SelectRows);
    setAlternatingRowColors(true);
    setUniformRowHeights(true);
    setAllColumnsShowFocus(true);
    setTextElideMode(Qt::ElideMiddle);
    header()->setStretchLastSection(true);
    const int ch = fontMetrics().averageCharWidth();
    header()->resizeSection(RuleGroupsModel::NameColumn, 26 * ch);
    header()->resizeSection(RuleGroupsModel::SeverityColumn, 12 * ch);
    header()->resizeSection(RuleGroupsModel::PortsColumn, 22 * ch);
    header()->resizeSection(RuleGroupsModel::SourcesColumn, 22 * ch);
    // A rule's row says it all in one line across the columns.
    connect(m_model, &QAbstractItemModel::modelReset, this, [this]() {
        for (int g = 0; g < m_model->rowCount(); ++g)
            setFirstColumnSpanned(g, QModelIndex(), true);
    });
    connect(selectionModel(), &QItemSelectionModel::selectionChanged, this, &RuleGroupsView::selectInTable);
    connect(selectionModel(), &QItemSelectionModel::currentRowChanged, this, &RuleGroupsView::selectInTable);
    connect(m_tableSelection, &QItemSelectionModel::currentRowChanged, this, &RuleGroupsView::followTable);
    // Regrouped (a filter, a new analysis): the table's current finding stays current here.
    connect(m_model, &QAbstractItemModel::modelReset, this, &RuleGroupsView::followTable);
}

void RuleGroupsView::setAnalysis(std::shared_ptr<const AnalysisData> analysis)
{
    m_model->setAnalysis(std::move(analysis));
}

void RuleGroupsView::setActive(bool active)
{
    m_model->setActive(active);
    if (active)
        followTable();
}

void RuleGroupsView::selectInTable()
{
    if (m_syncing)
        return;
    const QAbstractItemModel* rows = m_tableSelection->model();
    QItemSelection selection;
    std::vector<int> all;
    for (const QModelIndex& index : selectionModel()->selectedRows())
        for (const int r : m_model->sourceRows(index))
            all.push_back(r);
    // The table's current finding is what the inspector and the graph's labels show: this view's
    // current finding, or the first of its current rule.
    const std::vector<int> current = m_model->sourceRows(currentIndex());
    for (const int r : all)
        selection.select(rows->index(r, 0), rows->index(r, rows->columnCount() - 1));
    const QScopedValueRollback guard(m_syncing, true);
    m_tableSelection->select(selection, QItemSelectionModel::ClearAndSelect);
    if (!current.empty())
        m_tableSelection->setCurrentIndex(rows->index(current.front(), 0), QItemSelectionModel::NoUpdate);
}

void RuleGroupsView::followTable()
{
    if (m_syncing || !m_model->isActive())
        return;
    const QModelIndex current = m_tableSelection->currentIndex();
    const QModelIndex here = current.isValid() ? m_model->indexOfSourceRow(current.row()) : QModelIndex();
    if (!here.isValid() || here == currentIndex())
        return;
    const QScopedValueRollback guard(m_syncing, true);
    expand(here.parent());
    selectionModel()->setCurrentIndex(here, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    // The rule it is under in view with it when it is among the rule's first findings (a view not
    // laid out yet applies only its last scrollTo).
    if (here.row() < 8)
        scrollTo(here.parent(), PositionAtTop);
    else
        scrollTo(here, PositionAtCenter);
}

} // namespace ew::ui
