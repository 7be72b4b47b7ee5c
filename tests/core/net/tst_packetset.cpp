#include "net/packetset.h"

#include <QTest>

#include <random>

using namespace ew;

class TestPacketSet : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void boxMembership_data()
    {
        QTest::addColumn<int>("protocol");
        QTest::addColumn<int>("port");
        QTest::addColumn<bool>("inside");
        // box: tcp+icmp, ports 80 and 443-444, sources 52.0.0.0/8
        QTest::newRow("tcp-80") << int(Protocol::Tcp) << 80 << true;
        QTest::newRow("tcp-444") << int(Protocol::Tcp) << 444 << true;
        QTest::newRow("tcp-445") << int(Protocol::Tcp) << 445 << false;
        QTest::newRow("udp-80") << int(Protocol::Udp) << 80 << false;
        // A box restricted to ports still holds ICMP when asked for: ports do not apply to ICMP.
        QTest::newRow("icmp") << int(Protocol::Icmp) << 0 << true;
        QTest::newRow("other") << int(Protocol::Other) << 0 << false;
    }
    void boxMembership()
    {
        QFETCH(int, protocol);
        QFETCH(int, port);
        QFETCH(bool, inside);
        PortSet ports = PortSet::range(80, 80);
        ports.add(443, 444);
        auto p = parsePrefix("52.0.0.0/8");
        const auto box = PacketSet::box(
            maskOf(Protocol::Tcp) | maskOf(Protocol::Icmp), ports, AddressSet::range(p->first, p->last));
        const u128 src = *parseAddress("52.1.2.3");
        QCOMPARE(box.contains(static_cast<Protocol>(protocol), static_cast<std::uint32_t>(port), src), inside);
        QVERIFY(!box.contains(Protocol::Tcp, 80, *parseAddress("8.8.8.8")));
    }

    void algebraAgreesWithMembership()
    {
        std::mt19937 rng(42);
        auto randomBox = [&] {
            PortSet ports;
            const std::uint32_t a = rng() % 65536, len = rng() % 2000;
            ports.add(a, std::min<std::uint32_t>(65535, a + len));
            const u128 base = kV4Base + (rng() & 0xff000000u);
            return PacketSet::box(static_cast<ProtocolMask>(1 + rng() % 15), ports,
                AddressSet::range(base, base + (rng() & 0x00ffffffu)));
        };
        auto randomSet = [&] {
            PacketSet s;
            const int n = 1 + static_cast<int>(rng() % 4);
            for (int i = 0; i < n; ++i)
                s = s.united(randomBox());
            return s;
        };
        for (int round = 0; round < 200; ++round) {
            const PacketSet a = randomSet(), b = randomSet();
            const PacketSet u = a.united(b), i = a.intersected(b), d = a.subtracted(b);
            // Results are kept at their size, for as long as the verdicts and findings holding them
            // live (issue 14): no spare room in any protocol's segments.
            for (const PacketSet* r : { &u, &i, &d })
                for (std::size_t p = 0; p < kProtocolCount; ++p) {
                    const auto& segments = r->segments(static_cast<Protocol>(p));
                    QCOMPARE(segments.capacity(), segments.size());
                }
            for (int k = 0; k < 50; ++k) {
                const auto proto = static_cast<Protocol>(rng() % 4);
                const std::uint32_t port = rng() % 65536;
                const u128 src = kV4Base + rng();
                const bool ia = a.contains(proto, port, src), ib = b.contains(proto, port, src);
                QCOMPARE(u.contains(proto, port, src), ia || ib);
                QCOMPARE(i.contains(proto, port, src), ia && ib);
                QCOMPARE(d.contains(proto, port, src), ia && !ib);
            }
            // extract = intersection taken out, in place; results stay canonical.
            PacketSet rest = a;
            const PacketSet taken = rest.extract(b);
            QCOMPARE(taken, i);
            QCOMPARE(rest, d);
            // Canonical form: equal sets compare equal however they were built.
            QCOMPARE(d.united(i), a);
            QCOMPARE(u.subtracted(b), d);
            QVERIFY(a.subtracted(a).isEmpty());
        }
    }

    void portsOfProtocol()
    {
        PortSet ports = PortSet::range(9200, 9200);
        ports.add(9300, 9301);
        const auto box = PacketSet::box(maskOf(Protocol::Tcp), ports, AddressSet::allV4());
        QCOMPARE(QString::fromStdString(box.ports(Protocol::Tcp).toString()), QStringLiteral("9200, 9300-9301"));
        QVERIFY(box.ports(Protocol::Udp).isEmpty());
    }

    // ICMP's ports are its type << 8 | code (AWS rules name them, EC2 API reference IcmpTypeCode).
    void icmpTypeCodes_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("probeType");
        QTest::addColumn<int>("probeCode");
        QTest::addColumn<bool>("matches");
        QTest::newRow("every-type") << -1 << -1 << QStringLiteral("every type") << 42 << 7 << true;
        QTest::newRow("echo-request-any-code") << 8 << -1 << QStringLiteral("echo-request (8)") << 8 << 0 << true;
        QTest::newRow("echo-request-not-reply") << 8 << -1 << QStringLiteral("echo-request (8)") << 0 << 0 << false;
        QTest::newRow("fragmentation-needed")
            << 3 << 4 << QStringLiteral("destination-unreachable (3) code 4") << 3 << 4 << true;
        QTest::newRow("fragmentation-needed-not-port-unreachable")
            << 3 << 4 << QStringLiteral("destination-unreachable (3) code 4") << 3 << 3 << false;
        QTest::newRow("unnamed-type") << 42 << -1 << QStringLiteral("type 42") << 42 << 255 << true;
    }
    void icmpTypeCodes()
    {
        QFETCH(int, type);
        QFETCH(int, code);
        QFETCH(QString, text);
        QFETCH(int, probeType);
        QFETCH(int, probeCode);
        QFETCH(bool, matches);
        const PortRange r = icmpTypeCode(type, code);
        QCOMPARE(QString::fromStdString(formatIcmpTypes({ r })), text);
        const PacketSet s = PacketSet::icmp(PortSet::range(r.first, r.last), AddressSet::allV4());
        const auto source = parseAddress("52.94.1.1");
        QVERIFY(source);
        QCOMPARE(s.contains(Protocol::Icmp, static_cast<std::uint32_t>(probeType << 8 | probeCode), *source), matches);
        // box() still means every ICMP type, whatever ports it is given (Azure rules have no types).
        QVERIFY(PacketSet::box(maskOf(Protocol::Icmp), PortSet::range(80, 80), AddressSet::allV4())
                    .contains(Protocol::Icmp, static_cast<std::uint32_t>(probeType << 8 | probeCode), *source));
    }

    void icmpTypesText()
    {
        PortSet s;
        for (const auto& [t, c] : { std::pair { 0, -1 }, std::pair { 1, -1 }, std::pair { 2, -1 }, std::pair { 4, -1 },
                 std::pair { 5, -1 }, std::pair { 13, 1 } }) {
            const auto r = icmpTypeCode(t, c);
            s.add(r.first, r.last);
        }
        QCOMPARE(QString::fromStdString(formatIcmpTypes(s.ranges())),
            QStringLiteral("types 0-2, source-quench (4), redirect (5), timestamp (13) code 1"));
    }
};

QTEST_GUILESS_MAIN(TestPacketSet)
#include "tst_packetset.moc"
