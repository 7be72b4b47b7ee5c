#include "mainwindow.h"

#include "findings/datastores.h"
#include "htmltext.h"
#include "util/phaseprofile.h"

#include "actions/actionmanager.h"
#include "compare/comparecontroller.h"
#include "details/detailshtml.h"
#include "export/exporter.h"
#include "findings/filterbar.h"
#include "findings/findingsdelegate.h"
#include "findings/findingsfiltermodel.h"
#include "findings/findingsmodel.h"
#include "findings/rulegroupsview.h"
#include "findings/triagepanel.h"
#include "graph/edgeitem.h"
#include "graph/graphcontroller.h"
#include "graph/graphscene.h"
#include "graph/graphview.h"
#include "graph/nodeitem.h"
#include "inspector/ruleinspector.h"
#include "jobs/analysisjob.h"
#include "jobs/jobtracker.h"
#include "presentation/presentationview.h"
#include "problems/problemsview.h"
#include "review/reviewcontroller.h"
#include "review/reviewdocument.h"
#include "settings.h"
#include "theme.h"
#include "whatif/whatifcontroller.h"
#include "whatif/whatifsession.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDesktopServices>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDragEnterEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QScopedValueRollback>
#include <QScrollBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QUndoStack>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>
#include <set>
#include <utility>

