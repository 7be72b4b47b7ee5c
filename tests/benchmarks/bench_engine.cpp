// Benchmarks of the engine on generated estates. Estates are generated once into
// $EW_BENCH_DIR (default /tmp/ew-bench) and reused.
#include "benchestates.h"
#include "findings/analyzer.h"
#include "findings/incremental.h"
#include "generator/estategenerator.h"
#include "graph/graphlayout.h"
#include "import/azureimporter.h"
#include "policy/nsgevaluator.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>

namespace {

const ew::Snapshot& snapshot(const std::string& tier)
{
    static std::map<std::string, ew::Snapshot> cache;
    auto it = cache.find(tier);
    if (it == cache.end())
        it = cache.emplace(tier, ew::importSnapshot({ estateFolder(tier) })).first;
    return it->second;
}

void BM_Load(benchmark::State& state, std::string tier)
{
    const std::string folder = estateFolder(tier);
    std::size_t nics = 0;
    for (auto _ : state) {
        auto snap = ew::importSnapshot({ folder });
        nics = snap.nics.size();
        benchmark::DoNotOptimize(nics);
    }
    state.counters["nics"] = static_cast<double>(nics);
}

void BM_Analyze(benchmark::State& state, std::string tier)
{
    const auto& snap = snapshot(tier);
    std::size_t findings = 0, groups = 0;
    for (auto _ : state) {
        auto result = ew::analyze(snap);
        findings = result.findings.size();
        groups = result.stats.policyGroups;
        benchmark::DoNotOptimize(findings);
    }
    state.counters["findings"] = static_cast<double>(findings);
    state.counters["groups"] = static_cast<double>(groups);
}

// A random NSG of n rules compiled for one NIC, as the engine sees it.
std::vector<ew::CompiledRule> randomRules(int n)
{
    std::mt19937 rng(static_cast<unsigned>(n));
    std::vector<ew::CompiledRule> rules;
    for (int i = 0; i < n; ++i) {
        ew::PortSet ports;
        const std::uint32_t a = rng() % 65000;
        ports.add(a, a + (rng() % 4 == 0 ? rng() % 500 : 0));
        const ew::u128 base = ew::kV4Base + (rng() & 0xffffff00u);
        const int len = 8 + static_cast<int>(rng() % 25);
        const ew::u128 size = ew::u128(1) << (32 - len);
        const ew::u128 first = base & ~(size - 1);
        rules.push_back({ static_cast<std::size_t>(i), rng() % 3 != 0,
            ew::PacketSet::box(
                static_cast<ew::ProtocolMask>(1 + rng() % 3), ports, ew::AddressSet::range(first, first + size - 1)) });
    }
    rules.push_back({ static_cast<std::size_t>(n), false,
        ew::PacketSet::box(ew::kAllProtocols, ew::PortSet::all(), ew::AddressSet::all()) });
    return rules;
}

const ew::PacketSet& internetUniverse()
{
    static const ew::PacketSet u = ew::PacketSet::box(ew::kAllProtocols, ew::PortSet::all(), ew::publicInternet());
    return u;
}

void BM_NsgFirstMatch(benchmark::State& state)
{
    const auto rules = randomRules(static_cast<int>(state.range(0)));
    for (auto _ : state)
        benchmark::DoNotOptimize(ew::evaluateFirstMatch(rules, internetUniverse()));
}

void BM_NsgNaiveAtoms(benchmark::State& state)
{
    const auto rules = randomRules(static_cast<int>(state.range(0)));
    for (auto _ : state)
        benchmark::DoNotOptimize(ew::evaluateNaiveAtoms(rules, internetUniverse()));
}

void BM_NsgNaivePorts(benchmark::State& state)
{
    const auto rules = randomRules(static_cast<int>(state.range(0)));
    for (auto _ : state)
        benchmark::DoNotOptimize(ew::evaluateNaivePorts(rules, internetUniverse()));
}

// First graph layout (PERFORMANCE.md: collapsed, 300 ms on M). state.range(0): 0 = everything
// collapsed (the workbench's default on large graphs), 1 = VNets open and subnets collapsed,
// 2 = everything expanded.
void BM_Layout(benchmark::State& state, const std::string& tier)
{
    const auto& snap = snapshot(tier);
    static std::map<std::string, ew::AnalysisResult> results;
    auto& result = results[tier];
    if (result.findings.empty())
        result = ew::analyze(snap);
    const auto grouping = ew::GraphGrouping::fromSnapshot(snap);
    ew::LayoutOptions options;
    options.expandByDefault = state.range(0) == 2;
    if (state.range(0) == 1)
        for (const auto& [id, name] : grouping.vnetNames)
            options.expanded[id] = true;
    std::size_t nodes = 0;
    for (auto _ : state) {
        auto layout = ew::layoutGraph(result.graph, grouping, options);
        nodes = layout.nodes.size();
        benchmark::DoNotOptimize(nodes);
    }
    state.counters["graphNodes"] = static_cast<double>(result.graph.nodeCount());
    state.counters["drawnNodes"] = static_cast<double>(nodes);
}

// Re-analysis after one rule edit (PERFORMANCE.md: M median 5 ms, 99th percentile 16 ms). Each
// iteration flips the access of a random custom inbound rule of a random NSG (timed), then undoes
// it (not timed). Median, 99th percentile and worst of the timed edits are reported as counters (ms).
void BM_Reanalyse(benchmark::State& state, const std::string& tier)
{
    static std::map<std::string, std::unique_ptr<ew::IncrementalAnalysis>> analyses;
    auto& inc = analyses[tier];
    if (!inc)
        inc = std::make_unique<ew::IncrementalAnalysis>(snapshot(tier));
    std::vector<std::pair<std::string, std::string>> rules; // (nsg, rule)
    for (const auto& [id, nsg] : inc->snapshot().nsgs)
        for (const auto& r : nsg.rules)
            if (!r.isDefault && r.inbound)
                rules.emplace_back(id, r.name);
    std::sort(rules.begin(), rules.end());
    std::mt19937 rng(7);
    std::vector<double> times;
    std::size_t reevaluated = 0, changed = 0;
    for (auto _ : state) {
        const auto& [nsgId, name] = rules[std::uniform_int_distribution<std::size_t>(0, rules.size() - 1)(rng)];
        const auto& nsg = inc->snapshot().nsgs.at(nsgId);
        const auto it = std::find_if(
            nsg.rules.begin(), nsg.rules.end(), [&](const ew::SecurityRule& r) { return r.name == name; });
        ew::WhatIfEdit edit;
        edit.kind = ew::WhatIfEdit::Kind::EditRule;
        edit.nsgId = nsgId;
        edit.ruleName = name;
        edit.rule = ew::ruleJson(*it, inc->snapshot());
        edit.rule["access"] = it->allow ? "Deny" : "Allow";
        ew::WhatIfEdit inverse;
        ew::FindingsDelta delta;
        std::string error;
        const auto start = std::chrono::steady_clock::now();
        const bool ok = inc->apply(edit, inverse, delta, error);
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
        state.PauseTiming();
        if (!ok) {
            state.SkipWithError(error.c_str());
            break;
        }
        reevaluated += inc->lastReevaluated();
        changed += delta.opened.size() + delta.closed.size() + delta.changed.size();
        inc->apply(inverse, inverse, delta, error);
        state.ResumeTiming();
    }
    std::sort(times.begin(), times.end());
    if (!times.empty()) {
        state.counters["p50_ms"] = times[times.size() / 2];
        state.counters["p99_ms"] = times[std::min(times.size() - 1, times.size() * 99 / 100)];
        state.counters["max_ms"] = times.back(); // the worst edit (PERFORMANCE.md: none on L over 100 ms)
        state.counters["ipcs_per_edit"] = static_cast<double>(reevaluated) / static_cast<double>(times.size());
        state.counters["findings_changed_per_edit"] = static_cast<double>(changed) / static_cast<double>(times.size());
    }
}

} // namespace

