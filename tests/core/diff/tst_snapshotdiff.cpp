#include "diff/snapshotdiff.h"
#include "import/azureimporter.h"

#include <QDir>
#include <QFileInfo>
#include <QTest>

#include <nlohmann/json.hpp>

#include <fstream>

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
        m_before = importSnapshot({ EW_SOURCE_DIR "/resources/demo/2019-12-04" });
        m_after = importSnapshot({ EW_SOURCE_DIR "/resources/demo/2019-12-05" });
        m_beforeResult = analyze(m_before);
        m_afterResult = analyze(m_after);
    }

    void incidentDay()
    {
        const auto d = diffAnalyses(m_before, m_beforeResult, m_after, m_afterResult);
        // kibana-support is now reached through the nodes themselves (9200-9300 from anyone): a new
        // path. Its path through the support portal (9200) and the nodes' own two-hop paths are
        // covered by what is exposed now: not listed as closed.
        QCOMPARE(d.added.size(), std::size_t(1));
        QCOMPARE(d.added[0].first->target.name, std::string("kibana-support"));
        QCOMPARE(d.added[0].first->foothold.name, std::string("es-support-01"));
        QVERIFY(d.closed.empty());
        std::set<std::string> targets;
        for (const auto& c : d.changed) {
            targets.insert(c.after->target.name);
            if (c.after->target.name.str().rfind("es-support-", 0) != 0)
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
        QCOMPARE(d.changed.size(), std::size_t(5)); // the five nodes

        const auto j = diffJson(d);
        QCOMPARE(j["schema"].get<std::string>(), std::string("exposure-diff/1"));
        QCOMPARE(j["changed"].size(), std::size_t(5));
        QCOMPARE(j["changed"][0]["before"]["severity"].get<std::string>(), std::string("high"));
        QCOMPARE(j["changed"][0]["after"]["severity"].get<std::string>(), std::string("critical"));
        QVERIFY(diffText(d).find("because rule-added nsg-es-cluster/allow-es-any") != std::string::npos);
    }

    void fixDay()
    {
        // 31 December: the rule removed again; the same findings change back, with the removal as cause.
        const auto d = diffAnalyses(m_after, m_afterResult, m_before, m_beforeResult);
        int nodes = 0;
        for (const auto& c : d.changed)
            nodes += c.after->hops == 1 && c.after->target.name.str().rfind("es-support-", 0) == 0;
        QCOMPARE(nodes, 5);
        for (const auto& c : d.changed)
            if (c.after->target.name == "es-support-01" && c.after->hops == 1) {
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

    // Golden before/after pairs under tests/data/diff/<case>/: before/, after/ and expected.json
    // ({"new", "closed", "changed"}: target, hops and the kinds of the causes, sorted).
    void goldenPairs_data()
    {
        QTest::addColumn<QString>("folder");
        const QDir root(QStringLiteral(EW_TEST_DATA "/diff"));
        for (const auto& name : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
            QTest::newRow(qPrintable(name)) << root.filePath(name);
        QVERIFY(root.entryList(QDir::Dirs | QDir::NoDotAndDotDot).size() >= 2);
    }

    void goldenPairs()
    {
        QFETCH(QString, folder);
        // A Terraform plan (plan.json) instead of before/ and after/: its prior and planned states.
        const QString plan = folder + QStringLiteral("/plan.json");
        const bool isPlan = QFileInfo::exists(plan);
        ImportOptions prior;
        prior.terraformPlanSide = TerraformPlanSide::Prior;
        const auto before = isPlan ? importSnapshot({ plan.toStdString() }, prior)
                                   : importSnapshot({ QString(folder + QStringLiteral("/before")).toStdString() });
        const auto after = isPlan ? importSnapshot({ plan.toStdString() })
                                  : importSnapshot({ QString(folder + QStringLiteral("/after")).toStdString() });
        QVERIFY(!before.hasErrors() && !after.hasErrors());
        const auto beforeResult = analyze(before);
        const auto afterResult = analyze(after);
        const auto d = diffAnalyses(before, beforeResult, after, afterResult);
        std::ifstream in(QString(folder + QStringLiteral("/expected.json")).toStdString());
        const auto expected = nlohmann::json::parse(in);
        auto entry = [](const Finding& f, const std::vector<ConfigChange>& causes) {
            std::set<std::string> kinds;
            for (const auto& c : causes)
                kinds.insert(c.kind);
            nlohmann::json j = { { "target", f.target.name }, { "hops", f.hops },
                { "causes", std::vector<std::string>(kinds.begin(), kinds.end()) } };
            return j.dump();
        };
        auto wanted = [&](const char* key) {
            std::set<std::string> out;
            for (const auto& e : expected[key])
                out.insert(e.dump());
            return out;
        };
        std::set<std::string> added, closed, changed;
        for (const auto& [f, causes] : d.added)
            added.insert(entry(*f, causes));
        for (const auto& [f, causes] : d.closed)
            closed.insert(entry(*f, causes));
        for (const auto& c : d.changed)
            changed.insert(entry(*c.after, c.causes));
        QCOMPARE(added, wanted("new"));
        QCOMPARE(closed, wanted("closed"));
        QCOMPARE(changed, wanted("changed"));
    }
};

QTEST_GUILESS_MAIN(TestSnapshotDiff)
#include "tst_snapshotdiff.moc"
