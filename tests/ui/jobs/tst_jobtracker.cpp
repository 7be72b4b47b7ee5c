#include "jobs/jobtracker.h"

#include <QSignalSpy>
#include <QTest>

#include <atomic>
#include <thread>

using namespace ew::ui;

// The window's background runs: a result comes back only when no newer run of its kind started
// (a slow layout must never overwrite the one the analyst asked for since).
class TestJobTracker : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void staleResultIsDropped()
    {
        JobTracker jobs;
        QSignalSpy delivered(&jobs, &JobTracker::delivered);
        std::vector<int> got;
        std::atomic<bool> release { false };
        jobs.run(
            QStringLiteral("layout"),
            [&release]() {
                while (!release)
                    std::this_thread::yield();
                return 1;
            },
            [&got](int r) { got.push_back(r); });
        QVERIFY(jobs.isRunning(QStringLiteral("layout")));
        jobs.run(
            QStringLiteral("layout"), []() { return 2; }, [&got](int r) { got.push_back(r); });
        QVERIFY(QTest::qWaitFor([&]() { return !got.empty(); }, 5000));
        release = true; // the first, older run finishes last
        QTest::qWait(100);
        QCOMPARE(got, std::vector<int> { 2 });
        QCOMPARE(delivered.count(), 1);
        QVERIFY(!jobs.isRunning(QStringLiteral("layout")));
    }

    void kindsAreIndependentAndDropForgets()
    {
        JobTracker jobs;
        int layout = 0, whatIf = 0;
        jobs.run(
            QStringLiteral("layout"), []() { return 1; }, [&layout](int r) { layout = r; });
        jobs.run(
            QStringLiteral("what-if"), []() { return 2; }, [&whatIf](int r) { whatIf = r; });
        jobs.run(
            QStringLiteral("export"), []() { return 3; }, [](int) { QFAIL("a dropped run's result arrived"); });
        jobs.drop(QStringLiteral("export"));
        QVERIFY(!jobs.isRunning(QStringLiteral("export")));
        QVERIFY(QTest::qWaitFor([&]() { return layout == 1 && whatIf == 2; }, 5000));
        QTest::qWait(50);
    }
};

QTEST_GUILESS_MAIN(TestJobTracker)
#include "tst_jobtracker.moc"