namespace ew::ui {

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_document(new ReviewDocument(this))
    , m_job(new AnalysisJob(this))
    , m_model(new FindingsModel(m_document, this))
    , m_filter(new FindingsFilterModel(m_model, this))
{
    m_jobs = new JobTracker(this);
    m_actionManager = new ActionManager(this);
    setObjectName(QStringLiteral("MainWindow"));
    setAcceptDrops(true);
    createActions();
    createWidgets();
    m_graph = new GraphController(m_document, m_scene, m_view, m_jobs, this);
    m_graph->setPathsOnly([this]() { return pathOnlyFindings(); });
    connect(m_graph, &GraphController::sceneChanged, this, &MainWindow::selectionChanged);
    connect(m_graph, &GraphController::laidOut, this, [this]() {
        if (!m_compare->isRunning()) // else its end is the moment everything is shown
            Q_EMIT ready();
    });
    m_exporter = new Exporter(m_document, m_scene, m_jobs, this);
    createExportActions();
    m_reviews = new ReviewController(m_document, m_actionManager, this);
    m_compare = new CompareController(m_document, m_actionManager, this);
    m_whatIfController = new WhatIfController(m_document, m_jobs, m_actionManager, this);
    connectControllers();
    createMenus();

    connect(m_job, &AnalysisJob::progress, this, [this](int percent, const QString& what) {
        m_progress->setValue(percent);
        m_progress->setFormat(what + QStringLiteral(" %p%"));
    });
    connect(m_job, &AnalysisJob::finished, this, &MainWindow::analysisFinished);
    connect(m_job, &AnalysisJob::cancelled, this, [this]() {
        m_analysing = false;
        report(tr("Analysis cancelled."));
        updateActions();
        updateStatus();
        Q_EMIT ready();
    });
    connect(m_document, &ReviewDocument::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_document, &ReviewDocument::fileNameChanged, this, &MainWindow::updateTitle);
    connect(m_document, &ReviewDocument::decisionsChanged, this, [this]() { updateStatus(); });
    connect(m_document, &ReviewDocument::dataStoresChanged, this, &MainWindow::startAnalysis);
    connect(m_document->undoStack(), &QUndoStack::indexChanged, this, &MainWindow::updateActions);

    restoreSettings();
    updateActions();
    updateTitle();
    updateStatus();
}

MainWindow::~MainWindow()
{
    // The document and its undo stack outlive this object's members (QObject children go last):
    // their last signals must not reach a half-destroyed window.
    disconnect(m_document, nullptr, this, nullptr);
    disconnect(m_document->undoStack(), nullptr, this, nullptr);
    disconnect(m_scene, nullptr, this, nullptr);
    if (m_presentation)
        m_presentation->close();
    m_job->cancel();
    m_job->waitForFinished();
    delete m_compare; // waits for a baseline still being analysed
    m_compare = nullptr;
    // m_jobs waits for the layout and what-if runs as it goes.
}

QAction* MainWindow::action(const QString& id) const
{
    return m_actionManager->action(id);
}

QAction* MainWindow::newAction(
    const char* id, const QString& text, const QKeySequence& key, QStyle::StandardPixmap icon, const char* themeIcon)
{
    return m_actionManager->add(id, text, key, icon, themeIcon);
}

void MainWindow::createActions()
{
    connect(newAction("reload", tr("Re&load Inputs"), QKeySequence::Refresh, QStyle::SP_BrowserReload, "view-refresh"),
        &QAction::triggered, this, &MainWindow::startAnalysis);
    connect(newAction("quit", tr("&Quit"), QKeySequence::Quit, QStyle::SP_CustomBase, "application-exit"),
        &QAction::triggered, this, &QWidget::close);

    QAction* undo = m_document->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setObjectName(QStringLiteral("undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setIcon(QIcon::fromTheme(QStringLiteral("edit-undo"), style()->standardIcon(QStyle::SP_ArrowBack)));
    m_actionManager->adopt(undo);
    QAction* redo = m_document->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setObjectName(QStringLiteral("redo"));
    redo->setShortcut(QKeySequence::Redo);
    redo->setIcon(QIcon::fromTheme(QStringLiteral("edit-redo"), style()->standardIcon(QStyle::SP_ArrowForward)));
    m_actionManager->adopt(redo);
    connect(newAction("find", tr("&Filter Findings"), QKeySequence::Find), &QAction::triggered, this,
        [this]() { m_filterBar->focusText(); });
    connect(newAction("clear-filter", tr("&Clear Filter"), QKeySequence(tr("Ctrl+Shift+F"))), &QAction::triggered, this,
        [this]() { m_filterBar->clear(); });

    const std::pair<const char*, TriageState> states[] = { { "triage-new", TriageState::New },
        { "triage-confirmed", TriageState::Confirmed }, { "triage-accepted-risk", TriageState::AcceptedRisk },
        { "triage-false-positive", TriageState::FalsePositive }, { "triage-fixed", TriageState::Fixed } };
    for (const auto& [id, state] : states) {
        const int n = static_cast<int>(state);
        const TriageState st = state;
        connect(newAction(id, tr("Mark as %1").arg(QString::fromLatin1(triageStateTitle(state))),
                    QKeySequence(QStringLiteral("Ctrl+%1").arg(n))),
            &QAction::triggered, this, [this, st]() { m_triage->setState(st); });
    }
    connect(newAction("triage-edit", tr("Edit Owner and &Note…"), QKeySequence(tr("Ctrl+E"))), &QAction::triggered,
        this, [this]() {
            m_tabs->setCurrentWidget(m_triage);
            m_triage->ownerEdit()->setFocus();
        });
    connect(newAction("not-data-store", tr("Target Is &Not a Data Store")), &QAction::triggered, this,
        [this]() { m_triage->markDataStore(QString()); });

    connect(newAction("fit", tr("&Fit Graph"), QKeySequence(tr("Ctrl+Alt+F")), QStyle::SP_CustomBase, "zoom-fit-best"),
        &QAction::triggered, this, [this]() { m_view->fitAll(); });
    QAction* zoomIn = newAction("zoom-in", tr("Zoom &In"), QKeySequence::ZoomIn, QStyle::SP_CustomBase, "zoom-in");
    // Ctrl++ needs Shift on most layouts, where the key pressed is Ctrl+=: accept both.
    zoomIn->setShortcuts(QKeySequence::keyBindings(QKeySequence::ZoomIn) << QKeySequence(tr("Ctrl+=")));
    connect(zoomIn, &QAction::triggered, this, [this]() { m_view->zoomBy(1.25); });
    connect(newAction("zoom-out", tr("Zoom &Out"), QKeySequence::ZoomOut, QStyle::SP_CustomBase, "zoom-out"),
        &QAction::triggered, this, [this]() { m_view->zoomBy(0.8); });
    connect(newAction("present", tr("&Presentation Mode"), QKeySequence(tr("F11"))), &QAction::triggered, this,
        &MainWindow::present);
    connect(newAction("next-pane", tr("Ne&xt Pane"), QKeySequence(tr("F6"))), &QAction::triggered, this,
        [this]() { focusPane(1); });
    connect(newAction("previous-pane", tr("Pre&vious Pane"), QKeySequence(tr("Shift+F6"))), &QAction::triggered, this,
        [this]() { focusPane(-1); });
    connect(newAction("expand-all", tr("&Expand All Groups")), &QAction::triggered, this,
        [this]() { m_graph->setAllGroups(true); });
    connect(newAction("collapse-all", tr("&Collapse All Groups")), &QAction::triggered, this,
        [this]() { m_graph->setAllGroups(false); });
    QAction* byRule = newAction("group-by-rule", tr("&Group by Deciding Rule"), QKeySequence(tr("Ctrl+Alt+R")));
    byRule->setCheckable(true);
    byRule->setStatusTip(tr("Show the findings under the rules that let them in, the rule admitting the worst first"));
    connect(byRule, &QAction::toggled, this, [this](bool grouped) {
        const bool hadFocus = m_findingsStack->currentWidget()->hasFocus();
        m_ruleGroups->setActive(grouped);
        m_findingsStack->setCurrentWidget(grouped ? static_cast<QWidget*>(m_ruleGroups) : m_table);
        if (hadFocus)
            m_findingsStack->currentWidget()->setFocus();
    });
    QAction* pathOnly = newAction(
        "path-only", tr("Selected &Paths Only"), QKeySequence(tr("Ctrl+Alt+P")), QStyle::SP_CustomBase, "view-filter");
    pathOnly->setCheckable(true);
    pathOnly->setStatusTip(tr("Draw only the paths of the selected findings, every group open"));
    connect(pathOnly, &QAction::toggled, this, [this]() {
        m_graph->forgetOpenedPath();
        m_graph->relayout();
    });
    connect(newAction("search-graph", tr("&Search Graph"), QKeySequence(tr("Ctrl+G"))), &QAction::triggered, this,
        [this]() {
            m_graphSearch->setFocus(Qt::ShortcutFocusReason);
            m_graphSearch->selectAll();
        });

    auto* themes = new QActionGroup(this);
    for (const auto& [id, name, title] : { std::tuple { "theme-system", "system", tr("&System Colours") },
             std::tuple { "theme-light", "light", tr("&Light") }, std::tuple { "theme-dark", "dark", tr("&Dark") } }) {
        QAction* a = newAction(id, title);
        a->setCheckable(true);
        a->setData(QString::fromLatin1(name));
        themes->addAction(a);
        const QString themeName = QString::fromLatin1(name);
        connect(a, &QAction::triggered, this, [this, themeName]() {
            Settings::theme.set(themeName);
            Theme::apply(themeName);
            m_scene->update();
        });
    }
    connect(newAction("about", tr("&About Exposure Workbench")), &QAction::triggered, this, [this]() {
        QMessageBox::about(this, tr("About Exposure Workbench"),
            tr("<h3>Exposure Workbench %1</h3><p>Which data stores in a cloud estate can the internet reach, through "
               "which path, and because of which rule.</p><p>Engine catalogue: data stores v%3. Built with Qt "
               "%2.</p>")
                .arg(QStringLiteral(EW_VERSION), QString::fromLatin1(qVersion()),
                    QString::fromStdString(DataStoreCatalogue::builtin().version())));
    });
    connect(newAction("about-qt", tr("About &Qt")), &QAction::triggered, qApp, &QApplication::aboutQt);
}

void MainWindow::createExportActions()
{
    connect(newAction("export-report", tr("&Report (PDF)…"), QKeySequence::Print), &QAction::triggered, this,
        &MainWindow::exportReportDialog);
    const std::tuple<const char*, QString, QString, QString> formats[] = {
        { "export-csv", tr("Findings as &CSV…"), QStringLiteral("csv"), tr("CSV (*.csv)") },
        { "export-json", tr("Findings as &JSON…"), QStringLiteral("json"), tr("JSON (*.json)") },
        { "export-sarif", tr("Findings as &SARIF…"), QStringLiteral("sarif"), tr("SARIF (*.sarif *.sarif.json)") },
        { "export-markdown", tr("Findings as &Markdown…"), QStringLiteral("markdown"), tr("Markdown (*.md)") },
    };
    for (const auto& [id, text, format, filter] : formats) {
        const QString fmt = format, flt = filter;
        connect(newAction(id, text), &QAction::triggered, this, [this, fmt, flt]() {
            const QString suffix = fmt == QLatin1String("markdown") ? QStringLiteral("md") : fmt;
            const QString file = QFileDialog::getSaveFileName(
                this, tr("Export findings"), m_document->baseDir() + QStringLiteral("/findings.") + suffix, flt);
            QString error;
            if (file.isEmpty())
                return;
            if (m_exporter->exportFindings(fmt, file, &error))
                report(tr("Wrote %1").arg(file));
            else
                fail(tr("Cannot export"), error);
        });
    }
    for (const auto& [id, text, pathOnly] : { std::tuple { "export-graph", tr("&Graph as SVG or PNG…"), false },
             std::tuple { "export-path", tr("Selected &Path as SVG or PNG…"), true } }) {
        const bool only = pathOnly;
        connect(newAction(id, text), &QAction::triggered, this, [this, only]() {
            const QString file
                = QFileDialog::getSaveFileName(this, only ? tr("Export the path") : tr("Export the graph"),
                    m_document->baseDir() + (only ? QStringLiteral("/path.svg") : QStringLiteral("/graph.svg")),
                    tr("SVG (*.svg);;PNG (*.png)"));
            QString error;
            if (file.isEmpty())
                return;
            if (m_exporter->exportGraph(file, only, &error))
                report(tr("Wrote %1").arg(file));
            else
                fail(tr("Cannot export"), error);
        });
    }
    connect(m_exporter, &Exporter::reportFinished, this, [this](bool ok, const QString& message) {
        m_progress->hide();
        if (ok)
            report(message);
        else
            fail(tr("Cannot write the report"), message);
    });
}

void MainWindow::exportReportDialog()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Export the report"));
    auto* form = new QFormLayout(&dialog);
    auto* file = new QLineEdit(m_document->baseDir() + QStringLiteral("/exposure-report.pdf"), &dialog);
    auto* browse = new QPushButton(tr("Browse…"), &dialog);
    auto* row = new QHBoxLayout;
    row->addWidget(file, 1);
    row->addWidget(browse);
    auto* reviewer = new QLineEdit(QString::fromStdString(m_document->review().reviewer), &dialog);
    auto* redact = new QCheckBox(tr("Redact addresses, e-mail addresses and subscription/tenant ids"), &dialog);
    redact->setObjectName(QStringLiteral("redact"));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, &dialog);
    form->addRow(tr("PDF file:"), row);
    form->addRow(tr("Reviewer:"), reviewer);
    form->addRow(QString(), redact);
    form->addRow(buttons);
    connect(browse, &QPushButton::clicked, &dialog, [&]() {
        const QString f = QFileDialog::getSaveFileName(&dialog, tr("Report file"), file->text(), tr("PDF (*.pdf)"));
        if (!f.isEmpty())
            file->setText(f);
    });
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted || file->text().isEmpty())
        return;
    m_progress->setRange(0, 0); // busy: the report is written in the background
    m_progress->setFormat(tr("Writing the report…"));
    m_progress->show();
    m_exporter->exportReport(file->text(), redact->isChecked(), reviewer->text());
}

