#include "findingsfiltermodel.h"

#include "compare/comparison.h"
#include "findingsmodel.h"

#include <algorithm>
#include <string>

namespace ew::ui {

namespace {

// Natural order, whatever the locale: runs of digits compare as numbers ("vm-2" < "vm-10"), the
// rest without case. (QCollator's numeric mode depends on the locale: under the tests' C locale it
// sorted vm-10 before vm-2.)
int naturalCompare(const QString& a, const QString& b)
{
    qsizetype i = 0;
    qsizetype j = 0;
    while (i < a.size() && j < b.size()) {
        if (a[i].isDigit() && b[j].isDigit()) {
            qsizetype ei = i;
            qsizetype ej = j;
            while (ei < a.size() && a[ei].isDigit())
                ++ei;
            while (ej < b.size() && b[ej].isDigit())
                ++ej;
            // Without leading zeros the longer number is the larger; of the same length, the first digit that differs.
            qsizetype si = i;
            qsizetype sj = j;
            while (si + 1 < ei && a[si] == QLatin1Char('0'))
                ++si;
            while (sj + 1 < ej && b[sj] == QLatin1Char('0'))
                ++sj;
            if (ei - si != ej - sj)
                return ei - si < ej - sj ? -1 : 1;
            if (const int c = QStringView(a).mid(si, ei - si).compare(QStringView(b).mid(sj, ej - sj)); c != 0)
                return c;
            i = ei;
            j = ej;
            continue;
        }
        const QChar ca = a[i].toCaseFolded();
        const QChar cb = b[j].toCaseFolded();
        if (ca != cb)
            return ca < cb ? -1 : 1;
        ++i;
        ++j;
    }
    if (i < a.size() || j < b.size())
        return i < a.size() ? 1 : -1;
    return 0;
}

} // namespace

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
    const QByteArray utf8 = text.toUtf8();
    FilterError error;
    auto expression
        = FilterExpression::parse(std::string_view(utf8.constData(), static_cast<std::size_t>(utf8.size())), error);
    if (!expression) {
        // The error's place in characters, not UTF-8 bytes.
        const auto column = QString::fromUtf8(utf8.left(static_cast<qsizetype>(error.position))).size();
        m_error = Error { static_cast<int>(column), QString::fromStdString(error.message) };
        return; // the table keeps the last expression that parsed
    }
    m_error.reset();
    m_expression = std::move(*expression);
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
    if (m_port && std::none_of(f->ports.begin(), f->ports.end(), [this](const auto& r) {
            return r.first <= *m_port && *m_port <= r.last;
        }))
        return false;
    if (!m_expression.isEmpty()) {
        const Decision d = m_source->decision(sourceRow);
        const auto change = static_cast<Comparison::Change>(idx.data(FindingsModel::ChangeRole).toInt());
        const std::string text = m_expression.usesText()
            ? idx.data(FindingsModel::SearchTextRole).toString().toStdString()
            : std::string();
        const FilterSubject subject { f, d.state, d.owner, d.note,
            change == Comparison::Change::New           ? FilterSubject::Change::New
                : change == Comparison::Change::Changed ? FilterSubject::Change::Changed
                                                        : FilterSubject::Change::None,
            text };
        if (!m_expression.matches(subject))
            return false;
    }
    return true;
}

bool FindingsFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const QVariant l = left.data(sortRole());
    const QVariant r = right.data(sortRole());
    if (l.typeId() == QMetaType::QString && r.typeId() == QMetaType::QString) {
        const int c = naturalCompare(l.toString(), r.toString());
        if (c != 0)
            return c < 0;
    }
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace ew::ui
