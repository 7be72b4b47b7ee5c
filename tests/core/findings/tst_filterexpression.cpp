#include "findings/filterexpression.h"

#include "model/snapshot.h"

#include <QTest>

#include <vector>

using namespace ew;

namespace {

// Six findings that differ in every field the filter reads, with the review's view of each.
struct Row
{
    Finding finding;
    TriageState state = TriageState::New;
    std::string owner;
    std::string note;
    FilterSubject::Change change = FilterSubject::Change::None;
    std::string text;
};

Finding finding(std::string id, std::string name, Severity severity, std::string protocol, std::vector<PortRange> ports,
    std::vector<std::string> sources, std::string rule)
{
    Finding f;
    f.id = std::move(id);
    f.target = { "/subscriptions/s/rg/" + name, name, "Microsoft.Compute/virtualMachines", StepKind::Machine };
    f.severity = severity;
    f.protocol = std::move(protocol);
    f.ports = std::move(ports);
    f.sources = std::move(sources);
    f.wholeInternet = f.sources == std::vector<std::string> { "0.0.0.0/0" };
    RuleEvidence r;
    r.filterName = "nsg-" + f.id;
    r.ruleName = std::move(rule);
    f.rules.push_back(r);
    return f;
}

std::vector<Row> rows()
{
    std::vector<Row> out;
    out.push_back(
        { finding("f1", "es-01", Severity::Critical, "tcp", { { 9200, 9300 } }, { "0.0.0.0/0" }, "allow-es-any"),
            TriageState::New, "", "", FilterSubject::Change::New, {} });
    out.back().finding.dataStore.engine = "elasticsearch";
    out.push_back({ finding(
                        "f2", "vm-2", Severity::High, "tcp", { { 22, 22 } }, { "203.0.113.0/24" }, "allow-ssh-office"),
        TriageState::AcceptedRisk, "platform-team", "keys are hardware-backed", FilterSubject::Change::Changed, {} });
    out.push_back(
        { finding("f3", "sql-01", Severity::High, "tcp", { { 1433, 1433 } }, { "198.51.100.7/32" }, "allow-sql"),
            TriageState::Confirmed, "dba", "", FilterSubject::Change::None, {} });
    out.back().finding.dataStore.engine = "sqlserver";
    out.back().finding.hops = 2;
    out.push_back(
        { finding("f4", "web", Severity::Medium, "tcp", { { 80, 80 }, { 443, 443 } }, { "0.0.0.0/0" }, "allow-web"),
            TriageState::FalsePositive, "Support-Web", "behind the CDN", FilterSubject::Change::None, {} });
    out.push_back({ finding("f5", "ping", Severity::Low, "icmp", {}, { "0.0.0.0/0" }, "allow-icmp"), TriageState::Fixed,
        "", "", FilterSubject::Change::None, {} });
    out.back().finding.target.type = "Microsoft.Sql/servers";
    out.back().finding.target.kind = StepKind::ManagedService;
    out.push_back({ finding("f6", "vm-10", Severity::Info, "udp", { { 53, 53 } }, { "2001:db8::/32" }, "allow-dns"),
        TriageState::New, "", "", FilterSubject::Change::None, {} });
    for (auto& r : out) {
        const Finding& f = r.finding;
        r.text = toLower(f.target.name + ' ' + f.id + ' ' + f.dataStore.engine + ' ' + f.protocol + ' '
            + formatPortRanges(f.ports) + ' ' + r.owner + ' ' + r.note);
        for (const auto& s : f.sources)
            r.text += ' ' + s;
        for (const auto& rule : f.rules)
            r.text += ' ' + toLower(rule.filterName + ' ' + rule.ruleName);
    }
    return out;
}

} // namespace

