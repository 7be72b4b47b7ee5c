#include "net/addressset.h"

#include <QTest>

#include <random>

using namespace ew;

namespace {
QString joined(const std::vector<std::string>& v)
{
    QStringList l;
    for (const auto& s : v)
        l << QString::fromStdString(s);
    return l.join(QLatin1Char(' '));
}
AddressSet set(const char* cidr)
{
    auto p = parsePrefix(cidr);
    return AddressSet::range(p->first, p->last);
}
} // namespace

class TestAddressSet : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("canonical");
        QTest::newRow("v4-prefix") << QStringLiteral("10.0.0.0/8") << true << QStringLiteral("10.0.0.0/8");
        QTest::newRow("v4-host") << QStringLiteral("52.1.2.3") << true << QStringLiteral("52.1.2.3/32");
        QTest::newRow("v4-host-bits-masked") << QStringLiteral("10.1.2.3/16") << true << QStringLiteral("10.1.0.0/16");
        QTest::newRow("v4-all") << QStringLiteral("0.0.0.0/0") << true << QStringLiteral("0.0.0.0/0");
        QTest::newRow("v4-spaces") << QStringLiteral(" 10.0.0.0/24 ") << true << QStringLiteral("10.0.0.0/24");
        QTest::newRow("v6-prefix") << QStringLiteral("2001:db8::/32") << true << QStringLiteral("2001:db8::/32");
        QTest::newRow("v6-host") << QStringLiteral("2603:1030:20e:3::23c") << true
                                 << QStringLiteral("2603:1030:20e:3::23c/128");
        QTest::newRow("v6-all") << QStringLiteral("::/0") << true << QString();
        QTest::newRow("bad-octet") << QStringLiteral("10.0.0.300/8") << false << QString();
        QTest::newRow("bad-length") << QStringLiteral("10.0.0.0/33") << false << QString();
        QTest::newRow("bad-empty-length") << QStringLiteral("10.0.0.0/") << false << QString();
        QTest::newRow("bad-three-octets") << QStringLiteral("10.0.0/8") << false << QString();
        QTest::newRow("bad-tag") << QStringLiteral("Internet") << false << QString();
        QTest::newRow("bad-v6-double-gap") << QStringLiteral("1::2::3") << false << QString();
        QTest::newRow("bad-range") << QStringLiteral("10.0.0.1-10.0.0.9") << false << QString();
    }
    void parse()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(QString, canonical);
        auto p = parsePrefix(text.toStdString());
        QCOMPARE(p.has_value(), valid);
        if (valid && !canonical.isEmpty())
            QCOMPARE(joined(AddressSet::range(p->first, p->last).toCidrs()), canonical);
    }

    void cidrCover_data()
    {
        QTest::addColumn<QString>("first");
        QTest::addColumn<QString>("last");
        QTest::addColumn<QString>("cidrs");
        QTest::newRow("aligned") << QStringLiteral("10.0.0.0") << QStringLiteral("10.0.0.255")
                                 << QStringLiteral("10.0.0.0/24");
        QTest::newRow("unaligned") << QStringLiteral("10.0.0.1") << QStringLiteral("10.0.0.6")
                                   << QStringLiteral("10.0.0.1/32 10.0.0.2/31 10.0.0.4/31 10.0.0.6/32");
        QTest::newRow("single") << QStringLiteral("8.8.8.8") << QStringLiteral("8.8.8.8")
                                << QStringLiteral("8.8.8.8/32");
        QTest::newRow("whole-v4") << QStringLiteral("0.0.0.0") << QStringLiteral("255.255.255.255")
                                  << QStringLiteral("0.0.0.0/0");
    }
    void cidrCover()
    {
        QFETCH(QString, first);
        QFETCH(QString, last);
        QFETCH(QString, cidrs);
        auto f = parseAddress(first.toStdString());
        auto l = parseAddress(last.toStdString());
        QVERIFY(f && l);
        QCOMPARE(joined(AddressSet::range(*f, *l).toCidrs()), cidrs);
    }

    void publicInternet_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("isPublic");
        QTest::newRow("google-dns") << QStringLiteral("8.8.8.8") << true;
        QTest::newRow("azure-public") << QStringLiteral("20.1.1.1") << true;
        QTest::newRow("rfc1918-10") << QStringLiteral("10.1.2.3") << false;
        QTest::newRow("rfc1918-172") << QStringLiteral("172.16.5.4") << false;
        QTest::newRow("rfc1918-192") << QStringLiteral("192.168.1.1") << false;
        QTest::newRow("cgnat") << QStringLiteral("100.64.0.1") << false;
        QTest::newRow("loopback") << QStringLiteral("127.0.0.1") << false;
        QTest::newRow("link-local") << QStringLiteral("169.254.1.1") << false;
        QTest::newRow("doc-198-51-100") << QStringLiteral("198.51.100.7") << false;
        QTest::newRow("multicast") << QStringLiteral("224.0.0.5") << false;
        QTest::newRow("v6-global") << QStringLiteral("2603:1030::1") << true;
        QTest::newRow("v6-ula") << QStringLiteral("fd00::1") << false;
        QTest::newRow("v6-doc") << QStringLiteral("2001:db8::1") << false;
    }
    void publicInternet()
    {
        QFETCH(QString, address);
        QFETCH(bool, isPublic);
        auto a = parseAddress(address.toStdString());
        QVERIFY(a);
        QCOMPARE(ew::publicInternet().contains(*a), isPublic);
    }

    void setOperationsAgreeWithMembership()
    {
        // Random sets of prefixes; every operation is checked against membership of sample points.
        std::mt19937 rng(7);
        auto randomSet = [&] {
            AddressSet s;
            const int n = static_cast<int>(rng() % 6);
            for (int i = 0; i < n; ++i) {
                const u128 base = kV4Base + (rng() & 0xffffff00u);
                const int len = 8 + static_cast<int>(rng() % 25);
                const u128 size = u128(1) << (32 - len);
                const u128 first = base & ~(size - 1);
                s.add(first, first + size - 1);
            }
            return s;
        };
        for (int round = 0; round < 300; ++round) {
            const AddressSet a = randomSet(), b = randomSet();
            const AddressSet u = a.united(b), i = a.intersected(b), d = a.subtracted(b);
            for (int k = 0; k < 40; ++k) {
                const u128 x = kV4Base + rng();
                QCOMPARE(u.contains(x), a.contains(x) || b.contains(x));
                QCOMPARE(i.contains(x), a.contains(x) && b.contains(x));
                QCOMPARE(d.contains(x), a.contains(x) && !b.contains(x));
            }
            QCOMPARE(a.intersects(b), !i.isEmpty());
            QCOMPARE(u.subtracted(b), d);
        }
    }

    void asymmetricSizesAgreeWithMembership()
    {
        // One side 16x larger than the other takes the binary-search path.
        std::mt19937 rng(11);
        AddressSet large;
        for (int i = 0; i < 400; ++i) {
            const u128 a = kV4Base + (rng() & 0xfffffff0u);
            large.add(a, a + (rng() % 8));
        }
        for (int round = 0; round < 100; ++round) {
            AddressSet small;
            for (int i = 0; i < 3; ++i) {
                const u128 a = kV4Base + (rng() & 0xfff00000u);
                small.add(a, a + (rng() & 0xfffff));
            }
            const AddressSet i1 = small.intersected(large), i2 = large.intersected(small);
            QCOMPARE(i1, i2);
            QCOMPARE(small.intersects(large), !i1.isEmpty());
            for (const auto& iv : large.intervals()) {
                QCOMPARE(i1.contains(iv.first), small.contains(iv.first));
                QCOMPARE(i1.contains(iv.last), small.contains(iv.last));
            }
            for (int k = 0; k < 50; ++k) {
                const u128 x = kV4Base + rng();
                QCOMPARE(i1.contains(x), small.contains(x) && large.contains(x));
            }
        }
    }

    // The sets kept in verdicts and findings live for the whole analysis: an operation's result is
    // stored at its size, without the spare room a vector grown by push_back keeps (issue 14).
    void resultsHoldNoSpareRoom_data()
    {
        QTest::addColumn<int>("operation"); // 0 united, 1 intersected, 2 subtracted
        QTest::addColumn<int>("smallSize"); // intervals in the second operand
        QTest::newRow("united, merging") << 0 << 37;
        QTest::newRow("intersected, merge walk") << 1 << 37;
        QTest::newRow("intersected, binary search") << 1 << 3;
        QTest::newRow("subtracted, splitting") << 2 << 37;
    }
    void resultsHoldNoSpareRoom()
    {
        QFETCH(int, operation);
        QFETCH(int, smallSize);
        std::mt19937 rng(5);
        AddressSet large, other;
        for (int i = 0; i < 200; ++i) {
            const u128 a = kV4Base + (rng() & 0xffffff00u);
            large.add(a, a + (rng() % 64));
        }
        for (int i = 0; i < smallSize; ++i) {
            const u128 a = kV4Base + (rng() & 0xf0000000u);
            other.add(a, a + (rng() & 0x0fffffffu));
        }
        const AddressSet r = operation == 0 ? large.united(other)
            : operation == 1                ? large.intersected(other)
                                            : large.subtracted(other);
        QVERIFY(r.intervals().size() > 5);
        QCOMPARE(r.intervals().capacity(), r.intervals().size());
        // And the result is the set: membership at every bound of both operands.
        for (const auto* s : { &large, &other })
            for (const auto& iv : s->intervals())
                for (const u128 x : { iv.first, iv.last, iv.last + 1 }) {
                    const bool inL = large.contains(x), inO = other.contains(x);
                    QCOMPARE(r.contains(x), operation == 0 ? inL || inO : operation == 1 ? inL && inO : inL && !inO);
                }
    }

    void cidrsRoundTrip()
    {
        const AddressSet s = set("52.0.0.0/8").united(set("10.0.0.0/8")).subtracted(set("52.10.0.0/16"));
        AddressSet back;
        for (const auto& c : s.toCidrs()) {
            auto p = parsePrefix(c);
            QVERIFY(p);
            back.add(p->first, p->last);
        }
        QCOMPARE(back, s);
        QCOMPARE(s.v4Count(), (std::uint64_t(1) << 24) * 2 - (std::uint64_t(1) << 16));
    }
};

QTEST_GUILESS_MAIN(TestAddressSet)
#include "tst_addressset.moc"
