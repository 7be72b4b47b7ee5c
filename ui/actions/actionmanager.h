#pragma once

#include <QKeySequence>
#include <QObject>
#include <QStyle>

#include <map>
#include <vector>

class QAction;
class QWidget;

namespace ew::ui {

/// The window's actions by id (Tiled's ActionManager, one per window): whoever owns an action's
/// behaviour creates it here, and menus, tool bars, tests and --screenshot --action find it by id.
/// Actions are added to the window, so their shortcuts work wherever the focus is in it.
class ActionManager : public QObject
{
    Q_OBJECT
public:
    explicit ActionManager(QWidget* window);

    /// A new action with this id (unique), text, shortcut and icon (a theme icon, else the
    /// style's standard pixmap).
    QAction* add(const char* id, const QString& text, const QKeySequence& key = {},
        QStyle::StandardPixmap icon = QStyle::SP_CustomBase, const char* themeIcon = nullptr);
    /// An action made elsewhere (QUndoStack's undo and redo), registered under its object name.
    QAction* adopt(QAction* action);
    /// The action with this id, or nullptr.
    QAction* action(const QString& id) const;
    std::vector<QAction*> actions() const;
    /// Shortcuts that more than one action uses (each such key once): none, or Qt triggers neither.
    std::vector<QKeySequence> ambiguousShortcuts() const;

private:
    QWidget* m_window;
    std::map<QString, QAction*> m_actions;
};

} // namespace ew::ui
