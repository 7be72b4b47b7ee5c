#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

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

} // namespace

class TestExposureAudit : public QObject
{
    Q_OBJECT
private Q_SLOTS:
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
        QVERIFY(QString::fromUtf8(r.err).contains(QLatin1String("13 finding page(s), 15 finding(s), redacted")));
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
        QCOMPARE(o.value(QStringLiteral("schema")).toString(), QStringLiteral("exposure-findings/1"));
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
