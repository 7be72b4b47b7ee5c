#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include "sarifmultitool.h"

#include "findings/analyzer.h"
#include "import/azureimporter.h"
#include "output/findingswriter.h"

#include <nlohmann/json.hpp>

#include <csignal>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run run(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(EW_AUDIT_BINARY), args);
    p.waitForFinished(120000);
    return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
        p.readAllStandardError() };
}

QString golden(const char* name)
{
    return QStringLiteral(EW_TEST_DATA "/golden/") + QLatin1String(name) + QStringLiteral("/input");
}

// Runs analyze --format sarif in the checkout or in dir (which then holds a copy of the demo's 5
// December snapshot as "snap shot #1"); returns the SARIF file written in dir, or "" on failure.
QString cliSarif(const QString& workingFolder, const QStringList& args, const QTemporaryDir& dir)
{
    const QString demo = QStringLiteral(EW_SOURCE_DIR "/resources/demo/2019-12-05");
    const QString copy = dir.filePath(QStringLiteral("snap shot #1"));
    QDir().mkpath(copy);
    for (const auto& name : QDir(demo).entryList(QDir::Files))
        QFile::copy(demo + QLatin1Char('/') + name, copy + QLatin1Char('/') + name);
    const QString out = dir.filePath(QStringLiteral("findings.sarif"));
    QStringList full { QStringLiteral("analyze"), QStringLiteral("--format"), QStringLiteral("sarif"),
        QStringLiteral("--output"), out };
    for (const auto& a : args)
        full << QString(a).replace(QLatin1String("%1"), QStringLiteral(EW_SOURCE_DIR));
    QProcess p;
    p.setWorkingDirectory(workingFolder == QLatin1String("source") ? QStringLiteral(EW_SOURCE_DIR) : dir.path());
    p.start(QStringLiteral(EW_AUDIT_BINARY), full);
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        qWarning("%s", p.readAllStandardError().constData());
        return {};
    }
    return out;
}

} // namespace

