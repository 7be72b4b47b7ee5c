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
#include <set>

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
                    = { TriageState::Confirmed, "support-ops", "SEC-4711 opened on 2019-12-06", "", "", "", "", "" };
    }

    void contentAndPages()
    {
        ReportOptions options;
        options.date = "2019-12-06";
        int pages = 0;
        const QString text = write(options, QStringLiteral("report.pdf"), &pages);
        // The cover with the summary, then the summary's end with fix these first, one page per cause
        // of the critical and high findings (the Elasticsearch nodes share one, but es-support-02,
        // which the review decided, has its own), the table, methodology.
        QCOMPARE(pages, 11);
        QVERIFY(text.contains(QLatin1String("Weekly review")));
        QVERIFY(text.contains(QLatin1String("Page 11 of 11")));
        QVERIFY(text.contains(QLatin1String("Executive summary")));
        QVERIFY(text.contains(QLatin1String("15 exposure(s) to the internet: 5 critical, 8 high, 1 medium")));
        for (const auto& f : m_result.findings) {
            if (f.severity != Severity::Critical)
                continue;
            QVERIFY2(text.contains(QString::fromStdString(f.target.name)), f.target.name.c_str());
        }
        // The page of the cause, headed by the severity in words (it must survive black-and-white
        // print), names the others of the same cause.
        QVERIFY(text.contains(
            QRegularExpression(QStringLiteral("CRITICAL\\s+es-support-0\\d\\s+and 3 more of the same cause"))));
        QVERIFY(text.contains(QLatin1String("Same cause")));
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

    // A review whose history ends before this snapshot (the demo review: saved with the export of
    // 2019-12-04 in its history, opened on 2019-12-05) reports what changed since that export and
    // a trend that ends with this snapshot.
    void historyWithoutThisSnapshot()
    {
        Review review = m_review;
        review.inputs = { "2019-12-05" };
        const AnalysisResult before = analyze(importSnapshot({ EW_SOURCE_DIR "/resources/demo/2019-12-04" }));
        ReviewedSnapshot first { "2019-12-04", "before", { "2019-12-04" }, {} };
        for (const auto& f : before.findings)
            first.findings[f.id] = severityName(f.severity);
        review.history = { first };
        ReportOptions options;
        options.date = "2019-12-06";
        const auto content
            = buildReport(m_snap, m_result, review, { EW_SOURCE_DIR "/resources/demo/2019-12-05" }, options);
        QCOMPARE(content.trend.size(), std::size_t(2));
        QCOMPARE(content.trend.back().date, std::string("2019-12-05")); // from the folder's exposure-snapshot.json
        QCOMPARE(content.trend.back().bySeverity[static_cast<int>(Severity::Critical)], 5);
        QCOMPARE(content.changesSince, std::string("the review's previous snapshot (2019-12-04)"));
        int worse = 0;
        for (const auto& ch : content.changes)
            worse += ch.kind == "worse";
        QCOMPARE(worse, 5); // the five cluster nodes, high before, critical now
        // Recorded already (the workbench saves it): not counted twice.
        ReviewedSnapshot second { "2019-12-05", "incident", { "2019-12-05" }, {} };
        for (const auto& f : m_result.findings)
            second.findings[f.id] = severityName(f.severity);
        review.history.push_back(second);
        QCOMPARE(
            buildReport(m_snap, m_result, review, { EW_SOURCE_DIR "/resources/demo/2019-12-05" }, options).trend.size(),
            std::size_t(2));
    }

    // A decision document (issue 16): the rules to change first with their commands and what
    // each closes, due dates by policy, the trend over the review's snapshots, pages per cause up to
    // a limit, a table that stops and counts the rest, and places named without local folders.
    void decisionDocument()
    {
        Review review = m_review;
        // The review saw the estate three times; es-support-02 is confirmed, with an owner.
        const AnalysisResult before = analyze(importSnapshot({ EW_SOURCE_DIR "/resources/demo/2019-12-04" }));
        ReviewedSnapshot first { "2019-12-04", "before", { "2019-12-04" }, {} };
        for (const auto& f : before.findings)
            first.findings[f.id] = severityName(f.severity);
        ReviewedSnapshot second { "2019-12-05", "incident", { "2019-12-05" }, {} };
        for (const auto& f : m_result.findings)
            second.findings[f.id] = severityName(f.severity);
        review.history = { first, second };
        ReportOptions options;
        options.date = "2019-12-06";
        const auto content
            = buildReport(m_snap, m_result, review, { EW_SOURCE_DIR "/resources/demo/2019-12-05" }, options);

        // Fix these first: allow-es-any first (critical exposures), its change a deny for each
        // node, which narrows them (allow-es-office still admits 5601 from the office).
        QVERIFY(!content.fixFirst.empty());
        const auto& top = content.fixFirst.front();
        QCOMPARE(top.rule, std::string("nsg-es-cluster / allow-es-any"));
        QCOMPARE(top.severity, std::string("critical"));
        QVERIFY(top.narrowed >= 4);
        QVERIFY(top.changes >= 5);
        QVERIFY(!top.commands.empty());
        QVERIFY2(top.commands.front().rfind("az network nsg rule create", 0) == 0, top.commands.front().c_str());
        QVERIFY(top.owners.find("@") != std::string::npos || top.owners == "(unassigned)");
        // Rules are grouped: no rule appears twice.
        std::set<std::string> rules;
        for (const auto& g : content.fixFirst)
            QVERIFY2(rules.insert(g.rule).second, g.rule.c_str());

        // Due dates: critical 1 day from the day the review first saw it (2019-12-05 for the new
        // ones), shown on its page and in the table.
        const auto& es = content.pages.front();
        QCOMPARE(es.severity, std::string("critical"));
        QCOMPARE(es.alsoTargets.size(), std::size_t(3)); // es-support-02 has a decision of its own
        QCOMPARE(es.exposedSince, std::string("2019-12-04"));
        QCOMPARE(es.due, std::string("2019-12-05"));
        QCOMPARE(es.daysExposed, 2);
        QVERIFY(!es.fix.empty());
        QVERIFY(content.duePolicy.rfind("critical 1 day, high 7 days", 0) == 0);
        QCOMPARE(content.rows.front().due, std::string("2019-12-05"));

        // Trend: one point per reviewed snapshot, counted by severity.
        QCOMPARE(content.trend.size(), std::size_t(2));
        QCOMPARE(content.trend.back().date, std::string("2019-12-05"));
        QCOMPARE(content.trend.back().bySeverity[static_cast<int>(Severity::Critical)], 5);

        // Places are named from the input's folder, not by the local absolute path.
        for (const auto& p : content.pages)
            for (const auto& r : p.rules)
                QVERIFY2(r.where.rfind("2019-12-05/", 0) == 0, r.where.c_str());

        // Limits: one page for the high causes, five table rows; the rest counted.
        options.maxFindingPages = 1;
        options.maxTableRows = 5;
        const auto small = buildReport(m_snap, m_result, review, { "resources/demo/2019-12-05" }, options);
        QCOMPARE(small.rows.size(), std::size_t(5));
        int left = 0;
        for (int n : small.rowsLeftOut)
            left += n;
        QCOMPARE(left, 10);
        QVERIFY(small.findingsWithoutPage > 0);
        QVERIFY(small.pages.size() < content.pages.size());

        // Drawn: the section, the chart's dates and the counts, the commands as text.
        const QString file = m_dir.filePath(QStringLiteral("decision.pdf"));
        QString error;
        QVERIFY2(ui::ReportWriter::writePdf(content, file, &error), qPrintable(error));
        const QString text = run(QStringLiteral("pdftotext"), { QStringLiteral("-layout"), file, QStringLiteral("-") });
        QVERIFY(text.contains(QLatin1String("Fix these first")));
        QVERIFY(text.contains(QLatin1String("1. nsg-es-cluster / allow-es-any")));
        QVERIFY(text.contains(QLatin1String("az network nsg rule create")));
        QVERIFY(text.contains(QLatin1String("Trend over the review's snapshots")));
        QVERIFY(text.contains(QLatin1String("2019-12-04")));
        QVERIFY(text.contains(QLatin1String("Due")));
        QVERIFY(text.contains(QLatin1String("Exposed since")));
        QVERIFY(!text.contains(QLatin1String(EW_SOURCE_DIR)));
    }

    void redacted()
    {
        ReportOptions options;
        options.redact = true;
        int pages = 0;
        const QString text = write(options, QStringLiteral("redacted.pdf"), &pages);
        QCOMPARE(pages, 11);
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
