#include "findingsfiltermodel.h"

#include "findingsmodel.h"

namespace ew::ui {

FindingsFilterModel::FindingsFilterModel(FindingsModel* source, QObject* parent)
    : QSortFilterProxyModel(parent)
    , m_source(source)
{
    setSourceModel(source);
    setSortRole(FindingsModel::SortRole);
    setDynamicSortFilter(true);
}

void FindingsFilterModel::setText(const QString& text)
{
    m_words = text.toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    invalidateRowsFilter();
}

void FindingsFilterModel::setMinimumSeverity(int severity)
{
    m_minSeverity = severity;
    invalidateRowsFilter();
}

void FindingsFilterModel::setEngine(const QString& engine)
{
    m_engine = engine;
    invalidateRowsFilter();
}

void FindingsFilterModel::setPort(std::optional<quint32> port)
{
    m_port = port;
    invalidateRowsFilter();
}

void FindingsFilterModel::setState(int state)
{
    m_state = state;
    invalidateRowsFilter();
}

void FindingsFilterModel::setOnlyChanges(bool only)
{
    m_onlyChanges = only;
    invalidateRowsFilter();
}

bool FindingsFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QModelIndex idx = m_source->index(sourceRow, 0, sourceParent);
    if (m_onlyChanges && idx.data(FindingsModel::ChangeRole).toInt() == 0)
        return false;
    if (m_minSeverity >= 0 && idx.data(FindingsModel::SeverityRole).toInt() < m_minSeverity)
        return false;
    if (m_state >= 0 && idx.data(FindingsModel::StateRole).toInt() != m_state)
        return false;
    if (m_engine != kAnyEngine) {
        const QString engine = idx.data(FindingsModel::EngineRole).toString();
        if (m_engine == kNoEngine ? !engine.isEmpty()
                                  : (m_engine == kAnyDataStore ? engine.isEmpty() : engine != m_engine))
            return false;
    }
    if (m_port) {
        const Finding* f = m_source->finding(sourceRow);
        bool hit = false;
        for (const auto& r : f->ports)
            hit = hit || (r.first <= *m_port && *m_port <= r.last);
        if (!hit)
            return false;
    }
    if (!m_words.isEmpty()) {
        const QString text = idx.data(FindingsModel::SearchTextRole).toString();
        for (const auto& w : m_words)
            if (!text.contains(w))
                return false;
    }
    return true;
}

} // namespace ew::ui
