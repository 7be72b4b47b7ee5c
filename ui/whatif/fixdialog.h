#pragma once

#include "whatif/smallestfix.h"

#include <QDialog>

class QTreeWidget;
class QTextBrowser;

namespace ew::ui {

/// The smallest-fix proposals for one finding, best first, each with what it closes, narrows,
/// opens and the allowed traffic it would stop. "Try It" applies the chosen one as a what-if edit.
class FixDialog : public QDialog
{
    Q_OBJECT
public:
    FixDialog(const QString& findingTitle, std::vector<FixProposal> proposals, QWidget* parent = nullptr);
    /// The proposal to try (after exec() returned Accepted); -1 when none.
    int chosen() const;
    QTreeWidget* list() const { return m_list; }
    QTextBrowser* details() const { return m_details; }

private:
    void showDetails();
    std::vector<FixProposal> m_proposals;
    QTreeWidget* m_list;
    QTextBrowser* m_details;
};

} // namespace ew::ui
