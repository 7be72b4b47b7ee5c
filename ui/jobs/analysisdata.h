#pragma once

#include "findings/analyzer.h"
#include "findings/ruleinspection.h"
#include "graph/graphlayout.h"
#include "model/snapshot.h"
#include "review/review.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ew::ui {

/// Everything one background run produced: the snapshot, its analysis and what the views need
/// to explain it. Immutable once published (shared between the views by shared_ptr<const>).
struct AnalysisData
{
    AnalysisData() = default;
    AnalysisData(const AnalysisData&) = delete; // the inspector refers to the snapshot
    AnalysisData& operator=(const AnalysisData&) = delete;

    std::vector<std::string> inputs; // absolute paths as given
    Snapshot snapshot;
    AnalysisResult result;
    GraphGrouping grouping;
    std::unique_ptr<FindingInspector> inspector; // refers to snapshot
    std::vector<SnapshotFile> identity; // relative to the review's folder
    std::map<std::string, std::size_t> findingIndex; // finding id -> index
    /// Read from the findings JSON of an earlier analysis (the only input): findings without the
    /// snapshot behind them, so no graph, inspector or causes of changes.
    bool fromFindings = false;
    double importMs = 0;
    double analysisMs = 0;
    bool cancelled = false;
};

} // namespace ew::ui
