// ew::SharedVector, the copy-on-write vector findings hold their evidence in (issue 14): copies
// share, changes detach, and the findings of one policy group do share their rule evidence.
#include "findings/analyzer.h"
#include "generatedestate.h"
#include "generator/estategenerator.h"
#include "import/azureimporter.h"
#include "util/sharedvector.h"

#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <set>
#include <string>

using namespace ew;

class TestSharedVector : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // Copies read one storage; a change through any member makes the changed copy's own and
    // leaves every other copy as it was.
    void changeDetaches_data()
    {
        QTest::addColumn<int>("change");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("push_back") << 0
                                   << QStringList { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c") };
        QTest::newRow("insert-front") << 1
                                      << QStringList { QStringLiteral("c"), QStringLiteral("a"), QStringLiteral("b") };
        QTest::newRow("erase-first") << 2 << QStringList { QStringLiteral("b") };
        QTest::newRow("edit") << 3 << QStringList { QStringLiteral("A"), QStringLiteral("b") };
        QTest::newRow("clear") << 4 << QStringList {};
        QTest::newRow("assign-vector") << 5 << QStringList { QStringLiteral("x") };
    }
    void changeDetaches()
    {
        QFETCH(int, change);
        QFETCH(QStringList, expected);
        const SharedVector<std::string> original { "a", "b" };
        SharedVector<std::string> copy = original;
        QVERIFY(copy.sharesWith(original));
        switch (change) {
        case 0:
            copy.push_back("c");
            break;
        case 1:
            copy.insert(copy.begin(), std::string("c"));
            break;
        case 2:
            copy.erase(copy.begin());
            break;
        case 3:
            copy.edit().front() = "A";
            break;
        case 4:
            copy.clear();
            break;
        case 5:
            copy = std::vector<std::string> { "x" };
            break;
        default:
            QFAIL("no such change");
        }
        QVERIFY(!copy.sharesWith(original));
        QCOMPARE(original.get(), (std::vector<std::string> { "a", "b" }));
        std::vector<std::string> want;
        for (const auto& s : expected)
            want.push_back(s.toStdString());
        QCOMPARE(copy.get(), want);
        QCOMPARE(copy.size(), want.size());
        QCOMPARE(copy.empty(), want.empty());
    }

    void equalityAndJson()
    {
        const SharedVector<int> a { 1, 2, 3 };
        const SharedVector<int> b { 1, 2, 3 }; // equal, not shared
        const SharedVector<int> empty;
        QVERIFY(a == b);
        QVERIFY(!a.sharesWith(b));
        QVERIFY(!(a == empty));
        QVERIFY(empty == SharedVector<int>(std::vector<int> {})); // empty is one value however made
        QCOMPARE(nlohmann::json(a).dump(), std::string("[1,2,3]"));
        QCOMPARE(nlohmann::json(empty).dump(), std::string("[]"));
        SharedVector<int> c = a;
        c.edit(); // made its own, still equal
        QVERIFY(c == a);
        QVERIFY(!c.sharesWith(a));
    }

    // What the type is for: the findings of one policy group state the same rule evidence, and
    // hold it once. A regression to copying gives each finding a storage of its own.
    void findingsShareTheirEvidence()
    {
        EstateSpec spec;
        spec.nics = 200;
        spec.rulesPerNsg = 60;
        spec.seed = 1;
        Snapshot snap;
        std::string error;
        QVERIFY2(test::generatedSnapshot(spec, snap, error), error.c_str());
        AnalysisOptions options;
        options.threads = 1;
        const AnalysisResult r = analyze(snap, options);
        QVERIFY(r.findings.size() >= 100);
        std::set<const RuleEvidence*> storages;
        std::size_t withRules = 0;
        for (const auto& f : r.findings) {
            if (f.rules.empty())
                continue;
            ++withRules;
            storages.insert(f.rules.get().data());
        }
        QVERIFY(withRules >= 100);
        QVERIFY2(storages.size() * 2 <= withRules,
            qPrintable(QStringLiteral("%1 rule storages for %2 findings").arg(storages.size()).arg(withRules)));
    }
};

QTEST_GUILESS_MAIN(TestSharedVector)
#include "tst_sharedvector.moc"
