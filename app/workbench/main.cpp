// exposure-workbench: the desktop workbench. Command-line parsing only; the window lives in ui/.
#include "findings/filterbar.h"
#include "mainwindow.h"
#include "presentation/presentationview.h"
#include "settings.h"
#include "theme.h"
#include "util/phaseprofile.h"

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QIcon>
#include <QLineEdit>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>
#include <map>
#include <memory>

// jemalloc's settings, read once at start (MALLOC_CONF in the environment still overrides them).
// 2 MiB pages for the engine's gigabytes of small blocks (a page fault where 4 KiB pages took 512);
// freed memory goes back to the kernel from jemalloc's own thread, not from the GUI thread, since a
// workbench stays open after an analysis (BENCHMARKS.md, issue 14, step 7).
extern "C" {
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): the name and type jemalloc reads
const char* malloc_conf = "thp:always,metadata_thp:always,background_thread:true";
}

namespace {

QString demoReview()
{
    const QStringList dirs
        = { QCoreApplication::applicationDirPath() + QStringLiteral("/../share/exposure-workbench/demo"),
              QStringLiteral(EW_SOURCE_DEMO_DIR) };
    for (const auto& dir : dirs) {
        const QString file = QDir(dir).filePath(QStringLiteral("incident-2019.review.json"));
        if (QFileInfo::exists(file))
            return QDir::cleanPath(file);
    }
    return {};
}

bool parseSize(const QString& text, QSize& out)
{
    const auto parts = text.split(QLatin1Char('x'));
    if (parts.size() != 2)
        return false;
    bool okW = false, okH = false;
    out = QSize(parts[0].toInt(&okW), parts[1].toInt(&okH));
    return okW && okH && out.width() >= 320 && out.height() >= 240;
}

} // namespace

