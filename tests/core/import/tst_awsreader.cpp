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

// Several documents in one folder: name, content, name, content, ...
Snapshot readFolder(const QStringList& files)
{
    QTemporaryDir dir;
    for (int i = 0; i + 1 < files.size(); i += 2) {
        const QString path = dir.filePath(files[i]);
        QDir().mkpath(QFileInfo(path).path());
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(files[i + 1].toUtf8());
    }
    return importSnapshot({ dir.path().toStdString() });
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
        QTest::newRow("target-health-without-its-target-group")
            << QByteArray(R"({"TargetHealthDescriptions": [{"Target": {"Id": "i-1", "Port": 80}}]})")
            << QStringLiteral("aws-cli") << true;
        QTest::newRow("load-balancer-attributes-batfish") << QByteArray(
            R"({"LoadBalancerAttributes": [{"LoadBalancerArn": "arn:aws:elasticloadbalancing:r:1:loadbalancer/net/a/b",
               "Attributes": [{"Key": "load_balancing.cross_zone.enabled", "Value": "true"}]}]})")
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

    // Elastic Load Balancing: listeners, rules, target groups and targets linked into one device per
    // load balancer, its nodes the interfaces Elastic Load Balancing made, else one per subnet.
    void loadBalancerLinking_data()
    {
        const QString lb = QStringLiteral(R"({"LoadBalancers": [{"LoadBalancerArn":
            "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/abc", "LoadBalancerName": "web",
            "Type": "application", "Scheme": "internet-facing", "VpcId": "vpc-1", "State": {"Code": "active"},
            "SecurityGroups": ["sg-lb"], "AvailabilityZones": [{"SubnetId": "subnet-1", "ZoneName": "a"},
            {"SubnetId": "subnet-2", "ZoneName": "b"}]}]})");
        const QString tg = QStringLiteral(R"({"TargetGroups": [{"TargetGroupArn":
            "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/tg/123", "TargetGroupName": "tg", "Protocol": "HTTP",
            "Port": 8080, "VpcId": "vpc-1", "LoadBalancerArns": ["arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/abc"]}]})");
        const QString instances = QStringLiteral(R"({"Reservations": [{"Instances": [{"InstanceId": "i-1",
            "SubnetId": "subnet-9", "PrivateIpAddress": "10.0.9.5", "NetworkInterfaces": [{"NetworkInterfaceId": "eni-1",
            "SubnetId": "subnet-9", "PrivateIpAddress": "10.0.9.5", "Attachment": {"DeviceIndex": 0},
            "PrivateIpAddresses": [{"Primary": true, "PrivateIpAddress": "10.0.9.5"}]}]}]}]})");
        const QString health = QStringLiteral(R"({"TargetHealthDescriptions": [{"Target": {"Id": "i-1", "Port": 8081},
            "TargetHealth": {"State": "healthy"}}]})");
        const QString healthPath = QStringLiteral(
            "elbv2-describe-target-health/arn%3Aaws%3Aelasticloadbalancing%3Aeu-west-1%3A1%3Atargetgroup%2Ftg%2F123");
        const QString listener = QStringLiteral(R"({"Listeners": [{"ListenerArn":
            "arn:aws:elasticloadbalancing:eu-west-1:1:listener/app/web/abc/l1", "LoadBalancerArn":
            "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/abc", "Port": 443, "Protocol": "HTTPS",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/tg/123"}]}]})");
        QTest::addColumn<QStringList>("files");
        QTest::addColumn<int>("nodes");
        QTest::addColumn<QString>("forward"); // frontend ports -> backend ports, with the number of targets
        QTest::addColumn<QString>("note"); // in a diagnostic or the forward's assumption

        QTest::newRow("cloudmapper-layout-target-health")
            << QStringList { QStringLiteral("lb.json"), lb, QStringLiteral("tg.json"), tg, QStringLiteral("i.json"),
                   instances, healthPath, health, QStringLiteral("l.json"), listener }
            << 2 << QStringLiteral("443 -> 8081 x1") << QString();
        QTest::newRow("no-listeners-assumes-any-port")
            << QStringList { QStringLiteral("lb.json"), lb, QStringLiteral("tg.json"), tg, QStringLiteral("i.json"),
                   instances, healthPath, health }
            << 2 << QStringLiteral("0-65535 -> 8081 x1")
            << QStringLiteral("assumed forwarded from a listener on any port");
        QTest::newRow("targets-unknown-without-target-health") << QStringList {
            QStringLiteral("lb.json"), lb, QStringLiteral("tg.json"), tg, QStringLiteral("l.json"), listener
        } << 2 << QString() << QStringLiteral("are not in the export (describe-target-health)");
        QTest::newRow("elb-interfaces-are-the-nodes")
            << QStringList { QStringLiteral("lb.json"), lb, QStringLiteral("eni.json"),
                   QStringLiteral(R"({"NetworkInterfaces": [{"NetworkInterfaceId": "eni-lb1", "SubnetId": "subnet-1",
                       "Description": "ELB app/web/abc", "InterfaceType": "interface", "PrivateIpAddress": "10.0.1.7",
                       "Groups": [{"GroupId": "sg-lb"}]}]})") }
            << 1 << QString() << QStringLiteral("has no listeners or target groups");
        QTest::newRow("listener-without-port") << QStringList {
            QStringLiteral("l.json"),
            QStringLiteral(R"({"Listeners": [{"ListenerArn": "arn:aws:elasticloadbalancing:r:1:listener/app/web/abc/l1",
                "Protocol": "HTTPS"}]})")
        } << 0 << QString() << QStringLiteral("#/Listeners/0: error: listener without a valid \"Port\"");
    }
    void loadBalancerLinking()
    {
        QFETCH(QStringList, files);
        QFETCH(int, nodes);
        QFETCH(QString, forward);
        QFETCH(QString, note);
        const Snapshot s = readFolder(files);
        QString all = diagnostics(s);
        int nodeCount = 0;
        for (const auto& [id, nic] : s.nics)
            nodeCount += nic.deviceId.empty() ? 0 : 1;
        QCOMPARE(nodeCount, nodes);
        QStringList forwards;
        for (const auto& [id, device] : s.proxies) {
            QCOMPARE(device.kind, ProxyDevice::Kind::LoadBalancer);
            QCOMPARE(int(device.nodeInterfaceIds.size()), nodes);
            for (const auto& fw : device.forwards) {
                forwards << QString::fromStdString(fw.frontendPorts.toString() + " -> " + fw.backendPorts.toString())
                        + QStringLiteral(" x") + QString::number(fw.backendIpConfigurationIds.size());
                all += QLatin1Char('\n') + QString::fromStdString(fw.assumption);
            }
        }
        QCOMPARE(forwards.join(QLatin1Char(',')), forward);
        if (!note.isEmpty())
            QVERIFY2(all.contains(note), qPrintable(all));
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
