#include "diff/series.h"
#include "diff/snapshotdiff.h"
#include "import/azureimporter.h"
#include "whatif/whatif.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace ew;

// The demo series: 4 December (Elasticsearch reachable from the office range), 5 December
// (allow-es-any added: from anywhere), 31 December (allow-es-any removed).
class TestSeries : public QObject
{
    Q_OBJECT
private:
    std::vector<SnapshotLabel> m_labels;
    std::vector<Snapshot> m_snaps;
    std::vector<AnalysisResult> m_results;

    static std::string dir(const char* day) { return std::string(EW_SOURCE_DIR "/resources/demo/") + day; }

private Q_SLOTS:
    void initTestCase()
    {
        for (const char* day : { "2019-12-04", "2019-12-05", "2019-12-31" }) {
            SnapshotLabel label;
            std::string error;
            QVERIFY2(readSnapshotLabel(dir(day), label, error), error.c_str());
            QCOMPARE(label.date, std::string(day));
            m_labels.push_back(label);
            m_snaps.push_back(importSnapshot({ dir(day) }));
            // The label file is not part of the export.
            for (const auto& f : m_snaps.back().files)
                QVERIFY2(f.path.find(kSnapshotLabelFile) == std::string::npos, f.path.c_str());
            m_results.push_back(analyze(m_snaps.back()));
        }
    }

