#include "comparison.h"
#include "htmltext.h"

#include "theme.h"

#include <QObject>

namespace ew::ui {

namespace {

QString causesHtml(const std::vector<ConfigChange>& causes)
{
    if (causes.empty())
        return QObject::tr("<br><i>no configuration change on its path explains it (a change elsewhere, such as a "
                           "foothold's, may)</i>");
    QString html;
    for (const auto& c : causes)
        html += QStringLiteral("<br>· <b>%1</b> %2: %3").arg(esc(c.kind), esc(c.subject), esc(c.detail));
    return html;
}

QString headline(const Finding& f)
{
    return QStringLiteral("<b>%1</b> %2 %3/%4 <span style='color:gray'>%5</span>")
        .arg(Theme::severityTitle(f.severity), esc(f.target.name), esc(f.protocol), esc(formatPortRanges(f.ports)),
            esc(f.id));
}

} // namespace

QString Comparison::changeName(Change c)
{
    switch (c) {
    case Change::New:
        return QObject::tr("new");
    case Change::Changed:
        return QObject::tr("changed");
    case Change::None:
        break;
    }
    return {};
}

std::shared_ptr<const Comparison> Comparison::make(
    std::shared_ptr<const AnalysisData> baseline, std::shared_ptr<const AnalysisData> current, QString name)
{
    auto c = std::make_shared<Comparison>();
    c->baselineName = std::move(name);
    c->baseline = std::move(baseline);
    c->current = std::move(current);
    // Causes need both snapshots; findings read from findings JSON have none.
    c->diff = c->baseline->fromFindings || c->current->fromFindings
        ? diffAnalyses(c->baseline->result, c->current->result)
        : diffAnalyses(c->baseline->snapshot, c->baseline->result, c->current->snapshot, c->current->result);
    for (const auto& [f, causes] : c->diff.added) {
        c->status[f->id] = Change::New;
        c->causesOfNew[f->id] = &causes;
    }
    for (const auto& ch : c->diff.changed) {
        c->status[ch.after->id] = Change::Changed;
        c->changed[ch.after->id] = &ch;
    }
    return c;
}

QString Comparison::html() const
{
    QString html = QObject::tr("<h3>Compared with %1</h3><p>%2 new, %3 changed, %4 closed.</p>")
                       .arg(baselineName.toHtmlEscaped())
                       .arg(diff.added.size())
                       .arg(diff.changed.size())
                       .arg(diff.closed.size());
    if (diff.empty())
        html += QObject::tr("<p>The exposure is the same.</p>");
    if (!diff.added.empty()) {
        html += QObject::tr("<h4>New</h4>");
        for (const auto& [f, causes] : diff.added)
            html += QStringLiteral("<p>%1%2</p>").arg(headline(*f), causesHtml(causes));
    }
    if (!diff.changed.empty()) {
        html += QObject::tr("<h4>Changed</h4>");
        for (const auto& ch : diff.changed) {
            QStringList what;
            for (const auto& w : ch.what)
                what << esc(w);
            html += QObject::tr("<p>%1<br>was %2 %3/%4; changed: %5%6</p>")
                        .arg(headline(*ch.after), Theme::severityTitle(ch.before->severity), esc(ch.before->protocol),
                            esc(formatPortRanges(ch.before->ports)), what.join(QStringLiteral(", ")),
                            causesHtml(ch.causes));
        }
    }
    if (!diff.closed.empty()) {
        html += QObject::tr("<h4>Closed</h4>");
        for (const auto& [f, causes] : diff.closed)
            html += QStringLiteral("<p>%1%2</p>").arg(headline(*f), causesHtml(causes));
    }
    return html;
}

} // namespace ew::ui
