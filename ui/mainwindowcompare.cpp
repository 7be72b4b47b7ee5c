// MainWindow: comparing with another snapshot, the review's timeline, and what-if edits.
#include "htmltext.h"
#include "mainwindow.h"

#include "findings/findingsfiltermodel.h"
#include "findings/findingsmodel.h"
#include "graph/graphscene.h"
#include "jobs/analysisjob.h"
#include "jobs/jobtracker.h"
#include "report/savefile.h"
#include "review/reviewdocument.h"
#include "theme.h"
#include "whatif/fixdialog.h"
#include "whatif/ruleeditdialog.h"
#include "whatif/whatifcommand.h"
#include "whatif/whatifsession.h"

#include "diff/series.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QProgressBar>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QUndoStack>

#include <algorithm>
#include <utility>

namespace ew::ui {

void MainWindow::createCompareActions()
{
    connect(newAction("compare-with", tr("&Compare With Snapshot…"), QKeySequence(tr("Ctrl+Shift+D"))),
        &QAction::triggered, this, [this]() {
            const QString dir = QFileDialog::getExistingDirectory(
                this, tr("Compare with an older (or newer) export folder"), m_document->baseDir());
            if (!dir.isEmpty())
                compareWith({ dir });
        });
    connect(newAction("compare-previous", tr("Compare With &Previous Snapshot")), &QAction::triggered, this,
        [this]() { compareWithPreviousSnapshot(); });
    connect(
        newAction("compare-with-findings", tr("Compare With &Findings File…")), &QAction::triggered, this, [this]() {
            const QString file = QFileDialog::getOpenFileName(this,
                tr("Compare with the findings JSON of an earlier analysis (exposure-findings/1 or /2)"),
                m_document->baseDir(), tr("Findings JSON (*.json)"));
            if (!file.isEmpty())
                compareWith({ file });
        });
    connect(newAction("compare-stop", tr("&Stop Comparing")), &QAction::triggered, this, &MainWindow::stopComparing);
    QAction* only = newAction("compare-only-changes", tr("Show &Only Changes"), QKeySequence(tr("Ctrl+Shift+C")));
    only->setCheckable(true);
    connect(only, &QAction::toggled, this, [this](bool on) { m_filter->setOnlyChanges(on); });
    connect(
        newAction("open-new-snapshot", tr("Open &New Snapshot in This Review…")), &QAction::triggered, this, [this]() {
            const QString dir = QFileDialog::getExistingDirectory(
                this, tr("The newer export folder of the same estate"), m_document->baseDir());
            if (!dir.isEmpty())
                openNewSnapshot({ dir });
        });

    connect(newAction("whatif-fix", tr("Propose Smallest &Fix…"), QKeySequence(tr("Ctrl+Shift+X"))),
        &QAction::triggered, this, &MainWindow::proposeFix);
    connect(newAction("whatif-remove-pip", tr("&Remove the Public IP of the Selected Path")), &QAction::triggered, this,
        [this]() {
            const auto findings = selectedFindings();
            if (findings.empty())
                return;
            for (const auto& step : findings.front()->path)
                if (step.kind == StepKind::PublicAddress) {
                    WhatIfEdit e;
                    e.kind = WhatIfEdit::Kind::RemovePublicIp;
                    e.resourceId = normaliseId(step.id);
                    prepareWhatIf([this, e]() { applyWhatIf(e); });
                    return;
                }
            report(tr("The selected path has no public IP (it is a load balancer's or a service's endpoint)."));
        });
    connect(newAction("whatif-rename", tr("Rename the &Scenario…")), &QAction::triggered, this, [this]() {
        bool ok = false;
        const auto* s = m_document->scenario();
        const QString name = QInputDialog::getText(this, tr("What-if scenario"), tr("Name:"), QLineEdit::Normal,
            s ? QString::fromStdString(s->name) : tr("Close the Elasticsearch exposure"), &ok);
        if (ok && !name.trimmed().isEmpty())
            m_document->setScenarioName(name.trimmed());
    });
    connect(newAction("whatif-export", tr("&Export the Scenario's Changes…")), &QAction::triggered, this, [this]() {
        const auto* s = m_document->scenario();
        const auto base = m_document->realAnalysis();
        if (!s || !base)
            return;
        const QString file = QFileDialog::getSaveFileName(this, tr("Export the list of changes"),
            m_document->baseDir() + QStringLiteral("/what-if-changes.md"), tr("Markdown (*.md);;Text (*.txt)"));
        if (file.isEmpty())
            return;
        const std::string text = scenarioChangeList(*s, base->snapshot, file.endsWith(QLatin1String(".md")));
        SaveFile out(file);
        if (!out.open(QIODevice::WriteOnly) || out.write(text.data(), static_cast<qint64>(text.size())) < 0
            || !out.commit())
            fail(tr("Cannot export"), tr("%1: %2").arg(file, out.errorString()));
        else
            report(tr("Wrote %1").arg(file));
    });
    connect(
        newAction("whatif-end", tr("&Back to the Real Snapshot")), &QAction::triggered, this, &MainWindow::endWhatIf);
    connect(newAction("whatif-replay", tr("&Show the Review's Scenario")), &QAction::triggered, this,
        &MainWindow::replayScenario);

    m_baselineJob = new AnalysisJob(this);
    m_baselineJob->setReadsFindings(true);
    connect(m_baselineJob, &AnalysisJob::finished, this, [this](std::shared_ptr<const AnalysisData> baseline) {
        m_progress->hide();
        if (baseline->fromFindings && baseline->snapshot.hasErrors()) {
            fail(tr("Cannot compare"),
                tr("The findings file %1 cannot be read: %2")
                    .arg(m_baselineName, QString::fromStdString(baseline->snapshot.diagnostics.front().toString())));
            return;
        }
        if (baseline->snapshot.hasErrors()) {
            fail(tr("Cannot compare"),
                tr("The snapshot %1 has errors; no comparison is made on input that could not "
                   "be read exactly.")
                    .arg(m_baselineName));
            return;
        }
        m_baseline = std::move(baseline);
        updateComparison();
        // Asked for: the Changes tab. Made by itself on opening a review: the side pane stays as the
        // analyst had it (the Change column and the status bar say it compares).
        if (!std::exchange(m_quietCompare, false))
            m_tabs->setCurrentWidget(m_changes);
        action(QStringLiteral("compare-only-changes"))->setChecked(false);
        report(tr("Compared with %1.").arg(m_baselineName));
        if (!isLayingOut()) // else the layout's end is the moment everything is shown
            Q_EMIT ready();
    });
    connect(m_baselineJob, &AnalysisJob::cancelled, this, [this]() {
        m_progress->hide();
        if (!m_analysing && !isLayingOut()) // else their end is the moment everything is shown
            Q_EMIT ready();
    });
}

void MainWindow::compareWith(const QStringList& inputs, bool planPrior)
{
    m_baselineName = planPrior ? tr("the plan's prior state (before apply)") : ReviewDocument::snapshotName(inputs);
    m_progress->setRange(0, 0);
    m_progress->setFormat(tr("Analysing %1 for the comparison…").arg(m_baselineName));
    m_progress->show();
    m_quietCompare = false;
    m_baselineJob->start(inputs, m_document->review().dataStores, m_document->baseDir(), planPrior);
}

void MainWindow::stopComparing()
{
    m_baselineJob->cancel(); // a comparison still being prepared is not wanted either
    m_baseline.reset();
    updateComparison();
}

bool MainWindow::compareWithPreviousSnapshot(bool automatic)
{
    QStringList missing;
    const QStringList previous = m_document->previousSnapshotInputs(&missing);
    if (previous.isEmpty()) {
        report(tr("This review has no earlier snapshot to compare with."));
        return false;
    }
    if (!missing.isEmpty()) {
        report(tr("The review's previous snapshot is no longer at %1: choose it with Compare With Snapshot….")
                   .arg(QDir::toNativeSeparators(missing.join(QStringLiteral(", ")))));
        return false;
    }
    compareWith(previous);
    m_quietCompare = automatic;
    report(tr("Comparing with the review's previous snapshot (%1).").arg(ReviewDocument::snapshotName(previous)));
    return true;
}

void MainWindow::openNewSnapshot(const QStringList& inputs)
{
    const auto previous = m_document->realAnalysis();
    const QString previousName = ReviewDocument::snapshotName(m_document->inputs());
    m_whatIf.reset();
    m_document->openNewSnapshot(inputs);
    // The comparison's baseline is the snapshot the review had: what changed since the last review.
    if (previous) {
        m_baseline = previous;
        m_baselineName = previousName;
    }
    m_firstLayout = true;
    startAnalysis();
}

bool MainWindow::isWhatIfShown() const
{
    return m_whatIf && m_document->analysis() && m_document->analysis() != m_document->realAnalysis();
}

void MainWindow::updateComparison()
{
    const auto current = m_document->analysis();
    std::shared_ptr<const Comparison> c;
    if (current && isWhatIfShown())
        c = Comparison::make(m_whatIf->base(), current, tr("the real snapshot (before the what-if edits)"));
    else if (current && m_baseline)
        c = Comparison::make(m_baseline, current, m_baselineName);
    m_comparison = c;
    m_model->setComparison(c);
    m_table->setColumnHidden(FindingsModel::ChangeColumn, !c);
    if (c && !m_changeColumnPlaced) { // next to the severity, where the eye is
        auto* header = m_table->horizontalHeader();
        header->moveSection(header->visualIndex(FindingsModel::ChangeColumn), 1);
        m_changeColumnPlaced = true;
    }
    fitTableColumns(); // as wide as its longest word: the columns after it keep their room
    const bool whatIf = isWhatIfShown();
    m_whatIfBanner->setVisible(whatIf);
    if (whatIf) {
        const auto* scenario = m_document->scenario();
        m_whatIfBanner->setText(tr("WHAT-IF: %1")
                                    .arg(scenario ? QString::fromStdString(scenario->name)
                                                  : tr("%n edit(s)", nullptr, m_whatIf->editCount())));
    }
    updateTitle();
    std::map<std::size_t, QString> marks;
    if (c)
        for (std::size_t i = 0; i < current->result.findings.size(); ++i) {
            const auto change = c->changeOf(current->result.findings[i].id);
            if (change != Comparison::Change::None)
                marks[i] = Comparison::changeName(change);
        }
    m_scene->setChangeMarks(marks);
    m_changes->setHtml(c ? c->html()
                         : tr("<p>Not comparing. <b>Compare With Snapshot…</b> (Ctrl+Shift+D) shows what is new, "
                              "changed and closed against another export of the same estate; what-if edits are "
                              "compared with the real snapshot.</p>"));
    const int changes = c ? static_cast<int>(c->diff.added.size() + c->diff.changed.size() + c->diff.closed.size()) : 0;
    m_tabs->setTabText(m_tabs->indexOf(m_changes), c ? tr("Changes (%1)").arg(changes) : tr("Changes"));
    action(QStringLiteral("compare-stop"))->setEnabled(m_baseline != nullptr);
    action(QStringLiteral("compare-only-changes"))->setEnabled(c != nullptr);
    if (!c)
        action(QStringLiteral("compare-only-changes"))->setChecked(false);
}

void MainWindow::prepareWhatIf(std::function<void()> then)
{
    const auto real = m_document->realAnalysis();
    if (!real)
        return;
    if (m_whatIf && m_whatIf->base() == real) {
        then();
        return;
    }
    m_whenWhatIfReady.push_back(std::move(then));
    if (m_jobs->isRunning(QStringLiteral("what-if")))
        return;
    m_progress->setRange(0, 0);
    m_progress->setFormat(tr("Preparing the what-if analysis…"));
    m_progress->show();
    m_jobs->run(
        QStringLiteral("what-if"), [real]() { return std::make_shared<WhatIfSession>(real); },
        [this, real](std::shared_ptr<WhatIfSession> session) {
            m_progress->hide();
            if (m_document->realAnalysis() != real) { // a newer analysis arrived meanwhile
                m_whenWhatIfReady.clear();
                return;
            }
            m_whatIf = std::move(session);
            auto pending = std::move(m_whenWhatIfReady);
            m_whenWhatIfReady.clear();
            for (auto& f : pending)
                f();
        });
}

bool MainWindow::applyWhatIf(const WhatIfEdit& edit, QString* error)
{
    if (!m_whatIf) {
        if (error)
            *error = tr("the what-if analysis is not ready");
        return false;
    }
    WhatIfEdit inverse;
    FindingsDelta delta;
    QString why;
    if (!m_whatIf->apply(edit, inverse, delta, &why)) {
        if (error)
            *error = why;
        else
            fail(tr("Cannot make this change"), why);
        return false;
    }
    const QString text = QString::fromStdString(describeEdit(edit, m_whatIf->snapshot()));
    std::weak_ptr<WhatIfSession> session = m_whatIf;
    auto apply = [this, session](const WhatIfEdit& e, WhatIfEdit& inv, bool undoing) {
        auto s = session.lock();
        if (!s || s != m_whatIf)
            return false; // the session was ended: only the scenario list follows
        FindingsDelta d;
        QString err;
        if (!s->apply(e, inv, d, &err, undoing))
            return false;
        publishWhatIf(d);
        return true;
    };
    m_document->undoStack()->push(new WhatIfEditCommand(m_document, apply, edit, inverse, text));
    publishWhatIf(delta);
    return true;
}

void MainWindow::publishWhatIf(const FindingsDelta& delta)
{
    if (m_whatIf->editCount() == 0) {
        // The last edit was undone: what is shown is the estate again, with the comparison it had
        // before the first edit. The session stays so that Redo can bring the edit back.
        if (const auto real = m_document->realAnalysis())
            showAnalysis(real, false);
        report(tr("No what-if edit left: back to the real snapshot."));
        return;
    }
    showAnalysis(m_whatIf->current(), true);
    report(tr("What-if edit: %1 closed, %2 changed, %3 opened by this edit; against the real snapshot %4 new, %5 "
              "changed, %6 closed (see Changes).")
               .arg(delta.closed.size())
               .arg(delta.changed.size())
               .arg(delta.opened.size())
               .arg(m_comparison ? m_comparison->diff.added.size() : 0)
               .arg(m_comparison ? m_comparison->diff.changed.size() : 0)
               .arg(m_comparison ? m_comparison->diff.closed.size() : 0));
}

void MainWindow::replayScenario()
{
    const auto* scenario = m_document->scenario();
    if (!scenario || scenario->edits.empty()) {
        report(tr("The review has no what-if scenario."));
        Q_EMIT ready();
        return;
    }
    const std::vector<WhatIfEdit> edits = scenario->edits;
    prepareWhatIf([this, edits]() {
        // A fresh session: the saved edits apply to the real snapshot, not on top of others.
        m_whatIf = std::make_shared<WhatIfSession>(m_whatIf->base());
        FindingsDelta total;
        QStringList refused;
        for (const auto& e : edits) {
            WhatIfEdit inverse;
            FindingsDelta d;
            QString why;
            if (!m_whatIf->apply(e, inverse, d, &why))
                refused << why;
            total.closed.insert(total.closed.end(), d.closed.begin(), d.closed.end());
            total.changed.insert(total.changed.end(), d.changed.begin(), d.changed.end());
            total.opened.insert(total.opened.end(), d.opened.begin(), d.opened.end());
        }
        publishWhatIf(total);
        if (!refused.isEmpty())
            fail(tr("Part of the scenario does not apply"), refused.join(QLatin1Char('\n')));
        // ready() follows from the new layout.
    });
}

void MainWindow::endWhatIf()
{
    const auto real = m_document->realAnalysis();
    m_whatIf.reset();
    if (real)
        showAnalysis(real, false);
}

std::vector<FixProposal> MainWindow::fixProposals(const std::string& findingId)
{
    if (!m_whatIf)
        return {};
    return proposeFixes(m_whatIf->analysis(), findingId);
}

void MainWindow::proposeFix()
{
    const auto findings = selectedFindings();
    if (findings.empty())
        return;
    const std::string id = findings.front()->id;
    const QString title
        = tr("%1 — %2 %3/%4")
              .arg(QString::fromStdString(findings.front()->target.name),
                  Theme::severityTitle(findings.front()->severity), QString::fromStdString(findings.front()->protocol),
                  QString::fromStdString(formatPortRanges(findings.front()->ports)));
    prepareWhatIf([this, id, title]() {
        auto proposals = fixProposals(id);
        FixDialog dialog(title, proposals, this);
        if (!m_interactive || dialog.exec() != QDialog::Accepted || dialog.chosen() < 0)
            return;
        applyWhatIf(proposals[static_cast<std::size_t>(dialog.chosen())].edit);
    });
}

void MainWindow::ruleMenu(const RuleInspector::RuleContext& c, const QPoint& globalPos)
{
    const auto findings = selectedFindings();
    QMenu menu(this);
    const auto& snapshot = m_document->analysis()->snapshot;
    auto nsg = snapshot.nsgs.find(c.nsgId.toStdString());
    if (nsg == snapshot.nsgs.end())
        return;
    const QString nsgName = QString::fromStdString(nsg->second.name);
    auto edit = [this](WhatIfEdit::Kind kind, const QString& nsgId, const QString& rule) {
        WhatIfEdit e;
        e.kind = kind;
        e.nsgId = nsgId.toStdString();
        e.ruleName = rule.toStdString();
        prepareWhatIf([this, e]() { applyWhatIf(e); });
    };
    if (!c.ruleName.isEmpty() && !c.isDefault) {
        menu.addAction(
            tr("What if: &Edit %1…").arg(c.ruleName), this, [this, c]() { editRuleDialog(c.nsgId, c.ruleName); });
        if (c.disabled)
            menu.addAction(tr("What if: E&nable %1").arg(c.ruleName), this,
                [=]() { edit(WhatIfEdit::Kind::EnableRule, c.nsgId, c.ruleName); });
        else
            menu.addAction(tr("What if: &Disable %1").arg(c.ruleName), this,
                [=]() { edit(WhatIfEdit::Kind::DisableRule, c.nsgId, c.ruleName); });
        menu.addAction(tr("What if: De&lete %1").arg(c.ruleName), this,
            [=]() { edit(WhatIfEdit::Kind::DeleteRule, c.nsgId, c.ruleName); });
        menu.addSeparator();
    }
    menu.addAction(tr("What if: &Add a Rule to %1…").arg(nsgName), this, [this, c]() { editRuleDialog(c.nsgId, {}); });
    if (!findings.empty() && (c.level == QLatin1String("subnet") || c.level == QLatin1String("nic"))) {
        // Detach from the subnet or the NIC of the selected finding's target.
        const Finding& f = *findings.front();
        const auto cut = f.ipConfigurationId.rfind("/ipconfigurations/");
        std::string resource;
        if (cut != std::string::npos) {
            const std::string nicId = f.ipConfigurationId.substr(0, cut);
            if (c.level == QLatin1String("nic"))
                resource = nicId;
            else if (auto nic = snapshot.nics.find(nicId); nic != snapshot.nics.end())
                for (const auto& ipc : nic->second.ipConfigurations)
                    if (ipc.id == f.ipConfigurationId)
                        resource = ipc.subnetId;
        }
        if (!resource.empty())
            menu.addAction(tr("What if: De&tach %1 from this %2")
                               .arg(nsgName, c.level == QLatin1String("nic") ? tr("NIC") : tr("subnet")),
                this, [this, resource]() {
                    WhatIfEdit e;
                    e.kind = WhatIfEdit::Kind::DetachNsg;
                    e.resourceId = resource;
                    prepareWhatIf([this, e]() { applyWhatIf(e); });
                });
    }
    menu.addSeparator();
    menu.addAction(action(QStringLiteral("whatif-fix")));
    menu.exec(globalPos);
}

void MainWindow::editRuleDialog(const QString& nsgId, const QString& ruleName)
{
    prepareWhatIf([this, nsgId, ruleName]() {
        const auto& snap = m_whatIf->snapshot();
        auto nsg = snap.nsgs.find(nsgId.toStdString());
        if (nsg == snap.nsgs.end())
            return;
        nlohmann::json start;
        if (!ruleName.isEmpty()) {
            for (const auto& r : nsg->second.rules)
                if (QString::fromStdString(r.name) == ruleName)
                    start = ruleJson(r, snap);
        } else {
            // A new rule: the first free priority, deny by default (what an analyst usually tries).
            int priority = 100;
            while (std::any_of(nsg->second.rules.begin(), nsg->second.rules.end(),
                [&](const SecurityRule& r) { return r.inbound && r.priority == priority; }))
                ++priority;
            // A security group has allow rules only ("Security group rules", Amazon VPC User Guide).
            const bool allowOnly = nsg->second.semantics == NetworkSecurityGroup::Semantics::AllowUnion;
            start = { { "name", "what-if-rule" }, { "priority", priority }, { "access", allowOnly ? "Allow" : "Deny" },
                { "direction", "Inbound" }, { "protocol", "Tcp" }, { "sourceAddressPrefix", "Internet" },
                { "destinationAddressPrefix", "*" }, { "destinationPortRange", "*" } };
        }
        RuleEditDialog dialog(ruleName.isEmpty() ? tr("What if: add a rule") : tr("What if: edit %1").arg(ruleName),
            QString::fromStdString(nsg->second.name), start, this);
        while (dialog.exec() == QDialog::Accepted) {
            WhatIfEdit e;
            e.kind = ruleName.isEmpty() ? WhatIfEdit::Kind::AddRule : WhatIfEdit::Kind::EditRule;
            e.nsgId = nsgId.toStdString();
            e.ruleName = ruleName.toStdString();
            e.rule = dialog.rule();
            QString error;
            if (applyWhatIf(e, &error))
                return;
            dialog.setError(error); // stays open with the engine's reason
        }
    });
}

} // namespace ew::ui
