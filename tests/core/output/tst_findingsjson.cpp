// exposure-findings/1 and /2: the same analysis written in both schemas says the same, and either
// read back (as a baseline, a side of a diff) is the analysis it came from (issue 14).
#include "diff/series.h"
#include "diff/snapshotdiff.h"
#include "findings/analyzer.h"
#include "generator/estategenerator.h"
#include "import/azureimporter.h"
#include "output/findingsreader.h"
#include "output/findingsstreamwriter.h"
#include "output/findingswriter.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <set>
#include <sstream>

using namespace ew;
using nlohmann::json;

namespace {

std::string written(const Snapshot& snap, const AnalysisResult& result, FindingsSchema schema)
{
    std::ostringstream out;
    writeAnalysisJson(out, snap, result, schema);
    return out.str();
}

FindingsDocument readBack(const std::string& text)
{
    FindingsDocument doc;
    std::vector<Diagnostic> diags;
    if (!readFindingsJson(text, "findings.json", doc, diags))
        qWarning("%s", diags.empty() ? "no diagnostic" : diags.front().toString().c_str());
    return doc;
}

// The snapshots the checks run on: every golden case, and generated estates.
void addCases()
{
    QTest::addColumn<QString>("input");
    const QDir root(QStringLiteral(EW_TEST_DATA "/golden"));
    const auto cases = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    QVERIFY(cases.size() >= 30);
    for (const auto& c : cases)
        QTest::newRow(qPrintable(c)) << root.filePath(c + QStringLiteral("/input"));
    for (int seed : { 1, 2 })
        QTest::newRow(qPrintable(QStringLiteral("generated-seed-%1").arg(seed)))
            << QStringLiteral("generated:%1").arg(seed);
}

// Imports a golden case's input, or generates an estate ("generated:SEED") into dir first.
Snapshot load(const QString& input, const QTemporaryDir& dir)
{
    if (!input.startsWith(QLatin1String("generated:")))
        return importSnapshot({ input.toStdString() });
    EstateSpec spec;
    spec.nics = 300;
    spec.rulesPerNsg = 20;
    spec.nicsPerSubnet = 30;
    spec.dataStoreShare = 0.2;
    spec.loadBalancers = 2;
    spec.seed = input.mid(10).toUInt();
    EstateStats stats;
    std::string error;
    if (!generateEstate(spec, dir.path().toStdString(), stats, error))
        qWarning("%s", error.c_str());
    return importSnapshot({ dir.path().toStdString() });
}

} // namespace

