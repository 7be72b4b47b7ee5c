#pragma once

#include "findings/filterexpression.h"

#include <QSortFilterProxyModel>

#include <optional>

namespace ew::ui {

class FindingsModel;

/// Sorting (by FindingsModel::SortRole; names in natural order, vm-2 before vm-10) and the filter
/// bar's criteria over FindingsModel.
class FindingsFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    /// Engine filter values besides an engine id.
    static inline const QString kAnyEngine = QStringLiteral("*");
    static inline const QString kNoEngine = QStringLiteral("-");
    static inline const QString kAnyDataStore = QStringLiteral("+");

    explicit FindingsFilterModel(FindingsModel* source, QObject* parent = nullptr);

    /// A filter expression (core's FilterExpression: fields, and, or, not, parentheses); bare
    /// words must all match the free text (case-insensitive), and a number also matches a finding
    /// whose ports include it ("9200" finds tcp/9200-9300). Text that does not parse keeps the
    /// previous expression and sets filterError() until text that parses comes.
    void setText(const QString& text);
    struct Error
    {
        int column = 0; // 0-based, in the QString given to setText
        QString message;
    };
    /// Why the last text given to setText does not parse; nullopt when it does.
    const std::optional<Error>& filterError() const { return m_error; }
    void setMinimumSeverity(int severity); // -1: any
    void setEngine(const QString& engine); // kAnyEngine, kNoEngine, kAnyDataStore or an engine id
    void setPort(std::optional<quint32> port); // findings whose ports include it
    void setState(int state); // -1: any, else ew::TriageState
    void setOnlyChanges(bool only); // only findings new or changed against the comparison

Q_SIGNALS:
    /// Around every change of the criteria: rows come and go between the two (the window keeps
    /// the selection of findings that are filtered out and back in).
    void criteriaAboutToChange();
    void criteriaChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    void refilter();
    FindingsModel* m_source;
    FilterExpression m_expression;
    std::optional<Error> m_error;
    int m_minSeverity = -1;
    QString m_engine = kAnyEngine;
    std::optional<quint32> m_port;
    int m_state = -1;
    bool m_onlyChanges = false;
};

} // namespace ew::ui
