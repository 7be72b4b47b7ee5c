#pragma once

#include "compare/comparison.h"
#include "jobs/analysisdata.h"

#include <QObject>
#include <QStringList>

#include <memory>

class QWidget;

namespace ew::ui {

class ActionManager;
class AnalysisJob;
class ReviewDocument;

/// Comparing what is shown with another snapshot: an older export analysed in the background, the
/// findings file of an earlier analysis, the review's previous snapshot, or the prior state of a
/// Terraform plan. Owns the baseline and the Compare menu's actions; the window shows the
/// comparison it makes (update()).
class CompareController : public QObject
{
    Q_OBJECT
public:
    /// window: the parent of the file dialogs the actions open.
    CompareController(ReviewDocument* document, ActionManager* actions, QWidget* window);
    /// Waits for a baseline still being analysed (its work reads the document's settings).
    ~CompareController() override;
    CompareController(const CompareController&) = delete;
    CompareController& operator=(const CompareController&) = delete;

    /// Analyses these inputs in the background as the baseline; planPrior: the prior state of the
    /// Terraform plan the inputs are (what applying it would change).
    void compareWith(const QStringList& inputs, bool planPrior = false);
    /// No baseline any more (one being prepared is cancelled).
    void stop();
    /// Compares with the latest earlier snapshot of the review's history; automatic: made by
    /// itself on opening a review (the side pane stays as it was). False, with a message, when
    /// there is none or its files are gone.
    bool compareWithPrevious(bool automatic = false);
    /// The analysis the review had before its new snapshot: what changed since the last review.
    void takeBaseline(std::shared_ptr<const AnalysisData> previous, const QString& name);

    bool isRunning() const;
    bool hasBaseline() const { return m_baseline != nullptr; }
    /// The comparison of what is shown: with the real snapshot while what-if edits are shown
    /// (whatIfBase), else with the baseline, else none.
    const std::shared_ptr<const Comparison>& update(
        const std::shared_ptr<const AnalysisData>& current, const std::shared_ptr<const AnalysisData>& whatIfBase);
    const std::shared_ptr<const Comparison>& comparison() const { return m_comparison; }

    /// Enables the Compare menu's actions for what there is.
    void updateActions(bool haveData);

Q_SIGNALS:
    /// A baseline is being analysed (busy progress with this text).
    void started(const QString& what);
    /// The baseline is ready (the window compares); asked: the analyst asked for it, so the
    /// Changes tab comes forward.
    void baselineReady(bool asked);
    /// The baseline could not be read.
    void failed(const QString& title, const QString& message);
    void cancelled();
    void message(const QString& text);
    /// Show only the changes (the Compare menu's toggle).
    void onlyChangesToggled(bool on);

private:
    void createActions(ActionManager* actions);

    ReviewDocument* m_document;
    ActionManager* m_actions;
    QWidget* m_window;
    AnalysisJob* m_job;
    QString m_baselineName;
    std::shared_ptr<const AnalysisData> m_baseline;
    std::shared_ptr<const Comparison> m_comparison;
    bool m_quiet = false; // the running comparison was not asked for
};

} // namespace ew::ui
