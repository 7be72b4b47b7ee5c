#pragma once

#include "jobs/analysisdata.h"

#include <QObject>
#include <QStringList>

#include <memory>

class QMenu;
class QTimer;
class QWidget;

namespace ew::ui {

class ActionManager;
class ReviewDocument;

/// Opening, saving and recovering reviews: review files, new reviews of export folders or files,
/// dropped paths, new snapshots of the open review, the recent files, autosave and the File
/// menu's actions. The window analyses and shows what it opens (the signals).
class ReviewController : public QObject
{
    Q_OBJECT
public:
    /// window: the parent of the dialogs the actions open.
    ReviewController(ReviewDocument* document, ActionManager* actions, QWidget* window);

    /// Interactive: asks before discarding and shows dialogs; else (tests, --screenshot) work is
    /// kept in the recovery file and nothing waits for an answer.
    void setInteractive(bool interactive) { m_interactive = interactive; }
    /// The Open Recent menu this keeps up to date.
    void setRecentMenu(QMenu* menu);

    /// Opens what the paths are: one review file, or export files and folders (a new review).
    void openPaths(const QStringList& paths);
    bool openReview(const QString& fileName);
    /// A new review of these inputs; an interactive window first asks for its title and reviewer.
    bool openInputs(const QStringList& inputs);
    /// Dropped paths: a review file opens; export folders or files dropped on an open review ask
    /// whether they are its new snapshot or a new review (non-interactive: the new snapshot).
    void openDropped(const QStringList& paths);
    /// A findings JSON has no snapshot to show: compared with when a snapshot is open, else
    /// refused with a reason. False when paths are not one findings file.
    bool openFindingsFile(const QStringList& paths);
    /// Newer inputs in the current review (decisions carried over).
    void openNewSnapshot(const QStringList& inputs);

    bool save();
    bool saveAs(const QString& fileName);
    /// Before discarding the open review: true when its work is saved (or kept for recovery, or
    /// the analyst discards it).
    bool maybeSave();

    void updateActions(bool haveData, bool analysing);

Q_SIGNALS:
    /// Another review (or a new review of other inputs) is open: analyse it from a fresh view.
    /// fromFile: a saved review, which opens compared with its previous snapshot.
    void opened(bool fromFile);
    /// The review has a new snapshot; previous is the analysis it had (the comparison's baseline).
    void snapshotReplaced(std::shared_ptr<const AnalysisData> previous, const QString& previousName);
    /// A findings file to compare the open snapshot with.
    void compareRequested(const QStringList& paths);
    void failed(const QString& title, const QString& message);
    void message(const QString& text);

private:
    void createActions(ActionManager* actions);
    void addRecent(const QString& path);
    void updateRecentMenu();
    void offerRecovery();
    void autosave();

    ReviewDocument* m_document;
    ActionManager* m_actions;
    QWidget* m_window;
    QMenu* m_recentMenu = nullptr;
    QTimer* m_autosave;
    bool m_interactive = true;
};

} // namespace ew::ui
