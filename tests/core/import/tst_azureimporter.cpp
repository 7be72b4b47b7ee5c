#include "import/azureimporter.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace ew;

namespace {

QString write(const QTemporaryDir& dir, const QString& name, const QByteArray& content)
{
    const QString path = dir.filePath(name);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(content);
    return path;
}

QString diagnostics(const Snapshot& s)
{
    QStringList l;
    for (const auto& d : s.diagnostics)
        l << QString::fromStdString(d.toString());
    return l.join(QLatin1Char('\n'));
}

const QByteArray kNsgRest
    = R"({"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-a",
  "name": "nsg-a", "type": "Microsoft.Network/networkSecurityGroups",
  "properties": {"securityRules": [{"name": "allow-es", "properties": {"protocol": "Tcp", "sourcePortRange": "*",
     "destinationPortRange": "9200", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "access": "Allow",
     "priority": 100, "direction": "Inbound"}}]}})";

const QByteArray kNsgCli
    = R"([{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-a",
  "name": "nsg-a", "type": "Microsoft.Network/networkSecurityGroups", "resourceGroup": "rg",
  "securityRules": [{"name": "allow-es", "protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": "9200",
     "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "access": "Allow", "priority": 100,
     "direction": "Inbound", "resourceGroup": "rg"}]}])";

// `az network list-service-tags --location westeurope` (keys sorted, properties nested).
const QByteArray kServiceTagsCli = R"({"changeNumber": "312", "cloud": "Public",
  "id": "/subscriptions/s/providers/Microsoft.Network/serviceTags/Public", "name": "Public", "nextLink": null,
  "type": "Microsoft.Network/serviceTags", "values": [
  {"id": "AzureCloud", "name": "AzureCloud", "properties": {"addressPrefixes": ["13.69.0.0/17", "2603:1020:200::/46"],
     "changeNumber": "291", "networkFeatures": ["API", "NSG"], "region": "", "regionId": 0, "state": "GA",
     "systemService": ""}, "serviceTagChangeNumber": "291"},
  {"id": "Storage.WestEurope", "name": "Storage.WestEurope", "properties": {"addressPrefixes": ["20.38.108.0/23"],
     "changeNumber": "44", "region": "westeurope", "regionId": 18, "systemService": "AzureStorage"}}]})";

// The weekly download (ServiceTags_Public_YYYYMMDD.json): no type, a numeric changeNumber.
const QByteArray kServiceTagsDownload = R"({"changeNumber": 312, "cloud": "Public", "values": [
  {"name": "AzureCloud", "id": "AzureCloud", "properties": {"changeNumber": 291, "region": "", "regionId": 0,
     "platform": "Azure", "systemService": "", "addressPrefixes": ["13.69.0.0/17", "2603:1020:200::/46"],
     "networkFeatures": ["API", "NSG"]}},
  {"name": "Storage.WestEurope", "id": "Storage.WestEurope", "properties": {"changeNumber": 44,
     "region": "westeurope", "regionId": 18, "platform": "Azure", "systemService": "AzureStorage",
     "addressPrefixes": ["20.38.108.0/23"], "networkFeatures": ["API", "NSG"]}}]})";

// Get-AzNetworkServiceTag | ConvertTo-Json: PascalCase keys.
const QByteArray kServiceTagsPowerShell
    = R"({"Name": "Public", "Id": "/subscriptions/s/providers/Microsoft.Network/serviceTags/Public",
  "Type": "Microsoft.Network/serviceTags", "ChangeNumber": "312", "Cloud": "Public", "Values": [
  {"Name": "AzureCloud", "Id": "AzureCloud", "Properties": {"ChangeNumber": "291", "Region": "",
     "SystemService": "", "AddressPrefixes": ["13.69.0.0/17", "2603:1020:200::/46"]}},
  {"Name": "Storage.WestEurope", "Id": "Storage.WestEurope", "Properties": {"ChangeNumber": "44",
     "Region": "westeurope", "SystemService": "AzureStorage", "AddressPrefixes": ["20.38.108.0/23"]}}]})";

} // namespace