int main(int argc, char** argv)
{
    ew::profilePhase("start"); // with EW_PROFILE=1: the phases from here to the first view
    QApplication app(argc, argv);
    Q_INIT_RESOURCE(resources); // icons live in the static ew_ui library
    QApplication::setOrganizationName(QStringLiteral("ExposureWorkbench"));
    QApplication::setApplicationName(QStringLiteral("exposure-workbench"));
    QApplication::setApplicationDisplayName(QStringLiteral("Exposure Workbench"));
    QApplication::setApplicationVersion(QStringLiteral(EW_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("org.exposureworkbench.ExposureWorkbench"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/exposure-workbench.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Which data stores can the internet reach, through which path, because of which rule."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("paths"),
        QStringLiteral("A review file, or export files and folders to review."), QStringLiteral("[paths...]"));
    const QCommandLineOption demo(
        QStringLiteral("demo"), QStringLiteral("Open the bundled demo review (the 2019 incident)."));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
        QStringLiteral("Render the main window to a PNG once the analysis is shown, then exit."),
        QStringLiteral("file"));
    const QCommandLineOption size(QStringLiteral("size"),
        QStringLiteral("Window size for --screenshot (default 1280x800)."), QStringLiteral("WxH"),
        QStringLiteral("1280x800"));
    const QCommandLineOption select(QStringLiteral("select"),
        QStringLiteral("Select this row of the findings table (default: the first)."), QStringLiteral("row"),
        QStringLiteral("0"));
    const QCommandLineOption present(QStringLiteral("present"),
        QStringLiteral("With --screenshot: render the presentation of the selected finding instead of the window."));
    const QCommandLineOption theme(
        QStringLiteral("theme"), QStringLiteral("system, light or dark."), QStringLiteral("name"));
    const QCommandLineOption compare(QStringLiteral("compare"),
        QStringLiteral("Compare with this export folder once the analysis is shown."), QStringLiteral("folder"));
    const QCommandLineOption whatIf(
        QStringLiteral("what-if"), QStringLiteral("Show the review's what-if scenario once the analysis is shown."));
    const QCommandLineOption tab(QStringLiteral("tab"),
        QStringLiteral("With --screenshot: the side tab to show (inspector, details, triage, problems, changes)."),
        QStringLiteral("name"));
    const QCommandLineOption filter(QStringLiteral("filter"),
        QStringLiteral("With --screenshot: type this in the findings filter (text or a filter expression)."),
        QStringLiteral("expression"));
    const QCommandLineOption actionOption(QStringLiteral("action"),
        QStringLiteral("With --screenshot: trigger this action after selecting (its id, such as group-by-rule or "
                       "path-only; may be repeated)."),
        QStringLiteral("id"));
    parser.addOptions({ demo, screenshot, size, select, present, theme, compare, whatIf, tab, filter, actionOption });
    parser.process(app);

    QStringList paths = parser.positionalArguments();
    if (parser.isSet(demo)) {
        const QString review = demoReview();
        if (review.isEmpty()) {
            std::fprintf(stderr, "exposure-workbench: the demo review is not installed (incident-2019.review.json)\n");
            return 2;
        }
        paths = { review };
    }
    for (const auto& p : paths)
        if (!QFileInfo::exists(p)) {
            std::fprintf(stderr, "exposure-workbench: %s: no such file or folder\n", qPrintable(p));
            return 2;
        }
    QSize windowSize(1280, 800);
    if (parser.isSet(size) && !parseSize(parser.value(size), windowSize)) {
        std::fprintf(stderr, "exposure-workbench: --size wants WIDTHxHEIGHT (at least 320x240), not %s\n",
            qPrintable(parser.value(size)));
        return 2;
    }
    ew::ui::Theme::apply(parser.isSet(theme) ? parser.value(theme) : ew::ui::Settings::theme.get());

    ew::ui::MainWindow window;
    const bool shot = parser.isSet(screenshot);
    if (shot) {
        window.setInteractive(false);
        window.resize(windowSize);
        const QString file = parser.value(screenshot);
        const int row = parser.value(select).toInt();
        const bool presentation = parser.isSet(present);
        window.setPresentFullScreen(false);
        const QString tabName = parser.value(tab);
        const QString filterText = parser.value(filter);
        // --compare and --what-if first (each ends with another ready()), then the picture.
        auto steps = std::make_shared<QStringList>();
        if (parser.isSet(compare))
            *steps << QStringLiteral("compare");
        if (parser.isSet(whatIf))
            *steps << QStringLiteral("what-if");
        const QString compareWith = parser.value(compare);
        // One event-loop turn after ready() so the selection, highlight and inspector are painted.
        auto* grabLater = new QTimer(&window);
        grabLater->setSingleShot(true);
        grabLater->setInterval(100);
        QObject::connect(grabLater, &QTimer::timeout, &window, [&window, grabLater, file, presentation]() {
            if (window.isBusy()) { // a selection can start a layout (its path's groups opening)
                grabLater->start();
                return;
            }
            QWidget* shown = presentation && window.presentation() ? static_cast<QWidget*>(window.presentation())
                                                                   : static_cast<QWidget*>(&window);
            const bool ok = shown->grab().save(file, "PNG");
            ew::profilePhase("workbench: screenshot written");
            if (!ok)
                std::fprintf(stderr, "exposure-workbench: cannot write %s\n", qPrintable(file));
            QCoreApplication::exit(ok ? 0 : 1);
        });
        const QStringList actions = parser.values(actionOption);
        for (const auto& id : actions)
            if (!window.action(id)) {
                std::fprintf(stderr, "exposure-workbench: --action %s: no such action\n", qPrintable(id));
                return 2;
            }
        QObject::connect(&window, &ew::ui::MainWindow::ready, &window,
            [&window, grabLater, row, presentation, steps, compareWith, tabName, filterText, actions,
                shown = std::make_shared<bool>(false)]() {
                if (!steps->isEmpty()) {
                    const QString step = steps->takeFirst();
                    if (step == QLatin1String("compare"))
                        window.compareWith({ compareWith });
                    else
                        window.replayScenario();
                    return;
                }
                if (*shown)
                    return; // a later layout (a selected path's groups opening): grabLater waits for it
                *shown = true;
                if (!filterText.isEmpty())
                    window.filterBar()->textEdit()->setText(filterText);
                window.selectRow(row);
                for (const auto& id : actions)
                    window.action(id)->trigger();
                const std::map<QString, int> tabs { { QStringLiteral("inspector"), 0 },
                    { QStringLiteral("details"), 1 }, { QStringLiteral("triage"), 2 },
                    { QStringLiteral("problems"), 3 }, { QStringLiteral("changes"), 4 } };
                if (auto it = tabs.find(tabName); it != tabs.end())
                    window.sideTabs()->setCurrentIndex(it->second);
                if (presentation)
                    window.action(QStringLiteral("present"))->trigger();
                grabLater->start();
            });
        if (paths.isEmpty())
            QMetaObject::invokeMethod(&window, "ready", Qt::QueuedConnection);
    }
    window.show();
    if (!paths.isEmpty())
        window.openPaths(paths);
    const int rc = QApplication::exec();
    if (shot)
        window.setWindowModified(false);
    return rc;
}
