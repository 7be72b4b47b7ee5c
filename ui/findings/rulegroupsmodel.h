#pragma once

#include "findings/rulegroups.h"
#include "jobs/analysisdata.h"

#include <QAbstractItemModel>

#include <memory>

namespace ew::ui {

/// The findings the table shows, grouped by the rule that lets them in (a finding that needs two
/// rules is under both): a tree over the table's filter model, whose rows it follows. A group
/// row says the rule and how many findings and data stores it admits, with its worst severity's
/// colour; a finding row shows the table's own cells.
class RuleGroupsModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    /// A group row has its text in the first column, spanning the others in the view.
    enum Columns { NameColumn, SeverityColumn, PortsColumn, SourcesColumn, StateColumn, ColumnCount };
    enum Roles {
        SourceRowRole = Qt::UserRole + 100, // int: the row in the source model (finding rows only)
        FindingIdRole, // QString, finding rows only
        GroupRole, // int: the group's index (group and finding rows)
    };

    /// source: the findings filter model (FindingsModel's columns and roles).
    explicit RuleGroupsModel(QAbstractItemModel* source, QObject* parent = nullptr);

    /// The findings the source's rows point into (FindingsModel::FindingIndexRole).
    void setAnalysis(std::shared_ptr<const AnalysisData> data);
    /// Off: the groups are not kept up to date (nothing shows them), and the model is empty.
    void setActive(bool active);
    bool isActive() const { return m_active; }
    const std::vector<RuleGroup>& groups() const { return m_groups; }
    /// The source rows of a group's findings, or of the one finding of a finding row.
    std::vector<int> sourceRows(const QModelIndex& index) const;
    /// The first finding row that stands for this source row (a finding is in several groups).
    QModelIndex indexOfSourceRow(int sourceRow) const;

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void rebuild();
    int sourceColumn(int column) const;
    QAbstractItemModel* m_source;
    std::shared_ptr<const AnalysisData> m_data;
    bool m_active = false;
    std::vector<RuleGroup> m_groups; // finding indices are into m_rows
    std::vector<int> m_rows; // source rows of the grouped findings
};

} // namespace ew::ui