PresentationView* MainWindow::presentation() const
{
    return m_presentation;
}

void MainWindow::present()
{
    const auto analysis = m_document->analysis();
    if (!analysis)
        return;
    // Critical and high paths (all findings when there are none), most severe first, starting at
    // the selected one when it is among them.
    std::vector<Finding> findings;
    for (const auto& f : analysis->result.findings)
        if (f.severity >= Severity::High)
            findings.push_back(f);
    if (findings.empty())
        findings = analysis->result.findings;
    std::size_t start = 0;
    const auto selected = selectedFindings();
    for (std::size_t i = 0; i < findings.size() && !selected.empty(); ++i)
        if (findings[i].id == selected.front()->id)
            start = i;
    if (m_presentation)
        m_presentation->close();
    auto* view = new PresentationView();
    m_presentation = view;
    view->setWindowTitle(tr("Exposure Workbench — presentation"));
    view->setAnimated(m_interactive);
    view->setFindings(std::move(findings), start);
    if (m_presentFullScreen)
        view->showFullScreen();
    else {
        view->resize(size());
        view->show();
    }
    view->setFocus();
}

void MainWindow::createMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(action(QStringLiteral("open-folder")));
    file->addAction(action(QStringLiteral("open-files")));
    file->addAction(action(QStringLiteral("open-review")));
    m_reviews->setRecentMenu(file->addMenu(tr("Open &Recent")));
    file->addSeparator();
    file->addAction(action(QStringLiteral("save")));
    file->addAction(action(QStringLiteral("save-as")));
    file->addSeparator();
    QMenu* exports = file->addMenu(tr("&Export"));
    exports->addAction(action(QStringLiteral("export-report")));
    exports->addSeparator();
    for (const char* id : { "export-csv", "export-json", "export-sarif", "export-markdown" })
        exports->addAction(action(QString::fromLatin1(id)));
    exports->addSeparator();
    exports->addAction(action(QStringLiteral("export-graph")));
    exports->addAction(action(QStringLiteral("export-path")));
    file->addSeparator();
    file->addAction(action(QStringLiteral("reload")));
    file->addSeparator();
    file->addAction(action(QStringLiteral("quit")));

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(action(QStringLiteral("undo")));
    edit->addAction(action(QStringLiteral("redo")));
    edit->addSeparator();
    edit->addAction(action(QStringLiteral("find")));
    edit->addAction(action(QStringLiteral("clear-filter")));

    QMenu* triage = menuBar()->addMenu(tr("&Triage"));
    for (const char* id :
        { "triage-new", "triage-confirmed", "triage-accepted-risk", "triage-false-positive", "triage-fixed" })
        triage->addAction(action(QString::fromLatin1(id)));
    triage->addSeparator();
    triage->addAction(action(QStringLiteral("triage-edit")));
    triage->addAction(action(QStringLiteral("not-data-store")));

    QMenu* compare = menuBar()->addMenu(tr("&Compare"));
    for (const char* id : { "compare-with", "compare-previous", "compare-with-findings", "open-new-snapshot",
             "compare-only-changes", "compare-stop" })
        compare->addAction(action(QString::fromLatin1(id)));
    QMenu* whatIf = menuBar()->addMenu(tr("What &If"));
    for (const char* id :
        { "whatif-fix", "whatif-remove-pip", "whatif-replay", "whatif-rename", "whatif-export", "whatif-end" })
        whatIf->addAction(action(QString::fromLatin1(id)));
    whatIf->addSeparator();
    whatIf->addAction(tr("Edit, disable, delete or add rules from the rule inspector's context menu"))
        ->setEnabled(false);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(action(QStringLiteral("group-by-rule")));
    view->addSeparator();
    for (const char* id : { "fit", "zoom-in", "zoom-out", "search-graph" })
        view->addAction(action(QString::fromLatin1(id)));
    view->addSeparator();
    view->addAction(action(QStringLiteral("next-pane")));
    view->addAction(action(QStringLiteral("previous-pane")));
    view->addSeparator();
    view->addAction(action(QStringLiteral("present")));
    view->addSeparator();
    view->addAction(action(QStringLiteral("expand-all")));
    view->addAction(action(QStringLiteral("collapse-all")));
    view->addAction(action(QStringLiteral("path-only")));
    view->addSeparator();
    QMenu* theme = view->addMenu(tr("&Theme"));
    for (const char* id : { "theme-system", "theme-light", "theme-dark" })
        theme->addAction(action(QString::fromLatin1(id)));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(action(QStringLiteral("about")));
    help->addAction(action(QStringLiteral("about-qt")));

    auto* tools = addToolBar(tr("Main"));
    m_mainToolBar = tools;
    tools->setObjectName(QStringLiteral("mainToolBar"));
    tools->setMovable(false);
    tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tools->addAction(action(QStringLiteral("open-folder")));
    tools->addAction(action(QStringLiteral("open-review")));
    tools->addAction(action(QStringLiteral("save")));
    tools->addSeparator();
    tools->addAction(action(QStringLiteral("undo")));
    tools->addAction(action(QStringLiteral("redo")));
    connect(m_document->undoStack(), &QUndoStack::undoTextChanged, this, &MainWindow::elideUndoLabels);
    connect(m_document->undoStack(), &QUndoStack::redoTextChanged, this, &MainWindow::elideUndoLabels);
    elideUndoLabels();
}

