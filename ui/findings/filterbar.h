#pragma once

#include <QList>
#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QToolButton;

namespace ew::ui {

class FindingsFilterModel;

/// The filter bar over the findings table (Wireshark's display filter, in plain widgets): a filter
/// expression or free text (FindingsFilterModel::setText), minimum severity, data-store engine,
/// port and triage state. Esc clears the text or port being typed; when nothing matches, a hint
/// says so and how to clear; an expression that does not parse is shown in red with where and why
/// (the table keeps the last filter that parsed). Expressions can be saved under a name
/// (Settings::savedFilters), picked again and removed from the Saved menu.
class FilterBar : public QWidget
{
    Q_OBJECT
public:
    explicit FilterBar(FindingsFilterModel* model, QWidget* parent = nullptr);
    /// Offers the engines present in the current findings.
    void setEngines(const QStringList& engines);
    void focusText();
    void clear();

    QLineEdit* textEdit() const { return m_text; }
    QComboBox* severityBox() const { return m_severity; }
    QComboBox* engineBox() const { return m_engine; }
    QLineEdit* portEdit() const { return m_port; }
    QComboBox* stateBox() const { return m_state; }
    QLabel* hint() const { return m_hint; }
    QToolButton* savedFiltersButton() const { return m_saved; }
    QMenu* savedFiltersMenu() const { return m_savedMenu; }

    /// The saved filters' names, sorted.
    QStringList savedFilterNames() const;
    /// Saves an expression under a name (replacing one of the same name).
    void saveFilter(const QString& name, const QString& expression);
    void removeSavedFilter(const QString& name);
    /// Puts the saved expression in the text box (and so applies it); false when there is none.
    bool applySavedFilter(const QString& name);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void updateHint();
    void updateSavedMenu();
    void askAndSaveFilter();
    FindingsFilterModel* m_model;
    QLineEdit* m_text;
    QComboBox* m_severity;
    QComboBox* m_engine;
    QLineEdit* m_port;
    QComboBox* m_state;
    QLabel* m_hint;
    QToolButton* m_saved;
    QMenu* m_savedMenu;
    QList<QAction*> m_savedActions; // one per saved filter, or "No saved filters"
    QAction* m_savedSeparator = nullptr;
    QAction* m_saveAction = nullptr;
    QMenu* m_removeMenu = nullptr;
};

} // namespace ew::ui
