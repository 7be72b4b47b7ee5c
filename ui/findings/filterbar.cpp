#include "filterbar.h"

#include "findingsfiltermodel.h"
#include "review/review.h"
#include "settings.h"
#include "theme.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QIntValidator>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPalette>
#include <QToolButton>
#include <QVBoxLayout>

namespace ew::ui {

FilterBar::FilterBar(FindingsFilterModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
    , m_text(new QLineEdit(this))
    , m_severity(new QComboBox(this))
    , m_engine(new QComboBox(this))
    , m_port(new QLineEdit(this))
    , m_state(new QComboBox(this))
    , m_hint(new QLabel(this))
    , m_saved(new QToolButton(this))
    , m_savedMenu(new QMenu(m_saved))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    auto* top = new QHBoxLayout;
    auto* bottom = new QHBoxLayout;
    layout->addLayout(top);
    layout->addLayout(bottom);
    m_text->setPlaceholderText(tr("Filter: words, or severity>=high and port==9200 and not state:accepted (Ctrl+F)"));
    m_text->setToolTip(
        tr("<p>Words match the name, address, port, rule, owner and note; all must match.</p>"
           "<p>An expression combines <code>field op value</code> with <b>and</b>, <b>or</b>, <b>not</b> "
           "(also <code>&amp;&amp;</code>, <code>||</code>, <code>!</code>, <code>-field:value</code>) and "
           "parentheses.<br>Fields: severity, port, protocol, state, change, owner, target, type, engine, "
           "source, rule, id, hops, note.<br>Ops: <code>:</code> (contains; for port and source: includes), "
           "<code>==</code>, <code>!=</code>, and <code>&lt; &lt;= &gt; &gt;=</code> for severity, port and "
           "hops.</p><p>Example: <code>severity&gt;=high and port==9200 and not state:accepted</code></p>"));
    m_text->setClearButtonEnabled(true);
    m_text->setObjectName(QStringLiteral("filterText"));
    m_saved->setObjectName(QStringLiteral("savedFilters"));
    m_saved->setText(tr("Saved"));
    m_saved->setToolTip(tr("Saved filters: pick one, save the current filter under a name, or remove one"));
    m_saved->setPopupMode(QToolButton::InstantPopup);
    m_saved->setMenu(m_savedMenu);
    m_savedMenu->setToolTipsVisible(true);
    m_savedSeparator = m_savedMenu->addSeparator();
    m_saveAction = m_savedMenu->addAction(tr("Save Current Filter As…"), this, &FilterBar::askAndSaveFilter);
    m_saveAction->setObjectName(QStringLiteral("saveFilter"));
    m_removeMenu = m_savedMenu->addMenu(tr("Remove Saved Filter"));
    m_removeMenu->setObjectName(QStringLiteral("removeSavedFilter"));
    updateSavedMenu();
    m_severity->setObjectName(QStringLiteral("filterSeverity"));
    m_severity->addItem(tr("Any severity"), -1);
    for (int s = static_cast<int>(Severity::Critical); s >= static_cast<int>(Severity::Low); --s)
        m_severity->addItem(s == static_cast<int>(Severity::Critical)
                ? Theme::severityTitle(static_cast<Severity>(s))
                : tr("%1 and above").arg(Theme::severityTitle(static_cast<Severity>(s))),
            s);
    m_engine->setObjectName(QStringLiteral("filterEngine"));
    m_port->setObjectName(QStringLiteral("filterPort"));
    m_port->setPlaceholderText(tr("Port"));
    m_port->setValidator(new QIntValidator(0, 65535, m_port));
    m_port->setMaximumWidth(90);
    m_port->setClearButtonEnabled(true);
    m_state->setObjectName(QStringLiteral("filterState"));
    m_state->addItem(tr("Any state"), -1);
    for (int s = 0; s < kTriageStateCount; ++s)
        m_state->addItem(QString::fromLatin1(triageStateTitle(static_cast<TriageState>(s))), s);
    setEngines({});

    top->addWidget(m_text, 1);
    top->addWidget(m_saved);
    top->addWidget(m_port);
    bottom->addWidget(m_severity, 1);
    bottom->addWidget(m_engine, 1);
    bottom->addWidget(m_state, 1);
    m_hint->setObjectName(QStringLiteral("filterHint"));
    m_hint->setWordWrap(true);
    m_hint->setTextFormat(Qt::PlainText);
    m_hint->hide();
    layout->addWidget(m_hint);
    // Tab goes through the fields as they are laid out.
    setTabOrder(m_text, m_saved);
    setTabOrder(m_saved, m_port);
    setTabOrder(m_port, m_severity);
    setTabOrder(m_severity, m_engine);
    setTabOrder(m_engine, m_state);
    m_text->installEventFilter(this);
    m_port->installEventFilter(this);
    connect(m_model, &QAbstractItemModel::modelReset, this, &FilterBar::updateHint);
    connect(m_model, &QAbstractItemModel::layoutChanged, this, &FilterBar::updateHint);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &FilterBar::updateHint);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &FilterBar::updateHint);

    connect(m_text, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_model->setText(text);
        updateHint(); // an error keeps the rows as they are: no model signal says so
        updateSavedMenu();
    });
    connect(m_severity, &QComboBox::currentIndexChanged, this,
        [this]() { m_model->setMinimumSeverity(m_severity->currentData().toInt()); });
    connect(m_engine, &QComboBox::currentIndexChanged, this, [this]() {
        const QVariant v = m_engine->currentData();
        m_model->setEngine(v.isValid() ? v.toString() : FindingsFilterModel::kAnyEngine);
    });
    connect(m_port, &QLineEdit::textChanged, this, [this](const QString& text) {
        bool ok = false;
        const uint port = text.toUInt(&ok);
        m_model->setPort(ok && port <= 65535 ? std::optional<quint32>(port) : std::nullopt);
    });
    connect(m_state, &QComboBox::currentIndexChanged, this,
        [this]() { m_model->setState(m_state->currentData().toInt()); });
}

