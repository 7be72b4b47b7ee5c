#include "whatifsession.h"

#include <algorithm>

namespace ew::ui {

WhatIfSession::WhatIfSession(std::shared_ptr<const AnalysisData> base)
    : m_base(std::move(base))
{
    AnalysisOptions options;
    for (const auto& f : m_base->result.findings)
        if (f.dataStore.basis == DataStoreMatch::Basis::Analyst)
            options.analystDataStores[normaliseId(f.target.id)] = f.dataStore.engine;
    m_analysis = std::make_unique<IncrementalAnalysis>(m_base->snapshot, options);
}

bool WhatIfSession::apply(
    const WhatIfEdit& edit, WhatIfEdit& inverse, FindingsDelta& delta, QString* error, bool undoing)
{
    std::string why;
    if (!m_analysis->apply(edit, inverse, delta, why)) {
        if (error)
            *error = QString::fromStdString(why);
        return false;
    }
    m_edits = undoing ? std::max(0, m_edits - 1) : m_edits + 1;
    return true;
}

std::shared_ptr<const AnalysisData> WhatIfSession::current() const
{
    auto data = std::make_shared<AnalysisData>();
    data->inputs = m_base->inputs;
    data->snapshot = m_analysis->snapshot();
    data->result = m_analysis->result();
    data->grouping = GraphGrouping::fromSnapshot(data->snapshot);
    data->inspector = std::make_unique<FindingInspector>(data->snapshot);
    data->identity = m_base->identity;
    for (std::size_t i = 0; i < data->result.findings.size(); ++i)
        data->findingIndex[data->result.findings[i].id] = i;
    return data;
}

} // namespace ew::ui
