#include "whatif/whatifcontroller.h"

#include "actions/actionmanager.h"
#include "jobs/jobtracker.h"
#include "report/savefile.h"
#include "review/reviewdocument.h"
#include "theme.h"
#include "whatif/fixdialog.h"
#include "whatif/ruleeditdialog.h"
#include "whatif/whatifcommand.h"
#include "whatif/whatifsession.h"

#include "diff/snapshotdiff.h"

#include <QAction>
#include <QFileDialog>
#include <QInputDialog>
#include <QMenu>
#include <QUndoStack>

#include <algorithm>
#include <utility>

namespace ew::ui {

namespace {
const QString kJob = QStringLiteral("what-if");
} // namespace

WhatIfController::WhatIfController(ReviewDocument* document, JobTracker* jobs, ActionManager* actions, QWidget* window)
    : QObject(window)
    , m_document(document)
    , m_jobs(jobs)
    , m_actions(actions)
    , m_window(window)
{
    createActions(actions);
}

void WhatIfController::createActions(ActionManager* actions)
{
    connect(actions->add("whatif-fix", tr("Propose Smallest &Fix…"), QKeySequence(tr("Ctrl+Shift+X"))),
        &QAction::triggered, this, &WhatIfController::proposeFix);
    connect(actions->add("whatif-remove-pip", tr("&Remove the Public IP of the Selected Path")), &QAction::triggered,
        this, [this]() {
            const auto findings = m_selection ? m_selection() : std::vector<const Finding*>();
            if (findings.empty())
                return;
            for (const auto& step : findings.front()->path)
                if (step.kind == StepKind::PublicAddress) {
                    WhatIfEdit e;
                    e.kind = WhatIfEdit::Kind::RemovePublicIp;
                    e.resourceId = normaliseId(step.id);
                    prepare([this, e]() { apply(e); });
                    return;
                }
            Q_EMIT message(tr("The selected path has no public IP (it is a load balancer's or a service's endpoint)."));
        });
    connect(actions->add("whatif-rename", tr("Rename the &Scenario…")), &QAction::triggered, this, [this]() {
        bool ok = false;
        const auto* s = m_document->scenario();
        const QString name = QInputDialog::getText(m_window, tr("What-if scenario"), tr("Name:"), QLineEdit::Normal,
            s ? QString::fromStdString(s->name) : tr("Close the Elasticsearch exposure"), &ok);
        if (ok && !name.trimmed().isEmpty())
            m_document->setScenarioName(name.trimmed());
    });
    connect(actions->add("whatif-export", tr("&Export the Scenario's Changes…")), &QAction::triggered, this, [this]() {
        const auto* s = m_document->scenario();
        const auto base = m_document->realAnalysis();
        if (!s || !base)
            return;
        const QString file = QFileDialog::getSaveFileName(m_window, tr("Export the list of changes"),
            m_document->baseDir() + QStringLiteral("/what-if-changes.md"), tr("Markdown (*.md);;Text (*.txt)"));
        if (file.isEmpty())
            return;
        const std::string text = scenarioChangeList(*s, base->snapshot, file.endsWith(QLatin1String(".md")));
        SaveFile out(file);
        if (!out.open(QIODevice::WriteOnly) || out.write(text.data(), static_cast<qint64>(text.size())) < 0
            || !out.commit())
            Q_EMIT failed(tr("Cannot export"), tr("%1: %2").arg(file, out.errorString()));
        else
            Q_EMIT message(tr("Wrote %1").arg(file));
    });
    connect(actions->add("whatif-end", tr("&Back to the Real Snapshot")), &QAction::triggered, this,
        &WhatIfController::end);
    connect(actions->add("whatif-replay", tr("&Show the Review's Scenario")), &QAction::triggered, this,
        &WhatIfController::replayScenario);
}

void WhatIfController::updateActions(bool haveData, bool haveSelection)
{
    auto enable = [this](const char* id, bool on) { m_actions->action(QString::fromLatin1(id))->setEnabled(on); };
    enable("whatif-fix", haveSelection);
    enable("whatif-remove-pip", haveSelection);
    enable("whatif-rename", haveData);
    enable("whatif-export", m_document->scenario() != nullptr);
    enable("whatif-replay", haveData && m_document->scenario() != nullptr);
    enable("whatif-end", isShown());
}

bool WhatIfController::isShown() const
{
    return m_session && m_document->analysis() && m_document->analysis() != m_document->realAnalysis();
}

std::shared_ptr<const AnalysisData> WhatIfController::shownBase() const
{
    return isShown() ? m_session->base() : nullptr;
}

void WhatIfController::prepare(std::function<void()> then)
{
    const auto real = m_document->realAnalysis();
    if (!real)
        return;
    if (m_session && m_session->base() == real) {
        then();
        return;
    }
    m_whenReady.push_back(std::move(then));
    if (m_jobs->isRunning(kJob))
        return;
    Q_EMIT preparing(tr("Preparing the what-if analysis…"));
    m_jobs->run(
        kJob, [real]() { return std::make_shared<WhatIfSession>(real); },
        [this, real](std::shared_ptr<WhatIfSession> session) {
            Q_EMIT prepared();
            if (m_document->realAnalysis() != real) { // a newer analysis arrived meanwhile
                m_whenReady.clear();
                return;
            }
            m_session = std::move(session);
            auto pending = std::move(m_whenReady);
            m_whenReady.clear();
            for (auto& f : pending)
                f();
        });
}

bool WhatIfController::apply(const WhatIfEdit& edit, QString* error)
{
    if (!m_session) {
        if (error)
            *error = tr("the what-if analysis is not ready");
        return false;
    }
    WhatIfEdit inverse;
    FindingsDelta delta;
    QString why;
    if (!m_session->apply(edit, inverse, delta, &why)) {
        if (error)
            *error = why;
        else
            Q_EMIT failed(tr("Cannot make this change"), why);
        return false;
    }
    const QString text = QString::fromStdString(describeEdit(edit, m_session->snapshot()));
    std::weak_ptr<WhatIfSession> session = m_session;
    auto redo = [this, session](const WhatIfEdit& e, WhatIfEdit& inv, bool undoing) {
        auto s = session.lock();
        if (!s || s != m_session)
            return false; // the session was ended: only the scenario list follows
        FindingsDelta d;
        QString err;
        if (!s->apply(e, inv, d, &err, undoing))
            return false;
        publish(d);
        return true;
    };
    m_document->undoStack()->push(new WhatIfEditCommand(m_document, redo, edit, inverse, text));
    publish(delta);
    return true;
}

namespace {

// The engine's delta lists every finding that is not exactly what it was, as the views need to
// refresh it; the analyst is told what compare would say (issue 16: what-if and compare count the
// same things): a finding whose only difference is its explanation's wording or its rules'
// places in their files (a rule deleted before them) has not changed, and a two-hop finding that
// what is still exposed covers has not closed.
FindingsDelta asCompared(const FindingsDelta& delta, const AnalysisData* before, const AnalysisData& after)
{
    if (!before)
        return delta;
    auto find = [](const AnalysisData& data, const std::string& id) -> const Finding* {
        auto it = data.findingIndex.find(id);
        return it == data.findingIndex.end() ? nullptr : &data.result.findings[it->second];
    };
    FindingsDelta out;
    out.opened = delta.opened;
    for (const auto& id : delta.changed) {
        const Finding* a = find(*before, id);
        const Finding* b = find(after, id);
        if (!a || !b || !findingDifferences(*a, *b).empty())
            out.changed.push_back(id);
    }
    if (!delta.closed.empty()) {
        std::vector<const Finding*> all;
        all.reserve(after.result.findings.size());
        for (const auto& f : after.result.findings)
            all.push_back(&f);
        for (const auto& id : delta.closed) {
            const Finding* gone = find(*before, id);
            if (!gone || !coveredByOthers(*gone, all))
                out.closed.push_back(id);
        }
    }
    return out;
}

} // namespace

void WhatIfController::publish(const FindingsDelta& delta)
{
    // No edit left (the last one was undone): the estate again, with the comparison it had
    // before the first edit. The session stays so that Redo can bring the edit back.
    const bool edits = m_session->editCount() > 0;
    const auto shown = edits ? m_session->current() : m_document->realAnalysis();
    Q_EMIT published(shown, asCompared(delta, m_document->analysis().get(), *shown), edits);
}

void WhatIfController::replayScenario()
{
    const auto* scenario = m_document->scenario();
    if (!scenario || scenario->edits.empty()) {
        Q_EMIT message(tr("The review has no what-if scenario."));
        Q_EMIT idle();
        return;
    }
    const std::vector<WhatIfEdit> edits = scenario->edits;
    prepare([this, edits]() {
        // A fresh session: the saved edits apply to the real snapshot, not on top of others.
        m_session = std::make_shared<WhatIfSession>(m_session->base());
        FindingsDelta total;
        QStringList refused;
        for (const auto& e : edits) {
            WhatIfEdit inverse;
            FindingsDelta d;
            QString why;
            if (!m_session->apply(e, inverse, d, &why))
                refused << why;
            total.closed.insert(total.closed.end(), d.closed.begin(), d.closed.end());
            total.changed.insert(total.changed.end(), d.changed.begin(), d.changed.end());
            total.opened.insert(total.opened.end(), d.opened.begin(), d.opened.end());
        }
        publish(total);
        if (!refused.isEmpty())
            Q_EMIT failed(tr("Part of the scenario does not apply"), refused.join(QLatin1Char('\n')));
    });
}

void WhatIfController::end()
{
    m_session.reset();
    Q_EMIT ended();
}

std::vector<FixProposal> WhatIfController::fixProposals(const std::string& findingId)
{
    if (!m_session)
        return {};
    return proposeFixes(m_session->analysis(), findingId);
}

void WhatIfController::proposeFix()
{
    const auto findings = m_selection ? m_selection() : std::vector<const Finding*>();
    if (findings.empty())
        return;
    const Finding& f = *findings.front();
    const std::string id = f.id;
    const QString title
        = tr("%1 — %2 %3/%4")
              .arg(QString::fromStdString(f.target.name), Theme::severityTitle(f.severity),
                  QString::fromStdString(f.protocol), QString::fromStdString(formatPortRanges(f.ports)));
    prepare([this, id, title]() {
        auto proposals = fixProposals(id);
        FixDialog dialog(title, proposals, m_window);
        if (!m_interactive || dialog.exec() != QDialog::Accepted || dialog.chosen() < 0)
            return;
        apply(proposals[static_cast<std::size_t>(dialog.chosen())].edit);
    });
}

void WhatIfController::ruleMenu(const RuleInspector::RuleContext& c, const QPoint& globalPos)
{
    const auto findings = m_selection ? m_selection() : std::vector<const Finding*>();
    const auto analysis = m_document->analysis();
    if (!analysis)
        return;
    const auto& snapshot = analysis->snapshot;
    auto nsg = snapshot.nsgs.find(c.nsgId.toStdString());
    if (nsg == snapshot.nsgs.end())
        return;
    QMenu menu(m_window);
    const QString nsgName = QString::fromStdString(nsg->second.name);
    auto edit = [this](WhatIfEdit::Kind kind, const QString& nsgId, const QString& rule) {
        WhatIfEdit e;
        e.kind = kind;
        e.nsgId = nsgId.toStdString();
        e.ruleName = rule.toStdString();
        prepare([this, e]() { apply(e); });
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
                    prepare([this, e]() { apply(e); });
                });
    }
    menu.addSeparator();
    menu.addAction(m_actions->action(QStringLiteral("whatif-fix")));
    menu.exec(globalPos);
}

void WhatIfController::editRuleDialog(const QString& nsgId, const QString& ruleName)
{
    prepare([this, nsgId, ruleName]() {
        const auto& snap = m_session->snapshot();
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
            QString::fromStdString(nsg->second.name), start, m_window);
        while (dialog.exec() == QDialog::Accepted) {
            WhatIfEdit e;
            e.kind = ruleName.isEmpty() ? WhatIfEdit::Kind::AddRule : WhatIfEdit::Kind::EditRule;
            e.nsgId = nsgId.toStdString();
            e.ruleName = ruleName.toStdString();
            e.rule = dialog.rule();
            QString error;
            if (apply(e, &error))
                return;
            dialog.setError(error); // stays open with the engine's reason
        }
    });
}

} // namespace ew::ui
