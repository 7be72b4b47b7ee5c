#pragma once

#include <nlohmann/json.hpp>

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace ew::ui {

/// Edits one NSG rule for a what-if (add or change): the fields of the Azure portal's rule form,
/// addresses and ports comma-separated. The result is the rule as the az CLI writes it; the
/// engine checks it (errors are shown with setError and the dialog stays open).
class RuleEditDialog : public QDialog
{
    Q_OBJECT
public:
    RuleEditDialog(const QString& title, const QString& nsgName, const nlohmann::json& rule, QWidget* parent = nullptr);
    nlohmann::json rule() const;
    void setError(const QString& error);

    QLineEdit* nameEdit() const { return m_name; }
    QSpinBox* priorityEdit() const { return m_priority; }
    QComboBox* accessEdit() const { return m_access; }
    QLineEdit* sourcesEdit() const { return m_sources; }
    QLineEdit* portsEdit() const { return m_ports; }

private:
    QLineEdit* m_name;
    QSpinBox* m_priority;
    QComboBox* m_access;
    QComboBox* m_protocol;
    QLineEdit* m_sources;
    QLineEdit* m_destinations;
    QLineEdit* m_ports;
    QLineEdit* m_description;
    QLabel* m_error;
    nlohmann::json m_original;
};

} // namespace ew::ui
