// The machine formats validate against their published JSON Schemas (resources/schemas/, issue 14):
// analyze in both schemas over every golden case, with a baseline, diffs, and reviews the tool
// writes. Validation is python3-jsonschema's (tests/schemas/validate.py); without it the test skips.
#include "review/review.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <sstream>
#include <vector>

using namespace ew;

namespace {

const QString kSchemas = QStringLiteral(EW_SOURCE_DIR "/resources/schemas/");
const QString kValidator = QStringLiteral(EW_SOURCE_DIR "/tests/schemas/validate.py");

struct Run
{
    int exitCode = -1;
    QByteArray err;
};

Run audit(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral(EW_AUDIT_BINARY), args);
    p.waitForFinished(120000);
    return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardError() };
}

} // namespace

class TestSchemas : public QObject
{
    Q_OBJECT

    QProcess m_validator;
    QTemporaryDir m_dir;
    int m_files = 0;

    // The validator's answer for one document: "ok" or "invalid: <where>: <message>".
    QString validate(const QString& schema, const QString& file)
    {
        m_validator.write((kSchemas + schema + QStringLiteral(".schema.json\t") + file + QLatin1Char('\n')).toUtf8());
        while (!m_validator.canReadLine())
            if (!m_validator.waitForReadyRead(60000))
                return QStringLiteral("no answer from the validator: ")
                    + QString::fromUtf8(m_validator.readAllStandardError());
        return QString::fromUtf8(m_validator.readLine()).trimmed();
    }

    QString nextFile() { return m_dir.filePath(QStringLiteral("out-%1.json").arg(++m_files)); }

    // Runs exposure-audit with --output FILE and validates FILE against schema.
    void checkOutput(const QString& schema, QStringList args, int expectedExit = 0)
    {
        const QString file = nextFile();
        args << QStringLiteral("--output") << file;
        const Run r = audit(args);
        QVERIFY2(r.exitCode == expectedExit, r.err.constData());
        const QString answer = validate(schema, file);
        QVERIFY2(
            answer == QLatin1String("ok"), qPrintable(args.join(QLatin1Char(' ')) + QStringLiteral(": ") + answer));
    }

private Q_SLOTS:
    void initTestCase()
    {
        const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
        if (python.isEmpty())
            QSKIP("python3 is not installed: the schemas are not checked");
        QProcess check;
        check.start(python, { kValidator, QStringLiteral("--check") });
        QVERIFY(check.waitForFinished(60000));
        if (check.exitCode() == 77)
            QSKIP("python3-jsonschema is not installed: the schemas are not checked");
        QCOMPARE(check.exitCode(), 0);
        m_validator.start(python, { kValidator });
        QVERIFY(m_validator.waitForStarted());
    }

    void cleanupTestCase()
    {
        if (m_validator.state() == QProcess::NotRunning)
            return;
        m_validator.closeWriteChannel();
        m_validator.waitForFinished(10000);
    }

