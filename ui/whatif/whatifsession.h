#pragma once

#include "findings/incremental.h"
#include "jobs/analysisdata.h"

#include <QString>

#include <memory>

namespace ew::ui {

/// What-if edits on a copy of the real snapshot, re-analysed incrementally (core
/// IncrementalAnalysis). Building one runs a full analysis: do it off the GUI thread; edits are
/// fast enough for the GUI thread (PERFORMANCE.md: 5 ms median on M).
class WhatIfSession
{
public:
    explicit WhatIfSession(std::shared_ptr<const AnalysisData> base);

    const std::shared_ptr<const AnalysisData>& base() const { return m_base; }
    IncrementalAnalysis& analysis() { return *m_analysis; }
    const Snapshot& snapshot() const { return m_analysis->snapshot(); }

    /// Applies an edit; `undoing` says it is the inverse of an edit in effect (undo), which then
    /// no longer counts. False (and the engine's reason) when the edit is refused.
    bool apply(const WhatIfEdit& edit, WhatIfEdit& inverse, FindingsDelta& delta, QString* error, bool undoing = false);
    /// The edited state as the views take it (a copy of the edited snapshot and its result).
    std::shared_ptr<const AnalysisData> current() const;
    /// Edits applied and not undone: 0 means the session shows the real snapshot again.
    int editCount() const { return m_edits; }

private:
    std::shared_ptr<const AnalysisData> m_base;
    std::unique_ptr<IncrementalAnalysis> m_analysis;
    int m_edits = 0;
};

} // namespace ew::ui
