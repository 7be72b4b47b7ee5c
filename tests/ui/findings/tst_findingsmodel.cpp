#include "compare/comparison.h"
#include "findings/findingsfiltermodel.h"
#include "findings/findingsmodel.h"
#include "jobs/analysisjob.h"
#include "review/reviewdocument.h"
#include "review/triagecommands.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QUndoStack>

#include <map>

using namespace ew;
using namespace ew::ui;

class TestFindingsModel : public QObject
{
    Q_OBJECT
private:
    std::shared_ptr<const AnalysisData> m_data;

    // The targets of the rows, once each (a target may have a direct and two-hop findings).
    static QStringList targets(const QAbstractItemModel& m)
    {
        QStringList out;
        for (int r = 0; r < m.rowCount(); ++r)
            out << m.index(r, FindingsModel::TargetColumn).data().toString();
        out.sort();
        out.removeDuplicates();
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_data = AnalysisJob::run({ EW_SOURCE_DIR "/resources/demo/2019-12-05" }, {}, EW_SOURCE_DIR, {}, nullptr);
        QVERIFY(m_data);
        QCOMPARE(m_data->result.findings.size(), std::size_t(15));
    }

    void rawData()
    {
        ReviewDocument doc;
        FindingsModel model(&doc);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 0);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setAnalysis(m_data);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 15);
        QCOMPARE(model.columnCount(), int(FindingsModel::ColumnCount));
        const int row = model.rowOf(m_data->result.findings.front().id);
        QCOMPARE(row, 0);
        const Finding& f = m_data->result.findings.front();
        QCOMPARE(model.index(row, FindingsModel::SeverityColumn).data().toString(), QStringLiteral("Critical"));
        QCOMPARE(model.index(row, FindingsModel::SeverityColumn).data(FindingsModel::SortRole).toInt(),
            int(Severity::Critical));
        QCOMPARE(
            model.index(row, FindingsModel::TargetColumn).data().toString(), QString::fromStdString(f.target.name));
        QCOMPARE(model.index(row, FindingsModel::PortsColumn).data().toString(), QStringLiteral("tcp 5601, 9200-9300"));
        QCOMPARE(model.index(row, FindingsModel::PortsColumn).data(FindingsModel::SortRole).toInt(), 5601);
        QCOMPARE(
            model.index(row, FindingsModel::SourcesColumn).data().toString(), QStringLiteral("any internet address"));
        QCOMPARE(model.index(row, FindingsModel::DataStoreColumn).data().toString(), QStringLiteral("elasticsearch"));
        QCOMPARE(model.index(row, FindingsModel::StateColumn).data().toString(), QStringLiteral("New"));
        QCOMPARE(model.index(row, FindingsModel::IdColumn).data().toString(), QString::fromStdString(f.id));
        QCOMPARE(model.headerData(FindingsModel::PortsColumn, Qt::Horizontal).toString(), QStringLiteral("Ports"));
    }

    void decisionsUpdateRows()
    {
        ReviewDocument doc;
        FindingsModel model(&doc);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setAnalysis(m_data);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        const std::string id = m_data->result.findings[3].id;
        Decision d;
        d.state = TriageState::AcceptedRisk;
        d.owner = "ops";
        d.note = "behind a WAF";
        doc.undoStack()->push(new SetDecisionsCommand(&doc, { { id, d } }, QStringLiteral("triage")));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.front().at(0).value<QModelIndex>().row(), 3);
        QCOMPARE(model.index(3, FindingsModel::StateColumn).data().toString(), QStringLiteral("Accepted risk"));
        QCOMPARE(model.index(3, FindingsModel::OwnerColumn).data().toString(), QStringLiteral("ops"));
        QCOMPARE(model.index(3, FindingsModel::NoteColumn).data().toString(), QStringLiteral("behind a WAF"));
        doc.undoStack()->undo();
        QCOMPARE(model.index(3, FindingsModel::StateColumn).data().toString(), QStringLiteral("New"));
        QVERIFY(doc.review().decisions.empty()); // back to the default: nothing stored
    }

    void filter_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("minSeverity");
        QTest::addColumn<QString>("engine");
        QTest::addColumn<int>("port");
        QTest::addColumn<QStringList>("expected");
        const QStringList es = { QStringLiteral("es-support-01"), QStringLiteral("es-support-02"),
            QStringLiteral("es-support-03"), QStringLiteral("es-support-04"), QStringLiteral("es-support-05") };
        QTest::newRow("everything") << QString() << -1 << FindingsFilterModel::kAnyEngine << -1
                                    << (QStringList(es)
                                           << QStringLiteral("jump-01") << QStringLiteral("kibana-support")
                                           << QStringLiteral("sql-tickets-01") << QStringLiteral("support-portal"));
        // kibana-support is reached through an es-support node (its foothold): the text matches it too.
        QTest::newRow("text-name") << QStringLiteral("ES-SUPPORT") << -1 << FindingsFilterModel::kAnyEngine << -1
                                   << (QStringList(es) << QStringLiteral("kibana-support"));
        QTest::newRow("text-all-words") << QStringLiteral("support-02 elasticsearch") << -1
                                        << FindingsFilterModel::kAnyEngine << -1
                                        << QStringList { QStringLiteral("es-support-02") };
        QTest::newRow("text-rule-name") << QStringLiteral("allow-es-any") << -1 << FindingsFilterModel::kAnyEngine << -1
                                        << (QStringList(es) << QStringLiteral("kibana-support"));
        QTest::newRow("text-address") << QStringLiteral("40.91.12.23") << -1 << FindingsFilterModel::kAnyEngine << -1
                                      << QStringList { QStringLiteral("es-support-03") };
        // Issue 16: a number in the text is also a port ("9250" is inside 9200-9300).
        QTest::newRow("text-port-inside-range") << QStringLiteral("9250") << -1 << FindingsFilterModel::kAnyEngine << -1
                                                << (QStringList(es) << QStringLiteral("kibana-support"));
        QTest::newRow("text-port-and-word") << QStringLiteral("1433 tickets") << -1 << FindingsFilterModel::kAnyEngine
                                            << -1 << QStringList { QStringLiteral("sql-tickets-01") };
        QTest::newRow("text-port-nothing")
            << QStringLiteral("3389") << -1 << FindingsFilterModel::kAnyEngine << -1 << QStringList();
        QTest::newRow("critical-only") << QString() << int(Severity::Critical) << FindingsFilterModel::kAnyEngine << -1
                                       << es;
        QTest::newRow("high-and-above") << QString() << int(Severity::High) << FindingsFilterModel::kAnyEngine << -1
                                        << (QStringList(es)
                                               << QStringLiteral("kibana-support") << QStringLiteral("sql-tickets-01"));
        QTest::newRow("engine") << QString() << -1 << QStringLiteral("sqlserver") << -1
                                << QStringList { QStringLiteral("sql-tickets-01") };
        QTest::newRow("no-engine") << QString() << -1 << FindingsFilterModel::kNoEngine << -1
                                   << QStringList { QStringLiteral("jump-01"), QStringLiteral("support-portal") };
        QTest::newRow("any-data-store") << QString() << -1 << FindingsFilterModel::kAnyDataStore << -1
                                        << (QStringList(es)
                                               << QStringLiteral("kibana-support") << QStringLiteral("sql-tickets-01"));
        QTest::newRow("port-inside-range") << QString() << -1 << FindingsFilterModel::kAnyEngine << 9250
                                           << (QStringList(es) << QStringLiteral("kibana-support"));
        // SSH: the jump host, and the nodes and kibana through it.
        QTest::newRow("port-single") << QString() << -1 << FindingsFilterModel::kAnyEngine << 22
                                     << (QStringList(es)
                                            << QStringLiteral("jump-01") << QStringLiteral("kibana-support"));
        QTest::newRow("port-nothing") << QString() << -1 << FindingsFilterModel::kAnyEngine << 3389 << QStringList();
        QTest::newRow("combined") << QStringLiteral("support") << int(Severity::High)
                                  << FindingsFilterModel::kAnyDataStore << 9300
                                  << (QStringList(es) << QStringLiteral("kibana-support"));
    }
    void filter()
    {
        QFETCH(QString, text);
        QFETCH(int, minSeverity);
        QFETCH(QString, engine);
        QFETCH(int, port);
        QFETCH(QStringList, expected);
        ReviewDocument doc;
        FindingsModel model(&doc);
        FindingsFilterModel proxy(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setAnalysis(m_data);
        proxy.setText(text);
        proxy.setMinimumSeverity(minSeverity);
        proxy.setEngine(engine);
        proxy.setPort(port >= 0 ? std::optional<quint32>(quint32(port)) : std::nullopt);
        expected.sort();
        QCOMPARE(targets(proxy), expected);
    }

    void stateFilterFollowsTriage()
    {
        ReviewDocument doc;
        FindingsModel model(&doc);
        FindingsFilterModel proxy(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setAnalysis(m_data);
        proxy.setState(int(TriageState::Fixed));
        QCOMPARE(proxy.rowCount(), 0);
        Decision d;
        d.state = TriageState::Fixed;
        doc.undoStack()->push(new SetDecisionsCommand(&doc,
            { { m_data->result.findings[0].id, d }, { m_data->result.findings[8].id, d } }, QStringLiteral("fix")));
        QCOMPARE(proxy.rowCount(), 2); // dynamic filter
        doc.undoStack()->undo();
        QCOMPARE(proxy.rowCount(), 0);
    }

    void sorting()
    {
        ReviewDocument doc;
        FindingsModel model(&doc);
        FindingsFilterModel proxy(&model);
        model.setAnalysis(m_data);
        proxy.sort(FindingsModel::PortsColumn, Qt::AscendingOrder);
        QVERIFY2(proxy.index(0, FindingsModel::PortsColumn).data().toString().contains(QLatin1String("22")),
            qPrintable(proxy.index(0, FindingsModel::PortsColumn).data().toString())); // port 22 first
        proxy.sort(FindingsModel::SeverityColumn, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, FindingsModel::SeverityColumn).data().toString(), QStringLiteral("Low"));
        proxy.sort(FindingsModel::HopsColumn, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, FindingsModel::HopsColumn).data().toInt(), 2);
    }

    // Filter expressions (core's FilterExpression, tested there field by field) through the proxy,
    // with the review's decisions and a comparison's changes.
    void expression_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QStringList>("expected");
        const QStringList es = { QStringLiteral("es-support-01"), QStringLiteral("es-support-02"),
            QStringLiteral("es-support-03"), QStringLiteral("es-support-04"), QStringLiteral("es-support-05") };
        QTest::newRow("issue-example") << QStringLiteral("severity>=high and port==9200 and not state:accepted")
                                       << (QStringList(es) << QStringLiteral("kibana-support"));
        QTest::newRow("state-accepted") << QStringLiteral("state:accepted")
                                        << QStringList { QStringLiteral("jump-01"), QStringLiteral("support-portal") };
        QTest::newRow("owner") << QStringLiteral("owner==platform-team") << QStringList { QStringLiteral("jump-01") };
        QTest::newRow("bare-port-number")
            << QStringLiteral("9200") << (QStringList(es) << QStringLiteral("kibana-support"));
        QTest::newRow("words-and-field") << QStringLiteral("tickets port>=1000")
                                         << QStringList { QStringLiteral("sql-tickets-01") };
        // Open to the whole internet and not a data store; jump-01 takes SSH from 52.160.10.0/24 only.
        QTest::newRow("source-address") << QStringLiteral("source:40.91.12.23 and engine==\"\"")
                                        << QStringList { QStringLiteral("support-portal") };
        QTest::newRow("source-office") << QStringLiteral("source:52.160.10.7 -source:40.91.12.23 hops==1")
                                       << QStringList { QStringLiteral("jump-01") };
        QTest::newRow("or-parentheses") << QStringLiteral("(port==22 or port==1433) and hops==2")
                                        << (QStringList(es)
                                               << QStringLiteral("kibana-support") << QStringLiteral("sql-tickets-01"));
        QTest::newRow("rule") << QStringLiteral("rule:allow-es-any -target:kibana") << es;
        QTest::newRow("change-without-comparison") << QStringLiteral("change:new") << QStringList();
    }
    void expression()
    {
        QFETCH(QString, expression);
        QFETCH(QStringList, expected);
        ReviewDocument doc;
        FindingsModel model(&doc);
        FindingsFilterModel proxy(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setAnalysis(m_data);
        // The demo review's two decisions.
        std::map<std::string, Decision> decisions;
        for (const auto& f : m_data->result.findings)
            if (f.target.name == "jump-01" || f.target.name == "support-portal") {
                Decision d;
                d.state = TriageState::AcceptedRisk;
                d.owner = f.target.name == "jump-01" ? "platform-team" : "support-web";
                decisions[f.id] = d;
            }
        doc.undoStack()->push(new SetDecisionsCommand(&doc, decisions, QStringLiteral("triage")));
        proxy.setText(expression);
        QVERIFY2(!proxy.filterError(), qPrintable(proxy.filterError() ? proxy.filterError()->message : QString()));
        expected.sort();
        QCOMPARE(targets(proxy), expected);
    }

    // Text that does not parse keeps the rows of the last that did, and says where and why.
    void expressionErrorKeepsTheRows()
    {
        ReviewDocument doc;
        FindingsModel model(&doc);
        FindingsFilterModel proxy(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setAnalysis(m_data);
        proxy.setText(QStringLiteral("severity==critical"));
        QCOMPARE(proxy.rowCount(), 5);
        QSignalSpy criteria(&proxy, &FindingsFilterModel::criteriaChanged);
        proxy.setText(QStringLiteral("severity==critical and („a“ or"));
        QVERIFY(proxy.filterError());
        QCOMPARE(proxy.filterError()->column, 28); // characters, not UTF-8 bytes
        QVERIFY2(proxy.filterError()->message.contains(QLatin1String("'or' needs a condition after it")),
            qPrintable(proxy.filterError()->message));
        QCOMPARE(proxy.rowCount(), 5);
        QCOMPARE(criteria.count(), 0);
        proxy.setText(QStringLiteral("sevrity"));
        QVERIFY(!proxy.filterError()); // a word, not a field
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setText(QStringLiteral("sevrity>=high"));
        QCOMPARE(proxy.filterError()->column, 0);
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setText(QString());
        QVERIFY(!proxy.filterError());
        QCOMPARE(proxy.rowCount(), 15);
    }

    // Names sort as people count: vm-2 before vm-10, whatever the case.
    void naturalSort()
    {
        auto data = std::make_shared<AnalysisData>();
        for (const char* name : { "vm-10", "vm-2", "VM-3", "vm-1", "db-100", "db-20" }) {
            Finding f;
            f.id = std::string("EW-") + name;
            f.target.name = name;
            f.protocol = "tcp";
            f.ports = { { 22, 22 } };
            data->findingIndex[f.id] = data->result.findings.size();
            data->result.findings.push_back(f);
        }
        ReviewDocument doc;
        FindingsModel model(&doc);
        FindingsFilterModel proxy(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setAnalysis(data);
        proxy.sort(FindingsModel::TargetColumn, Qt::AscendingOrder);
        QStringList order;
        for (int r = 0; r < proxy.rowCount(); ++r)
            order << proxy.index(r, FindingsModel::TargetColumn).data().toString();
        QCOMPARE(order.join(QLatin1Char(' ')), QStringLiteral("db-20 db-100 vm-1 vm-2 VM-3 vm-10"));
        proxy.sort(FindingsModel::TargetColumn, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, FindingsModel::TargetColumn).data().toString(), QStringLiteral("vm-10"));
    }

    // Change and Exposed since: empty without a comparison and a history; with the demo review (its
    // history has 2019-12-04) and a comparison with that snapshot, filled and sortable.
    void changeAndExposedSinceColumns()
    {
        ReviewDocument doc;
        FindingsModel model(&doc);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        FindingsFilterModel proxy(&model);
        QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        doc.setAnalysis(m_data);
        model.setAnalysis(m_data);
        QVERIFY(!model.hasHistory());
        QCOMPARE(model.headerData(FindingsModel::ExposedSinceColumn, Qt::Horizontal).toString(),
            QStringLiteral("Exposed since"));
        for (int r = 0; r < model.rowCount(); ++r) {
            QCOMPARE(model.index(r, FindingsModel::ExposedSinceColumn).data().toString(), QString());
            QCOMPARE(model.index(r, FindingsModel::ChangeColumn).data().toString(), QString());
        }

        ReviewDocument reviewed;
        QString error;
        QVERIFY2(reviewed.load(QStringLiteral(EW_SOURCE_DIR "/resources/demo/incident-2019.review.json"), &error),
            qPrintable(error));
        FindingsModel withHistory(&reviewed);
        QAbstractItemModelTester historyTester(&withHistory, QAbstractItemModelTester::FailureReportingMode::QtTest);
        FindingsFilterModel sorted(&withHistory);
        reviewed.setAnalysis(m_data);
        withHistory.setAnalysis(m_data);
        QVERIFY(withHistory.hasHistory());
        const auto& before = reviewed.review().history.front();
        QCOMPARE(QString::fromStdString(before.date), QStringLiteral("2019-12-04"));
        int earlier = 0;
        for (int r = 0; r < withHistory.rowCount(); ++r) {
            const bool seen = before.findings.count(withHistory.finding(r)->id) > 0;
            earlier += seen;
            QCOMPARE(withHistory.index(r, FindingsModel::ExposedSinceColumn).data().toString(),
                seen ? QStringLiteral("2019-12-04") : QStringLiteral("2019-12-05"));
        }
        QVERIFY(earlier > 0 && earlier < withHistory.rowCount());
        sorted.sort(FindingsModel::ExposedSinceColumn, Qt::DescendingOrder);
        QCOMPARE(sorted.index(0, FindingsModel::ExposedSinceColumn).data().toString(), QStringLiteral("2019-12-05"));
        sorted.sort(FindingsModel::ExposedSinceColumn, Qt::AscendingOrder);
        QCOMPARE(sorted.index(0, FindingsModel::ExposedSinceColumn).data().toString(), QStringLiteral("2019-12-04"));

        // The comparison with the 4 December snapshot fills Change; it sorts by kind, not by text.
        const auto baseline
            = AnalysisJob::run({ EW_SOURCE_DIR "/resources/demo/2019-12-04" }, {}, EW_SOURCE_DIR, {}, nullptr);
        QVERIFY(baseline);
        QSignalSpy changed(&withHistory, &QAbstractItemModel::dataChanged);
        withHistory.setComparison(Comparison::make(baseline, m_data, QStringLiteral("2019-12-04")));
        QCOMPARE(changed.count(), 1);
        QStringList kinds;
        for (int r = 0; r < withHistory.rowCount(); ++r)
            kinds << withHistory.index(r, FindingsModel::ChangeColumn).data().toString();
        QVERIFY2(kinds.contains(QStringLiteral("new")), qPrintable(kinds.join(QLatin1Char(','))));
        sorted.sort(FindingsModel::ChangeColumn, Qt::DescendingOrder);
        const int top = sorted.index(0, FindingsModel::ChangeColumn).data(FindingsModel::SortRole).toInt();
        for (int r = 1; r < sorted.rowCount(); ++r)
            QVERIFY(sorted.index(r, FindingsModel::ChangeColumn).data(FindingsModel::SortRole).toInt() <= top);
        sorted.setText(QStringLiteral("change:new"));
        QCOMPARE(sorted.rowCount(), int(kinds.count(QStringLiteral("new"))));
    }
};

QTEST_MAIN(TestFindingsModel)
#include "tst_findingsmodel.moc"
