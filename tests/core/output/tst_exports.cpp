#include "findings/analyzer.h"
#include "import/azureimporter.h"
#include "output/exports.h"
#include "output/jsonlines.h"
#include "sarifmultitool.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <fstream>
#include <sstream>

using namespace ew;
using nlohmann::json;

class TestExports : public QObject
{
    Q_OBJECT
private:
    Snapshot m_snap;
    AnalysisResult m_result;

    static std::vector<std::string> lines(const std::string& path)
    {
        std::ifstream in(path);
        std::vector<std::string> out;
        for (std::string l; std::getline(in, l);)
            out.push_back(l);
        return out;
    }

    // The file a SARIF artifactLocation names: a relative reference resolved against its uriBaseId
    // in the run's originalUriBaseIds, or an absolute file:// URI; percent-decoded.
    static std::string fileOf(const json& run, const json& location)
    {
        std::string uri = location["uri"].get<std::string>();
        if (location.contains("uriBaseId"))
            uri = run["originalUriBaseIds"][location["uriBaseId"].get<std::string>()]["uri"].get<std::string>() + uri;
        if (uri.rfind("file://", 0) != 0)
            return {};
        return QUrl::fromPercentEncoding(QByteArray::fromStdString(uri.substr(7))).toStdString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_snap = importSnapshot({ EW_SOURCE_DIR "/resources/demo/2019-12-05" });
        m_result = analyze(m_snap);
        QCOMPARE(m_result.findings.size(), std::size_t(15)); // with the nodes' two-hop SSH through jump-01
    }

