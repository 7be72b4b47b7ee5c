#include "compare/comparecontroller.h"

#include "actions/actionmanager.h"
#include "jobs/analysisjob.h"
#include "review/reviewdocument.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>

#include <utility>

namespace ew::ui {

CompareController::CompareController(ReviewDocument* document, ActionManager* actions, QWidget* window)
    : QObject(window)
    , m_document(document)
    , m_actions(actions)
    , m_window(window)
    , m_job(new AnalysisJob(this))
{
    m_job->setReadsFindings(true);
    connect(m_job, &AnalysisJob::finished, this, [this](std::shared_ptr<const AnalysisData> baseline) {
        if (baseline->fromFindings && baseline->snapshot.hasErrors()) {
            Q_EMIT failed(tr("Cannot compare"),
                tr("The findings file %1 cannot be read: %2")
                    .arg(m_baselineName, QString::fromStdString(baseline->snapshot.diagnostics.front().toString())));
            return;
        }
        if (baseline->snapshot.hasErrors()) {
            Q_EMIT failed(tr("Cannot compare"),
                tr("The snapshot %1 has errors; no comparison is made on input that could not "
                   "be read exactly.")
                    .arg(m_baselineName));
            return;
        }
        m_baseline = std::move(baseline);
        m_actions->action(QStringLiteral("compare-only-changes"))->setChecked(false);
        Q_EMIT baselineReady(!std::exchange(m_quiet, false));
        Q_EMIT message(tr("Compared with %1.").arg(m_baselineName));
    });
    connect(m_job, &AnalysisJob::cancelled, this, &CompareController::cancelled);
    createActions(actions);
}

CompareController::~CompareController()
{
    m_job->cancel();
    m_job->waitForFinished();
}

void CompareController::createActions(ActionManager* actions)
{
    connect(actions->add("compare-with", tr("&Compare With Snapshot…"), QKeySequence(tr("Ctrl+Shift+D"))),
        &QAction::triggered, this, [this]() {
            const QString dir = QFileDialog::getExistingDirectory(
                m_window, tr("Compare with an older (or newer) export folder"), m_document->baseDir());
            if (!dir.isEmpty())
                compareWith({ dir });
        });
    connect(actions->add("compare-previous", tr("Compare With &Previous Snapshot")), &QAction::triggered, this,
        [this]() { compareWithPrevious(); });
    connect(
        actions->add("compare-with-findings", tr("Compare With &Findings File…")), &QAction::triggered, this, [this]() {
            const QString file = QFileDialog::getOpenFileName(m_window,
                tr("Compare with the findings JSON of an earlier analysis (exposure-findings/1 or /2)"),
                m_document->baseDir(), tr("Findings JSON (*.json)"));
            if (!file.isEmpty())
                compareWith({ file });
        });
    connect(actions->add("compare-stop", tr("&Stop Comparing")), &QAction::triggered, this, &CompareController::stop);
    QAction* only = actions->add("compare-only-changes", tr("Show &Only Changes"), QKeySequence(tr("Ctrl+Shift+C")));
    only->setCheckable(true);
    connect(only, &QAction::toggled, this, &CompareController::onlyChangesToggled);
}

void CompareController::compareWith(const QStringList& inputs, bool planPrior)
{
    m_baselineName = planPrior ? tr("the plan's prior state (before apply)") : ReviewDocument::snapshotName(inputs);
    m_quiet = false;
    Q_EMIT started(tr("Analysing %1 for the comparison…").arg(m_baselineName));
    m_job->start(inputs, m_document->review().dataStores, m_document->baseDir(), planPrior);
}

void CompareController::stop()
{
    m_job->cancel(); // a comparison still being prepared is not wanted either
    m_baseline.reset();
    m_actions->action(QStringLiteral("compare-stop"))->setEnabled(false);
}

bool CompareController::compareWithPrevious(bool automatic)
{
    QStringList missing;
    const QStringList previous = m_document->previousSnapshotInputs(&missing);
    if (previous.isEmpty()) {
        Q_EMIT message(tr("This review has no earlier snapshot to compare with."));
        return false;
    }
    if (!missing.isEmpty()) {
        Q_EMIT message(tr("The review's previous snapshot is no longer at %1: choose it with Compare With Snapshot….")
                           .arg(QDir::toNativeSeparators(missing.join(QStringLiteral(", ")))));
        return false;
    }
    compareWith(previous);
    m_quiet = automatic;
    Q_EMIT message(
        tr("Comparing with the review's previous snapshot (%1).").arg(ReviewDocument::snapshotName(previous)));
    return true;
}

void CompareController::takeBaseline(std::shared_ptr<const AnalysisData> previous, const QString& name)
{
    if (!previous)
        return;
    m_baseline = std::move(previous);
    m_baselineName = name;
}

bool CompareController::isRunning() const
{
    return m_job->isRunning();
}

const std::shared_ptr<const Comparison>& CompareController::update(
    const std::shared_ptr<const AnalysisData>& current, const std::shared_ptr<const AnalysisData>& whatIfBase)
{
    std::shared_ptr<const Comparison> c;
    if (current && whatIfBase)
        c = Comparison::make(whatIfBase, current, tr("the real snapshot (before the what-if edits)"));
    else if (current && m_baseline)
        c = Comparison::make(m_baseline, current, m_baselineName);
    m_comparison = std::move(c);
    m_actions->action(QStringLiteral("compare-stop"))->setEnabled(m_baseline != nullptr);
    QAction* only = m_actions->action(QStringLiteral("compare-only-changes"));
    only->setEnabled(m_comparison != nullptr);
    if (!m_comparison)
        only->setChecked(false);
    return m_comparison;
}

void CompareController::updateActions(bool haveData)
{
    m_actions->action(QStringLiteral("compare-with"))->setEnabled(haveData);
    m_actions->action(QStringLiteral("compare-with-findings"))->setEnabled(haveData);
    m_actions->action(QStringLiteral("compare-previous"))
        ->setEnabled(haveData && !m_document->review().history.empty());
}

} // namespace ew::ui
