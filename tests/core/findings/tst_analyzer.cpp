#include "findings/analyzer.h"
#include "import/azureimporter.h"
#include "output/findingswriter.h"

#include <QDir>
#include <QTest>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

using namespace ew;
using nlohmann::json;

namespace {

QString q(const std::string& s)
{
    return QString::fromStdString(s);
}

json readJson(const QString& path)
{
    std::ifstream in(path.toStdString());
    return json::parse(in);
}

std::string describe(const json& f)
{
    return f.value("target", std::string()) + " " + f.value("protocol", std::string()) + " " + f["ports"].dump()
        + " hops " + std::to_string(f.value("hops", 1));
}

// The comparable core of a finding as the golden files write it.
json actualOf(const Finding& f)
{
    json j = findingJson(f);
    json a { { "target", f.target.name }, { "protocol", f.protocol }, { "ports", j["ports"] }, { "hops", f.hops },
        { "sources", f.sources }, { "severity", severityName(f.severity) }, { "wholeInternet", f.wholeInternet },
        { "icmpTypes", f.icmpTypes } };
    std::vector<std::string> rules;
    for (const auto& r : f.rules)
        rules.push_back(r.filterName + "/" + r.ruleName);
    std::sort(rules.begin(), rules.end());
    a["rules"] = rules;
    a["dataStore"] = f.dataStore.engine.empty() ? json(nullptr) : json(f.dataStore.engine);
    a["dataStoreBasis"] = basisName(f.dataStore.basis);
    json frontendPorts = json::array();
    for (auto r : f.frontendPorts)
        frontendPorts.push_back({ r.first, r.last });
    a["frontendPorts"] = frontendPorts;
    a["foothold"] = f.foothold.name;
    std::vector<std::string> path;
    for (const auto& s : f.path)
        path.push_back(s.name);
    a["path"] = path;
    std::string assumptions;
    for (const auto& s : f.assumptions)
        assumptions += s + "\n";
    a["assumptions"] = assumptions;
    return a;
}

} // namespace

