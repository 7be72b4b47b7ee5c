#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

// The exposure-workbench binary as a user runs it: --demo, --screenshot, bad arguments.
class TestWorkbench : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_home;

    int run(const QStringList& args, QString* err = nullptr)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), m_home.filePath(QStringLiteral("data")));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(EW_WORKBENCH_BINARY), args);
        if (!p.waitForFinished(60000))
            return -1;
        if (err)
            *err = QString::fromLocal8Bit(p.readAllStandardError());
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }

private Q_SLOTS:
    void screenshot_data()
    {
        QTest::addColumn<QString>("size");
        QTest::addColumn<QSize>("expected");
        QTest::newRow("readme-size") << QStringLiteral("1280x800") << QSize(1280, 800);
        QTest::newRow("small-window") << QStringLiteral("900x600") << QSize(900, 600);
    }
    void screenshot()
    {
        QFETCH(QString, size);
        QFETCH(QSize, expected);
        const QString file = m_home.filePath(size + QStringLiteral(".png"));
        QCOMPARE(
            run({ QStringLiteral("--demo"), QStringLiteral("--screenshot"), file, QStringLiteral("--size"), size }), 0);
        QImage image(file);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), expected);
        // The critical badge colour of the selected finding is on screen.
        bool red = false;
        for (int y = 0; y < image.height() && !red; y += 2)
            for (int x = 0; x < image.width() / 2 && !red; x += 2)
                red = image.pixelColor(x, y) == QColor(0xc6, 0x28, 0x28);
        QVERIFY(red);
    }

    void badArguments_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing-path") << QStringList { QStringLiteral("/no/such/export") }
                                      << QStringLiteral("no such file");
        QTest::newRow("bad-size") << QStringList { QStringLiteral("--demo"), QStringLiteral("--size"),
            QStringLiteral("big"), QStringLiteral("--screenshot"), QStringLiteral("x.png") }
                                  << QStringLiteral("--size wants WIDTHxHEIGHT");
    }
    void badArguments()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QString err;
        QCOMPARE(run(args, &err), 2);
        QVERIFY2(err.contains(message), qPrintable(err));
    }
};

QTEST_GUILESS_MAIN(TestWorkbench)
#include "tst_workbench.moc"
