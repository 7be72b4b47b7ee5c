#include "findings/engine.h"
#include "findings/incremental.h"
#include "generatedestate.h"
#include "generator/estategenerator.h"
#include "import/azureimporter.h"
#include "output/findingswriter.h"
#include "whatif/smallestfix.h"

#include "randomrounds.h"

#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <random>
#include <set>

using namespace ew;
using nlohmann::json;

namespace {

const char* kEsNsg = "/subscriptions/5f1c2a8e-0d3b-4c6f-9a7e-2b8d4e6f1a20/resourcegroups/rg-support-prod/providers/"
                     "microsoft.network/networksecuritygroups/nsg-es-cluster";

std::map<std::string, std::string> summary(const std::vector<Finding>& findings)
{
    std::map<std::string, std::string> out;
    for (const auto& f : findings) {
        std::string s = std::string(severityName(f.severity)) + " " + f.target.name + " " + f.protocol + " "
            + portsToString(f.ports) + " from";
        for (const auto& src : f.sources)
            s += " " + src;
        out[f.id] = s;
    }
    return out;
}

// Every finding in the analyze schema, in order: what "equal to a from-scratch analysis" means.
std::vector<std::string> canonical(const std::vector<Finding>& findings)
{
    std::vector<std::string> out;
    out.reserve(findings.size());
    for (const auto& f : findings)
        out.push_back(findingJson(f).dump());
    return out;
}

WhatIfEdit ruleEdit(WhatIfEdit::Kind kind, const std::string& nsg, const std::string& rule, json spec = {})
{
    WhatIfEdit e;
    e.kind = kind;
    e.nsgId = nsg;
    e.ruleName = rule;
    e.rule = std::move(spec);
    return e;
}

std::string firstDifference(const std::vector<std::string>& a, const std::vector<std::string>& b)
{
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        if (a[i] != b[i])
            return "finding " + std::to_string(i) + ":\nincremental " + a[i] + "\nfrom scratch " + b[i];
    return "counts " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
}

// Random edits of the kinds the workbench offers, valid or not (invalid ones must be refused).
class EditSource
{
public:
    explicit EditSource(unsigned seed)
        : m_rng(seed)
    { }

    WhatIfEdit next(const Snapshot& snap)
    {
        std::vector<const NetworkSecurityGroup*> nsgs;
        for (const auto& [id, n] : snap.nsgs)
            nsgs.push_back(&n);
        std::sort(nsgs.begin(), nsgs.end(), [](auto* a, auto* b) { return a->id < b->id; });
        const auto& nsg = *nsgs[pick(nsgs.size())];
        std::vector<const SecurityRule*> custom;
        for (const auto& r : nsg.rules)
            if (!r.isDefault && r.inbound)
                custom.push_back(&r);
        using Kind = WhatIfEdit::Kind;
        switch (pick(9)) {
        case 0:
        case 1:
            return ruleEdit(Kind::AddRule, nsg.id, {}, randomRule(snap, "whatif-" + std::to_string(++m_count)));
        case 2:
            if (!custom.empty()) {
                const auto* r = custom[pick(custom.size())];
                json spec = ruleJson(*r, snap);
                switch (pick(3)) {
                case 0:
                    spec["access"] = r->allow ? "Deny" : "Allow";
                    break;
                case 1:
                    spec.erase("sourceAddressPrefixes");
                    spec["sourceAddressPrefix"] = randomSource();
                    break;
                default:
                    spec.erase("destinationPortRanges");
                    spec["destinationPortRange"] = randomPorts();
                    break;
                }
                return ruleEdit(Kind::EditRule, nsg.id, r->name, spec);
            }
            break;
        case 3:
            if (!custom.empty())
                return ruleEdit(Kind::DeleteRule, nsg.id, custom[pick(custom.size())]->name);
            break;
        case 4:
            if (!custom.empty()) {
                const auto* r = custom[pick(custom.size())];
                return ruleEdit(r->disabled ? Kind::EnableRule : Kind::DisableRule, nsg.id, r->name);
            }
            break;
        case 5:
        case 6: {
            // Detach or attach at a subnet or a NIC.
            WhatIfEdit e;
            std::vector<std::string> ids;
            for (const auto& [id, s] : snap.subnets)
                ids.push_back(id);
            for (const auto& [id, n] : snap.nics)
                if (pick(20) == 0)
                    ids.push_back(id);
            std::sort(ids.begin(), ids.end());
            e.resourceId = ids[pick(ids.size())];
            e.kind = pick(2) ? Kind::DetachNsg : Kind::AttachNsg;
            e.nsgId = nsg.id;
            return e;
        }
        default: {
            std::vector<std::string> pips;
            for (const auto& [id, p] : snap.publicIps)
                pips.push_back(id);
            std::sort(pips.begin(), pips.end());
            if (!pips.empty()) {
                WhatIfEdit e;
                e.kind = Kind::RemovePublicIp;
                e.resourceId = pips[pick(pips.size())];
                return e;
            }
        }
        }
        return ruleEdit(Kind::AddRule, nsg.id, {}, randomRule(snap, "whatif-" + std::to_string(++m_count)));
    }

private:
    std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(m_rng); }
    std::string randomSource()
    {
        // AzureCloud is not modelled: an allow from it adds an assumption to what it reaches.
        static const char* sources[] = { "Internet", "*", "10.0.0.0/8", "VirtualNetwork", "203.0.113.0/24",
            "52.160.10.0/24", "0.0.0.0/1", "AzureLoadBalancer", "AzureCloud" };
        return sources[pick(std::size(sources))];
    }
    std::string randomPorts()
    {
        static const char* ports[] = { "22", "80-443", "*", "9200-9300", "3389", "1433", "5432", "1-1024" };
        return ports[pick(std::size(ports))];
    }
    std::string randomDestination()
    {
        // Sql is a service tag the engine does not model: the rule is assumed to apply (allow) or
        // not (deny), and the assumption is written on the findings it touches.
        static const char* destinations[] = { "*", "*", "*", "*", "VirtualNetwork", "VirtualNetwork", "Sql" };
        return destinations[pick(std::size(destinations))];
    }
    json randomRule(const Snapshot& snap, const std::string& name)
    {
        (void)snap;
        static const char* protocols[] = { "Tcp", "Udp", "*", "Icmp" };
        json r = { { "name", name }, { "priority", 100 + static_cast<int>(pick(3997)) },
            { "access", pick(2) ? "Allow" : "Deny" }, { "direction", "Inbound" },
            { "protocol", protocols[pick(std::size(protocols))] }, { "sourceAddressPrefix", randomSource() },
            { "destinationAddressPrefix", randomDestination() }, { "destinationPortRange", randomPorts() } };
        return r;
    }

