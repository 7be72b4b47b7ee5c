#pragma once

#include "jobs/analysisdata.h"

#include <QTreeView>

#include <memory>

class QItemSelectionModel;

namespace ew::ui {

class RuleGroupsModel;

/// The findings table grouped by deciding rule: a tree over the table's rows that shares the
/// table's selection, so that the graph, the inspector and triage follow whichever of the two the
/// analyst uses. Selecting a rule selects every finding it admits.
class RuleGroupsView : public QTreeView
{
    Q_OBJECT
public:
    /// rows: the table's (filter) model; tableSelection: the table's selection model.
    RuleGroupsView(QAbstractItemModel* rows, QItemSelectionModel* tableSelection, QWidget* parent = nullptr);
    RuleGroupsModel* groupsModel() const { return m_model; }
    void setAnalysis(std::shared_ptr<const AnalysisData> analysis);
    /// Shown or not: hidden, the groups are not kept up to date.
    void setActive(bool active);

private:
    void selectInTable();
    void followTable();
    RuleGroupsModel* m_model;
    QItemSelectionModel* m_tableSelection;
    bool m_syncing = false;
};

} // namespace ew::ui
