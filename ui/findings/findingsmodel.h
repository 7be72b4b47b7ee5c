#pragma once

#include "compare/comparison.h"
#include "jobs/analysisdata.h"

#include <QAbstractTableModel>

#include <memory>
#include <vector>

namespace ew::ui {

class ReviewDocument;

/// The findings of the current analysis with the analyst's triage, one row per finding. Raw data
/// only (STYLE 12): colours and badges are drawn by FindingsDelegate.
class FindingsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Columns {
        SeverityColumn,
        StateColumn,
        TargetColumn,
        DataStoreColumn,
        ProtocolColumn,
        PortsColumn,
        SourcesColumn,
        HopsColumn,
        FrontendColumn,
        OwnerColumn,
        NoteColumn,
        IdColumn,
        ChangeColumn, // against the comparison's baseline (shown while comparing)
        ExposedSinceColumn, // the first of the review's snapshots that has it (shown when it has a history)
        ColumnCount
    };
    enum Roles {
        SortRole = Qt::UserRole + 1, // numbers for numeric columns
        SeverityRole, // int (ew::Severity)
        StateRole, // int (ew::TriageState)
        FindingIdRole, // QString
        FindingIndexRole, // int into AnalysisResult::findings
        EngineRole, // QString, "" when not a data store
        TargetIdRole, // QString, normalised resource id
        SearchTextRole, // everything the text filter matches against (ports as written), lower case
        ChangeRole, // int (Comparison::Change)
        ExposedSinceRole, // QString YYYY-MM-DD, "" without a history
    };
    Q_ENUM(Columns)

    explicit FindingsModel(ReviewDocument* document, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    /// Full swap (beginResetModel/endResetModel).
    void setAnalysis(std::shared_ptr<const AnalysisData> data);
    /// The comparison the Change column shows (nullptr: none); it must be of the current analysis.
    void setComparison(std::shared_ptr<const Comparison> comparison);
    const std::shared_ptr<const Comparison>& comparison() const { return m_comparison; }
    const Finding* finding(int row) const;
    /// The review's decision about the finding of this row, as it holds today.
    Decision decision(int row) const;
    /// Whether the review has snapshots before the current one (the Exposed since column has data).
    bool hasHistory() const { return !m_exposedSince.empty(); }
    int rowOf(const std::string& findingId) const;

private:
    void decisionsChanged(const QStringList& ids);
    ReviewDocument* m_document;
    std::shared_ptr<const AnalysisData> m_data;
    std::shared_ptr<const Comparison> m_comparison;
    std::vector<QString> m_exposedSince; // per row; empty without a history
};

} // namespace ew::ui
