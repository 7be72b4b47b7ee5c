#include "jobs/analysisjob.h"
#include "review/review.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
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

    // A snapshot folder that changes while the workbench reads it (a sync tool, an export still
    // being written): a file vanishes, one is cut short, one is replaced by a folder and one appears.
    // The run finishes, and each change is a problem naming its file, for the Problems tab.
    void aSnapshotFolderChangingWhileReadIsReported()
    {
        QTemporaryDir dir;
        const QDir demo(QStringLiteral(EW_SOURCE_DIR "/resources/demo/2019-12-05"));
        const QStringList names { QStringLiteral("nics.json"), QStringLiteral("nsgs.json"),
            QStringLiteral("public-ips.json"), QStringLiteral("vms.json"), QStringLiteral("vnets.json") };
        for (const auto& n : names)
            QVERIFY(QFile::copy(demo.filePath(n), dir.filePath(n)));
        bool changed = false;
        auto progress = [&](int) {
            if (changed)
                return;
            changed = true; // after the first file: the rest changes under the reader
            QFile grown(dir.filePath(QStringLiteral("nics.json"))); // read already: changed after
            QVERIFY(grown.open(QIODevice::Append));
            grown.write("\n");
            grown.close();
            QFile::remove(dir.filePath(QStringLiteral("nsgs.json")));
            QFile cut(dir.filePath(QStringLiteral("public-ips.json")));
            QVERIFY(cut.open(QIODevice::ReadWrite));
            QVERIFY(cut.resize(cut.size() / 2));
            cut.close();
            QFile::remove(dir.filePath(QStringLiteral("vms.json")));
            QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("vms.json")));
            QFile late(dir.filePath(QStringLiteral("aaa-late.json")));
            QVERIFY(late.open(QIODevice::WriteOnly));
            late.write("{\"value\": [");
        };
        const auto data
            = AnalysisJob::run({ dir.path().toStdString() }, {}, dir.path().toStdString(), progress, nullptr);
        QVERIFY(changed);
        QVERIFY(!data->cancelled);
        QVERIFY(data->snapshot.hasErrors());
        QStringList problems;
        for (const auto& d : data->snapshot.diagnostics)
            problems << QString::fromStdString(d.toString());
        const QString all = problems.join(QLatin1Char('\n'));
        QVERIFY2(all.contains(dir.filePath(QStringLiteral("nsgs.json"))
                     + QStringLiteral(": error: cannot read the file: No such file or directory (it disappeared while "
                                      "the export was read)")),
            qPrintable(all));
        QVERIFY2(all.contains(dir.filePath(QStringLiteral("public-ips.json")) + QStringLiteral(":")), qPrintable(all));
        QVERIFY2(
            all.contains(dir.filePath(QStringLiteral("vms.json")) + QStringLiteral(": error: cannot read the file")),
            qPrintable(all));
        QVERIFY2(!all.contains(QStringLiteral("aaa-late.json")), qPrintable(all)); // listed before it appeared
        // What was read before the change is analysed, and the identity records what was read:
        // the digest of nics.json is that of its bytes before it grew.
        QVERIFY(!data->snapshot.nics.empty());
        QVERIFY(data->inspector);
        QCOMPARE(data->identity.size(), std::size_t(5));
        QCOMPARE(data->identity.front().path, std::string("nics.json"));
        QCOMPARE(
            data->identity.front().sha256, ew::sha256OfFile(demo.filePath(QStringLiteral("nics.json")).toStdString()));
        QVERIFY(
            data->identity.front().sha256 != ew::sha256OfFile(dir.filePath(QStringLiteral("nics.json")).toStdString()));
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
