#include "compare/comparecontroller.h"

#include "actions/actionmanager.h"
#include "jobs/analysisjob.h"
#include "review/reviewdocument.h"

#include <QAction>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWidget>

using namespace ew;
using namespace ew::ui;

namespace {

std::shared_ptr<const AnalysisData> analyse(const QString& folder)
{
    AnalysisJob job;
    QSignalSpy finished(&job, &AnalysisJob::finished);
    job.start({ folder }, {}, QStringLiteral(EW_SOURCE_DIR));
    if (!finished.wait(30000))
        return nullptr;
    return finished.front().at(0).value<std::shared_ptr<const AnalysisData>>();
}

const QString kDemo = QStringLiteral(EW_SOURCE_DIR "/resources/demo/");

struct Fixture
{
    QWidget window;
    ReviewDocument* document = new ReviewDocument(&window);
    ActionManager* actions = new ActionManager(&window);
    CompareController* controller = new CompareController(document, actions, &window);
    std::shared_ptr<const AnalysisData> current;

    bool load()
    {
        current = analyse(kDemo + QStringLiteral("2019-12-05"));
        document->reset({ kDemo + QStringLiteral("2019-12-05") });
        document->setAnalysis(current);
        return current != nullptr;
    }
    bool enabled(const char* id) const { return actions->action(QString::fromLatin1(id))->isEnabled(); }
};

} // namespace

// CompareController apart from the window (issue 16): the baseline analysed in the background,
// the comparison it makes with what is shown, and its refusals.
class TestCompareController : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // The demo: allow-es-any was added on 5 December; against 4 December one finding is new
    // (kibana-support's path through the cluster) and the five nodes' findings changed.
    void comparesWithAnOlderSnapshot()
    {
        Fixture fx;
        QVERIFY(fx.load());
        QSignalSpy started(fx.controller, &CompareController::started);
        QSignalSpy ready(fx.controller, &CompareController::baselineReady);
        fx.controller->compareWith({ kDemo + QStringLiteral("2019-12-04") });
        QCOMPARE(started.count(), 1);
        QVERIFY(fx.controller->isRunning());
        QVERIFY(ready.wait(30000));
        QCOMPARE(ready.back().at(0).toBool(), true); // asked for: the Changes tab comes forward
        QVERIFY(fx.controller->hasBaseline());
        QVERIFY(!fx.controller->comparison()); // made when the window asks for it
        const auto& c = fx.controller->update(fx.current, nullptr);
        QVERIFY(c);
        QCOMPARE(c->baselineName, QStringLiteral("2019-12-04"));
        QCOMPARE(c->diff.added.size(), std::size_t(1));
        QCOMPARE(c->diff.changed.size(), std::size_t(5));
        QVERIFY(c->diff.closed.empty());
        QVERIFY(fx.enabled("compare-stop"));
        QVERIFY(fx.enabled("compare-only-changes"));

        fx.controller->stop();
        QVERIFY(!fx.controller->hasBaseline());
        QVERIFY(!fx.controller->update(fx.current, nullptr));
        QVERIFY(!fx.enabled("compare-stop"));
        QVERIFY(!fx.enabled("compare-only-changes"));
    }

    // While what-if edits are shown, they are compared with the real snapshot, whatever the
    // baseline; the baseline comes back with the real snapshot.
    void whatIfEditsCompareWithTheRealSnapshot()
    {
        Fixture fx;
        QVERIFY(fx.load());
        const auto older = analyse(kDemo + QStringLiteral("2019-12-04"));
        QVERIFY(older);
        fx.controller->takeBaseline(older, QStringLiteral("the last review"));
        const auto& edited = fx.controller->update(fx.current, older);
        QVERIFY(edited);
        QCOMPARE(edited->baselineName, QStringLiteral("the real snapshot (before the what-if edits)"));
        const auto& back = fx.controller->update(fx.current, nullptr);
        QCOMPARE(back->baselineName, QStringLiteral("the last review"));
    }

    void aFindingsFileThatCannotBeReadIsRefused()
    {
        Fixture fx;
        QVERIFY(fx.load());
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("findings.json"));
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(R"({"schema": "exposure-findings/1", "findings": [ {"id": 7)");
        out.close();
        QSignalSpy failed(fx.controller, &CompareController::failed);
        QSignalSpy ready(fx.controller, &CompareController::baselineReady);
        fx.controller->compareWith({ file });
        QVERIFY(failed.wait(30000));
        QCOMPARE(failed.back().at(0).toString(), QStringLiteral("Cannot compare"));
        const QString why = failed.back().at(1).toString();
        QVERIFY2(why.startsWith(QStringLiteral("The findings file findings.json cannot be read: ")), qPrintable(why));
        QVERIFY2(why.contains(QStringLiteral("findings.json")), qPrintable(why));
        QVERIFY(ready.isEmpty());
        QVERIFY(!fx.controller->hasBaseline());
    }

    void aReviewWithoutHistoryHasNoPreviousSnapshot()
    {
        Fixture fx;
        QVERIFY(fx.load());
        fx.controller->updateActions(true);
        QVERIFY(!fx.enabled("compare-previous"));
        QVERIFY(fx.enabled("compare-with"));
        QSignalSpy message(fx.controller, &CompareController::message);
        QVERIFY(!fx.controller->compareWithPrevious());
        QCOMPARE(
            message.back().at(0).toString(), QStringLiteral("This review has no earlier snapshot to compare with."));
        QVERIFY(!fx.controller->isRunning());
    }

    // A review reopened compares with its previous snapshot by itself: quietly (the side pane
    // stays as the analyst had it).
    void theReviewsPreviousSnapshotIsComparedQuietly()
    {
        QTemporaryDir dir;
        Fixture fx;
        fx.document->reset({ kDemo + QStringLiteral("2019-12-04") });
        fx.document->setAnalysis(analyse(kDemo + QStringLiteral("2019-12-04")));
        fx.document->openNewSnapshot({ kDemo + QStringLiteral("2019-12-05") }); // 4 December goes into the history
        QSignalSpy ready(fx.controller, &CompareController::baselineReady);
        QVERIFY(fx.controller->compareWithPrevious(true));
        QVERIFY(ready.wait(30000));
        QCOMPARE(ready.back().at(0).toBool(), false);
    }
};

QTEST_MAIN(TestCompareController)
#include "tst_comparecontroller.moc"
