#pragma once

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;

namespace ew::ui {

class FindingsFilterModel;

/// The filter bar over the findings table (Wireshark's display filter, in plain widgets): free
/// text, minimum severity, data-store engine, port and triage state. Esc clears the text or port
/// being typed; when nothing matches, a hint says so and how to clear.
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

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void updateHint();
    FindingsFilterModel* m_model;
    QLineEdit* m_text;
    QComboBox* m_severity;
    QComboBox* m_engine;
    QLineEdit* m_port;
    QComboBox* m_state;
    QLabel* m_hint;
};

} // namespace ew::ui
