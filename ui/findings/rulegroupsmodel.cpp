#include "rulegroupsmodel.h"

#include "findingsmodel.h"
#include "theme.h"

#include <QFont>

namespace ew::ui {

namespace {
// A group row's internal id; a finding row's is its group's index + 1.
constexpr quintptr kGroupRow = 0;
} // namespace

RuleGroupsModel::RuleGroupsModel(QAbstractItemModel* source, QObject* parent)
    : QAbstractItemModel(parent)
    , m_source(source)
{
    // The groups follow the table's rows: filtering, sorting and new analyses regroup; a change of
    // cells (a triage decision) repaints.
    connect(source, &QAbstractItemModel::modelReset, this, &RuleGroupsModel::rebuild);
    connect(source, &QAbstractItemModel::layoutChanged, this, &RuleGroupsModel::rebuild);
    connect(source, &QAbstractItemModel::rowsInserted, this, &RuleGroupsModel::rebuild);
    connect(source, &QAbstractItemModel::rowsRemoved, this, &RuleGroupsModel::rebuild);
    connect(source, &QAbstractItemModel::dataChanged, this, [this]() {
        for (int g = 0; g < static_cast<int>(m_groups.size()); ++g) {
            const QModelIndex group = index(g, 0);
            if (const int n = rowCount(group))
                Q_EMIT dataChanged(index(0, 0, group), index(n - 1, ColumnCount - 1, group));
        }
    });
}

void RuleGroupsModel::setAnalysis(std::shared_ptr<const AnalysisData> data)
{
    m_data = std::move(data);
    rebuild();
}

void RuleGroupsModel::setActive(bool active)
{
    if (active == m_active)
        return;
    m_active = active;
    rebuild();
}

void RuleGroupsModel::rebuild()
{
    beginResetModel();
    m_groups.clear();
    m_rows.clear();
    if (m_active && m_data) {
        const auto& all = m_data->result.findings;
        std::vector<const Finding*> findings;
        for (int r = 0; r < m_source->rowCount(); ++r) {
            const int i = m_source->index(r, 0).data(FindingsModel::FindingIndexRole).toInt();
            if (i < 0 || static_cast<std::size_t>(i) >= all.size())
                continue;
            findings.push_back(&all[static_cast<std::size_t>(i)]);
            m_rows.push_back(r);
        }
        m_groups = groupByDecidingRule(findings);
    }
    endResetModel();
}

std::vector<int> RuleGroupsModel::sourceRows(const QModelIndex& index) const
{
    std::vector<int> rows;
    if (!index.isValid())
        return rows;
    if (index.internalId() == kGroupRow) {
        for (const std::size_t k : m_groups[static_cast<std::size_t>(index.row())].findings)
            rows.push_back(m_rows[k]);
    } else {
        const auto& g = m_groups[index.internalId() - 1];
        rows.push_back(m_rows[g.findings[static_cast<std::size_t>(index.row())]]);
    }
    return rows;
}

QModelIndex RuleGroupsModel::indexOfSourceRow(int sourceRow) const
{
    for (std::size_t g = 0; g < m_groups.size(); ++g)
        for (std::size_t k = 0; k < m_groups[g].findings.size(); ++k)
            if (m_rows[m_groups[g].findings[k]] == sourceRow)
                return createIndex(static_cast<int>(k), 0, static_cast<quintptr>(g) + 1);
    return {};
}

QModelIndex RuleGroupsModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, kGroupRow);
    return createIndex(row, column, static_cast<quintptr>(parent.row()) + 1);
}

QModelIndex RuleGroupsModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == kGroupRow)
        return {};
    return createIndex(static_cast<int>(child.internalId() - 1), 0, kGroupRow);
}

int RuleGroupsModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return static_cast<int>(m_groups.size());
    if (parent.column() != 0 || parent.internalId() != kGroupRow)
        return 0;
    return static_cast<int>(m_groups[static_cast<std::size_t>(parent.row())].findings.size());
}

int RuleGroupsModel::columnCount(const QModelIndex&) const
{
    return ColumnCount;
}

int RuleGroupsModel::sourceColumn(int column) const
{
    switch (column) {
    case NameColumn:
        return FindingsModel::TargetColumn;
    case SeverityColumn:
        return FindingsModel::SeverityColumn;
    case PortsColumn:
        return FindingsModel::PortsColumn;
    case SourcesColumn:
        return FindingsModel::SourcesColumn;
    case StateColumn:
        return FindingsModel::StateColumn;
    default:
        return -1;
    }
}

QVariant RuleGroupsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    if (index.internalId() != kGroupRow) {
        const auto& g = m_groups[index.internalId() - 1];
        const int row = m_rows[g.findings[static_cast<std::size_t>(index.row())]];
        switch (role) {
        case SourceRowRole:
            return row;
        case FindingIdRole:
            return m_source->index(row, 0).data(FindingsModel::FindingIdRole);
        case GroupRole:
            return static_cast<int>(index.internalId() - 1);
        default:
            break;
        }
        const int column = sourceColumn(index.column());
        if (column < 0)
            return {};
        if (role == Qt::DecorationRole && index.column() == SeverityColumn)
            return Theme::severityColor(
                static_cast<Severity>(m_source->index(row, 0).data(FindingsModel::SeverityRole).toInt()));
        return m_source->index(row, column).data(role);
    }
    const RuleGroup& g = m_groups[static_cast<std::size_t>(index.row())];
    switch (role) {
    case GroupRole:
        return index.row();
    case Qt::DecorationRole:
        return index.column() == NameColumn || index.column() == SeverityColumn
            ? QVariant(Theme::severityColor(g.worst))
            : QVariant();
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: {
            const int n = static_cast<int>(g.findings.size());
            const QString admits = g.dataStores ? tr("%n finding(s), %1 on data stores", nullptr, n).arg(g.dataStores)
                                                : tr("%n finding(s)", nullptr, n);
            return tr("%1  ·  %2, the worst %3")
                .arg(QString::fromStdString(g.title()), admits, Theme::severityTitle(g.worst).toLower());
        }
        case SeverityColumn:
            return Theme::severityTitle(g.worst);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == NameColumn) {
            if (g.ruleName.empty() && g.ruleId.empty())
                return tr("Findings no rule of the export admits: open to the internet unless configured otherwise.");
            return tr("%1 rule %2 of %3 lets these findings in; changing it is the first fix to consider.\n%4")
                .arg(QString::fromStdString(g.level), QString::fromStdString(g.ruleName),
                    QString::fromStdString(g.filterName),
                    QString::fromStdString(g.ruleId.empty() ? g.filterId : g.ruleId));
        }
        return {};
    case Qt::FontRole:
        if (index.column() == NameColumn) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    default:
        return {};
    }
}

QVariant RuleGroupsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Deciding rule / target");
    case SeverityColumn:
        return tr("Severity");
    case PortsColumn:
        return tr("Ports");
    case SourcesColumn:
        return tr("From");
    case StateColumn:
        return tr("State");
    default:
        return {};
    }
}

} // namespace ew::ui
