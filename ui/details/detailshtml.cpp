#include "detailshtml.h"

#include "graph/nodeitem.h"
#include "htmltext.h"
#include "theme.h"

#include <QCoreApplication>

#include <set>

namespace ew::ui::details {

namespace {

QString tr(const char* text, int n = -1)
{
    return QCoreApplication::translate("Details", text, nullptr, n);
}

// A filter node is "<filter id>@<guarded id>"; an aggregate stands for several.
std::set<std::string> filterIdsOf(const GraphLayout::Node& node)
{
    std::set<std::string> ids;
    for (const auto& m : node.members)
        ids.insert(normaliseId(m.substr(0, m.find('@'))));
    return ids;
}

} // namespace

QString timelineHtml(const Finding& f, const std::vector<ReviewedSnapshot>& timeline)
{
    if (timeline.size() < 2)
        return {};
    QString html = tr("<p><b>Timeline</b> (this review's snapshots):</p><ul>");
    std::string since;
    for (const auto& s : timeline) {
        auto it = s.findings.find(f.id);
        if (it == s.findings.end())
            since.clear();
        else if (since.empty())
            since = s.date;
        html += QStringLiteral("<li>%1: %2%3</li>")
                    .arg(esc(s.date), it == s.findings.end() ? tr("not exposed") : esc(it->second),
                        s.label.empty() ? QString()
                                        : QStringLiteral(" <span style='color:gray'>— %1</span>").arg(esc(s.label)));
    }
    html += QStringLiteral("</ul>");
    if (!since.empty())
        html += tr("<p><b>Exposed since %1</b>.</p>").arg(esc(since));
    return html;
}

QString findingHtml(const Finding& f, const std::vector<ReviewedSnapshot>& timeline, const Comparison* comparison)
{
    QString html = QStringLiteral("<h3>%1 — %2</h3>").arg(esc(f.target.name), Theme::severityTitle(f.severity));
    html += QStringLiteral("<p>%1</p>").arg(esc(f.explanation));
    html += tr("<p><b>Severity:</b> %1<br><b>Data store:</b> %2<br><b>Frontend:</b> %3<br><b>Finding id:</b> %4</p>")
                .arg(esc(f.severityReason),
                    f.dataStore.engine.empty() ? tr("not recognised")
                                               : esc(f.dataStore.engine + " (" + f.dataStore.reason + ")"),
                    f.frontendAddress.empty() ? tr("unknown") : esc(f.frontendAddress), esc(f.id));
    // The path as the graph labels it: each step, and what crosses into it and by which rule.
    html += tr("<p><b>Path:</b> ");
    const auto labels = ReachabilityGraph::edgeLabels(f);
    for (std::size_t i = 0; i < f.path.size(); ++i) {
        if (i) {
            const std::string& label = labels[i - 1];
            html += label.empty() ? QStringLiteral(" → ")
                                  : QStringLiteral(" →<span style='color:gray'>[%1]</span>→ ").arg(esc(label));
        }
        html += esc(f.path[i].name);
    }
    html += QStringLiteral("</p>");
    if (!f.exposures.empty()) {
        html += tr("<p><b>Sources by port:</b></p><ul>");
        for (const auto& e : f.exposures) {
            QStringList src;
            for (const auto& s : e.sources)
                src << esc(s);
            html += QStringLiteral("<li>%1 from %2</li>")
                        .arg(esc(formatPortRanges(e.ports)), src.join(QStringLiteral(", ")));
        }
        html += QStringLiteral("</ul>");
    }
    if (!f.assumptions.empty()) {
        html += tr("<p><b>Assumptions:</b></p><ul>");
        for (const auto& a : f.assumptions)
            html += QStringLiteral("<li>%1</li>").arg(esc(a));
        html += QStringLiteral("</ul>");
    }
    html += timelineHtml(f, timeline);
    if (comparison) {
        if (auto it = comparison->changed.find(f.id); it != comparison->changed.end()) {
            html += tr("<p><b>Changed since %1:</b> was %2; ")
                        .arg(comparison->baselineName.toHtmlEscaped(),
                            Theme::severityTitle(it->second->before->severity));
            QStringList what;
            for (const auto& w : it->second->what)
                what << esc(w);
            html += what.join(QStringLiteral(", ")) + QStringLiteral("</p><ul>");
            for (const auto& c : it->second->causes)
                html += QStringLiteral("<li>%1 %2: %3</li>").arg(esc(c.kind), esc(c.subject), esc(c.detail));
            html += QStringLiteral("</ul>");
        } else if (comparison->changeOf(f.id) == Comparison::Change::New) {
            html += tr("<p><b>New since %1.</b></p>").arg(comparison->baselineName.toHtmlEscaped());
        }
    }
    return html;
}

QString nodeHtml(const GraphLayout& layout, std::size_t index, const std::vector<Finding>& findings)
{
    const auto& node = layout.nodes[index];
    QString html = QStringLiteral("<h3>%1</h3><p>%2<br><small>%3</small></p>")
                       .arg(esc(node.name), NodeItem::kindLabel(node), esc(node.aggregate() ? std::string() : node.id));
    // Every finding whose path crosses the node (the edges into and out of it say which), with
    // the rules this node decides.
    std::set<std::size_t> through;
    for (const auto& e : layout.edges)
        if (e.from == index || e.to == index)
            through.insert(e.findings.begin(), e.findings.end());
    const auto filterIds = filterIdsOf(node);
    QString list;
    for (auto fi : through) {
        const auto& f = findings[fi];
        QStringList rules;
        for (const auto& r : f.rules)
            if (filterIds.count(normaliseId(r.filterId)))
                rules << esc(r.ruleName + " (" + std::to_string(r.priority) + ")");
        list
            += QStringLiteral("<li><b>%1</b> %2 %3 %4%5</li>")
                   .arg(Theme::severityTitle(f.severity), esc(f.target.name), esc(f.protocol),
                       esc(formatPortRanges(f.ports)),
                       rules.isEmpty() ? QString() : tr(" — decided here by %1").arg(rules.join(QStringLiteral(", "))));
    }
    return html + tr("<p><b>%n finding(s)</b> pass through here:</p>", static_cast<int>(through.size()))
        + QStringLiteral("<ul>") + list + QStringLiteral("</ul>");
}

QString edgeHtml(const GraphLayout& layout, std::size_t from, std::size_t to, const std::vector<std::size_t>& carried,
    const std::vector<Finding>& findings)
{
    QString html = QStringLiteral("<h3>%1 → %2</h3>").arg(esc(layout.nodes[from].name), esc(layout.nodes[to].name));
    html += tr("<p>%n finding(s) take this step.</p><ul>", static_cast<int>(carried.size()));
    const auto filterIds = filterIdsOf(layout.nodes[to]);
    for (auto fi : carried) {
        const auto& f = findings[fi];
        QStringList rules;
        for (const auto& r : f.rules)
            if (filterIds.count(normaliseId(r.filterId)))
                rules << esc(r.filterName + "/" + r.ruleName + " (priority " + std::to_string(r.priority) + ", "
                    + (r.allow ? "allow" : "deny") + ")");
        html += QStringLiteral("<li><b>%1</b> %2 %3 %4 %5</li>")
                    .arg(Theme::severityTitle(f.severity), esc(f.target.name), esc(f.protocol),
                        esc(formatPortRanges(f.ports)),
                        rules.isEmpty() ? QString() : tr("— allowed by %1").arg(rules.join(QStringLiteral(", "))));
    }
    return html + QStringLiteral("</ul>");
}

} // namespace ew::ui::details