class TestAzureImporter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void shapes_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("format");
        QTest::newRow("rest-single") << kNsgRest << QStringLiteral("rest");
        QTest::newRow("az-cli-list") << kNsgCli << QStringLiteral("list");
        QTest::newRow("list-response") << QByteArray("{\"value\": [" + kNsgRest + "]}")
                                       << QStringLiteral("list-response");
        QTest::newRow("rest-api-example") << QByteArray(
            R"({"parameters": {"api-version": "2024-07-01"}, "responses": {"200": {"body": )" + kNsgRest + "}}}")
                                          << QStringLiteral("rest-example");
    }
    void shapes()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, format);
        QTemporaryDir dir;
        const QString path = write(dir, QStringLiteral("nsg.json"), content);
        const Snapshot s = importSnapshot({ path.toStdString() });
        QVERIFY2(!s.hasErrors(), qPrintable(diagnostics(s)));
        QCOMPARE(s.files.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(s.files[0].format), format);
        QCOMPARE(s.files[0].resources, 1);
        QCOMPARE(s.nsgs.size(), std::size_t(1));
        const auto& nsg = s.nsgs.begin()->second;
        QCOMPARE(QString::fromStdString(nsg.name), QStringLiteral("nsg-a"));
        // One custom rule and the six default rules, implied because the export omits them.
        QCOMPARE(nsg.rules.size(), std::size_t(7));
        const auto& custom = nsg.rules.front();
        QCOMPARE(QString::fromStdString(custom.name), QStringLiteral("allow-es"));
        QCOMPARE(custom.priority, 100);
        QVERIFY(custom.allow);
        QVERIFY(custom.destinationPorts.contains(9200));
        QVERIFY(!custom.destinationPorts.contains(9201));
        QVERIFY(custom.source.any);
        QVERIFY(custom.where.pointer.find("securityRules/0") != std::string::npos);
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("truncated") << kNsgRest.left(120) << QStringLiteral("bad.json:2:");
        QTest::newRow("garbage") << QByteArray("{\"value\": [1, 2,, 3]}")
                                 << QStringLiteral("bad.json:1:17: error: invalid JSON");
        // A number that overflows a double: the place, and the sentence without the library's prefix.
        QTest::newRow("number-overflow") << QByteArray("{\"value\": [\n  1E400]}")
                                         << QStringLiteral("bad.json:2:3: error: invalid JSON (at byte 14): number "
                                                           "overflow parsing '1E400'");
        QTest::newRow("service-tags-number-overflow")
            << QByteArray(R"({"changeNumber": -1e999, "cloud": "Public", "values": []})")
            << QStringLiteral("bad.json:1:18: error: invalid JSON (at byte 17): number overflow parsing '-1e999'");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("empty (0 bytes)");
        QTest::newRow("not-azure") << QByteArray("{\"hello\": 1}")
                                   << QStringLiteral("no Azure or AWS network or compute resources were found");
        QTest::newRow("port-out-of-range") << QByteArray(kNsgRest).replace("\"9200\"",
            "\"65536\"") << QStringLiteral("destinationPortRange: error: port range \"65536\" is outside 0-65535");
        QTest::newRow("priority-type") << QByteArray(kNsgRest).replace("100,",
            "[100],") << QStringLiteral("priority: error: \"priority\" should be a whole number but is an array");
        QTest::newRow("priority-range") << QByteArray(kNsgRest).replace("100,", "4097,")
                                        << QStringLiteral("\"priority\" is 4097, outside 100-4096");
        QTest::newRow("bad-access") << QByteArray(kNsgRest).replace("\"Allow\"", "\"Permit\"")
                                    << QStringLiteral("\"access\" is \"Permit\"; expected Allow or Deny");
        QTest::newRow("bad-prefix") << QByteArray(kNsgRest).replace(
            "\"sourceAddressPrefix\": \"*\"", "\"sourceAddressPrefix\": \"1.2.3.4/40\"")
                                    << QStringLiteral("invalid address prefix \"1.2.3.4/40\"");
        QTest::newRow("rules-not-list") << QByteArray(
            R"({"id": "/x/networkSecurityGroups/n", "name": "n", "type": "Microsoft.Network/networkSecurityGroups", "properties": {"securityRules": {}}})")
                                        << QStringLiteral("bad.json#/properties/securityRules: error: "
                                                          "\"securityRules\" should be a list but is an object");
        // Found by fuzz_roundtrip: the warning about the missing server named no file when its only
        // firewall rule was itself invalid.
        QTest::newRow("firewall-rule-of-missing-server-invalid") << QByteArray(
            R"([{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/sql-bad/firewallRules/backwards",
                 "name": "backwards", "type": "Microsoft.Sql/servers/firewallRules",
                 "properties": {"startIpAddress": "52.1.1.9", "endIpAddress": "52.1.1.1"}}])")
                                                                 << QStringLiteral(
                                                                        "bad.json#/0: warning: firewall rules refer to "
                                                                        "sql-bad, which is not in the export");
    }
    void errors()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString name = content.isEmpty() ? QStringLiteral("empty.json") : QStringLiteral("bad.json");
        write(dir, name, content);
        const Snapshot s = importSnapshot({ dir.path().toStdString() });
        QVERIFY(s.hasErrors());
        QVERIFY2(diagnostics(s).contains(expected), qPrintable(diagnostics(s)));
    }

    // Service tag lists are recognised by content, in every shape they are exported in, and
    // keyed by lower-case name because rules spell tags in any case.
    void serviceTagShapes_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("pointer"); // of the AzureCloud entry
        QTest::newRow("az-cli") << kServiceTagsCli << QStringLiteral("service-tags") << QStringLiteral("/values/0");
        QTest::newRow("download") << kServiceTagsDownload << QStringLiteral("service-tags")
                                  << QStringLiteral("/values/0");
        QTest::newRow("powershell") << kServiceTagsPowerShell << QStringLiteral("powershell")
                                    << QStringLiteral("/Values/0");
        QTest::newRow("rest-api-example") << QByteArray(
            R"({"parameters": {"api-version": "2024-07-01", "location": "westeurope"}, "responses": {"200": {"body": )"
            + kServiceTagsCli + "}}}") << QStringLiteral("service-tags")
                                          << QStringLiteral("/responses/200/body/values/0");
    }
    void serviceTagShapes()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, format);
        QFETCH(QString, pointer);
        QTemporaryDir dir;
        // A name that says nothing: the content decides.
        const QString path = write(dir, QStringLiteral("export-17.json"), content);
        // With an estate beside it: a tag list alone holds nothing to analyse.
        const QString estate = write(dir, QStringLiteral("nsg.json"), kNsgRest);
        const Snapshot s = importSnapshot({ path.toStdString(), estate.toStdString() });
        QVERIFY2(!s.hasErrors(), qPrintable(diagnostics(s)));
        QCOMPARE(QString::fromStdString(s.files[0].format), format);
        QVERIFY(!s.files[0].skipped);
        QCOMPARE(s.files[0].resources, 2);
        QCOMPARE(s.serviceTags.size(), std::size_t(2));
        QVERIFY(s.serviceTags.count("azurecloud"));
        QVERIFY(s.serviceTags.count("storage.westeurope"));
        const auto& cloud = s.serviceTags.at("azurecloud");
        QCOMPARE(QString::fromStdString(cloud.name), QStringLiteral("AzureCloud"));
        QCOMPARE(QString::fromStdString(cloud.changeNumber), QStringLiteral("312"));
        QCOMPARE(QString::fromStdString(cloud.cloud), QStringLiteral("Public"));
        QCOMPARE(QString::fromStdString(cloud.where.pointer), pointer);
        QCOMPARE(QString::fromStdString(cloud.where.file), path);
        // IPv4 and IPv6 prefixes, exactly.
        QCOMPARE(cloud.addresses.toCidrs(), (std::vector<std::string> { "13.69.0.0/17", "2603:1020:200::/46" }));
        QCOMPARE(
            s.serviceTags.at("storage.westeurope").addresses.toCidrs(), std::vector<std::string> { "20.38.108.0/23" });
    }

    void serviceTagErrors_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::newRow("invalid-prefix") << QByteArray(kServiceTagsCli).replace("\"13.69.0.0/17\"", "\"13.69.0.0/33\"")
                                        << QStringLiteral(
                                               "tags.json#/values/0/properties/addressPrefixes/0: error: service "
                                               "tag AzureCloud: invalid address prefix \"13.69.0.0/33\"");
        QTest::newRow("prefix-not-text") << QByteArray(kServiceTagsDownload).replace("\"20.38.108.0/23\"", "7")
                                         << QStringLiteral("tags.json#/values/1/properties/addressPrefixes/0: error: "
                                                           "service tag Storage.WestEurope: invalid address prefix");
        QTest::newRow("prefixes-not-list")
            << QByteArray(kServiceTagsCli).replace("[\"20.38.108.0/23\"]", "\"20.38.108.0/23\"")
            << QStringLiteral("tags.json#/values/1/properties/"
                              "addressPrefixes: error: service tag "
                              "Storage.WestEurope: \"addressPrefixes\" "
                              "should be a list but is a string");
        QTest::newRow("no-name")
            << QByteArray(kServiceTagsDownload).replace("\"name\": \"AzureCloud\", \"id\": \"AzureCloud\", ", "")
            << QStringLiteral("tags.json#/values/0: error: service tag entry has no \"name\"");
    }
    void serviceTagErrors()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        write(dir, QStringLiteral("tags.json"), content);
        write(dir, QStringLiteral("nsg.json"), kNsgRest);
        const Snapshot s = importSnapshot({ dir.path().toStdString() });
        QVERIFY(s.hasErrors());
        QVERIFY2(diagnostics(s).contains(expected), qPrintable(diagnostics(s)));
    }

    // Two lists that disagree about a tag (two weeks' downloads): the newer changeNumber is used,
    // and the analyst is told.
    void serviceTagNewerListWins_data()
    {
        QTest::addColumn<bool>("newerFirst");
        QTest::newRow("newer-read-first") << true;
        QTest::newRow("newer-read-last") << false;
    }
    void serviceTagNewerListWins()
    {
        QFETCH(bool, newerFirst);
        QTemporaryDir dir;
        // Files are read in name order.
        write(dir, newerFirst ? QStringLiteral("a.json") : QStringLiteral("b.json"),
            QByteArray(kServiceTagsDownload).replace("312", "400"));
        write(dir, newerFirst ? QStringLiteral("b.json") : QStringLiteral("a.json"),
            QByteArray(kServiceTagsCli).replace("13.69.0.0/17", "13.70.0.0/17"));
        write(dir, QStringLiteral("nsg.json"), kNsgRest);
        const Snapshot s = importSnapshot({ dir.path().toStdString() });
        QVERIFY2(!s.hasErrors(), qPrintable(diagnostics(s)));
        const auto& cloud = s.serviceTags.at("azurecloud");
        QCOMPARE(QString::fromStdString(cloud.changeNumber), QStringLiteral("400"));
        QCOMPARE(cloud.addresses.toCidrs(), (std::vector<std::string> { "13.69.0.0/17", "2603:1020:200::/46" }));
        QVERIFY2(diagnostics(s).contains(QStringLiteral("service tag AzureCloud has other ranges")),
            qPrintable(diagnostics(s)));
        // Tags on which the lists agree are not reported.
        QVERIFY(!diagnostics(s).contains(QStringLiteral("Storage.WestEurope")));
    }

    void everySampleIsReadOrSkippedWithReason()
    {
        const QString root = QStringLiteral(EW_SAMPLES "/azure");
        if (!QFileInfo::exists(root))
            QSKIP("../shared/samples is not beside this checkout");
        int files = 0, used = 0;
        QDirIterator it(root, { QStringLiteral("*.json") }, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            ++files;
            const Snapshot s = importSnapshot({ path.toStdString() });
            QCOMPARE(s.files.size(), std::size_t(1));
            const auto& f = s.files[0];
            for (const auto& d : s.diagnostics) {
                if (d.level != Diagnostic::Level::Error)
                    continue;
                // The one deliberate exception: Batfish's hand-written test network uses priority 5,
                // which Azure refuses (custom rules take 100-4096); that is bad input and says so.
                const bool batfishPriority = path.contains(QStringLiteral("batfish/test-nsg"))
                    && d.message == "\"priority\" is 5, outside 100-4096";
                QVERIFY2(batfishPriority
                        || d.message.find("no Azure or AWS network or compute resources were found")
                            != std::string::npos,
                    qPrintable(path + QStringLiteral(": ") + QString::fromStdString(d.toString())));
            }
            if (f.skipped)
                QVERIFY2(!f.reason.empty(), qPrintable(path));
            else
                ++used;
        }
        // shared/samples grows; every file it has is covered above, and most are used.
        QVERIFY(files >= 79);
        qInfo("%d sample files, %d used", files, used);
        QVERIFY(used >= 63); // the others hold no network resources (route tables, NAT gateways)
    }

    void sampleEstatesAreComplete()
    {
        const QString root = QStringLiteral(EW_SAMPLES "/azure/az-cli-shape");
        if (!QFileInfo::exists(root))
            QSKIP("../shared/samples is not beside this checkout");
        const Snapshot s = importSnapshot({ root.toStdString() });
        QVERIFY2(!s.hasErrors(), qPrintable(diagnostics(s)));
        QCOMPARE(s.nics.size(), std::size_t(40));
        QCOMPARE(s.vms.size(), std::size_t(40));
        QCOMPARE(s.nsgs.size(), std::size_t(8));
        QCOMPARE(s.publicIps.size(), std::size_t(7));
        std::size_t withPip = 0;
        for (const auto& [id, nic] : s.nics)
            for (const auto& ipc : nic.ipConfigurations)
                withPip += !ipc.publicIpId.empty() && s.publicIps.count(ipc.publicIpId);
        QVERIFY(withPip > 0);
        // Every NIC resolved its VM and subnet.
        for (const auto& [id, nic] : s.nics) {
            QVERIFY(s.vms.count(nic.vmId));
            QVERIFY(s.subnets.count(nic.ipConfigurations.at(0).subnetId));
        }

        const QString rest = QStringLiteral(EW_SAMPLES "/azure/azure-rest-api-specs");
        const Snapshot r = importSnapshot({ rest.toStdString() });
        QVERIFY2(!r.hasErrors(), qPrintable(diagnostics(r)));
        // LoadBalancerGet: frontend, pool, rule 80->80 and an inbound NAT rule 3389->3389.
        QCOMPARE(r.loadBalancers.size(), std::size_t(1));
        const auto& lb = r.loadBalancers.begin()->second;
        QCOMPARE(lb.rules.size(), std::size_t(1));
        QCOMPARE(lb.rules[0].frontendPort, 80u);
        QCOMPARE(lb.natRules.size(), std::size_t(1));
        QCOMPARE(lb.natRules[0].backendPort, 3389u);
        QCOMPARE(int(lb.sku), int(PublicIpAddress::Sku::Basic));
        // NetworkInterfaceGet: a delegated prefix as private address.
        bool prefixSeen = false;
        for (const auto& [id, nic] : r.nics)
            for (const auto& ipc : nic.ipConfigurations)
                prefixSeen = prefixSeen || ipc.privateRange.v4Count() == 16;
        QVERIFY(prefixSeen);
        // ServiceTagsList: the REST example of "Service Tags - List", read by content.
        QVERIFY(r.serviceTags.count("apimanagement.australiacentral"));
        const auto& apim = r.serviceTags.at("apimanagement.australiacentral");
        QCOMPARE(QString::fromStdString(apim.changeNumber), QStringLiteral("63"));
        QCOMPARE(apim.addresses.toCidrs(), (std::vector<std::string> { "20.36.106.68/31", "20.36.107.176/28" }));
    }
};

QTEST_GUILESS_MAIN(TestAzureImporter)
#include "tst_azureimporter.moc"
