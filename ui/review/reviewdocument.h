#pragma once

#include "jobs/analysisdata.h"
#include "review/review.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <map>
#include <memory>
#include <optional>

class QUndoStack;

namespace ew::ui {

/// The open review: the analyst's decisions (core Review), the inputs it reviews, the latest
/// analysis of those inputs and the undo stack of every regrettable edit (STYLE 14).
class ReviewDocument : public QObject
{
    Q_OBJECT
public:
    explicit ReviewDocument(QObject* parent = nullptr);
    ~ReviewDocument() override;

    /// Loads a review file. On failure returns false and fills error with file and location.
    bool load(const QString& fileName, QString* error);
    /// Saves atomically (SaveFile: a full disk fails and leaves the old file); on success the document becomes clean
    /// and the recovery file is removed.
    bool save(const QString& fileName, QString* error);
    /// Starts a new, unsaved review of these inputs (files or folders), with the title and
    /// reviewer the analyst gave it (the document is not modified by them).
    void reset(const QStringList& inputs, const QString& title = {}, const QString& reviewer = {});
    /// A snapshot's short name: its date when its folder says (exposure-snapshot.json), else the
    /// first input's file or folder name.
    static QString snapshotName(const QStringList& inputs);

    QString fileName() const { return m_fileName; }
    QString displayName() const;
    /// Absolute paths of the reviewed inputs.
    QStringList inputs() const { return m_inputs; }
    /// The folder relative paths are resolved against: the review's folder, or the inputs' parent.
    QString baseDir() const;
    const Review& review() const { return m_review; }
    QUndoStack* undoStack() const { return m_undo; }
    bool isModified() const;

    /// The analysis the views show. A what-if analysis does not replace the real one, which the
    /// review's history records.
    void setAnalysis(std::shared_ptr<const AnalysisData> data, bool whatIf = false);
    const std::shared_ptr<const AnalysisData>& realAnalysis() const { return m_baseData; }

    /// Opens newer inputs in this review: the current snapshot goes into the history, every
    /// decision stays (by finding id; those whose finding disappears are kept as history).
    void openNewSnapshot(const QStringList& inputs);
    /// The review's snapshots with the current one last (recorded or not yet): the timeline.
    std::vector<ReviewedSnapshot> timeline() const;
    /// The inputs of the latest snapshot in the history that is not the current one, made absolute
    /// against the review's folder (empty when the review has none); `missing` gets those of them
    /// that are not on disk (moved or deleted since).
    QStringList previousSnapshotInputs(QStringList* missing = nullptr) const;

    /// The what-if scenario being edited (the review's last), created on first use.
    const Scenario* scenario() const;
    void appendWhatIfEdit(const WhatIfEdit& edit);
    void removeLastWhatIfEdit();
    void setScenarioName(const QString& name);
    const std::shared_ptr<const AnalysisData>& analysis() const { return m_data; }
    /// Differences between the snapshot identity recorded in the review and the files just read.
    QStringList identityChanges() const;

    Decision decision(const std::string& findingId) const;
    /// Decisions for findings the current analysis does not have (kept as history).
    std::vector<std::pair<std::string, Decision>> orphanDecisions() const;

    /// Applied by undo commands only.
    void applyDecisions(const std::map<std::string, Decision>& decisions);
    void applyDataStore(const std::string& resourceId, const std::optional<std::string>& engine);

    /// The recovery file autosave writes for this review.
    QString recoveryFileName() const;
    bool writeRecovery(QString* error) const;
    void removeRecovery() const;
    /// A recovery file newer than the review file (or, for an unsaved review, any) exists.
    bool hasNewerRecovery() const;
    /// Replaces the decisions and markings with the recovery file's; the document becomes
    /// modified (the review file itself is untouched until the analyst saves).
    bool restoreRecovery(QString* error);

    void setTitle(const QString& title);

Q_SIGNALS:
    void decisionsChanged(const QStringList& findingIds);
    /// The analyst's data-store markings changed: the findings must be re-analysed.
    void dataStoresChanged();
    void modifiedChanged(bool modified);
    void analysisChanged();
    void fileNameChanged(const QString& fileName);

private:
    void stampIdentity();

    Review m_review;
    QString m_fileName;
    QStringList m_inputs;
    std::shared_ptr<const AnalysisData> m_data;
    std::shared_ptr<const AnalysisData> m_baseData;
    ReviewedSnapshot currentSnapshot() const;
    /// The inputs as the review file states them: relative to its folder where they are beneath it.
    std::vector<std::string> relativeInputs() const;
    void recordCurrentSnapshot();
    QUndoStack* m_undo = nullptr;
    bool m_dirty = false; // changes outside the undo stack (new inputs, recovered content)
    bool m_lastModified = false;
    void updateModified();
    /// The snapshot's inputs (made absolute); forgets the analyses of the previous ones.
    void setInputs(const QStringList& inputs);
};

} // namespace ew::ui
