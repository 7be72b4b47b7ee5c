#pragma once

#include "model/snapshot.h"

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace ew::ui {

/// The problems found in the input, per file: errors, warnings (assumptions) and skipped files,
/// plus the differences between the review's recorded snapshot and the files read now.
class ProblemsView : public QWidget
{
    Q_OBJECT
public:
    explicit ProblemsView(QWidget* parent = nullptr);
    void setProblems(const Snapshot& snapshot, const QStringList& identityChanges, const QStringList& extra);
    void clear();
    int errorCount() const { return m_errors; }
    int warningCount() const { return m_warnings; }
    QTreeWidget* tree() const { return m_tree; }

Q_SIGNALS:
    /// A problem was activated: show where it is.
    void openLocation(const QString& file, const QString& pointerOrLine);

private:
    QLabel* m_summary;
    QTreeWidget* m_tree;
    int m_errors = 0;
    int m_warnings = 0;
};

} // namespace ew::ui
