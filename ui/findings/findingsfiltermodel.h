#pragma once

#include <QSortFilterProxyModel>

#include <optional>

namespace ew::ui {

class FindingsModel;

/// Sorting (by FindingsModel::SortRole) and the filter bar's criteria over FindingsModel.
class FindingsFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    /// Engine filter values besides an engine id.
    static inline const QString kAnyEngine = QStringLiteral("*");
    static inline const QString kNoEngine = QStringLiteral("-");
    static inline const QString kAnyDataStore = QStringLiteral("+");

    explicit FindingsFilterModel(FindingsModel* source, QObject* parent = nullptr);

    void setText(const QString& text); // words, all must match (case-insensitive)
    void setMinimumSeverity(int severity); // -1: any
    void setEngine(const QString& engine); // kAnyEngine, kNoEngine, kAnyDataStore or an engine id
    void setPort(std::optional<quint32> port); // findings whose ports include it
    void setState(int state); // -1: any, else ew::TriageState
    void setOnlyChanges(bool only); // only findings new or changed against the comparison

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    FindingsModel* m_source;
    QStringList m_words;
    int m_minSeverity = -1;
    QString m_engine = kAnyEngine;
    std::optional<quint32> m_port;
    int m_state = -1;
    bool m_onlyChanges = false;
};

} // namespace ew::ui