class TestAnalyzer : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void golden_data()
    {
        QTest::addColumn<QString>("dir");
        const QDir root(QStringLiteral(EW_TEST_DATA "/golden"));
        const auto cases = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        QVERIFY(cases.size() >= 30);
        for (const auto& c : cases)
            QTest::newRow(qPrintable(c)) << root.filePath(c);
    }

    void golden()
    {
        QFETCH(QString, dir);
        const json expected = readJson(dir + QStringLiteral("/expected.json"));
        const Snapshot snap = importSnapshot({ QString(dir + QStringLiteral("/input")).toStdString() });
        std::string diags;
        for (const auto& d : snap.diagnostics)
            diags += d.toString() + "\n";
        QCOMPARE(snap.hasErrors() ? 2 : 0, expected["exitCode"].get<int>());
        for (const auto& e : expected["errors"])
            QVERIFY2(diags.find(e.get<std::string>()) != std::string::npos,
                qPrintable(QStringLiteral("missing error '%1' in:\n%2").arg(q(e.get<std::string>()), q(diags))));
        if (snap.hasErrors())
            return;

        const AnalysisResult result = analyze(snap);
        std::vector<json> actual;
        for (const auto& f : result.findings)
            actual.push_back(actualOf(f));
        std::string listing;
        for (const auto& a : actual)
            listing += "  " + describe(a) + " sources " + a["sources"].dump() + " rules " + a["rules"].dump() + "\n";
        const QString context
            = QStringLiteral("\nwhy: %1\nactual findings:\n%2").arg(q(expected["why"].get<std::string>()), q(listing));

        std::set<std::size_t> matched;
        for (const auto& e : expected["findings"]) {
            // Several findings may share target, protocol, ports and hops (a direct path and one
            // through Front Door): the one whose stated fields all agree is the match.
            static constexpr const char* kCompared[] = { "sources", "rules", "severity", "dataStore", "dataStoreBasis",
                "frontendPorts", "foothold", "wholeInternet", "path", "icmpTypes" };
            std::size_t hit = actual.size();
            for (std::size_t i = 0; i < actual.size(); ++i) {
                if (matched.count(i) || actual[i]["target"] != e["target"] || actual[i]["protocol"] != e["protocol"]
                    || actual[i]["ports"] != e["ports"] || actual[i]["hops"] != e["hops"])
                    continue;
                const bool agrees = std::all_of(std::begin(kCompared), std::end(kCompared),
                    [&](const char* key) { return !e.contains(key) || actual[i][key] == e[key]; });
                if (hit == actual.size() || agrees)
                    hit = i;
                if (agrees)
                    break;
            }
            QVERIFY2(hit < actual.size(),
                qPrintable(QStringLiteral("expected finding not found: ") + q(describe(e)) + context));
            matched.insert(hit);
            const json& a = actual[hit];
            for (const char* key : kCompared) {
                if (!e.contains(key))
                    continue;
                QVERIFY2(a[key] == e[key],
                    qPrintable(
                        QStringLiteral("%1 of %2: expected %3, got %4%5")
                            .arg(QLatin1String(key), q(describe(e)), q(e[key].dump()), q(a[key].dump()), context)));
            }
            if (e.contains("assumptionsContain"))
                for (const auto& s : e["assumptionsContain"])
                    QVERIFY2(a["assumptions"].get<std::string>().find(s.get<std::string>()) != std::string::npos,
                        qPrintable(QStringLiteral("assumption about %1 missing: %2")
                                       .arg(q(s.get<std::string>()), q(a["assumptions"].get<std::string>()))));
            // An assumption that must be gone (a service tag the export resolves exactly).
            if (e.contains("assumptionsNotContain"))
                for (const auto& s : e["assumptionsNotContain"])
                    QVERIFY2(a["assumptions"].get<std::string>().find(s.get<std::string>()) == std::string::npos,
                        qPrintable(QStringLiteral("unexpected assumption about %1: %2")
                                       .arg(q(s.get<std::string>()), q(a["assumptions"].get<std::string>()))));
        }
        QVERIFY2(actual.size() == expected["findings"].size(),
            qPrintable(QStringLiteral("%1 findings, expected %2").arg(actual.size()).arg(expected["findings"].size())
                + context));

        // The graph holds every finding's path, and its shortest path agrees with the target's most
        // direct finding (a store reached directly can also have two-hop findings).
        std::map<std::string, int> fewestHops;
        for (const auto& f : result.findings) {
            auto [it, fresh] = fewestHops.emplace(f.target.id, f.hops);
            if (!fresh)
                it->second = std::min(it->second, f.hops);
        }
        for (const auto& f : result.findings) {
            QVERIFY(result.graph.find(f.target.id).has_value());
            QVERIFY(!result.graph.shortestPathFromInternet(f.target.id).empty());
            QCOMPARE(result.graph.hopsFromInternet(f.target.id), fewestHops[f.target.id]);
        }

        for (const auto& qe : expected["queries"]) {
            FlowQuery fq;
            fq.target = qe["to"].get<std::string>();
            fq.port = qe["port"].get<std::uint32_t>();
            fq.protocol = qe["protocol"] == "udp" ? Protocol::Udp : Protocol::Tcp;
            fq.fromInternet = qe["from"] == "internet";
            fq.source = fq.fromInternet ? std::string() : qe["from"].get<std::string>();
            const QueryResult r = queryFlow(snap, fq);
            const QString text = q(queryText(fq, r));
            QVERIFY2(r.error.empty(), qPrintable(q(r.error)));
            QVERIFY2(r.reachable == qe["reachable"].get<bool>(),
                qPrintable(QStringLiteral("query verdict wrong:\n") + text));
            if (qe.contains("detailContains")) {
                // What the hop that stops (or passes) the flow says about it.
                bool said = false;
                for (const auto& p : r.paths)
                    for (const auto& h : p.hops)
                        said = said || h.detail.find(qe["detailContains"].get<std::string>()) != std::string::npos;
                QVERIFY2(said,
                    qPrintable(
                        QStringLiteral("query does not say '%1':\n").arg(q(qe["detailContains"].get<std::string>()))
                        + text));
            }
            if (qe.contains("decidedBy")) {
                // The deciding rule is named at the hop where the verdict was made.
                bool named = false;
                for (const auto& p : r.paths)
                    for (const auto& h : p.hops)
                        for (const auto& ev : h.rules)
                            named = named
                                || (ev.ruleName == qe["decidedBy"].get<std::string>() && h.passes == r.reachable);
                QVERIFY2(named,
                    qPrintable(
                        QStringLiteral("query does not name %1:\n").arg(q(qe["decidedBy"].get<std::string>())) + text));
            }
        }
    }

    // AWS: the analyst reads which account and region a target and its foothold are in, as the data
    // say (OwnerId, availability zone), not as the collector's folders are named.
    void awsAccountInExplanation()
    {
        const QString dir = QStringLiteral(EW_TEST_DATA "/golden/aws-peering-two-hop-needs-routes-both-ways/input");
        const AnalysisResult result = analyze(importSnapshot({ dir.toStdString() }));
        std::map<std::string, std::string> explanations;
        for (const auto& f : result.findings)
            explanations[f.target.name] = f.explanation;
        QVERIFY2(explanations["web-a"].find("reaches web-a (AWS account 111122223333, eu-west-1) through")
                != std::string::npos,
            qPrintable(q(explanations["web-a"])));
        QVERIFY2(explanations["db-b"].find("reaches db-b (AWS account 444455556666, eu-west-1) from web-a (AWS account "
                                           "111122223333, eu-west-1)")
                != std::string::npos,
            qPrintable(q(explanations["db-b"])));
    }

    void findingIdsAreStable()
    {
        const QString dir = QStringLiteral(EW_TEST_DATA "/golden/learn-four-vm-example/input");
        const auto a = analyze(importSnapshot({ dir.toStdString() }));
        const auto b = analyze(importSnapshot({ dir.toStdString() }));
        QCOMPARE(a.findings.size(), b.findings.size());
        std::set<std::string> ids;
        for (std::size_t i = 0; i < a.findings.size(); ++i) {
            QCOMPARE(q(a.findings[i].id), q(b.findings[i].id));
            QVERIFY(ids.insert(a.findings[i].id).second);
            QVERIFY(a.findings[i].id.rfind("EW-", 0) == 0);
        }
    }

    // Rules made by an ARM copy loop cite the loop's input in the template, the JSON pointer an
    // analyst can open (the evaluated copy has no place in the file).
    void copyLoopRulesCiteTheTemplate()
    {
        const QString dir = QStringLiteral(EW_TEST_DATA "/golden/arm-property-copy-security-rules/input");
        const AnalysisResult r = analyze(importSnapshot({ dir.toStdString() }));
        QVERIFY(!r.findings.empty());
        bool cited = false;
        for (const auto& f : r.findings)
            for (const auto& ev : f.rules)
                if (ev.level == "subnet" || ev.level == "nic") {
                    QCOMPARE(q(ev.where.pointer), QStringLiteral("/resources/0/properties/copy/0/input"));
                    cited = true;
                }
        QVERIFY(cited);
    }

    void jsonContract()
    {
        const QString dir = QStringLiteral(EW_TEST_DATA "/golden/load-balancer-rule-port-translation/input");
        const Snapshot snap = importSnapshot({ dir.toStdString() });
        const json j = analysisJson(snap, analyze(snap));
        QCOMPARE(q(j["schema"].get<std::string>()), QStringLiteral("exposure-findings/1"));
        QVERIFY(j["inputs"].is_array() && j["assumptions"].is_array());
        QCOMPARE(j["findings"].size(), std::size_t(1));
        const json& f = j["findings"][0];
        for (const char* key : { "id", "severity", "target", "protocol", "ports", "sources", "hops", "path", "rules" })
            QVERIFY2(f.contains(key), key);
        QCOMPARE(q(f["target"]["name"].get<std::string>()), QStringLiteral("es-1"));
        QCOMPARE(q(f["target"]["type"].get<std::string>()), QStringLiteral("Microsoft.Compute/virtualMachines"));
        QCOMPARE(q(f["target"]["dataStore"].get<std::string>()), QStringLiteral("elasticsearch"));
        QVERIFY(f["ports"] == json::parse("[[9200, 9200]]"));
        QVERIFY(f["sources"] == json::parse(R"(["0.0.0.0/0"])"));
        QCOMPARE(q(f["path"][0]["name"].get<std::string>()), QStringLiteral("Internet"));
        QCOMPARE(q(f["path"].back()["name"].get<std::string>()), QStringLiteral("es-1"));
        bool nsgRule = false;
        for (const auto& r : f["rules"])
            if (r.contains("nsg")) {
                nsgRule = true;
                QCOMPARE(q(r["name"].get<std::string>()), QStringLiteral("allow-es"));
                QCOMPARE(r["priority"].get<int>(), 100);
                QCOMPARE(q(r["access"].get<std::string>()), QStringLiteral("Allow"));
                QVERIFY(r["file"].get<std::string>().find("lb.json") != std::string::npos);
                QCOMPARE(q(r["pointer"].get<std::string>()), QStringLiteral("/1/properties/securityRules/0"));
            }
        QVERIFY(nsgRule);
    }
};

QTEST_GUILESS_MAIN(TestAnalyzer)
#include "tst_analyzer.moc"