    void timeline_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("hops");
        QTest::addColumn<QString>("severities");
        QTest::addColumn<QString>("exposedSince");
        QTest::addColumn<QString>("atSeveritySince");
        QTest::newRow("elasticsearch-node")
            << QStringLiteral("es-support-01") << 1 << QStringLiteral("high,critical,high")
            << QStringLiteral("2019-12-04") << QStringLiteral("2019-12-31");
        QTest::newRow("jump-host-unchanged") << QStringLiteral("jump-01") << 1 << QStringLiteral("low,low,low")
                                             << QStringLiteral("2019-12-04") << QStringLiteral("2019-12-04");
    }

    void timeline()
    {
        QFETCH(QString, target);
        QFETCH(int, hops);
        QFETCH(QString, severities);
        QFETCH(QString, exposedSince);
        QFETCH(QString, atSeveritySince);
        const auto t = buildTimeline(m_labels, { &m_results[0], &m_results[1], &m_results[2] });
        QCOMPARE(t.snapshots.size(), std::size_t(3));
        const FindingHistory* h = nullptr;
        for (const auto& f : t.findings)
            for (const auto& r : m_results[0].findings)
                if (r.id == f.id && r.target.name == target.toStdString() && r.hops == hops)
                    h = &f;
        QVERIFY(h);
        QStringList got;
        for (const auto& s : h->severities)
            got << (s ? QString::fromLatin1(severityName(*s)) : QStringLiteral("-"));
        QCOMPARE(got.join(QLatin1Char(',')), severities);
        QCOMPARE(QString::fromStdString(h->exposedSince), exposedSince);
        QCOMPARE(QString::fromStdString(h->atSeveritySince), atSeveritySince);
        QCOMPARE(h->firstSeen, std::string("2019-12-04"));
        QCOMPARE(h->lastSeen, std::string("2019-12-31"));
    }

    // A finding that appears, goes and comes back: "exposed since" is the start of its current run.
    void exposedSinceIsTheCurrentRun()
    {
        AnalysisResult none;
        const auto t
            = buildTimeline({ { "a", "2020-01-01", "" }, { "b", "2020-01-08", "" }, { "c", "2020-01-15", "" } },
                { &m_results[1], &none, &m_results[1] });
        QVERIFY(!t.findings.empty());
        for (const auto& h : t.findings) {
            QCOMPARE(h.firstSeen, std::string("2020-01-01"));
            QCOMPARE(h.exposedSince, std::string("2020-01-15"));
            QVERIFY(!h.severities[1]);
        }
        const auto closed
            = buildTimeline({ { "a", "2020-01-01", "" }, { "b", "2020-01-08", "" } }, { &m_results[1], &none });
        for (const auto& h : closed.findings) {
            QVERIFY(h.exposedSince.empty());
            QCOMPARE(h.lastSeen, std::string("2020-01-01"));
        }
        QVERIFY(timelineText(closed).find("[closed]") != std::string::npos);
    }

    void baseline_data()
    {
        QTest::addColumn<int>("now");
        QTest::addColumn<int>("base");
        QTest::addColumn<bool>("acceptJump");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("status");
        QTest::newRow("incident-day-is-worse")
            << 1 << 0 << false << QStringLiteral("es-support-01") << QStringLiteral("worse");
        QTest::newRow("fix-day-is-known")
            << 2 << 1 << false << QStringLiteral("es-support-01") << QStringLiteral("known");
        QTest::newRow("unchanged-is-known") << 1 << 0 << false << QStringLiteral("jump-01") << QStringLiteral("known");
        QTest::newRow("accepted-wins") << 1 << 0 << true << QStringLiteral("jump-01") << QStringLiteral("accepted");
        QTest::newRow("no-baseline-is-new")
            << 1 << -1 << false << QStringLiteral("es-support-01") << QStringLiteral("new");
    }

    void baseline()
    {
        QFETCH(int, now);
        QFETCH(int, base);
        QFETCH(bool, acceptJump);
        QFETCH(QString, target);
        QFETCH(QString, status);
        std::map<std::string, Decision> decisions;
        for (const auto& f : m_results[now].findings)
            if (acceptJump && f.target.name == "jump-01")
                decisions[f.id].state = TriageState::AcceptedRisk;
        AnalysisResult empty;
        const auto standing = compareWithBaseline(m_results[now], base < 0 ? &empty : &m_results[base], &decisions);
        bool seen = false;
        for (const auto& f : m_results[now].findings)
            if (f.target.name == target.toStdString() && f.hops == 1) {
                QCOMPARE(QString::fromLatin1(baselineStatusName(standing.at(f.id))), status);
                seen = true;
            }
        QVERIFY(seen);
    }

    void labels_data()
    {
        QTest::addColumn<QString>("argument");
        QTest::addColumn<QString>("content"); // of exposure-snapshot.json; empty: no file
        QTest::addColumn<QString>("date"); // expected; empty: an error containing `message`
        QTest::addColumn<QString>("message");
        QTest::newRow("date-on-command-line")
            << QStringLiteral("2020-02-29=%1") << QString() << QStringLiteral("2020-02-29") << QString();
        QTest::newRow("not-a-leap-year") << QStringLiteral("2019-02-29=%1") << QString() << QString()
                                         << QStringLiteral("2019-02-29 is not a calendar date");
        QTest::newRow("label-file") << QStringLiteral("%1") << QStringLiteral(R"({"date": "2021-06-01"})")
                                    << QStringLiteral("2021-06-01") << QString();
        QTest::newRow("label-file-bad-date") << QStringLiteral("%1") << QStringLiteral(R"({"date": "June"})")
                                             << QString() << QStringLiteral("exposure-snapshot.json#/date");
        QTest::newRow("label-file-not-json")
            << QStringLiteral("%1") << QStringLiteral("{oops") << QString() << QStringLiteral("invalid JSON");
        QTest::newRow("label-file-number-overflow")
            << QStringLiteral("%1") << QStringLiteral(R"({"date": "2021-06-01", "n": -1e999})") << QString()
            << QStringLiteral(
                   "exposure-snapshot.json:1:29: invalid JSON (at byte 28): number overflow parsing '-1e999'");
        QTest::newRow("label-file-not-object")
            << QStringLiteral("%1") << QStringLiteral("[1]") << QString() << QStringLiteral("not a JSON object");
        QTest::newRow("no-date-at-all") << QStringLiteral("%1") << QString() << QString()
                                        << QStringLiteral("no date for this snapshot");
    }

    void labels()
    {
        QFETCH(QString, argument);
        QFETCH(QString, content);
        QFETCH(QString, date);
        QFETCH(QString, message);
        QTemporaryDir tmp;
        if (!content.isEmpty())
            std::ofstream(QString(tmp.path() + QStringLiteral("/exposure-snapshot.json")).toStdString())
                << content.toStdString();
        SnapshotLabel label;
        std::string error;
        const bool ok = readSnapshotLabel(argument.arg(tmp.path()).toStdString(), label, error);
        QCOMPARE(ok, !date.isEmpty());
        if (ok)
            QCOMPARE(QString::fromStdString(label.date), date);
        else
            QVERIFY2(QString::fromStdString(error).contains(message), error.c_str());
    }

    // Changed associations are causes: detaching the NIC's or subnet's NSG does not show on the new path.
    void associationChangesAreCauses()
    {
        Snapshot edited = m_snaps[2];
        WhatIfEdit detach, inverse;
        detach.kind = WhatIfEdit::Kind::DetachNsg;
        for (const auto& [id, s] : edited.subnets)
            if (s.name == "snet-es")
                detach.resourceId = id;
        QVERIFY(!detach.resourceId.empty());
        EditImpact impact;
        std::string error;
        QVERIFY2(applyEdit(edited, detach, inverse, impact, error), error.c_str());
        const auto after = analyze(edited);
        const auto d = diffAnalyses(m_snaps[2], m_results[2], edited, after);
        // The nodes' public IPs are Standard SKU, closed to inbound traffic unless an NSG allows it
        // (Microsoft Learn, "Public IP addresses": Standard SKU is secure by default), so the
        // findings close, and the detached NSG is why.
        bool found = false;
        for (const auto& [f, causes] : d.closed)
            if (f->target.name == "es-support-01" && f->hops == 1)
                for (const auto& cause : causes)
                    if (cause.kind == "nsg-association-changed") {
                        QCOMPARE(cause.subject, std::string("subnet snet-es"));
                        QCOMPARE(cause.detail, std::string("nsg-es-cluster  =>  no NSG"));
                        found = true;
                    }
        QVERIFY2(found, diffText(d).c_str());
    }
};

QTEST_GUILESS_MAIN(TestSeries)
#include "tst_series.moc"
