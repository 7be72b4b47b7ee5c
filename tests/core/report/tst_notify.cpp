#include "diff/series.h"
#include "findings/analyzer.h"
#include "import/importer.h"
#include "report/notify.h"

#include <QTest>

using namespace ew;

namespace {

std::string demo(const char* day)
{
    return std::string(EW_SOURCE_DIR "/resources/demo/") + day;
}

const NoticeItem* itemFor(const Notices& n, const std::string& target, const std::string& ports, std::string* owner)
{
    for (const auto& notice : n.owners)
        for (const auto& item : notice.items)
            if (item.finding->target.name == target && formatPortRanges(item.finding->ports) == ports) {
                *owner = notice.owner;
                return &item;
            }
    return nullptr;
}

} // namespace

// Issue 16, "Alerting service teams": owners from the review, a mapping file or tags; only what is
// to be acted on; due dates from a policy.
class TestNotify : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        m_snap = importSnapshot({ demo("2019-12-05") });
        QVERIFY(!m_snap.hasErrors());
        m_result = analyze(m_snap);
        QVERIFY(!m_result.findings.empty());
    }

    void ownerResolution_data()
    {
        QTest::addColumn<QString>("mapping"); // "" or "pattern=owner"
        QTest::addColumn<QString>("reviewOwner"); // decided owner of es-support-01's 9200 finding
        QTest::addColumn<QString>("ownerTags"); // comma-separated
        QTest::addColumn<QString>("owner");
        QTest::addColumn<QString>("basis");
        QTest::newRow("tag-owner") << QString() << QString() << QStringLiteral("owner,team")
                                   << QStringLiteral("support-platform@example.com") << QStringLiteral("tag owner");
        QTest::newRow("mapping-before-tag")
            << QStringLiteral("ES-SUPPORT-0?=search-team") << QString() << QStringLiteral("owner")
            << QStringLiteral("search-team") << QStringLiteral("mapping ES-SUPPORT-0?");
        QTest::newRow("mapping-glob-misses")
            << QStringLiteral("kibana-*=web-team") << QString() << QStringLiteral("owner")
            << QStringLiteral("support-platform@example.com") << QStringLiteral("tag owner");
        QTest::newRow("review-owner-first")
            << QStringLiteral("es-*=search-team") << QStringLiteral("alice") << QStringLiteral("owner")
            << QStringLiteral("alice") << QStringLiteral("review");
        QTest::newRow("no-owner-tag-configured")
            << QString() << QString() << QStringLiteral("team,contact") << QString() << QString();
    }
    void ownerResolution()
    {
        QFETCH(QString, mapping);
        QFETCH(QString, reviewOwner);
        QFETCH(QString, ownerTags);
        QFETCH(QString, owner);
        QFETCH(QString, basis);
        NotifyOptions options;
        options.date = "2019-12-06";
        options.maxFixes = 0;
        options.ownerTags.clear();
        for (const auto& t : ownerTags.split(QLatin1Char(','), Qt::SkipEmptyParts))
            options.ownerTags.push_back(t.toStdString());
        if (!mapping.isEmpty()) {
            const auto parts = mapping.split(QLatin1Char('='));
            options.mapping.push_back({ parts[0].toStdString(), parts[1].toStdString() });
        }
        std::map<std::string, Decision> decisions;
        const Finding* es = nullptr;
        for (const auto& f : m_result.findings)
            if (f.target.name == "es-support-01" && formatPortRanges(f.ports) == "5601, 9200-9300")
                es = &f;
        QVERIFY(es);
        if (!reviewOwner.isEmpty())
            decisions[es->id] = Decision { TriageState::Confirmed, reviewOwner.toStdString(), {}, {}, {}, {} };
        const Notices n = buildNotices(m_snap, m_result, options, &decisions);
        std::string got;
        const NoticeItem* item = itemFor(n, "es-support-01", "5601, 9200-9300", &got);
        QVERIFY(item);
        QCOMPARE(QString::fromStdString(got), owner);
        QCOMPARE(QString::fromStdString(item->ownerBasis), basis);
        // The notice file is named after the owner; the unowned go to unassigned.md, listed last.
        for (const auto& notice : n.owners)
            if (notice.owner == got)
                QCOMPARE(QString::fromStdString(notice.file),
                    owner.isEmpty() ? QStringLiteral("unassigned.md")
                                    : QStringLiteral("owner-")
                            + QString::fromStdString(got)
                                  .toLower()
                                  .replace(QLatin1Char('@'), QLatin1Char('-'))
                                  .replace(QLatin1Char('.'), QLatin1Char('-'))
                            + QStringLiteral(".md"));
        QVERIFY(n.owners.back().owner.empty()
            || std::none_of(n.owners.begin(), n.owners.end(), [](const auto& o) { return o.owner.empty(); }));
    }

    // Accepted risks, false positives and fixed findings are decided: no one is alerted about them.
    void decidedFindingsLeftOut_data()
    {
        QTest::addColumn<int>("state");
        QTest::addColumn<bool>("sent");
        QTest::newRow("new") << int(TriageState::New) << true;
        QTest::newRow("confirmed") << int(TriageState::Confirmed) << true;
        QTest::newRow("accepted-risk") << int(TriageState::AcceptedRisk) << false;
        QTest::newRow("false-positive") << int(TriageState::FalsePositive) << false;
        QTest::newRow("fixed") << int(TriageState::Fixed) << false;
    }
    void decidedFindingsLeftOut()
    {
        QFETCH(int, state);
        QFETCH(bool, sent);
        NotifyOptions options;
        options.date = "2019-12-06";
        options.maxFixes = 0;
        const Finding& f = m_result.findings.front();
        std::map<std::string, Decision> decisions;
        decisions[f.id].state = static_cast<TriageState>(state);
        const Notices n = buildNotices(m_snap, m_result, options, &decisions);
        bool found = false;
        std::size_t items = 0;
        for (const auto& notice : n.owners)
            for (const auto& item : notice.items) {
                found = found || item.finding->id == f.id;
                ++items;
            }
        QCOMPARE(found, sent);
        QCOMPARE(items + n.left, m_result.findings.size());
    }

    // With a baseline, only what is new or worse since it is sent (the day before the incident:
    // the Elasticsearch ports opened to everyone are worse, nothing else changed).
    void baselineSendsNewAndWorseOnly()
    {
        const AnalysisResult before = analyze(importSnapshot({ demo("2019-12-04") }));
        const auto standing = compareWithBaseline(m_result, &before, nullptr);
        NotifyOptions options;
        options.date = "2019-12-06";
        options.maxFixes = 0;
        const Notices n = buildNotices(m_snap, m_result, options, nullptr, nullptr, &standing);
        std::size_t items = 0;
        for (const auto& notice : n.owners)
            for (const auto& item : notice.items) {
                ++items;
                const auto st = standing.at(item.finding->id);
                QVERIFY(st == BaselineStatus::New || st == BaselineStatus::Worse);
                QCOMPARE(item.baseline, std::string(baselineStatusName(st)));
            }
        QVERIFY(items > 0);
        QVERIFY(items < m_result.findings.size());
    }

    // Due = exposed since + the policy's days for the severity; exposed since is the first
    // reviewed snapshot that had the finding.
    void dueDates_data()
    {
        QTest::addColumn<QString>("historyDate"); // "" = no history: the notice's date
        QTest::addColumn<QString>("policy");
        QTest::addColumn<QString>("since");
        QTest::addColumn<QString>("due");
        QTest::newRow("default-critical-one-day")
            << QString() << QString() << QStringLiteral("2019-12-31") << QStringLiteral("2020-01-01");
        QTest::newRow("history-gives-exposed-since") << QStringLiteral("2019-12-04") << QString()
                                                     << QStringLiteral("2019-12-04") << QStringLiteral("2019-12-05");
        QTest::newRow("configured-policy") << QString() << QStringLiteral("critical=3,high=14")
                                           << QStringLiteral("2019-12-31") << QStringLiteral("2020-01-03");
        QTest::newRow("no-due-for-severity")
            << QString() << QStringLiteral("high=7") << QStringLiteral("2019-12-31") << QString();
    }
    void dueDates()
    {
        QFETCH(QString, historyDate);
        QFETCH(QString, policy);
        QFETCH(QString, since);
        QFETCH(QString, due);
        NotifyOptions options;
        options.date = "2019-12-31";
        options.maxFixes = 0;
        if (!policy.isEmpty()) {
            std::string error;
            QVERIFY(DuePolicy::parse(policy.toStdString(), options.due, error));
        }
        const Finding* critical = nullptr;
        for (const auto& f : m_result.findings)
            if (f.severity == Severity::Critical && !critical)
                critical = &f;
        QVERIFY(critical);
        std::vector<ReviewedSnapshot> history;
        if (!historyDate.isEmpty()) {
            history.emplace_back();
            history.back().date = historyDate.toStdString();
            history.back().findings[critical->id] = "high";
        }
        const Notices n = buildNotices(m_snap, m_result, options, nullptr, &history);
        for (const auto& notice : n.owners)
            for (const auto& item : notice.items)
                if (item.finding == critical) {
                    QCOMPARE(QString::fromStdString(item.exposedSince), since);
                    QCOMPARE(QString::fromStdString(item.due), due);
                    const std::string md = noticeMarkdown(notice, n);
                    if (!due.isEmpty() && due < QStringLiteral("2019-12-31"))
                        QVERIFY(
                            md.find("due " + due.toStdString() + " (critical policy, overdue)") != std::string::npos);
                    return;
                }
        QFAIL("the critical finding is in no notice");
    }

    void addDays_data()
    {
        QTest::addColumn<QString>("date");
        QTest::addColumn<int>("days");
        QTest::addColumn<QString>("result");
        QTest::newRow("year-end") << QStringLiteral("2019-12-31") << 1 << QStringLiteral("2020-01-01");
        QTest::newRow("leap-day") << QStringLiteral("2020-02-28") << 1 << QStringLiteral("2020-02-29");
        QTest::newRow("ninety-days") << QStringLiteral("2019-12-05") << 90 << QStringLiteral("2020-03-04");
        QTest::newRow("not-a-month") << QStringLiteral("2019-13-01") << 1 << QString();
        QTest::newRow("not-a-date") << QStringLiteral("tomorrow") << 1 << QString();
    }
    void addDays()
    {
        QFETCH(QString, date);
        QFETCH(int, days);
        QFETCH(QString, result);
        QCOMPARE(QString::fromStdString(ew::addDays(date.toStdString(), days)), result);
    }

    void badMappingAndPolicy_data()
    {
        QTest::addColumn<QString>("mapping");
        QTest::addColumn<QString>("pointer");
        QTest::addColumn<QString>("message");
        QTest::newRow("not-json") << QStringLiteral("{\"owners\": [") << QString() << QStringLiteral("not JSON");
        QTest::newRow("no-owners") << QStringLiteral("{\"rules\": []}") << QString() << QStringLiteral("\"owners\"");
        QTest::newRow("owner-not-string") << QStringLiteral("{\"owners\": [{\"match\": \"a*\", \"owner\": 3}]}")
                                          << QStringLiteral("/owners/0/owner") << QStringLiteral("non-empty string");
        QTest::newRow("empty-match") << QStringLiteral("{\"owners\": [{\"match\": \"\", \"owner\": \"x\"}]}")
                                     << QStringLiteral("/owners/0/match") << QStringLiteral("non-empty string");
    }
    void badMappingAndPolicy()
    {
        QFETCH(QString, mapping);
        QFETCH(QString, pointer);
        QFETCH(QString, message);
        std::vector<OwnerRule> rules;
        std::vector<Diagnostic> diags;
        QVERIFY(!parseOwnerMapping(mapping.toStdString(), "owners.json", rules, diags));
        QCOMPARE(diags.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(diags[0].where.file), QStringLiteral("owners.json"));
        QCOMPARE(QString::fromStdString(diags[0].where.pointer), pointer);
        QVERIFY2(diags[0].message.find(message.toStdString()) != std::string::npos, diags[0].message.c_str());
        DuePolicy policy;
        std::string error;
        QVERIFY(!DuePolicy::parse("critical=soon", policy, error));
        QVERIFY(!DuePolicy::parse("urgent=1", policy, error));
    }

    // The notice proposes the smallest fix, as a command the service team can run.
    void fixProposedAsCommand()
    {
        NotifyOptions options;
        options.date = "2019-12-06";
        options.maxFixes = 3;
        const Notices n = buildNotices(m_snap, m_result, options);
        std::size_t withFix = 0;
        for (const auto& notice : n.owners)
            for (const auto& item : notice.items)
                if (!item.fix.empty()) {
                    ++withFix;
                    QVERIFY2(item.fixCommand.rfind("az network nsg rule ", 0) == 0, item.fixCommand.c_str());
                    QVERIFY(noticeMarkdown(notice, n).find(item.fixCommand) != std::string::npos);
                }
        QVERIFY(withFix > 0 && withFix <= 3);
        const auto index = noticesIndex(n);
        QCOMPARE(index["schema"].get<std::string>(), std::string("exposure-notify/1"));
        QCOMPARE(index["owners"].size(), n.owners.size());
    }

private:
    Snapshot m_snap;
    AnalysisResult m_result;
};

QTEST_GUILESS_MAIN(TestNotify)
#include "tst_notify.moc"
