#include "triagepanel.h"

#include "findings/datastores.h"
#include "review/reviewdocument.h"
#include "review/triagecommands.h"

#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QUndoStack>
#include <QVBoxLayout>

namespace ew::ui {

TriagePanel::TriagePanel(ReviewDocument* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_heading(new QLabel(this))
    , m_state(new QComboBox(this))
    , m_owner(new QLineEdit(this))
    , m_note(new QPlainTextEdit(this))
    , m_due(new QLineEdit(this))
    , m_expires(new QLineEdit(this))
    , m_problem(new QLabel(this))
    , m_apply(new QPushButton(tr("Apply"), this))
    , m_storeLabel(new QLabel(this))
    , m_engine(new QComboBox(this))
    , m_mark(new QPushButton(tr("Mark as data store"), this))
    , m_notStore(new QPushButton(tr("Not a data store"), this))
    , m_clearMark(new QPushButton(tr("Clear marking"), this))
{
    auto* layout = new QVBoxLayout(this);
    m_heading->setWordWrap(true);
    layout->addWidget(m_heading);
    auto* form = new QFormLayout;
    for (int s = 0; s < kTriageStateCount; ++s)
        m_state->addItem(QString::fromLatin1(triageStateTitle(static_cast<TriageState>(s))), s);
    m_state->setObjectName(QStringLiteral("triageState"));
    m_owner->setObjectName(QStringLiteral("triageOwner"));
    m_owner->setPlaceholderText(tr("Who fixes or accepts it"));
    m_note->setObjectName(QStringLiteral("triageNote"));
    m_note->setPlaceholderText(tr("Why: ticket, evidence, compensating control…"));
    m_note->setTabChangesFocus(true);
    m_apply->setObjectName(QStringLiteral("triageApply"));
    m_apply->setDefault(true);
    form->addRow(tr("&State:"), m_state);
    form->addRow(tr("&Owner:"), m_owner);
    m_due->setObjectName(QStringLiteral("triageDue"));
    m_due->setPlaceholderText(tr("By policy (YYYY-MM-DD to set one)"));
    m_expires->setObjectName(QStringLiteral("triageExpires"));
    m_expires->setPlaceholderText(tr("No end (YYYY-MM-DD: open again after it)"));
    m_expires->setToolTip(tr("An accepted risk or false positive holds until this day; after it the finding is "
                             "open again (confirmed)."));
    form->addRow(tr("&Note:"), m_note);
    form->addRow(tr("&Due:"), m_due);
    form->addRow(tr("Accepted &until:"), m_expires);
    layout->addLayout(form, 1);
    m_problem->setObjectName(QStringLiteral("triageProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #a31b1b;"));
    m_problem->hide();
    layout->addWidget(m_problem);
    auto* row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(m_apply);
    // Only accepted risks and false positives end.
    auto expiresFor = [this]() {
        const auto s = static_cast<TriageState>(m_state->currentData().toInt());
        m_expires->setEnabled(
            !m_selection.empty() && (s == TriageState::AcceptedRisk || s == TriageState::FalsePositive));
    };
    connect(m_state, &QComboBox::currentIndexChanged, this, expiresFor);
    layout->addLayout(row);

    m_storeLabel->setWordWrap(true);
    layout->addWidget(m_storeLabel);
    auto* storeRow = new QHBoxLayout;
    for (const auto& e : DataStoreCatalogue::builtin().engines())
        if (!e.managed)
            m_engine->addItem(QString::fromStdString(e.displayName), QString::fromStdString(e.id));
    storeRow->addWidget(m_engine, 1);
    storeRow->addWidget(m_mark);
    storeRow->addWidget(m_notStore);
    storeRow->addWidget(m_clearMark);
    layout->addLayout(storeRow);

    connect(m_apply, &QPushButton::clicked, this, &TriagePanel::apply);
    connect(m_mark, &QPushButton::clicked, this, [this]() { markDataStore(m_engine->currentData().toString()); });
    connect(m_notStore, &QPushButton::clicked, this, [this]() { markDataStore(QString()); });
    connect(m_clearMark, &QPushButton::clicked, this, &TriagePanel::clearDataStoreMarking);
    connect(document, &ReviewDocument::decisionsChanged, this, [this]() { refresh(); });
    refresh();
}

void TriagePanel::setSelection(std::vector<const Finding*> findings)
{
    m_selection = std::move(findings);
    refresh();
}

void TriagePanel::refresh()
{
    const bool any = !m_selection.empty();
    for (QWidget* w : std::initializer_list<QWidget*> {
             m_state, m_owner, m_note, m_due, m_expires, m_apply, m_engine, m_mark, m_notStore, m_clearMark })
        w->setEnabled(any);
    m_problem->hide();
    if (!any) {
        m_heading->setText(tr("Select one or more findings to triage them."));
        m_storeLabel->clear();
        return;
    }
    const Finding& f = *m_selection.front();
    m_heading->setText(m_selection.size() == 1
            ? tr("<b>%1</b> — %2 %3")
                  .arg(QString::fromStdString(f.target.name).toHtmlEscaped(), QString::fromStdString(f.protocol),
                      QString::fromStdString(formatPortRanges(f.ports)))
            : tr("<b>%1 findings selected</b>: Apply sets state, owner and note on all of them.")
                  .arg(m_selection.size()));
    const Decision d = m_document->decision(f.id);
    m_state->setCurrentIndex(static_cast<int>(d.state));
    // Owner and note show what the findings have; with several that differ the field is empty and
    // Apply keeps each finding's own unless the analyst types one (isModified).
    bool sameOwner = true, sameNote = true;
    for (const Finding* other : m_selection) {
        const Decision o = m_document->decision(other->id);
        sameOwner = sameOwner && o.owner == d.owner;
        sameNote = sameNote && o.note == d.note;
    }
    m_owner->setText(sameOwner ? QString::fromStdString(d.owner) : QString());
    m_owner->setPlaceholderText(sameOwner ? tr("Who fixes or accepts it") : tr("Several owners: each keeps its own"));
    m_owner->setModified(false);
    m_note->setPlainText(sameNote ? QString::fromStdString(d.note) : QString());
    m_note->setPlaceholderText(
        sameNote ? tr("Why: ticket, evidence, compensating control…") : tr("Several notes: each keeps its own"));
    m_note->document()->setModified(false);
    // Due and expiry as stored (an expired acceptance shows its date, the state shows it is open).
    const auto stored = m_document->review().decisions.find(f.id);
    const Decision kept = stored == m_document->review().decisions.end() ? Decision() : stored->second;
    bool sameDue = true, sameExpires = true;
    for (const Finding* other : m_selection) {
        auto o = m_document->review().decisions.find(other->id);
        const Decision od = o == m_document->review().decisions.end() ? Decision() : o->second;
        sameDue = sameDue && od.due == kept.due;
        sameExpires = sameExpires && od.expires == kept.expires;
    }
    m_due->setText(sameDue ? QString::fromStdString(kept.due) : QString());
    m_due->setModified(false);
    m_expires->setText(sameExpires ? QString::fromStdString(kept.expires) : QString());
    m_expires->setModified(false);
    m_expires->setEnabled(d.state == TriageState::AcceptedRisk || d.state == TriageState::FalsePositive);
    const auto& stores = m_document->review().dataStores;
    const auto mark = stores.find(normaliseId(f.target.id));
    QString basis;
    if (mark != stores.end())
        basis = mark->second.empty() ? tr("marked by you as not a data store")
                                     : tr("marked by you as %1").arg(QString::fromStdString(mark->second));
    else if (!f.dataStore.engine.empty())
        basis
            = tr("%1 (%2)").arg(QString::fromStdString(f.dataStore.engine), QString::fromStdString(f.dataStore.reason));
    else
        basis = tr("not recognised as a data store");
    m_storeLabel->setText(tr("Target %1: %2").arg(QString::fromStdString(f.target.name).toHtmlEscaped(), basis));
    m_clearMark->setEnabled(mark != stores.end());
    if (mark != stores.end() && !mark->second.empty())
        m_engine->setCurrentIndex(std::max(0, m_engine->findData(QString::fromStdString(mark->second))));
}

void TriagePanel::apply()
{
    if (m_selection.empty())
        return;
    std::map<std::string, Decision> after;
    const auto state = static_cast<TriageState>(m_state->currentData().toInt());
    const std::string owner = m_owner->text().trimmed().toStdString();
    const std::string note = m_note->toPlainText().toStdString();
    // An owner or note goes only where the analyst put it: what the panel shows for one finding (or
    // for several that share it), or what was typed for all of them.
    const bool setOwner = m_selection.size() == 1 || m_owner->isModified() || !m_owner->text().isEmpty();
    const bool setNote
        = m_selection.size() == 1 || m_note->document()->isModified() || !m_note->toPlainText().isEmpty();
    const std::string due = m_due->text().trimmed().toStdString();
    const std::string expires = m_expires->isEnabled() ? m_expires->text().trimmed().toStdString() : std::string();
    for (const auto& [text, what] : { std::pair { due, tr("due date") }, std::pair { expires, tr("end date") } })
        if (!text.empty() && !isIsoDate(text)) {
            m_problem->setText(tr("The %1 \"%2\" is not a date: write it YYYY-MM-DD, or leave it empty.")
                                   .arg(what, QString::fromStdString(text)));
            m_problem->show();
            return;
        }
    m_problem->hide();
    const bool setDue = m_selection.size() == 1 || m_due->isModified() || !due.empty();
    const bool setExpires = m_selection.size() == 1 || m_expires->isModified() || !expires.empty();
    const std::string now = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
    for (const Finding* f : m_selection) {
        Decision d = m_document->decision(f->id);
        d.state = state;
        if (setOwner)
            d.owner = owner;
        if (setNote)
            d.note = note;
        if (setDue)
            d.due = due;
        // Only an accepted risk or false positive ends; another state has no end date.
        if (state != TriageState::AcceptedRisk && state != TriageState::FalsePositive)
            d.expires.clear();
        else if (setExpires)
            d.expires = expires;
        d.updated = now;
        d.target = f->target.name;
        d.severity = severityName(f->severity);
        after[f->id] = d;
    }
    m_document->undoStack()->push(new SetDecisionsCommand(m_document, std::move(after),
        m_selection.size() == 1 ? tr("Triage %1").arg(QString::fromStdString(m_selection.front()->target.name))
                                : tr("Triage %1 findings").arg(m_selection.size())));
}

void TriagePanel::setState(TriageState state)
{
    if (m_selection.empty())
        return;
    std::map<std::string, Decision> after;
    const std::string now = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
    for (const Finding* f : m_selection) {
        Decision d = m_document->decision(f->id);
        d.state = state;
        d.updated = now;
        d.target = f->target.name;
        d.severity = severityName(f->severity);
        // The state only: an owner is recorded when the analyst names one for these findings
        // (Apply), never one typed earlier for others (an audit record must not invent it).
        after[f->id] = d;
    }
    m_document->undoStack()->push(new SetDecisionsCommand(m_document, std::move(after),
        tr("Mark %n finding(s) %1", nullptr, static_cast<int>(m_selection.size()))
            .arg(QString::fromLatin1(triageStateTitle(state)).toLower())));
}

void TriagePanel::markDataStore(const QString& engine)
{
    if (m_selection.empty())
        return;
    const Finding& f = *m_selection.front();
    m_document->undoStack()->push(new MarkDataStoreCommand(m_document, normaliseId(f.target.id), engine.toStdString(),
        engine.isEmpty() ? tr("Mark %1 as not a data store").arg(QString::fromStdString(f.target.name))
                         : tr("Mark %1 as %2").arg(QString::fromStdString(f.target.name), engine)));
}

void TriagePanel::clearDataStoreMarking()
{
    if (m_selection.empty())
        return;
    const Finding& f = *m_selection.front();
    m_document->undoStack()->push(new MarkDataStoreCommand(m_document, normaliseId(f.target.id), std::nullopt,
        tr("Clear the data-store marking of %1").arg(QString::fromStdString(f.target.name))));
}

} // namespace ew::ui
