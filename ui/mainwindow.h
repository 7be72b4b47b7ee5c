#pragma once

#include "compare/comparison.h"
#include "graph/graphlayout.h"
#include "inspector/ruleinspector.h"
#include "jobs/analysisdata.h"
#include "whatif/smallestfix.h"
#include "whatif/whatif.h"

#include <QKeySequence>
#include <QMainWindow>
#include <QPointer>
#include <QStyle>

#include <functional>
#include <map>
#include <memory>

class QAction;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTextBrowser;
class QTimer;
class QToolBar;
class QToolButton;

namespace ew::ui {

class ActionManager;
class AnalysisJob;
class CompareController;
class Exporter;
class JobTracker;
class FilterBar;
class FindingsFilterModel;
class FindingsModel;
class GraphController;
class GraphScene;
class GraphView;
class PresentationView;
class ProblemsView;
class ReviewController;
class ReviewDocument;
class RuleGroupsView;
class RuleInspector;
class TriagePanel;
class WhatIfController;
class WhatIfSession;

/// The workbench window: findings table with filter bar, reachability graph, rule inspector,
/// details, triage and problems; menus, settings, review files, background jobs.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // Reviews (ReviewController): opening, saving, dropping, new snapshots.
    /// Opens what the paths are: one review file, or export files and folders (a new review).
    void openPaths(const QStringList& paths);
    bool openReview(const QString& fileName);
    /// A new review of these inputs; an interactive window first asks for its title and reviewer
    /// (false when the analyst cancels: the open review stays).
    bool openInputs(const QStringList& inputs);
    /// What dropping paths on the window does: a review file opens; export folders or files
    /// dropped on an open review ask whether they are its new snapshot (decisions carried over)
    /// or a new review (non-interactive windows take them as the new snapshot).
    void openDropped(const QStringList& paths);
    /// The findings JSON of an earlier analysis (exposure-findings/1 or /2) has no snapshot to show:
    /// opened or dropped, it is compared with (or refused with a reason when nothing is open).
    /// False when paths are not one findings file.
    bool openFindingsFile(const QStringList& paths);
    bool saveReviewAs(const QString& fileName);
    /// Interactive windows ask before discarding and show message boxes; non-interactive ones
    /// (tests, --screenshot) report to the status bar and the log instead.
    void setInteractive(bool interactive);

    /// Selects the finding at this row of the (sorted, filtered) table.
    void selectRow(int row);
    bool isBusy() const;
    QString lastError() const { return m_lastError; }

    // For tests and the app's --screenshot: the real widgets.
    ReviewDocument* document() const { return m_document; }
    FindingsModel* findingsModel() const { return m_model; }
    FindingsFilterModel* filterModel() const { return m_filter; }
    QTableView* table() const { return m_table; }
    FilterBar* filterBar() const { return m_filterBar; }
    GraphScene* scene() const { return m_scene; }
    GraphView* graphView() const { return m_view; }
    RuleInspector* inspector() const { return m_inspector; }
    TriagePanel* triagePanel() const { return m_triage; }
    ProblemsView* problems() const { return m_problems; }
    QTextBrowser* details() const { return m_details; }
    QTabWidget* sideTabs() const { return m_tabs; }
    QAction* action(const QString& id) const;
    ActionManager* actionManager() const { return m_actionManager; }

    // Comparing (CompareController): against an older snapshot, or the real snapshot while
    // what-if edits are shown.
    /// Analyses these inputs in the background as the baseline; the views then mark what changed.
    /// planPrior: with the prior state of the Terraform plan the inputs are.
    void compareWith(const QStringList& inputs, bool planPrior = false);
    void stopComparing();
    /// Opens newer inputs in the current review (decisions carried over); compares with the old.
    void openNewSnapshot(const QStringList& inputs);
    /// Compares with the latest earlier snapshot of the review's history (automatic: as a reopened
    /// review does, without turning to the Changes tab); false, with a message in the status bar,
    /// when there is none or its files are gone.
    bool compareWithPreviousSnapshot(bool automatic = false);
    const std::shared_ptr<const Comparison>& comparison() const;
    QTextBrowser* changesView() const { return m_changes; }
    QLabel* whatIfBanner() const { return m_whatIfBanner; }
    CompareController* compareController() const { return m_compare; }

