#include "jobs/analysisjob.h"

#include <QSignalSpy>
#include <QTest>

using namespace ew::ui;

class TestAnalysisJob : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void runsInTheBackgroundWithProgress()
    {
        AnalysisJob job;
        QSignalSpy finished(&job, &AnalysisJob::finished);
        QSignalSpy progress(&job, &AnalysisJob::progress);
        job.start({ QStringLiteral(EW_SOURCE_DIR "/resources/demo/2019-12-05") }, {}, QStringLiteral(EW_SOURCE_DIR));
        QVERIFY(finished.wait(20000));
        const auto data = finished.front().at(0).value<std::shared_ptr<const AnalysisData>>();
        QVERIFY(data);
        QCOMPARE(data->result.findings.size(), std::size_t(15)); // with the nodes' two-hop SSH through jump-01
        QCOMPARE(data->identity.size(), std::size_t(5));
        QCOMPARE(data->identity.front().path, std::string("resources/demo/2019-12-05/nics.json"));
        QVERIFY(data->inspector);
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.back().at(0).toInt(), 100);
    }

    void aNewRunDropsTheOldOne()
    {
        AnalysisJob job;
        QSignalSpy finished(&job, &AnalysisJob::finished);
        QSignalSpy cancelled(&job, &AnalysisJob::cancelled);
        job.start({ QStringLiteral(EW_SOURCE_DIR "/resources/demo/2019-12-04") }, {}, {});
        job.start({ QStringLiteral(EW_SOURCE_DIR "/resources/demo/2019-12-05") }, { { "x", "" } }, {});
        QVERIFY(finished.wait(20000));
        QTest::qWait(50); // a stale result would arrive now
        QCOMPARE(finished.count(), 1);
        QCOMPARE(cancelled.count(), 0);
        const auto data = finished.front().at(0).value<std::shared_ptr<const AnalysisData>>();
        QCOMPARE(data->inputs.front(), std::string(EW_SOURCE_DIR "/resources/demo/2019-12-05"));
    }

    void cancelStopsTheWork()
    {
        std::atomic<bool> cancel { true };
        const auto data = AnalysisJob::run({ EW_SOURCE_DIR "/resources/demo/2019-12-05" }, {}, {}, {}, &cancel);
        QVERIFY(data->cancelled);
        QVERIFY(data->result.findings.empty());
        QVERIFY(!data->inspector);
    }
};

QTEST_GUILESS_MAIN(TestAnalysisJob)
#include "tst_analysisjob.moc"
