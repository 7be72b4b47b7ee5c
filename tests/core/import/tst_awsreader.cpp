// The AWS reader: documents recognised by their top-level key, AWS's protocol and port spellings,
// network ACLs' implied final rules, and every AWS sample read or skipped with a reason.
#include "import/importer.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
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
