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
};

QTEST_GUILESS_MAIN(TestPacketSet)
#include "tst_packetset.moc"