void MainWindow::createWidgets()
{
    // Left: filter bar over the findings table.
    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(6, 6, 0, 0);
    m_filterBar = new FilterBar(m_filter, left);
    m_table = new QTableView(left);
    m_table->setObjectName(QStringLiteral("findingsTable"));
    m_table->setModel(m_filter);
    m_table->setItemDelegate(new FindingsDelegate(m_table));
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(FindingsModel::SeverityColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // Tab and Ctrl+Tab leave the table (arrows move in it); the current row is framed while the
    // table has focus (FindingsDelegate).
    m_table->setTabKeyNavigation(false);
    m_table->installEventFilter(this);
    m_table->setColumnHidden(FindingsModel::IdColumn, true);
    m_table->setColumnHidden(FindingsModel::FrontendColumn, true);
    m_table->setColumnHidden(FindingsModel::ProtocolColumn, true); // the Ports column says it
    // What the analyst reads first leads, so that a narrow window keeps it: severity, target,
    // ports and sources, then state and the rest (fitTableColumns).
    for (const int column : { FindingsModel::PortsColumn, FindingsModel::SourcesColumn }) {
        auto* header = m_table->horizontalHeader();
        header->moveSection(header->visualIndex(column), header->visualIndex(FindingsModel::StateColumn));
    }
    m_table->horizontalHeader()->moveSection(m_table->horizontalHeader()->visualIndex(FindingsModel::TargetColumn),
        m_table->horizontalHeader()->visualIndex(FindingsModel::PortsColumn));
    // Exposed since goes before the owner (shown when the review has a history: showAnalysis).
    m_table->horizontalHeader()->moveSection(
        m_table->horizontalHeader()->visualIndex(FindingsModel::ExposedSinceColumn),
        m_table->horizontalHeader()->visualIndex(FindingsModel::OwnerColumn));
    m_table->setColumnHidden(FindingsModel::ExposedSinceColumn, true);
    m_table->viewport()->installEventFilter(this); // its width decides the columns' (fitTableColumns)
    auto* header = m_table->horizontalHeader();
    // Widths the analyst set by dragging a column's edge (or double-clicking it) are kept.
    // (A drag of the splitter also resizes the last section: only a drag over the header counts.)
    connect(header, &QHeaderView::sectionResized, this, [this, header]() {
        if (!m_fittingColumns && (QGuiApplication::mouseButtons() & Qt::LeftButton) && header->viewport()->underMouse())
            m_columnsByHand = true;
    });
    connect(header, &QHeaderView::sectionHandleDoubleClicked, this, [this]() { m_columnsByHand = true; });
    leftLayout->addWidget(m_filterBar);
    // The same findings grouped by deciding rule, sharing the table's selection.
    m_ruleGroups = new RuleGroupsView(m_filter, m_table->selectionModel(), left);
    m_findingsStack = new QStackedWidget(left);
    m_findingsStack->addWidget(m_table);
    m_findingsStack->addWidget(m_ruleGroups);
    leftLayout->addWidget(m_findingsStack, 1);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::selectionChanged);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::selectionChanged);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, m_table->viewport(),
        qOverload<>(&QWidget::update));
    connect(m_filter, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateStatus);
    connect(m_filter, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateStatus);
    connect(m_filter, &QAbstractItemModel::modelReset, this, &MainWindow::updateStatus);
    connect(m_filter, &QAbstractItemModel::layoutChanged, this, &MainWindow::updateStatus);
    connect(m_filter, &FindingsFilterModel::criteriaAboutToChange, this, [this]() { m_refiltering = true; });
    connect(m_filter, &FindingsFilterModel::criteriaChanged, this, &MainWindow::restoreKeptSelection);

    // Right top: the graph with its own small toolbar.
    auto* graphPane = new QWidget(this);
    auto* graphLayout = new QVBoxLayout(graphPane);
    graphLayout->setContentsMargins(0, 6, 6, 0);
    auto* graphBar = new QToolBar(graphPane);
    graphBar->setIconSize(QSize(16, 16));
    m_graphSearch = new QLineEdit(graphBar);
    m_graphSearch->setObjectName(QStringLiteral("graphSearch"));
    m_graphSearch->setPlaceholderText(tr("Find in graph (Ctrl+G)"));
    m_graphSearch->setClearButtonEnabled(true);
    m_graphSearch->setMaximumWidth(240);
    connect(m_graphSearch, &QLineEdit::returnPressed, this, &MainWindow::searchGraph);
    graphBar->addWidget(m_graphSearch);
    for (const char* id : { "fit", "zoom-in", "zoom-out", "expand-all", "collapse-all", "path-only" }) {
        QAction* a = action(QString::fromLatin1(id));
        graphBar->addAction(a);
        // Tool bar buttons take no focus by default: these are the graph's controls, reachable by Tab.
        if (QWidget* button = graphBar->widgetForAction(a)) {
            button->setFocusPolicy(Qt::TabFocus);
            button->setObjectName(QStringLiteral("graphButton-") + QString::fromLatin1(id));
        }
        a->setToolTip(a->shortcut().isEmpty()
                ? a->iconText()
                : tr("%1 (%2)").arg(a->iconText(), a->shortcut().toString(QKeySequence::NativeText)));
    }
    m_scene = new GraphScene(this);
    m_view = new GraphView(graphPane);
    m_view->setObjectName(QStringLiteral("graphView"));
    m_view->setScene(m_scene);
    graphLayout->addWidget(graphBar);
    graphLayout->addWidget(m_view, 1);
    connect(m_scene, &GraphScene::nodeSelected, this, &MainWindow::showNodeDetails);
    connect(m_scene, &GraphScene::edgeSelected, this, &MainWindow::showEdgeDetails);

    // Right bottom: inspector, details, triage, problems.
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("sideTabs"));
    m_inspector = new RuleInspector(m_tabs);
    m_details = new QTextBrowser(m_tabs);
    m_details->setObjectName(QStringLiteral("details"));
    m_details->setOpenLinks(false);
    m_triage = new TriagePanel(m_document, m_tabs);
    m_problems = new ProblemsView(m_tabs);
    m_tabs->addTab(m_inspector, tr("Rule inspector"));
    m_tabs->addTab(m_details, tr("Details"));
    m_tabs->addTab(m_triage, tr("Triage"));
    m_tabs->addTab(m_problems, tr("Problems"));
    m_changes = new QTextBrowser(this);
    m_changes->setObjectName(QStringLiteral("changes"));
    m_tabs->addTab(m_changes, tr("Changes"));
    connect(m_inspector, &RuleInspector::openLocation, this, &MainWindow::openLocation);
    connect(m_problems, &ProblemsView::openLocation, this, &MainWindow::openLocation);

    m_rightSplitter = new QSplitter(Qt::Vertical, this);
    m_rightSplitter->setObjectName(QStringLiteral("rightSplitter"));
    m_rightSplitter->addWidget(graphPane);
    m_rightSplitter->addWidget(m_tabs);
    m_rightSplitter->setStretchFactor(0, 3);
    m_rightSplitter->setStretchFactor(1, 2);
    m_mainSplitter = new QSplitter(Qt::Horizontal, this);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_mainSplitter->addWidget(left);
    m_mainSplitter->addWidget(m_rightSplitter);
    // A narrower window takes most of the width from the graph: the table is where triage happens.
    m_mainSplitter->setStretchFactor(0, 1);
    m_mainSplitter->setStretchFactor(1, 3);
    setCentralWidget(m_mainSplitter);

    m_countsLabel = new QLabel(this);
    m_countsLabel->setObjectName(QStringLiteral("counts"));
    m_timingLabel = new QLabel(this);
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(220);
    m_progress->setRange(0, 100);
    m_progress->hide();
    m_cancel = new QToolButton(this);
    m_cancel->setText(tr("Cancel"));
    m_cancel->setObjectName(QStringLiteral("cancelJob"));
    m_cancel->hide();
    connect(m_cancel, &QToolButton::clicked, m_job, &AnalysisJob::cancel);
    statusBar()->addWidget(m_countsLabel, 1);
    m_whatIfBanner = new QLabel(this);
    m_whatIfBanner->setObjectName(QStringLiteral("whatIfBanner"));
    m_whatIfBanner->setStyleSheet(
        QStringLiteral("QLabel { background: #e67e00; color: white; font-weight: bold; padding: 1px 8px; }"));
    m_whatIfBanner->hide();
    statusBar()->addPermanentWidget(m_whatIfBanner);
    statusBar()->addPermanentWidget(m_timingLabel);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancel);

    // Tab order: as the panes read, left to right and top to bottom.
    QList<QWidget*> chain = { m_filterBar->textEdit(), m_filterBar->savedFiltersButton(), m_filterBar->portEdit(),
        m_filterBar->severityBox(), m_filterBar->engineBox(), m_filterBar->stateBox(), m_table, m_ruleGroups,
        m_graphSearch };
    for (const char* id : { "fit", "zoom-in", "zoom-out", "expand-all", "collapse-all" })
        if (QWidget* button = graphBar->widgetForAction(action(QString::fromLatin1(id))))
            chain << button;
    chain << m_view << m_tabs;
    for (qsizetype i = 1; i < chain.size(); ++i)
        setTabOrder(chain[i - 1], chain[i]);
}