    // What-if (WhatIfController).
    /// Runs `then` once the what-if session for the current real analysis exists (built in the
    /// background on first use).
    void prepareWhatIf(std::function<void()> then);
    /// Applies an edit as an undoable command; false (and the reason) when the engine refuses it.
    bool applyWhatIf(const WhatIfEdit& edit, QString* error = nullptr);
    WhatIfSession* whatIf() const;
    bool isWhatIfShown() const;
    /// Back to the real snapshot (the scenario stays in the review).
    void endWhatIf();
    /// Shows the review's saved scenario: its edits applied to the real snapshot.
    void replayScenario();
    /// The smallest-fix proposals for a finding, without the dialog (tests, scripting).
    std::vector<FixProposal> fixProposals(const std::string& findingId);
    WhatIfController* whatIfController() const { return m_whatIfController; }
    Exporter* exporter() const { return m_exporter; }
    /// The open presentation, if any (presentation mode).
    PresentationView* presentation() const;
    /// Presentations open full screen; tests and screenshots open them in a normal window.
    void setPresentFullScreen(bool fullScreen) { m_presentFullScreen = fullScreen; }

Q_SIGNALS:
    /// Analysis and the first layout of the current input are done (or failed).
    void ready();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    /// Creates an action once, with its stable id, key and icon (STYLE 19).
    QAction* newAction(const char* id, const QString& text, const QKeySequence& key = {},
        QStyle::StandardPixmap icon = QStyle::SP_CustomBase, const char* themeIcon = nullptr);
    void createActions();
    void createMenus();
    void createWidgets();
    void createExportActions();
    /// Wires the review, compare and what-if controllers to the views.
    void connectControllers();
    /// Another review, or a new one of other inputs: a fresh view of it (fromFile: a saved
    /// review, compared with its previous snapshot once shown).
    void reviewOpened(bool fromFile);
    void snapshotReplaced(const std::shared_ptr<const AnalysisData>& previous, const QString& previousName);
    void exportReportDialog();
    void present();
    void updateActions();
    void updateTitle();
    void updateStatus();
    void restoreSettings();
    void saveSettings();

    void startAnalysis();
    void analysisFinished(const std::shared_ptr<const AnalysisData>& analysis);
    void showAnalysis(const std::shared_ptr<const AnalysisData>& analysis, bool whatIf);
    /// Shows the comparison of what is shown (CompareController::update) in every view.
    void updateComparison();
    /// What-if edits changed what is shown (edits false: none left, the real snapshot again).
    void whatIfPublished(const std::shared_ptr<const AnalysisData>& shown, const FindingsDelta& delta, bool edits);
    /// A background run (what-if preparation, comparison, report) started: busy progress.
    void showBusy(const QString& what);
    bool isLayingOut() const;
    void selectionChanged();
    /// The selection by finding id survives filtering: rows filtered out are selected again when
    /// the filter lets them back in.
    void rememberSelection();
    void restoreKeptSelection();
    /// F6 / Shift+F6: the next or previous pane (filter, findings, graph, side tabs).
    void focusPane(int step);
    /// Column widths for the table's width, unless the analyst set them by hand: severity, target,
    /// ports and sources stay in view as long as they fit at their smallest, names eliding first.
    void fitTableColumns();
    /// Gives the table the width of its essential columns from the graph's side of the splitter
    /// (while the graph keeps half the window).
    Q_INVOKABLE void widenTable(); // invoked queued, by name
    void elideUndoLabels();
    void showNodeDetails(const QString& graphNodeId);
    void showEdgeDetails(const QString& fromId, const QString& toId);
    void searchGraph();
    /// The findings the graph shows the paths of, in "selected paths only" mode (else empty).
    std::vector<std::size_t> pathOnlyFindings() const;
    void openLocation(const QString& file, const QString& where);
    void report(const QString& message);
    void fail(const QString& title, const QString& error); // dialog when interactive, status bar always
    std::vector<const Finding*> selectedFindings() const;

    ReviewDocument* m_document;
    AnalysisJob* m_job;
    Exporter* m_exporter = nullptr;
    FindingsModel* m_model;
    FindingsFilterModel* m_filter;
    QTableView* m_table = nullptr;
    RuleGroupsView* m_ruleGroups = nullptr; // the table's findings grouped by deciding rule
    QStackedWidget* m_findingsStack = nullptr; // the table or the groups
    FilterBar* m_filterBar = nullptr;
    GraphScene* m_scene = nullptr;
    GraphView* m_view = nullptr;
    QLineEdit* m_graphSearch = nullptr;
    RuleInspector* m_inspector = nullptr;
    TriagePanel* m_triage = nullptr;
    ProblemsView* m_problems = nullptr;
    QTextBrowser* m_details = nullptr;
    QTabWidget* m_tabs = nullptr;
    QSplitter* m_mainSplitter = nullptr;
    QSplitter* m_rightSplitter = nullptr;
    QLabel* m_countsLabel = nullptr;
    QLabel* m_timingLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancel = nullptr;
    ActionManager* m_actionManager = nullptr; // every action of the window, by id
    QToolBar* m_mainToolBar = nullptr;
    std::vector<std::string> m_keptSelection; // finding ids, the current one first
    bool m_refiltering = false;
    bool m_columnsByHand = false;
    bool m_fittingColumns = false;
    int m_essentialWidth = 0; // the table's width with its essential columns at their smallest

    JobTracker* m_jobs = nullptr; // layouts, what-if preparation, reports (the analysis is m_job's)
    GraphController* m_graph = nullptr; // the graph's layouts
    bool m_interactive = true;
    bool m_presentFullScreen = true;
    QPointer<PresentationView> m_presentation;
    bool m_analysing = false;
    bool m_compareOnOpen = false; // a review was opened: compare with its previous snapshot once shown
    QString m_lastError;

    ReviewController* m_reviews = nullptr;
    CompareController* m_compare = nullptr;
    WhatIfController* m_whatIfController = nullptr;
    QTextBrowser* m_changes = nullptr;
    QLabel* m_whatIfBanner = nullptr;
    bool m_changeColumnPlaced = false;
};

} // namespace ew::ui
