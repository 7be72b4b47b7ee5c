// The analysis on several threads gives what it gives on one (issue 14): the same findings in the
// same order, field for field, the same estate-wide assumptions, statistics and graph, on every
// golden case, on real samples and on generated estates, with 2, 3 and 7 threads.

#include "findings/analyzer.h"
#include "generatedestate.h"
#include "generator/estategenerator.h"
#include "import/azureimporter.h"
#include "output/findingswriter.h"

#include "randomrounds.h"

#include <QDir>
#include <QDirIterator>
#include <QTemporaryDir>
#include <QTest>

using namespace ew;

namespace {

std::vector<std::string> canonical(const AnalysisResult& r)
{
    std::vector<std::string> out;
    out.reserve(r.findings.size() + r.assumptions.size() + 1);
    for (const auto& f : r.findings)
        out.push_back(findingJson(f).dump());
    for (const auto& a : r.assumptions)
        out.push_back("assumption: " + a);
    out.push_back("stats: " + std::to_string(r.stats.ipConfigurations) + " " + std::to_string(r.stats.policyGroups)
        + " " + std::to_string(r.stats.frontends) + " " + std::to_string(r.stats.footholds));
    out.push_back("graph: " + std::to_string(boost::num_vertices(r.graph.graph())) + " "
        + std::to_string(boost::num_edges(r.graph.graph())));
    return out;
}

void compareThreads(const Snapshot& snap, std::size_t minimumFindings = 0)
{
    AnalysisOptions serial;
    serial.threads = 1;
    const auto expected = canonical(analyze(snap, serial));
    QVERIFY(expected.size() >= minimumFindings);
    for (unsigned threads : { 2U, 3U, 7U }) {
        AnalysisOptions parallel;
        parallel.threads = threads;
        const auto actual = canonical(analyze(snap, parallel));
        QCOMPARE(actual.size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i)
            if (actual[i] != expected[i])
                QFAIL(qPrintable(QStringLiteral("%1 threads, entry %2:\n  serial:   %3\n  parallel: %4")
                                     .arg(threads)
                                     .arg(i)
                                     .arg(QString::fromStdString(expected[i]), QString::fromStdString(actual[i]))));
    }
}

} // namespace

class TestParallel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void goldenCases_data()
    {
        QTest::addColumn<QString>("input");
        const QDir root(QStringLiteral(EW_TEST_DATA "/golden"));
        for (const auto& c : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
            QTest::newRow(qPrintable(c)) << root.filePath(c + QStringLiteral("/input"));
    }
    void goldenCases()
    {
        QFETCH(QString, input);
        const Snapshot snap = importSnapshot({ input.toStdString() });
        compareThreads(snap);
    }

    void samples_data()
    {
        QTest::addColumn<QString>("input");
        for (const char* cloud : { "azure", "aws", "terraform" }) {
            const QString dir = QStringLiteral(EW_SAMPLES "/") + QLatin1String(cloud);
            // Absent (a clone without ../shared): the row skips, the test does not fail.
            QTest::newRow(cloud) << (QDir(dir).exists() ? dir : QString());
        }
    }
    void samples()
    {
        QFETCH(QString, input);
        if (input.isEmpty())
            QSKIP("../shared/samples is not beside the project");
        // Each file on its own: a sample folder mixes estates that do not form one snapshot.
        QStringList files;
        QDirIterator it(input, { QStringLiteral("*.json") }, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            files << it.next();
        files.sort();
        int compared = 0;
        for (const auto& f : files) {
            const Snapshot snap = importSnapshot({ f.toStdString() });
            if (snap.hasErrors() || snap.resourceCount() == 0)
                continue;
            compareThreads(snap);
            if (QTest::currentTestFailed())
                QFAIL(qPrintable(QStringLiteral("in ") + f));
            ++compared;
        }
        if (compared == 0)
            QSKIP("no sample of this cloud is read");
    }

    // Generated estates of several shapes: many data stores reached through footholds (the two-hop
    // workers), many NIC NSGs (policy groups split across workers), and the S tier as generated.
    void generated_data()
    {
        QTest::addColumn<int>("nics");
        QTest::addColumn<double>("dataStores");
        QTest::addColumn<double>("nicNsgs");
        QTest::addColumn<double>("publicIps");
        QTest::addColumn<uint>("seed");
        QTest::newRow("S-tier") << 200 << 0.1 << 0.2 << 0.3 << 1U;
        QTest::newRow("many-data-stores") << 600 << 0.4 << 0.2 << 0.3 << 7U;
        QTest::newRow("many-nic-nsgs") << 600 << 0.1 << 0.8 << 0.3 << 11U;
        QTest::newRow("few-public-ips") << 900 << 0.3 << 0.5 << 0.05 << 23U;
    }
    void generated()
    {
        QFETCH(int, nics);
        QFETCH(double, dataStores);
        QFETCH(double, nicNsgs);
        QFETCH(double, publicIps);
        QFETCH(uint, seed);
        if (test::randomRounds(4) < 4 && nics > 200)
            QSKIP("EW_RANDOM_ROUNDS: the S tier only");
        EstateSpec spec;
        spec.nics = nics;
        spec.rulesPerNsg = 60;
        spec.dataStoreShare = dataStores;
        spec.nicNsgShare = nicNsgs;
        spec.seed = seed;
        spec.publicIpShare = publicIps;
        Snapshot snap;
        std::string error;
        QVERIFY2(test::generatedSnapshot(spec, snap, error), error.c_str());
        compareThreads(snap, 50);
    }
};

QTEST_GUILESS_MAIN(TestParallel)
#include "tst_parallel.moc"
