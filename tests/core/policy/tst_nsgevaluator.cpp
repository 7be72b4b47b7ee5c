#include "import/azureimporter.h"
#include "policy/nsgevaluator.h"

#include <QTest>

#include <random>

using namespace ew;

namespace {

AddressSet prefix(const char* text)
{
    auto p = parsePrefix(text);
    return AddressSet::range(p->first, p->last);
}

// Random rules as PacketSet boxes, with address boundaries that overlap often.
std::vector<CompiledRule> randomCompiled(std::mt19937& rng, int count)
{
    static const char* blocks[] = { "0.0.0.0/0", "52.0.0.0/8", "52.10.0.0/16", "52.10.20.0/24", "8.8.8.0/24",
        "20.0.0.0/6", "10.0.0.0/8", "64.0.0.0/2", "2603:1000::/24", "::/0" };
    std::vector<CompiledRule> rules;
    for (int i = 0; i < count; ++i) {
        PortSet ports;
        const int n = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < n; ++k) {
            if (rng() % 6 == 0) {
                ports.add(0, 65535);
            } else {
                const std::uint32_t a = rng() % 12000;
                ports.add(a, a + rng() % 300);
            }
        }
        AddressSet src;
        const int m = 1 + static_cast<int>(rng() % 2);
        for (int k = 0; k < m; ++k)
            src = src.united(prefix(blocks[rng() % (sizeof blocks / sizeof *blocks)]));
        rules.push_back({ static_cast<std::size_t>(i), rng() % 3 != 0,
            PacketSet::box(static_cast<ProtocolMask>(1 + rng() % 15), ports, src) });
    }
    // The implied DenyAllInBound
    rules.push_back(
        { static_cast<std::size_t>(count), false, PacketSet::box(kAllProtocols, PortSet::all(), AddressSet::all()) });
    return rules;
}

struct Packet
{
    Protocol protocol;
    std::uint32_t port;
    u128 source;
};

// Independent reference: the first rule (by priority) whose fields match the packet decides.
// Written from the Azure rule text, not from the packet-set code.
bool referenceAllows(const NetworkSecurityGroup& nsg, const Packet& p, u128 nicIp, const AddressSet& vnet)
{
    for (const auto& r : nsg.rules) {
        if (!r.inbound)
            continue;
        const bool protoOk = (r.protocols & maskOf(p.protocol)) != 0;
        const bool ported = p.protocol == Protocol::Tcp || p.protocol == Protocol::Udp;
        const bool portOk = ported ? r.destinationPorts.contains(p.port) : r.destinationPorts.isAll();
        auto matches = [&](const AddressMatch& m, u128 a, bool isSource) {
            if (m.any || m.prefixes.contains(a))
                return true;
            for (const auto& t : m.tags) {
                if (t == "VirtualNetwork" && vnet.contains(a))
                    return true;
                if (t == "Internet" && isSource && publicInternet().contains(a) && !vnet.contains(a)
                    && a != *parseAddress("168.63.129.16"))
                    return true;
                if (t == "AzureLoadBalancer" && a == *parseAddress("168.63.129.16"))
                    return true;
            }
            return false;
        };
        if (protoOk && portOk && matches(r.source, p.source, true) && matches(r.destination, nicIp, false))
            return r.allow;
    }
    return false;
}

} // namespace

