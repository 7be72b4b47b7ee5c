#include "findings/analyzer.h"
#include "findings/ruleinspection.h"
#include "import/azureimporter.h"

#include <QDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <fstream>

using namespace ew;
using nlohmann::json;

// Golden folders under tests/data/inspection/<case>: expected.json names the finding (target,
// protocol), and for each NSG level on its path the status of named rules. The input is the
// folder's input/ or the path in "input" (relative to the source tree).
class TestRuleInspection : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void golden_data()
    {
        QTest::addColumn<QString>("folder");
        const QDir root(QStringLiteral(EW_TEST_DATA "/inspection"));
        const auto cases = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        QVERIFY(cases.size() >= 3);
        for (const auto& c : cases)
            QTest::newRow(qPrintable(c)) << root.filePath(c);
    }

    void golden()
    {
        QFETCH(QString, folder);
        std::ifstream in(QDir(folder).filePath(QStringLiteral("expected.json")).toStdString());
        const json expected = json::parse(in);
        QVERIFY2(!expected.value("why", std::string()).empty(), "every case says which documented rule it encodes");
        const std::string input = expected.contains("input")
            ? std::string(EW_SOURCE_DIR) + "/" + expected["input"].get<std::string>()
            : QDir(folder).filePath(QStringLiteral("input")).toStdString();
        const Snapshot snap = importSnapshot({ input });
        QVERIFY(!snap.hasErrors());
        const AnalysisResult result = analyze(snap);
        const Finding* finding = nullptr;
        for (const auto& f : result.findings)
            if (f.target.name == expected["target"].get<std::string>() && f.protocol == expected["protocol"]
                && (!expected.contains("hops") || f.hops == expected["hops"].get<int>())
                && (!expected.contains("wholeInternet") || f.wholeInternet == expected["wholeInternet"].get<bool>()))
                finding = &f;
        QVERIFY2(finding, "the finding named in expected.json exists");

        const FindingInspector inspector(snap);
        const FindingInspection inspection = inspector.inspect(*finding);
        QCOMPARE(inspection.explanation, finding->explanation);
        const auto& levels = expected["levels"];
        QCOMPARE(inspection.filters.size(), levels.size());
        for (std::size_t i = 0; i < levels.size(); ++i) {
            const auto& want = levels[i];
            const auto& got = inspection.filters[i];
            QCOMPARE(got.level, want["level"].get<std::string>());
            if (want.contains("protects"))
                QCOMPARE(got.protects, want["protects"].get<std::string>());
            if (want["nsg"].is_null()) {
                QVERIFY(got.nsgName.empty());
                QVERIFY(got.rules.empty());
                // A level with no NSG says so; one whose NSG does not apply says why.
                const std::string says = want.contains("summaryContains") ? want["summaryContains"].get<std::string>()
                                                                          : std::string("has no NSG");
                QVERIFY2(got.summary.find(says) != std::string::npos, got.summary.c_str());
                continue;
            }
            QCOMPARE(got.nsgName, want["nsg"].get<std::string>());
            // Every inbound rule is listed, in evaluation order, defaults included (an NSG's
            // DenyAllInBound, a network ACL's "*" rules); a union of security groups has no order.
            const bool union_ = got.level == "security-groups" || got.level == "lb-security-groups";
            if (!union_)
                for (std::size_t r = 1; r < got.rules.size(); ++r)
                    QVERIFY(got.rules[r - 1].priority < got.rules[r].priority);
            if (got.level == "network-acl" || got.level == "lb-network-acl")
                QVERIFY(!got.rules.empty() && got.rules.back().isDefault);
            else if (!union_)
                QVERIFY(!got.rules.empty() && got.rules.back().name == "DenyAllInBound");
            for (const auto& [name, status] : want["rules"].items()) {
                const std::string& wanted = name; // clang 14: lambdas cannot capture structured bindings
                auto it = std::find_if(
                    got.rules.begin(), got.rules.end(), [&](const RuleRow& r) { return r.name == wanted; });
                QVERIFY2(it != got.rules.end(), name.c_str());
                QVERIFY2(ruleStatusName(it->status) == status.get<std::string>(),
                    (name + ": " + ruleStatusName(it->status) + " (" + it->reason + ")").c_str());
                QVERIFY2(!it->reason.empty(), name.c_str());
            }
            if (want.contains("shadowedBy"))
                for (const auto& [name, by] : want["shadowedBy"].items()) {
                    const std::string& wanted = name;
                    auto it = std::find_if(
                        got.rules.begin(), got.rules.end(), [&](const RuleRow& r) { return r.name == wanted; });
                    QVERIFY(it != got.rules.end());
                    QVERIFY2(it->reason.find(by.get<std::string>()) != std::string::npos, it->reason.c_str());
                }
            // The summary names every deciding rule.
            for (const auto& r : got.rules)
                if (r.status == RuleRow::Status::Deciding)
                    QVERIFY2(got.summary.find(r.name) != std::string::npos, got.summary.c_str());
        }
    }

    void deletedSnapshotPartsDoNotCrash()
    {
        // A finding whose IP configuration is unknown to the snapshot is explained by its text alone.
        Snapshot empty;
        const FindingInspector inspector(empty);
        Finding f;
        f.explanation = "x";
        f.ipConfigurationId
            = "/subscriptions/s/resourcegroups/r/providers/microsoft.network/networkinterfaces/n/ipconfigurations/i";
        const auto inspection = inspector.inspect(f);
        QCOMPARE(inspection.explanation, std::string("x"));
        QVERIFY(inspection.filters.empty());
    }
};

QTEST_GUILESS_MAIN(TestRuleInspection)
#include "tst_ruleinspection.moc"
