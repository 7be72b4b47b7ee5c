#include "diff/series.h"
#include "findings/analyzer.h"
#include "import/azureimporter.h"
#include "report/reportcontent.h"
#include "report/reportwriter.h"

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace ew;

// The PDF read back with poppler's pdftotext/pdfinfo, as a reader would.
class TestReportWriter : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    Snapshot m_snap;
    AnalysisResult m_result;
    Review m_review;

    static QString run(const QString& tool, const QStringList& args)
    {
        QProcess p;
        p.start(tool, args);
        p.waitForFinished(30000);
        return QString::fromUtf8(p.readAllStandardOutput());
    }
    QString write(const ReportOptions& options, const QString& name, int* pages)
    {
        const auto content = buildReport(m_snap, m_result, m_review, { "resources/demo/2019-12-05" }, options);
        const QString file = m_dir.filePath(name);
        QString error;
        if (!ui::ReportWriter::writePdf(content, file, &error))
            return error;
        const QString info = run(QStringLiteral("pdfinfo"), { file });
        const auto m = QRegularExpression(QStringLiteral("Pages:\\s+(\\d+)")).match(info);
        *pages = m.hasMatch() ? m.captured(1).toInt() : -1;
        return run(QStringLiteral("pdftotext"), { QStringLiteral("-layout"), file, QStringLiteral("-") });
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("pdftotext")).isEmpty())
            QSKIP("poppler-utils (pdftotext) is not installed");
        m_snap = importSnapshot({ EW_SOURCE_DIR "/resources/demo/2019-12-05" });
        m_result = analyze(m_snap);
        m_review.title = "Weekly review";
        m_review.reviewer = "Jane Doe <jane.doe@contoso.com>";
        for (const auto& f : m_result.findings)
            if (f.target.name == "es-support-02")
                m_review.decisions[f.id]
                    = { TriageState::Confirmed, "support-ops", "SEC-4711 opened on 2019-12-06", "", "", "" };
    }

    void contentAndPages()
    {
        ReportOptions options;
        options.date = "2019-12-06";
        int pages = 0;
        const QString text = write(options, QStringLiteral("report.pdf"), &pages);
        // Cover, summary, one page per critical/high finding (5 + 8), the table, methodology.
        QCOMPARE(pages, 17);
        QVERIFY(text.contains(QLatin1String("Weekly review")));
        QVERIFY(text.contains(QLatin1String("Page 17 of 17")));
        QVERIFY(text.contains(QLatin1String("Executive summary")));
        QVERIFY(text.contains(QLatin1String("15 exposure(s) to the internet: 5 critical, 8 high, 1 medium")));
        for (const auto& f : m_result.findings) {
            if (f.severity != Severity::Critical)
                continue;
            QVERIFY2(text.contains(QString::fromStdString(f.target.name)), f.target.name.c_str());
            // Its own page, headed by the severity in words (it must survive black-and-white print).
            QVERIFY(text.contains(QRegularExpression(
                QStringLiteral("CRITICAL\\s+") + QRegularExpression::escape(QString::fromStdString(f.target.name)))));
        }
        QVERIFY(text.contains(QLatin1String("TCP 5601, 9200-9300")));
        QVERIFY(text.contains(QLatin1String("9200-9300 from 0.0.0.0/0")));
        // Rule names are searchable text (no ligatures).
        QVERIFY(text.contains(QLatin1String("nsg-es-cluster / allow-es-office, priority 100")));
        QVERIFY(text.contains(QLatin1String("nsg-es-cluster / allow-es-any, priority 110")));
        QVERIFY(text.contains(QLatin1String("SEC-4711 opened on 2019-12-06")));
        QVERIFY(text.contains(QLatin1String("40.91.12.22")));
        QVERIFY(text.contains(QLatin1String("jane.doe@contoso.com")));
        QVERIFY(text.contains(QLatin1String("Methodology")));
    }

    // What changed since the state compared with (the day before the incident): the summary page
    // says how many are new, worse and closed and lists them (issue 16's "what changed since the
    // last review"; issue 13's report for a plan uses the plan's prior state).
    void whatChangedSinceBaseline()
    {
        const AnalysisResult before = analyze(importSnapshot({ EW_SOURCE_DIR "/resources/demo/2019-12-04" }));
        ReportOptions options;
        options.date = "2019-12-06";
        options.baseline = &before;
        options.baselineLabel = "the export of 2019-12-04";
        const auto content = buildReport(m_snap, m_result, m_review, { "resources/demo/2019-12-05" }, options);
        QCOMPARE(content.changesSince, std::string("the export of 2019-12-04"));
        const auto standing = compareWithBaseline(m_result, &before, nullptr);
        std::size_t expected = 0;
        for (const auto& [id, st] : standing)
            expected += st == BaselineStatus::New || st == BaselineStatus::Worse;
        QVERIFY(expected > 0);
        std::size_t listed = 0;
        for (const auto& ch : content.changes) {
            QVERIFY(ch.kind == "new" || ch.kind == "worse" || ch.kind == "closed");
            listed += ch.kind != "closed";
        }
        QCOMPARE(listed, expected);
        QVERIFY(content.keyMessages.front().rfind("Since the export of 2019-12-04: ", 0) == 0);
        int pages = 0;
        const QString text = write(options, QStringLiteral("changes.pdf"), &pages);
        QVERIFY2(text.contains(QLatin1String("What changed since the export of 2019-12-04")), qPrintable(text));
        QVERIFY(text.contains(QRegularExpression(QStringLiteral("Worse\\s+Critical\\s+es-support-01"))));
    }

    void redacted()
    {
        ReportOptions options;
        options.redact = true;
        int pages = 0;
        const QString text = write(options, QStringLiteral("redacted.pdf"), &pages);
        QCOMPARE(pages, 17);
        // Nothing --redact must hide is left: no IPv4 address other than the whole internet, no
        // e-mail address, no GUID.
        const auto ipv4 = QRegularExpression(QStringLiteral("\\b\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\b"));
        for (auto it = ipv4.globalMatch(text); it.hasNext();) {
            const QString hit = it.next().captured(0);
            QVERIFY2(hit == QLatin1String("0.0.0.0"), qPrintable(hit));
        }
        QVERIFY(!text.contains(QRegularExpression(QStringLiteral("[\\w.+-]+@[\\w-]+\\.[\\w.]+"))));
        QVERIFY(!text.contains(QRegularExpression(QStringLiteral("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"))));
        QVERIFY(text.contains(QLatin1String("EMAIL-1")));
        QVERIFY(text.contains(QLatin1String("REDACTED")));
        // Consistent: pip-es-01's address is the same placeholder wherever it appears.
        const auto m = QRegularExpression(QStringLiteral("pip-es-01 \\((PUBLIC-IP-\\d+)\\)")).match(text);
        QVERIFY(m.hasMatch());
        QVERIFY(text.count(m.captured(1) + QLatin1Char(')')) >= 1);
        QVERIFY(text.contains(QLatin1String("5601 from PUBLIC-IP-")));
        // The last page says what was replaced and how many, and no GUID-shaped subscription id,
        // twelve-digit account id or FQDN is left.
        QVERIFY(text.contains(QLatin1String("Redaction")));
        QVERIFY(
            text.contains(QRegularExpression(QStringLiteral("\\d+ public IP addresses and prefixes, as PUBLIC-IP-1"))));
        QVERIFY(!text.contains(QRegularExpression(QStringLiteral("\\b\\d{12}\\b"))));
        QVERIFY(
            !text.contains(QRegularExpression(QStringLiteral("\\b[\\w-]+\\.[\\w-]+\\.(com|net|local|internal)\\b"))));
        // The facts that matter stay.
        QVERIFY(text.contains(QLatin1String("es-support-01")));
        QVERIFY(text.contains(QLatin1String("allow-es-any")));
    }
};

QTEST_MAIN(TestReportWriter) // fonts need a QGuiApplication (offscreen)
#include "tst_reportwriter.moc"
