#pragma once

#include "compare/comparison.h"
#include "graph/graphlayout.h"
#include "review/review.h"

#include <QString>

#include <vector>

namespace ew::ui {

/// The Details tab's pages (STYLE: the window only shows them): what one finding is, with its
/// path step by step, its sources by port, its review timeline and what changed against the
/// comparison; what passes through one graph node; which findings take one graph edge.
namespace details {

/// timeline: the review's snapshots, oldest first (no timeline below two); comparison may be null.
QString findingHtml(const Finding& f, const std::vector<ReviewedSnapshot>& timeline, const Comparison* comparison);
/// The review's snapshots for this finding: its severity in each and since when it is exposed.
QString timelineHtml(const Finding& f, const std::vector<ReviewedSnapshot>& timeline);
/// The node at this index of the layout: every finding whose path crosses it, with the rules it
/// decides there.
QString nodeHtml(const GraphLayout& layout, std::size_t index, const std::vector<Finding>& findings);
/// The edge between these layout nodes: the findings that take it and the rules that allow them.
QString edgeHtml(const GraphLayout& layout, std::size_t from, std::size_t to, const std::vector<std::size_t>& carried,
    const std::vector<Finding>& findings);

} // namespace details
} // namespace ew::ui
