#include "review/review.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace ew;

class TestReview : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sha256_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("digest");
        // FIPS 180-4 examples (NIST CSRC "Example Algorithms", SHA-256).
        QTest::newRow("empty") << QByteArray()
                               << QStringLiteral("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        QTest::newRow("abc") << QByteArray("abc")
                             << QStringLiteral("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        QTest::newRow("two-blocks") << QByteArray("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                                    << QStringLiteral(
                                           "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        QTest::newRow("million-a") << QByteArray(
            1000000, 'a') << QStringLiteral("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
    void sha256()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, digest);
        QCOMPARE(QString::fromStdString(ew::sha256(std::string_view(input.constData(), input.size()))), digest);
    }

    void roundTrip()
    {
        Review r;
        r.title = "Weekly review";
        r.reviewer = "analyst@example.com";
        r.created = "2019-12-06T09:00:00Z";
        r.modified = "2019-12-06T10:00:00Z";
        r.inputs = { "2019-12-05" };
        r.files = { { "2019-12-05/nsgs.json", 1234, std::string(64, 'a') } };
        r.decisions["EW-0000000000000001"] = { TriageState::Confirmed, "ops", "ticket SEC-1\nsecond line \"quoted\"",
            "2019-12-06T09:30:00Z", "es-support-01", "critical", "", "" };
        r.decisions["EW-0000000000000002"]
            = { TriageState::AcceptedRisk, "", "", "", "jump-01", "low", "2020-01-15", "2020-03-31" };
        r.dataStores["/subscriptions/x/vm-a"] = "mongodb";
        r.dataStores["/subscriptions/x/vm-b"] = "";
        r.history.push_back({ "2019-12-04", "before", { "2019-12-04" }, { { "EW-0000000000000001", "high" } } });
        WhatIfEdit deny;
        deny.kind = WhatIfEdit::Kind::AddRule;
        deny.nsgId = "/subscriptions/x/nsg-a";
        deny.rule = { { "name", "deny-es" }, { "priority", 105 }, { "access", "Deny" } };
        WhatIfEdit detach;
        detach.kind = WhatIfEdit::Kind::DetachNsg;
        detach.resourceId = "/subscriptions/x/nic-a";
        r.scenarios.push_back({ "close Elasticsearch", { deny, detach } });
        const std::string text = serialiseReview(r);
        Review back;
        std::vector<Diagnostic> diags;
        QVERIFY(parseReview(text, "r.json", back, diags));
        QVERIFY(diags.empty());
        QVERIFY(back == r);
        QCOMPARE(serialiseReview(back), text); // stable output: a saved review diffs cleanly
    }

    // Issue 16: an accepted risk (or false positive) ends; after its last day the finding is open
    // again, and says since when. A due date the analyst set is kept as written.
    void expiry_data()
    {
        QTest::addColumn<int>("state");
        QTest::addColumn<QString>("expires");
        QTest::addColumn<QString>("today");
        QTest::addColumn<int>("effective");
        QTest::newRow("accepted-before-its-end") << int(TriageState::AcceptedRisk) << QStringLiteral("2020-03-31")
                                                 << QStringLiteral("2020-03-30") << int(TriageState::AcceptedRisk);
        QTest::newRow("accepted-on-its-last-day") << int(TriageState::AcceptedRisk) << QStringLiteral("2020-03-31")
                                                  << QStringLiteral("2020-03-31") << int(TriageState::AcceptedRisk);
        QTest::newRow("accepted-after-its-end") << int(TriageState::AcceptedRisk) << QStringLiteral("2020-03-31")
                                                << QStringLiteral("2020-04-01") << int(TriageState::Confirmed);
        QTest::newRow("false-positive-after-its-end") << int(TriageState::FalsePositive) << QStringLiteral("2020-03-31")
                                                      << QStringLiteral("2021-01-01") << int(TriageState::Confirmed);
        QTest::newRow("accepted-without-end") << int(TriageState::AcceptedRisk) << QString()
                                              << QStringLiteral("2030-01-01") << int(TriageState::AcceptedRisk);
        QTest::newRow("fixed-does-not-expire") << int(TriageState::Fixed) << QStringLiteral("2020-03-31")
                                               << QStringLiteral("2021-01-01") << int(TriageState::Fixed);
    }
    void expiry()
    {
        QFETCH(int, state);
        QFETCH(QString, expires);
        QFETCH(QString, today);
        QFETCH(int, effective);
        Decision d;
        d.state = static_cast<TriageState>(state);
        d.note = "bastion, reviewed quarterly";
        d.expires = expires.toStdString();
        const Decision now = effectiveDecision(d, today.toStdString());
        QCOMPARE(int(now.state), effective);
        if (effective != state)
            QVERIFY2(
                now.note.find(" expired after " + d.expires + ": bastion, reviewed quarterly") != std::string::npos,
                now.note.c_str());
        else
            QVERIFY(now == d);
    }

    void badInput_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("where");
        QTest::addColumn<QString>("message");
        QTest::newRow("not-json") << QByteArray("{\n  \"schema\": \"exposure-review/1\",\n  oops\n}")
                                  << QStringLiteral("r.json:3:") << QStringLiteral("invalid JSON");
        QTest::newRow("truncated") << QByteArray("{\"schema\": \"exposure-review/1\", \"decisions\": [")
                                   << QStringLiteral("r.json:1:") << QStringLiteral("invalid JSON");
        // Numbers that overflow a double are refused by the JSON library with an exception of its own
        // (out_of_range, not parse_error): reported with the place, never thrown through.
        QTest::newRow("number-overflow") << QByteArray("{\n  \"schema\": \"exposure-review/1\",\n  \"x\": 1e999\n}")
                                         << QStringLiteral("r.json:3:8: error: invalid JSON (at byte 42)")
                                         << QStringLiteral("number overflow parsing '1e999'");
        QTest::newRow("negative-number-overflow") << QByteArray(
            "{\"schema\": \"exposure-review/1\", \"snapshot\": {\"files\": [{\"path\": \"a\", \"size\": "
            "-1e999}]}}") << QStringLiteral("r.json:1:78: error: invalid JSON (at byte 77)")
                                                  << QStringLiteral("number overflow parsing '-1e999'");
        QTest::newRow("upper-case-exponent-overflow") << QByteArray(
            "{\"schema\": \"exposure-review/1\", \"decisions\": [{\"finding\": \"EW-1\", \"state\": "
            "\"new\", \"n\": 1E400}]}") << QStringLiteral("r.json:1:88: error: invalid JSON (at byte 87)")
                                                      << QStringLiteral("number overflow parsing '1E400'");
        QTest::newRow("invalid-utf8") << QByteArray("{\"schema\": \"exposure-review/1\", \"title\": \"\xff\"}")
                                      << QStringLiteral("r.json:1:") << QStringLiteral("invalid JSON (at byte ");
        QTest::newRow("not-an-object") << QByteArray("[1, 2]") << QStringLiteral("r.json: error")
                                       << QStringLiteral("JSON object");
        QTest::newRow("missing-schema") << QByteArray("{}") << QStringLiteral("r.json: error")
                                        << QStringLiteral("missing \"schema\"");
        QTest::newRow("other-schema") << QByteArray("{\"schema\": \"exposure-findings/1\"}")
                                      << QStringLiteral("r.json#/schema") << QStringLiteral("unknown review schema");
        QTest::newRow("unknown-state") << QByteArray(
            "{\"schema\": \"exposure-review/1\", \"decisions\": [{\"finding\": \"EW-1\", \"state\": \"ignored\"}]}")
                                       << QStringLiteral("r.json#/decisions/0/state")
                                       << QStringLiteral("unknown triage state \"ignored\"");
        QTest::newRow("wrong-type-note") << QByteArray("{\"schema\": \"exposure-review/1\", \"decisions\": "
                                                       "[{\"finding\": \"EW-1\", \"state\": \"new\", \"note\": 5}]}")
                                         << QStringLiteral("r.json#/decisions/0/note")
                                         << QStringLiteral("must be a string, not number");
        QTest::newRow("due-not-a-date") << QByteArray(
            "{\"schema\": \"exposure-review/1\", \"decisions\": [{\"finding\": \"EW-1\", \"state\": "
            "\"new\", \"due\": \"next week\"}]}")
                                        << QStringLiteral("r.json#/decisions/0/due")
                                        << QStringLiteral("must be a date written YYYY-MM-DD");
        QTest::newRow("expires-no-such-day")
            << QByteArray("{\"schema\": \"exposure-review/1\", \"decisions\": [{\"finding\": \"EW-1\", \"state\": "
                          "\"accepted-risk\", \"expires\": \"2020-02-30\"}]}")
            << QStringLiteral("r.json#/decisions/0/expires") << QStringLiteral("must be a date written YYYY-MM-DD");
        QTest::newRow("decided-twice") << QByteArray(
            "{\"schema\": \"exposure-review/1\", \"decisions\": [{\"finding\": \"EW-1\", \"state\": \"new\"},"
            "{\"finding\": \"EW-1\", \"state\": \"fixed\"}]}")
                                       << QStringLiteral("r.json#/decisions/1/finding")
                                       << QStringLiteral("decided twice");
        QTest::newRow("decisions-not-array")
            << QByteArray("{\"schema\": \"exposure-review/1\", \"decisions\": {}}")
            << QStringLiteral("r.json#/decisions") << QStringLiteral("must be an array");
        QTest::newRow("history-bad-severity")
            << QByteArray("{\"schema\": \"exposure-review/1\", \"history\": [{\"date\": \"2019-12-04\", "
                          "\"findings\": {\"EW-1\": \"dire\"}}]}")
            << QStringLiteral("r.json#/history/0/findings/EW-1") << QStringLiteral("expected a severity");
        QTest::newRow("scenario-bad-edit")
            << QByteArray("{\"schema\": \"exposure-review/1\", \"scenarios\": [{\"name\": \"s\", \"edits\": "
                          "[{\"kind\": \"explode\"}]}]}")
            << QStringLiteral("r.json#/scenarios/0/edits/0") << QStringLiteral("unknown edit kind \"explode\"");
        QTest::newRow("scenario-rule-not-object")
            << QByteArray("{\"schema\": \"exposure-review/1\", \"scenarios\": [{\"name\": \"s\", \"edits\": "
                          "[{\"kind\": \"add-rule\", \"nsg\": \"n\", \"newRule\": 5}]}]}")
            << QStringLiteral("r.json#/scenarios/0/edits/0") << QStringLiteral("\"newRule\" must be an object");
        QTest::newRow("negative-size") << QByteArray(
            "{\"schema\": \"exposure-review/1\", \"snapshot\": {\"files\": [{\"path\": \"a\", \"size\": -1}]}}")
                                       << QStringLiteral("r.json#/snapshot/files/0/size")
                                       << QStringLiteral("non-negative integer");
    }
    void badInput()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, where);
        QFETCH(QString, message);
        Review out;
        out.title = "untouched";
        std::vector<Diagnostic> diags;
        QVERIFY(!parseReview(std::string_view(text.constData(), text.size()), "r.json", out, diags));
        QVERIFY(!diags.empty());
        const QString first = QString::fromStdString(diags.front().toString());
        QVERIFY2(first.startsWith(where), qPrintable(first));
        QVERIFY2(first.contains(message), qPrintable(first));
        QCOMPARE(out.title, std::string("untouched")); // a failed parse leaves the target alone
    }

    void identity()
    {
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("snap/a.json"));
        const QString b = dir.filePath(QStringLiteral("snap/b.json"));
        QDir().mkpath(dir.filePath(QStringLiteral("snap")));
        std::ofstream(a.toStdString()) << "[]";
        std::ofstream(b.toStdString()) << "{}";
        const auto before = snapshotIdentity({ b.toStdString(), a.toStdString() }, dir.path().toStdString());
        QCOMPARE(before.size(), std::size_t(2));
        QCOMPARE(before[0].path, std::string("snap/a.json")); // relative, sorted
        QCOMPARE(before[0].size, std::uint64_t(2));
        QCOMPARE(before[0].sha256, ew::sha256("[]"));
        QVERIFY(compareIdentity(before, before).empty());

        std::ofstream(a.toStdString()) << "[1]";
        const QString c = dir.filePath(QStringLiteral("snap/c.json"));
        std::ofstream(c.toStdString()) << "[]";
        const auto after = snapshotIdentity({ a.toStdString(), c.toStdString() }, dir.path().toStdString());
        const auto changes = compareIdentity(before, after);
        QCOMPARE(changes.size(), std::size_t(3));
        QCOMPARE(changes[0], std::string("snap/a.json changed since the review (SHA-256 differs)"));
        QCOMPARE(changes[1], std::string("snap/b.json was part of the reviewed snapshot and is missing now"));
        QCOMPARE(changes[2], std::string("snap/c.json is new: it was not part of the reviewed snapshot"));
    }
};

QTEST_GUILESS_MAIN(TestReview)
#include "tst_review.moc"