class TestNsgEvaluator : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fastAgreesWithNaiveAtoms_data()
    {
        QTest::addColumn<int>("seed");
        QTest::addColumn<int>("rules");
        for (int seed = 1; seed <= 12; ++seed)
            for (int rules : { 3, 15, 40 })
                QTest::newRow(qPrintable(QStringLiteral("seed%1-rules%2").arg(seed).arg(rules))) << seed << rules;
    }
    void fastAgreesWithNaiveAtoms()
    {
        QFETCH(int, seed);
        QFETCH(int, rules);
        std::mt19937 rng(static_cast<unsigned>(seed));
        const auto compiled = randomCompiled(rng, rules);
        const PacketSet universe = PacketSet::box(kAllProtocols, PortSet::all(), publicInternet());
        const NsgVerdict fast = evaluateFirstMatch(compiled, universe);
        const PacketSet naive = evaluateNaiveAtoms(compiled, universe);
        QCOMPARE(fast.allowed, naive);
        QVERIFY(fast.undecided.isEmpty());
        // Claims partition what was decided: their union is the universe, pairwise disjoint.
        PacketSet all;
        for (const auto& c : fast.claims) {
            QVERIFY(!all.intersects(c.packets));
            all = all.united(c.packets);
        }
        QCOMPARE(all, universe);
    }

    // AWS, "Security group rules": "the rules of all security groups associated with the instance
    // are aggregated" and rules only allow. The union passes what any allow rule matches, in any
    // order; each allowing rule is evidence for every packet it matches (claims overlap).
    void allowUnionPassesWhatAnyRuleAllows_data()
    {
        QTest::addColumn<int>("seed");
        for (int seed = 1; seed <= 12; ++seed)
            QTest::newRow(qPrintable(QStringLiteral("seed%1").arg(seed))) << seed;
    }
    void allowUnionPassesWhatAnyRuleAllows()
    {
        QFETCH(int, seed);
        std::mt19937 rng(static_cast<unsigned>(seed));
        auto compiled = randomCompiled(rng, 20);
        compiled.pop_back(); // no implied deny-all: what no rule allows is simply not allowed
        for (auto& r : compiled)
            r.allow = true; // a security group holds allow rules only
        const PacketSet universe = PacketSet::box(kAllProtocols, PortSet::all(), publicInternet());
        const NsgVerdict v = evaluateAllowUnion(compiled, universe);
        PacketSet expected;
        for (const auto& r : compiled)
            expected = expected.united(r.packets.intersected(universe));
        QCOMPARE(v.allowed, expected);
        QCOMPARE(v.undecided, universe.subtracted(expected));
        // Order does not matter, unlike first match.
        auto reversed = compiled;
        std::reverse(reversed.begin(), reversed.end());
        QCOMPARE(evaluateAllowUnion(reversed, universe).allowed, v.allowed);
        // Every rule that matches something is a claim, with all it matches.
        std::size_t matching = 0;
        for (const auto& r : compiled)
            matching += r.packets.intersects(universe) ? 1 : 0;
        QCOMPARE(v.claims.size(), matching);
        for (const auto& c : v.claims) {
            const auto rule = std::find_if(
                compiled.begin(), compiled.end(), [&](const CompiledRule& r) { return r.ruleIndex == c.ruleIndex; });
            QCOMPARE(c.packets, rule->packets.intersected(universe));
        }
        // The same allow rules read first match pass the same packets.
        QCOMPARE(evaluateFirstMatch(compiled, universe).allowed, v.allowed);
    }

    // updateFirstMatch must give exactly the verdict a full evaluation of the changed rules gives:
    // the same allowed and undecided packets, the same claims by the same (renumbered) rules.
    void updateAgreesWithFullEvaluation_data()
    {
        QTest::addColumn<QString>("kindText");
        QTest::addColumn<int>("seed");
        for (const char* kind : { "add", "delete", "flip-access", "new-match", "move-earlier", "move-later", "disable",
                 "enable", "delete-default" })
            for (int seed = 1; seed <= 8; ++seed)
                QTest::newRow(qPrintable(QStringLiteral("%1-seed%2").arg(QLatin1String(kind)).arg(seed)))
                    << QString::fromLatin1(kind) << seed;
    }
    void updateAgreesWithFullEvaluation()
    {
        QFETCH(QString, kindText);
        QFETCH(int, seed);
        const std::string kind = kindText.toStdString();
        std::mt19937 rng(static_cast<unsigned>(seed));
        // Rules as the NSG holds them (index = position); a disabled rule is not compiled.
        auto before = randomCompiled(rng, 30);
        std::vector<bool> disabled(before.size(), false);
        disabled[7] = true;
        const auto extra = randomCompiled(rng, 1).front();
        auto compile = [](const std::vector<CompiledRule>& all, const std::vector<bool>& off) {
            std::vector<CompiledRule> out;
            for (std::size_t i = 0; i < all.size(); ++i)
                if (!off[i])
                    out.push_back({ i, all[i].allow, all[i].packets });
            return out;
        };
        const PacketSet universe = PacketSet::box(kAllProtocols, PortSet::all(), AddressSet::all());
        const NsgVerdict previous = evaluateFirstMatch(compile(before, disabled), universe);
        auto after = before;
        auto afterOff = disabled;
        RuleChange change;
        const std::size_t at = 3 + rng() % 20; // never the disabled rule 7 unless enabling it
        if (kind == "add") {
            after.insert(after.begin() + static_cast<std::ptrdiff_t>(at), extra);
            afterOff.insert(afterOff.begin() + static_cast<std::ptrdiff_t>(at), false);
            change.added = at;
        } else if (kind == "delete" || kind == "delete-default") {
            const std::size_t i = kind == "delete" ? (at == 7 ? 8 : at) : before.size() - 1;
            after.erase(after.begin() + static_cast<std::ptrdiff_t>(i));
            afterOff.erase(afterOff.begin() + static_cast<std::ptrdiff_t>(i));
            change.removed = i;
        } else if (kind == "flip-access" || kind == "new-match") {
            const std::size_t i = at == 7 ? 8 : at;
            if (kind == "flip-access")
                after[i].allow = !after[i].allow;
            else
                after[i] = extra;
            change.removed = change.added = i;
        } else if (kind == "move-earlier" || kind == "move-later") {
            const std::size_t from = kind == "move-earlier" ? 20 : 2;
            const std::size_t to = kind == "move-earlier" ? 2 : 20; // index after the move
            auto rule = after[from];
            after.erase(after.begin() + static_cast<std::ptrdiff_t>(from));
            afterOff.erase(afterOff.begin() + static_cast<std::ptrdiff_t>(from));
            after.insert(after.begin() + static_cast<std::ptrdiff_t>(to), rule);
            afterOff.insert(afterOff.begin() + static_cast<std::ptrdiff_t>(to), false);
            change.removed = from;
            change.added = to;
        } else if (kind == "disable") {
            const std::size_t i = at == 7 ? 8 : at;
            afterOff[i] = true;
            change.removed = change.added = i;
        } else { // enable
            afterOff[7] = false;
            change.removed = change.added = 7;
        }
        const auto rules = compile(after, afterOff);
        const NsgVerdict full = evaluateFirstMatch(rules, universe);
        const NsgVerdict updated = updateFirstMatch(previous, rules, universe, change);
        QCOMPARE(updated.allowed, full.allowed);
        QCOMPARE(updated.undecided, full.undecided);
        QCOMPARE(updated.claims.size(), full.claims.size());
        for (std::size_t i = 0; i < full.claims.size(); ++i) {
            QCOMPARE(updated.claims[i].ruleIndex, full.claims[i].ruleIndex);
            QVERIFY2(updated.claims[i].packets == full.claims[i].packets,
                qPrintable(QStringLiteral("claim of rule %1").arg(full.claims[i].ruleIndex)));
        }
    }

    void naivePortsAgreesWithNaiveAtoms()
    {
        std::mt19937 rng(99);
        const auto compiled = randomCompiled(rng, 6);
        const PacketSet universe = PacketSet::box(kAllProtocols, PortSet::all(), prefix("52.0.0.0/8"));
        QCOMPARE(evaluateNaivePorts(compiled, universe), evaluateNaiveAtoms(compiled, universe));
    }

    void compiledRulesAgreeWithPacketScan_data()
    {
        QTest::addColumn<int>("seed");
        for (int seed = 1; seed <= 20; ++seed)
            QTest::newRow(qPrintable(QStringLiteral("seed%1").arg(seed))) << seed;
    }
    void compiledRulesAgreeWithPacketScan()
    {
        QFETCH(int, seed);
        std::mt19937 rng(static_cast<unsigned>(seed));
        Snapshot snap;
        VirtualNetwork vnet;
        vnet.id = "vnet";
        vnet.addressSpace = prefix("10.0.0.0/16");
        snap.vnets["vnet"] = vnet;
        Subnet subnet;
        subnet.id = "vnet/subnets/s";
        subnet.vnetId = "vnet";
        subnet.prefixes = prefix("10.0.1.0/24");
        snap.subnets[subnet.id] = subnet;
        IpConfiguration ipc;
        ipc.id = "nic/ipc";
        ipc.name = "ipc";
        ipc.privateIp = *parseAddress("10.0.1.4");
        ipc.privateRange = AddressSet::range(*ipc.privateIp, *ipc.privateIp);
        ipc.subnetId = subnet.id;
        NetworkSecurityGroup nsg;
        nsg.id = "nsg";
        nsg.name = "nsg";
        static const char* sources[] = { "*", "Internet", "VirtualNetwork", "AzureLoadBalancer", "52.0.0.0/8",
            "52.10.0.0/16", "8.8.8.8", "10.0.0.0/8", "0.0.0.0/0" };
        static const char* dests[] = { "*", "10.0.1.4", "10.0.1.0/24", "10.0.2.0/24", "VirtualNetwork", "20.1.1.1" };
        const int n = 5 + static_cast<int>(rng() % 30);
        for (int i = 0; i < n; ++i) {
            SecurityRule r;
            r.name = "r" + std::to_string(i);
            r.priority = 100 + i * 10;
            r.allow = rng() % 3 != 0;
            r.protocols = std::array<ProtocolMask, 4> { kAllProtocols, maskOf(Protocol::Tcp), maskOf(Protocol::Udp),
                maskOf(Protocol::Icmp) }[rng() % 4];
            auto side = [&](const char* text) {
                AddressMatch m;
                if (std::string_view(text) == "*")
                    m.any = true;
                else if (auto p = parsePrefix(text))
                    m.prefixes.add(p->first, p->last);
                else
                    m.tags.emplace_back(text);
                return m;
            };
            r.source = side(sources[rng() % (sizeof sources / sizeof *sources)]);
            r.destination = side(dests[rng() % (sizeof dests / sizeof *dests)]);
            PortSet ports;
            if (rng() % 4 == 0)
                ports = PortSet::all();
            else {
                const std::uint32_t a = 20 + rng() % 10000;
                ports.add(a, a + rng() % 50);
            }
            r.destinationPorts = ports;
            nsg.rules.push_back(r);
        }
        for (auto& d : defaultSecurityRules("nsg", {}))
            nsg.rules.push_back(d);
        PolicyContext ctx(snap);
        std::vector<std::string> assumptions;
        const AddressSet universeSources = AddressSet::all();
        const auto compiled = compileInboundRules(nsg, ipc, ctx, universeSources, &assumptions);
        const NsgVerdict v
            = evaluateFirstMatch(compiled, PacketSet::box(kAllProtocols, PortSet::all(), universeSources));
        // Sample packets, biased towards rule boundaries.
        std::vector<u128> srcs;
        for (const char* s :
            { "52.10.20.30", "52.1.1.1", "8.8.8.8", "8.8.8.9", "10.0.5.5", "10.9.0.1", "168.63.129.16", "20.1.1.1" })
            srcs.push_back(*parseAddress(s));
        for (int k = 0; k < 3000; ++k) {
            Packet p { static_cast<Protocol>(rng() % 4), 0, srcs[rng() % srcs.size()] };
            if (rng() % 2 && !nsg.rules.empty()) {
                const auto& r = nsg.rules[rng() % nsg.rules.size()];
                const auto& rs = r.destinationPorts.ranges();
                p.port = rs.empty() ? 0 : (rng() % 2 ? rs.front().first : rs.back().last + (rng() % 2));
                p.port = std::min<std::uint32_t>(p.port, 65535);
            } else {
                p.port = rng() % 65536;
            }
            const bool expected = referenceAllows(nsg, p, *ipc.privateIp, vnet.addressSpace);
            if (v.allowed.contains(p.protocol, p.port, p.source) != expected)
                QFAIL(qPrintable(QStringLiteral("packet %1/%2 from %3: engine says %4, reference says %5")
                                     .arg(QString::fromLatin1(protocolName(p.protocol)))
                                     .arg(p.port)
                                     .arg(QString::fromStdString(formatAddress(p.source)))
                                     .arg(!expected)
                                     .arg(expected)));
        }
    }

    void groupKeySeparatesDestinationMatches()
    {
        Snapshot snap;
        Subnet subnet;
        subnet.id = "s";
        subnet.prefixes = prefix("10.0.1.0/24");
        snap.subnets["s"] = subnet;
        NetworkSecurityGroup nsg;
        nsg.id = "nsg";
        SecurityRule r;
        r.name = "to-host";
        r.priority = 100;
        r.allow = true;
        r.source.any = true;
        r.destination.prefixes = prefix("10.0.1.4/32");
        nsg.rules.push_back(r);
        PolicyContext ctx(snap);
        IpConfiguration a, b, c;
        for (auto* i : { &a, &b, &c })
            i->subnetId = "s";
        a.privateRange = prefix("10.0.1.4/32");
        b.privateRange = prefix("10.0.1.5/32");
        c.privateRange = prefix("10.0.1.6/32");
        QVERIFY(inboundGroupKey(nsg, a, ctx) != inboundGroupKey(nsg, b, ctx));
        QCOMPARE(inboundGroupKey(nsg, b, ctx), inboundGroupKey(nsg, c, ctx));
    }
};

QTEST_GUILESS_MAIN(TestNsgEvaluator)
#include "tst_nsgevaluator.moc"
