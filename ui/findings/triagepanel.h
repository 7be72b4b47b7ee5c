#pragma once

#include "findings/finding.h"
#include "review/review.h"

#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace ew::ui {

class ReviewDocument;

/// Edits the triage of the selected findings (one or many) and the data-store marking of the
/// current finding's target. Every change goes through the review's undo stack.
class TriagePanel : public QWidget
{
    Q_OBJECT
public:
    explicit TriagePanel(ReviewDocument* document, QWidget* parent = nullptr);
    /// The findings the panel edits; the first is the current one.
    void setSelection(std::vector<const Finding*> findings);

    /// Applies the state, owner and note shown to every selected finding (one undo step).
    void apply();
    /// Sets only the state of the selected findings (one undo step).
    void setState(TriageState state);
    void markDataStore(const QString& engine); // "" = not a data store
    void clearDataStoreMarking();

    QComboBox* stateBox() const { return m_state; }
    QLineEdit* ownerEdit() const { return m_owner; }
    QPlainTextEdit* noteEdit() const { return m_note; }
    QLineEdit* dueEdit() const { return m_due; }
    QLineEdit* expiresEdit() const { return m_expires; }
    QPushButton* applyButton() const { return m_apply; }
    QLabel* problemLabel() const { return m_problem; }

private:
    void refresh();
    ReviewDocument* m_document;
    std::vector<const Finding*> m_selection;
    QLabel* m_heading;
    QComboBox* m_state;
    QLineEdit* m_owner;
    QPlainTextEdit* m_note;
    QLineEdit* m_due; // YYYY-MM-DD, empty: the due policy's
    QLineEdit* m_expires; // accepted risks and false positives: the last day they hold
    QLabel* m_problem; // why Apply refused (a date that is not one)
    QPushButton* m_apply;
    QLabel* m_storeLabel;
    QComboBox* m_engine;
    QPushButton* m_mark;
    QPushButton* m_notStore;
    QPushButton* m_clearMark;
};

} // namespace ew::ui
