#pragma once

#include "diff/snapshotdiff.h"
#include "jobs/analysisdata.h"

#include <QString>

#include <map>
#include <memory>
#include <vector>

namespace ew::ui {

/// The current analysis against a baseline (an older snapshot, or the snapshot before the
/// what-if edits): which findings are new or changed, which closed, and the configuration changes
/// that explain them. Immutable; keeps both analyses alive (the diff points into them).
struct Comparison
{
    enum class Change { None, New, Changed };
    QString baselineName; // "2019-12-04", "before the what-if edits"
    std::shared_ptr<const AnalysisData> baseline;
    std::shared_ptr<const AnalysisData> current;
    AnalysisDiff diff;
    std::map<std::string, Change> status; // current finding id -> change (absent: unchanged)
    std::map<std::string, const ChangedFinding*> changed;
    std::map<std::string, const std::vector<ConfigChange>*> causesOfNew;

    Change changeOf(const std::string& findingId) const
    {
        auto it = status.find(findingId);
        return it == status.end() ? Change::None : it->second;
    }
    static QString changeName(Change c); // "", "new", "changed"

    static std::shared_ptr<const Comparison> make(
        std::shared_ptr<const AnalysisData> baseline, std::shared_ptr<const AnalysisData> current, QString name);
    /// The comparison as HTML for the Changes tab: counts, then each change with its causes.
    QString html() const;
};

} // namespace ew::ui
