#pragma once

#include <QSettings>
#include <QVariant>

namespace ew::ui {

/// A typed setting: one key and its default, read and written through QSettings (Tiled's
/// Preference<T>). Every setting of the workbench is declared once in Settings below.
template <typename T> class Preference
{
public:
    Preference(const char* key, T defaultValue)
        : m_key(QString::fromLatin1(key))
        , m_default(std::move(defaultValue))
    { }
    T get() const
    {
        QSettings s;
        const QVariant v = s.value(m_key);
        return v.isValid() && v.canConvert<T>() ? v.value<T>() : m_default;
    }
    void set(const T& value) const
    {
        QSettings s;
        s.setValue(m_key, QVariant::fromValue(value));
    }
    const QString& key() const { return m_key; }

private:
    QString m_key;
    T m_default;
};

struct Settings
{
    static inline const Preference<QByteArray> windowGeometry { "window/geometry", {} };
    static inline const Preference<QByteArray> windowState { "window/state", {} };
    static inline const Preference<QByteArray> mainSplitter { "window/mainSplitter", {} };
    static inline const Preference<QByteArray> rightSplitter { "window/rightSplitter", {} };
    static inline const Preference<QByteArray> findingsHeader { "findings/header", {} };
    // Whether the analyst sized the findings columns (else they follow the window's width).
    static inline const Preference<bool> findingsColumnsByHand { "findings/columnsByHand", false };
    static inline const Preference<QStringList> recentFiles { "recentFiles", {} };
    // The findings filter's saved expressions: name -> expression text.
    static inline const Preference<QVariantMap> savedFilters { "findings/savedFilters", {} };
    static inline const Preference<QString> theme { "view/theme", QStringLiteral("system") }; // system, light, dark
    // The last reviewer named for a new review: the next new review's default (shown, not applied).
    static inline const Preference<QString> reviewer { "review/reviewer", {} };
    static inline const Preference<int> autosaveSeconds { "review/autosaveSeconds", 60 };
    static constexpr int kMaxRecentFiles = 10;
};

} // namespace ew::ui
