#include "findingsfiltermodel.h"

#include "findingsmodel.h"

#include <algorithm>

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
    m_words.clear();
    for (const auto& w : text.toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        bool number = false;
        const uint port = w.toUInt(&number);
        m_words.push_back({ w, number && port <= 65535 ? std::optional<quint32>(port) : std::nullopt });
    }
    refilter();
}

void FindingsFilterModel::refilter()
{
    Q_EMIT criteriaAboutToChange();
    invalidateRowsFilter();
    Q_EMIT criteriaChanged();
}

void FindingsFilterModel::setMinimumSeverity(int severity)
{
    m_minSeverity = severity;
    refilter();
}

void FindingsFilterModel::setEngine(const QString& engine)
{
    m_engine = engine;
    refilter();
}

void FindingsFilterModel::setPort(std::optional<quint32> port)
{
    m_port = port;
    refilter();
}

void FindingsFilterModel::setState(int state)
{
    m_state = state;
    refilter();
}

void FindingsFilterModel::setOnlyChanges(bool only)
{
    m_onlyChanges = only;
    refilter();
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
    const Finding* f = m_source->finding(sourceRow);
    auto hasPort = [f](quint32 port) {
        return std::any_of(
            f->ports.begin(), f->ports.end(), [port](const auto& r) { return r.first <= port && port <= r.last; });
    };
    if (m_port && !hasPort(*m_port))
        return false;
    if (!m_words.empty()) {
        const QString text = idx.data(FindingsModel::SearchTextRole).toString();
        for (const auto& w : m_words)
            if (!text.contains(w.text) && !(w.port && hasPort(*w.port)))
                return false;
    }
    return true;
}

} // namespace ew::ui