BENCHMARK(BM_NsgFirstMatch)->Arg(50)->Arg(200)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_NsgNaiveAtoms)->Arg(50)->Arg(200)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NsgNaivePorts)->Arg(50)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(BM_Load, S, std::string("S"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Analyze, S, std::string("S"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Load, M, std::string("M"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Analyze, M, std::string("M"))->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Load, L, std::string("L"))->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_CAPTURE(BM_Analyze, L, std::string("L"))->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK_CAPTURE(BM_Layout, S, std::string("S"))->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Layout, M, std::string("M"))->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Layout, L, std::string("L"))->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK_CAPTURE(BM_Reanalyse, S, std::string("S"))->Unit(benchmark::kMillisecond)->Iterations(400);
BENCHMARK_CAPTURE(BM_Reanalyse, M, std::string("M"))->Unit(benchmark::kMillisecond)->Iterations(400);
BENCHMARK_CAPTURE(BM_Reanalyse, L, std::string("L"))->Unit(benchmark::kMillisecond)->Iterations(200);
// XL: 250k NICs, about 1 GB of JSON (run alone: `--benchmark_filter=Reanalyse/XL`).
BENCHMARK_CAPTURE(BM_Reanalyse, XL, std::string("XL"))->Unit(benchmark::kMillisecond)->Iterations(200);

BENCHMARK_MAIN();
