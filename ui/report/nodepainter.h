#pragma once

#include "findings/finding.h"
#include "graph/reachabilitygraph.h"

#include <QColor>
#include <QRectF>
#include <QString>

class QPainter;

namespace ew::ui {

/// How one graph node looks: shared by the workbench's graph items and the report's path
/// diagrams, so that a printed path looks like the one on screen.
struct NodeLook
{
    QColor fill;
    QColor border;
    qreal borderWidth = 1;
    bool dashed = false; // a collapsed group
    QColor text;
    QColor subText;
    bool boldTitle = false;
    bool detailed = true; // false: far away, draw the box only
    /// The smallest text size, in the painter's points (a zoomed-out view passes the platform's
    /// smallest readable size divided by its scale): text grows to it, the kind label is dropped
    /// when the two lines no longer fit, and the name when it no longer fits alone.
    qreal minPointSize = 0;
};

QColor nodeAccent(ReachabilityGraph::Kind kind);
/// The severity colours of the workbench and the reports (one palette for screen and print).
QColor severityColor(Severity severity);
QString nodeGlyph(ReachabilityGraph::Kind kind);
/// Draws a node box in rect: a kind-coloured stripe, a glyph, the name and a kind label.
void paintNode(QPainter* painter, const QRectF& rect, ReachabilityGraph::Kind kind, const QString& name,
    const QString& label, const NodeLook& look);

} // namespace ew::ui
