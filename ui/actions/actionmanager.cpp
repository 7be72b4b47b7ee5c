#include "actionmanager.h"

#include <QAction>
#include <QIcon>
#include <QWidget>

#include <set>

namespace ew::ui {

ActionManager::ActionManager(QWidget* window)
    : QObject(window)
    , m_window(window)
{ }

QAction* ActionManager::add(
    const char* id, const QString& text, const QKeySequence& key, QStyle::StandardPixmap icon, const char* themeIcon)
{
    auto* a = new QAction(text, m_window);
    a->setObjectName(QString::fromLatin1(id));
    if (!key.isEmpty())
        a->setShortcut(key);
    if (themeIcon || icon != QStyle::SP_CustomBase)
        a->setIcon(QIcon::fromTheme(QString::fromLatin1(themeIcon ? themeIcon : ""),
            icon != QStyle::SP_CustomBase ? m_window->style()->standardIcon(icon) : QIcon()));
    return adopt(a);
}

QAction* ActionManager::adopt(QAction* a)
{
    Q_ASSERT_X(!a->objectName().isEmpty() && !m_actions.count(a->objectName()), "ActionManager::adopt",
        qPrintable(a->objectName()));
    m_actions[a->objectName()] = a;
    m_window->addAction(a);
    return a;
}

QAction* ActionManager::action(const QString& id) const
{
    auto it = m_actions.find(id);
    return it == m_actions.end() ? nullptr : it->second;
}

std::vector<QAction*> ActionManager::actions() const
{
    std::vector<QAction*> out;
    for (const auto& [id, a] : m_actions)
        out.push_back(a);
    return out;
}

std::vector<QKeySequence> ActionManager::ambiguousShortcuts() const
{
    std::map<QString, int> uses;
    std::vector<QKeySequence> out;
    for (const auto& [id, a] : m_actions)
        for (const auto& key : a->shortcuts())
            if (!key.isEmpty() && ++uses[key.toString(QKeySequence::PortableText)] == 2)
                out.push_back(key);
    return out;
}

} // namespace ew::ui