    std::mt19937 m_rng;
    int m_count = 0;
};

} // namespace

class TestIncremental : public QObject
{
    Q_OBJECT
private:
    Snapshot m_incidentDay; // 2019-12-05
    Snapshot m_dayBefore; // 2019-12-04

    void checkSequence(const Snapshot& start, unsigned seed, int edits)
    {
        IncrementalAnalysis inc(start);
        EditSource source(seed);
        std::vector<WhatIfEdit> undo;
        std::map<std::string, std::string> previous;
        for (const auto& f : inc.findings())
            previous[f.id] = findingJson(f).dump();
        int applied = 0, refused = 0;
        for (int step = 0; step < edits; ++step) {
            // Every fourth step undoes the last edit, as the workbench's undo does.
            const bool isUndo = !undo.empty() && step % 4 == 3;
            const WhatIfEdit edit = isUndo ? undo.back() : source.next(inc.snapshot());
            WhatIfEdit inverse;
            FindingsDelta delta;
            std::string error;
            if (!inc.apply(edit, inverse, delta, error)) {
                QVERIFY2(!isUndo, ("an undo was refused: " + error).c_str());
                QVERIFY2(!error.empty(), "a refused edit must say why");
                ++refused;
                continue;
            }
            ++applied;
            if (isUndo)
                undo.pop_back();
            else
                undo.push_back(inverse);
            const auto incremental = canonical(inc.findings());
            const auto fromScratch = canonical(analyze(inc.snapshot()).findings);
            QVERIFY2(incremental == fromScratch,
                ("step " + std::to_string(step) + " (" + describeEdit(edit, inc.snapshot()) + ") "
                    + firstDifference(incremental, fromScratch))
                    .c_str());
            // The delta names exactly the findings that opened, closed or changed.
            std::map<std::string, std::string> now;
            for (const auto& f : inc.findings())
                now[f.id] = findingJson(f).dump();
            std::set<std::string> opened, closed, changed;
            for (const auto& [id, j] : now)
                if (!previous.count(id))
                    opened.insert(id);
                else if (previous[id] != j)
                    changed.insert(id);
            for (const auto& [id, j] : previous)
                if (!now.count(id))
                    closed.insert(id);
            const auto asSet
                = [](const std::vector<std::string>& v) { return std::set<std::string>(v.begin(), v.end()); };
            QVERIFY2(asSet(delta.opened) == opened, ("opened differs at step " + std::to_string(step)).c_str());
            QVERIFY2(asSet(delta.closed) == closed, ("closed differs at step " + std::to_string(step)).c_str());
            QVERIFY2(asSet(delta.changed) == changed, ("changed differs at step " + std::to_string(step)).c_str());
            previous = std::move(now);
        }
        QVERIFY(applied > edits / 2);
        qInfo("%d edits applied, %d refused", applied, refused);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_incidentDay = importSnapshot({ EW_SOURCE_DIR "/resources/demo/2019-12-05" });
        m_dayBefore = importSnapshot({ EW_SOURCE_DIR "/resources/demo/2019-12-04" });
        QVERIFY(!m_incidentDay.hasErrors());
    }

    void startsEqualToAnalyze()
    {
        IncrementalAnalysis inc(m_incidentDay);
        QCOMPARE(canonical(inc.findings()), canonical(analyze(m_incidentDay).findings));
        QCOMPARE(inc.result().assumptions, analyze(m_incidentDay).assumptions);
    }