class TestFindingsJson : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // v1 and v2 of one analysis expand to the same findings: each read back is, field by field as
    // v1 states it, the analysis's own.
    void contentEquality_data() { addCases(); }
    void contentEquality()
    {
        QFETCH(QString, input);
        QTemporaryDir dir;
        const Snapshot snap = load(input, dir);
        const AnalysisResult result = analyze(snap);
        const std::string v1 = written(snap, result, FindingsSchema::V1);
        const std::string v2 = written(snap, result, FindingsSchema::V2);
        QVERIFY(looksLikeFindings(v1) && looksLikeFindings(v2));
        // v1 streamed is the v1 document (analysisJson) itself.
        QCOMPARE(json::parse(v1).dump(), analysisJson(snap, result).dump());
        const auto one = readBack(v1), two = readBack(v2);
        QCOMPARE(one.schema, 1);
        QCOMPARE(two.schema, 2);
        QCOMPARE(one.findings.size(), result.findings.size());
        QCOMPARE(two.findings.size(), result.findings.size());
        QVERIFY(two.assumptions == result.assumptions);
        Snapshot inputsOnly;
        inputsOnly.files = two.inputs;
        QCOMPARE(inputsJson(inputsOnly).dump(), inputsJson(snap).dump());
        for (std::size_t i = 0; i < result.findings.size(); ++i) {
            const std::string original = findingJson(result.findings[i]).dump();
            QCOMPARE(findingJson(one.findings[i]).dump(), original);
            QCOMPARE(findingJson(two.findings[i]).dump(), original);
            QCOMPARE(two.findings[i].wholeInternet, result.findings[i].wholeInternet);
        }
        if (!result.findings.empty())
            QVERIFY2(v2.size() < v1.size(), qPrintable(QStringLiteral("v1 %1, v2 %2").arg(v1.size()).arg(v2.size())));
    }

    // v2 written and read back as a baseline: nothing is new or worse, and the diff is empty,
    // against the analysis and against v1 read back.
    void roundTrip_data() { addCases(); }
    void roundTrip()
    {
        QFETCH(QString, input);
        QTemporaryDir dir;
        const Snapshot snap = load(input, dir);
        const AnalysisResult result = analyze(snap);
        AnalysisResult baseline, viaV1;
        baseline.findings = readBack(written(snap, result, FindingsSchema::V2)).findings;
        viaV1.findings = readBack(written(snap, result, FindingsSchema::V1)).findings;
        for (const auto& [id, status] : compareWithBaseline(result, &baseline, nullptr))
            QVERIFY2(status == BaselineStatus::Known, qPrintable(QString::fromStdString(id)));
        QVERIFY(diffAnalyses(baseline, result).empty());
        QVERIFY(diffAnalyses(result, baseline).empty());
        QVERIFY(diffAnalyses(viaV1, baseline).empty());
    }

    // A baseline read from v2 still tells what got worse: one finding's ports widened.
    void roundTripSeesWorse()
    {
        const Snapshot snap = importSnapshot({ EW_TEST_DATA "/golden/datastore-tag-critical/input" });
        const AnalysisResult result = analyze(snap);
        QVERIFY(!result.findings.empty());
        AnalysisResult narrower = result;
        narrower.findings.front().ports = { { 9201, 9201 } };
        narrower.findings.front().severity = Severity::High;
        AnalysisResult baseline;
        baseline.findings = readBack(written(snap, narrower, FindingsSchema::V2)).findings;
        QCOMPARE(compareWithBaseline(result, &baseline, nullptr).at(result.findings.front().id), BaselineStatus::Worse);
        const auto d = diffAnalyses(baseline, result);
        QCOMPARE(d.changed.size(), std::size_t(1));
        QVERIFY(d.changed.front().causes.empty()); // no snapshot on the baseline's side
    }

    // The tables state each rule, resource and path once; findings refer to them by index.
    void tablesAreShared()
    {
        const Snapshot snap = importSnapshot({ EW_SOURCE_DIR "/resources/demo/2019-12-05" });
        const AnalysisResult result = analyze(snap);
        const json doc = json::parse(written(snap, result, FindingsSchema::V2));
        QCOMPARE(doc["schema"].get<std::string>(), std::string("exposure-findings/2"));
        std::size_t references = 0;
        for (const auto& f : doc["findings"]) {
            QVERIFY(f["path"].is_number_unsigned());
            QVERIFY(f["path"].get<std::size_t>() < doc["paths"].size());
            for (const auto& r : f["rules"])
                QVERIFY(r.get<std::size_t>() < doc["rules"].size());
            references += f["rules"].size();
            QVERIFY(f["target"].contains("dataStore"));
        }
        QVERIFY(doc["rules"].size() < references); // shared, not repeated
        std::set<std::string> distinct;
        for (const auto& r : doc["rules"])
            QVERIFY(distinct.insert(r.dump()).second);
    }

    void streamWriterExtras()
    {
        const Snapshot snap = importSnapshot({ EW_TEST_DATA "/golden/datastore-tag-critical/input" });
        const AnalysisResult result = analyze(snap);
        std::ostringstream out;
        FindingsStreamWriter writer(out, snap, result.assumptions, { { "baseline", { { "new", 1 } } } });
        for (const auto& f : result.findings)
            writer.add(f, { { "baseline", "new" } });
        writer.finish();
        const json doc = json::parse(out.str());
        QCOMPARE(doc["baseline"]["new"].get<int>(), 1);
        QCOMPARE(doc["findings"][0]["baseline"].get<std::string>(), std::string("new"));
        QCOMPARE(readBack(out.str()).findings.size(), result.findings.size());
        // Nothing found: still a valid document.
        std::ostringstream empty;
        writeAnalysisJson(empty, snap, AnalysisResult {});
        QCOMPARE(json::parse(empty.str())["findings"].size(), std::size_t(0));
    }

    // The writer's own JSON text is what the library would write for the same value, byte for
    // byte: every golden case's findings, and strings with every kind of character to escape.
    void textIsTheLibrarysDump_data() { addCases(); }
    void textIsTheLibrarysDump()
    {
        QFETCH(QString, input);
        const Snapshot snap = importSnapshot({ input.toStdString() });
        const AnalysisResult result = analyze(snap);
        std::ostringstream sink;
        FindingsStreamWriter writer(sink, snap, result.assumptions);
        for (const auto& f : result.findings) {
            const std::string text = writer.findingText(f, { { "baseline", "new" } });
            QCOMPARE(nlohmann::ordered_json::parse(text).dump(), text);
        }
    }

    void textEscapes_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::newRow("quote-and-backslash") << QByteArray("a\"b\\c");
        QTest::newRow("control-characters") << QByteArray("tab\tnl\ncr\rbs\bff\f\x01\x1f");
        QTest::newRow("delete-passes") << QByteArray("del\x7f");
        QTest::newRow("utf8") << QByteArray("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92");
        QTest::newRow("slash-passes") << QByteArray("/subscriptions/x");
    }
    void textEscapes()
    {
        QFETCH(QByteArray, name);
        Finding f;
        f.id = "f1";
        f.target = { name.toStdString(), name.toStdString(), "t" };
        f.sources = { name.toStdString() };
        f.explanation = name.toStdString();
        Snapshot snap;
        std::ostringstream sink;
        FindingsStreamWriter writer(sink, snap, {});
        const std::string text = writer.findingText(f);
        QCOMPARE(nlohmann::ordered_json::parse(text).dump(), text);
        QCOMPARE(json::parse(text)["target"]["name"].get<std::string>(), name.toStdString());
    }

    // Text that is not UTF-8 is refused by the library, as it was before the writer wrote its own text.
    void textRefusesInvalidUtf8()
    {
        Finding f;
        f.id = "f1";
        f.explanation = "bad \xc3\x28 byte";
        Snapshot snap;
        std::ostringstream sink;
        FindingsStreamWriter writer(sink, snap, {});
        QVERIFY_THROWS_EXCEPTION(nlohmann::json::exception, writer.findingText(f));
    }

    void looksLike_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("expected");
        QTest::newRow("v2-head") << QByteArray("{\n  \"schema\": \"exposure-findings/2\",") << true;
        QTest::newRow("v1-tail") << QByteArray("  ],\n  \"schema\": \"exposure-findings/1\"\n}\n") << true;
        QTest::newRow("compact") << QByteArray("{\"schema\":\"exposure-findings/1\"}") << true;
        QTest::newRow("review") << QByteArray("{\"schema\": \"exposure-review/1\"}") << false;
        QTest::newRow("mentioned-in-text") << QByteArray("{\"note\": \"exposure-findings/2\"}") << false;
        QTest::newRow("future-schema") << QByteArray("{\"schema\": \"exposure-findings/3\"}") << false;
        QTest::newRow("empty") << QByteArray() << false;
    }
    void looksLike()
    {
        QFETCH(QByteArray, text);
        QFETCH(bool, expected);
        QCOMPARE(looksLikeFindings(text.toStdString()), expected);
    }

    // Readers say what is wrong and where, and never throw.
    void readErrors_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("where");
        QTest::addColumn<QString>("message");
        const QByteArray finding = R"({"id": "EW-1", "severity": "high", "target": {"id": "t", "name": "t",
            "type": "vm", "dataStore": null}, "protocol": "tcp", "ports": [[22, 22]], "sources": ["0.0.0.0/0"],
            "hops": 1, "path": 0, "rules": [0]})";
        const QByteArray tables = R"("rules": [{"filter": "n", "filterId": "n", "level": "nic", "name": "r",
            "priority": 100, "access": "Allow", "default": false, "file": "f.json", "pointer": "/0"}],
            "resources": [{"id": "t", "name": "t", "type": "vm"}], "paths": [[0]])";
        QTest::newRow("not-json") << QByteArray("{\"schema\": ") << QStringLiteral("findings.json:1:")
                                  << QStringLiteral("invalid JSON");
        QTest::newRow("not-an-object") << QByteArray("[]") << QStringLiteral("findings.json: error")
                                       << QStringLiteral("object");
        QTest::newRow("other-schema") << QByteArray("{\"schema\": \"exposure-review/1\"}")
                                      << QStringLiteral("findings.json#/schema")
                                      << QStringLiteral("\"exposure-findings/1\" or \"exposure-findings/2\"");
        QTest::newRow("v2-without-tables") << QByteArray("{\"schema\": \"exposure-findings/2\", \"findings\": []}")
                                           << QStringLiteral("findings.json: error") << QStringLiteral("\"resources\"");
        QTest::newRow("v2-rule-index-out-of-range")
            << QByteArray("{\"schema\": \"exposure-findings/2\", \"findings\": [" + finding + "], " + tables + "}")
                   .replace("\"rules\": [0]", "\"rules\": [7]")
            << QStringLiteral("findings.json#/findings/0/rules/0") << QStringLiteral("index into \"rules\"");
        QTest::newRow("v2-path-not-an-index")
            << QByteArray("{\"schema\": \"exposure-findings/2\", \"findings\": [" + finding + "], " + tables + "}")
                   .replace("\"path\": 0", "\"path\": \"0\"")
            << QStringLiteral("findings.json#/findings/0/path") << QStringLiteral("integer");
        QTest::newRow("v2-bad-severity") << QByteArray(
            "{\"schema\": \"exposure-findings/2\", \"findings\": [" + finding + "], " + tables + "}")
                                                .replace("\"high\"", "\"dire\"")
                                         << QStringLiteral("findings.json#/findings/0/severity")
                                         << QStringLiteral("critical, high");
        QTest::newRow("v2-bad-port-range")
            << QByteArray("{\"schema\": \"exposure-findings/2\", \"findings\": [" + finding + "], " + tables + "}")
                   .replace("[[22, 22]]", "[[22, 21]]")
            << QStringLiteral("findings.json#/findings/0/ports/0") << QStringLiteral("first <= last");
        QTest::newRow("v1-rule-without-access")
            << QByteArray("{\"schema\": \"exposure-findings/1\", \"findings\": [" + finding + "]}")
                   .replace("\"path\": 0", "\"path\": []")
                   .replace("\"rules\": [0]",
                       "\"rules\": [{\"filter\": \"n\", \"filterId\": \"n\", \"level\": "
                       "\"nic\", \"name\": \"r\", \"priority\": 1}]")
            << QStringLiteral("findings.json#/findings/0/rules/0") << QStringLiteral("\"access\"");
        QTest::newRow("v2-valid") << QByteArray(
            "{\"schema\": \"exposure-findings/2\", \"findings\": [" + finding + "], " + tables + "}")
                                  << QString() << QString();
    }
    void readErrors()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, where);
        QFETCH(QString, message);
        FindingsDocument doc;
        std::vector<Diagnostic> diags;
        const bool ok = readFindingsJson(text.toStdString(), "findings.json", doc, diags);
        QCOMPARE(ok, where.isEmpty());
        if (ok) {
            QCOMPARE(doc.findings.size(), std::size_t(1));
            QCOMPARE(doc.findings[0].rules.at(0).ruleName, std::string("r"));
            return;
        }
        QCOMPARE(diags.size(), std::size_t(1));
        const QString text2 = QString::fromStdString(diags[0].toString());
        QVERIFY2(text2.startsWith(where), qPrintable(text2));
        QVERIFY2(text2.contains(message), qPrintable(text2));
    }
};

QTEST_GUILESS_MAIN(TestFindingsJson)
#include "tst_findingsjson.moc"
