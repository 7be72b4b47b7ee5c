#include "reportwriter.h"

#include "nodepainter.h"

#include "savefile.h"
#include <QBuffer>
#include <QFontMetricsF>
#include <QPainter>
#include <QPdfWriter>
#include <QTextOption>

#include <map>

namespace ew::ui {

namespace {

// Points: the writer runs at 72 dpi, so one device unit is one point.
constexpr qreal kMargin = 50;
constexpr qreal kFooter = 28;

// A severity by its name ("critical") as the report content spells it.
Severity severityOf(const std::string& name)
{
    Severity s = Severity::Info;
    parseSeverity(name, s);
    return s;
}

QColor severityFill(const std::string& name)
{
    return severityColor(severityOf(name));
}

// Patterns keep the severities apart when printed in black and white.
QBrush severityBrush(const std::string& name)
{
    static const Qt::BrushStyle patterns[]
        = { Qt::CrossPattern, Qt::Dense6Pattern, Qt::BDiagPattern, Qt::Dense3Pattern, Qt::SolidPattern };
    return QBrush(severityFill(name), patterns[static_cast<int>(severityOf(name))]);
}

QString q(const std::string& s)
{
    return QString::fromStdString(s);
}

QString capitalised(const std::string& s)
{
    QString t = q(s);
    if (!t.isEmpty())
        t[0] = t[0].toUpper();
    return t;
}

ReachabilityGraph::Kind stepKind(const std::string& kind)
{
    if (kind == "internet")
        return ReachabilityGraph::Kind::Internet;
    if (kind == "frontend")
        return ReachabilityGraph::Kind::Frontend;
    if (kind == "filter")
        return ReachabilityGraph::Kind::Filter;
    if (kind == "datastore")
        return ReachabilityGraph::Kind::DataStore;
    return ReachabilityGraph::Kind::Compute;
}

class Pages
{
public:
    Pages(QPagedPaintDevice* device, QPainter* painter, const ReportContent& c, int total)
        : m_device(device)
        , m_p(painter)
        , m_c(c)
        , m_total(total)
    {
        const QRectF full(0, 0, device->width(), device->height());
        m_area = full.adjusted(kMargin, kMargin, -kMargin, -kMargin - kFooter);
        m_y = m_area.top();
    }
    int pages() const { return m_page; }
    qreal left() const { return m_area.left(); }
    qreal width() const { return m_area.width(); }
    qreal y() const { return m_y; }
    void moveTo(qreal y) { m_y = y; }
    void skip(qreal h) { m_y += h; }
    QPainter* painter() { return m_p; }

    QFont font(qreal size, bool bold = false) const
    {
        QFont f(QStringLiteral("DejaVu Sans"));
        f.setPointSizeF(size);
        f.setBold(bold);
        // No shaping, no ligatures: "office" stays searchable text in the PDF instead of "o" and
        // the "ffi" glyph (rule names are what analysts search for).
        f.setStyleStrategy(QFont::PreferNoShaping);
        return f;
    }

