#include "filterbar.h"

#include "findingsfiltermodel.h"
#include "review/review.h"
#include "theme.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QIntValidator>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
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
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    auto* top = new QHBoxLayout;
    auto* bottom = new QHBoxLayout;
    layout->addLayout(top);
    layout->addLayout(bottom);
    m_text->setPlaceholderText(tr("Filter: name, address, port, rule, owner… (Ctrl+F)"));
    m_text->setClearButtonEnabled(true);
    m_text->setObjectName(QStringLiteral("filterText"));
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
    setTabOrder(m_text, m_port);
    setTabOrder(m_port, m_severity);
    setTabOrder(m_severity, m_engine);
    setTabOrder(m_engine, m_state);
    m_text->installEventFilter(this);
    m_port->installEventFilter(this);
    connect(m_model, &QAbstractItemModel::modelReset, this, &FilterBar::updateHint);
    connect(m_model, &QAbstractItemModel::layoutChanged, this, &FilterBar::updateHint);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &FilterBar::updateHint);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &FilterBar::updateHint);

    connect(m_text, &QLineEdit::textChanged, m_model, &FindingsFilterModel::setText);
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