    void pointerLines_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<int>("line");
        const QByteArray doc = "{\n  \"a\": [\n    {\"x\": 1},\n    {\n      \"y\": \"}]{\\\"\",\n      \"a/b\": "
                               "{\"c~d\": true}\n    }\n  ],\n  \"z\": null\n}\n";
        QTest::newRow("root") << doc << QString() << 1;
        QTest::newRow("array") << doc << QStringLiteral("/a") << 2;
        QTest::newRow("first-element") << doc << QStringLiteral("/a/0") << 3;
        QTest::newRow("nested-number") << doc << QStringLiteral("/a/0/x") << 3;
        QTest::newRow("second-element") << doc << QStringLiteral("/a/1") << 4;
        QTest::newRow("string-with-brackets") << doc << QStringLiteral("/a/1/y") << 5;
        QTest::newRow("escaped-slash-key") << doc << QStringLiteral("/a/1/a~1b") << 6;
        QTest::newRow("escaped-tilde-key") << doc << QStringLiteral("/a/1/a~1b/c~0d") << 6;
        QTest::newRow("after-nesting") << doc << QStringLiteral("/z") << 9;
        QTest::newRow("missing") << doc << QStringLiteral("/a/7") << -1;
        QTest::newRow("truncated") << QByteArray("{\n \"a\": [1,\n 2") << QStringLiteral("/a/1") << 3;
        QTest::newRow("truncated-before") << QByteArray("{\n \"a\": [1,") << QStringLiteral("/a/1") << -1;
    }
    void pointerLines()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, pointer);
        QFETCH(int, line);
        const auto found = linesOfPointers(std::string_view(text.constData(), text.size()), { pointer.toStdString() });
        if (line < 0) {
            QVERIFY(found.empty());
            return;
        }
        QCOMPARE(found.size(), std::size_t(1));
        QCOMPARE(found.begin()->second, line);
    }

    void csv()
    {
        Decisions d;
        d[m_result.findings[0].id]
            = { TriageState::Confirmed, "ops", "ticket \"SEC-1\", urgent\nsecond line", "", "", "", "", "" };
        const std::string text = findingsCsv(m_result, &d);
        std::istringstream in(text);
        std::string header;
        std::getline(in, header);
        QCOMPARE(QString::fromStdString(header).trimmed(),
            QStringLiteral(
                "id,severity,kind,target,target_id,data_store,protocol,ports,sources,hops,path,deciding_rules,"
                "frontend,state,owner,note,explanation"));
        // RFC 4180: CRLF records, quotes doubled inside quoted fields, embedded line breaks quoted.
        QVERIFY(text.find("\r\n") != std::string::npos);
        QVERIFY(text.find("\"ticket \"\"SEC-1\"\", urgent\nsecond line\"") != std::string::npos);
        QVERIFY(text.find(m_result.findings[0].id + ",critical,internet-exposed-data-store,es-support-01,") == 0
            || text.find("\r\n" + m_result.findings[0].id + ",critical,internet-exposed-data-store,es-support-01,")
                != std::string::npos);
        QVERIFY(text.find(",tcp,5601 9200-9300,0.0.0.0/0,1,Internet -> pip-es-01 -> nsg-es-cluster -> es-support-01,")
            != std::string::npos);
        std::size_t records = 0;
        for (std::size_t p = 0; (p = text.find("\r\n", p)) != std::string::npos; p += 2)
            ++records;
        QCOMPARE(records, m_result.findings.size() + 1);
    }

    void sarif()
    {
        Decisions d;
        const Finding* jump = nullptr;
        for (const auto& f : m_result.findings)
            if (f.target.name == "jump-01")
                jump = &f;
        QVERIFY(jump);
        d[jump->id] = { TriageState::AcceptedRisk, "ops", "bastion", "", "", "", "", "" };
        const json doc = findingsSarif(m_snap, m_result, &d);
        QCOMPARE(doc["version"].get<std::string>(), std::string("2.1.0"));
        const auto& run = doc["runs"][0];
        QCOMPARE(run["tool"]["driver"]["name"].get<std::string>(), std::string("Exposure Workbench"));
        std::set<std::string> ruleIds;
        for (const auto& r : run["tool"]["driver"]["rules"])
            ruleIds.insert(r["id"].get<std::string>());
        QCOMPARE(ruleIds.size(), findingKinds().size());
        QCOMPARE(run["results"].size(), m_result.findings.size());
        std::map<std::string, int> byRule;
        for (const auto& res : run["results"]) {
            QVERIFY(ruleIds.count(res["ruleId"].get<std::string>()));
            ++byRule[res["ruleId"].get<std::string>()];
            QVERIFY(!res["partialFingerprints"]["exposureFindingId/v1"].get<std::string>().empty());
            QVERIFY(!res["locations"].empty());
            for (const auto& loc : res["locations"]) {
                const auto& phys = loc["physicalLocation"];
                const std::string file = fileOf(run, phys["artifactLocation"]);
                const int line = phys["region"]["startLine"].get<int>();
                // The line is where the rule object opens; its name follows.
                const auto text = lines(file);
                QVERIFY(line >= 1 && line < int(text.size()));
                const std::string rule = loc["message"]["text"].get<std::string>();
                const std::string name = rule.substr(rule.find('/') + 1, rule.find(" (") - rule.find('/') - 1);
                QVERIFY2(text[line - 1].find('{') != std::string::npos, text[line - 1].c_str());
                QVERIFY2(
                    text[line].find("\"" + name + "\"") != std::string::npos, (name + " at " + text[line]).c_str());
            }
        }
        QCOMPARE(byRule["EW001"], 5); // the Elasticsearch nodes, tagged
        QCOMPARE(byRule["EW002"], 8); // through footholds: the nodes and kibana by SSH from jump-01, kibana, SQL
        QCOMPARE(byRule["EW004"], 2); // portal and jump host
        int suppressed = 0;
        for (const auto& res : run["results"])
            if (res.contains("suppressions")) {
                ++suppressed;
                QCOMPARE(res["properties"]["target"].get<std::string>(), std::string("jump-01"));
                QCOMPARE(res["level"].get<std::string>(), std::string("note"));
            }
        QCOMPARE(suppressed, 1);
        QCOMPARE(run["results"][0]["level"].get<std::string>(), std::string("error"));
        QCOMPARE(run["results"][0]["properties"]["security-severity"].get<std::string>(), std::string("9.5"));
    }

    // SARIF1004: a location under the source root is a relative reference with the uriBaseId
    // %SRCROOT%, declared in originalUriBaseIds; any other an absolute file:// URI, never a path
    // beginning with a slash.
    void sarifLocations_data()
    {
        QTest::addColumn<QString>("root");
        QTest::addColumn<bool>("relative");
        QTest::newRow("root-holds-the-inputs") << QStringLiteral(EW_SOURCE_DIR) << true;
        QTest::newRow("root-with-trailing-slash") << QStringLiteral(EW_SOURCE_DIR "/") << true;
        QTest::newRow("root-elsewhere") << QStringLiteral(EW_SOURCE_DIR "/tests") << false;
        QTest::newRow("root-sharing-a-name-prefix")
            << QStringLiteral(EW_SOURCE_DIR "/resources/demo/2019-12-0") << false;
        QTest::newRow("root-not-normalised") << QStringLiteral(EW_SOURCE_DIR "/tests/../resources/./demo") << true;
    }
    void sarifLocations()
    {
        QFETCH(QString, root);
        QFETCH(bool, relative);
        const json doc = findingsSarif(m_snap, m_result, nullptr, root.toStdString());
        const auto& run = doc["runs"][0];
        QVERIFY(run.contains("originalUriBaseIds") && run["originalUriBaseIds"].contains("%SRCROOT%"));
        const std::string base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"].get<std::string>();
        QVERIFY2(base.rfind("file:///", 0) == 0 && base.back() == '/', base.c_str());
        QVERIFY(base.find("/./") == std::string::npos && base.find("/../") == std::string::npos);
        QCOMPARE(run["tool"]["driver"]["informationUri"].get<std::string>(), std::string(EW_HOMEPAGE));
        int locations = 0;
        for (const auto& res : run["results"])
            for (const auto& loc : res["locations"]) {
                const auto& artifact = loc["physicalLocation"]["artifactLocation"];
                const std::string uri = artifact["uri"].get<std::string>();
                QCOMPARE(artifact.contains("uriBaseId"), relative);
                if (relative)
                    QVERIFY2(uri.rfind("resources/demo/2019-12-05/", 0) == 0 || uri.rfind("2019-12-05/", 0) == 0,
                        uri.c_str());
                else
                    QVERIFY2(uri.rfind("file:///", 0) == 0, uri.c_str());
                // Either way it names the input file, which exists.
                const std::string file = fileOf(run, artifact);
                QVERIFY2(std::ifstream(file).good(), file.c_str());
                ++locations;
            }
        QVERIFY(locations >= int(m_result.findings.size()));
    }

    // An input named through a symbolic link is still under the root, which is known by its physical
    // path (the working folder).
    void sarifLocationThroughLink()
    {
        QTemporaryDir dir;
        const QString link = dir.filePath(QStringLiteral("snapshot"));
        QVERIFY(QFile::link(QStringLiteral(EW_SOURCE_DIR "/resources/demo/2019-12-05"), link));
        const Snapshot snap = importSnapshot({ link.toStdString() });
        const json doc = findingsSarif(snap, analyze(snap), nullptr, EW_SOURCE_DIR);
        const auto& artifact = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
        QCOMPARE(artifact.value("uriBaseId", std::string()), std::string("%SRCROOT%"));
        QCOMPARE(artifact["uri"].get<std::string>().rfind("resources/demo/2019-12-05/", 0), std::size_t(0));
    }

    // Every SARIF the workbench and exposure-audit write validates with Microsoft's SARIF Multitool
    // without errors or warnings (the command line's own variants are in tst_exposureaudit).
    void sarifValidates_data()
    {
        QTest::addColumn<QString>("root");
        QTest::addColumn<bool>("decisions");
        QTest::newRow("relative-locations") << QStringLiteral(EW_SOURCE_DIR) << false;
        QTest::newRow("absolute-locations") << QStringLiteral(EW_SOURCE_DIR "/tests") << false;
        QTest::newRow("suppressions") << QStringLiteral(EW_SOURCE_DIR) << true;
    }
    void sarifValidates()
    {
        QFETCH(QString, root);
        QFETCH(bool, decisions);
        const QString multitool = ew::test::sarifMultitool();
        if (multitool.isEmpty())
            QSKIP("the SARIF Multitool is not installed (EW_SARIF_MULTITOOL, PATH or ../tools)");
        Decisions d;
        for (const auto& f : m_result.findings)
            if (f.target.name == "jump-01")
                d[f.id] = { TriageState::AcceptedRisk, "ops", "bastion", "", "", "", "", "" };
            else if (f.target.name == "kibana-support")
                d[f.id] = { TriageState::FalsePositive, "ops", "", "", "", "", "", "" };
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("findings.sarif"));
        std::ofstream(file.toStdString())
            << findingsSarif(m_snap, m_result, decisions ? &d : nullptr, root.toStdString()).dump(2) << "\n";
        QString failure;
        const QStringList problems = ew::test::sarifProblems(multitool, file, &failure);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    void markdown()
    {
        const std::string md = findingsMarkdown(m_snap, m_result);
        QVERIFY(
            md.find("15 finding(s) from 5 input file(s): 5 critical, 8 high, 1 medium, 1 low.") != std::string::npos);
        QVERIFY(
            md.find(
                "| critical | new | es-support-01 | elasticsearch | tcp | 5601, 9200-9300 | any internet address | 1 |")
            != std::string::npos);
        QVERIFY(md.find("## critical: es-support-05 (tcp 5601, 9200-9300)") != std::string::npos);
        QVERIFY(md.find("## high: kibana-support") != std::string::npos);
        QVERIFY(md.find("## medium") == std::string::npos); // detail only for critical and high
        QVERIFY(
            md.find("- Rule: `nsg-es-cluster/allow-es-any` (priority 110, allow, subnet level)") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestExports)
#include "tst_exports.moc"