    void footer()
    {
        m_p->save();
        m_p->setFont(font(7.5));
        m_p->setPen(QColor(0x55, 0x55, 0x55));
        const qreal y = m_area.bottom() + kFooter - 10;
        m_p->drawLine(QPointF(m_area.left(), y - 8), QPointF(m_area.right(), y - 8));
        QString left = q(m_c.title) + QStringLiteral("  ·  Exposure Workbench ") + q(m_c.toolVersion);
        if (m_c.redacted)
            left += QStringLiteral("  ·  REDACTED");
        const qreal leftWidth = m_area.width() - 70;
        m_p->drawText(QRectF(m_area.left(), y - 6, leftWidth, 14), Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetricsF(m_p->font()).elidedText(left, Qt::ElideMiddle, leftWidth));
        m_p->drawText(QRectF(m_area.left(), y - 6, m_area.width(), 14), Qt::AlignRight | Qt::AlignVCenter,
            QStringLiteral("Page %1 of %2").arg(m_page).arg(std::max(m_total, m_page)));
        m_p->restore();
    }
    void newPage()
    {
        footer();
        m_device->newPage();
        ++m_page;
        m_y = m_area.top();
        if (!m_running.isEmpty()) {
            // A finding that goes on: its title again, so the page stands on its own.
            m_p->setFont(font(9, true));
            m_p->setPen(QColor(0x44, 0x44, 0x44));
            m_p->drawText(QRectF(m_area.left(), m_y, m_area.width(), 14), Qt::AlignLeft | Qt::AlignVCenter,
                m_running + QStringLiteral(" (continued)"));
            m_y += 22;
        }
    }
    /// The title repeated at the top of each page a section continues on ("" for none).
    void setRunningTitle(const QString& title) { m_running = title; }
    // Starts a new page unless h more points fit on this one.
    void ensure(qreal h)
    {
        if (m_y + h > m_area.bottom() && m_y > m_area.top())
            newPage();
    }
    qreal measure(const QString& text, const QFont& f, qreal w) const
    {
        m_p->setFont(f);
        return m_p->boundingRect(QRectF(0, 0, w, 1e6), Qt::TextWordWrap, text).height();
    }
    void text(const QString& text, const QFont& f, const QColor& color = Qt::black, qreal indent = 0, qreal after = 6)
    {
        const qreal w = m_area.width() - indent;
        const qreal h = measure(text, f, w);
        ensure(h);
        m_p->setFont(f);
        m_p->setPen(color);
        m_p->drawText(QRectF(m_area.left() + indent, m_y, w, h + 2), Qt::TextWordWrap, text);
        m_y += h + after;
    }
    void heading(const QString& title)
    {
        ensure(60);
        text(title, font(15, true), Qt::black, 0, 4);
        m_p->setPen(QPen(QColor(0x2b, 0x4a, 0x6f), 1.5));
        m_p->drawLine(QPointF(m_area.left(), m_y), QPointF(m_area.right(), m_y));
        m_y += 10;
    }
    void bullets(const std::vector<std::string>& items, const QFont& f)
    {
        for (const auto& item : items) {
            const qreal h = measure(q(item), f, m_area.width() - 14);
            ensure(h);
            m_p->setFont(f);
            m_p->setPen(Qt::black);
            m_p->drawText(QRectF(m_area.left(), m_y, 12, 14), Qt::AlignLeft | Qt::AlignTop, QStringLiteral("•"));
            text(q(item), f, Qt::black, 14, 3);
        }
    }
    // Label/value rows.
    void facts(const std::vector<std::pair<QString, QString>>& rows)
    {
        const QFont label = font(9, true), value = font(9);
        for (const auto& [k, v] : rows) {
            const qreal h = std::max<qreal>(measure(v, value, m_area.width() - 110), 12);
            ensure(h);
            m_p->setFont(label);
            m_p->setPen(QColor(0x33, 0x33, 0x33));
            m_p->drawText(QRectF(m_area.left(), m_y, 105, h), Qt::AlignLeft | Qt::AlignTop, k);
            m_p->setFont(value);
            m_p->setPen(Qt::black);
            m_p->drawText(QRectF(m_area.left() + 110, m_y, m_area.width() - 110, h + 2), Qt::TextWordWrap, v);
            m_y += h + 4;
        }
    }

private:
    QPagedPaintDevice* m_device;
    QPainter* m_p;
    const ReportContent& m_c;
    int m_total;
    QRectF m_area;
    qreal m_y = 0;
    int m_page = 1;
    QString m_running;
};

void cover(Pages& pg, const ReportContent& c)
{
    QPainter* p = pg.painter();
    p->fillRect(QRectF(pg.left(), pg.y(), pg.width(), 6), QColor(0x2b, 0x4a, 0x6f));
    pg.skip(40);
    pg.text(q(c.title), pg.font(24, true), Qt::black, 0, 10);
    pg.text(QStringLiteral("Which data stores can the internet reach, through which path, because of which rule."),
        pg.font(12), QColor(0x33, 0x33, 0x33), 0, 30);
    std::vector<std::pair<QString, QString>> facts = { { QStringLiteral("Estate"), q(c.estate) },
        { QStringLiteral("Reviewer"), c.reviewer.empty() ? QStringLiteral("-") : q(c.reviewer) },
        { QStringLiteral("Date"), q(c.date) },
        { QStringLiteral("Produced by"), QStringLiteral("Exposure Workbench ") + q(c.toolVersion) } };
    if (c.redacted)
        facts.emplace_back(QStringLiteral("Redaction"),
            QStringLiteral(
                "Addresses, e-mail addresses, subscription, tenant and AWS account ids and host names are "
                "replaced by placeholders; the same value has the same placeholder throughout (the last page "
                "counts them)."));
    pg.facts(facts);
    pg.skip(20);
    pg.text(QStringLiteral("Snapshot identity"), pg.font(11, true), Qt::black, 0, 4);
    std::vector<std::pair<QString, QString>> files;
    for (const auto& [file, hash] : c.identity)
        files.emplace_back(
            hash.empty() ? QStringLiteral("(file)") : QStringLiteral("SHA-256 ") + q(hash) + QStringLiteral("…"),
            q(file));
    const QFont mono = pg.font(8);
    for (const auto& [hash, file] : files)
        pg.text(file + QStringLiteral("   ") + hash, mono, QColor(0x33, 0x33, 0x33), 0, 2);
}

void changes(Pages& pg, const ReportContent& c);

// Exposures by severity at each of the review's snapshots: a stacked bar per snapshot, most severe
// at the bottom, with patterns and the total (readable in greyscale).
void trend(Pages& pg, const ReportContent& c)
{
    if (c.trend.size() < 2)
        return;
    pg.skip(14);
    pg.text(QStringLiteral("Trend over the review's snapshots"), pg.font(11, true), Qt::black, 0, 6);
    constexpr qreal chartH = 110, labelH = 26;
    pg.ensure(chartH + labelH + 40);
    pg.skip(14); // room for the totals above the tallest bar
    QPainter* p = pg.painter();
    const std::size_t shown = std::min<std::size_t>(c.trend.size(), 12); // the latest twelve
    const std::size_t first = c.trend.size() - shown;
    int maxTotal = 1;
    for (std::size_t i = first; i < c.trend.size(); ++i) {
        int total = 0;
        for (const int count : c.trend[i].bySeverity)
            total += count;
        maxTotal = std::max(maxTotal, total);
    }
    const qreal top = pg.y(), base = top + chartH;
    const qreal slot = std::min<qreal>(60, (pg.width() - 120) / static_cast<qreal>(shown));
    const char* names[] = { "info", "low", "medium", "high", "critical" };
    p->setPen(QPen(QColor(0x88, 0x88, 0x88), 0.5));
    p->drawLine(QPointF(pg.left(), base), QPointF(pg.left() + slot * static_cast<qreal>(shown), base));
    for (std::size_t i = first; i < c.trend.size(); ++i) {
        const qreal x = pg.left() + slot * static_cast<qreal>(i - first) + slot * 0.2;
        qreal y = base;
        int total = 0;
        for (int s = 4; s >= 0; --s) {
            const int n = c.trend[i].bySeverity[s];
            total += n;
            if (n == 0)
                continue;
            const qreal h = chartH * n / maxTotal;
            p->setPen(QPen(Qt::black, 0.5));
            p->setBrush(severityBrush(names[s]));
            p->drawRect(QRectF(x, y - h, slot * 0.6, h));
            y -= h;
        }
        p->setFont(pg.font(7.5, true));
        p->setPen(Qt::black);
        p->drawText(
            QRectF(x - 10, y - 14, slot * 0.6 + 20, 12), Qt::AlignHCenter | Qt::AlignBottom, QString::number(total));
        p->setFont(pg.font(7));
        p->drawText(QRectF(x - slot * 0.2, base + 2, slot, labelH), Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap,
            q(c.trend[i].date));
    }
    // The legend, beside the bars.
    qreal ly = top;
    const qreal lx = pg.left() + slot * static_cast<qreal>(shown) + 16;
    for (int s = 4; s >= 0; --s) {
        p->setPen(QPen(Qt::black, 0.5));
        p->setBrush(severityBrush(names[s]));
        p->drawRect(QRectF(lx, ly + 2, 10, 8));
        p->setFont(pg.font(7.5));
        p->drawText(QRectF(lx + 14, ly, 80, 12), Qt::AlignLeft | Qt::AlignVCenter, capitalised(names[s]));
        ly += 14;
    }
    pg.moveTo(base + labelH + 6);
    if (c.trend.size() > shown)
        pg.text(QStringLiteral("The latest %1 of %2 snapshots.").arg(shown).arg(c.trend.size()), pg.font(7.5),
            QColor(0x44, 0x44, 0x44));
}

// Fix these first: the smallest rule changes, each with what it closes, its owners and the
// command that makes it.
void fixFirst(Pages& pg, const ReportContent& c)
{
    if (c.fixFirst.empty())
        return;
    // Right after what changed, so that the first two pages decide; a new page only when fewer
    // than the heading, its words and the first rule fit.
    pg.skip(18);
    pg.ensure(160);
    pg.heading(QStringLiteral("Fix these first"));
    pg.text(QStringLiteral("The rules to change, most severe exposure first, then those whose change closes most, each "
                           "with the smallest change: it was applied to the analysis and checked to close (or narrow) "
                           "the findings counted and to open none."),
        pg.font(9.5), Qt::black, 0, 4);
    if (!c.duePolicy.empty())
        pg.text(QStringLiteral("Due dates follow the policy ") + q(c.duePolicy)
                + QStringLiteral(", counted from the day a finding was first seen in the review."),
            pg.font(8.5), QColor(0x44, 0x44, 0x44), 0, 10);
    const QFont mono = [&] {
        QFont f(QStringLiteral("DejaVu Sans Mono"));
        f.setPointSizeF(7.5);
        return f;
    }();
    int n = 0;
    for (const auto& g : c.fixFirst) {
        pg.ensure(90);
        QPainter* p = pg.painter();
        const qreal y = pg.y();
        p->setBrush(severityBrush(g.severity));
        p->setPen(QPen(Qt::black, 0.5));
        p->drawRect(QRectF(pg.left(), y + 2, 8, 10));
        pg.text(QString::number(++n) + QStringLiteral(". ") + q(g.rule.empty() ? g.change : g.rule), pg.font(9.5, true),
            Qt::black, 14, 3);
        pg.text(g.changes > 1
                ? QStringLiteral("%1 changes, one for each target; the first: ").arg(g.changes) + q(g.change)
                : q(g.change),
            pg.font(9), Qt::black, 14, 3);
        std::string targets;
        for (const auto& t : g.targets)
            targets += (targets.empty() ? "" : ", ") + t;
        if (g.findings > static_cast<int>(g.targets.size()))
            targets += ", …";
        QString effect = QStringLiteral("%1 finding(s) (%2 on data stores)").arg(g.findings).arg(g.dataStores);
        if (g.narrowed > 0)
            effect += QStringLiteral("; narrows %1 more that another rule still admits in part").arg(g.narrowed);
        pg.facts({ { QStringLiteral("Closes"), effect + QStringLiteral("; the most severe ") + q(g.severity) },
            { QStringLiteral("Targets"), q(targets) }, { QStringLiteral("Owner"), q(g.owners) } });
        for (const auto& cmd : g.commands)
            pg.text(q(cmd), mono, QColor(0x22, 0x22, 0x22), 14, 4);
        if (g.changes > static_cast<int>(g.commands.size()))
            pg.text(QStringLiteral("and %1 more: exposure-audit notify writes each with its finding.")
                        .arg(g.changes - static_cast<int>(g.commands.size())),
                pg.font(8), QColor(0x44, 0x44, 0x44), 14, 4);
        pg.skip(6);
    }
}

void summary(Pages& pg, const ReportContent& c)
{
    // On the cover's page, below the snapshot's identity: page 1 says what this review found.
    pg.skip(24);
    pg.heading(QStringLiteral("Executive summary"));
    pg.bullets(c.keyMessages, pg.font(10.5));
    pg.skip(12);
    // Findings by severity: a bar chart with patterns and numbers (readable in greyscale).
    pg.text(QStringLiteral("Findings by severity"), pg.font(11, true), Qt::black, 0, 6);
    QPainter* p = pg.painter();
    int maxCount = 1;
    for (const int count : c.bySeverity)
        maxCount = std::max(maxCount, count);
    const char* names[] = { "info", "low", "medium", "high", "critical" };
    pg.ensure(5 * 22 + 10);
    for (int s = 4; s >= 0; --s) {
        const qreal y = pg.y();
        p->setFont(pg.font(9));
        p->setPen(Qt::black);
        p->drawText(QRectF(pg.left(), y, 70, 16), Qt::AlignLeft | Qt::AlignVCenter, capitalised(names[s]));
        const qreal w = (pg.width() - 120) * c.bySeverity[s] / maxCount;
        p->setPen(QPen(Qt::black, 0.6));
        p->setBrush(severityBrush(names[s]));
        if (c.bySeverity[s] > 0)
            p->drawRect(QRectF(pg.left() + 75, y + 2, std::max<qreal>(w, 2), 12));
        p->drawText(
            QRectF(pg.left() + 80 + w, y, 40, 16), Qt::AlignLeft | Qt::AlignVCenter, QString::number(c.bySeverity[s]));
        pg.skip(20);
    }
    pg.skip(14);
    pg.ensure(kTriageStateCount * 16 + 30); // the heading and its five lines together
    pg.text(QStringLiteral("Findings by triage state"), pg.font(11, true), Qt::black, 0, 6);
    std::vector<std::pair<QString, QString>> states;
    for (int s = 0; s < kTriageStateCount; ++s)
        states.emplace_back(
            QString::fromLatin1(triageStateTitle(static_cast<TriageState>(s))), QString::number(c.byState[s]));
    pg.facts(states);
    trend(pg, c);
    changes(pg, c);
    fixFirst(pg, c);
}

// What changed since the state compared with (a plan's prior state, the review's previous
// snapshot): new and worse first, then closed; at most kShown lines, the rest counted.
void changes(Pages& pg, const ReportContent& c)
{
    if (c.changesSince.empty())
        return;
    pg.skip(14);
    pg.text(QStringLiteral("What changed since ") + q(c.changesSince), pg.font(11, true), Qt::black, 0, 6);
    if (c.changes.empty()) {
        pg.text(QStringLiteral("Nothing: the same exposures, none wider."), pg.font(9.5));
        return;
    }
    constexpr std::size_t kShown = 25;
    QPainter* p = pg.painter();
    const qreal rowH = 15;
    for (std::size_t i = 0; i < c.changes.size() && i < kShown; ++i) {
        const auto& ch = c.changes[i];
        pg.ensure(rowH);
        const qreal y = pg.y();
        p->setFont(pg.font(8.5, true));
        p->setPen(ch.kind == "closed" ? QColor(0x2e, 0x6b, 0x30) : QColor(0xa3, 0x1b, 0x1b));
        p->drawText(QRectF(pg.left(), y, 50, rowH), Qt::AlignLeft | Qt::AlignVCenter, capitalised(ch.kind));
        p->setBrush(severityBrush(ch.severity));
        p->setPen(QPen(Qt::black, 0.4));
        p->drawRect(QRectF(pg.left() + 52, y + 3, 6, 8));
        p->setPen(Qt::black);
        p->setFont(pg.font(8.5));
        const QFontMetricsF fm(p->font());
        const QString line = capitalised(ch.severity) + QStringLiteral("  ")
            + (ch.target.empty() ? QStringLiteral("(no longer in the snapshot)") : q(ch.target))
            + (ch.what.empty() ? QString() : QStringLiteral("  ") + q(ch.what)) + QStringLiteral("  ")
            + q(ch.id).mid(3, 8);
        p->drawText(QRectF(pg.left() + 62, y, pg.width() - 62, rowH), Qt::AlignLeft | Qt::AlignVCenter,
            fm.elidedText(line, Qt::ElideRight, pg.width() - 62));
        pg.skip(rowH);
    }
    if (c.changes.size() > kShown)
        pg.text(QString::number(c.changes.size() - kShown)
                + QStringLiteral(" more change(s): see the workbench's "
                                 "Changes tab or exposure-audit diff."),
            pg.font(8.5), QColor(0x44, 0x44, 0x44));
}

void diagram(Pages& pg, const ReportContent::FindingPage& f)
{
    constexpr int perRow = 4;
    constexpr qreal w = 117, h = 38, gap = (495 - perRow * 117) / 3.0;
    const int rows = static_cast<int>((f.path.size() + perRow - 1) / perRow);
    pg.ensure(rows * (h + 26) + 6);
    QPainter* p = pg.painter();
    p->setRenderHint(QPainter::Antialiasing);
    p->setFont(pg.font(7.5));
    const qreal top = pg.y();
    QPointF previous;
    for (std::size_t i = 0; i < f.path.size(); ++i) {
        const int row = static_cast<int>(i) / perRow;
        const int col = static_cast<int>(i) % perRow;
        const QRectF r(pg.left() + col * (w + gap), top + row * (h + 26), w, h);
        if (i > 0) {
            // Arrow from the previous box; a new row starts from the left.
            const QPointF to(r.left(), r.center().y());
            p->setPen(QPen(QColor(0x22, 0x22, 0x22), 1.4));
            if (col == 0) {
                const qreal mid = r.top() - 13;
                p->drawPolyline(QPolygonF({ previous, QPointF(previous.x() + 6, previous.y()),
                    QPointF(previous.x() + 6, mid), QPointF(r.left() - 8, mid), QPointF(r.left() - 8, to.y()), to }));
            } else {
                p->drawLine(previous, to);
            }
            p->setBrush(QColor(0x22, 0x22, 0x22));
            p->drawPolygon(QPolygonF({ to, to + QPointF(-6, -3.5), to + QPointF(-6, 3.5) }));
        }
        NodeLook look;
        const bool target = i + 1 == f.path.size();
        look.fill = target ? severityFill(f.severity).lighter(175) : QColor(Qt::white);
        look.border = QColor(0x33, 0x33, 0x33);
        look.borderWidth = target ? 1.6 : 0.8;
        look.text = Qt::black;
        look.subText = QColor(0x44, 0x44, 0x44);
        look.boldTitle = false;
        p->setFont(pg.font(7.5));
        paintNode(p, r, stepKind(f.path[i].kind), q(f.path[i].name), q(f.path[i].type), look);
        previous = QPointF(r.right(), r.center().y());
    }
    pg.moveTo(top + rows * (h + 26));
}

void findingPage(Pages& pg, const ReportContent::FindingPage& f)
{
    pg.newPage();
    QPainter* p = pg.painter();
    // Severity band: colour and the word (the word carries it in black and white).
    const QRectF band(pg.left(), pg.y(), pg.width(), 26);
    p->fillRect(band, QBrush(severityFill(f.severity)));
    p->setPen(f.severity == "medium" ? Qt::black : Qt::white);
    p->setFont(pg.font(12, true));
    const QString title = capitalised(f.severity).toUpper() + QStringLiteral("   ") + q(f.target)
        + (f.alsoTargets.empty() ? QString()
                                 : QStringLiteral("  and %1 more of the same cause").arg(f.alsoTargets.size()));
    p->drawText(band.adjusted(10, 0, -10, 0), Qt::AlignLeft | Qt::AlignVCenter, title);
    p->setFont(pg.font(8));
    p->drawText(band.adjusted(10, 0, -10, 0), Qt::AlignRight | Qt::AlignVCenter, q(f.id));
    pg.skip(36);
    pg.setRunningTitle(title);
    std::vector<std::pair<QString, QString>> facts = { { QStringLiteral("Exposed"), q(f.what) },
        { QStringLiteral("From"), q(f.from) },
        { QStringLiteral("Data store"), f.dataStore.empty() ? QStringLiteral("not recognised") : q(f.dataStore) } };
    if (!f.exposedSince.empty())
        facts.emplace_back(QStringLiteral("Exposed since"),
            q(f.exposedSince)
                + (f.daysExposed > 0 ? QStringLiteral(" (%1 day(s))").arg(f.daysExposed) : QStringLiteral(" (new)")));
    if (!f.due.empty())
        facts.emplace_back(QStringLiteral("Due"), q(f.due));
    if (!f.alsoTargets.empty()) {
        std::string also;
        for (std::size_t i = 0; i < f.alsoTargets.size() && i < 20; ++i)
            also += (i ? ", " : "") + f.alsoTargets[i];
        if (f.alsoTargets.size() > 20)
            also += " and " + std::to_string(f.alsoTargets.size() - 20) + " more";
        facts.emplace_back(QStringLiteral("Same cause"), q(also));
    }
    pg.facts(facts);
    pg.skip(6);
    pg.text(QStringLiteral("Exposure path"), pg.font(11, true), Qt::black, 0, 6);
    diagram(pg, f);
    pg.text(q(f.explanation), pg.font(9.5), Qt::black, 0, 10);
    if (!f.sourcesByPort.empty()) {
        pg.text(QStringLiteral("Sources by port"), pg.font(10, true), Qt::black, 0, 3);
        pg.bullets(f.sourcesByPort, pg.font(9));
        pg.skip(4);
    }
    pg.text(QStringLiteral("Deciding rules"), pg.font(10, true), Qt::black, 0, 3);
    for (const auto& r : f.rules) {
        pg.text(QStringLiteral("• ") + q(r.text), pg.font(9), Qt::black, 0, 0);
        pg.text(q(r.where), pg.font(7.5), QColor(0x44, 0x44, 0x44), 10, 4);
    }
    pg.skip(6);
    if (!f.fix.empty()) {
        pg.skip(4);
        pg.text(QStringLiteral("Proposed fix"), pg.font(10, true), Qt::black, 0, 3);
        pg.text(q(f.fix), pg.font(9), Qt::black, 0, 3);
        QFont mono(QStringLiteral("DejaVu Sans Mono"));
        mono.setPointSizeF(7.5);
        if (!f.fixCommand.empty())
            pg.text(q(f.fixCommand), mono, QColor(0x22, 0x22, 0x22), 10, 6);
    }
    pg.skip(6);
    pg.text(QStringLiteral("Analyst's decision"), pg.font(10, true), Qt::black, 0, 3);
    pg.facts(
        { { QStringLiteral("State"),
              q(f.state)
                  + (f.stateSince.empty() ? QString() : QStringLiteral(" (") + q(f.stateSince) + QLatin1Char(')')) },
            { QStringLiteral("Owner"),
                f.owner.empty() ? QStringLiteral("-")
                                : q(f.owner)
                        + (f.ownerBasis.empty() || f.ownerBasis == "review"
                                ? QString()
                                : QStringLiteral(" (from ") + q(f.ownerBasis) + QLatin1Char(')')) },
            { QStringLiteral("Note"), f.note.empty() ? QStringLiteral("-") : q(f.note) } });
    if (!f.assumptions.empty()) {
        pg.text(QStringLiteral("Assumptions"), pg.font(10, true), Qt::black, 0, 3);
        pg.bullets(f.assumptions, pg.font(9));
    }
    pg.setRunningTitle({});
}

void table(Pages& pg, const ReportContent& c)
{
    pg.newPage();
    pg.heading(QStringLiteral("All findings"));
    if (c.findingsWithoutPage > 0)
        pg.text(QStringLiteral("%1 high finding(s) have no page of their own: the report gives one to every critical "
                               "cause and to the first high ones; all are listed here.")
                    .arg(c.findingsWithoutPage),
            pg.font(8.5), QColor(0x44, 0x44, 0x44));
    // Names, ports, sources and owners wrap onto more lines rather than being cut.
    const std::vector<std::pair<QString, qreal>> cols
        // Wide enough for a date, a short id and an engine's name ("elasticsearch") on one line;
        // targets, ports and sources wrap between words.
        = { { QStringLiteral("Severity"), 46 }, { QStringLiteral("State"), 44 }, { QStringLiteral("Target"), 70 },
              { QStringLiteral("Data store"), 58 }, { QStringLiteral("Ports"), 62 }, { QStringLiteral("From"), 66 },
              { QStringLiteral("Owner"), 44 }, { QStringLiteral("Due"), 54 }, { QStringLiteral("Id"), 36 } };
    QPainter* p = pg.painter();
    const qreal rowH = 15;
    auto header = [&]() {
        qreal x = pg.left();
        p->fillRect(QRectF(pg.left(), pg.y(), pg.width(), rowH + 2), QColor(0xdd, 0xe3, 0xea));
        p->setFont(pg.font(8, true));
        p->setPen(Qt::black);
        for (const auto& [name, w] : cols) {
            p->drawText(QRectF(x + 2, pg.y(), w - 4, rowH + 2), Qt::AlignLeft | Qt::AlignVCenter, name);
            x += w;
        }
        pg.skip(rowH + 4);
    };
    header();
    int n = 0;
    QTextOption wrap;
    wrap.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    p->setFont(pg.font(7.5));
    const QFontMetricsF fm(p->font());
    for (const auto& r : c.rows) {
        const QString values[] = { capitalised(r.severity), q(r.state),
            q(r.target) + (r.hops > 1 ? QStringLiteral(" (through a foothold)") : QString()),
            r.dataStore.empty() ? QStringLiteral("-") : q(r.dataStore), q(r.ports), q(r.from),
            r.owner.empty() ? QStringLiteral("-") : q(r.owner), r.due.empty() ? QStringLiteral("-") : q(r.due),
            q(r.id).mid(3, 6) };
        qreal h = rowH;
        for (std::size_t i = 1; i < cols.size(); ++i)
            h = std::max(h, p->boundingRect(QRectF(0, 0, cols[i].second - 4, 1e4), values[i], wrap).height() + 3);
        if (pg.y() + h > 842 - kMargin - kFooter) { // a clean break: header again on the next page
            pg.newPage();
            header();
            p->setFont(pg.font(7.5));
        }
        if (n++ % 2)
            p->fillRect(QRectF(pg.left(), pg.y() - 1, pg.width(), h), QColor(0xf3, 0xf5, 0xf7));
        qreal x = pg.left();
        for (std::size_t i = 0; i < cols.size(); ++i) {
            p->setPen(Qt::black);
            if (i == 0) {
                p->setBrush(severityBrush(r.severity));
                p->setPen(QPen(Qt::black, 0.4));
                p->drawRect(QRectF(x + 2, pg.y() + 3, 6, 8));
                p->setPen(Qt::black);
                p->drawText(
                    QRectF(x + 11, pg.y() + 1, cols[i].second - 12, rowH), Qt::AlignLeft | Qt::AlignTop, values[i]);
            } else {
                p->drawText(QRectF(x + 2, pg.y() + 1, cols[i].second - 4, h), values[i], wrap);
            }
            x += cols[i].second;
        }
        pg.skip(h);
    }
    pg.skip(6);
    int left = 0;
    QStringList bySeverity;
    const char* names[] = { "info", "low", "medium", "high", "critical" };
    for (int s = 4; s >= 0; --s)
        if (c.rowsLeftOut[s] > 0) {
            left += c.rowsLeftOut[s];
            bySeverity << QStringLiteral("%1 %2").arg(c.rowsLeftOut[s]).arg(QLatin1String(names[s]));
        }
    if (left > 0)
        pg.text(QStringLiteral("%1 more finding(s) (%2) are not listed here: every finding is in the workbench and in "
                               "exposure-audit analyze --format csv.")
                    .arg(left)
                    .arg(bySeverity.join(QStringLiteral(", "))),
            pg.font(8.5), QColor(0x22, 0x22, 0x22));
    pg.text(QStringLiteral("Ids are shortened (EW-xxxxxx…); the full ids are in the workbench and in every export."),
        pg.font(7.5), QColor(0x44, 0x44, 0x44));
}

void methodology(Pages& pg, const ReportContent& c)
{
    pg.newPage();
    pg.heading(QStringLiteral("Methodology"));
    for (const auto& para : c.methodology)
        pg.text(q(para), pg.font(9.5), Qt::black, 0, 8);
    pg.skip(6);
    pg.heading(QStringLiteral("Assumptions"));
    if (c.assumptions.empty())
        pg.text(QStringLiteral("None: every verdict rests on exactly modelled configuration."), pg.font(9.5));
    else
        pg.bullets(c.assumptions, pg.font(9));
    pg.skip(6);
    pg.heading(QStringLiteral("Skipped inputs and problems"));
    if (c.skipped.empty() && c.problems.empty())
        pg.text(
            QStringLiteral("Every input file was read and used; no problems were found in the input."), pg.font(9.5));
    pg.bullets(c.skipped, pg.font(9));
    pg.bullets(c.problems, pg.font(9));
    if (c.redacted) {
        // What was replaced, so a reviewer can trust the redaction (and see what it did not cover).
        pg.skip(6);
        pg.heading(QStringLiteral("Redaction"));
        static const std::map<std::string, const char*> kinds = { { "PUBLIC-IP", "public IP addresses and prefixes" },
            { "PRIVATE-IP", "private IP addresses and prefixes" },
            { "EMAIL",
                "e-mail addresses (also when written "
                "with spaces, \"at\" and \"dot\")" },
            { "ID", "GUIDs (subscription, tenant and object ids)" }, { "ACCOUNT", "AWS account ids" },
            { "HOST", "host names and FQDNs" } };
        std::vector<std::string> lines;
        for (const auto& [kind, n] : c.redactions) {
            auto it = kinds.find(kind);
            lines.push_back(std::to_string(n) + " " + (it == kinds.end() ? kind.c_str() : it->second) + ", as " + kind
                + "-1 to " + kind + "-" + std::to_string(n));
        }
        if (lines.empty())
            lines.push_back("Nothing needed replacing.");
        pg.text(QStringLiteral("Each distinct value has one placeholder throughout the report:"), pg.font(9.5),
            Qt::black, 0, 4);
        pg.bullets(lines, pg.font(9));
    }
}

} // namespace

int ReportWriter::render(QPagedPaintDevice* device, const ReportContent& c, int totalPages)
{
    QPainter painter(device);
    painter.setRenderHint(QPainter::TextAntialiasing);
    Pages pg(device, &painter, c, totalPages);
    cover(pg, c);
    summary(pg, c);
    for (const auto& f : c.pages)
        findingPage(pg, f);
    table(pg, c);
    methodology(pg, c);
    pg.footer();
    painter.end();
    return pg.pages();
}

bool ReportWriter::writePdf(const ReportContent& c, const QString& fileName, QString* error)
{
    auto setup = [&c](QPdfWriter& w) {
        w.setResolution(72);
        w.setPageSize(QPageSize(QPageSize::A4));
        w.setPageMargins(QMarginsF(0, 0, 0, 0));
        w.setTitle(q(c.title));
        w.setCreator(QStringLiteral("Exposure Workbench ") + q(c.toolVersion));
    };
    // First pass counts the pages so every footer can say "of N".
    QBuffer scratch;
    scratch.open(QIODevice::WriteOnly);
    int total = 0;
    {
        QPdfWriter counting(&scratch);
        setup(counting);
        total = render(&counting, c, 0);
    }
    SaveFile out(fileName); // fails on a full disk (savefile.h)
    if (!out.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("%1: cannot write: %2").arg(fileName, out.errorString());
        return false;
    }
    {
        QPdfWriter writer(&out);
        setup(writer);
        render(&writer, c, total);
    }
    if (!out.commit()) {
        *error = QStringLiteral("%1: cannot write: %2").arg(fileName, out.errorString());
        return false;
    }
    return true;
}

} // namespace ew::ui