    // Removing the rule added on 5 December gives back 4 December's exposure, finding by finding.
    void deletingTheIncidentRuleRestoresTheDayBefore()
    {
        IncrementalAnalysis inc(m_incidentDay);
        WhatIfEdit inverse;
        FindingsDelta delta;
        std::string error;
        QVERIFY2(inc.apply(ruleEdit(WhatIfEdit::Kind::DeleteRule, kEsNsg, "allow-es-any"), inverse, delta, error),
            error.c_str());
        QCOMPARE(summary(inc.findings()), summary(analyze(m_dayBefore).findings));
        QCOMPARE(canonical(inc.findings()), canonical(analyze(inc.snapshot()).findings));
        // The two-hop paths through the support portal (9200 from anyone) come out from under what
        // covered them on the incident day: the five nodes' own direct exposure, and kibana's path
        // through the nodes (9200-9300), which closes. No opened path adds exposure.
        QCOMPARE(delta.opened.size(), std::size_t(6));
        const auto incident = analyze(m_incidentDay);
        std::vector<const Finding*> incidentFindings;
        for (const auto& f : incident.findings)
            incidentFindings.push_back(&f);
        for (const auto& id : delta.opened) {
            const Finding* opened = inc.find(id);
            QVERIFY(opened && opened->hops == 2);
            QVERIFY(coveredByOthers(*opened, incidentFindings));
        }
        QCOMPARE(delta.closed.size(), std::size_t(1)); // kibana through the nodes
        // The five nodes, and the SSH paths through jump-01 to them and kibana, whose count of other
        // footholds fell (the nodes no longer reach each other on 9200-9300).
        QCOMPARE(delta.changed.size(), std::size_t(11));
        QCOMPARE(inverse.kind, WhatIfEdit::Kind::AddRule);
        QVERIFY(inc.apply(inverse, inverse, delta, error));
        QCOMPARE(canonical(inc.findings()), canonical(analyze(m_incidentDay).findings));
        // The five nodes again, and the two-hop paths whose evidence the re-added rule touches.
        QVERIFY(delta.changed.size() >= std::size_t(5));
    }