void MainWindow::fitTableColumns()
{
    if (m_columnsByHand || !m_table)
        return;
    // Preferred and smallest widths, in the table font's average character widths; the essential
    // columns are the ones a narrow window must keep in view, and the target's name elides first.
    struct Spec
    {
        int preferred, minimum;
        bool essential;
    };
    const int ch = m_table->fontMetrics().averageCharWidth();
    const QFontMetrics headerMetrics(m_table->horizontalHeader()->font());
    auto spec = [&](int column) -> Spec {
        switch (column) {
        case FindingsModel::SeverityColumn: { // the badge: "Critical" in bold, and its margins
            QFont bold = m_table->font();
            bold.setBold(true);
            const int w = QFontMetrics(bold).horizontalAdvance(QStringLiteral("Critical")) + 24;
            return { w, w, true };
        }
        case FindingsModel::TargetColumn:
            return { 24 * ch, 14 * ch, true };
        case FindingsModel::PortsColumn:
            return { 24 * ch, 15 * ch, true };
        case FindingsModel::SourcesColumn:
            return { 22 * ch, 13 * ch, true };
        case FindingsModel::ChangeColumn: {
            const int w = std::max(m_table->fontMetrics().horizontalAdvance(tr("changed")),
                              headerMetrics.horizontalAdvance(tr("Change")) + 16)
                + 12;
            return { w, w, false };
        }
        case FindingsModel::HopsColumn:
            return { 6 * ch, 5 * ch, false };
        case FindingsModel::StateColumn:
            return { 14 * ch, 9 * ch, false };
        case FindingsModel::ExposedSinceColumn:
            return { 13 * ch, 11 * ch, false };
        default:
            return { 14 * ch, 8 * ch, false };
        }
    };
    auto* header = m_table->horizontalHeader();
    std::vector<int> columns; // visible, in the order shown
    for (int v = 0; v < header->count(); ++v)
        if (!header->isSectionHidden(header->logicalIndex(v)))
            columns.push_back(header->logicalIndex(v));
    std::vector<int> width(columns.size()), minimum(columns.size());
    std::size_t lastEssential = 0;
    int used = 0;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        const Spec sp = spec(columns[i]);
        width[i] = sp.preferred;
        minimum[i] = sp.minimum;
        if (sp.essential)
            lastEssential = i;
    }
    for (std::size_t i = 0; i <= lastEssential && i < columns.size(); ++i)
        used += width[i];
    // Narrower than the essential columns' preferred widths: take the room from the target's name
    // first (down to a comfortable width), then from the other columns before the last essential
    // one, then from every essential column in proportion to what it can give.
    int deficit = used - m_table->viewport()->width();
    auto shrink = [&](auto&& which, auto&& floor) {
        int room = 0;
        for (std::size_t i = 0; i <= lastEssential && i < columns.size(); ++i)
            if (which(columns[i], spec(columns[i]).essential))
                room += std::max(0, width[i] - floor(i));
        if (deficit <= 0 || room <= 0)
            return;
        const int take = std::min(deficit, room);
        int taken = 0;
        for (std::size_t i = 0; i <= lastEssential && i < columns.size(); ++i)
            if (which(columns[i], spec(columns[i]).essential)) {
                const int give = std::max(0, width[i] - floor(i));
                const int part = std::min(give, (take * give + room - 1) / room);
                width[i] -= std::min(part, take - taken);
                taken += std::min(part, take - taken);
            }
        deficit -= taken;
    };
    const auto atMinimum = [&](std::size_t i) { return minimum[i]; };
    // The table gets at least the width of its essential columns at their smallest, taken from the
    // graph while the graph keeps half the window (a window too narrow for both scrolls the table).
    int essentials = 2 * m_table->frameWidth() + m_table->verticalScrollBar()->sizeHint().width();
    for (const int c : { FindingsModel::SeverityColumn, FindingsModel::ChangeColumn, FindingsModel::TargetColumn,
             FindingsModel::PortsColumn, FindingsModel::SourcesColumn })
        if (!header->isSectionHidden(c))
            essentials += spec(c).minimum;
    if (m_mainSplitter && essentials > m_table->width())
        // After the resize that brought this (the splitter lays its widgets out after their events).
        QMetaObject::invokeMethod(this, "widenTable", Qt::QueuedConnection);
    m_essentialWidth = essentials;
    shrink(
        [](int column, bool) { return column == FindingsModel::TargetColumn; }, [&](std::size_t) { return 18 * ch; });
    shrink([](int, bool essential) { return !essential; }, atMinimum);
    shrink([](int, bool essential) { return essential; }, atMinimum);
    const QScopedValueRollback fitting(m_fittingColumns, true);
    for (std::size_t i = 0; i < columns.size(); ++i)
        if (i + 1 < columns.size() || !header->stretchLastSection())
            header->resizeSection(columns[i], width[i]);
}

