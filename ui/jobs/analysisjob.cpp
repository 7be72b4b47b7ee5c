#include "analysisjob.h"

#include "import/azureimporter.h"
#include "output/findingsreader.h"
#include "util/phaseprofile.h"

#include <QtConcurrent/QtConcurrentRun>

#include <chrono>

namespace ew::ui {

AnalysisJob::AnalysisJob(QObject* parent)
    : QObject(parent)
{
    qRegisterMetaType<std::shared_ptr<const AnalysisData>>();
}

AnalysisJob::~AnalysisJob()
{
    cancel();
    waitForFinished();
}

bool AnalysisJob::isRunning() const
{
    // Until its result is delivered, not only until the worker returns: between the two, a caller
    // asking "will finished() still come?" must hear yes (else the workbench said ready twice).
    return m_watcher != nullptr;
}

void AnalysisJob::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

void AnalysisJob::waitForFinished()
{
    if (m_watcher)
        m_watcher->waitForFinished();
}

std::shared_ptr<const AnalysisData> AnalysisJob::run(const std::vector<std::string>& inputs,
    const std::map<std::string, std::string>& analystDataStores, const std::string& baseDir,
    const std::function<void(int)>& progress, const std::atomic<bool>* cancel, bool planPrior, bool readsFindings)
{
    using Clock = std::chrono::steady_clock;
    auto data = std::make_shared<AnalysisData>();
    data->inputs = inputs;
    if (readsFindings && inputs.size() == 1 && isFindingsFile(inputs.front())) {
        // An earlier analysis as it was written (exposure-findings/1 or /2), e.g. to compare with.
        FindingsDocument doc;
        data->fromFindings = true;
        if (readFindingsFile(inputs.front(), doc, data->snapshot.diagnostics)) {
            data->snapshot.files = std::move(doc.inputs);
            data->result.findings = std::move(doc.findings);
            data->result.assumptions = std::move(doc.assumptions);
            for (std::size_t i = 0; i < data->result.findings.size(); ++i)
                data->findingIndex.emplace(data->result.findings[i].id, i);
        }
        if (progress)
            progress(100);
        return data;
    }
    ImportOptions io;
    io.cancel = cancel;
    io.hashFiles = true; // the review's identity of what was analysed
    io.terraformPlanSide = planPrior ? TerraformPlanSide::Prior : TerraformPlanSide::Planned;
    io.progress = [&](std::size_t done, std::size_t total) {
        if (progress && total)
            progress(static_cast<int>(45 * done / total));
    };
    auto t0 = Clock::now();
    data->snapshot = importSnapshot(inputs, io);
    auto t1 = Clock::now();
    data->importMs = std::chrono::duration<double, std::milli>(t1 - t0).count();
    if (cancel && cancel->load()) {
        data->cancelled = true;
        return data;
    }
    AnalysisOptions ao;
    ao.analystDataStores = analystDataStores;
    ao.cancel = cancel;
    ao.progress = [&](std::size_t done, std::size_t total) {
        if (progress && total)
            progress(45 + static_cast<int>(50 * done / total));
    };
    data->result = analyze(data->snapshot, ao);
    profilePhase("analysis: its working memory freed");
    if (!data->result.error.empty()) // memory ran out: shown with the import's problems
        data->snapshot.diagnostics.push_back({ Diagnostic::Level::Error,
            { inputs.empty() ? std::string() : inputs.front(), {}, 0, 0 }, data->result.error });
    data->analysisMs = std::chrono::duration<double, std::milli>(Clock::now() - t1).count();
    if (data->result.cancelled || (cancel && cancel->load())) {
        data->cancelled = true;
        return data;
    }
    data->grouping = GraphGrouping::fromSnapshot(data->snapshot);
    profilePhase("workbench: graph grouping");
    data->inspector = std::make_unique<FindingInspector>(data->snapshot);
    profilePhase("workbench: rule inspector");
    data->identity = snapshotIdentity(data->snapshot.files, baseDir);
    profilePhase("workbench: snapshot identity");
    for (std::size_t i = 0; i < data->result.findings.size(); ++i)
        data->findingIndex.emplace(data->result.findings[i].id, i);
    profilePhase("workbench: finding index");
    if (progress)
        progress(100);
    return data;
}

void AnalysisJob::start(const QStringList& inputs, const std::map<std::string, std::string>& analystDataStores,
    const QString& baseDir, bool planPrior)
{
    cancel(); // the previous run's result will be dropped by its generation
    auto flag = std::make_shared<std::atomic<bool>>(false);
    m_cancel = flag;
    const quint64 generation = ++m_generation;
    std::vector<std::string> in;
    for (const auto& i : inputs)
        in.push_back(i.toStdString());
    const std::string base = baseDir.toStdString();

    auto* watcher = new QFutureWatcher<std::shared_ptr<const AnalysisData>>(this);
    m_watcher = watcher;
    connect(watcher, &QFutureWatcherBase::progressValueChanged, this, [this, generation](int value) {
        if (generation == m_generation)
            Q_EMIT progress(value, value < 45 ? tr("Importing…") : tr("Analysing…"));
    });
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, flag]() {
        watcher->deleteLater();
        if (m_watcher == watcher)
            m_watcher = nullptr;
        if (generation != m_generation)
            return; // stale: a newer run started
        auto result = watcher->result();
        if (!result || result->cancelled || flag->load()) // cancelled after its last check: still cancelled
            Q_EMIT cancelled();
        else
            Q_EMIT finished(result);
    });
    watcher->setFuture(
        QtConcurrent::run([in, dataStores = analystDataStores, base, flag, planPrior, findings = m_readsFindings](
                              QPromise<std::shared_ptr<const AnalysisData>>& promise) {
            promise.setProgressRange(0, 100);
            auto report = [&promise](int p) { promise.setProgressValue(p); };
            promise.addResult(run(in, dataStores, base, report, flag.get(), planPrior, findings));
        }));
}

} // namespace ew::ui
