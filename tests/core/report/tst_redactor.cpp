#include "report/redactor.h"

#include <QTest>

using namespace ew;

class TestRedactor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void redact_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::newRow("public-ipv4") << QStringLiteral("through 40.91.12.21:")
                                     << QStringLiteral("through PUBLIC-IP-1:");
        QTest::newRow("private-ipv4") << QStringLiteral("host 10.20.3.4") << QStringLiteral("host PRIVATE-IP-1");
        QTest::newRow("prefix-keeps-length")
            << QStringLiteral("from 52.160.10.0/24.") << QStringLiteral("from PUBLIC-IP-1/24.");
        QTest::newRow("same-value-same-placeholder") << QStringLiteral("40.91.12.21, 40.91.12.22 and 40.91.12.21")
                                                     << QStringLiteral("PUBLIC-IP-1, PUBLIC-IP-2 and PUBLIC-IP-1");
        QTest::newRow("whole-internet-stays")
            << QStringLiteral("from 0.0.0.0/0 and ::/0") << QStringLiteral("from 0.0.0.0/0 and ::/0");
        QTest::newRow("ipv6") << QStringLiteral("via 2001:db8::1 and fd00::5/64")
                              << QStringLiteral("via PUBLIC-IP-1 and PRIVATE-IP-1/64");
        QTest::newRow("email") << QStringLiteral("owner jane.doe+sec@contoso.com.") << QStringLiteral("owner EMAIL-1.");
        QTest::newRow("subscription-guid")
            << QStringLiteral("/subscriptions/5f1c2a8e-0d3b-4c6f-9a7e-2b8d4e6f1a20/resourceGroups/rg")
            << QStringLiteral("/subscriptions/ID-1/resourceGroups/rg");
        QTest::newRow("times-and-versions-stay") << QStringLiteral("2019-12-06T09:45:00Z, version 1.2.3, port 9200")
                                                 << QStringLiteral("2019-12-06T09:45:00Z, version 1.2.3, port 9200");
        QTest::newRow("finding-ids-stay")
            << QStringLiteral("EW-723ed447fecba54d") << QStringLiteral("EW-723ed447fecba54d");
        QTest::newRow("not-an-address") << QStringLiteral("999.1.1.1 and dead:beef")
                                        << QStringLiteral("999.1.1.1 and dead:beef");
        // The incident's redaction missed "XYZ @contoso com": e-mail addresses written to slip past
        // a filter are e-mail addresses, and the same one whichever way it is written.
        QTest::newRow("email-space-at-and-space-dot")
            << QStringLiteral("ask XYZ @contoso com today") << QStringLiteral("ask EMAIL-1 today");
        QTest::newRow("email-bracketed-at-dot")
            << QStringLiteral("jane [at] contoso [dot] com, jane(at)contoso(dot)com")
            << QStringLiteral("EMAIL-1, EMAIL-1");
        QTest::newRow("email-at-dot-words")
            << QStringLiteral("write to jane at contoso dot com") << QStringLiteral("write to EMAIL-1");
        QTest::newRow("email-same-however-written")
            << QStringLiteral("Jane@Contoso.com or jane @ contoso com") << QStringLiteral("EMAIL-1 or EMAIL-1");
        QTest::newRow("at-as-a-word-stays") << QStringLiteral("reaches es-support-01 at 10.20.1.11 on port 9200")
                                            << QStringLiteral("reaches es-support-01 at PRIVATE-IP-1 on port 9200");
        QTest::newRow("aws-account-ids") << QStringLiteral(
            "arn:aws:es:eu-west-1:111122223333:domain/support-es, owner 444455556666.")
                                         << QStringLiteral(
                                                "arn:aws:es:eu-west-1:ACCOUNT-1:domain/support-es, owner ACCOUNT-2.");
        QTest::newRow("aws-account-id-in-url-quoted-arn")
            << QStringLiteral("elbv2-describe-target-health/"
                              "arn%3Aaws%3Aelasticloadbalancing%3Aeu-west-1%3A111122223333%3Atargetgroup")
            << QStringLiteral("elbv2-describe-target-health/"
                              "arn%3Aaws%3Aelasticloadbalancing%3Aeu-west-1%3AACCOUNT-1%3Atargetgroup");
        QTest::newRow("host-names-and-fqdns")
            << QStringLiteral("endpoint search-support-es-k3l9.eu-west-1.es.amazonaws.com and db01.corp.contoso.local")
            << QStringLiteral("endpoint HOST-1 and HOST-2");
        QTest::newRow("file-names-and-versions-stay")
            << QStringLiteral("resources/demo/aws/2019-12-05/ec2-describe-instances.json, OpenSearch_2.17")
            << QStringLiteral("resources/demo/aws/2019-12-05/ec2-describe-instances.json, OpenSearch_2.17");
    }
    void redact()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        Redactor r;
        QCOMPARE(QString::fromStdString(r.redact(input.toStdString())), expected);
    }

    // The report's last page says what kinds were replaced and how many.
    void countsPerKind()
    {
        Redactor r;
        r.redact("40.91.12.21 and 40.91.12.22 from jane@contoso.com in 111122223333, jane [at] contoso [dot] com");
        QCOMPARE(r.counts().at("PUBLIC-IP"), 2);
        QCOMPARE(r.counts().at("EMAIL"), 1);
        QCOMPARE(r.counts().at("ACCOUNT"), 1);
        QVERIFY(!r.counts().count("HOST"));
    }

    void consistentAcrossCalls()
    {
        Redactor r;
        QCOMPARE(r.redact("a 40.91.12.21"), std::string("a PUBLIC-IP-1"));
        QCOMPARE(r.redact("ops@contoso.com"), std::string("EMAIL-1"));
        QCOMPARE(r.redact("b 40.91.12.21 c 40.91.12.25"), std::string("b PUBLIC-IP-1 c PUBLIC-IP-2"));
        QCOMPARE(r.replacedValues(), std::size_t(3));
    }
};

QTEST_GUILESS_MAIN(TestRedactor)
#include "tst_redactor.moc"
