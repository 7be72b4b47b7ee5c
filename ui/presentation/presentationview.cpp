#include "presentationview.h"

#include "report/nodepainter.h"
#include "theme.h"

#include <QFontMetricsF>
#include <QKeyEvent>
#include <QPainter>
#include <QVariantAnimation>

#include <cmath>

namespace ew::ui {

namespace {

// The label under a node: the data store's engine, else the resource type in a few words.
QString stepLabel(const PathStep& s, ReachabilityGraph::Kind k, const Finding& f)
{
    if (k == ReachabilityGraph::Kind::DataStore)
        return QString::fromStdString(f.dataStore.engine);
    QString type = QString::fromStdString(ReachabilityGraph::typeLabel(s.kind, s.type));
    // The machine a two-hop path goes through: the attacker's foothold, said as such.
    if (f.hops == 2 && !f.foothold.id.empty() && s.id == f.foothold.id)
        return PresentationView::tr("foothold · %1").arg(type);
    return type;
}

// What is exposed, and from where: per port when different ports are reached from different
// sources (the first three, then how many more).
QString exposureLine(const Finding& f)
{
    const QString protocol = QString::fromStdString(f.protocol).toUpper();
    auto sources = [](const auto& list, bool whole) {
        if (whole)
            return PresentationView::tr("any internet address");
        QString s = list.empty() ? QString() : QString::fromStdString(list.front());
        if (list.size() > 1)
            s += PresentationView::tr(" and %1 more").arg(list.size() - 1);
        return s;
    };
    if (f.exposures.empty())
        return protocol + QLatin1Char(' ') + QString::fromStdString(portsOrTypes(f)) + PresentationView::tr(" from ")
            + sources(f.sources, f.wholeInternet);
    QStringList parts;
    for (std::size_t i = 0; i < f.exposures.size() && i < 3; ++i) {
        const auto& e = f.exposures[i];
        const bool whole = e.sources.size() == 1 && (e.sources.front() == "0.0.0.0/0" || e.sources.front() == "::/0");
        parts << QString::fromStdString(formatPortRanges(e.ports)) + PresentationView::tr(" from ")
                + sources(e.sources, whole);
    }
    QString line = protocol + QLatin1Char(' ') + parts.join(QStringLiteral(" · "));
    if (f.exposures.size() > 3)
        line += PresentationView::tr(" · %1 more").arg(f.exposures.size() - 3);
    return line;
}

} // namespace

PresentationView::PresentationView(QWidget* parent)
    : QWidget(parent)
    , m_animation(new QVariantAnimation(this))
{
    setObjectName(QStringLiteral("presentation"));
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_DeleteOnClose);
    m_animation->setStartValue(0.0);
    m_animation->setEndValue(1.0);
    m_animation->setEasingCurve(QEasingCurve::InOutQuad);
    connect(m_animation, &QVariantAnimation::valueChanged, this, [this](const QVariant& v) {
        m_progress = v.toReal();
        update();
    });
}

void PresentationView::setFindings(std::vector<Finding> findings, std::size_t start)
{
    m_findings = std::move(findings);
    showFinding(std::min(start, m_findings.empty() ? 0 : m_findings.size() - 1));
}

const Finding* PresentationView::currentFinding() const
{
    return m_current < m_findings.size() ? &m_findings[m_current] : nullptr;
}

void PresentationView::showFinding(std::size_t index)
{
    m_current = index;
    m_animation->stop();
    if (m_animated && currentFinding()) {
        m_progress = 0;
        m_animation->setDuration(600 * static_cast<int>(currentFinding()->path.size()));
        m_animation->start();
    } else {
        m_progress = 1;
    }
    update();
}

void PresentationView::next()
{
    if (m_current + 1 < m_findings.size())
        showFinding(m_current + 1);
}

void PresentationView::previous()
{
    if (m_current > 0)
        showFinding(m_current - 1);
}

void PresentationView::keyPressEvent(QKeyEvent* event)
{
    switch (event->key()) {
    case Qt::Key_Right:
    case Qt::Key_Space:
    case Qt::Key_PageDown:
    case Qt::Key_Down:
        next();
        break;
    case Qt::Key_Left:
    case Qt::Key_Backspace:
    case Qt::Key_PageUp:
    case Qt::Key_Up:
        previous();
        break;
    case Qt::Key_Home:
        showFinding(0);
        break;
    case Qt::Key_End:
        if (!m_findings.empty())
            showFinding(m_findings.size() - 1);
        break;
    case Qt::Key_Escape:
        Q_EMIT closed();
        close();
        break;
    default:
        QWidget::keyPressEvent(event);
    }
}

void PresentationView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton)
        next();
    else if (event->button() == Qt::RightButton)
        previous();
}