class TestFilterExpression : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void matches_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("expected"); // matched ids, in order

        QTest::newRow("empty-matches-all") << QString() << QStringLiteral("f1 f2 f3 f4 f5 f6");
        QTest::newRow("blank-matches-all") << QStringLiteral("   ") << QStringLiteral("f1 f2 f3 f4 f5 f6");
        QTest::newRow("issue-example") << QStringLiteral("severity>=high and port==9200 and not state:accepted")
                                       << QStringLiteral("f1");
        QTest::newRow("severity-at-least") << QStringLiteral("severity>=high") << QStringLiteral("f1 f2 f3");
        QTest::newRow("severity-above") << QStringLiteral("sev>high") << QStringLiteral("f1");
        QTest::newRow("severity-below") << QStringLiteral("severity<medium") << QStringLiteral("f5 f6");
        QTest::newRow("severity-at-most") << QStringLiteral("severity<=medium") << QStringLiteral("f4 f5 f6");
        QTest::newRow("severity-colon-is-equal") << QStringLiteral("severity:HIGH") << QStringLiteral("f2 f3");
        QTest::newRow("severity-not-equal") << QStringLiteral("severity!=high") << QStringLiteral("f1 f4 f5 f6");
        QTest::newRow("port-inside-range") << QStringLiteral("port==9250") << QStringLiteral("f1");
        QTest::newRow("port-single-equals") << QStringLiteral("port=22") << QStringLiteral("f2");
        QTest::newRow("port-colon") << QStringLiteral("port:443") << QStringLiteral("f4");
        QTest::newRow("port-range-overlaps") << QStringLiteral("port:1000-9200") << QStringLiteral("f1 f3");
        QTest::newRow("port-at-least") << QStringLiteral("port>=1433") << QStringLiteral("f1 f3");
        QTest::newRow("port-above") << QStringLiteral("port>1433") << QStringLiteral("f1");
        QTest::newRow("port-at-most") << QStringLiteral("port<=80") << QStringLiteral("f2 f4 f6");
        QTest::newRow("port-below") << QStringLiteral("port<53") << QStringLiteral("f2");
        // An ICMP finding has no ports: port conditions never hold, their negation always.
        QTest::newRow("port-not-equal") << QStringLiteral("port!=22") << QStringLiteral("f1 f3 f4 f5 f6");
        QTest::newRow("protocol") << QStringLiteral("protocol==udp") << QStringLiteral("f6");
        QTest::newRow("protocol-alias-not") << QStringLiteral("proto!=tcp") << QStringLiteral("f5 f6");
        QTest::newRow("state-accepted-alias") << QStringLiteral("state:accepted") << QStringLiteral("f2");
        QTest::newRow("state-full-name") << QStringLiteral("state==false-positive") << QStringLiteral("f4");
        QTest::newRow("state-fp") << QStringLiteral("state:fp") << QStringLiteral("f4");
        QTest::newRow("state-open") << QStringLiteral("state:open") << QStringLiteral("f1 f3 f6");
        QTest::newRow("state-not-fixed") << QStringLiteral("state!=fixed") << QStringLiteral("f1 f2 f3 f4 f6");
        QTest::newRow("owner-contains") << QStringLiteral("owner:team") << QStringLiteral("f2");
        QTest::newRow("owner-equal-any-case") << QStringLiteral("owner==support-web") << QStringLiteral("f4");
        QTest::newRow("owner-none") << QStringLiteral("owner==\"\"") << QStringLiteral("f1 f5 f6");
        QTest::newRow("owner-quoted-value") << QStringLiteral("note:\"the CDN\"") << QStringLiteral("f4");
        QTest::newRow("target-contains") << QStringLiteral("target:vm-") << QStringLiteral("f2 f6");
        QTest::newRow("name-equal") << QStringLiteral("name==vm-2") << QStringLiteral("f2");
        QTest::newRow("type-label") << QStringLiteral("type:\"virtual machine\"") << QStringLiteral("f1 f2 f3 f4 f6");
        QTest::newRow("type-as-input-names-it") << QStringLiteral("type:microsoft.sql") << QStringLiteral("f5");
        QTest::newRow("engine") << QStringLiteral("engine:elastic") << QStringLiteral("f1");
        QTest::newRow("engine-none") << QStringLiteral("engine==\"\"") << QStringLiteral("f2 f4 f5 f6");
        QTest::newRow("source-address-in-cidr")
            << QStringLiteral("source:203.0.113.9") << QStringLiteral("f1 f2 f4 f5");
        QTest::newRow("source-cidr-overlaps") << QStringLiteral("src:198.51.0.0/16") << QStringLiteral("f1 f3 f4 f5");
        QTest::newRow("source-ipv6") << QStringLiteral("from:2001:db8::1") << QStringLiteral("f6");
        QTest::newRow("source-not") << QStringLiteral("source!=203.0.113.9") << QStringLiteral("f3 f6");
        QTest::newRow("rule-name") << QStringLiteral("rule:allow-s") << QStringLiteral("f2 f3");
        QTest::newRow("rule-with-filter") << QStringLiteral("rule==nsg-f4/allow-web") << QStringLiteral("f4");
        QTest::newRow("change-new") << QStringLiteral("change:new") << QStringLiteral("f1");
        QTest::newRow("change-any") << QStringLiteral("change!=none") << QStringLiteral("f1 f2");
        QTest::newRow("id") << QStringLiteral("id==F3") << QStringLiteral("f3");
        QTest::newRow("hops") << QStringLiteral("hops>=2") << QStringLiteral("f3");
        QTest::newRow("word-name") << QStringLiteral("sql") << QStringLiteral("f3");
        QTest::newRow("words-all-must-match") << QStringLiteral("vm allow-ssh") << QStringLiteral("f2");
        QTest::newRow("word-number-is-a-port") << QStringLiteral("9200") << QStringLiteral("f1");
        QTest::newRow("word-number-in-text-or-port") << QStringLiteral("53") << QStringLiteral("f6");
        QTest::newRow("word-case-insensitive") << QStringLiteral("ES-01") << QStringLiteral("f1");
        QTest::newRow("word-address") << QStringLiteral("203.0.113.0/24") << QStringLiteral("f2");
        QTest::newRow("quoted-phrase") << QStringLiteral("\"hardware-backed\"") << QStringLiteral("f2");
        QTest::newRow("quoted-keyword-is-a-word") << QStringLiteral("\"the\"") << QStringLiteral("f4");
        QTest::newRow("ipv6-word-is-no-field") << QStringLiteral("2001:db8::/32") << QStringLiteral("f6");
        QTest::newRow("or") << QStringLiteral("port==22 or port==1433") << QStringLiteral("f2 f3");
        QTest::newRow("or-symbols") << QStringLiteral("port==22 || protocol==udp") << QStringLiteral("f2 f6");
        QTest::newRow("and-binds-tighter-than-or")
            << QStringLiteral("severity==critical or severity==high and owner:dba") << QStringLiteral("f1 f3");
        QTest::newRow("parentheses") << QStringLiteral("(severity==critical or severity==high) and state:open")
                                     << QStringLiteral("f1 f3");
        QTest::newRow("nested-parentheses") << QStringLiteral("((port:22)or(port:53))") << QStringLiteral("f2 f6");
        QTest::newRow("not-binds-tighter-than-and")
            << QStringLiteral("not state:new and severity>=high") << QStringLiteral("f2 f3");
        QTest::newRow("not-parentheses") << QStringLiteral("not (state:new or state:fixed)")
                                         << QStringLiteral("f2 f3 f4");
        QTest::newRow("bang") << QStringLiteral("!state:open && severity>=medium") << QStringLiteral("f2 f4");
        QTest::newRow("double-not") << QStringLiteral("not not change:new") << QStringLiteral("f1");
        QTest::newRow("minus-before-field") << QStringLiteral("-state:open severity>=high") << QStringLiteral("f2");
        QTest::newRow("minus-word-stays-a-word") << QStringLiteral("-01") << QStringLiteral("f1 f3");
        QTest::newRow("keywords-any-case")
            << QStringLiteral("port:22 OR port:53 AND NOT state:fixed") << QStringLiteral("f2 f6");
        QTest::newRow("no-match") << QStringLiteral("port==3389") << QString();
    }
    void matches()
    {
        QFETCH(QString, expression);
        QFETCH(QString, expected);
        FilterError error;
        const auto e = FilterExpression::parse(expression.toStdString(), error);
        QVERIFY2(e,
            qPrintable(QString::number(error.position) + QLatin1String(": ") + QString::fromStdString(error.message)));
        QStringList matched;
        for (const auto& r : rows()) {
            FilterSubject s { &r.finding, r.state, r.owner, r.note, r.change, r.text };
            if (e->matches(s))
                matched << QString::fromStdString(r.finding.id);
        }
        QCOMPARE(matched.join(QLatin1Char(' ')), expected);
    }

    void errors_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<int>("position"); // 0-based
        QTest::addColumn<QString>("message"); // part of it

        QTest::newRow("unknown-field") << QStringLiteral("sevrity>=high") << 0
                                       << QStringLiteral("unknown field 'sevrity'");
        QTest::newRow("unknown-field-later")
            << QStringLiteral("port==22 and http://x") << 13 << QStringLiteral("unknown field 'http'");
        QTest::newRow("bad-severity") << QStringLiteral("severity>=hihg") << 10
                                      << QStringLiteral("'hihg' is not a severity");
        QTest::newRow("missing-value") << QStringLiteral("severity>=") << 10
                                       << QStringLiteral("a value is expected after 'severity>='");
        QTest::newRow("missing-value-before-word")
            << QStringLiteral("port== 22") << 6 << QStringLiteral("a value is expected after 'port=='");
        QTest::newRow("port-not-a-number") << QStringLiteral("port==ssh") << 6 << QStringLiteral("'ssh' is not a port");
        QTest::newRow("port-too-large") << QStringLiteral("port<=70000") << 6 << QStringLiteral("is not a port");
        QTest::newRow("port-range-reversed")
            << QStringLiteral("port:9300-9200") << 5 << QStringLiteral("is not a port");
        QTest::newRow("port-range-ordered")
            << QStringLiteral("port>=1-2") << 6 << QStringLiteral("a port range goes with");
        QTest::newRow("ordered-op-on-text")
            << QStringLiteral("owner>=a") << 5 << QStringLiteral("'>=' does not apply to owner");
        QTest::newRow("bad-state") << QStringLiteral("state:acepted") << 6
                                   << QStringLiteral("'acepted' is not a triage state");
        QTest::newRow("bad-protocol") << QStringLiteral("proto==tpc") << 7 << QStringLiteral("'tpc' is not a protocol");
        QTest::newRow("bad-change") << QStringLiteral("change:worse") << 7 << QStringLiteral("'worse' is not a change");
        QTest::newRow("bad-source") << QStringLiteral("source:10.0.0.300") << 7
                                    << QStringLiteral("is not an address or CIDR");
        QTest::newRow("bad-hops") << QStringLiteral("hops>two") << 5 << QStringLiteral("is not a number of hops");
        QTest::newRow("and-at-end") << QStringLiteral("port==22 and") << 9
                                    << QStringLiteral("'and' needs a condition after it");
        QTest::newRow("and-at-start") << QStringLiteral("and port==22") << 0
                                      << QStringLiteral("'and' needs a condition before it");
        QTest::newRow("or-then-or") << QStringLiteral("a or or b") << 5
                                    << QStringLiteral("'or' needs a condition after it");
        QTest::newRow("not-at-end") << QStringLiteral("a and not") << 6
                                    << QStringLiteral("'not' needs a condition after it");
        QTest::newRow("bang-before-paren-close")
            << QStringLiteral("(a !)") << 4 << QStringLiteral("'!' needs a condition after it");
        QTest::newRow("unclosed-paren") << QStringLiteral("(port==22 or port==53") << 21
                                        << QStringLiteral("')' expected to close the '(' at column 1");
        QTest::newRow("stray-close") << QStringLiteral("port==22)") << 8
                                     << QStringLiteral("')' without a '(' before it");
        QTest::newRow("close-first") << QStringLiteral(") a") << 0 << QStringLiteral("')' without a '(' before it");
        QTest::newRow("empty-parens") << QStringLiteral("a ()") << 3 << QStringLiteral("nothing between '(' and ')'");
        QTest::newRow("unclosed-quote") << QStringLiteral("owner:\"support") << 6
                                        << QStringLiteral("the quote at column 7 is not closed");
        QTest::newRow("unclosed-quoted-word") << QStringLiteral("a \"b c") << 2 << QStringLiteral("is not closed");
    }
    void errors()
    {
        QFETCH(QString, expression);
        QFETCH(int, position);
        QFETCH(QString, message);
        FilterError error;
        const auto e = FilterExpression::parse(expression.toStdString(), error);
        QVERIFY(!e);
        QVERIFY2(QString::fromStdString(error.message).contains(message), error.message.c_str());
        QCOMPARE(int(error.position), position);
    }
};

QTEST_GUILESS_MAIN(TestFilterExpression)
#include "tst_filterexpression.moc"