    void whatIfEdits_data()
    {
        QTest::addColumn<QString>("edit"); // the edit as review JSON
        QTest::addColumn<QString>("target"); // a finding's target to look at after the edit
        QTest::addColumn<QString>("expected"); // its severities after the edit ("" = no finding)
        const QString nsg = QString::fromLatin1(kEsNsg);
        // A deny from Internet before allow-es-any: the office rule (priority 100) still lets
        // 52.160.10.0/24 reach 9200, so the node stays exposed to that range only.
        QTest::newRow("deny-internet-before-deciding-rule")
            << QStringLiteral(R"({"kind":"add-rule","nsg":"%1","newRule":{"name":"deny-es-internet","priority":105,)"
                              R"("access":"Deny","protocol":"Tcp","sourceAddressPrefix":"Internet",)"
                              R"("destinationAddressPrefix":"*","destinationPortRange":"9200-9300"}})")
                   .arg(nsg)
            << QStringLiteral("es-support-01") << QStringLiteral("high");
        QTest::newRow("disable-deciding-rule")
            << QStringLiteral(R"({"kind":"disable-rule","nsg":"%1","rule":"allow-es-any"})").arg(nsg)
            << QStringLiteral("es-support-01") << QStringLiteral("high");
        QTest::newRow("narrow-source-of-deciding-rule") << QStringLiteral(
            R"({"kind":"edit-rule","nsg":"%1","rule":"allow-es-any","newRule":{"name":"allow-es-any",)"
            R"("priority":110,"access":"Allow","protocol":"Tcp","sourceAddressPrefix":"VirtualNetwork",)"
            R"("destinationAddressPrefix":"*","destinationPortRange":"9200-9300"}})")
                                                               .arg(nsg)
                                                        << QStringLiteral("es-support-01") << QStringLiteral("high");
        QTest::newRow("delete-office-rule-keeps-critical")
            << QStringLiteral(R"({"kind":"delete-rule","nsg":"%1","rule":"allow-es-office"})").arg(nsg)
            << QStringLiteral("es-support-01") << QStringLiteral("critical");
        QTest::newRow("remove-public-ip")
            << QStringLiteral(R"({"kind":"remove-public-ip","resource":"/subscriptions/5f1c2a8e-0d3b-4c6f-9a7e-)"
                              R"(2b8d4e6f1a20/resourceGroups/rg-support-prod/providers/Microsoft.Network/)"
                              R"(publicIPAddresses/pip-es-01"})")
            << QStringLiteral("es-support-01") << QString();
    }

    void whatIfEdits()
    {
        QFETCH(QString, edit);
        QFETCH(QString, target);
        QFETCH(QString, expected);
        WhatIfEdit e;
        std::string error;
        QVERIFY2(editFromJson(json::parse(edit.toStdString()), e, error), error.c_str());
        IncrementalAnalysis inc(m_incidentDay);
        const auto before = canonical(inc.findings());
        WhatIfEdit inverse;
        FindingsDelta delta;
        QVERIFY2(inc.apply(e, inverse, delta, error), error.c_str());
        QStringList severities;
        for (const auto& f : inc.findings())
            if (f.target.name == target.toStdString() && f.hops == 1)
                severities << QString::fromLatin1(severityName(f.severity));
        QCOMPARE(severities.join(QLatin1Char(',')), expected);
        QCOMPARE(canonical(inc.findings()), canonical(analyze(inc.snapshot()).findings));
        QVERIFY(!delta.empty());
        QVERIFY(inc.apply(inverse, inverse, delta, error));
        QCOMPARE(canonical(inc.findings()), before);
    }

    void refusedEdits_data()
    {
        QTest::addColumn<QString>("edit");
        QTest::addColumn<QString>("message");
        const QString nsg = QString::fromLatin1(kEsNsg);
        QTest::newRow("unknown-nsg") << QStringLiteral(R"({"kind":"delete-rule","nsg":"/x/nsg-nowhere","rule":"a"})")
                                     << QStringLiteral("there is no network security group /x/nsg-nowhere");
        QTest::newRow("unknown-rule") << QStringLiteral(R"({"kind":"delete-rule","nsg":"%1","rule":"nope"})").arg(nsg)
                                      << QStringLiteral("nsg-es-cluster has no rule named nope");
        QTest::newRow("default-rule")
            << QStringLiteral(R"({"kind":"delete-rule","nsg":"%1","rule":"DenyAllInBound"})").arg(nsg)
            << QStringLiteral("default rules, which cannot be changed or removed");
        QTest::newRow("priority-taken") << QStringLiteral(
            R"({"kind":"add-rule","nsg":"%1","newRule":{"name":"x","priority":110,"access":"Deny",)"
            R"("protocol":"Tcp","sourceAddressPrefix":"*","destinationAddressPrefix":"*",)"
            R"("destinationPortRange":"22"}})")
                                               .arg(nsg)
                                        << QStringLiteral("priority 110 is taken by allow-es-any in nsg-es-cluster");
        QTest::newRow("name-taken") << QStringLiteral(
            R"({"kind":"add-rule","nsg":"%1","newRule":{"name":"ALLOW-ES-ANY","priority":111,)"
            R"("access":"Deny","protocol":"Tcp","sourceAddressPrefix":"*",)"
            R"("destinationAddressPrefix":"*","destinationPortRange":"22"}})")
                                           .arg(nsg)
                                    << QStringLiteral("nsg-es-cluster already has a rule named allow-es-any");
        QTest::newRow("invalid-prefix") << QStringLiteral(
            R"({"kind":"add-rule","nsg":"%1","newRule":{"name":"x","priority":120,"access":"Deny",)"
            R"("protocol":"Tcp","sourceAddressPrefix":"10.0.0.300/8","destinationAddressPrefix":"*",)"
            R"("destinationPortRange":"22"}})")
                                               .arg(nsg)
                                        << QStringLiteral("invalid address prefix \"10.0.0.300/8\"");
        QTest::newRow("invalid-port-range")
            << QStringLiteral(R"({"kind":"add-rule","nsg":"%1","newRule":{"name":"x","priority":120,"access":"Deny",)"
                              R"("protocol":"Tcp","sourceAddressPrefix":"*","destinationAddressPrefix":"*",)"
                              R"("destinationPortRange":"90-80"}})")
                   .arg(nsg)
            << QStringLiteral("port range \"90-80\" starts after it ends");
        QTest::newRow("priority-out-of-range")
            << QStringLiteral(R"({"kind":"add-rule","nsg":"%1","newRule":{"name":"x","priority":5000,"access":"Deny",)"
                              R"("protocol":"Tcp","sourceAddressPrefix":"*","destinationAddressPrefix":"*",)"
                              R"("destinationPortRange":"22"}})")
                   .arg(nsg)
            << QStringLiteral("priority");
        // From a review file: a name that is not a string (json::value() threw type_error.302).
        QTest::newRow("name-not-a-string")
            << QStringLiteral(R"({"kind":"add-rule","nsg":"%1","newRule":{"name":5,"priority":5000,"access":"Deny",)"
                              R"("protocol":"Tcp","sourceAddressPrefix":"*","destinationAddressPrefix":"*",)"
                              R"("destinationPortRange":"22"}})")
                   .arg(nsg)
            << QStringLiteral("rule (unnamed): ");
        QTest::newRow("detach-without-nsg")
            << QStringLiteral(R"({"kind":"detach-nsg","resource":"/subscriptions/x/nowhere"})")
            << QStringLiteral("there is no subnet or network interface");
    }

    void refusedEdits()
    {
        QFETCH(QString, edit);
        QFETCH(QString, message);
        WhatIfEdit e;
        std::string error;
        QVERIFY2(editFromJson(json::parse(edit.toStdString()), e, error), error.c_str());
        IncrementalAnalysis inc(m_incidentDay);
        const auto before = canonical(inc.findings());
        WhatIfEdit inverse;
        FindingsDelta delta;
        QVERIFY(!inc.apply(e, inverse, delta, error));
        QVERIFY2(QString::fromStdString(error).contains(message), error.c_str());
        QCOMPARE(canonical(inc.findings()), before); // nothing changed
    }

    // A review's scenario may hold rules with values of any type; describing them and writing their az
    // commands (Export the Scenario's Changes) must not throw or cast out of range.
    void changeListOfOddRules_data()
    {
        QTest::addColumn<QString>("edit");
        QTest::addColumn<QString>("command");
        const QString nsg = QString::fromLatin1(kEsNsg);
        QTest::newRow("name-not-a-string")
            << QStringLiteral(R"({"kind":"edit-rule","nsg":"%1","rule":"allow-es-any","newRule":{"name":5,)"
                              R"("priority":110,"access":"Deny"}})")
                   .arg(nsg)
            << QStringLiteral("az network nsg rule update");
        QTest::newRow("fractional-priority")
            << QStringLiteral(R"({"kind":"add-rule","nsg":"%1","newRule":{"name":"x","priority":100.5}})").arg(nsg)
            << QStringLiteral("--priority 100.5 ");
        QTest::newRow("priority-beyond-long-long")
            << QStringLiteral(R"({"kind":"add-rule","nsg":"%1","newRule":{"name":"x","priority":1e300}})").arg(nsg)
            << QStringLiteral("--priority 1e+300 ");
    }
    void changeListOfOddRules()
    {
        QFETCH(QString, edit);
        QFETCH(QString, command);
        WhatIfEdit e;
        std::string error;
        QVERIFY2(editFromJson(json::parse(edit.toStdString()), e, error), error.c_str());
        QVERIFY(!describeEdit(e, m_incidentDay).empty());
        const std::string az = azCommand(e, m_incidentDay);
        QVERIFY2(QString::fromStdString(az).contains(command), az.c_str());
    }

    void editJsonRoundTrip()
    {
        WhatIfEdit e = ruleEdit(WhatIfEdit::Kind::AddRule, kEsNsg, {},
            { { "name", "deny-es" }, { "priority", 105 }, { "access", "Deny" }, { "protocol", "Tcp" },
                { "sourceAddressPrefix", "Internet" }, { "destinationPortRange", "9200-9300" } });
        WhatIfEdit back;
        std::string error;
        QVERIFY(editFromJson(editJson(e), back, error));
        QVERIFY(back == e);
        QVERIFY(!editFromJson(json { { "kind", "explode" } }, back, error));
        QCOMPARE(error, std::string("unknown edit kind \"explode\""));
        QVERIFY(!editFromJson(json { { "kind", "add-rule" }, { "nsg", "x" } }, back, error));
        QVERIFY2(error.find("newRule") != std::string::npos, error.c_str());
    }

    void changeList()
    {
        Scenario s;
        s.name = "close Elasticsearch";
        s.edits.push_back(ruleEdit(WhatIfEdit::Kind::AddRule, kEsNsg, {},
            { { "name", "deny-es-internet" }, { "priority", 105 }, { "access", "Deny" }, { "protocol", "Tcp" },
                { "sourceAddressPrefix", "Internet" }, { "destinationAddressPrefix", "*" },
                { "destinationPortRange", "9200-9300" } }));
        s.edits.push_back(ruleEdit(WhatIfEdit::Kind::DeleteRule, kEsNsg, "allow-es-any"));
        const std::string text = scenarioChangeList(s, m_incidentDay, false);
        QVERIFY2(text.find("1. Add rule deny-es-internet (priority 105: deny Tcp Internet -> * 9200-9300) to "
                           "nsg-es-cluster")
                != std::string::npos,
            text.c_str());
        QVERIFY2(text.find("az network nsg rule create --resource-group rg-support-prod --nsg-name nsg-es-cluster "
                           "--name deny-es-internet --priority 105 --direction Inbound --access Deny --protocol Tcp "
                           "--source-address-prefixes Internet --destination-address-prefixes '*' "
                           "--destination-port-ranges 9200-9300")
                != std::string::npos,
            text.c_str());
        QVERIFY2(text.find("az network nsg rule delete --resource-group rg-support-prod --nsg-name nsg-es-cluster "
                           "--name allow-es-any")
                != std::string::npos,
            text.c_str());
        QVERIFY(scenarioChangeList(s, m_incidentDay, true).find("```sh") != std::string::npos);
    }

    void smallestFix_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("hops");
        QTest::addColumn<QString>("proposal"); // the first (best) proposal's title
        QTest::addColumn<bool>("closes");
        QTest::addColumn<QString>("remaining");
        QTest::addColumn<QString>("breaks"); // the first break, "" when none
        // The office rule (priority 100) stays: a deny just before allow-es-any, to this node only,
        // takes away the internet-wide part and breaks nothing else.
        QTest::newRow("elasticsearch-node-deny-before-deciding-rule")
            << QStringLiteral("es-support-01") << 1
            << QStringLiteral("Deny Tcp 9200-9300 from Internet to 10.20.1.11 at priority 109 in nsg-es-cluster "
                              "(just before allow-es-any)")
            << false << QStringLiteral("high: tcp/5601,9200 from 52.160.10.0/24") << QString();
        QTest::newRow("jump-host-delete-the-only-rule")
            << QStringLiteral("jump-01") << 1 << QStringLiteral("Delete allow-ssh-office from nsg-mgmt") << true
            << QString() << QString();
        // Two-hop: the SQL server is reached from the portal; the only change that closes it stops
        // the portal's legitimate traffic too, and says so.
        QTest::newRow("two-hop-sql-breaks-the-portal")
            << QStringLiteral("sql-tickets-01") << 2 << QStringLiteral("Delete allow-sql-portal from nsg-data") << true
            << QString()
            << QStringLiteral("TCP 1433 from the virtual network and its peers (10.20.0.0/16) to "
                              "sql-tickets-01 would be stopped");
    }

    void smallestFix()
    {
        QFETCH(QString, target);
        QFETCH(int, hops);
        QFETCH(QString, proposal);
        QFETCH(bool, closes);
        QFETCH(QString, remaining);
        QFETCH(QString, breaks);
        checkSmallestFix(m_incidentDay, target, hops, proposal, closes, remaining, breaks);
    }

    // AWS rule lists take the same what-if edits within their own rules (EC2 API reference:
    // security groups have allow rules only; a network ACL's rule numbers are unique per direction
    // and its final "*" entries cannot be changed), and each edit is one AWS CLI command.
    void awsEditsAndCommands_data()
    {
        QTest::addColumn<QString>("edit");
        QTest::addColumn<QString>("says"); // in the refusal, or in the command when accepted
        QTest::addColumn<bool>("accepted");
        const QString sg = QStringLiteral("sg-0web0000000000001"), acl = QStringLiteral("acl-0default000000001");
        QTest::newRow("security-group-deny-refused")
            << QStringLiteral(R"({"kind":"add-rule","nsg":"%1","newRule":{"name":"d","access":"Deny","protocol":"Tcp",)"
                              R"("sourceAddressPrefix":"0.0.0.0/0","destinationPortRange":"22"}})")
                   .arg(sg)
            << QStringLiteral("allow rules only") << false;
        QTest::newRow("network-acl-final-entry-refused")
            << QStringLiteral(R"x({"kind":"delete-rule","nsg":"%1","rule":"* (32767)"})x").arg(acl)
            << QStringLiteral("final rule") << false;
        QTest::newRow("network-acl-rule-number-taken")
            << QStringLiteral(R"({"kind":"add-rule","nsg":"%1","newRule":{"name":"d","priority":100,"access":"Deny",)"
                              R"("protocol":"Tcp","sourceAddressPrefix":"0.0.0.0/0","destinationPortRange":"22"}})")
                   .arg(acl)
            << QStringLiteral("rule number 100 is taken") << false;
        QTest::newRow("network-acl-rule-number-out-of-range")
            << QStringLiteral(R"({"kind":"add-rule","nsg":"%1","newRule":{"name":"d","priority":40000,"access":"Deny",)"
                              R"("protocol":"Tcp","sourceAddressPrefix":"0.0.0.0/0","destinationPortRange":"22"}})")
                   .arg(acl)
            << QStringLiteral("1 to 32766") << false;
        QTest::newRow("revoke-security-group-rule")
            << QStringLiteral(R"({"kind":"delete-rule","nsg":"%1","rule":"in tcp 443 from 0.0.0.0/0"})").arg(sg)
            << QStringLiteral(
                   "aws ec2 revoke-security-group-ingress --group-id sg-0web0000000000001 --ip-permissions "
                   R"('[{"FromPort":443,"IpProtocol":"tcp","IpRanges":[{"CidrIp":"0.0.0.0/0"}],"ToPort":443}]')")
            << true;
        QTest::newRow("network-acl-deny-entry")
            << QStringLiteral(R"({"kind":"add-rule","nsg":"%1","newRule":{"name":"d","priority":90,"access":"Deny",)"
                              R"("protocol":"Tcp","sourceAddressPrefix":"0.0.0.0/0","destinationPortRange":"22"}})")
                   .arg(acl)
            << QStringLiteral("aws ec2 create-network-acl-entry --network-acl-id acl-0default000000001 --ingress "
                              "--rule-number 90 --protocol 6 --rule-action deny --cidr-block 0.0.0.0/0 --port-range "
                              "From=22,To=22")
            << true;
    }
    void awsEditsAndCommands()
    {
        QFETCH(QString, edit);
        QFETCH(QString, says);
        QFETCH(bool, accepted);
        const Snapshot snap = importSnapshot({ EW_TEST_DATA "/golden/aws-security-groups-routes-and-two-hop/input" });
        WhatIfEdit e;
        std::string error;
        QVERIFY2(editFromJson(json::parse(edit.toStdString()), e, error), error.c_str());
        const std::string command = azCommand(e, snap);
        IncrementalAnalysis inc(snap);
        WhatIfEdit inverse;
        FindingsDelta delta;
        QCOMPARE(inc.apply(e, inverse, delta, error), accepted);
        if (accepted) {
            QCOMPARE(QString::fromStdString(command), says);
            QCOMPARE(canonical(inc.findings()), canonical(analyze(inc.snapshot()).findings));
        } else {
            QVERIFY2(error.find(says.toStdString()) != std::string::npos, error.c_str());
        }
    }

    // AWS: a network ACL takes a deny entry with a lower rule number; a security group has allow
    // rules only, so its rule is narrowed to the VPC or revoked (Amazon VPC User Guide, "Security
    // group rules": "You can specify allow rules, but not deny rules").
    void smallestFixAws_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("hops");
        QTest::addColumn<QString>("proposal");
        QTest::addColumn<bool>("closes");
        QTest::addColumn<QString>("remaining");
        QTest::addColumn<QString>("breaks");
        // Two rules from two groups open web-1 (443 to everyone, 22 to one admin address): narrowing
        // the everyone rule to the VPC leaves the admin's SSH; web's other members lose 443 from
        // outside the VPC, and the proposal says so.
        QTest::newRow("aws-instance-ssh-and-https")
            << QStringLiteral("aws-security-groups-routes-and-two-hop") << QStringLiteral("web-1") << 1
            << QStringLiteral("Narrow the sources of in tcp 443 from 0.0.0.0/0 in web to 10.20.0.0/16 (no internet "
                              "addresses)")
            << false << QStringLiteral("low: tcp/22 from 81.2.69.160/32")
            << QStringLiteral("TCP 443 from private addresses outside the virtual network (on-premises, other "
                              "networks) to stale-1, web-1, worker-1 would be stopped");
        // Two-hop through web-1: a deny entry for web-1's address before the ACL's allow-all entry.
        QTest::newRow("aws-two-hop-orders-db")
            << QStringLiteral("aws-security-groups-routes-and-two-hop") << QStringLiteral("orders-db") << 2
            << QStringLiteral("Deny Tcp 5432 from 10.20.1.10/32 into subnet private-a at rule number 99 in "
                              "acl-0default000000001 (just before entry 100)")
            << true << QString()
            << QStringLiteral("TCP 5432 from the virtual network and its peers (10.20.0.0/16) to orders-db would be "
                              "stopped");
        // Through a Network Load Balancer that passes the client's address: the data subnet's ACL
        // takes a deny entry just before the entry that admits the internet.
        QTest::newRow("aws-nlb-cassandra")
            << QStringLiteral("aws-network-load-balancer-client-ip-preservation") << QStringLiteral("cassandra-1") << 1
            << QStringLiteral("Deny Tcp 9042 from Internet into subnet data-a at rule number 109 in data-acl (just "
                              "before entry 110)")
            << true << QString()
            << QStringLiteral("TCP 9042 from private addresses outside the virtual network (on-premises, other "
                              "networks) to cassandra-1 would be stopped");
    }
    void smallestFixAws()
    {
        QFETCH(QString, folder);
        QFETCH(QString, target);
        QFETCH(int, hops);
        QFETCH(QString, proposal);
        QFETCH(bool, closes);
        QFETCH(QString, remaining);
        QFETCH(QString, breaks);
        const Snapshot snap = importSnapshot({ EW_TEST_DATA "/golden/" + folder.toStdString() + "/input" });
        QVERIFY(!snap.hasErrors());
        checkSmallestFix(snap, target, hops, proposal, closes, remaining, breaks);
    }

    // Incremental equals from scratch on random edit sequences of AWS rule lists (security group
    // rules added, edited, revoked; network ACL entries; public addresses removed).
    void randomAwsEditSequences_data()
    {
        QTest::addColumn<QString>("folder");
        QTest::addColumn<unsigned>("seed");
        unsigned seed = 21;
        for (const char* folder : { "aws-security-groups-routes-and-two-hop", "aws-network-acl-stateless-first-match",
                 "aws-application-load-balancer-listener-to-targets",
                 "aws-network-load-balancer-client-ip-preservation", "aws-classic-load-balancer-instance-ports",
                 "aws-rds-publicly-accessible", "aws-opensearch-public-domain-access-policy", "aws-elasticache-two-hop",
                 "aws-aurora-cluster-public-member", "aws-redshift-publicly-accessible" })
            for (int k = 0; k < 2; ++k, ++seed)
                if (k < ew::test::randomRounds(2))
                    QTest::newRow(qPrintable(QStringLiteral("%1-seed-%2").arg(QLatin1String(folder)).arg(seed)))
                        << QString::fromLatin1(folder) << seed;
    }
    void randomAwsEditSequences()
    {
        QFETCH(QString, folder);
        QFETCH(unsigned, seed);
        const Snapshot snap = importSnapshot({ EW_TEST_DATA "/golden/" + folder.toStdString() + "/input" });
        QVERIFY(!snap.hasErrors());
        checkSequence(snap, seed, 60);
    }

