#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLineEdit;

namespace ew::ui {

/// Asks for a new review's title and reviewer before it is opened, with defaults the analyst
/// confirms or changes; Cancel opens nothing.
class NewReviewDialog : public QDialog
{
    Q_OBJECT
public:
    /// `what` names the inputs (shown above the fields).
    NewReviewDialog(const QString& what, const QString& title, const QString& reviewer, QWidget* parent = nullptr);
    QString title() const;
    QString reviewer() const;

    QLineEdit* titleEdit() const { return m_title; }
    QLineEdit* reviewerEdit() const { return m_reviewer; }
    QDialogButtonBox* buttons() const { return m_buttons; }

private:
    QLineEdit* m_title;
    QLineEdit* m_reviewer;
    QDialogButtonBox* m_buttons;
};

} // namespace ew::ui
