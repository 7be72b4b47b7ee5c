#include "review/reviewcontroller.h"

#include "actions/actionmanager.h"
#include "output/findingsreader.h"
#include "review/newreviewdialog.h"
#include "review/reviewdocument.h"
#include "settings.h"

#include <QAction>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>

#include <algorithm>

namespace ew::ui {

namespace {

bool looksLikeReview(const QString& path)
{
    const QFileInfo info(path);
    if (!info.isFile())
        return false;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray head = f.read(4096);
    return ew::looksLikeReview(std::string_view(head.constData(), static_cast<std::size_t>(head.size())));
}

} // namespace

ReviewController::ReviewController(ReviewDocument* document, ActionManager* actions, QWidget* window)
    : QObject(window)
    , m_document(document)
    , m_actions(actions)
    , m_window(window)
    , m_autosave(new QTimer(this))
{
    createActions(actions);
    m_autosave->setInterval(std::max(5, Settings::autosaveSeconds.get()) * 1000);
    connect(m_autosave, &QTimer::timeout, this, &ReviewController::autosave);
    m_autosave->start();
}

void ReviewController::createActions(ActionManager* actions)
{
    connect(actions->add(
                "open-folder", tr("Open Export &Folder…"), QKeySequence::Open, QStyle::SP_DirOpenIcon, "folder-open"),
        &QAction::triggered, this, [this]() {
            const QString dir = QFileDialog::getExistingDirectory(m_window, tr("Open an export folder"));
            if (!dir.isEmpty() && maybeSave())
                openInputs({ dir });
        });
    connect(actions->add("open-files", tr("Open Export F&iles…")), &QAction::triggered, this, [this]() {
        const QStringList files = QFileDialog::getOpenFileNames(
            m_window, tr("Open export files"), QString(), tr("JSON exports (*.json);;All files (*)"));
        if (!files.isEmpty() && maybeSave())
            openInputs(files);
    });
    connect(actions->add("open-review", tr("Open &Review…"), QKeySequence(tr("Ctrl+Shift+O")),
                QStyle::SP_DialogOpenButton, "document-open"),
        &QAction::triggered, this, [this]() {
            const QString file = QFileDialog::getOpenFileName(
                m_window, tr("Open a review"), QString(), tr("Reviews (*.review.json *.json);;All files (*)"));
            if (!file.isEmpty() && maybeSave())
                openReview(file);
        });
    connect(actions->add("save", tr("&Save Review"), QKeySequence::Save, QStyle::SP_DialogSaveButton, "document-save"),
        &QAction::triggered, this, &ReviewController::save);
    connect(actions->add(
                "save-as", tr("Save Review &As…"), QKeySequence::SaveAs, QStyle::SP_CustomBase, "document-save-as"),
        &QAction::triggered, this, [this]() {
            const QString file = QFileDialog::getSaveFileName(m_window, tr("Save the review"),
                m_document->fileName().isEmpty() ? m_document->baseDir() + QStringLiteral("/review.review.json")
                                                 : m_document->fileName(),
                tr("Reviews (*.review.json)"));
            if (!file.isEmpty())
                saveAs(file);
        });
    connect(actions->add("open-new-snapshot", tr("Open &New Snapshot in This Review…")), &QAction::triggered, this,
        [this]() {
            const QString dir = QFileDialog::getExistingDirectory(
                m_window, tr("The newer export folder of the same estate"), m_document->baseDir());
            if (!dir.isEmpty())
                openNewSnapshot({ dir });
        });
}

void ReviewController::updateActions(bool haveData, bool analysing)
{
    m_actions->action(QStringLiteral("save"))->setEnabled(haveData);
    m_actions->action(QStringLiteral("save-as"))->setEnabled(haveData);
    m_actions->action(QStringLiteral("open-new-snapshot"))->setEnabled(haveData && !analysing);
}

void ReviewController::setRecentMenu(QMenu* menu)
{
    m_recentMenu = menu;
    updateRecentMenu();
}

void ReviewController::updateRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    const QStringList recent = Settings::recentFiles.get();
    for (const auto& path : recent) {
        QAction* a = m_recentMenu->addAction(QFileInfo(path).fileName() + QStringLiteral("  —  ") + path);
        connect(a, &QAction::triggered, this, [this, path]() {
            if (maybeSave())
                openPaths({ path });
        });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
    if (!recent.isEmpty()) {
        m_recentMenu->addSeparator();
        connect(m_recentMenu->addAction(tr("Clear Recent")), &QAction::triggered, this, [this]() {
            Settings::recentFiles.set({});
            updateRecentMenu();
        });
    }
}

void ReviewController::addRecent(const QString& path)
{
    QStringList recent = Settings::recentFiles.get();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > Settings::kMaxRecentFiles)
        recent.removeLast();
    Settings::recentFiles.set(recent);
    updateRecentMenu();
}

void ReviewController::offerRecovery()
{
    if (!m_interactive || !m_document->hasNewerRecovery())
        return;
    const auto answer = QMessageBox::question(m_window, tr("Recover unsaved changes?"),
        tr("There are unsaved triage decisions for %1 from %2 (autosaved). Restore them?")
            .arg(m_document->displayName(),
                QFileInfo(m_document->recoveryFileName()).lastModified().toString(Qt::TextDate)));
    QString error;
    if (answer == QMessageBox::Yes && !m_document->restoreRecovery(&error))
        Q_EMIT failed(tr("Cannot recover"), error);
}

