#pragma once

#include "analysisdata.h"

#include <QFutureWatcher>
#include <QObject>
#include <QStringList>

#include <atomic>
#include <memory>

namespace ew::ui {

/// Runs import and analysis off the GUI thread (STYLE 17): the worker gets copies of its inputs
/// and returns an immutable AnalysisData; progress and the result come back on the GUI thread.
/// Starting a new run cancels the previous one and its result is dropped.
class AnalysisJob : public QObject
{
    Q_OBJECT
public:
    explicit AnalysisJob(QObject* parent = nullptr);
    ~AnalysisJob() override;

    /// inputs: files and folders; analystDataStores: the review's data-store markings; baseDir:
    /// the folder snapshot identities are made relative to; planPrior: a Terraform plan is read as
    /// its prior state (the state before apply) rather than its planned state.
    void start(const QStringList& inputs, const std::map<std::string, std::string>& analystDataStores,
        const QString& baseDir, bool planPrior = false);
    void cancel();
    /// Whether a run is under way whose result (finished() or cancelled()) is still to come.
    bool isRunning() const;
    /// Whether a lone input that is findings JSON (exposure-findings/1 or /2) is read as it was
    /// written rather than imported (a comparison's baseline); off by default.
    void setReadsFindings(bool on) { m_readsFindings = on; }
    /// Blocks until the current run is over (tests, shutdown).
    void waitForFinished();

    /// The work itself, a pure function (also used synchronously by tests and the CLI-like paths).
    static std::shared_ptr<const AnalysisData> run(const std::vector<std::string>& inputs,
        const std::map<std::string, std::string>& analystDataStores, const std::string& baseDir,
        const std::function<void(int)>& progress, const std::atomic<bool>* cancel, bool planPrior = false,
        bool readsFindings = false);

Q_SIGNALS:
    void progress(int percent, const QString& what);
    void finished(std::shared_ptr<const ew::ui::AnalysisData> data);
    void cancelled();

private:
    QFutureWatcher<std::shared_ptr<const AnalysisData>>* m_watcher = nullptr;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    quint64 m_generation = 0;
    bool m_readsFindings = false;
};

} // namespace ew::ui

Q_DECLARE_METATYPE(std::shared_ptr<const ew::ui::AnalysisData>)
