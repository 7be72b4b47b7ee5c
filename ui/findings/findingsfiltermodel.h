#pragma once

#include <QSortFilterProxyModel>

#include <optional>
#include <vector>

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

    /// Words, all must match (case-insensitive); a number also matches a finding whose ports
    /// include it ("9200" finds tcp/9200-9300).
    void setText(const QString& text);
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

private:
    struct Word
    {
        QString text;
        std::optional<quint32> port; // when the word is a port number
    };
    void refilter();
    FindingsModel* m_source;
    std::vector<Word> m_words;
    int m_minSeverity = -1;
    QString m_engine = kAnyEngine;
    std::optional<quint32> m_port;
    int m_state = -1;
    bool m_onlyChanges = false;
};

} // namespace ew::ui
