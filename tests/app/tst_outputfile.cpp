#include "audit/outputfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace ew;

namespace {

QByteArray contents(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("(unreadable)");
}

void put(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(bytes);
}

// Every name in the folder, hidden ones included: a temporary left behind shows here.
QStringList entries(const QString& folder)
{
    return QDir(folder).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
}

bool write(const QString& path, const std::string& text, std::string* error = nullptr)
{
    OutputFile out(path.toStdString());
    bool ok = out.open();
    if (ok) {
        out.stream() << text;
        ok = out.commit();
    }
    if (error)
        *error = out.error();
    return ok;
}

} // namespace

class TestOutputFile : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void replacesRegularFiles_data()
    {
        QTest::addColumn<bool>("exists");
        QTest::addColumn<int>("mode");
        QTest::newRow("new-file") << false << 0;
        QTest::newRow("existing-0640") << true << 0640;
        QTest::newRow("existing-0604") << true << 0604;
    }
    void replacesRegularFiles()
    {
        QFETCH(bool, exists);
        QFETCH(int, mode);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("findings.json"));
        if (exists) {
            put(path, "old content, longer than the new one\n");
            QCOMPARE(::chmod(path.toLocal8Bit().constData(), static_cast<mode_t>(mode)), 0);
        }
        QVERIFY(write(path, "{}\n"));
        QCOMPARE(contents(path), QByteArray("{}\n"));
        QCOMPARE(entries(dir.path()), QStringList { QStringLiteral("findings.json") });
        struct stat st = {};
        QCOMPARE(::stat(path.toLocal8Bit().constData(), &st), 0);
        const mode_t mask = ::umask(0);
        ::umask(mask);
        // The replaced file's permissions, or what creating the file would give.
        QCOMPARE(int(st.st_mode & 07777), exists ? mode : int(0666 & ~mask));
    }

    // The temporary has a unique name: FILE.tmp (another program's, or an old run's) is left alone.
    void existingTmpUntouched()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.csv"));
        put(path + QStringLiteral(".tmp"), "precious");
        QVERIFY(write(path, "id,severity\n"));
        QCOMPARE(contents(path + QStringLiteral(".tmp")), QByteArray("precious"));
        QCOMPARE(contents(path), QByteArray("id,severity\n"));
        QCOMPARE(entries(dir.path()), (QStringList { QStringLiteral("out.csv"), QStringLiteral("out.csv.tmp") }));
    }

    // A name as long as a file name may be: the temporary's name is shortened, not refused.
    void longName()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QString(255, QLatin1Char('n')));
        QVERIFY(write(path, "x\n"));
        QCOMPARE(contents(path), QByteArray("x\n"));
        QCOMPARE(entries(dir.path()).size(), 1);
    }

    void followsSymlinks_data()
    {
        QTest::addColumn<QString>("link"); // the link's text; %1 is the folder
        QTest::addColumn<QString>("target"); // relative to the folder
        QTest::addColumn<bool>("targetExists");
        QTest::newRow("relative") << QStringLiteral("real.json") << QStringLiteral("real.json") << true;
        QTest::newRow("absolute") << QStringLiteral("%1/real.json") << QStringLiteral("real.json") << true;
        QTest::newRow("into-subfolder") << QStringLiteral("sub/real.json") << QStringLiteral("sub/real.json") << true;
        QTest::newRow("dangling") << QStringLiteral("sub/new.json") << QStringLiteral("sub/new.json") << false;
        QTest::newRow("link-to-link") << QStringLiteral("hop") << QStringLiteral("real.json") << true;
    }
    void followsSymlinks()
    {
        QFETCH(QString, link);
        QFETCH(QString, target);
        QFETCH(bool, targetExists);
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("sub")));
        if (targetExists)
            put(dir.filePath(target), "old");
        if (link == QLatin1String("hop"))
            QCOMPARE(::symlink("real.json", dir.filePath(QStringLiteral("hop")).toLocal8Bit().constData()), 0);
        const QString path = dir.filePath(QStringLiteral("out.json"));
        const QString text = link.contains(QLatin1String("%1")) ? link.arg(dir.path()) : link;
        QCOMPARE(::symlink(text.toLocal8Bit().constData(), path.toLocal8Bit().constData()), 0);
        std::string error;
        QVERIFY2(write(path, "new\n", &error), error.c_str());
        QVERIFY(QFileInfo(path).isSymLink()); // the link stays a link
        QCOMPARE(contents(dir.filePath(target)), QByteArray("new\n"));
        // Nothing else appeared: no temporary in either folder.
        QCOMPARE(entries(dir.filePath(QStringLiteral("sub"))).size(), target.startsWith(QLatin1String("sub/")) ? 1 : 0);
    }

    // A FIFO's reader gets the output; the FIFO is not replaced by a regular file.
    void writesIntoFifo()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("pipe"));
        QCOMPARE(::mkfifo(path.toLocal8Bit().constData(), 0600), 0);
        // Held open until the writer is done, so that the reader cannot wait forever should the
        // writer fail before it opens the FIFO.
        const int keep = ::open(path.toLocal8Bit().constData(), O_RDWR);
        QVERIFY(keep >= 0);
        std::string received;
        std::thread reader([&] {
            std::ifstream in(path.toStdString(), std::ios::binary);
            std::ostringstream all;
            all << in.rdbuf();
            received = all.str();
        });
        const std::string text(200000, 'x'); // more than a pipe holds: the writer waits for the reader
        const bool ok = write(path, text);
        ::close(keep);
        reader.join();
        QVERIFY(ok);
        QCOMPARE(received.size(), text.size());
        struct stat st = {};
        QCOMPARE(::lstat(path.toLocal8Bit().constData(), &st), 0);
        QVERIFY(S_ISFIFO(st.st_mode));
        QCOMPARE(entries(dir.path()), QStringList { QStringLiteral("pipe") });
    }

    // Devices are reached through a link in the test's folder: should the writer ever replace what it
    // is given, it replaces the link, never the system's /dev/full (tests may run as root).
    void characterDevices_data()
    {
        QTest::addColumn<QString>("device");
        QTest::addColumn<QString>("error"); // empty: written
        QTest::newRow("dev-null") << QStringLiteral("/dev/null") << QString();
        QTest::newRow("dev-full") << QStringLiteral("/dev/full") << QStringLiteral("No space left on device");
    }
    void characterDevices()
    {
        QFETCH(QString, device);
        QFETCH(QString, error);
        struct stat st = {};
        if (::stat(device.toLocal8Bit().constData(), &st) != 0 || !S_ISCHR(st.st_mode))
            QSKIP("no such device here");
        QTemporaryDir dir;
        const QString link = dir.filePath(QStringLiteral("device"));
        QCOMPARE(::symlink(device.toLocal8Bit().constData(), link.toLocal8Bit().constData()), 0);
        std::string message;
        QCOMPARE(write(link, "text\n", &message), error.isEmpty());
        if (!error.isEmpty())
            QCOMPARE(QString::fromStdString(message), QStringLiteral("cannot write %1: %2").arg(link, error));
        QVERIFY(QFileInfo(link).isSymLink());
        QCOMPARE(entries(dir.path()), QStringList { QStringLiteral("device") });
    }

    void refusedDestinations_data()
    {
        QTest::addColumn<QString>("name"); // in the temporary folder
        QTest::addColumn<QString>("error");
        QTest::newRow("folder") << QStringLiteral("sub") << QStringLiteral("Is a directory");
        QTest::newRow("missing-folder") << QStringLiteral("nowhere/out.json")
                                        << QStringLiteral("cannot create a temporary file beside it");
        QTest::newRow("link-loop") << QStringLiteral("loop") << QStringLiteral("Too many levels of symbolic links");
    }
    void refusedDestinations()
    {
        QFETCH(QString, name);
        QFETCH(QString, error);
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("sub")));
        QCOMPARE(::symlink("loop", dir.filePath(QStringLiteral("loop")).toLocal8Bit().constData()), 0);
        const QStringList before = entries(dir.path());
        std::string message;
        QVERIFY(!write(dir.filePath(name), "text\n", &message));
        QVERIFY2(QString::fromStdString(message).contains(error), message.c_str());
        QCOMPARE(entries(dir.path()), before);
    }

    // A signal while the temporary exists removes it and still ends the program by that signal.
    void signalRemovesTemporary_data()
    {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGINT") << int(SIGINT);
        QTest::newRow("SIGHUP") << int(SIGHUP);
    }
    void signalRemovesTemporary()
    {
        QFETCH(int, signal);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("findings.json"));
        put(path, "old\n");
        const std::string file = path.toStdString();
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            OutputFile out(file);
            if (!out.open())
                ::_exit(3);
            out.stream() << std::string(100000, 'x');
            out.stream().flush();
            std::raise(signal);
            ::_exit(4); // not reached: the signal ends the child
        }
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY2(WIFSIGNALED(status), qPrintable(QStringLiteral("exit status %1").arg(WEXITSTATUS(status))));
        QCOMPARE(WTERMSIG(status), signal);
        QCOMPARE(entries(dir.path()), QStringList { QStringLiteral("findings.json") });
        QCOMPARE(contents(path), QByteArray("old\n"));
    }

    // Without commit() (an error elsewhere, an exception), the file stays as it was.
    void discardedWithoutCommit()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("findings.json"));
        put(path, "old\n");
        {
            OutputFile out(path.toStdString());
            QVERIFY(out.open());
            out.stream() << "half";
            out.stream().flush();
            QCOMPARE(entries(dir.path()).size(), 2); // the temporary exists while writing
        }
        QCOMPARE(entries(dir.path()), QStringList { QStringLiteral("findings.json") });
        QCOMPARE(contents(path), QByteArray("old\n"));
    }
};

QTEST_GUILESS_MAIN(TestOutputFile)
#include "tst_outputfile.moc"
