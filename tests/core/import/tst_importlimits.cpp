// The limits that protect the analyst's machine (README, "Limits"): each one, when passed, is an
// Error diagnostic that names the file and place, and the import or analysis ends cleanly.

#include "findings/analyzer.h"
#include "import/importer.h"
#include "review/review.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <new>

using namespace ew;

namespace {

QString write(const QTemporaryDir& dir, const QString& name, const QByteArray& content)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(content);
    return path;
}

QString diagnostics(const Snapshot& s)
{
    QStringList l;
    for (const auto& d : s.diagnostics)
        l << QString::fromStdString(d.toString());
    return l.join(QLatin1Char('\n'));
}

// An NSG with `rules` rules of its own (Azure adds its 6 default rules).
QByteArray nsg(const QByteArray& name, int rules)
{
    QByteArray list;
    for (int i = 0; i < rules; ++i)
        list += (i ? "," : "") + QByteArray(R"({"name": "r)") + QByteArray::number(i)
            + R"(", "properties": {"protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": "22",
              "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "access": "Allow", "priority": )"
            + QByteArray::number(100 + i) + R"(, "direction": "Inbound"}})";
    return R"({"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/)" + name
        + R"(", "name": ")" + name + R"(", "type": "Microsoft.Network/networkSecurityGroups",
        "properties": {"securityRules": [)"
        + list + "]}}";
}

} // namespace

