#pragma once

#include "inspector/ruleinspector.h"
#include "jobs/analysisdata.h"
#include "whatif/smallestfix.h"
#include "whatif/whatif.h"

#include <QObject>

#include <functional>
#include <memory>
#include <vector>

class QWidget;

namespace ew::ui {

class ActionManager;
class JobTracker;
class ReviewDocument;
class WhatIfSession;

/// What-if edits of the real snapshot: the session (prepared in the background on first use),
/// edits as undoable commands, the review's saved scenario, smallest-fix proposals, the rule
/// inspector's context menu and the What If menu's actions. The window shows what it publishes.
class WhatIfController : public QObject
{
    Q_OBJECT
public:
    /// window: the parent of the dialogs and menus; jobs: where the session is prepared.
    WhatIfController(ReviewDocument* document, JobTracker* jobs, ActionManager* actions, QWidget* window);

    /// The findings selected in the window, the current one first (what the fix and the context
    /// menu act on).
    void setSelection(std::function<std::vector<const Finding*>()> selection) { m_selection = std::move(selection); }
    /// Interactive: dialogs are shown; else (tests, --screenshot) nothing waits for an answer.
    void setInteractive(bool interactive) { m_interactive = interactive; }

    /// Runs `then` once the session for the current real analysis exists.
    void prepare(std::function<void()> then);
    /// Applies an edit as an undoable command; false (and the reason) when the engine refuses it.
    bool apply(const WhatIfEdit& edit, QString* error = nullptr);
    WhatIfSession* session() const { return m_session.get(); }
    /// What-if edits are what the window shows (not the real snapshot).
    bool isShown() const;
    /// The real snapshot the shown edits compare with, while they are shown.
    std::shared_ptr<const AnalysisData> shownBase() const;
    /// Back to the real snapshot (the scenario stays in the review).
    void end();
    /// The real analysis changed: the session's base is gone (the scenario stays in the review).
    void reset() { m_session.reset(); }
    /// Shows the review's saved scenario: its edits applied to the real snapshot.
    void replayScenario();
    /// The smallest-fix dialog for the selected finding.
    void proposeFix();
    /// The same proposals without the dialog (tests, scripting).
    std::vector<FixProposal> fixProposals(const std::string& findingId);
    /// The rule inspector's context menu: edit, disable, delete, add or detach, as what-if edits.
    void ruleMenu(const RuleInspector::RuleContext& context, const QPoint& globalPos);

    void updateActions(bool haveData, bool haveSelection);

Q_SIGNALS:
    /// The session is being prepared (busy), or is ready.
    void preparing(const QString& what);
    void prepared();
    /// What to show changed: `shown`, the edited estate (edits true) or the real one again when no
    /// edit is left; `delta`, what the last edit (or the replayed scenario) opened, changed and
    /// closed, counted as compare counts (ChangedFinding, findingDifferences).
    void published(const std::shared_ptr<const AnalysisData>& shown, const FindingsDelta& delta, bool edits);
    /// The real snapshot is shown again (Back to the Real Snapshot).
    void ended();
    /// Nothing to show (no scenario to replay).
    void idle();
    void failed(const QString& title, const QString& message);
    void message(const QString& text);

private:
    void createActions(ActionManager* actions);
    void publish(const FindingsDelta& delta);
    void editRuleDialog(const QString& nsgId, const QString& ruleName);

    ReviewDocument* m_document;
    JobTracker* m_jobs;
    ActionManager* m_actions;
    QWidget* m_window;
    std::function<std::vector<const Finding*>()> m_selection;
    bool m_interactive = true;
    std::shared_ptr<WhatIfSession> m_session;
    std::vector<std::function<void()>> m_whenReady;
};

} // namespace ew::ui