void MainWindow::widenTable()
{
    QList<int> sizes = m_mainSplitter->sizes();
    const int missing = m_essentialWidth - m_table->width();
    if (sizes.size() != 2 || missing <= 0 || sizes[1] - missing < (sizes[0] + sizes[1]) / 2)
        return;
    sizes[0] += missing;
    sizes[1] -= missing;
    m_mainSplitter->setSizes(sizes); // the table's viewport grows: fitTableColumns runs again
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event)
{
    if (!m_table) // events before the widgets exist
        return QMainWindow::eventFilter(watched, event);
    if (watched == m_table->viewport() && event->type() == QEvent::Resize)
        fitTableColumns();
    // The current row's frame (FindingsDelegate) spans every cell: repaint the rows, not the cell.
    if (watched == m_table && (event->type() == QEvent::FocusIn || event->type() == QEvent::FocusOut))
        m_table->viewport()->update();
    // Ctrl+Tab leaves the findings table like Tab (item views otherwise take it to walk cells).
    if (watched == m_table && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if ((key->key() == Qt::Key_Tab || key->key() == Qt::Key_Backtab) && (key->modifiers() & Qt::ControlModifier)) {
            focusNextPrevChild(key->key() == Qt::Key_Tab && !(key->modifiers() & Qt::ShiftModifier));
            return true;
        }
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::focusPane(int step)
{
    // Each pane, and the widget that takes the focus when it is entered.
    const std::pair<QWidget*, QWidget*> panes[] = { { m_filterBar, m_filterBar->textEdit() },
        { m_findingsStack, m_findingsStack->currentWidget() }, { m_view->parentWidget(), m_view }, { m_tabs, m_tabs } };
    constexpr int n = static_cast<int>(std::size(panes));
    const QWidget* focus = QApplication::focusWidget();
    int at = -1;
    for (int i = 0; i < n && at < 0; ++i)
        if (focus && (focus == panes[i].first || panes[i].first->isAncestorOf(focus)))
            at = i;
    const int next = at < 0 ? (step > 0 ? 0 : n - 1) : ((at + step) % n + n) % n;
    panes[next].second->setFocus(Qt::TabFocusReason);
}

void MainWindow::elideUndoLabels()
{
    // The tool bar shows "Undo <what>" elided, so that a long label never pushes Undo and Redo
    // into the overflow; the menu and the tooltip keep the whole label.
    const QFontMetrics metrics(m_mainToolBar->font());
    const int width = metrics.horizontalAdvance(QLatin1Char('M')) * 16;
    const std::pair<const char*, QString> labels[]
        = { { "undo", m_document->undoStack()->undoText() }, { "redo", m_document->undoStack()->redoText() } };
    for (const auto& [id, what] : labels) {
        QAction* a = action(QString::fromLatin1(id));
        const QString full = (id == std::string_view("undo") ? tr("Undo %1") : tr("Redo %1")).arg(what).trimmed();
        QString shown = metrics.elidedText(full, Qt::ElideRight, width);
        a->setIconText(shown.replace(QLatin1Char('&'), QLatin1String("&&")));
        a->setToolTip(full);
    }
}

void MainWindow::restoreSettings()
{
    if (!restoreGeometry(Settings::windowGeometry.get()))
        resize(1280, 800);
    restoreState(Settings::windowState.get());
    if (!m_mainSplitter->restoreState(Settings::mainSplitter.get()))
        m_mainSplitter->setSizes({ 500, 780 });
    if (!m_rightSplitter->restoreState(Settings::rightSplitter.get()))
        m_rightSplitter->setSizes({ 430, 290 });
    const QByteArray header = Settings::findingsHeader.get();
    // The analyst's own column widths come back; else they follow the window (fitTableColumns).
    m_columnsByHand = !header.isEmpty() && m_table->horizontalHeader()->restoreState(header)
        && Settings::findingsColumnsByHand.get();
    fitTableColumns();
    const QString theme = Settings::theme.get();
    for (const char* id : { "theme-system", "theme-light", "theme-dark" })
        if (auto* a = action(QString::fromLatin1(id)); a && a->data().toString() == theme)
            a->setChecked(true);
}

void MainWindow::saveSettings()
{
    Settings::windowGeometry.set(saveGeometry());
    Settings::windowState.set(saveState());
    Settings::mainSplitter.set(m_mainSplitter->saveState());
    Settings::rightSplitter.set(m_rightSplitter->saveState());
    Settings::findingsHeader.set(m_table->horizontalHeader()->saveState());
    Settings::findingsColumnsByHand.set(m_columnsByHand);
}

void MainWindow::report(const QString& message)
{
    statusBar()->showMessage(message, 8000);
}

void MainWindow::fail(const QString& title, const QString& error)
{
    m_lastError = error;
    if (m_interactive)
        QMessageBox::warning(this, title, error);
    report(error);
}

void MainWindow::startAnalysis()
{
    if (m_document->inputs().isEmpty())
        return;
    m_analysing = true;
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    m_progress->show();
    m_cancel->show();
    updateActions();
    m_job->start(m_document->inputs(), m_document->review().dataStores, m_document->baseDir());
}

void MainWindow::analysisFinished(const std::shared_ptr<const AnalysisData>& analysis)
{
    m_analysing = false;
    m_progress->hide();
    m_cancel->hide();
    m_whatIfController->reset(); // its base is gone; the scenario stays in the review
    // A Terraform plan is shown as the state it would produce, compared with the state it starts
    // from: the Changes tab lists what applying it would expose (issue 13).
    const bool plan = analysis->snapshot.files.size() == 1
        && analysis->snapshot.files.front().format == "terraform-plan" && !analysis->snapshot.hasErrors();
    showAnalysis(analysis, false);
    if (plan && !m_compare->hasBaseline() && !m_compare->isRunning()) {
        compareWith(m_document->inputs(), true);
        report(tr("Terraform plan: shown as the state it would produce; the Changes tab lists what applying it "
                  "would expose."));
    } else if (std::exchange(m_compareOnOpen, false) && !m_compare->hasBaseline() && !m_compare->isRunning()
        && !m_document->review().history.empty()) {
        compareWithPreviousSnapshot(true);
    }
}

void MainWindow::showAnalysis(const std::shared_ptr<const AnalysisData>& analysis, bool whatIf)
{
    // Keep the selection across re-analysis by stable finding id.
    std::set<std::string> selected;
    for (const Finding* f : selectedFindings())
        selected.insert(f->id);
    m_inspector->clear();
    m_triage->setSelection({});
    m_document->setAnalysis(analysis, whatIf);
    m_ruleGroups->setAnalysis(analysis); // before the table's rows change: it regroups them
    m_model->setAnalysis(analysis);
    m_table->setColumnHidden(FindingsModel::ExposedSinceColumn, !m_model->hasHistory());
    fitTableColumns();
    updateComparison();
    std::set<QString> engines;
    for (const auto& f : analysis->result.findings)
        if (!f.dataStore.engine.empty())
            engines.insert(QString::fromStdString(f.dataStore.engine));
    m_filterBar->setEngines(QStringList(engines.begin(), engines.end()));

    QStringList extra;
    const auto orphans = m_document->orphanDecisions();
    if (!orphans.empty())
        extra << tr("%n decision(s) concern findings this snapshot no longer has; they are kept in the review.",
            nullptr, static_cast<int>(orphans.size()));
    m_problems->setProblems(analysis->snapshot, m_document->identityChanges(), extra);
    m_tabs->setTabText(m_tabs->indexOf(m_problems),
        m_problems->errorCount() ? tr("Problems (%1)").arg(m_problems->errorCount() + m_problems->warningCount())
                                 : tr("Problems"));
    if (analysis->snapshot.hasErrors())
        m_tabs->setCurrentWidget(m_problems);
    m_timingLabel->setText(
        tr("import %1 ms · analysis %2 ms").arg(analysis->importMs, 0, 'f', 0).arg(analysis->analysisMs, 0, 'f', 0));
    if (!selected.empty()) {
        QItemSelection sel;
        for (int r = 0; r < m_filter->rowCount(); ++r)
            if (selected.count(m_filter->index(r, 0).data(FindingsModel::FindingIdRole).toString().toStdString()))
                sel.select(m_filter->index(r, 0), m_filter->index(r, FindingsModel::ColumnCount - 1));
        m_table->selectionModel()->select(sel, QItemSelectionModel::ClearAndSelect);
        if (!sel.isEmpty())
            m_table->selectionModel()->setCurrentIndex(sel.indexes().front(), QItemSelectionModel::NoUpdate);
    }
    updateActions();
    updateStatus();
    profilePhase("workbench: findings shown");
    m_graph->relayout();
}

std::vector<std::size_t> MainWindow::pathOnlyFindings() const
{
    std::vector<std::size_t> out;
    const auto analysis = m_document->analysis();
    if (!analysis || !action(QStringLiteral("path-only"))->isChecked())
        return out;
    for (const Finding* f : selectedFindings())
        out.push_back(static_cast<std::size_t>(f - analysis->result.findings.data()));
    std::sort(out.begin(), out.end());
    return out;
}

bool MainWindow::isLayingOut() const
{
    return m_graph->isLayingOut();
}

std::vector<const Finding*> MainWindow::selectedFindings() const
{
    std::vector<const Finding*> out;
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    std::set<int> rows;
    for (const auto& idx : m_table->selectionModel()->selectedRows())
        rows.insert(m_filter->mapToSource(idx).row());
    // The current row first: the inspector and the triage heading show it.
    if (current.isValid() && rows.count(m_filter->mapToSource(current).row())) {
        const int r = m_filter->mapToSource(current).row();
        out.push_back(m_model->finding(r));
        rows.erase(r);
    }
    for (int r : rows)
        if (const Finding* f = m_model->finding(r))
            out.push_back(f);
    return out;
}

void MainWindow::selectRow(int row)
{
    if (row < 0 || row >= m_filter->rowCount())
        return;
    m_table->selectionModel()->setCurrentIndex(
        m_filter->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(m_filter->index(row, 0));
}

void MainWindow::rememberSelection()
{
    m_keptSelection.clear();
    for (const Finding* f : selectedFindings())
        m_keptSelection.push_back(f->id);
}

void MainWindow::restoreKeptSelection()
{
    QItemSelection selection;
    QModelIndex current;
    for (const auto& id : m_keptSelection) {
        const int row = m_model->rowOf(id);
        const QModelIndex shown = row < 0 ? QModelIndex() : m_filter->mapFromSource(m_model->index(row, 0));
        if (!shown.isValid())
            continue; // still filtered out: kept for when the filter lets it back in
        selection.select(shown, shown.siblingAtColumn(FindingsModel::ColumnCount - 1));
        if (!current.isValid())
            current = shown;
    }
    if (!selection.isEmpty()) {
        // Only what changed is signalled: a selection the filter left alone stays as it is.
        m_table->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
        if (m_table->selectionModel()->currentIndex().row() != current.row())
            m_table->selectionModel()->setCurrentIndex(current, QItemSelectionModel::NoUpdate);
        m_table->scrollTo(current);
    }
    m_refiltering = false;
}

void MainWindow::selectionChanged()
{
    // While the filter changes, rows leave and come back: what the analyst selected is kept.
    if (!m_refiltering)
        rememberSelection();
    const auto findings = selectedFindings();
    const auto analysis = m_document->analysis();
    std::vector<std::size_t> indices;
    for (const Finding* f : findings)
        indices.push_back(static_cast<std::size_t>(f - analysis->result.findings.data()));
    m_scene->highlightFindings(indices);
    if (action(QStringLiteral("path-only"))->isChecked()) {
        auto wanted = indices;
        std::sort(wanted.begin(), wanted.end());
        if (wanted != m_graph->wantedPaths())
            m_graph->relayout();
    }
    m_triage->setSelection(findings);
    updateActions();
    if (findings.empty()) {
        m_inspector->clear();
        m_view->setOffscreenMarker({}, {});
        return;
    }
    const Finding& f = *findings.front();
    m_inspector->setFinding(&f, analysis ? analysis->inspector.get() : nullptr);
    // Bring the path into view, its groups opened first (a new layout comes back here).
    const std::size_t current = indices.front();
    if (!m_graph->openPathGroups(current)) {
        QRectF box, target;
        const auto nodes = m_scene->pathNodes(current);
        for (const NodeItem* item : nodes) {
            box = box.united(item->sceneBoundingRect());
            target = item->sceneBoundingRect(); // the last one: the target's box
        }
        // Where the path starts stays in sight: a marker at the view's edge points to the
        // internet node while it is scrolled away (a path on a large estate is taller than the view).
        if (!nodes.empty() && nodes.front()->node().kind == ReachabilityGraph::Kind::Internet)
            m_view->setOffscreenMarker(nodes.front()->sceneBoundingRect(), tr("◎ Internet: the path's start"));
        else
            m_view->setOffscreenMarker({}, {});
        if (!box.isNull() && !m_view->mapToScene(m_view->viewport()->rect()).boundingRect().contains(box)
            && !m_view->reveal(box, target) && m_graph->shownPaths().empty())
            report(tr("The whole path does not fit at a readable size: %1 shows it alone.")
                       .arg(action(QStringLiteral("path-only"))->text().remove(QLatin1Char('&'))));
    }

    m_details->setHtml(details::findingHtml(f, m_document->timeline(), comparison().get()));
}

void MainWindow::showNodeDetails(const QString& graphNodeId)
{
    const auto analysis = m_document->analysis();
    if (graphNodeId.isEmpty() || !analysis)
        return;
    const auto* item = m_scene->nodeItem(graphNodeId.toStdString());
    if (!item)
        return;
    m_details->setHtml(details::nodeHtml(m_scene->graphLayout(), item->index(), analysis->result.findings));
    m_tabs->setCurrentWidget(m_details);
}

void MainWindow::showEdgeDetails(const QString& fromId, const QString& toId)
{
    const auto analysis = m_document->analysis();
    if (!analysis)
        return;
    const auto* from = m_scene->nodeItem(fromId.toStdString());
    const auto* to = m_scene->nodeItem(toId.toStdString());
    if (!from || !to)
        return;
    const EdgeItem* edge = nullptr;
    for (const auto* e : m_scene->edgeItems())
        if (e->from() == from && e->to() == to)
            edge = e;
    if (!edge)
        return;
    m_details->setHtml(details::edgeHtml(
        m_scene->graphLayout(), from->index(), to->index(), edge->findings(), analysis->result.findings));
    m_tabs->setCurrentWidget(m_details);
}

void MainWindow::searchGraph()
{
    const auto hits = m_scene->search(m_graphSearch->text());
    if (hits.empty()) {
        report(tr("Nothing in the graph matches \"%1\".").arg(m_graphSearch->text()));
        return;
    }
    m_scene->clearSelection();
    QRectF box;
    for (auto* n : hits) {
        n->setSelected(true);
        box = box.united(n->sceneBoundingRect());
    }
    m_view->reveal(box);
    report(tr("%n node(s) match.", nullptr, static_cast<int>(hits.size())));
}

void MainWindow::updateActions()
{
    const bool haveData = m_document->analysis() != nullptr;
    const bool haveSelection = m_table->selectionModel()->hasSelection();
    action(QStringLiteral("reload"))->setEnabled(!m_document->inputs().isEmpty() && !m_analysing);
    for (const char* id : { "triage-new", "triage-confirmed", "triage-accepted-risk", "triage-false-positive",
             "triage-fixed", "triage-edit", "not-data-store" })
        action(QString::fromLatin1(id))->setEnabled(haveSelection);
    for (const char* id : { "fit", "zoom-in", "zoom-out", "expand-all", "collapse-all", "search-graph", "export-report",
             "export-csv", "export-json", "export-sarif", "export-markdown", "export-graph" })
        action(QString::fromLatin1(id))->setEnabled(haveData);
    action(QStringLiteral("export-path"))->setEnabled(haveSelection);
    action(QStringLiteral("present"))->setEnabled(haveData);
    m_reviews->updateActions(haveData, m_analysing);
    m_compare->updateActions(haveData);
    m_whatIfController->updateActions(haveData, haveSelection);
}

void MainWindow::updateTitle()
{
    setWindowTitle(m_document->displayName() + (isWhatIfShown() ? tr(" (what-if)") : QString())
        + QStringLiteral("[*] — Exposure Workbench"));
    setWindowModified(m_document->isModified());
}

void MainWindow::updateStatus()
{
    const auto analysis = m_document->analysis();
    if (!analysis) {
        m_countsLabel->setText(
            m_analysing ? tr("Reading the export…") : tr("Open an export folder or a review (drop it here) to begin."));
        return;
    }
    int bySeverity[5] = {};
    int decided = 0;
    for (const auto& f : analysis->result.findings) {
        ++bySeverity[static_cast<int>(f.severity)];
        if (m_document->decision(f.id).state != TriageState::New)
            ++decided;
    }
    QStringList parts;
    parts << tr("%n finding(s)", nullptr, static_cast<int>(analysis->result.findings.size()));
    parts << tr("%1 shown").arg(m_filter->rowCount());
    QStringList sev;
    for (int s = 4; s >= 0; --s)
        if (bySeverity[s])
            sev << QStringLiteral("%1 %2")
                       .arg(bySeverity[s])
                       .arg(QString::fromLatin1(severityName(static_cast<Severity>(s))));
    if (!sev.isEmpty())
        parts << sev.join(QStringLiteral(", "));
    parts << tr("%1 triaged").arg(decided);
    if (!analysis->result.assumptions.empty())
        parts << tr("%n assumption(s)", nullptr, static_cast<int>(analysis->result.assumptions.size()));
    m_countsLabel->setText(parts.join(QStringLiteral("  ·  ")));
}

bool MainWindow::isBusy() const
{
    return m_analysing || isLayingOut();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!m_reviews->maybeSave()) {
        event->ignore();
        return;
    }
    saveSettings();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    QStringList paths;
    for (const auto& url : event->mimeData()->urls())
        if (url.isLocalFile())
            paths << url.toLocalFile();
    if (paths.isEmpty())
        return;
    event->acceptProposedAction();
    // Asked after the drop has finished: a dialog inside the drop would hold the drag source.
    auto* later = new QTimer(this);
    later->setSingleShot(true);
    connect(later, &QTimer::timeout, this, [this, paths, later]() {
        later->deleteLater();
        openDropped(paths);
    });
    later->start(0);
}

void MainWindow::openLocation(const QString& file, const QString& where)
{
    report(where.isEmpty() ? file : file + QLatin1Char('#') + where);
    if (m_interactive && QFileInfo::exists(file))
        QDesktopServices::openUrl(QUrl::fromLocalFile(file));
}

// Controllers: reviews, comparing and what-if, and what their results change in the views.

void MainWindow::connectControllers()
{
    auto failed = [this](const QString& title, const QString& message) {
        m_progress->hide();
        fail(title, message);
    };
    connect(m_reviews, &ReviewController::opened, this, &MainWindow::reviewOpened);
    connect(m_reviews, &ReviewController::snapshotReplaced, this, &MainWindow::snapshotReplaced);
    connect(
        m_reviews, &ReviewController::compareRequested, this, [this](const QStringList& paths) { compareWith(paths); });
    connect(m_reviews, &ReviewController::failed, this, &MainWindow::fail);
    connect(m_reviews, &ReviewController::message, this, &MainWindow::report);

    connect(m_compare, &CompareController::started, this, &MainWindow::showBusy);
    connect(m_compare, &CompareController::failed, this, failed);
    connect(m_compare, &CompareController::message, this, &MainWindow::report);
    connect(m_compare, &CompareController::onlyChangesToggled, m_filter, &FindingsFilterModel::setOnlyChanges);
    connect(m_compare, &CompareController::baselineReady, this, [this](bool asked) {
        m_progress->hide();
        updateComparison();
        // Asked for: the Changes tab. Made by itself on opening a review: the side pane stays as the
        // analyst had it (the Change column and the status bar say it compares).
        if (asked)
            m_tabs->setCurrentWidget(m_changes);
        if (!isLayingOut()) // else the layout's end is the moment everything is shown
            Q_EMIT ready();
    });
    connect(m_compare, &CompareController::cancelled, this, [this]() {
        m_progress->hide();
        if (!m_analysing && !isLayingOut()) // else their end is the moment everything is shown
            Q_EMIT ready();
    });

    m_whatIfController->setSelection([this]() { return selectedFindings(); });
    connect(m_whatIfController, &WhatIfController::preparing, this, &MainWindow::showBusy);
    connect(m_whatIfController, &WhatIfController::prepared, m_progress, &QWidget::hide);
    connect(m_whatIfController, &WhatIfController::published, this, &MainWindow::whatIfPublished);
    connect(m_whatIfController, &WhatIfController::ended, this, [this]() {
        if (const auto real = m_document->realAnalysis())
            showAnalysis(real, false);
    });
    connect(m_whatIfController, &WhatIfController::idle, this, &MainWindow::ready);
    connect(m_whatIfController, &WhatIfController::failed, this, failed);
    connect(m_whatIfController, &WhatIfController::message, this, &MainWindow::report);
    connect(m_inspector, &RuleInspector::ruleContextMenu, m_whatIfController, &WhatIfController::ruleMenu);
}

void MainWindow::setInteractive(bool interactive)
{
    m_interactive = interactive;
    m_reviews->setInteractive(interactive);
    m_whatIfController->setInteractive(interactive);
}

void MainWindow::showBusy(const QString& what)
{
    m_progress->setRange(0, 0);
    m_progress->setFormat(what);
    m_progress->show();
}

void MainWindow::openPaths(const QStringList& paths)
{
    m_reviews->openPaths(paths);
}

bool MainWindow::openReview(const QString& fileName)
{
    return m_reviews->openReview(fileName);
}

bool MainWindow::openInputs(const QStringList& inputs)
{
    return m_reviews->openInputs(inputs);
}

void MainWindow::openDropped(const QStringList& paths)
{
    m_reviews->openDropped(paths);
}

bool MainWindow::openFindingsFile(const QStringList& paths)
{
    return m_reviews->openFindingsFile(paths);
}

bool MainWindow::saveReviewAs(const QString& fileName)
{
    return m_reviews->saveAs(fileName);
}

void MainWindow::openNewSnapshot(const QStringList& inputs)
{
    m_reviews->openNewSnapshot(inputs);
}

void MainWindow::reviewOpened(bool fromFile)
{
    m_graph->restart(true);
    stopComparing(); // with what the previous review was compared to
    // A review with a history opens as "what changed since the last review" (issue 16).
    m_compareOnOpen = fromFile;
    startAnalysis();
}

void MainWindow::snapshotReplaced(const std::shared_ptr<const AnalysisData>& previous, const QString& previousName)
{
    m_whatIfController->reset();
    // The comparison's baseline is the snapshot the review had: what changed since the last review.
    m_compare->takeBaseline(previous, previousName);
    m_graph->restart(false);
    startAnalysis();
}

void MainWindow::compareWith(const QStringList& inputs, bool planPrior)
{
    m_compare->compareWith(inputs, planPrior);
}

void MainWindow::stopComparing()
{
    m_compare->stop();
    updateComparison();
}

bool MainWindow::compareWithPreviousSnapshot(bool automatic)
{
    return m_compare->compareWithPrevious(automatic);
}

const std::shared_ptr<const Comparison>& MainWindow::comparison() const
{
    return m_compare->comparison();
}

void MainWindow::updateComparison()
{
    const auto current = m_document->analysis();
    const auto& c = m_compare->update(current, m_whatIfController->shownBase());
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
                                                  : tr("%n edit(s)", nullptr, this->whatIf()->editCount())));
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
}

