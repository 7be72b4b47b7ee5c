#include "findingsmodel.h"

#include "review/reviewdocument.h"
#include "theme.h"

namespace ew::ui {

namespace {

QString portsText(const Finding& f)
{
    QString protocol = QString::fromStdString(f.protocol);
    if (f.protocol == "other" || (f.protocol == "icmp" && f.icmpTypes.empty()))
        return protocol;
    return protocol + QLatin1Char(' ') + QString::fromStdString(portsOrTypes(f));
}

QString sourcesText(const Finding& f)
{
    if (f.wholeInternet)
        return FindingsModel::tr("any internet address");
    QStringList parts;
    for (std::size_t i = 0; i < f.sources.size() && i < 3; ++i)
        parts << QString::fromStdString(f.sources[i]);
    QString s = parts.join(QLatin1String(", "));
    if (f.sources.size() > 3)
        s += FindingsModel::tr(" and %1 more").arg(f.sources.size() - 3);
    return s;
}

} // namespace

FindingsModel::FindingsModel(ReviewDocument* document, QObject* parent)
    : QAbstractTableModel(parent)
    , m_document(document)
{
    connect(document, &ReviewDocument::decisionsChanged, this, &FindingsModel::decisionsChanged);
}

int FindingsModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() || !m_data)
        return 0;
    return static_cast<int>(m_data->result.findings.size());
}

int FindingsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const Finding* FindingsModel::finding(int row) const
{
    if (!m_data || row < 0 || row >= rowCount())
        return nullptr;
    return &m_data->result.findings[static_cast<std::size_t>(row)];
}

int FindingsModel::rowOf(const std::string& findingId) const
{
    if (!m_data)
        return -1;
    auto it = m_data->findingIndex.find(findingId);
    return it == m_data->findingIndex.end() ? -1 : static_cast<int>(it->second);
}

Decision FindingsModel::decision(int row) const
{
    const Finding* f = finding(row);
    return f ? m_document->decision(f->id) : Decision();
}

void FindingsModel::setAnalysis(std::shared_ptr<const AnalysisData> data)
{
    beginResetModel();
    m_data = std::move(data);
    // Exposed since: as the report says it (core's exposedSince over the review's timeline), once
    // per analysis; a review without earlier snapshots has nothing to tell.
    m_exposedSince.clear();
    if (const auto timeline = m_document->timeline(); m_data && timeline.size() >= 2) {
        m_exposedSince.reserve(m_data->result.findings.size());
        for (const auto& f : m_data->result.findings)
            m_exposedSince.push_back(QString::fromStdString(exposedSince(timeline, f.id)));
    }
    endResetModel();
}

void FindingsModel::setComparison(std::shared_ptr<const Comparison> comparison)
{
    m_comparison = std::move(comparison);
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0, ChangeColumn), index(rowCount() - 1, ChangeColumn));
}