class TestExposureAudit : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // notify: one notice per owner and an index, from the demo review (issue 16, "Alerting service teams").
    void notifyWritesOneNoticePerOwner()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("notices"));
        const Run r
            = run({ QStringLiteral("notify"), QStringLiteral(EW_SOURCE_DIR "/resources/demo/incident-2019.review.json"),
                QStringLiteral("--output"), out, QStringLiteral("--date"), QStringLiteral("2019-12-31") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QFile index(out + QStringLiteral("/index.json"));
        QVERIFY(index.open(QIODevice::ReadOnly));
        const auto doc = nlohmann::json::parse(index.readAll().toStdString());
        QCOMPARE(doc["schema"].get<std::string>(), std::string("exposure-notify/1"));
        QVERIFY(!doc["owners"].empty());
        for (const auto& o : doc["owners"]) {
            QVERIFY(QFile::exists(out + QLatin1Char('/') + QString::fromStdString(o["file"].get<std::string>())));
            for (const auto& f : o["findings"])
                QVERIFY(!f["exposedSince"].get<std::string>().empty());
        }
        const Run bad = run({ QStringLiteral("notify"), golden("compute-web-medium"), QStringLiteral("--output"), out,
            QStringLiteral("--due"), QStringLiteral("critical=soon") });
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("is not a number of days"), bad.err.constData());
        const Run noOut = run({ QStringLiteral("notify"), golden("compute-web-medium") });
        QCOMPARE(noOut.exitCode, 2);
        QVERIFY(noOut.err.contains("notify needs --output DIR"));
    }

    // notify --with-pdf: each notice also as a PDF, named in the index; read back with pdftotext, it
    // holds what the Markdown says (the owner, the targets, the due dates), on numbered pages.
    void notifyWritesPdfNotices()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("notices"));
        const Run r = run({ QStringLiteral("notify"),
            QStringLiteral(EW_SOURCE_DIR "/resources/demo/incident-2019.review.json"), QStringLiteral("--output"), out,
            QStringLiteral("--date"), QStringLiteral("2019-12-31"), QStringLiteral("--with-pdf") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QFile index(out + QStringLiteral("/index.json"));
        QVERIFY(index.open(QIODevice::ReadOnly));
        const auto doc = nlohmann::json::parse(index.readAll().toStdString());
        QVERIFY(!doc["owners"].empty());
        const bool canRead = !QStandardPaths::findExecutable(QStringLiteral("pdftotext")).isEmpty();
        for (const auto& o : doc["owners"]) {
            const QString pdf = out + QLatin1Char('/') + QString::fromStdString(o["pdf"].get<std::string>());
            QFile file(pdf);
            QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(pdf));
            QVERIFY(file.read(5) == "%PDF-");
            if (!canRead)
                continue;
            QProcess text;
            text.start(QStringLiteral("pdftotext"), { QStringLiteral("-layout"), pdf, QStringLiteral("-") });
            QVERIFY(text.waitForFinished(30000));
            const QString body = QString::fromUtf8(text.readAllStandardOutput());
            const QString owner = o["owner"].is_null() ? QStringLiteral("nobody owns")
                                                       : QString::fromStdString(o["owner"].get<std::string>());
            QVERIFY2(body.contains(owner), qPrintable(body.left(400)));
            for (const auto& f : o["findings"]) {
                const QString target = QString::fromStdString(f["target"]["name"].get<std::string>());
                QVERIFY2(body.contains(target), qPrintable(target));
                if (!f["due"].is_null())
                    QVERIFY2(body.contains(QString::fromStdString(f["due"].get<std::string>())), qPrintable(target));
            }
            QVERIFY2(body.contains(QLatin1String("1 / ")), "numbered pages");
        }
        if (!canRead)
            QSKIP("poppler-utils (pdftotext) is not installed: the PDFs were only checked to be PDFs");
    }

    // report of a review whose history ends with an earlier export: page 1 says what changed since
    // it, and the earlier export, still beside the review, is analysed again so that closed
    // exposures are named by their targets (issue 16, "pages 1-2 decide").
    void reportOfAReviewComparesWithItsPreviousSnapshot()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("pdftotext")).isEmpty())
            QSKIP("poppler-utils (pdftotext) is not installed");
        QTemporaryDir dir;
        const QString pdf = dir.filePath(QStringLiteral("report.pdf"));
        const Run r = run({ QStringLiteral("report"),
            QStringLiteral(EW_SOURCE_DIR "/resources/demo/incident-2019.review.json"), QStringLiteral("--pdf"), pdf });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QProcess text;
        text.start(QStringLiteral("pdftotext"),
            { QStringLiteral("-layout"), QStringLiteral("-l"), QStringLiteral("2"), pdf, QStringLiteral("-") });
        QVERIFY(text.waitForFinished(30000));
        const QString pages = QString::fromUtf8(text.readAllStandardOutput());
        QVERIFY2(pages.contains(QLatin1String("Since the review's previous snapshot (2019-12-04)")), qPrintable(pages));
        QVERIFY2(pages.contains(QLatin1String("What changed since the review's previous snapshot (2019-12-04)")),
            qPrintable(pages));
        QVERIFY2(pages.contains(QLatin1String("Trend over the review's snapshots")), qPrintable(pages));
        QVERIFY2(pages.contains(QLatin1String("Fix these first")), qPrintable(pages));
        QVERIFY2(!pages.contains(QLatin1String("no longer in the snapshot")), qPrintable(pages));
        QVERIFY(pages.contains(QRegularExpression(QStringLiteral("Closed\\s+High\\s+es-support-0\\d"))));

        // Without a review, the cover still states the snapshot's identity: the digest of each file read.
        const QString plain = dir.filePath(QStringLiteral("plain.pdf"));
        const Run p = run({ QStringLiteral("report"), QStringLiteral(EW_SOURCE_DIR "/resources/demo/2019-12-05"),
            QStringLiteral("--pdf"), plain });
        QVERIFY2(p.exitCode == 0, p.err.constData());
        QProcess cover;
        cover.start(
            QStringLiteral("pdftotext"), { QStringLiteral("-l"), QStringLiteral("1"), plain, QStringLiteral("-") });
        QVERIFY(cover.waitForFinished(30000));
        const QString first = QString::fromUtf8(cover.readAllStandardOutput());
        QVERIFY2(first.contains(QLatin1String("2019-12-05/nsgs.json SHA-256 ea439016d6610e95")), qPrintable(first));
    }

    void exitCodes_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("stderrContains");
        QTest::newRow("version") << QStringList { QStringLiteral("--version") } << 0 << QString();
        QTest::newRow("help") << QStringList { QStringLiteral("--help") } << 0 << QString();
        QTest::newRow("no-command") << QStringList {} << 2 << QStringLiteral("no command given");
        QTest::newRow("unknown-option") << QStringList { QStringLiteral("analyze"), QStringLiteral("--frobnicate") }
                                        << 2 << QStringLiteral("unknown option --frobnicate");
        QTest::newRow("analyze-clean") << QStringList { QStringLiteral("analyze"), golden("datastore-tag-critical") }
                                       << 0 << QString();
        QTest::newRow("fail-on-critical-hit") << QStringList { QStringLiteral("analyze"),
            golden("datastore-tag-critical"), QStringLiteral("--fail-on"), QStringLiteral("critical") }
                                              << 1 << QString();
        QTest::newRow("fail-on-critical-miss") << QStringList { QStringLiteral("analyze"), golden("compute-web-medium"),
            QStringLiteral("--fail-on=critical") }
                                               << 0 << QString();
        QTest::newRow("fail-on-medium-hit") << QStringList { QStringLiteral("analyze"), golden("compute-web-medium"),
            QStringLiteral("--fail-on"), QStringLiteral("medium") }
                                            << 1 << QString();
        QTest::newRow("fail-on-bogus") << QStringList { QStringLiteral("analyze"), golden("compute-web-medium"),
            QStringLiteral("--fail-on"), QStringLiteral("severe") }
                                       << 2 << QStringLiteral("expected critical, high");
        QTest::newRow("truncated-json") << QStringList { QStringLiteral("analyze"), golden("bad-truncated-json") } << 2
                                        << QStringLiteral("broken.json:");
        QTest::newRow("bad-values") << QStringList { QStringLiteral("analyze"), golden("bad-rule-values") } << 2
                                    << QStringLiteral("estate.json#/1/properties/securityRules/");
        QTest::newRow("missing-input") << QStringList { QStringLiteral("analyze"),
            QStringLiteral("/nonexistent/export") }
                                       << 2 << QStringLiteral("no such file or folder");
        QTest::newRow("no-input") << QStringList { QStringLiteral("analyze") } << 2 << QStringLiteral("no input given");
        // More than the memory the analyst allows: refused before reading, never the OOM killer.
        QTest::newRow("max-memory-refuses")
            << QStringList { QStringLiteral("analyze"), golden("datastore-tag-critical"),
                   QStringLiteral("--max-memory"), QStringLiteral("1") }
            << 2
            << QStringLiteral("reading and analysing it needs about 65 MiB of memory (16 times its size), more than "
                              "the 1 MiB available");
        QTest::newRow("max-memory-enough") << QStringList { QStringLiteral("analyze"), golden("compute-web-medium"),
            QStringLiteral("--max-memory=512") }
                                           << 0 << QString();
        QTest::newRow("max-memory-bogus") << QStringList { QStringLiteral("analyze"), golden("compute-web-medium"),
            QStringLiteral("--max-memory"), QStringLiteral("lots") }
                                          << 2 << QStringLiteral("--max-memory lots: expected a number of MiB");
        QTest::newRow("threads-bogus") << QStringList {
            QStringLiteral("analyze"), golden("compute-web-medium"), QStringLiteral("--threads"), QStringLiteral("0")
        } << 2 << QStringLiteral("--threads 0: expected a number of threads from 1 to 256");
        QTest::newRow("query-reachable") << QStringList { QStringLiteral("query"), golden("datastore-tag-critical"),
            QStringLiteral("--to"), QStringLiteral("vm-a"), QStringLiteral("--port"), QStringLiteral("9200") }
                                         << 0 << QString();
        QTest::newRow("query-blocked") << QStringList { QStringLiteral("query"), golden("datastore-tag-critical"),
            QStringLiteral("--to"), QStringLiteral("vm-a"), QStringLiteral("--port"), QStringLiteral("9300") }
                                       << 1 << QString();
        QTest::newRow("query-unknown-target")
            << QStringList { QStringLiteral("query"), golden("datastore-tag-critical"), QStringLiteral("--to"),
                   QStringLiteral("nope"), QStringLiteral("--port"), QStringLiteral("22") }
            << 2 << QStringLiteral("no virtual machine, network interface or data service named");
        QTest::newRow("query-bad-port") << QStringList { QStringLiteral("query"), golden("datastore-tag-critical"),
            QStringLiteral("--to"), QStringLiteral("vm-a"), QStringLiteral("--port"), QStringLiteral("70000") }
                                        << 2 << QStringLiteral("expected a port number");
        QTest::newRow("query-bad-source") << QStringList { QStringLiteral("query"), golden("datastore-tag-critical"),
            QStringLiteral("--to"), QStringLiteral("vm-a"), QStringLiteral("--port"), QStringLiteral("22"),
            QStringLiteral("--from"), QStringLiteral("nowhere") }
                                          << 2 << QStringLiteral("is not an IP address");
        QTest::newRow("format-bogus") << QStringList { QStringLiteral("analyze"), golden("compute-web-medium"),
            QStringLiteral("--format"), QStringLiteral("xml") }
                                      << 2 << QStringLiteral("expected text, json, csv, sarif or markdown");
        QTest::newRow("diff-changed") << QStringList { QStringLiteral("diff"),
            QStringLiteral(EW_SOURCE_DIR "/resources/demo/2019-12-04"),
            QStringLiteral(EW_SOURCE_DIR "/resources/demo/2019-12-05") }
                                      << 1 << QString();
        QTest::newRow("diff-same") << QStringList { QStringLiteral("diff"),
            QStringLiteral(EW_SOURCE_DIR "/resources/demo/2019-12-05"),
            QStringLiteral(EW_SOURCE_DIR "/resources/demo/2019-12-05") }
                                   << 0 << QString();
        // Scheduled scans: --baseline makes --fail-on count only findings new or worse than the baseline.
        const QString demo = QStringLiteral(EW_SOURCE_DIR "/resources/demo/");
        QTest::newRow("baseline-incident-day-fails") << QStringList { QStringLiteral("analyze"),
            demo + QStringLiteral("2019-12-05"), QStringLiteral("--baseline"), demo + QStringLiteral("2019-12-04"),
            QStringLiteral("--fail-on"), QStringLiteral("critical") }
                                                     << 1 << QString();
        QTest::newRow("baseline-same-snapshot-passes") << QStringList { QStringLiteral("analyze"),
            demo + QStringLiteral("2019-12-05"), QStringLiteral("--baseline"), demo + QStringLiteral("2019-12-05"),
            QStringLiteral("--fail-on"), QStringLiteral("info") }
                                                       << 0 << QString();
        QTest::newRow("baseline-fix-day-passes") << QStringList { QStringLiteral("analyze"),
            demo + QStringLiteral("2019-12-31"), QStringLiteral("--baseline"), demo + QStringLiteral("2019-12-05"),
            QStringLiteral("--fail-on"), QStringLiteral("info") }
                                                 << 0 << QString();
        QTest::newRow("baseline-without-fail-on") << QStringList { QStringLiteral("analyze"),
            demo + QStringLiteral("2019-12-05"), QStringLiteral("--baseline"), demo + QStringLiteral("2019-12-04") }
                                                  << 0 << QString();
        // The review accepted the two low findings; everything else is in its snapshot (12-05).
        QTest::newRow("baseline-review-passes") << QStringList { QStringLiteral("analyze"),
            demo + QStringLiteral("2019-12-05"), QStringLiteral("--baseline"),
            demo + QStringLiteral("incident-2019.review.json"), QStringLiteral("--fail-on"), QStringLiteral("info") }
                                                << 0 << QString();
        QTest::newRow("baseline-unreadable") << QStringList { QStringLiteral("analyze"),
            demo + QStringLiteral("2019-12-05"), QStringLiteral("--baseline"), golden("bad-truncated-json"),
            QStringLiteral("--fail-on"), QStringLiteral("info") }
                                             << 2 << QStringLiteral("the baseline");
        QTest::newRow("timeline") << QStringList { QStringLiteral("timeline"), demo + QStringLiteral("2019-12-04"),
            demo + QStringLiteral("2019-12-05") }
                                  << 0 << QString();
        QTest::newRow("timeline-undated") << QStringList { QStringLiteral("timeline"), golden("compute-web-medium") }
                                          << 2 << QStringLiteral("no date for this snapshot");
        QTest::newRow("timeline-bad-date") << QStringList { QStringLiteral("timeline"),
            QStringLiteral("2019-02-30=") + demo + QStringLiteral("2019-12-05") }
                                           << 2 << QStringLiteral("2019-02-30 is not a calendar date");
        QTest::newRow("diff-one-input") << QStringList { QStringLiteral("diff"), golden("compute-web-medium") } << 2
                                        << QStringLiteral("diff needs two inputs");
        QTest::newRow("report-needs-pdf") << QStringList { QStringLiteral("report"), golden("compute-web-medium") } << 2
                                          << QStringLiteral("report needs --pdf FILE");
        QTest::newRow("report-bad-input") << QStringList { QStringLiteral("report"), golden("bad-truncated-json"),
            QStringLiteral("--pdf"), QStringLiteral("/tmp/never.pdf") }
                                          << 2 << QStringLiteral("no verdict is given");
        QTest::newRow("report-unwritable") << QStringList { QStringLiteral("report"), golden("compute-web-medium"),
            QStringLiteral("--pdf"), QStringLiteral("/nonexistent-dir/r.pdf") }
                                           << 2 << QStringLiteral("cannot write");
    }

    // A review whose numbers overflow a double: the JSON library throws out_of_range, which used to
    // abort analyze --baseline and report. Now: exit 2 and the file with the place.
    void reviewNumberOverflow_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QByteArray>("number");
        QTest::newRow("baseline-1e999") << QStringLiteral("baseline") << QByteArray("1e999");
        QTest::newRow("baseline-minus-1e999") << QStringLiteral("baseline") << QByteArray("-1e999");
        QTest::newRow("baseline-1E400") << QStringLiteral("baseline") << QByteArray("1E400");
        QTest::newRow("report-1e999") << QStringLiteral("report") << QByteArray("1e999");
        QTest::newRow("report-minus-1e999") << QStringLiteral("report") << QByteArray("-1e999");
        QTest::newRow("report-1E400") << QStringLiteral("report") << QByteArray("1E400");
    }
    void reviewNumberOverflow()
    {
        QFETCH(QString, command);
        QFETCH(QByteArray, number);
        QTemporaryDir dir;
        const QString review = dir.filePath(QStringLiteral("weekly.review.json"));
        QFile f(review);
        QVERIFY(f.open(QIODevice::WriteOnly));
        // The number on line 4, column 15 (byte 85).
        f.write("{\n  \"schema\": \"exposure-review/1\",\n  \"snapshot\": {\"inputs\": [\"snap\"]},\n  \"modified\": "
            + number + ",\n  \"decisions\": []\n}\n");
        f.close();
        const QString demo = QStringLiteral(EW_SOURCE_DIR "/resources/demo/2019-12-05");
        const Run r = command == QLatin1String("baseline")
            ? run({ QStringLiteral("analyze"), demo, QStringLiteral("--baseline"), review })
            : run({ QStringLiteral("report"), review, QStringLiteral("--pdf"), dir.filePath(QStringLiteral("r.pdf")) });
        const QString err = QString::fromUtf8(r.err);
        QVERIFY2(r.exitCode == 2, qPrintable(QStringLiteral("exit %1, stderr: %2").arg(r.exitCode).arg(err)));
        const QString expected = review
            + QStringLiteral(":4:15: error: invalid JSON (at byte 85): number overflow parsing '")
            + QString::fromLatin1(number) + QLatin1Char('\'');
        QVERIFY2(err.contains(expected), qPrintable(err));
        QVERIFY2(!err.contains(QLatin1String("terminate")), qPrintable(err));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("r.pdf"))));
    }

    // --output FILE: where the findings arrive, and what is left in the folder when writing fails.
    void outputDestinations_data()
    {
        QTest::addColumn<QString>("setup"); // what is at FILE before the run
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message"); // on stderr
        QTest::newRow("new-file") << QStringLiteral("nothing") << 0 << QString();
        QTest::newRow("replaces-file") << QStringLiteral("file") << 0 << QString();
        QTest::newRow("existing-tmp-untouched") << QStringLiteral("tmp") << 0 << QString();
        QTest::newRow("symlink") << QStringLiteral("symlink") << 0 << QString();
        QTest::newRow("fifo") << QStringLiteral("fifo") << 0 << QString();
        QTest::newRow("size-limit") << QStringLiteral("size-limit") << 2
                                    << QStringLiteral("findings.json: File too large");
        QTest::newRow("dev-full") << QStringLiteral("dev-full") << 2
                                  << QStringLiteral("findings.json: No space left on device");
    }
    void outputDestinations()
    {
        QFETCH(QString, setup);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        QTemporaryDir dir;
        QString file = dir.filePath(QStringLiteral("findings.json"));
        QString arrives = file; // where the findings should be
        QStringList expectedEntries { QStringLiteral("findings.json") };
        auto put = [](const QString& path, const QByteArray& bytes) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes);
        };
        QProcess p;
        std::thread reader;
        QByteArray received;
        int keep = -1;
        if (setup == QLatin1String("file") || setup == QLatin1String("size-limit")) {
            put(file, "old\n");
        } else if (setup == QLatin1String("tmp")) {
            put(file + QStringLiteral(".tmp"), "precious");
            expectedEntries << QStringLiteral("findings.json.tmp");
        } else if (setup == QLatin1String("symlink")) {
            QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("real")));
            put(dir.filePath(QStringLiteral("real/findings.json")), "old\n");
            QCOMPARE(::symlink("real/findings.json", file.toLocal8Bit().constData()), 0);
            arrives = dir.filePath(QStringLiteral("real/findings.json"));
            expectedEntries << QStringLiteral("real");
        } else if (setup == QLatin1String("fifo")) {
            QCOMPARE(::mkfifo(file.toLocal8Bit().constData(), 0600), 0);
            // Held open while the program runs, so the reader sees the end only once both let go, and
            // never waits forever on a FIFO that the program replaced instead of writing into.
            keep = ::open(file.toLocal8Bit().constData(), O_RDWR);
            QVERIFY(keep >= 0);
            reader = std::thread([&] {
                QFile in(file);
                if (in.open(QIODevice::ReadOnly))
                    received = in.readAll();
            });
        } else if (setup == QLatin1String("dev-full")) {
            // Through a link of the test's own: a writer that replaced its destination would replace the
            // link, not the system's /dev/full (tests may run as root).
            struct stat st = {};
            if (::stat("/dev/full", &st) != 0 || !S_ISCHR(st.st_mode))
                QSKIP("no /dev/full here");
            QCOMPARE(::symlink("/dev/full", file.toLocal8Bit().constData()), 0);
        }
        if (setup == QLatin1String("size-limit"))
            p.setChildProcessModifier([] {
                const rlimit limit = { 4096, 4096 };
                ::setrlimit(RLIMIT_FSIZE, &limit);
            });
        p.start(QStringLiteral(EW_AUDIT_BINARY),
            { QStringLiteral("analyze"), QStringLiteral(EW_SOURCE_DIR "/resources/demo/2019-12-05"),
                QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--output"), file });
        QVERIFY(p.waitForFinished(120000));
        if (reader.joinable()) {
            ::close(keep);
            reader.join();
        }
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QVERIFY2(p.exitCode() == exitCode, qPrintable(err));
        if (!message.isEmpty())
            QVERIFY2(err.contains(message), qPrintable(err));
        // No temporary left, whatever happened, and FILE.tmp left alone.
        QCOMPARE(QDir(dir.path())
                     .entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name),
            expectedEntries);
        if (setup == QLatin1String("tmp")) {
            QFile tmp(file + QStringLiteral(".tmp"));
            QVERIFY(tmp.open(QIODevice::ReadOnly));
            QCOMPARE(tmp.readAll(), QByteArray("precious"));
        }
        if (setup == QLatin1String("symlink") || setup == QLatin1String("dev-full"))
            QVERIFY(QFileInfo(file).isSymLink());
        if (setup == QLatin1String("fifo"))
            QVERIFY(!QFileInfo(file).isFile()); // still the FIFO
        if (exitCode != 0) {
            if (setup == QLatin1String("size-limit")) {
                QFile old(file);
                QVERIFY(old.open(QIODevice::ReadOnly));
                QCOMPARE(old.readAll(), QByteArray("old\n")); // untouched by the failed run
            }
            return;
        }
        if (setup != QLatin1String("fifo")) {
            QFile f(arrives);
            QVERIFY(f.open(QIODevice::ReadOnly));
            received = f.readAll();
        }
        const QJsonObject o = QJsonDocument::fromJson(received).object();
        QCOMPARE(o.value(QStringLiteral("schema")).toString(), QStringLiteral("exposure-findings/2"));
        QCOMPARE(o.value(QStringLiteral("findings")).toArray().size(), 15);
    }

    // --output naming an inherited stream writes into that stream as it is (a pipe, or a file the shell
    // appends to), instead of reopening it through /proc or renaming over it.
    void outputToInheritedStreams_data()
    {
        QTest::addColumn<QString>("output");
        QTest::addColumn<bool>("appendToFile"); // else standard output is a pipe
        QTest::newRow("dev-stdout-pipe") << QStringLiteral("/dev/stdout") << false;
        QTest::newRow("dev-fd-1-pipe") << QStringLiteral("/dev/fd/1") << false;
        QTest::newRow("dev-stdout-appended-file") << QStringLiteral("/dev/stdout") << true;
        QTest::newRow("proc-self-fd-1-appended-file") << QStringLiteral("/proc/self/fd/1") << true;
    }
    void outputToInheritedStreams()
    {
        QFETCH(QString, output);
        QFETCH(bool, appendToFile);
        // A writer that renamed over its destination would, as root, replace the system's /dev/stdout
        // link (/dev/fd and /proc/self/fd take no new files, so those rows are safe to run anywhere).
        if (output == QLatin1String("/dev/stdout") && ::geteuid() == 0)
            QSKIP("not run as root: a broken writer would replace /dev/stdout");
        QTemporaryDir dir;
        const QString log = dir.filePath(QStringLiteral("scan.log"));
        QProcess p;
        if (appendToFile) {
            QFile f(log);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("earlier scan\n");
            f.close();
            p.setStandardOutputFile(log, QIODevice::Append);
        }
        p.start(QStringLiteral(EW_AUDIT_BINARY),
            { QStringLiteral("analyze"), golden("learn-four-vm-example"), QStringLiteral("--format"),
                QStringLiteral("csv"), QStringLiteral("--output"), output });
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QByteArray out = p.readAllStandardOutput();
        if (appendToFile) {
            QFile f(log);
            QVERIFY(f.open(QIODevice::ReadOnly));
            out = f.readAll();
            QVERIFY2(out.startsWith("earlier scan\nid,severity,"), out.constData());
            QCOMPARE(
                QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList { QStringLiteral("scan.log") });
        } else {
            QVERIFY2(out.startsWith("id,severity,"), out.constData());
        }
        QCOMPARE(out.count("\r\n"), 4); // the header and three findings
    }

    // Standard output that cannot take the output: exit 2 with a message, not success nor a silent
    // death by SIGPIPE.
    void standardOutputErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("stdoutTo"); // "full": /dev/full; "closed-pipe": a pipe nobody reads
        QTest::addColumn<QString>("message");
        const QStringList analyze { QStringLiteral("analyze"),
            QStringLiteral(EW_SOURCE_DIR "/resources/demo/2019-12-05") };
        QTest::newRow("analyze-full-disk")
            << analyze << QStringLiteral("full")
            << QStringLiteral("cannot write to standard output: No space left on device");
        QTest::newRow("analyze-json-full-disk")
            << (analyze + QStringList { QStringLiteral("--format=json") }) << QStringLiteral("full")
            << QStringLiteral("cannot write to standard output: No space");
        QTest::newRow("version-full-disk")
            << QStringList { QStringLiteral("--version") } << QStringLiteral("full")
            << QStringLiteral("cannot write to standard output: No space left on device");
        QTest::newRow("analyze-closed-pipe") << analyze << QStringLiteral("closed-pipe")
                                             << QStringLiteral("cannot write to standard output: Broken pipe");
        QTest::newRow("help-closed-pipe") << QStringList { QStringLiteral("--help") } << QStringLiteral("closed-pipe")
                                          << QStringLiteral("cannot write to standard output: Broken pipe");
    }
    void standardOutputErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, stdoutTo);
        QFETCH(QString, message);
        QProcess p;
        int pipeEnds[2] = { -1, -1 };
        if (stdoutTo == QLatin1String("full")) {
            struct stat st = {};
            if (::stat("/dev/full", &st) != 0 || !S_ISCHR(st.st_mode))
                QSKIP("no /dev/full here"); // else QProcess would create a file of that name
            p.setStandardOutputFile(QStringLiteral("/dev/full"));
        } else {
            QCOMPARE(::pipe(pipeEnds), 0);
            ::close(pipeEnds[0]); // nobody will read: a write raises SIGPIPE, or fails with EPIPE
            const int writeEnd = pipeEnds[1];
            p.setChildProcessModifier([writeEnd] {
                ::dup2(writeEnd, STDOUT_FILENO);
                ::signal(SIGPIPE, SIG_DFL); // as a shell starts it: the program must ignore SIGPIPE itself
            });
        }
        p.start(QStringLiteral(EW_AUDIT_BINARY), args);
        QVERIFY(p.waitForFinished(120000));
        if (pipeEnds[1] >= 0)
            ::close(pipeEnds[1]);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitStatus() == QProcess::NormalExit, "killed by a signal");
        QVERIFY2(p.exitCode() == 2, qPrintable(QStringLiteral("exit %1: %2").arg(p.exitCode()).arg(err)));
        QVERIFY2(err.contains(message), qPrintable(err));
    }

    // SARIF from the command line, from inputs named in every way: locations under the working folder
    // are relative to %SRCROOT% (declared as that folder), others absolute file:// URIs.
    void sarifFromTheCommandLine_data()
    {
        QTest::addColumn<QString>("workingFolder"); // "source": the checkout; "elsewhere": a temporary folder
        QTest::addColumn<QStringList>("args"); // after "analyze"; %1 is the checkout, %2 the temporary folder
        QTest::addColumn<QString>("uriStart"); // of every location's uri
        QTest::addColumn<bool>("relative"); // with uriBaseId %SRCROOT%
        const QString demo = QStringLiteral("resources/demo/");
        QTest::newRow("relative-input") << QStringLiteral("source")
                                        << QStringList { demo + QStringLiteral("2019-12-05") }
                                        << QStringLiteral("resources/demo/2019-12-05/") << true;
        QTest::newRow("absolute-input-under-working-folder")
            << QStringLiteral("source") << QStringList { QStringLiteral("%1/") + demo + QStringLiteral("2019-12-05") }
            << QStringLiteral("resources/demo/2019-12-05/") << true;
        QTest::newRow("input-outside-working-folder")
            << QStringLiteral("elsewhere")
            << QStringList { QStringLiteral("%1/") + demo + QStringLiteral("2019-12-05") } << QStringLiteral("file:///")
            << false;
        QTest::newRow("name-with-space-and-hash")
            << QStringLiteral("elsewhere") << QStringList { QStringLiteral("snap shot #1") }
            << QStringLiteral("snap%20shot%20%231/") << true;
        QTest::newRow("baseline-export") << QStringLiteral("source")
                                         << QStringList { demo + QStringLiteral("2019-12-05"),
                                                QStringLiteral("--baseline"), demo + QStringLiteral("2019-12-04") }
                                         << QStringLiteral("resources/demo/2019-12-05/") << true;
        QTest::newRow("baseline-review") << QStringLiteral("source")
                                         << QStringList { demo + QStringLiteral("2019-12-05"),
                                                QStringLiteral("--baseline"),
                                                demo + QStringLiteral("incident-2019.review.json") }
                                         << QStringLiteral("resources/demo/2019-12-05/") << true;
    }
    void sarifFromTheCommandLine()
    {
        QFETCH(QString, workingFolder);
        QFETCH(QStringList, args);
        QFETCH(QString, uriStart);
        QFETCH(bool, relative);
        QTemporaryDir dir;
        const QString sarif = cliSarif(workingFolder, args, dir);
        QVERIFY(!sarif.isEmpty());
        QFile f(sarif);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto doc = nlohmann::json::parse(f.readAll().toStdString());
        const auto& run = doc.at("runs").at(0);
        const QString folder = workingFolder == QLatin1String("source") ? QStringLiteral(EW_SOURCE_DIR) : dir.path();
        QVERIFY(run.contains("originalUriBaseIds") && run["originalUriBaseIds"].contains("%SRCROOT%"));
        QCOMPARE(QString::fromStdString(run["originalUriBaseIds"]["%SRCROOT%"]["uri"].get<std::string>()),
            QUrl::fromLocalFile(QFileInfo(folder).canonicalFilePath() + QLatin1Char('/')).toString(QUrl::FullyEncoded));
        QVERIFY(run["tool"]["driver"].contains("informationUri"));
        int locations = 0;
        for (const auto& res : run["results"])
            for (const auto& loc : res["locations"]) {
                const auto& artifact = loc["physicalLocation"]["artifactLocation"];
                const QString uri = QString::fromStdString(artifact["uri"].get<std::string>());
                QVERIFY2(uri.startsWith(uriStart), qPrintable(uri));
                QCOMPARE(artifact.contains("uriBaseId"), relative);
                ++locations;
            }
        QVERIFY(locations > 0);
    }

    // Every SARIF exposure-audit writes validates with Microsoft's SARIF Multitool without errors or
    // warnings (SARIF1004 for absolute inputs and SARIF2005, no informationUri, were reported).
    void sarifFromTheCommandLineValidates_data() { sarifFromTheCommandLine_data(); }
    void sarifFromTheCommandLineValidates()
    {
        QFETCH(QString, workingFolder);
        QFETCH(QStringList, args);
        const QString multitool = ew::test::sarifMultitool();
        if (multitool.isEmpty())
            QSKIP("the SARIF Multitool is not installed (EW_SARIF_MULTITOOL, PATH or ../tools)");
        QTemporaryDir dir;
        const QString sarif = cliSarif(workingFolder, args, dir);
        QVERIFY(!sarif.isEmpty());
        QString failure;
        const QStringList problems = ew::test::sarifProblems(multitool, sarif, &failure);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    void formats_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("starts");
        QTest::newRow("csv") << QStringLiteral("csv") << QStringLiteral("id,severity,kind,target,");
        QTest::newRow("sarif") << QStringLiteral("sarif") << QStringLiteral("{");
        QTest::newRow("markdown") << QStringLiteral("markdown") << QStringLiteral("# Internet exposure findings");
    }
    void formats()
    {
        QFETCH(QString, format);
        QFETCH(QString, starts);
        const Run r = run({ QStringLiteral("analyze"), golden("datastore-tag-critical"), QStringLiteral("--format"),
            format, QStringLiteral("--fail-on"), QStringLiteral("critical") });
        QCOMPARE(r.exitCode, 1); // --fail-on works the same whatever the format
        QVERIFY(QString::fromUtf8(r.out).startsWith(starts));
        if (format == QLatin1String("sarif")) {
            const auto doc = nlohmann::json::parse(r.out.toStdString());
            QCOMPARE(doc["version"].get<std::string>(), std::string("2.1.0"));
            QCOMPARE(doc["runs"][0]["results"][0]["ruleId"].get<std::string>(), std::string("EW001"));
        }
    }

    void reportFromReview()
    {
        QTemporaryDir dir;
        const QString pdf = dir.filePath(QStringLiteral("demo.pdf"));
        const Run r
            = run({ QStringLiteral("report"), QStringLiteral(EW_SOURCE_DIR "/resources/demo/incident-2019.review.json"),
                QStringLiteral("--pdf"), pdf, QStringLiteral("--redact") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(QString::fromUtf8(r.err).contains(QLatin1String("4 finding page(s), 15 finding(s), redacted")));
        QFile f(pdf);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.read(5) == "%PDF-");
    }
    void exitCodes()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QFETCH(QString, stderrContains);
        const Run r = run(args);
        QVERIFY2(r.exitCode == exitCode,
            qPrintable(QStringLiteral("exit %1, stderr: %2").arg(r.exitCode).arg(QString::fromUtf8(r.err))));
        if (!stderrContains.isEmpty())
            QVERIFY2(QString::fromUtf8(r.err).contains(stderrContains), r.err.constData());
    }

    // The demo series: the Elasticsearch nodes were reachable from the office range on 4 December
    // (high) and from the whole internet from 5 December (critical) until the fix on 31 December.
    void timelineOfTheIncident()
    {
        const QString demo = QStringLiteral(EW_SOURCE_DIR "/resources/demo/");
        const Run r = run(
            { QStringLiteral("timeline"), demo + QStringLiteral("2019-12-31"), demo + QStringLiteral("2019-12-04"),
                demo + QStringLiteral("2019-12-05"), QStringLiteral("--format"), QStringLiteral("json") });
        QCOMPARE(r.exitCode, 0);
        const auto doc = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(doc["schema"].get<std::string>(), std::string("exposure-timeline/1"));
        QCOMPARE(doc["snapshots"][0]["date"].get<std::string>(), std::string("2019-12-04")); // sorted by date
        bool seen = false;
        for (const auto& f : doc["findings"]) {
            if (f["target"] != "es-support-01")
                continue;
            if (f["id"] != "EW-723ed447fecba54d") {
                // Its two-hop paths (9200 through the support portal, covered by the direct exposure
                // on 5 December; SSH through jump-01): exposed all along.
                QCOMPARE(f["exposedSince"].get<std::string>(), std::string("2019-12-04"));
                continue;
            }
            seen = true;
            QCOMPARE(f["exposedSince"].get<std::string>(), std::string("2019-12-04"));
            QCOMPARE(f["severities"].dump(), std::string(R"(["high","critical","high"])"));
            QCOMPARE(f["atSeveritySince"].get<std::string>(), std::string("2019-12-31"));
        }
        QVERIFY(seen);
        const Run two = run({ QStringLiteral("timeline"),
            QStringLiteral("2019-12-04=") + demo + QStringLiteral("2019-12-04"), demo + QStringLiteral("2019-12-05") });
        QVERIFY2(two.out.contains("exposed since 2019-12-04; critical since 2019-12-05"), two.out.constData());
    }

    // A Terraform plan alone: its prior state against its planned state, causes named by address;
    // --fail-on gates on what the change newly exposes; SARIF lists only that, at the address.
    void diffOfATerraformPlan()
    {
        const QString plan
            = QStringLiteral(EW_TEST_DATA "/diff/terraform-azurerm-plan-opens-elasticsearch-9200/plan.json");
        const Run text = run({ QStringLiteral("diff"), plan });
        QCOMPARE(text.exitCode, 1);
        QVERIFY2(text.out.startsWith("5 new, 0 closed, 0 changed"), text.out.constData());
        QVERIFY(text.out.contains("at azurerm_network_security_rule.allow_es"));
        QCOMPARE(
            run({ QStringLiteral("diff"), plan, QStringLiteral("--fail-on"), QStringLiteral("high") }).exitCode, 1);
        QCOMPARE(
            run({ QStringLiteral("diff"), plan, QStringLiteral("--fail-on"), QStringLiteral("critical") }).exitCode, 0);
        const Run sarif = run({ QStringLiteral("diff"), plan, QStringLiteral("--format"), QStringLiteral("sarif") });
        const auto doc = nlohmann::json::parse(sarif.out.toStdString());
        QCOMPARE(doc["runs"][0]["results"].size(), std::size_t(5));
        for (const auto& r : doc["runs"][0]["results"]) {
            QCOMPARE(r["baselineState"].get<std::string>(), std::string("new"));
            QCOMPARE(r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].get<std::string>(),
                std::string("azurerm_network_security_rule.allow_es"));
        }
        // One input that is not a plan is a usage error.
        QCOMPARE(run({ QStringLiteral("diff"), golden("learn-four-vm-example") }).exitCode, 2);
    }

    void baselineMarksFindings()
    {
        const QString demo = QStringLiteral(EW_SOURCE_DIR "/resources/demo/");
        const Run r
            = run({ QStringLiteral("analyze"), demo + QStringLiteral("2019-12-05"), QStringLiteral("--baseline"),
                demo + QStringLiteral("2019-12-04"), QStringLiteral("--format"), QStringLiteral("json") });
        QCOMPARE(r.exitCode, 0);
        const auto doc = nlohmann::json::parse(r.out.toStdString());
        // The five nodes went from high to critical; kibana-support is now reached through them on
        // 9200-9300 (a new path; through the portal it was 9200 only).
        QCOMPARE(doc["baseline"]["worse"].get<int>(), 5);
        QCOMPARE(doc["baseline"]["new"].get<int>(), 1);
        for (const auto& f : doc["findings"])
            if (f["target"]["name"].get<std::string>().rfind("es-support-", 0) == 0 && f["hops"] == 1)
                QCOMPARE(f["baseline"].get<std::string>(), std::string("worse"));
        const Run sarif
            = run({ QStringLiteral("analyze"), demo + QStringLiteral("2019-12-05"), QStringLiteral("--baseline"),
                demo + QStringLiteral("2019-12-04"), QStringLiteral("--format"), QStringLiteral("sarif") });
        QVERIFY(sarif.out.contains("\"baselineState\": \"updated\""));
        QVERIFY(sarif.out.contains("\"baselineState\": \"unchanged\""));
    }

    // exposure-findings/2 is the default; --schema 1 writes v1; the findings JSON of either schema
    // reads back wherever an older analysis is expected: analyze --baseline, diff, timeline, notify.
    void findingsJsonRoundTrip_data()
    {
        QTest::addColumn<QString>("schema");
        QTest::newRow("v1") << QStringLiteral("1");
        QTest::newRow("v2") << QStringLiteral("2");
    }
    void findingsJsonRoundTrip()
    {
        QFETCH(QString, schema);
        QTemporaryDir dir;
        const QString demo = QStringLiteral(EW_SOURCE_DIR "/resources/demo/");
        const QString day4 = dir.filePath(QStringLiteral("2019-12-04.json"));
        const QString day5 = dir.filePath(QStringLiteral("2019-12-05.json"));
        for (const auto& [day, out] :
            { std::pair { QStringLiteral("2019-12-04"), day4 }, std::pair { QStringLiteral("2019-12-05"), day5 } }) {
            const Run r = run({ QStringLiteral("analyze"), demo + day, QStringLiteral("--format"),
                QStringLiteral("json"), QStringLiteral("--schema"), schema, QStringLiteral("--output"), out });
            QVERIFY2(r.exitCode == 0, r.err.constData());
            QFile f(out);
            QVERIFY(f.open(QIODevice::ReadOnly));
            QCOMPARE(nlohmann::json::parse(f.readAll().toStdString())["schema"].get<std::string>(),
                "exposure-findings/" + schema.toStdString());
        }
        // Read back as the baseline of the same snapshot: nothing new or worse.
        const Run same = run({ QStringLiteral("analyze"), demo + QStringLiteral("2019-12-05"),
            QStringLiteral("--baseline"), day5, QStringLiteral("--fail-on"), QStringLiteral("info") });
        QVERIFY2(same.exitCode == 0, same.err.constData());
        QVERIFY2(same.out.contains("0 new, 0 worse, 15 known"), same.out.constData());
        // The diff of the findings with the snapshot they came from, either way round, says nothing.
        const Run diffSame = run({ QStringLiteral("diff"), day5, demo + QStringLiteral("2019-12-05") });
        QCOMPARE(diffSame.exitCode, 0);
        QVERIFY2(diffSame.out.startsWith("0 new, 0 closed, 0 changed"), diffSame.out.constData());
        QCOMPARE(run({ QStringLiteral("diff"), demo + QStringLiteral("2019-12-05"), day5 }).exitCode, 0);
        // As the export it came from was, the older day is a baseline that sees the incident.
        const Run worse = run({ QStringLiteral("analyze"), demo + QStringLiteral("2019-12-05"),
            QStringLiteral("--baseline"), day4, QStringLiteral("--format"), QStringLiteral("json") });
        QCOMPARE(worse.exitCode, 0);
        const auto doc = nlohmann::json::parse(worse.out.toStdString());
        QCOMPARE(doc["baseline"]["worse"].get<int>(), 5);
        QCOMPARE(doc["baseline"]["new"].get<int>(), 1);
        const Run exportDiff
            = run({ QStringLiteral("diff"), demo + QStringLiteral("2019-12-04"), demo + QStringLiteral("2019-12-05") });
        const Run fileDiff = run({ QStringLiteral("diff"), day4, day5 });
        QCOMPARE(fileDiff.exitCode, exportDiff.exitCode);
        QCOMPARE(fileDiff.out.left(fileDiff.out.indexOf('\n')), exportDiff.out.left(exportDiff.out.indexOf('\n')));
        // A timeline of findings files is the timeline of the exports.
        const Run t1 = run(
            { QStringLiteral("timeline"), QStringLiteral("2019-12-04=") + day4, QStringLiteral("2019-12-05=") + day5 });
        const Run t2
            = run({ QStringLiteral("timeline"), QStringLiteral("2019-12-04=") + demo + QStringLiteral("2019-12-04"),
                QStringLiteral("2019-12-05=") + demo + QStringLiteral("2019-12-05") });
        QCOMPARE(t1.exitCode, 0);
        QCOMPARE(t1.out, t2.out);
        // A damaged findings file is refused with where it is damaged.
        const QString bad = dir.filePath(QStringLiteral("bad.json"));
        QFile b(bad);
        QVERIFY(b.open(QIODevice::WriteOnly));
        b.write("{\"schema\": \"exposure-findings/2\", \"findings\": [{}]}");
        b.close();
        const Run refused = run(
            { QStringLiteral("analyze"), demo + QStringLiteral("2019-12-05"), QStringLiteral("--baseline"), bad });
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains("bad.json"), refused.err.constData());
    }

    // --schema 1 keeps exposure-findings/1 as the library writes it, byte for byte.
    void schemaOneIsVersionOne()
    {
        const QString input = golden("learn-four-vm-example");
        const Run v1 = run({ QStringLiteral("analyze"), input, QStringLiteral("--format"), QStringLiteral("json"),
            QStringLiteral("--schema"), QStringLiteral("1") });
        QCOMPARE(v1.exitCode, 0);
        const ew::Snapshot snap = ew::importSnapshot({ input.toStdString() });
        std::ostringstream expected;
        ew::writeAnalysisJson(expected, snap, ew::analyze(snap), ew::FindingsSchema::V1);
        QCOMPARE(v1.out.toStdString(), expected.str());
        QVERIFY(v1.out.contains("\"schema\": \"exposure-findings/1\""));
        QCOMPARE(
            run({ QStringLiteral("analyze"), input, QStringLiteral("--schema"), QStringLiteral("3") }).exitCode, 2);
    }

    // --threads changes how long the analysis takes, never what it finds: the same document,
    // byte for byte, with one thread and with several (the estate is split between them).
    void threadsGiveTheSameDocument()
    {
        const QString input = golden("learn-four-vm-example");
        const Run one = run({ QStringLiteral("analyze"), input, QStringLiteral("--format"), QStringLiteral("json"),
            QStringLiteral("--threads"), QStringLiteral("1") });
        const Run three = run({ QStringLiteral("analyze"), input, QStringLiteral("--format"), QStringLiteral("json"),
            QStringLiteral("--threads=3") });
        QCOMPARE(one.exitCode, 0);
        QCOMPARE(three.exitCode, 0);
        QVERIFY(one.out.contains("\"exposure-findings/2\""));
        QCOMPARE(three.out, one.out);
    }

    void jsonOutputToFile()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("findings.json"));
        const Run r = run({ QStringLiteral("analyze"), golden("learn-four-vm-example"), QStringLiteral("--format"),
            QStringLiteral("json"), QStringLiteral("--output"), out });
        QCOMPARE(r.exitCode, 0);
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
        QCOMPARE(o.value(QStringLiteral("schema")).toString(), QStringLiteral("exposure-findings/2"));
        const QJsonArray findings = o.value(QStringLiteral("findings")).toArray();
        QCOMPARE(findings.size(), 3);
        QStringList targets;
        for (const auto& f2 : findings)
            targets
                << f2.toObject().value(QStringLiteral("target")).toObject().value(QStringLiteral("name")).toString();
        targets.sort();
        QCOMPARE(targets, (QStringList { QStringLiteral("VM1"), QStringLiteral("VM3"), QStringLiteral("VM4") }));
        QVERIFY(!QFile::exists(out + QStringLiteral(".tmp")));
    }

    void queryExplainsWhyNot()
    {
        const Run r = run(
            { QStringLiteral("query"), golden("learn-four-vm-example"), QStringLiteral("--to"), QStringLiteral("VM2"),
                QStringLiteral("--port"), QStringLiteral("80"), QStringLiteral("--format"), QStringLiteral("json") });
        QCOMPARE(r.exitCode, 1);
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value(QStringLiteral("reachable")).toBool(), false);
        const QJsonArray hops
            = o.value(QStringLiteral("paths")).toArray().at(0).toObject().value(QStringLiteral("hops")).toArray();
        // Frontend passes, subnet NSG1 allows by allow-http, NIC NSG2 stops it by DenyAllInBound.
        QCOMPARE(
            hops.at(1).toObject().value(QStringLiteral("step")).toObject().value(QStringLiteral("name")).toString(),
            QStringLiteral("NSG1"));
        QCOMPARE(hops.at(1).toObject().value(QStringLiteral("passes")).toBool(), true);
        QCOMPARE(
            hops.at(2).toObject().value(QStringLiteral("step")).toObject().value(QStringLiteral("name")).toString(),
            QStringLiteral("NSG2"));
        QCOMPARE(hops.at(2).toObject().value(QStringLiteral("passes")).toBool(), false);
        QCOMPARE(hops.at(2)
                     .toObject()
                     .value(QStringLiteral("rules"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QStringLiteral("name"))
                     .toString(),
            QStringLiteral("DenyAllInBound"));
    }
};

QTEST_GUILESS_MAIN(TestExposureAudit)
#include "tst_exposureaudit.moc"