private:
    void checkSmallestFix(const Snapshot& snap, const QString& target, int hops, const QString& proposal, bool closes,
        const QString& remaining, const QString& breaks)
    {
        IncrementalAnalysis inc(snap);
        const auto before = canonical(inc.findings());
        std::string id;
        for (const auto& f : inc.findings())
            if (f.target.name == target.toStdString() && f.hops == hops)
                id = f.id;
        QVERIFY(!id.empty());
        const auto proposals = proposeFixes(inc, id);
        QVERIFY(!proposals.empty());
        const auto& best = proposals.front();
        QCOMPARE(QString::fromStdString(best.title), proposal);
        QCOMPARE(best.closesFinding, closes);
        QCOMPARE(QString::fromStdString(best.remaining), remaining);
        QCOMPARE(best.breaks.empty() ? QString() : QString::fromStdString(best.breaks.front()), breaks);
        QVERIFY(best.opens.empty());
        QCOMPARE(canonical(inc.findings()), before); // every proposal was tried and undone
        // Trying the proposal for real gives what it promised.
        WhatIfEdit inverse;
        FindingsDelta delta;
        std::string error;
        QVERIFY2(inc.apply(best.edit, inverse, delta, error), error.c_str());
        QCOMPARE(inc.find(id) == nullptr, closes);
    }

