// The AWS reader: documents recognised by their top-level key, AWS's protocol and port spellings,
// network ACLs' implied final rules, and every AWS sample read or skipped with a reason.
#include "import/importer.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace ew;

namespace {

Snapshot readOne(const QByteArray& json, const QString& name = QStringLiteral("doc.json"))
{
    QTemporaryDir dir;
    const QString path = dir.filePath(name);
    QDir().mkpath(QFileInfo(path).path()); // a collector's layout: ec2-get-managed-prefix-list-entries/<id>
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(json);
    f.close();
    return importSnapshot({ path.toStdString() });
}

// Documents laid out as a collector stores them: name, content, name, content, ...
Snapshot readLayout(const QStringList& files)
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

// Several documents in one folder, read as one export (f0.json, f1.json, ...).
Snapshot readFolder(const QStringList& documents)
{
    QTemporaryDir dir;
    for (int i = 0; i < documents.size(); ++i) {
        QFile f(dir.filePath(QStringLiteral("f%1.json").arg(i)));
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(documents[i].toUtf8());
    }
    return importSnapshot({ dir.path().toStdString() });
}

const ManagedDataService* serviceNamed(const Snapshot& s, const QString& name)
{
    for (const auto& [id, svc] : s.dataServices)
        if (QString::fromStdString(svc.name) == name)
            return &svc;
    return nullptr;
}

const IpConfiguration* interfaceOf(const Snapshot& s, const ManagedDataService& svc)
{
    for (const auto& [id, nic] : s.nics)
        if (nic.serviceId == svc.id && !nic.ipConfigurations.empty())
            return &nic.ipConfigurations.front();
    return nullptr;
}

QString joined(const std::vector<std::string>& lines)
{
    QStringList l;
    for (const auto& line : lines)
        l << QString::fromStdString(line);
    return l.join(QLatin1Char('\n'));
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
        QTest::newRow("rds-clusters") << QByteArray(R"({"DBClusters": [{"DBClusterIdentifier": "db",
            "Engine": "aurora-mysql", "DBClusterMembers": []}]})")
                                      << QStringLiteral("aws-cli") << false;
        QTest::newRow("rds-subnet-groups") << QByteArray(R"({"DBSubnetGroups": [{"DBSubnetGroupName": "g",
            "VpcId": "vpc-1", "Subnets": []}]})")
                                           << QStringLiteral("aws-cli") << false;
        QTest::newRow("redshift-clusters") << QByteArray(R"({"Clusters": [{"ClusterIdentifier": "r1",
            "NodeType": "dc2.large", "Endpoint": {"Address": "r1.example", "Port": 5439}}]})")
                                           << QStringLiteral("aws-cli") << false;
        // "Clusters" of another service: DAX's items have ClusterName, MemoryDB's Name.
        QTest::newRow("dax-clusters-skipped") << QByteArray(R"({"Clusters": [{"ClusterName": "dax1",
            "ClusterArn": "arn:aws:dax:eu-west-1:111122223333:cache/dax1", "NodeType": "dax.r5.large"}]})")
                                              << QStringLiteral("aws-cli") << true;
        QTest::newRow("memorydb-clusters-skipped") << QByteArray(R"({"Clusters": [{"Name": "sessions",
            "NodeType": "db.r6g.large", "ARN": "arn:aws:memorydb:eu-west-1:111122223333:cluster/sessions"}]})")
                                                   << QStringLiteral("aws-cli") << true;
        QTest::newRow("cloudsearch-domains-skipped") << QByteArray(R"({"DomainStatusList": [{"DomainId":
            "111122223333/movies", "DomainName": "movies", "ARN": "arn:aws:cloudsearch:eu-west-1:111122223333:domain/movies",
            "Created": true, "Deleted": false, "SearchService": {"Endpoint": "search-movies-x.eu-west-1.cloudsearch.amazonaws.com"},
            "DocService": {"Endpoint": "doc-movies-x.eu-west-1.cloudsearch.amazonaws.com"}}]})")
                                                     << QStringLiteral("aws-cli") << true;
        QTest::newRow("opensearch-domain-status") << QByteArray(R"({"DomainStatus": {"DomainName": "d",
            "ARN": "arn:aws:es:eu-west-1:111122223333:domain/d", "Endpoint": "search-d-x.eu-west-1.es.amazonaws.com",
            "EngineVersion": "OpenSearch_2.17", "AccessPolicies": ""}})")
                                                  << QStringLiteral("aws-cli") << false;
        QTest::newRow("cache-clusters") << QByteArray(R"({"CacheClusters": [{"CacheClusterId": "c1",
            "Engine": "redis", "CacheSubnetGroupName": "g"}]})")
                                        << QStringLiteral("aws-cli") << false;
        QTest::newRow("replication-groups") << QByteArray(R"({"ReplicationGroups": [{"ReplicationGroupId": "rg",
            "MemberClusters": ["c1"]}]})") << QStringLiteral("aws-cli")
                                            << false;
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

    // ICMP (1) exists over IPv4 only and ICMPv6 (58) over IPv6 only: a rule of one names the family
    // its addresses are matched in, so "icmp from ::/0" (which the console accepts) matches nothing.
    void icmpFamily_data()
    {
        QTest::addColumn<QByteArray>("permission");
        QTest::addColumn<int>("family");
        QTest::addColumn<bool>("matchesNothing");
        QTest::newRow("icmp-from-ipv4") << QByteArray(R"({"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})")
                                        << int(SecurityRule::Family::V4) << false;
        QTest::newRow("icmp-from-ipv6") << QByteArray(R"({"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1,
            "Ipv6Ranges": [{"CidrIpv6": "::/0"}]})")
                                        << int(SecurityRule::Family::V4) << true;
        QTest::newRow("icmpv6-number-from-ipv4") << QByteArray(R"({"IpProtocol": "58", "FromPort": -1, "ToPort": -1,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}]})")
                                                 << int(SecurityRule::Family::V6) << true;
        QTest::newRow("all-protocols-both-families") << QByteArray(R"({"IpProtocol": "-1",
            "Ipv6Ranges": [{"CidrIpv6": "::/0"}]})") << int(SecurityRule::Family::Any)
                                                     << false;
    }
    void icmpFamily()
    {
        QFETCH(QByteArray, permission);
        QFETCH(int, family);
        QFETCH(bool, matchesNothing);
        const Snapshot s = readOne(R"({"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "a", "VpcId": "vpc-1",
            "IpPermissions": [)"
            + permission + "]}]}");
        QVERIFY2(!s.hasErrors(), qPrintable(diagnostics(s)));
        const auto& rule = s.nsgs.at("sg-1").rules.at(0);
        QCOMPARE(int(rule.family), family);
        QCOMPARE(rule.description.find("matches no packet") != std::string::npos, matchesNothing);
    }

    // A dual-stack interface: its public IPv4 address and its IPv6 address each reach it (the IPv6
    // address is an IP configuration of its own; one public address per configuration).
    void dualStackInterfaceKeepsBothPublicAddresses()
    {
        const Snapshot s = readOne(R"({"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-1",
            "PrivateIpAddresses": [{"PrivateIpAddress": "10.0.1.10", "Primary": true,
              "Association": {"PublicIp": "54.200.1.10", "IpOwnerId": "amazon"}}],
            "Ipv6Addresses": [{"Ipv6Address": "2600:1f18:aaaa:bb01::10"}]}]})");
        QVERIFY2(!s.hasErrors(), qPrintable(diagnostics(s)));
        const auto& nic = s.nics.at("eni-1");
        QCOMPARE(nic.ipConfigurations.size(), std::size_t(2));
        QStringList publics;
        for (const auto& ipc : nic.ipConfigurations)
            publics << QString::fromStdString(s.publicIps.at(ipc.publicIpId).address);
        QCOMPARE(publics, QStringList({ QStringLiteral("54.200.1.10"), QStringLiteral("2600:1f18:aaaa:bb01::10") }));
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
        QString noSubnets = lb;
        noSubnets.replace(QStringLiteral(R"("AvailabilityZones": [{"SubnetId": "subnet-1", "ZoneName": "a"},
            {"SubnetId": "subnet-2", "ZoneName": "b"}])"),
            QStringLiteral(R"("AvailabilityZones": [])"));
        QTest::newRow("no-subnets-one-node-assumed-open")
            << QStringList { QStringLiteral("lb.json"), noSubnets, QStringLiteral("tg.json"), tg,
                   QStringLiteral("i.json"), instances, healthPath, health, QStringLiteral("l.json"), listener }
            << 1 << QStringLiteral("443 -> 8081 x1") << QStringLiteral("lists no subnets");
        // Listener rules not in the export (Batfish holds none): a target group that names the load
        // balancer is assumed forwarded by some rule of each HTTP(S) listener.
        QString twoGroups = tg;
        twoGroups.replace(QStringLiteral(R"("TargetGroups": [)"),
            QStringLiteral(
                R"("TargetGroups": [{"TargetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/tg2/456",
                "TargetGroupName": "tg2", "Protocol": "HTTP", "Port": 9200, "VpcId": "vpc-1",
                "LoadBalancerArns": ["arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/abc"]}, )"));
        QTest::newRow("listener-rules-not-exported")
            << QStringList { QStringLiteral("lb.json"), lb, QStringLiteral("tg.json"), twoGroups,
                   QStringLiteral("i.json"), instances, healthPath, health,
                   QStringLiteral("elbv2-describe-target-health/"
                                  "arn%3Aaws%3Aelasticloadbalancing%3Aeu-west-1%3A1%3Atargetgroup%2Ftg2%2F456"),
                   QStringLiteral(R"({"TargetHealthDescriptions": [{"Target": {"Id": "i-1", "Port": 9200}}]})"),
                   QStringLiteral("l.json"), listener }
            << 2 << QStringLiteral("443 -> 8081 x1,443 -> 9200 x1")
            << QStringLiteral("are not in the export (describe-rules): target group tg2");
        // A target port that is not a port: the group's port is taken, and said.
        QTest::newRow("target-port-out-of-range-takes-the-groups") << QStringList { QStringLiteral("lb.json"), lb,
            QStringLiteral("tg.json"), tg, QStringLiteral("i.json"), instances, healthPath,
            QStringLiteral(R"({"TargetHealthDescriptions": [{"Target": {"Id": "i-1", "Port": 70000}}]})"),
            QStringLiteral("l.json"), listener } << 2 << QStringLiteral("443 -> 8080 x1")
                                                                   << QStringLiteral("target port 70000 is not a port");
        // A Gateway Load Balancer's listener has no port: not an error (Gateway Load Balancer guide).
        QTest::newRow("gateway-listener-without-port") << QStringList {
            QStringLiteral("l.json"),
            QStringLiteral(R"({"Listeners": [{"ListenerArn": "arn:aws:elasticloadbalancing:r:1:listener/gwy/g/abc/l1",
                "LoadBalancerArn": "arn:aws:elasticloadbalancing:r:1:loadbalancer/gwy/g/abc",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": "arn:aws:elasticloadbalancing:r:1:targetgroup/t/1"}]}]})")
        } << 0 << QString() << QString();
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
        const Snapshot s = readLayout(files);
        if (note.isEmpty())
            QVERIFY2(!diagnostics(s).contains(QStringLiteral("listener")), qPrintable(diagnostics(s)));
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

    // Amazon OpenSearch Service Developer Guide, "Identity and Access Management in Amazon
    // OpenSearch Service": Principal "*" is anonymous access, aws:SourceIp conditions narrow it, an
    // explicit deny overrides; IAM principals need signed requests (no anonymous grant). A policy
    // that cannot be read leaves the domain open, towards reachability, and says where.
    void accessPolicy_data()
    {
        QTest::addColumn<QByteArray>("policy");
        QTest::addColumn<int>("entries");
        QTest::addColumn<QString>("sources"); // the IPv4 part of what the entries admit
        QTest::addColumn<bool>("open"); // defaultAllow: the policy could not be read
        QTest::addColumn<QString>("diagnostic");
        QTest::addColumn<QString>("assumption");
        // Ordinary literals where a policy names "<arn>/*": moc reads a slash-star in a raw literal as
        // the start of a comment.
        const QByteArray resource = "\"Resource\": \"arn:aws:es:eu-west-1:111122223333:domain/d/*\"";
        auto policy = [&](const QByteArray& statements) -> QByteArray {
            return QByteArray(R"({"Version": "2012-10-17", "Statement": [)") + statements + "]}";
        };
        auto allow = [&](const QByteArray& principal, const QByteArray& rest = {}) -> QByteArray {
            return R"({"Effect": "Allow", "Principal": )" + principal + R"(, "Action": "es:*", )" + resource + rest
                + "}";
        };
        QTest::newRow("principal-star-no-condition")
            << policy(allow(R"("*")")) << 1 << QStringLiteral("0.0.0.0/0") << false << QString() << QString();
        QTest::newRow("aws-star-source-ip-list") << policy(allow(
            R"({"AWS": "*"})", R"(, "Condition": {"IpAddress": {"aws:SourceIp": ["96.74.30.0/24", "81.2.69.160"]}})"))
                                                 << 1 << QStringLiteral("81.2.69.160/32 96.74.30.0/24") << false
                                                 << QString() << QString();
        QTest::newRow("aws-star-among-principals")
            << policy(allow(R"({"AWS": ["arn:aws:iam::111122223333:root", "*"]})")) << 1 << QStringLiteral("0.0.0.0/0")
            << false << QString() << QString();
        QTest::newRow("iam-principal-only") << policy(allow(R"({"AWS": "arn:aws:iam::111122223333:role/shipper"})"))
                                            << 0 << QString() << false << QString() << QString();
        QTest::newRow("account-principal-only")
            << policy(allow(R"({"AWS": "111122223333"})")) << 0 << QString() << false << QString() << QString();
        QTest::newRow("not-ip-address") << policy(
            allow(R"("*")", R"(, "Condition": {"NotIpAddress": {"aws:SourceIp": "0.0.0.0/1"}})"))
                                        << 1 << QStringLiteral("128.0.0.0/1") << false << QString() << QString();
        QTest::newRow("deny-subtracts") << policy(allow(R"("*")")
            + R"(, {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "es:*", )" + resource
            + R"(, "Condition": {"IpAddress": {"aws:SourceIp": "128.0.0.0/1"}}})")
                                        << 1 << QStringLiteral("0.0.0.0/1") << false << QString() << QString();
        QTest::newRow("deny-of-some-methods-subtracts-nothing")
            << policy(allow(R"("*")") + R"(, {"Effect": "Deny", "Principal": "*", "Action": "es:ESHttpDelete", )"
                   + resource + "}")
            << 1 << QStringLiteral("0.0.0.0/0") << false << QString()
            << QStringLiteral("covers only some HTTP methods");
        QTest::newRow("deny-of-one-index-subtracts-nothing")
            << policy(allow(R"("*")")
                   + ", {\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"es:*\", "
                     "\"Resource\": \"arn:aws:es:eu-west-1:111122223333:domain/d/secret/*\"}")
            << 1 << QStringLiteral("0.0.0.0/0") << false << QString()
            << QStringLiteral("covers only some HTTP methods or indices");
        QTest::newRow("unknown-condition-assumed-met")
            << policy(allow(R"("*")", R"(, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}})")) << 1
            << QStringLiteral("0.0.0.0/0") << false << QString() << QStringLiteral("assumed met");
        QTest::newRow("configuration-actions-only")
            << policy(R"({"Effect": "Allow", "Principal": "*", "Action": ["es:DescribeDomain", "es:ListTags"], )"
                   + resource + "}")
            << 0 << QString() << false << QString() << QString();
        QTest::newRow("get-only-is-still-access") << QByteArray(
            R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "es:ESHttpGet", )"
            + resource + "}}") << 1 << QStringLiteral("0.0.0.0/0")
                                                  << false << QString() << QString();
        QTest::newRow("empty-policy") << QByteArray() << 0 << QString() << false << QString() << QString();
        QTest::newRow("not-json") << QByteArray(R"({"Version": "2012-10-17", "Statement": [)") << 0 << QString() << true
                                  << QStringLiteral(
                                         "doc.json#/DomainStatusList/0/AccessPolicies: warning: the access policy "
                                         "(\"AccessPolicies\") of domain d is not valid JSON (at byte")
                                  << QStringLiteral("could not be read");
        QTest::newRow("not-a-policy") << QByteArray(R"(["es:*"])") << 0 << QString() << true
                                      << QStringLiteral("is not a policy document")
                                      << QStringLiteral("could not be read");
        QTest::newRow("invalid-source-ip")
            << policy(allow(R"("*")", R"(, "Condition": {"IpAddress": {"aws:SourceIp": "300.1.1.1"}})")) << 1
            << QString() << false
            << QStringLiteral("doc.json#/DomainStatusList/0/AccessPolicies: error: invalid address in aws:SourceIp")
            << QString();
    }
    void accessPolicy()
    {
        QFETCH(QByteArray, policy);
        QFETCH(int, entries);
        QFETCH(QString, sources);
        QFETCH(bool, open);
        QFETCH(QString, diagnostic);
        QFETCH(QString, assumption);
        QJsonObject domain { { QStringLiteral("DomainName"), QStringLiteral("d") },
            { QStringLiteral("ARN"), QStringLiteral("arn:aws:es:eu-west-1:111122223333:domain/d") },
            { QStringLiteral("Endpoint"), QStringLiteral("search-d-x.eu-west-1.es.amazonaws.com") },
            { QStringLiteral("EngineVersion"), QStringLiteral("OpenSearch_2.17") },
            { QStringLiteral("AccessPolicies"), QString::fromUtf8(policy) } };
        const QJsonObject doc { { QStringLiteral("DomainStatusList"), QJsonArray { domain } } };
        const Snapshot s = readOne(QJsonDocument(doc).toJson());
        const QString diags = diagnostics(s);
        if (diagnostic.isEmpty())
            QVERIFY2(diags.isEmpty(), qPrintable(diags));
        else
            QVERIFY2(diags.contains(diagnostic), qPrintable(diags));
        if (s.hasErrors())
            return;
        const ManagedDataService* svc = serviceNamed(s, QStringLiteral("d"));
        QVERIFY(svc);
        QVERIFY(!svc->privateOnly);
        QCOMPARE(QString::fromStdString(svc->firewallLabel), QStringLiteral("access policy"));
        QCOMPARE(int(svc->entries.size()), entries);
        QCOMPARE(svc->defaultAllow, open);
        AddressSet admitted;
        for (const auto& e : svc->entries)
            admitted = admitted.united(e.range);
        QStringList cidrs;
        for (const auto& c : admitted.intersected(AddressSet::allV4()).toCidrs())
            cidrs << QString::fromStdString(c);
        QCOMPARE(cidrs.join(QLatin1Char(' ')), sources);
        const QString assumed = joined(svc->assumptions);
        if (assumption.isEmpty())
            QVERIFY2(assumed.isEmpty(), qPrintable(assumed));
        else
            QVERIFY2(assumed.contains(assumption), qPrintable(assumed));
    }

    // OpenSearch API reference, DomainEndpointOptions.EnforceHTTPS: "True to require that all traffic
    // to the domain arrive over HTTPS"; without it the endpoint answers HTTP on 80 too. A domain with
    // VPCOptions has no public endpoint: an interface in its subnets behind its security groups.
    void domainPortsAndPlacement_data()
    {
        QTest::addColumn<QByteArray>("fields");
        QTest::addColumn<QString>("ports");
        QTest::addColumn<bool>("inVpc");
        QTest::newRow("https-enforced") << QByteArray(R"("DomainEndpointOptions": {"EnforceHTTPS": true})")
                                        << QStringLiteral("443") << false;
        QTest::newRow("http-allowed") << QByteArray(R"("DomainEndpointOptions": {"EnforceHTTPS": false})")
                                      << QStringLiteral("80, 443") << false;
        QTest::newRow("legacy-without-endpoint-options")
            << QByteArray(R"("ElasticsearchVersion": "6.0")") << QStringLiteral("80, 443") << false;
        QTest::newRow("vpc-domain") << QByteArray(R"("VPCOptions": {"VPCId": "vpc-1", "SubnetIds": ["subnet-1"],
            "SecurityGroupIds": ["sg-1"]}, "DomainEndpointOptions": {"EnforceHTTPS": true})")
                                    << QStringLiteral("443") << true;
    }
    void domainPortsAndPlacement()
    {
        QFETCH(QByteArray, fields);
        QFETCH(QString, ports);
        QFETCH(bool, inVpc);
        const Snapshot s
            = readOne(R"({"DomainStatusList": [{"DomainName": "d", "ARN": "arn:aws:es:eu-west-1:1:domain/d",
            "Endpoint": "search-d.example", "AccessPolicies": "", )"
                + fields + "}]}");
        QVERIFY2(!s.hasErrors(), qPrintable(diagnostics(s)));
        const ManagedDataService* svc = serviceNamed(s, QStringLiteral("d"));
        QVERIFY(svc);
        QCOMPARE(QString::fromStdString(svc->tcpPorts.toString()), ports);
        QCOMPARE(svc->privateOnly, inVpc);
        const IpConfiguration* ipc = interfaceOf(s, *svc);
        QCOMPARE(ipc != nullptr, inVpc);
        if (ipc) {
            QCOMPARE(QString::fromStdString(ipc->subnetId), QStringLiteral("subnet-1"));
            QVERIFY(ipc->publicIpId.empty());
        }
    }

    // Documents that refer to each other by name (subnet groups, cluster members, replication
    // groups), read from one folder: what each data store becomes, and what is said when a part is
    // missing from the export.
    void serviceLinking_data()
    {
        QTest::addColumn<QStringList>("documents");
        QTest::addColumn<QString>("service"); // its name; empty: no data store is expected
        QTest::addColumn<QString>("subnet");
        QTest::addColumn<bool>("isPublic");
        QTest::addColumn<QString>("ports");
        QTest::addColumn<QString>("diagnostic");
        QTest::addColumn<QString>("assumption");
        const QString redshift
            = QString::fromUtf8(R"({"Clusters": [{"ClusterIdentifier": "r1", "NodeType": "ra3.xlplus",
            "ClusterStatus": "available", "Endpoint": {"Address": "r1.example", "Port": 5439}, "PubliclyAccessible": true,
            "VpcId": "vpc-1", "AvailabilityZone": "eu-west-1b", "ClusterSubnetGroupName": "analytics",
            "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-1", "Status": "active"}]}]})");
        const QString redshiftGroups
            = QString::fromUtf8(R"({"ClusterSubnetGroups": [{"ClusterSubnetGroupName": "analytics",
            "VpcId": "vpc-1", "Subnets": [{"SubnetIdentifier": "subnet-a", "SubnetAvailabilityZone": {"Name": "eu-west-1a"}},
            {"SubnetIdentifier": "subnet-b", "SubnetAvailabilityZone": {"Name": "eu-west-1b"}}]}]})");
        const QString dbGroups = QString::fromUtf8(R"({"DBSubnetGroups": [{"DBSubnetGroupName": "g", "VpcId": "vpc-1",
            "Subnets": [{"SubnetIdentifier": "subnet-a", "SubnetAvailabilityZone": {"Name": "eu-west-1a"}}]}]})");
        auto cluster = [](const char* engine, const char* extra) {
            return QString::fromUtf8(R"({"DBClusters": [{"DBClusterIdentifier": "c", "Engine": "%1", "Port": 0,
                "DBClusterArn": "arn:aws:rds:eu-west-1:1:cluster:c", "DBSubnetGroup": "g", "Status": "available",
                "Endpoint": "c.cluster-x.example", "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-1"}]%2}]})")
                .arg(QLatin1String(engine), QLatin1String(extra));
        };
        QTest::newRow("redshift-missing-subnet-group")
            << QStringList { redshift } << QStringLiteral("r1") << QString() << true << QStringLiteral("5439")
            << QStringLiteral(
                   "f0.json#/Clusters/0: warning: r1 is in cluster subnet group analytics, which is not in the "
                   "export (aws redshift describe-cluster-subnet-groups): its subnet is unknown")
            << QStringLiteral("its subnet and VPC are unknown");
        QTest::newRow("redshift-subnet-of-its-zone")
            << QStringList { redshift, redshiftGroups } << QStringLiteral("r1") << QStringLiteral("subnet-b") << true
            << QStringLiteral("5439") << QString() << QString();
        QTest::newRow("aurora-member-missing")
            << QStringList { cluster("aurora-postgresql",
                                 R"(, "DBClusterMembers": [{"DBInstanceIdentifier": "m1", "IsClusterWriter": true}])"),
                   dbGroups }
            << QStringLiteral("c/m1") << QStringLiteral("subnet-a") << true << QStringLiteral("5432")
            << QStringLiteral("member(s) m1 of DB cluster c are not in the export (aws rds describe-db-instances)")
            << QStringLiteral("its PubliclyAccessible setting is unknown and assumed true");
        QTest::newRow("aurora-serverless-v1-not-public")
            << QStringList { cluster("aurora-mysql", R"(, "EngineMode": "serverless", "DBClusterMembers": [])"),
                   dbGroups }
            << QStringLiteral("c") << QStringLiteral("subnet-a") << false << QStringLiteral("3306") << QString()
            << QStringLiteral("default port 3306");
        QTest::newRow("multi-az-cluster-setting-decides")
            << QStringList { cluster("postgres", R"(, "Port": 5432, "PubliclyAccessible": true,
                   "DBClusterMembers": [{"DBInstanceIdentifier": "m1", "IsClusterWriter": true}])"),
                   QString::fromUtf8(R"({"DBInstances": [{"DBInstanceIdentifier": "m1", "Engine": "postgres",
                   "DBClusterIdentifier": "c", "PubliclyAccessible": false, "Endpoint": {"Address": "m1.example", "Port": 5432},
                   "DBSubnetGroup": {"DBSubnetGroupName": "g", "Subnets": [{"SubnetIdentifier": "subnet-a"}]}}]})") }
            << QStringLiteral("c/m1") << QStringLiteral("subnet-a") << true << QStringLiteral("5432")
            << QStringLiteral("the cluster's setting decides for a Multi-AZ DB cluster") << QString();
        QTest::newRow("documentdb-cluster-never-public")
            << QStringList { cluster("docdb", R"(, "Port": 27017,
                   "DBClusterMembers": [{"DBInstanceIdentifier": "d1", "IsClusterWriter": true}])"),
                   dbGroups }
            << QStringLiteral("c/d1") << QStringLiteral("subnet-a") << false << QStringLiteral("27017")
            << QStringLiteral("member(s) d1 of DB cluster c are not in the export") << QString();
        QTest::newRow("db-cluster-missing-subnet-group") << QStringList { cluster("aurora-mysql",
            R"(, "Port": 3306, "DBClusterMembers": [{"DBInstanceIdentifier": "m1", "IsClusterWriter": false}])") }
                                                         << QStringLiteral("c/m1") << QString() << true
                                                         << QStringLiteral("3306")
                                                         << QStringLiteral(
                                                                "c/m1 is in DB subnet group g, which is not in the "
                                                                "export (aws rds describe-db-subnet-groups)")
                                                         << QStringLiteral("its subnet and VPC are unknown");
        QTest::newRow("elasticache-default-port")
            << QStringList { QString::fromUtf8(R"({"CacheClusters": [{"CacheClusterId": "c1", "Engine": "redis",
                   "CacheSubnetGroupName": "g", "PreferredAvailabilityZone": "eu-west-1a",
                   "SecurityGroups": [{"SecurityGroupId": "sg-1", "Status": "active"}]}]})"),
                   QString::fromUtf8(R"({"CacheSubnetGroups": [{"CacheSubnetGroupName": "g", "VpcId": "vpc-1",
                   "Subnets": [{"SubnetIdentifier": "subnet-a", "SubnetAvailabilityZone": {"Name": "eu-west-1a"}}]}]})") }
            << QStringLiteral("c1") << QStringLiteral("subnet-a") << false << QStringLiteral("6379")
            << QStringLiteral("ElastiCache c1 has no node port in the export") << QStringLiteral("default port 6379");
        QTest::newRow("elasticache-replication-group-folds-members")
            << QStringList { QString::fromUtf8(
                                 R"({"CacheClusters": [
                   {"CacheClusterId": "rg-001", "Engine": "valkey", "ReplicationGroupId": "rg", "CacheSubnetGroupName": "g",
                    "SecurityGroups": [{"SecurityGroupId": "sg-1"}]},
                   {"CacheClusterId": "rg-002", "Engine": "valkey", "ReplicationGroupId": "rg", "CacheSubnetGroupName": "g",
                    "SecurityGroups": [{"SecurityGroupId": "sg-1"}]}]})"),
                   QString::fromUtf8(
                       R"({"ReplicationGroups": [{"ReplicationGroupId": "rg", "MemberClusters": ["rg-001", "rg-002"],
                   "NodeGroups": [{"PrimaryEndpoint": {"Address": "rg.example", "Port": 6380}}]}]})"),
                   QString::fromUtf8(R"({"CacheSubnetGroups": [{"CacheSubnetGroupName": "g", "Subnets": [
                   {"SubnetIdentifier": "subnet-a", "SubnetAvailabilityZone": {"Name": "eu-west-1a"}}]}]})") }
            << QStringLiteral("rg") << QStringLiteral("subnet-a") << false << QStringLiteral("6380") << QString()
            << QString();
        QTest::newRow("elasticache-replication-group-without-members")
            << QStringList { QString::fromUtf8(R"({"ReplicationGroups": [{"ReplicationGroupId": "rg",
                   "MemberClusters": ["rg-001"]}]})"),
                   QString::fromUtf8(R"({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]})") }
            << QString() << QString() << false << QString()
            << QStringLiteral("no member cluster of ElastiCache replication group rg is in the export") << QString();
        QTest::newRow("opensearch-vpc-subnets-with-different-acls")
            << QStringList { QString::fromUtf8(
                                 R"({"DomainStatusList": [{"DomainName": "d", "ARN": "arn:aws:es:eu-west-1:1:domain/d",
                   "AccessPolicies": "", "VPCOptions": {"VPCId": "vpc-1", "SubnetIds": ["subnet-a", "subnet-b"],
                   "SecurityGroupIds": ["sg-1"]}}]})"),
                   QString::fromUtf8(
                       R"({"Subnets": [{"SubnetId": "subnet-a", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"},
                   {"SubnetId": "subnet-b", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24"}]})"),
                   QString::fromUtf8(R"({"NetworkAcls": [
                   {"NetworkAclId": "acl-a", "VpcId": "vpc-1", "Associations": [{"SubnetId": "subnet-a"}], "Entries": []},
                   {"NetworkAclId": "acl-b", "VpcId": "vpc-1", "Associations": [{"SubnetId": "subnet-b"}], "Entries": []}]})") }
            << QStringLiteral("d") << QStringLiteral("subnet-a") << false << QStringLiteral("80, 443") << QString()
            << QStringLiteral("d has nodes in subnets subnet-a, subnet-b, whose network ACLs differ: it is analysed in "
                              "subnet-a");
    }
    void serviceLinking()
    {
        QFETCH(QStringList, documents);
        QFETCH(QString, service);
        QFETCH(QString, subnet);
        QFETCH(bool, isPublic);
        QFETCH(QString, ports);
        QFETCH(QString, diagnostic);
        QFETCH(QString, assumption);
        const Snapshot s = readFolder(documents);
        const QString diags = diagnostics(s);
        QVERIFY2(!s.hasErrors(), qPrintable(diags));
        if (!diagnostic.isEmpty())
            QVERIFY2(diags.contains(diagnostic), qPrintable(diags));
        if (service.isEmpty()) {
            QVERIFY(s.dataServices.empty());
            return;
        }
        QCOMPARE(s.dataServices.size(), std::size_t(1));
        const ManagedDataService* svc = serviceNamed(s, service);
        QVERIFY2(svc, qPrintable(QString::fromStdString(s.dataServices.begin()->second.name)));
        QVERIFY(svc->privateOnly);
        QCOMPARE(QString::fromStdString(svc->tcpPorts.toString()), ports);
        const IpConfiguration* ipc = interfaceOf(s, *svc);
        QVERIFY(ipc);
        QCOMPARE(QString::fromStdString(ipc->subnetId), subnet);
        QCOMPARE(!ipc->publicIpId.empty(), isPublic);
        if (!assumption.isEmpty())
            QVERIFY2(joined(svc->assumptions).contains(assumption), qPrintable(joined(svc->assumptions)));
    }

    // The AWS samples that hold managed data services: each is read, not skipped.
    void serviceSamplesAreRead_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("service");
        QTest::addColumn<bool>("isPrivate");
        QTest::newRow("cloudmapper-redshift")
            << QStringLiteral("cloudmapper/account-data/demo/us-east-1/redshift-describe-clusters.json")
            << QStringLiteral("redshift-cluster-1") << true;
        QTest::newRow("cloudmapper-redshift-subnet-groups")
            << QStringLiteral("cloudmapper/account-data/demo/us-east-1/redshift-describe-cluster-subnet-groups.json")
            << QString() << true;
        QTest::newRow("cloudmapper-es-domain-file-without-extension")
            << QStringLiteral("cloudmapper/account-data/demo/us-east-1/es-describe-elasticsearch-domain/myvpcdomain")
            << QStringLiteral("myvpcdomain") << true;
        QTest::newRow("batfish-public-es-domain")
            << QStringLiteral("batfish/hybrid-cloud-aws/aws_configs/us-west-2/ElasticsearchDomains.json")
            << QStringLiteral("publices") << false;
        QTest::newRow("batfish-vpc-es-domain")
            << QStringLiteral("batfish/representation-aws-test/aws_configs/ElasticsearchDomains.json")
            << QStringLiteral("es-domain") << true;
        QTest::newRow("batfish-es-fragment")
            << QStringLiteral("batfish/representation-aws-fragments/ElasticsearchDomainTest.json")
            << QStringLiteral("es-domain") << true;
    }
    void serviceSamplesAreRead()
    {
        QFETCH(QString, path);
        QFETCH(QString, service);
        QFETCH(bool, isPrivate);
        const QString file = QStringLiteral(EW_SAMPLES "/aws/") + path;
        if (!QFileInfo::exists(file))
            QSKIP("../shared/samples is not beside this checkout");
        const Snapshot s = importSnapshot({ file.toStdString() });
        QCOMPARE(s.files.size(), std::size_t(1));
        QVERIFY2(!s.files[0].skipped, s.files[0].reason.c_str());
        QVERIFY(s.files[0].resources > 0);
        if (service.isEmpty())
            return;
        const ManagedDataService* svc = serviceNamed(s, service);
        QVERIFY(svc);
        QCOMPARE(svc->privateOnly, isPrivate);
        if (!isPrivate) // the sample's policy: Principal {"AWS": "*"} with aws:SourceIp "96.74.30.201"
            QCOMPARE(svc->entries.size(), std::size_t(1));
    }

    // Prefix lists (Amazon VPC User Guide, "Group CIDR blocks using managed prefix lists"):
    // describe-prefix-lists carries its Cidrs, describe-managed-prefix-lists does not, and
    // get-managed-prefix-list-entries answers with a bare "Entries" list that does not name its list:
    // the list comes from a wrapper's PrefixListId or the collector's layout, else the file is skipped.
    void prefixLists_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("list"); // the prefix list expected in the snapshot ("" for none)
        QTest::addColumn<int>("cidrs"); // its entries, -1 when they are not known
        QTest::addColumn<bool>("skipped");
        QTest::addColumn<QString>("diagnostic"); // a diagnostic that must be there ("" for none)
        const QByteArray entries = R"({"Entries": [{"Cidr": "81.2.69.0/24", "Description": "head office"},
            {"Cidr": "2001:db8:1234::/48"}]})";
        QTest::newRow("cloudmapper-layout-without-extension")
            << QStringLiteral("account-data/prod/eu-west-1/ec2-get-managed-prefix-list-entries/pl-0a1b2c3d4e5f60718")
            << entries << QStringLiteral("pl-0a1b2c3d4e5f60718") << 2 << false << QString();
        QTest::newRow("cloudmapper-layout-quoted")
            << QStringLiteral("ec2-get-managed-prefix-list-entries/pl%2D0a1b2c3d4e5f60718.json") << entries
            << QStringLiteral("pl-0a1b2c3d4e5f60718") << 2 << false << QString();
        QTest::newRow("file-named-after-the-list") << QStringLiteral("pl-0a1b2c3d.json") << entries
                                                   << QStringLiteral("pl-0a1b2c3d") << 2 << false << QString();
        QTest::newRow("list-id-inside-the-file-name")
            << QStringLiteral("entries_pl-0a1b2c3d4e5f60718_eu-west-1.json") << entries
            << QStringLiteral("pl-0a1b2c3d4e5f60718") << 2 << false << QString();
        QTest::newRow("wrapper-names-the-list")
            << QStringLiteral("ManagedPrefixListEntries.json")
            << QByteArray(R"({"PrefixListId": "pl-0fedcba9876543210", "Entries": [{"Cidr": "81.2.69.0/24"}]})")
            << QStringLiteral("pl-0fedcba9876543210") << 1 << false << QString();
        QTest::newRow("entries-with-no-list-id-in-layout")
            << QStringLiteral("ec2-get-managed-prefix-list-entries.json") << entries << QString() << -1 << true
            << QStringLiteral("does not say which prefix list it holds");
        QTest::newRow("not-an-id-only-looks-like-one")
            << QStringLiteral("pl-office.json") << entries << QString() << -1 << true
            << QStringLiteral("does not say which prefix list it holds");
        QTest::newRow("entries-of-another-service")
            << QStringLiteral("pl-0a1b2c3d4e5f60718.json")
            << QByteArray(
                   R"({"FailedEntryCount": 0, "Entries": [{"EventId": "11710aed-b79e-4468-a20b-bb3c0c3b4860"}]})")
            << QString() << -1 << true << QStringLiteral("not prefix list entries");
        QTest::newRow("invalid-cidr-in-entries")
            << QStringLiteral("ec2-get-managed-prefix-list-entries/pl-0a1b2c3d4e5f60718")
            << QByteArray(R"({"Entries": [{"Cidr": "81.2.69.0/24"}, {"Cidr": "81.2.69.300/32"}]})")
            << QStringLiteral("pl-0a1b2c3d4e5f60718") << 1 << false
            << QStringLiteral("pl-0a1b2c3d4e5f60718#/Entries/1/Cidr: error: invalid CIDR \"81.2.69.300/32\"");
        QTest::newRow("describe-prefix-lists-carries-cidrs")
            << QStringLiteral("PrefixLists.json")
            << QByteArray(R"({"PrefixLists": [{"Cidrs": ["52.219.80.0/20", "3.5.128.0/22"],
                "PrefixListId": "pl-7ba54012", "PrefixListName": "com.amazonaws.us-east-2.s3"}]})")
            << QStringLiteral("pl-7ba54012") << 2 << false << QString();
        QTest::newRow("describe-managed-prefix-lists-without-entries")
            << QStringLiteral("ec2-describe-managed-prefix-lists.json")
            << QByteArray(R"({"PrefixLists": [{"PrefixListId": "pl-3b927c52", "AddressFamily": "IPv4",
                "State": "create-complete", "PrefixListName": "com.amazonaws.global.cloudfront.origin-facing",
                "MaxEntries": 55, "Version": 41, "OwnerId": "AWS"}]})")
            << QStringLiteral("pl-3b927c52") << -1 << false << QString();
    }
    void prefixLists()
    {
        QFETCH(QString, file);
        QFETCH(QByteArray, json);
        QFETCH(QString, list);
        QFETCH(int, cidrs);
        QFETCH(bool, skipped);
        QFETCH(QString, diagnostic);
        const Snapshot s = readOne(json, file);
        QCOMPARE(s.files.size(), std::size_t(1));
        QCOMPARE(s.files[0].skipped, skipped);
        if (skipped) {
            QVERIFY2(QString::fromStdString(s.files[0].reason).contains(diagnostic),
                qPrintable(QString::fromStdString(s.files[0].reason)));
            QVERIFY(s.prefixLists.empty());
        }
        if (!diagnostic.isEmpty())
            QVERIFY2(diagnostics(s).contains(diagnostic), qPrintable(diagnostics(s)));
        if (list.isEmpty())
            return;
        QVERIFY2(s.prefixLists.count(list.toStdString()), qPrintable(diagnostics(s)));
        const PrefixList& pl = s.prefixLists.at(list.toStdString());
        QCOMPARE(pl.entriesKnown, cidrs >= 0);
        if (cidrs >= 0)
            QCOMPARE(int(pl.cidrs.size()), cidrs);
    }

    // A security group rule naming a prefix list keeps the list's id as its source (resolved when
    // evaluated) and its name once the export describes the list.
    void securityGroupRuleNamesItsPrefixList()
    {
        QTemporaryDir dir;
        auto write = [&](const QString& name, const QByteArray& json) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(json);
        };
        write(QStringLiteral("sg.json"), R"({"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "a", "VpcId": "vpc-1",
            "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
            "PrefixListIds": [{"PrefixListId": "pl-0a1b2c3d4e5f60718", "Description": "offices"}]}]}]})");
        write(QStringLiteral("lists.json"), R"({"PrefixLists": [{"PrefixListId": "pl-0a1b2c3d4e5f60718",
            "AddressFamily": "IPv4", "PrefixListName": "office-ranges", "OwnerId": "111122223333"}]})");
        const Snapshot s = importSnapshot({ dir.path().toStdString() });
        QVERIFY2(!s.hasErrors(), qPrintable(diagnostics(s)));
        const auto& rule = s.nsgs.at("sg-1").rules.at(0);
        QVERIFY(!rule.source.any);
        QCOMPARE(rule.source.tags, std::vector<std::string> { "pl-0a1b2c3d4e5f60718" });
        QCOMPARE(
            QString::fromStdString(rule.name), QStringLiteral("in tcp 22 from pl-0a1b2c3d4e5f60718 (office-ranges)"));
    }

    // VPC peering (Amazon VPC Peering Guide): each VPC gets its side of the connection with the other
    // side's CIDR blocks (CidrBlockSet and Ipv6CidrBlockSet, which may hold more than CidrBlock);
    // only an active connection carries traffic, and only where routes send it there.
    void peeringSides_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<bool>("connected");
        QTest::addColumn<QStringList>("requesterSeesAccepter"); // CIDRs of the accepter in the requester's side
        QTest::addColumn<QStringList>("accepterSeesRequester");
        QTest::newRow("active-with-cidr-block-sets")
            << QByteArray(R"({"VpcPeeringConnections": [{
            "VpcPeeringConnectionId": "pcx-1", "Status": {"Code": "active", "Message": "Active"},
            "RequesterVpcInfo": {"VpcId": "vpc-r", "OwnerId": "111122223333", "CidrBlock": "10.130.0.0/16",
              "CidrBlockSet": [{"CidrBlock": "10.130.0.0/16"}, {"CidrBlock": "10.131.0.0/16"}]},
            "AccepterVpcInfo": {"VpcId": "vpc-a", "OwnerId": "444455556666", "CidrBlock": "10.199.100.0/24",
              "Ipv6CidrBlockSet": [{"Ipv6CidrBlock": "2600:1f16:751:7800::/56"}]}}]})")
            << true << QStringList { QStringLiteral("10.199.100.0/24"), QStringLiteral("2600:1f16:751:7800::/56") }
            << QStringList { QStringLiteral("10.130.0.0/15") };
        QTest::newRow("pending-acceptance-has-no-accepter-cidr")
            << QByteArray(R"({"VpcPeeringConnections": [{
            "VpcPeeringConnectionId": "pcx-2", "Status": {"Code": "pending-acceptance"},
            "ExpirationTime": "2024-05-14T09:12:40+00:00",
            "RequesterVpcInfo": {"VpcId": "vpc-r", "CidrBlock": "10.130.0.0/16"},
            "AccepterVpcInfo": {"VpcId": "vpc-a", "OwnerId": "444455556666"}}]})")
            << false << QStringList() << QStringList { QStringLiteral("10.130.0.0/16") };
    }
    void peeringSides()
    {
        QFETCH(QByteArray, json);
        QFETCH(bool, connected);
        QFETCH(QStringList, requesterSeesAccepter);
        QFETCH(QStringList, accepterSeesRequester);
        const Snapshot s = readOne(json);
        QVERIFY2(!s.hasErrors(), qPrintable(diagnostics(s)));
        for (const auto& [vpc, expected] :
            { std::pair { "vpc-r", requesterSeesAccepter }, std::pair { "vpc-a", accepterSeesRequester } }) {
            const auto& peerings = s.vnets.at(vpc).peerings;
            QCOMPARE(peerings.size(), std::size_t(1));
            QCOMPARE(peerings[0].connected, connected);
            QVERIFY(peerings[0].needsRoutes);
            QCOMPARE(QString::fromStdString(peerings[0].remoteVnetId),
                QString::fromLatin1(std::string_view(vpc) == "vpc-r" ? "vpc-a" : "vpc-r"));
            QStringList cidrs;
            for (const auto& c : peerings[0].remoteSpace.toCidrs())
                cidrs << QString::fromStdString(c);
            QCOMPARE(cidrs, expected);
        }
    }

    // One collector run per account (or two runs) lists the same resource in several folders: an
    // identical copy is left out silently, one with other content with one warning per resource; the
    // first copy is kept and counted once.
    void copiesInSeveralFolders_data()
    {
        QTest::addColumn<QByteArrayList>("copies"); // one file per copy, in folder order
        QTest::addColumn<int>("warnings");
        QTest::addColumn<int>("rules"); // of the security group kept
        const QByteArray sg = R"({"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "a", "VpcId": "vpc-1",
            "OwnerId": "111122223333", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]})";
        const QByteArray reordered = R"({"SecurityGroups": [{"IpPermissions": [{"ToPort": 22, "FromPort": 22,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "IpProtocol": "tcp"}], "VpcId": "vpc-1", "OwnerId": "111122223333",
            "GroupName": "a", "GroupId": "sg-1"}]})";
        const QByteArray other = R"({"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "a", "VpcId": "vpc-1",
            "OwnerId": "111122223333", "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}, {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]})";
        QTest::newRow("identical-copy-is-silent") << QByteArrayList { sg, sg } << 0 << 1;
        QTest::newRow("member-order-and-spacing-do-not-matter") << QByteArrayList { sg, reordered } << 0 << 1;
        QTest::newRow("other-content-warned-once-first-kept") << QByteArrayList { sg, other, other } << 1 << 1;
    }
    void copiesInSeveralFolders()
    {
        QFETCH(QByteArrayList, copies);
        QFETCH(int, warnings);
        QFETCH(int, rules);
        QTemporaryDir dir;
        for (int i = 0; i < copies.size(); ++i) {
            const QString path = dir.filePath(QStringLiteral("accounts/%1/eu-west-1/SecurityGroups.json").arg(i));
            QDir().mkpath(QFileInfo(path).path());
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(copies[i]);
        }
        const Snapshot s = importSnapshot({ dir.path().toStdString() });
        QVERIFY2(!s.hasErrors(), qPrintable(diagnostics(s)));
        QCOMPARE(int(std::count_if(s.diagnostics.begin(), s.diagnostics.end(),
                     [](const Diagnostic& d) { return d.message.find("listed again") != std::string::npos; })),
            warnings);
        QCOMPARE(int(s.nsgs.at("sg-1").rules.size()), rules);
        std::size_t counted = 0;
        for (const auto& f : s.files)
            counted += f.resources;
        QCOMPARE(counted, std::size_t(1));
    }

    // The account and region of what an interface belongs to come from the data (OwnerId of the
    // reservation, the interface, its security groups, its VPC; an ARN; availability zones), never
    // from a collector's folder name.
    void accountFromTheData_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("nic");
        QTest::addColumn<QString>("account");
        QTest::addColumn<QString>("region");
        QTest::newRow("reservation-owner-and-placement")
            << QByteArray(R"({"Reservations": [{"OwnerId": "111122223333", "Instances": [{"InstanceId": "i-1",
                "Placement": {"AvailabilityZone": "eu-west-1b"}, "NetworkInterfaces": [{"NetworkInterfaceId": "eni-1",
                "OwnerId": "444455556666", "SubnetId": "subnet-1", "PrivateIpAddress": "10.0.0.5", "Groups": []}]}]}]})")
            << QStringLiteral("eni-1") << QStringLiteral("111122223333") << QStringLiteral("eu-west-1");
        QTest::newRow("interface-owner-and-local-zone")
            << QByteArray(R"({"NetworkInterfaces": [{"NetworkInterfaceId": "eni-2", "OwnerId": "653711331788",
                "AvailabilityZone": "us-west-2-lax-1a", "SubnetId": "subnet-1", "PrivateIpAddress": "10.0.0.6"}]})")
            << QStringLiteral("eni-2") << QStringLiteral("653711331788") << QStringLiteral("us-west-2");
        QTest::newRow("security-group-owner")
            << QByteArray(R"({"SecurityGroups": [{"GroupId": "sg-9", "GroupName": "a", "VpcId": "vpc-1",
                "OwnerId": "777788889999", "IpPermissions": []}],
                "NetworkInterfaces": [{"NetworkInterfaceId": "eni-3", "SubnetId": "subnet-1",
                "PrivateIpAddress": "10.0.0.7", "Groups": [{"GroupId": "sg-9"}]}]})")
            << QStringLiteral("eni-3") << QStringLiteral("777788889999") << QString();
        QTest::newRow("vpc-owner-and-subnet-zone")
            << QByteArray(R"({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "OwnerId": "121212121212"}],
                "Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.0.0/24",
                "AvailabilityZone": "ap-southeast-2c"}],
                "NetworkInterfaces": [{"NetworkInterfaceId": "eni-4", "SubnetId": "subnet-1", "PrivateIpAddress": "10.0.0.8"}]})")
            << QStringLiteral("eni-4") << QStringLiteral("121212121212") << QStringLiteral("ap-southeast-2");
        QTest::newRow("rds-arn") << QByteArray(R"({"DBInstances": [{"DBInstanceIdentifier": "orders",
                "DBInstanceArn": "arn:aws:rds:eu-central-1:343434343434:db:orders", "Engine": "postgres",
                "Endpoint": {"Address": "orders.x.eu-central-1.rds.amazonaws.com", "Port": 5432},
                "DBSubnetGroup": {"Subnets": [{"SubnetIdentifier": "subnet-1"}]}}]})")
                                 << QStringLiteral("arn:aws:rds:eu-central-1:343434343434:db:orders/networkinterface")
                                 << QStringLiteral("343434343434") << QStringLiteral("eu-central-1");
        QTest::newRow("no-owner-anywhere-not-the-folder")
            << QByteArray(R"({"NetworkInterfaces": [{"NetworkInterfaceId": "eni-5", "SubnetId": "subnet-1",
                "PrivateIpAddress": "10.0.0.9"}]})")
            << QStringLiteral("eni-5") << QString() << QString();
    }
    void accountFromTheData()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, nic);
        QFETCH(QString, account);
        QFETCH(QString, region);
        // A Batfish-like folder named after an account the data do not name.
        const Snapshot s = readOne(json, QStringLiteral("aws_configs/accounts/999999999999/us-east-1/doc.json"));
        QVERIFY2(!s.hasErrors(), qPrintable(diagnostics(s)));
        QVERIFY2(s.nics.count(nic.toStdString()), qPrintable(nic));
        const auto& n = s.nics.at(nic.toStdString());
        QCOMPARE(QString::fromStdString(n.account), account);
        QCOMPARE(QString::fromStdString(n.region), region);
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
