#include "diff/snapshotdiff.h"
#include "import/azureimporter.h"

#include <QTest>

#include <set>

using namespace ew;

// The demo's before/after pair is the golden case: on 5 December 2019 allow-es-any (priority 110,
// TCP 9200-9300 from *) was added to nsg-es-cluster.
class TestSnapshotDiff : public QObject
{
    Q_OBJECT
private:
    Snapshot m_before, m_after;
    AnalysisResult m_beforeResult, m_afterResult;

private Q_SLOTS:
    void initTestCase()
    {
        m_before = importAzure({ EW_SOURCE_DIR "/resources/demo/2019-12-04" });
        m_after = importAzure({ EW_SOURCE_DIR "/resources/demo/2019-12-05" });
        m_beforeResult = analyze(m_before);
        m_afterResult = analyze(m_after);
    }

    void incidentDay()
    {
        const auto d = diffAnalyses(m_before, m_beforeResult, m_after, m_afterResult);
        QVERIFY(d.added.empty());
        QVERIFY(d.closed.empty());
        std::set<std::string> targets;
        for (const auto& c : d.changed) {
            targets.insert(c.after->target.name);
            if (c.after->target.name.rfind("es-support-", 0) != 0)
                continue;
            QCOMPARE(c.before->severity, Severity::High);
            QCOMPARE(c.after->severity, Severity::Critical);
            QCOMPARE(c.what, (std::vector<std::string> { "severity", "ports", "sources", "rules" }));
            QCOMPARE(c.causes.size(), std::size_t(1));
            QCOMPARE(c.causes[0].kind, std::string("rule-added"));
            QCOMPARE(c.causes[0].subject, std::string("nsg-es-cluster/allow-es-any"));
            QCOMPARE(c.causes[0].detail, std::string("priority 110, allow Tcp * -> * 9200-9300"));
            QCOMPARE(c.causes[0].where.pointer, std::string("/0/securityRules/1"));
        }
        for (const char* es : { "es-support-01", "es-support-02", "es-support-03", "es-support-04", "es-support-05" })
            QVERIFY2(targets.count(es), es);
        QCOMPARE(d.changed.size(), std::size_t(6)); // the five nodes and kibana-support (through them)

        const auto j = diffJson(d);
        QCOMPARE(j["schema"].get<std::string>(), std::string("exposure-diff/1"));
        QCOMPARE(j["changed"].size(), std::size_t(6));
        QCOMPARE(j["changed"][0]["before"]["severity"].get<std::string>(), std::string("high"));
        QCOMPARE(j["changed"][0]["after"]["severity"].get<std::string>(), std::string("critical"));
        QVERIFY(diffText(d).find("because rule-added nsg-es-cluster/allow-es-any") != std::string::npos);
    }

    void fixDay()
    {
        // 31 December: the rule removed again; the same findings change back, with the removal as cause.
        const auto d = diffAnalyses(m_after, m_afterResult, m_before, m_beforeResult);
        QCOMPARE(d.changed.size(), std::size_t(6));
        for (const auto& c : d.changed)
            if (c.after->target.name == "es-support-01") {
                QCOMPARE(c.causes.size(), std::size_t(1));
                QCOMPARE(c.causes[0].kind, std::string("rule-removed"));
            }
    }

    void sameSnapshotNoChange()
    {
        const auto d = diffAnalyses(m_after, m_afterResult, m_after, m_afterResult);
        QVERIFY(d.empty());
    }

    void newAndClosed()
    {
        // Against an empty estate every finding is new, and the other way round closed.
        const Snapshot none;
        const AnalysisResult nothing;
        const auto grown = diffAnalyses(none, nothing, m_after, m_afterResult);
        QCOMPARE(grown.added.size(), m_afterResult.findings.size());
        QVERIFY(grown.closed.empty());
        bool nsgAdded = false;
        for (const auto& [f, causes] : grown.added)
            for (const auto& c : causes)
                nsgAdded = nsgAdded || (c.kind == "nsg-added" && c.subject == "nsg-es-cluster");
        QVERIFY(nsgAdded);
        const auto gone = diffAnalyses(m_after, m_afterResult, none, nothing);
        QCOMPARE(gone.closed.size(), m_afterResult.findings.size());
        QVERIFY(diffMarkdown(gone).find("| closed | critical | es-support-01 |") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestSnapshotDiff)
#include "tst_snapshotdiff.moc"