private Q_SLOTS:
    // PERFORMANCE.md: "Incremental results must equal a from-scratch analysis after every edit of
    // a random edit sequence." On the demo and on generated estates with load balancers, NIC NSGs
    // and data stores (so two-hop paths and footholds change too).
    void randomEditSequences_data()
    {
        QTest::addColumn<int>("estate"); // 0: the demo; else the generator's seed
        QTest::addColumn<unsigned>("seed");
        // Two sequences on the demo, ten on generated estates (fewer with EW_RANDOM_ROUNDS).
        for (unsigned seed = 1; seed <= unsigned(ew::test::randomRounds(2)); ++seed)
            QTest::newRow(qPrintable(QStringLiteral("demo-seed-%1").arg(seed))) << 0 << seed;
        for (unsigned seed = 3; seed < 3 + unsigned(ew::test::randomRounds(10)); ++seed)
            QTest::newRow(qPrintable(QStringLiteral("generated-seed-%1").arg(seed))) << static_cast<int>(seed) << seed;
    }

    void randomEditSequences()
    {
        QFETCH(int, estate);
        QFETCH(unsigned, seed);
        if (estate == 0) {
            checkSequence(m_incidentDay, seed, 60);
            return;
        }
        EstateSpec spec;
        spec.nics = 160;
        spec.rulesPerNsg = 12;
        spec.nicsPerSubnet = 20;
        spec.dataStoreShare = 0.25;
        spec.loadBalancers = 2;
        spec.seed = static_cast<std::uint32_t>(estate);
        Snapshot snap;
        std::string error;
        QVERIFY2(test::generatedSnapshot(spec, snap, error), error.c_str());
        checkSequence(snap, seed, 80);
    }

    // analyze()'s engines keep only the allow rules' claims (Engine::keepAllowClaimsOnly), as it is
    // never edited: every verdict allows the same packets and gives the same evidence as one that
    // keeps every claim, and no deny rule's claim is left.
    void allowClaimsOnlyGiveTheSameEvidence()
    {
        EstateSpec spec;
        spec.nics = 160;
        spec.rulesPerNsg = 12;
        spec.nicsPerSubnet = 20;
        spec.loadBalancers = 2;
        spec.seed = 5;
        Snapshot snap;
        std::string error;
        QVERIFY2(test::generatedSnapshot(spec, snap, error), error.c_str());
        AnalysisOptions options;
        engine::Engine full(snap, options);
        engine::Engine lean(snap, options);
        lean.keepAllowClaimsOnly();
        std::size_t denyClaims = 0;
        std::size_t evidence = 0;
        for (const auto& [id, nic] : snap.nics)
            for (const auto& ipc : nic.ipConfigurations) {
                const auto a = full.evaluateTarget(nic, ipc, AddressSet::all(), true);
                const auto b = lean.evaluateTarget(nic, ipc, AddressSet::all(), true);
                QCOMPARE(a.levels.size(), b.levels.size());
                for (std::size_t k = 0; k < a.levels.size(); ++k) {
                    QCOMPARE(bool(a.levels[k].verdict), bool(b.levels[k].verdict));
                    if (!a.levels[k].verdict)
                        continue;
                    const auto& rules = a.levels[k].nsg->rules;
                    QVERIFY(a.levels[k].verdict->allowed == b.levels[k].verdict->allowed);
                    for (const auto& c : a.levels[k].verdict->claims)
                        denyClaims += rules[c.ruleIndex].allow ? 0 : 1;
                    for (const auto& c : b.levels[k].verdict->claims)
                        QVERIFY(rules[c.ruleIndex].allow);
                }
                const auto kept = full.evidence(a, *a.allowedAll);
                QVERIFY(engine::sameRules(kept, lean.evidence(b, *b.allowedAll)));
                evidence += kept.size();
            }
        QVERIFY(denyClaims > 0); // the estate's deny rules decide something
        QVERIFY(evidence > 0);
    }
};

QTEST_GUILESS_MAIN(TestIncremental)
#include "tst_incremental.moc"