class TestImportLimits : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void limits_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<int>("maxDepth");
        QTest::addColumn<int>("maxResources");
        QTest::addColumn<int>("maxRulesPerList");
        QTest::addColumn<int>("maxRules");
        QTest::addColumn<QString>("expected");
        // simdjson refuses it (its parser is 128 levels deep); the place is the first bracket too deep.
        QTest::newRow("depth-default") << QByteArray(200, '[') + QByteArray(200, ']') << 128 << 1000 << 1000 << 100000
                                       << QStringLiteral("export.json:1:129: error: too deeply nested (at byte "
                                                         "128): objects and arrays nest deeper than 128 levels here");
        QTest::newRow("depth-option") << QByteArray("{\"value\": [\n  {\"a\": {\"b\": [[1]]}}]}") << 4 << 1000 << 1000
                                      << 100000 << QStringLiteral("export.json:2:15: error: too deeply nested");
        QTest::newRow("depth-in-string-is-text")
            << QByteArray("{\"value\": [\"[[[[[[[[[[[[\"]}") << 3 << 1000 << 1000 << 100000
            << QStringLiteral("no Azure or AWS network or compute resources were found");
        QTest::newRow("resources") << QByteArray("[" + nsg("a", 1) + "," + nsg("b", 1) + "," + nsg("c", 1) + "]") << 128
                                   << 2 << 1000 << 100000
                                   << QStringLiteral("export.json: error: with this file the snapshot holds 3 "
                                                     "resources, more than the limit of 2; the files after it are not "
                                                     "read");
        QTest::newRow("rules-per-list") << nsg("big", 10) << 128 << 1000 << 12 << 100000
                                        << QStringLiteral(
                                               "export.json: error: big has 16 rules, more than the limit of "
                                               "12 in one list (Azure allows 1,000 per NSG, AWS 1,000 per "
                                               "security group); only its first 12 are analysed");
        QTest::newRow("rules-in-all") << QByteArray("[" + nsg("a", 4) + "," + nsg("b", 4) + "]") << 128 << 1000 << 1000
                                      << 15
                                      << QStringLiteral(
                                             "export.json#/1: error: b has 10 rules, the snapshot's rules in "
                                             "all would pass the limit of 15; only its first 5 are analysed");
    }
    void limits()
    {
        QFETCH(QByteArray, content);
        QFETCH(int, maxDepth);
        QFETCH(int, maxResources);
        QFETCH(int, maxRulesPerList);
        QFETCH(int, maxRules);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        write(dir, QStringLiteral("export.json"), content);
        write(dir, QStringLiteral("later.json"), nsg("later", 1));
        ImportOptions options;
        options.maxDepth = static_cast<std::size_t>(maxDepth);
        options.maxResources = static_cast<std::size_t>(maxResources);
        options.maxRulesPerList = static_cast<std::size_t>(maxRulesPerList);
        options.maxRules = static_cast<std::size_t>(maxRules);
        const Snapshot s = importSnapshot({ dir.filePath(QStringLiteral("export.json")).toStdString() }, options);
        QVERIFY(s.hasErrors());
        QVERIFY2(diagnostics(s).contains(expected), qPrintable(diagnostics(s)));
        std::size_t rules = 0;
        for (const auto& [id, n] : s.nsgs) {
            QVERIFY(n.rules.size() <= options.maxRulesPerList);
            rules += n.rules.size();
        }
        QVERIFY(rules <= options.maxRules);
    }

    // Reading stops at the file that passes the resource limit: the files after it are not read.
    void resourcesStopReading()
    {
        QTemporaryDir dir;
        write(dir, QStringLiteral("a.json"), "[" + nsg("a", 1) + "," + nsg("b", 1) + "]");
        write(dir, QStringLiteral("b.json"), nsg("c", 1));
        write(dir, QStringLiteral("c.json"), nsg("d", 1));
        ImportOptions options;
        options.maxResources = 2;
        const Snapshot s = importSnapshot({ dir.path().toStdString() }, options);
        QCOMPARE(s.files.size(), std::size_t(2));
        QVERIFY2(
            diagnostics(s).contains(QStringLiteral("b.json: error: with this file the snapshot holds 3 resources")),
            qPrintable(diagnostics(s)));
    }

    // An export estimated to need more memory than there is is refused before any of it is read.
    void memoryEstimate()
    {
        QTemporaryDir dir;
        QByteArray big = "[" + nsg("a", 1);
        for (int i = 0; i < 200; ++i)
            big += "," + nsg("n" + QByteArray::number(i), 1);
        big += "]";
        const QString path = write(dir, QStringLiteral("big.json"), big);
        ImportOptions options;
        options.memoryBudget = 64 << 20; // less than the fixed 64 MiB of any run, plus 16 times the input
        const Snapshot s = importSnapshot({ dir.path().toStdString() }, options);
        QVERIFY(s.files.empty());
        QCOMPARE(s.resourceCount(), std::size_t(0));
        QVERIFY2(diagnostics(s).contains(dir.path()
                     + QStringLiteral(": error: the export is 1 MiB; reading and "
                                      "analysing it needs about 66 MiB of memory (16 "
                                      "times its size), more than the 64 MiB "
                                      "available: analyse it in parts")),
            qPrintable(diagnostics(s)));
        // The same export within the budget is read.
        options.memoryBudget = 1ULL << 30;
        QVERIFY(!importSnapshot({ path.toStdString() }, options).hasErrors());
        QVERIFY(availableMemory() > 0);
    }

    // Memory running out while reading (std::bad_alloc) is a diagnostic and an empty snapshot, not a crash.
    void outOfMemoryWhileReading()
    {
        QTemporaryDir dir;
        write(dir, QStringLiteral("a.json"), nsg("a", 1));
        write(dir, QStringLiteral("b.json"), nsg("b", 1));
        ImportOptions options;
        options.progress = [](std::size_t done, std::size_t) {
            if (done == 2)
                throw std::bad_alloc();
        };
        const Snapshot s = importSnapshot({ dir.path().toStdString() }, options);
        QCOMPARE(s.resourceCount(), std::size_t(0));
        QVERIFY2(diagnostics(s).contains(dir.path()
                     + QStringLiteral(": error: out of memory after reading 2 resources; "
                                      "nothing of the export is analysed")),
            qPrintable(diagnostics(s)));
    }

    // ... and while analysing: an empty result with the sentence in `error`.
    void outOfMemoryWhileAnalysing()
    {
        QTemporaryDir dir;
        write(dir, QStringLiteral("a.json"), nsg("a", 1));
        const Snapshot s = importSnapshot({ dir.path().toStdString() });
        QVERIFY(!s.hasErrors());
        AnalysisOptions options;
        options.progress = [](std::size_t, std::size_t) { throw std::bad_alloc(); };
        const AnalysisResult r = analyze(s, options);
        QVERIFY(r.findings.empty());
        QCOMPARE(QString::fromStdString(r.error),
            QStringLiteral("out of memory while analysing 1 resources; no finding is reported: analyse the export in "
                           "parts (by subscription or account) or on a larger machine"));
    }

    // A review nested too deep is refused with its place (copying or writing it would overflow the stack).
    void reviewDepth()
    {
        const std::string text = R"({"schema": "exposure-review/1", "title": )" + std::string(100000, '[')
            + std::string(100000, ']') + "}";
        Review review;
        std::vector<Diagnostic> diags;
        QVERIFY(!parseReview(text, "deep.review.json", review, diags));
        QCOMPARE(diags.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(diags.front().toString()),
            QStringLiteral("deep.review.json:1:169: error: too deeply nested (at byte 168): objects and arrays nest "
                           "deeper than 128 levels here; no export nests so deep (a damaged or hostile file?)"));
    }
};

QTEST_GUILESS_MAIN(TestImportLimits)
#include "tst_importlimits.moc"