void PresentationView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QColor bg(0x16, 0x1b, 0x22), fg(0xf0, 0xf2, 0xf5), dim(0x9a, 0xa4, 0xb2);
    p.fillRect(rect(), bg);
    const Finding* f = currentFinding();
    const qreal s = std::max(0.6, std::min(width() / 1280.0, height() / 800.0)); // type scales with the screen
    QFont base = font();
    auto sized = [&](qreal pt, bool bold = false) {
        QFont f2 = base;
        f2.setPointSizeF(pt * s);
        f2.setBold(bold);
        return f2;
    };
    if (!f) {
        p.setPen(fg);
        p.setFont(sized(28, true));
        p.drawText(rect(), Qt::AlignCenter, tr("No exposure to present."));
        return;
    }
    const qreal margin = 60 * s;
    // Headline: severity and target, then what and from whom.
    const QColor sev = Theme::severityColor(f->severity);
    p.fillRect(QRectF(0, 0, width(), 10 * s), sev);
    p.setPen(sev);
    p.setFont(sized(20, true));
    p.drawText(QRectF(margin, 40 * s, width() - 2 * margin, 36 * s), Qt::AlignLeft | Qt::AlignVCenter,
        Theme::severityTitle(f->severity).toUpper());
    p.setPen(fg);
    p.setFont(sized(40, true));
    p.drawText(QRectF(margin, 80 * s, width() - 2 * margin, 64 * s), Qt::AlignLeft | Qt::AlignVCenter,
        QString::fromStdString(f->target.name));
    p.setFont(sized(22));
    p.setPen(dim);
    const QRectF whatRect(margin, 150 * s, width() - 2 * margin, 40 * s);
    p.drawText(whatRect, Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetricsF(p.font()).elidedText(exposureLine(*f), Qt::ElideRight, whatRect.width()));

    // The path, left to right, drawn step by step.
    const std::size_t n = f->path.size();
    const qreal gap = (n > 4 ? 30 : 46) * s;
    const qreal boxW
        = std::min<qreal>(260 * s, (width() - 2 * margin - gap * static_cast<qreal>(n - 1)) / static_cast<qreal>(n));
    const qreal boxH = 72 * s;
    const qreal total = boxW * static_cast<qreal>(n) + gap * static_cast<qreal>(n - 1);
    const qreal x0 = (width() - total) / 2;
    const qreal y0 = height() * 0.42;
    const qreal shown = m_progress * static_cast<qreal>(n); // how many boxes are drawn (fractional)
    const auto labels = ReachabilityGraph::edgeLabels(*f);
    // Long paths (two hops) get smaller type in the boxes so names are not cut.
    p.setFont(sized(n > 4 ? 10.5 : 13));
    for (std::size_t i = 0; i < n; ++i) {
        const qreal appear = shown - static_cast<qreal>(i);
        if (appear <= 0)
            break;
        const QRectF r(x0 + static_cast<qreal>(i) * (boxW + gap), y0, boxW, boxH);
        if (i > 0) {
            // The edge grows from the previous box; the last one, into the target, in the severity colour.
            const QPointF a(r.left() - gap, r.center().y());
            const qreal t = std::min<qreal>(1, appear * 2);
            const QPointF b(a.x() + (gap - 6 * s) * t, a.y());
            p.setPen(QPen(i + 1 == n ? sev : fg, 4 * s, Qt::SolidLine, Qt::RoundCap));
            p.drawLine(a, b);
            // What crosses the step and the rule that lets it (as the graph labels it), above it:
            // each label as wide as a box, centred on its gap, so that neighbours never overlap.
            if (const QString label = QString::fromStdString(labels[i - 1]); !label.isEmpty() && t >= 1) {
                const QFont before = p.font();
                p.setFont(sized(11));
                p.setPen(dim);
                const QRectF lr(a.x() + gap / 2 - boxW / 2, y0 - 30 * s, boxW, 24 * s);
                p.drawText(lr, Qt::AlignCenter, QFontMetricsF(p.font()).elidedText(label, Qt::ElideRight, lr.width()));
                p.setFont(before);
            }
            if (t >= 1) {
                p.setBrush(i + 1 == n ? sev : fg);
                p.setPen(Qt::NoPen);
                p.drawPolygon(
                    QPolygonF({ r.topLeft() + QPointF(0, boxH / 2), r.topLeft() + QPointF(-12 * s, boxH / 2 - 8 * s),
                        r.topLeft() + QPointF(-12 * s, boxH / 2 + 8 * s) }));
            }
        }
        p.setOpacity(std::min<qreal>(1, appear * 1.5));
        const auto kind = ReachabilityGraph::kindOfStep(f->path[i], i + 1 == n && !f->dataStore.engine.empty());
        NodeLook look;
        look.fill = i + 1 == n ? sev.darker(180) : QColor(0x24, 0x2b, 0x35);
        look.border = i + 1 == n ? sev : QColor(0x5a, 0x66, 0x75);
        look.borderWidth = (i + 1 == n ? 3 : 1.5) * s;
        look.text = fg;
        look.subText = dim;
        look.boldTitle = true;
        paintNode(&p, r, kind, QString::fromStdString(f->path[i].name), stepLabel(f->path[i], kind, *f), look);
        p.setOpacity(1);
    }

    // Because of which rule: the deciding rules, once the path is complete.
    if (m_progress >= 1) {
        QStringList rules;
        for (const auto& r : f->rules)
            rules << tr("%1 in %2 (priority %3, %4)")
                         .arg(QString::fromStdString(r.ruleName), QString::fromStdString(r.filterName))
                         .arg(r.priority)
                         .arg(r.allow ? tr("allow") : tr("deny"));
        rules.removeDuplicates();
        p.setPen(fg);
        p.setFont(sized(18, true));
        const qreal ry = y0 + boxH + 60 * s;
        p.drawText(QRectF(margin, ry, width() - 2 * margin, 30 * s), Qt::AlignLeft, tr("Because of"));
        p.setFont(sized(18));
        p.drawText(QRectF(margin, ry + 36 * s, width() - 2 * margin, 120 * s), Qt::TextWordWrap | Qt::AlignLeft,
            rules.join(QStringLiteral("\n")));
    }
    p.setPen(dim);
    p.setFont(sized(12));
    p.drawText(QRectF(margin, height() - 50 * s, width() - 2 * margin, 30 * s), Qt::AlignLeft | Qt::AlignVCenter,
        tr("%1 / %2    ← → to move · Esc to leave").arg(m_current + 1).arg(m_findings.size()));
    p.drawText(QRectF(margin, height() - 50 * s, width() - 2 * margin, 30 * s), Qt::AlignRight | Qt::AlignVCenter,
        QString::fromStdString(f->id));
}

} // namespace ew::ui