    // The schemas themselves are valid draft 2020-12 schemas and refuse what is not their format.
    void schemasRefuseOtherFormats_data()
    {
        QTest::addColumn<QString>("schema");
        QTest::addColumn<QByteArray>("document");
        QTest::newRow("v2-is-not-v1") << QStringLiteral("exposure-findings-1")
                                      << QByteArray(R"({"schema": "exposure-findings/2", "generator": "x",
                                             "inputs": [], "assumptions": [], "findings": []})");
        QTest::newRow("v2-needs-its-tables") << QStringLiteral("exposure-findings-2")
                                             << QByteArray(R"({"schema": "exposure-findings/2", "generator": "x",
                                                    "inputs": [], "assumptions": [], "findings": []})");
        QTest::newRow("diff-needs-closed") << QStringLiteral("exposure-diff-1")
                                           << QByteArray(R"({"schema": "exposure-diff/1", "new": [], "changed": []})");
        QTest::newRow("review-unknown-state")
            << QStringLiteral("exposure-review-1")
            << QByteArray(R"({"schema": "exposure-review/1", "decisions": [{"finding": "EW-1", "state": "maybe"}]})");
    }
    void schemasRefuseOtherFormats()
    {
        QFETCH(QString, schema);
        QFETCH(QByteArray, document);
        const QString file = nextFile();
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(document);
        f.close();
        QVERIFY(validate(schema, file).startsWith(QLatin1String("invalid: ")));
    }

    // analyze --format json in both schemas, for every golden case (bad inputs write nothing).
    void analyzeGolden_data()
    {
        QTest::addColumn<QString>("input");
        const QDir root(QStringLiteral(EW_TEST_DATA "/golden"));
        const auto cases = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        QVERIFY(cases.size() >= 30);
        for (const auto& c : cases)
            QTest::newRow(qPrintable(c)) << root.filePath(c + QStringLiteral("/input"));
    }
    void analyzeGolden()
    {
        QFETCH(QString, input);
        const QString v2 = nextFile();
        const Run r = audit({ QStringLiteral("analyze"), input, QStringLiteral("--format"), QStringLiteral("json"),
            QStringLiteral("--output"), v2 });
        if (r.exitCode == 2) {
            QVERIFY(!QFile::exists(v2)); // refused input: no verdict, no document
            return;
        }
        QCOMPARE(r.exitCode, 0);
        const QString answer = validate(QStringLiteral("exposure-findings-2"), v2);
        QVERIFY2(answer == QLatin1String("ok"), qPrintable(answer));
        checkOutput(QStringLiteral("exposure-findings-1"),
            { QStringLiteral("analyze"), input, QStringLiteral("--format"), QStringLiteral("json"),
                QStringLiteral("--schema"), QStringLiteral("1") });
    }

    // With a baseline (an export, a review, findings JSON) each finding says how it stands.
    void analyzeWithBaseline_data()
    {
        QTest::addColumn<QString>("schema");
        QTest::addColumn<QString>("baseline");
        const QString demo = QStringLiteral(EW_SOURCE_DIR "/resources/demo/");
        for (const char* schema : { "1", "2" }) {
            const QString s = QString::fromLatin1(schema);
            QTest::newRow(qPrintable(QStringLiteral("v%1-export").arg(s))) << s << demo + QStringLiteral("2019-12-04");
            QTest::newRow(qPrintable(QStringLiteral("v%1-review").arg(s)))
                << s << demo + QStringLiteral("incident-2019.review.json");
        }
    }
    void analyzeWithBaseline()
    {
        QFETCH(QString, schema);
        QFETCH(QString, baseline);
        checkOutput(QStringLiteral("exposure-findings-") + schema,
            { QStringLiteral("analyze"), QStringLiteral(EW_SOURCE_DIR "/resources/demo/2019-12-05"),
                QStringLiteral("--baseline"), baseline, QStringLiteral("--format"), QStringLiteral("json"),
                QStringLiteral("--schema"), schema });
    }

    // diff --format json: the golden before/after pairs, a Terraform plan and the demo's incident.
    void diffs_data()
    {
        QTest::addColumn<QStringList>("inputs");
        const QDir root(QStringLiteral(EW_TEST_DATA "/diff"));
        for (const auto& c : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
            const QDir d(root.filePath(c));
            QTest::newRow(qPrintable(c)) << (d.exists(QStringLiteral("plan.json"))
                    ? QStringList { d.filePath(QStringLiteral("plan.json")) }
                    : QStringList { d.filePath(QStringLiteral("before")), d.filePath(QStringLiteral("after")) });
        }
        const QString demo = QStringLiteral(EW_SOURCE_DIR "/resources/demo/");
        QTest::newRow("demo-incident") << QStringList { demo + QStringLiteral("2019-12-04"),
            demo + QStringLiteral("2019-12-05") };
        QTest::newRow("demo-fix") << QStringList { demo + QStringLiteral("2019-12-05"),
            demo + QStringLiteral("2019-12-31") };
    }
    void diffs()
    {
        QFETCH(QStringList, inputs);
        const QString file = nextFile();
        const Run r = audit(QStringList { QStringLiteral("diff") } + inputs
            + QStringList { QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--output"), file });
        QVERIFY2(r.exitCode == 0 || r.exitCode == 1, r.err.constData());
        const QString answer = validate(QStringLiteral("exposure-diff-1"), file);
        QVERIFY2(answer == QLatin1String("ok"), qPrintable(answer));
    }

    // Reviews as the tool writes them: the demo's, and one with every part filled, serialised now.
    void reviews_data()
    {
        QTest::addColumn<bool>("rewrite");
        QTest::newRow("demo-review-file") << false;
        QTest::newRow("written-by-serialiseReview") << true;
    }
    void reviews()
    {
        QFETCH(bool, rewrite);
        const QString demo = QStringLiteral(EW_SOURCE_DIR "/resources/demo/incident-2019.review.json");
        QString file = demo;
        if (rewrite) {
            std::ifstream in(demo.toStdString());
            std::stringstream text;
            text << in.rdbuf();
            Review review;
            std::vector<Diagnostic> diags;
            QVERIFY(parseReview(text.str(), demo.toStdString(), review, diags));
            review.dataStores["/subscriptions/x/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm"] = "";
            Decision d;
            d.state = TriageState::AcceptedRisk;
            d.owner = "payments@contoso.com";
            d.note = "until the migration";
            d.target = "vm";
            d.severity = "high";
            review.decisions["EW-0000000000000001"] = d;
            review.history.push_back({ "2019-12-31", "after the fix", { "2019-12-31" }, { { "EW-1", "low" } } });
            QVERIFY(!review.scenarios.empty());
            file = nextFile();
            std::ofstream(file.toStdString()) << serialiseReview(review);
        }
        const QString answer = validate(QStringLiteral("exposure-review-1"), file);
        QVERIFY2(answer == QLatin1String("ok"), qPrintable(answer));
    }
};

QTEST_GUILESS_MAIN(TestSchemas)
#include "tst_schemas.moc"