void FilterBar::setEngines(const QStringList& engines)
{
    const QString current = m_engine->currentData().toString();
    QSignalBlocker block(m_engine);
    m_engine->clear();
    m_engine->addItem(tr("Any target"), FindingsFilterModel::kAnyEngine);
    m_engine->addItem(tr("Data stores only"), FindingsFilterModel::kAnyDataStore);
    m_engine->addItem(tr("Not a data store"), FindingsFilterModel::kNoEngine);
    for (const auto& e : engines)
        m_engine->addItem(e, e);
    const int i = m_engine->findData(current);
    m_engine->setCurrentIndex(i >= 0 ? i : 0);
    m_model->setEngine(m_engine->currentData().toString());
}

bool FilterBar::eventFilter(QObject* watched, QEvent* event)
{
    auto* edit = qobject_cast<QLineEdit*>(watched);
    if (edit && (watched == m_text || watched == m_port) && event->type() == QEvent::KeyPress
        && static_cast<QKeyEvent*>(event)->key() == Qt::Key_Escape && !edit->text().isEmpty()) {
        edit->clear();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void FilterBar::updateHint()
{
    if (const auto& error = m_model->filterError()) {
        // Where and why, in red, in the box and under it: the table keeps the last filter that parsed.
        const QColor red = Theme::isDark() ? QColor(0xff, 0x8a, 0x80) : QColor(0xb7, 0x1c, 0x1c);
        QPalette hintPalette = m_hint->palette();
        hintPalette.setColor(QPalette::WindowText, red);
        m_hint->setPalette(hintPalette);
        QPalette textPalette = m_text->palette();
        textPalette.setColor(QPalette::Base, Theme::isDark() ? QColor(0x5c, 0x1f, 0x1f) : QColor(0xff, 0xe4, 0xe1));
        m_text->setPalette(textPalette);
        m_hint->setText(tr("Filter error at column %1: %2. The table shows the last filter that worked.")
                            .arg(error->column + 1)
                            .arg(error->message));
        m_hint->setToolTip(
            m_text->text() + QLatin1Char('\n') + QString(error->column, QLatin1Char(' ')) + QLatin1Char('^'));
        m_hint->setVisible(true);
        return;
    }
    m_text->setPalette(QPalette());
    m_hint->setPalette(QPalette());
    m_hint->setToolTip({});
    // Nothing shown although there are findings: say so, rather than an empty table.
    const bool none = m_model->rowCount() == 0 && m_model->sourceModel() && m_model->sourceModel()->rowCount() > 0;
    if (none) {
        QStringList what;
        if (!m_text->text().trimmed().isEmpty())
            what << tr("“%1”").arg(m_text->text().trimmed());
        if (!m_port->text().isEmpty())
            what << tr("port %1").arg(m_port->text());
        m_hint->setText(what.isEmpty()
                ? tr("No finding matches the filter. Ctrl+Shift+F clears it.")
                : tr("No finding matches %1. Esc clears the text, Ctrl+Shift+F the whole filter.")
                      .arg(what.join(tr(" and "))));
    }
    m_hint->setVisible(none);
}

QStringList FilterBar::savedFilterNames() const
{
    return Settings::savedFilters.get().keys(); // QVariantMap: sorted
}

void FilterBar::saveFilter(const QString& name, const QString& expression)
{
    QVariantMap saved = Settings::savedFilters.get();
    saved.insert(name, expression);
    Settings::savedFilters.set(saved);
    updateSavedMenu();
}

void FilterBar::removeSavedFilter(const QString& name)
{
    QVariantMap saved = Settings::savedFilters.get();
    saved.remove(name);
    Settings::savedFilters.set(saved);
    updateSavedMenu();
}

bool FilterBar::applySavedFilter(const QString& name)
{
    const QVariantMap saved = Settings::savedFilters.get();
    const auto it = saved.constFind(name);
    if (it == saved.constEnd())
        return false;
    m_text->setText(it.value().toString());
    return true;
}

void FilterBar::askAndSaveFilter()
{
    const QString expression = m_text->text().trimmed();
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save Filter"),
        tr("Save “%1” as (a saved filter of the same name is replaced):").arg(expression), QLineEdit::Normal,
        expression, &ok)
                             .trimmed();
    if (ok && !name.isEmpty())
        saveFilter(name, expression);
}

void FilterBar::updateSavedMenu()
{
    // The actions of the saved filters are replaced when the list changes; the old ones are deleted
    // later, as one of them may be the action being triggered.
    const QVariantMap saved = Settings::savedFilters.get();
    QStringList shown;
    for (QAction* a : std::as_const(m_savedActions))
        if (a->data().isValid()) // not "No saved filters"
            shown << a->data().toString();
    if (shown != saved.keys() || m_savedActions.isEmpty()) {
        for (QAction* a : std::as_const(m_savedActions)) {
            m_savedMenu->removeAction(a);
            a->deleteLater();
        }
        m_savedActions.clear();
        for (QAction* a : m_removeMenu->actions()) {
            m_removeMenu->removeAction(a);
            a->deleteLater();
        }
        for (auto it = saved.constBegin(); it != saved.constEnd(); ++it) {
            const QString& name = it.key();
            auto* pick = new QAction(name, m_savedMenu);
            pick->setToolTip(it.value().toString());
            pick->setData(name);
            pick->setCheckable(true);
            connect(pick, &QAction::triggered, this, [this, name]() { applySavedFilter(name); });
            m_savedActions << pick;
            m_removeMenu->addAction(name, this, [this, name]() { removeSavedFilter(name); })->setData(name);
        }
        if (saved.isEmpty()) {
            auto* none = new QAction(tr("No saved filters"), m_savedMenu);
            none->setEnabled(false);
            m_savedActions << none;
        }
        m_savedMenu->insertActions(m_savedSeparator, m_savedActions);
    }
    const QString text = m_text->text().trimmed();
    for (QAction* a : std::as_const(m_savedActions))
        a->setChecked(!saved.isEmpty() && saved.value(a->data().toString()).toString() == text);
    m_saveAction->setEnabled(!text.isEmpty() && !m_model->filterError());
    m_removeMenu->setEnabled(!saved.isEmpty());
}

void FilterBar::focusText()
{
    m_text->setFocus(Qt::ShortcutFocusReason);
    m_text->selectAll();
}

void FilterBar::clear()
{
    m_text->clear();
    m_severity->setCurrentIndex(0);
    m_engine->setCurrentIndex(0);
    m_port->clear();
    m_state->setCurrentIndex(0);
}

} // namespace ew::ui