bool ReviewController::openFindingsFile(const QStringList& paths)
{
    if (paths.size() != 1 || !isFindingsFile(paths.front().toStdString()))
        return false;
    if (m_document->realAnalysis())
        Q_EMIT compareRequested(paths);
    else
        Q_EMIT failed(tr("Cannot open"),
            tr("%1 is the findings JSON of an analysis (exposure-findings/1 or /2): it has no snapshot to show. Open "
               "the export or the review, then compare with it (Compare > Compare With Findings File…).")
                .arg(QFileInfo(paths.front()).fileName()));
    return true;
}

void ReviewController::openPaths(const QStringList& paths)
{
    if (openFindingsFile(paths))
        return;
    if (paths.size() == 1 && looksLikeReview(paths.front()))
        openReview(paths.front());
    else if (!paths.isEmpty())
        openInputs(paths);
}

void ReviewController::openDropped(const QStringList& paths)
{
    if (paths.isEmpty() || openFindingsFile(paths))
        return;
    const bool review = paths.size() == 1 && looksLikeReview(paths.front());
    if (!review && !m_document->inputs().isEmpty() && m_document->realAnalysis()) {
        bool asSnapshot = true; // nobody to ask: nothing the analyst decided is dropped
        if (m_interactive) {
            QStringList names;
            for (const auto& p : paths)
                names << QFileInfo(p).fileName();
            QMessageBox box(QMessageBox::Question, tr("Open the dropped export"),
                tr("Open %1 as the new snapshot of %2, or as a new review?")
                    .arg(names.join(QStringLiteral(", ")), m_document->displayName()),
                QMessageBox::NoButton, m_window);
            box.setInformativeText(tr("As the new snapshot, every triage decision stays with its finding, the "
                                      "current snapshot goes into the review's history and the view compares with "
                                      "it. A new review starts without decisions."));
            QPushButton* snapshot = box.addButton(tr("New &Snapshot of This Review"), QMessageBox::AcceptRole);
            snapshot->setObjectName(QStringLiteral("dropAsSnapshot"));
            QPushButton* newReview = box.addButton(tr("New &Review"), QMessageBox::ActionRole);
            newReview->setObjectName(QStringLiteral("dropAsNewReview"));
            QPushButton* cancel = box.addButton(QMessageBox::Cancel);
            cancel->setObjectName(QStringLiteral("dropCancel"));
            box.setDefaultButton(snapshot);
            box.setEscapeButton(cancel);
            box.exec();
            if (box.clickedButton() != snapshot && box.clickedButton() != newReview)
                return;
            asSnapshot = box.clickedButton() == snapshot;
        }
        if (asSnapshot) {
            openNewSnapshot(paths);
            return;
        }
    }
    if (maybeSave())
        openPaths(paths);
}

bool ReviewController::openReview(const QString& fileName)
{
    QString error;
    if (!m_document->load(fileName, &error)) {
        Q_EMIT failed(tr("Cannot open the review"), error);
        return false;
    }
    addRecent(m_document->fileName());
    offerRecovery();
    Q_EMIT opened(true);
    return true;
}

bool ReviewController::openInputs(const QStringList& inputs)
{
    QString title, reviewer;
    if (m_interactive) {
        const QString name = ReviewDocument::snapshotName(inputs);
        QString who = Settings::reviewer.get();
        if (who.isEmpty())
            who = qEnvironmentVariable("USER", qEnvironmentVariable("USERNAME"));
        NewReviewDialog dialog(
            inputs.size() == 1 ? QFileInfo(inputs.front()).fileName() : tr("%n input(s)", nullptr, int(inputs.size())),
            tr("Review of %1").arg(name), who, m_window);
        if (dialog.exec() != QDialog::Accepted) {
            Q_EMIT message(tr("No new review opened."));
            return false;
        }
        title = dialog.title();
        reviewer = dialog.reviewer();
        if (!reviewer.isEmpty())
            Settings::reviewer.set(reviewer);
    }
    m_document->reset(inputs, title, reviewer);
    for (const auto& i : m_document->inputs())
        addRecent(i);
    offerRecovery();
    Q_EMIT opened(false);
    return true;
}

void ReviewController::openNewSnapshot(const QStringList& inputs)
{
    const auto previous = m_document->realAnalysis();
    const QString previousName = ReviewDocument::snapshotName(m_document->inputs());
    m_document->openNewSnapshot(inputs);
    Q_EMIT snapshotReplaced(previous, previousName);
}

bool ReviewController::save()
{
    if (m_document->fileName().isEmpty()) {
        if (!m_interactive)
            return false;
        m_actions->action(QStringLiteral("save-as"))->trigger();
        return !m_document->isModified();
    }
    return saveAs(m_document->fileName());
}

bool ReviewController::saveAs(const QString& fileName)
{
    QString error;
    if (!m_document->save(fileName, &error)) {
        Q_EMIT failed(tr("Cannot save the review"), error);
        return false;
    }
    addRecent(m_document->fileName());
    Q_EMIT message(tr("Saved %1").arg(m_document->fileName()));
    return true;
}

void ReviewController::autosave()
{
    if (!m_document->isModified())
        return;
    QString error;
    if (!m_document->writeRecovery(&error))
        Q_EMIT message(error);
}

bool ReviewController::maybeSave()
{
    if (!m_document->isModified())
        return true;
    if (!m_interactive) {
        // Nobody to ask: keep the work in the recovery file rather than lose it.
        QString error;
        return m_document->writeRecovery(&error);
    }
    const auto answer = QMessageBox::warning(m_window, tr("Unsaved changes"),
        tr("The review %1 has unsaved triage decisions. Save them?").arg(m_document->displayName()),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return save();
    if (answer == QMessageBox::Discard) {
        m_document->removeRecovery();
        return true;
    }
    return false;
}

} // namespace ew::ui
