// ew::SharedString, the immutable shared text of rule evidence (issue 14): it reads as the string it
// holds, copies and pooled equal texts share one storage, and the findings of an estate hold each
// NSG rule's texts once.
#include "findings/analyzer.h"
#include "generatedestate.h"
#include "generator/estategenerator.h"
#include "import/azureimporter.h"
#include "util/sharedstring.h"

#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>

using namespace ew;

namespace {

std::string byReference(const std::string& s)
{
    return s;
}

std::string byView(std::string_view s)
{
    return std::string(s);
}

} // namespace

class TestSharedString : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void readsAsString()
    {
        const SharedString a("nsg-1");
        const SharedString b = std::string("rule");
        const SharedString none;
        QCOMPARE(a.str(), std::string("nsg-1"));
        QCOMPARE(byReference(a), std::string("nsg-1"));
        QCOMPARE(byView(a), std::string("nsg-1"));
        QCOMPARE(a + "/" + b, std::string("nsg-1/rule"));
        QCOMPARE(std::string("x ") + a + ' ' + b, std::string("x nsg-1 rule"));
        QCOMPARE('(' + a + std::string(")"), std::string("(nsg-1)"));
        QVERIFY(a == "nsg-1");
        QVERIFY(a == std::string("nsg-1"));
        QVERIFY(std::string("nsg-1") == a);
        QVERIFY(a != b);
        QVERIFY(a < b);
        QVERIFY(a == SharedString("nsg-1"));
        QVERIFY(none.empty());
        QCOMPARE(none.size(), std::size_t(0));
        QVERIFY(none == "");
        QVERIFY(none == SharedString(std::string()));
        QCOMPARE(a.size(), std::size_t(5));
        std::ostringstream out;
        out << a << '|' << none;
        QCOMPARE(out.str(), std::string("nsg-1|"));
        QCOMPARE(nlohmann::json(a).dump(), std::string("\"nsg-1\""));
        QCOMPARE(nlohmann::json(none).dump(), std::string("\"\""));
        nlohmann::json object { { "name", a } };
        QCOMPARE(object.dump(), std::string("{\"name\":\"nsg-1\"}"));
    }

    // A copy shares; assigning another text replaces this copy's storage and leaves the others.
    void copiesShare()
    {
        const SharedString original("/subscriptions/x/networkSecurityGroups/nsg-1");
        SharedString copy = original;
        QVERIFY(copy.sharesWith(original));
        QCOMPARE(copy.data(), original.data());
        copy = std::string("other");
        QVERIFY(!copy.sharesWith(original));
        QCOMPARE(original.str(), std::string("/subscriptions/x/networkSecurityGroups/nsg-1"));
        QCOMPARE(copy.str(), std::string("other"));
    }

    void poolSharesEqualTexts()
    {
        StringPool pool;
        const std::string made = std::string("/subscriptions/x/") + "securityRules/r1";
        const SharedString a = pool(made);
        const SharedString b = pool(std::string("/subscriptions/x/securityRules/r1"));
        const SharedString c = pool("r2");
        QVERIFY(a.sharesWith(b));
        QVERIFY(!a.sharesWith(c));
        QCOMPARE(b.str(), made);
        QVERIFY(pool("").empty());
    }

    // Keys of the engine's caches: equal texts hash and compare equal whether they share a storage
    // or not, so a key made apart from the cache's finds its entry.
    void keysHashAsText()
    {
        const SharedString a("nsg-1|vnet-1|YNP");
        const SharedString b(std::string("nsg-1|vnet-1|") + "YNP");
        QVERIFY(!a.sharesWith(b));
        QCOMPARE(std::hash<SharedString>()(a), std::hash<SharedString>()(b));
        QCOMPARE(std::hash<SharedString>()(a), std::hash<std::string_view>()("nsg-1|vnet-1|YNP"));
        std::unordered_map<SharedString, int> cache;
        cache[a] = 1;
        QCOMPARE(cache.count(b), std::size_t(1));
        QCOMPARE(cache[b], 1);
        cache[SharedString("-")] = 2;
        QCOMPARE(cache.size(), std::size_t(2));
        QVERIFY(cache.erase(SharedString(std::string("nsg-1|vnet-1|YNP"))) == 1);
        QCOMPARE(cache.count(a), std::size_t(0));
    }

    // What the type is for: every finding that names an NSG rule holds that rule's id in one
    // storage (one engine, one thread). A regression to a text per finding fails here.
    void findingsShareRuleTexts()
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
        std::map<std::string, std::set<const char*>> storages; // rule id -> storages of its text
        std::size_t mentions = 0;
        for (const auto& f : r.findings)
            for (const auto& ev : f.rules)
                if (ev.level == "subnet" || ev.level == "nic") {
                    ++mentions;
                    storages[ev.ruleId.str()].insert(ev.ruleId.data());
                    storages[ev.filterId.str()].insert(ev.filterId.data());
                }
        QVERIFY(mentions >= 200);
        for (const auto& [text, held] : storages)
            QVERIFY2(held.size() == 1, qPrintable(QString::fromStdString(text)));
    }
};

QTEST_GUILESS_MAIN(TestSharedString)
#include "tst_sharedstring.moc"