void FindingsModel::decisionsChanged(const QStringList& ids)
{
    for (const auto& id : ids) {
        const int row = rowOf(id.toStdString());
        if (row >= 0)
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
}

QVariant FindingsModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Finding& f = *finding(index.row());
    const Decision d = m_document->decision(f.id);
    switch (role) {
    case SeverityRole:
        return static_cast<int>(f.severity);
    case StateRole:
        return static_cast<int>(d.state);
    case FindingIdRole:
        return QString::fromStdString(f.id);
    case FindingIndexRole:
        return index.row();
    case EngineRole:
        return QString::fromStdString(f.dataStore.engine);
    case TargetIdRole:
        return QString::fromStdString(normaliseId(f.target.id));
    case ChangeRole:
        return static_cast<int>(m_comparison ? m_comparison->changeOf(f.id) : Comparison::Change::None);
    case ExposedSinceRole:
        return m_exposedSince.empty() ? QString() : m_exposedSince[static_cast<std::size_t>(index.row())];
    case SearchTextRole: {
        QString s = QString::fromStdString(f.target.name + ' ' + f.id + ' ' + f.dataStore.engine + ' ' + f.protocol
            + ' ' + formatPortRanges(f.ports) + ' ' + f.frontendAddress + ' ' + d.owner + ' ' + d.note + ' '
            + f.foothold.name);
        for (const auto& src : f.sources)
            s += QLatin1Char(' ') + QString::fromStdString(src);
        for (const auto& r : f.rules)
            s += QLatin1Char(' ') + QString::fromStdString(r.filterName + ' ' + r.ruleName);
        return s.toLower();
    }
    default:
        break;
    }
    if (role == SortRole) {
        switch (index.column()) {
        case SeverityColumn:
            return static_cast<int>(f.severity);
        case StateColumn:
            return static_cast<int>(d.state);
        case PortsColumn:
            return f.ports.empty() ? -1 : static_cast<int>(f.ports.front().first);
        case HopsColumn:
            return f.hops;
        case SourcesColumn:
            return f.wholeInternet ? 0 : static_cast<int>(f.sources.size());
        case ChangeColumn:
            return data(index, ChangeRole);
        case ExposedSinceColumn:
            return data(index, ExposedSinceRole); // YYYY-MM-DD sorts as text
        default:
            return data(index, Qt::DisplayRole).toString().toLower();
        }
    }
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case SeverityColumn:
            return role == Qt::ToolTipRole ? QString::fromStdString(f.severityReason)
                                           : Theme::severityTitle(f.severity);
        case StateColumn:
            return QString::fromLatin1(triageStateTitle(d.state));
        case TargetColumn:
            return role == Qt::ToolTipRole ? QString::fromStdString(f.target.id)
                                           : QString::fromStdString(f.target.name);
        case DataStoreColumn:
            if (role == Qt::ToolTipRole)
                return QString::fromStdString(f.dataStore.reason);
            return f.dataStore.engine.empty() ? QString() : QString::fromStdString(f.dataStore.engine);
        case ProtocolColumn:
            return QString::fromStdString(f.protocol);
        case PortsColumn:
            return portsText(f);
        case SourcesColumn:
            if (role == Qt::ToolTipRole) {
                QStringList all;
                for (const auto& s : f.sources)
                    all << QString::fromStdString(s);
                return all.join(QLatin1Char('\n'));
            }
            return sourcesText(f);
        case HopsColumn:
            return f.hops;
        case FrontendColumn:
            return QString::fromStdString(f.frontendAddress);
        case OwnerColumn:
            return QString::fromStdString(d.owner);
        case NoteColumn:
            return QString::fromStdString(d.note);
        case IdColumn:
            return QString::fromStdString(f.id);
        case ChangeColumn: {
            if (!m_comparison)
                return {};
            const auto change = m_comparison->changeOf(f.id);
            if (role == Qt::ToolTipRole && change == Comparison::Change::Changed) {
                QStringList what;
                for (const auto& w : m_comparison->changed.at(f.id)->what)
                    what << QString::fromStdString(w);
                return tr("Changed since %1: %2").arg(m_comparison->baselineName, what.join(QStringLiteral(", ")));
            }
            if (role == Qt::ToolTipRole && change == Comparison::Change::New)
                return tr("Not in %1").arg(m_comparison->baselineName);
            return Comparison::changeName(change);
        }
        case ExposedSinceColumn: {
            const QString since = data(index, ExposedSinceRole).toString();
            if (role == Qt::ToolTipRole && !since.isEmpty())
                return tr("Exposed since %1: the first of this review's snapshots that has it").arg(since);
            return since;
        }
        default:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() == HopsColumn)
        return QVariant::fromValue(Qt::AlignCenter);
    return {};
}

QVariant FindingsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SeverityColumn:
        return tr("Severity");
    case StateColumn:
        return tr("State");
    case TargetColumn:
        return tr("Target");
    case DataStoreColumn:
        return tr("Data store");
    case ProtocolColumn:
        return tr("Proto");
    case PortsColumn:
        return tr("Ports");
    case SourcesColumn:
        return tr("From");
    case HopsColumn:
        return tr("Hops");
    case FrontendColumn:
        return tr("Frontend");
    case OwnerColumn:
        return tr("Owner");
    case NoteColumn:
        return tr("Note");
    case IdColumn:
        return tr("Id");
    case ChangeColumn:
        return tr("Change");
    case ExposedSinceColumn:
        return tr("Exposed since");
    default:
        return {};
    }
}

} // namespace ew::ui