void MainWindow::prepareWhatIf(std::function<void()> then)
{
    m_whatIfController->prepare(std::move(then));
}

bool MainWindow::applyWhatIf(const WhatIfEdit& edit, QString* error)
{
    return m_whatIfController->apply(edit, error);
}

WhatIfSession* MainWindow::whatIf() const
{
    return m_whatIfController->session();
}

bool MainWindow::isWhatIfShown() const
{
    return m_whatIfController->isShown();
}

void MainWindow::endWhatIf()
{
    m_whatIfController->end();
}

void MainWindow::replayScenario()
{
    m_whatIfController->replayScenario();
}

std::vector<FixProposal> MainWindow::fixProposals(const std::string& findingId)
{
    return m_whatIfController->fixProposals(findingId);
}

void MainWindow::whatIfPublished(
    const std::shared_ptr<const AnalysisData>& shown, const FindingsDelta& delta, bool edits)
{
    showAnalysis(shown, edits);
    if (!edits) {
        // The last edit was undone: the estate again, with the comparison it had before the first edit.
        report(tr("No what-if edit left: back to the real snapshot."));
        return;
    }
    const auto& c = comparison();
    report(tr("What-if edit: %1 closed, %2 changed, %3 opened by this edit; against the real snapshot %4 new, %5 "
              "changed, %6 closed (see Changes).")
               .arg(delta.closed.size())
               .arg(delta.changed.size())
               .arg(delta.opened.size())
               .arg(c ? c->diff.added.size() : 0)
               .arg(c ? c->diff.changed.size() : 0)
               .arg(c ? c->diff.closed.size() : 0));
}

} // namespace ew::ui
