// The AWS reader: documents recognised by their top-level key, AWS's protocol and port spellings,
// network ACLs' implied final rules, and every AWS sample read or skipped with a reason.
#include "import/importer.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace ew;

namespace {

Snapshot readOne(const QByteArray& json, const QString& name = QStringLiteral("doc.json"))
{
    QTemporaryDir dir;
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(json);
    f.close();
    return importSnapshot({ path.toStdString() });
}

QString diagnostics(const Snapshot& s)
{
    QStringList l;
    for (const auto& d : s.diagnostics)
        l << QString::fromStdString(d.toString());
    return l.join(QLatin1Char('\n'));
}

} // namespace

class TestAwsReader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // Which reader takes a document is decided by content. An Azure PowerShell object can carry a
    // "NetworkInterfaces" list too; AWS list items carry their AWS ids.
    void recognisedByContent_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("format");
        QTest::addColumn<bool>("skipped");
        QTest::newRow("security-groups") << QByteArray(R"({"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "a",
            "VpcId": "vpc-1", "IpPermissions": []}]})")
                                         << QStringLiteral("aws-cli") << false;
        QTest::newRow("empty-nat-gateways")
            << QByteArray(R"({"NatGateways": []})") << QStringLiteral("aws-cli") << false;
        QTest::newRow("azure-powershell-nsg-with-network-interfaces") << QByteArray(
            R"({"Id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n",
               "Name": "n", "ResourceGroupName": "rg", "SecurityRules": [], "NetworkInterfaces": [{"Id": "/x/nic"}]})")
                                                                      << QStringLiteral("powershell") << false;
        QTest::newRow("kafka-security-groups-are-strings")
            << QByteArray(R"({"SecurityGroups": ["sg-1"], "ClusterArn": "arn:aws:kafka:..."})") << QString() << true;
        QTest::newRow("botocore-examples") << QByteArray(R"({"version": "1.0", "examples": {"DescribeVpcs": []}})")
                                           << QStringLiteral("aws-documentation") << true;
        QTest::newRow("availability-zones") << QByteArray(R"({"AvailabilityZones": [{"ZoneName": "eu-west-1a"}]})")
                                            << QStringLiteral("aws-cli") << true;
        QTest::newRow("rds-clusters-not-yet")
            << QByteArray(R"({"DBClusters": [{"DBClusterIdentifier": "db"}]})") << QStringLiteral("aws-cli") << true;
    }
    void recognisedByContent()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, format);
        QFETCH(bool, skipped);
        const Snapshot s = readOne(json);
        QCOMPARE(s.files.size(), std::size_t(1));
        if (!format.isEmpty())
            QCOMPARE(QString::fromStdString(s.files[0].format), format);
        QCOMPARE(s.files[0].skipped, skipped);
        if (skipped)
            QVERIFY(!s.files[0].reason.empty());
    }

    // EC2 API reference, IpPermission.IpProtocol: "-1" is every protocol; names and numbers are
    // the same protocols; a protocol other than tcp, udp, icmp or icmpv6 has no ports.
    void protocolsAndPorts_data()
    {
        QTest::addColumn<QByteArray>("permission");
        QTest::addColumn<int>("protocols");
        QTest::addColumn<QString>("ports");
        QTest::newRow("all") << QByteArray(R"({"IpProtocol": "-1"})") << int(kAllProtocols)
                             << QStringLiteral("0-65535");
        QTest::newRow("tcp-name") << QByteArray(R"({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22})")
                                  << int(maskOf(Protocol::Tcp)) << QStringLiteral("22");
        QTest::newRow("tcp-number") << QByteArray(R"({"IpProtocol": "6", "FromPort": 80, "ToPort": 81})")
                                    << int(maskOf(Protocol::Tcp)) << QStringLiteral("80-81");
        QTest::newRow("udp-number") << QByteArray(R"({"IpProtocol": "17", "FromPort": 53, "ToPort": 53})")
                                    << int(maskOf(Protocol::Udp)) << QStringLiteral("53");
        QTest::newRow("icmp-type-code") << QByteArray(R"({"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1})")
                                        << int(maskOf(Protocol::Icmp)) << QStringLiteral("0-65535");
        QTest::newRow("icmpv6-number") << QByteArray(R"({"IpProtocol": "58", "FromPort": -1, "ToPort": -1})")
                                       << int(maskOf(Protocol::Icmp)) << QStringLiteral("0-65535");
        QTest::newRow("esp-other") << QByteArray(R"({"IpProtocol": "50"})") << int(maskOf(Protocol::Other))
                                   << QStringLiteral("0-65535");
    }
    void protocolsAndPorts()
    {
        QFETCH(QByteArray, permission);
        QFETCH(int, protocols);
        QFETCH(QString, ports);
        QByteArray p = permission;
        p.chop(1);
        p += R"(, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})";
        const Snapshot s = readOne(R"({"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "a", "VpcId": "vpc-1",
            "IpPermissions": [)"
            + p + "]}]}");
        QVERIFY2(!s.hasErrors(), qPrintable(diagnostics(s)));
        const auto& sg = s.nsgs.at("sg-1");
        QCOMPARE(sg.semantics, NetworkSecurityGroup::Semantics::AllowUnion);
        QCOMPARE(sg.rules.size(), std::size_t(1));
        QCOMPARE(int(sg.rules[0].protocols), protocols);
        QCOMPARE(QString::fromStdString(sg.rules[0].destinationPorts.toString()), ports);
    }

    void invalidPortRangeNamesItsPlace()
    {
        const Snapshot s = readOne(R"({"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "a", "VpcId": "vpc-1",
            "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 30, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]})");
        QVERIFY(s.hasErrors());
        QVERIFY2(diagnostics(s).contains(
                     QStringLiteral("#/SecurityGroups/0/IpPermissions/0: error: invalid port range 30--1")),
            qPrintable(diagnostics(s)));
    }

    // Amazon VPC User Guide, network ACLs: the final "*" rules (32767 for IPv4, 32768 for IPv6) deny
    // what no rule matched; exports list them, hand-written documents may not.
    void networkAclGetsItsFinalRules()
    {
        const Snapshot s = readOne(R"({"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": false,
            "Associations": [], "Entries": [{"CidrBlock": "0.0.0.0/0", "Egress": false, "Protocol": "6",
            "PortRange": {"From": 443, "To": 443}, "RuleAction": "allow", "RuleNumber": 100}]}]})");
        QVERIFY2(!s.hasErrors(), qPrintable(diagnostics(s)));
        const auto& acl = s.nsgs.at("acl-1");
        QVERIFY(acl.stateless);
        QCOMPARE(acl.semantics, NetworkSecurityGroup::Semantics::FirstMatch);
        QStringList names;
        for (const auto& r : acl.rules)
            names << QString::fromStdString((r.inbound ? "in " : "out ") + r.name);
        QCOMPARE(names,
            QStringList({ QStringLiteral("in 100"), QStringLiteral("in * (32767)"), QStringLiteral("in * (32768)"),
                QStringLiteral("out * (32767)"), QStringLiteral("out * (32768)") }));
    }

    void everySampleIsReadOrSkippedWithReason()
    {
        const QString root = QStringLiteral(EW_SAMPLES "/aws");
        if (!QFileInfo::exists(root))
            QSKIP("../shared/samples is not beside this checkout");
        int files = 0, used = 0;
        QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            if (path.endsWith(QLatin1String(".md")))
                continue;
            ++files;
            const Snapshot s = importSnapshot({ path.toStdString() });
            QCOMPARE(s.files.size(), std::size_t(1));
            for (const auto& d : s.diagnostics) {
                if (d.level != Diagnostic::Level::Error)
                    continue;
                // Batfish's fragments hold deliberately invalid port ranges (tcp from -1); they are
                // bad input and say so with their place.
                const bool batfishInvalid = path.contains(QStringLiteral("representation-aws-fragments"))
                    && d.message.find("invalid port range") == 0;
                const bool nothing = d.message.find("network or compute resources were found") != std::string::npos;
                QVERIFY2(batfishInvalid || nothing,
                    qPrintable(path + QStringLiteral(": ") + QString::fromStdString(d.toString())));
            }
            if (s.files[0].skipped)
                QVERIFY2(!s.files[0].reason.empty(), qPrintable(path));
            else
                ++used;
        }
        QVERIFY(files >= 100);
        QVERIFY2(used >= 50, qPrintable(QString::number(used)));
    }
};

QTEST_GUILESS_MAIN(TestAwsReader)
#include "tst_awsreader.moc"
