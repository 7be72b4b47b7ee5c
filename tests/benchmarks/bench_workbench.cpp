// The workbench's graph on generated estates: building the scene from a layout, and painting it
// (the whole graph fitted into a 1280x800 window, and a 100% viewport), with Google Benchmark.
#include "benchestates.h"
#include "graph/graphscene.h"
#include "jobs/analysisjob.h"

#include <QApplication>
#include <QImage>
#include <QPainter>

#include <benchmark/benchmark.h>

#include <map>

namespace {

std::shared_ptr<const ew::ui::AnalysisData> analysis(const std::string& tier)
{
    static std::map<std::string, std::shared_ptr<const ew::ui::AnalysisData>> cache;
    auto& data = cache[tier];
    if (!data)
        data = ew::ui::AnalysisJob::run({ estateFolder(tier) }, {}, {}, {}, nullptr);
    return data;
}

// 0: everything collapsed; 1: everything expanded; 2: VNets open, subnets collapsed (the
// workbench's first view of an M estate).
ew::GraphLayout layoutFor(const ew::ui::AnalysisData& data, int mode)
{
    ew::LayoutOptions options;
    options.expandByDefault = mode == 1;
    if (mode == 2)
        for (const auto& vnet : data.grouping.vnetNames)
            options.expanded[vnet.first] = true;
    return ew::layoutGraph(data.result.graph, data.grouping, options);
}

// state.range(0): the layout mode above.
void BM_SceneBuild(benchmark::State& state, const std::string& tier)
{
    const auto data = analysis(tier);
    const auto layout = layoutFor(*data, static_cast<int>(state.range(0)));
    std::size_t items = 0;
    for (auto _ : state) {
        ew::ui::GraphScene scene;
        scene.setGraph(data, layout);
        items = static_cast<std::size_t>(scene.items().size());
        benchmark::DoNotOptimize(items);
    }
    state.counters["items"] = static_cast<double>(items);
}

// One repaint of a 1280x800 view at 100% (what the analyst sees while panning) or, with
// state.range(1) == 1, of the whole graph fitted (level of detail drops text and arrows).
void BM_ScenePaint(benchmark::State& state, const std::string& tier)
{
    const auto data = analysis(tier);
    ew::ui::GraphScene scene;
    scene.setGraph(data, layoutFor(*data, static_cast<int>(state.range(0))));
    QImage image(1280, 800, QImage::Format_ARGB32_Premultiplied);
    const bool fitted = state.range(1) == 1;
    const QRectF source = fitted ? scene.sceneRect() : QRectF(scene.sceneRect().topLeft(), QSizeF(1280, 800));
    for (auto _ : state) {
        image.fill(Qt::white);
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        scene.render(&painter, QRectF(0, 0, 1280, 800), source, Qt::KeepAspectRatio);
    }
    state.counters["nodes"] = static_cast<double>(scene.nodeItems().size());
}

} // namespace

BENCHMARK_CAPTURE(BM_SceneBuild, M, std::string("M"))->Arg(2)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ScenePaint, M, std::string("M"))
    ->Args({ 2, 0 })
    ->Args({ 2, 1 })
    ->Args({ 1, 0 })
    ->Args({ 1, 1 })
    ->Unit(benchmark::kMillisecond);

int main(int argc, char** argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
