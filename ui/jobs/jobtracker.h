#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QtConcurrent/QtConcurrentRun>

#include <functional>
#include <map>
#include <utility>

namespace ew::ui {

/// The window's background runs (graph layout, what-if preparation, reports), by kind: each runs on
/// the thread pool and its result comes back on the GUI thread only when no newer run of the same
/// kind was started since; a stale result is dropped, so a slow run never overwrites a newer one.
/// (The analysis, which reports progress and can be cancelled, is AnalysisJob's.)
class JobTracker : public QObject
{
    Q_OBJECT
public:
    explicit JobTracker(QObject* parent = nullptr)
        : QObject(parent)
    { }
    /// Waits for the runs still going: their work may refer to what their owner is about to free.
    ~JobTracker() override
    {
        for (auto& [watcher, wait] : m_waits)
            wait();
    }
    JobTracker(const JobTracker&) = delete;
    JobTracker& operator=(const JobTracker&) = delete;

    /// Runs work() off the GUI thread, then done(result) on it unless superseded or dropped.
    template <typename Work, typename Done> void run(const QString& kind, Work work, Done done)
    {
        using Result = decltype(work());
        const quint64 generation = ++m_generation[kind];
        m_running[kind] = true;
        auto* watcher = new QFutureWatcher<Result>(this);
        m_waits[watcher] = [watcher]() { watcher->waitForFinished(); };
        connect(watcher, &QFutureWatcherBase::finished, this,
            [this, watcher, kind, generation, done = std::move(done)]() mutable {
                m_waits.erase(watcher);
                watcher->deleteLater();
                if (generation != m_generation[kind])
                    return; // a newer run of this kind was started, or this one was dropped
                m_running[kind] = false;
                done(watcher->result());
                Q_EMIT delivered(kind);
            });
        watcher->setFuture(QtConcurrent::run(std::move(work)));
    }
    /// A run of this kind was started and its result not yet delivered.
    bool isRunning(const QString& kind) const
    {
        auto it = m_running.find(kind);
        return it != m_running.end() && it->second;
    }
    /// Forgets the running job of this kind: its result will be dropped.
    void drop(const QString& kind)
    {
        ++m_generation[kind];
        m_running[kind] = false;
    }

Q_SIGNALS:
    void delivered(const QString& kind);

private:
    std::map<QString, quint64> m_generation;
    std::map<QString, bool> m_running;
    std::map<const QObject*, std::function<void()>> m_waits; // the runs not finished yet
};

} // namespace ew::ui
