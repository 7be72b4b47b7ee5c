#include "exporter.h"

#include "jobs/jobtracker.h"

#include "graph/edgeitem.h"
#include "graph/graphscene.h"
#include "graph/nodeitem.h"
#include "output/exports.h"
#include "output/findingswriter.h"
#include "report/reportcontent.h"
#include "report/reportwriter.h"
#include "report/savefile.h"
#include "review/reviewdocument.h"

#include <QDate>
#include <QFileInfo>
#include <QGraphicsItem>
#include <QImage>
#include <QPainter>
#include <QSvgGenerator>

#include <sstream>

namespace ew::ui {

namespace {

bool writeAtomically(const QString& fileName, const QByteArray& bytes, QString* error)
{
    SaveFile out(fileName);
    if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size() || !out.commit()) {
        *error = Exporter::tr("%1: cannot write: %2").arg(fileName, out.errorString());
        return false;
    }
    return true;
}

} // namespace

Exporter::Exporter(ReviewDocument* document, GraphScene* scene, JobTracker* jobs, QObject* parent)
    : QObject(parent)
    , m_document(document)
    , m_scene(scene)
    , m_jobs(jobs ? jobs : new JobTracker(this))
{ }

bool Exporter::exportFindings(const QString& format, const QString& fileName, QString* error) const
{
    const auto data = m_document->analysis();
    if (!data) {
        *error = tr("Nothing to export: no analysis yet.");
        return false;
    }
    const auto& decisions = m_document->review().decisions;
    std::string text;
    if (format == QLatin1String("csv")) {
        text = findingsCsv(data->result, &decisions);
    } else if (format == QLatin1String("markdown")) {
        text = findingsMarkdown(data->snapshot, data->result, &decisions);
    } else if (format == QLatin1String("sarif")) {
        // Locations relative to the review's folder, where the snapshot's inputs usually are.
        text = findingsSarif(data->snapshot, data->result, &decisions, m_document->baseDir().toStdString()).dump(2)
            + "\n";
    } else if (format == QLatin1String("json")) {
        std::ostringstream out;
        writeAnalysisJson(out, data->snapshot, data->result);
        text = out.str();
    } else {
        *error = tr("Unknown export format %1").arg(format);
        return false;
    }
    return writeAtomically(fileName, QByteArray::fromStdString(text), error);
}

bool Exporter::exportGraph(const QString& fileName, bool pathOnly, QString* error) const
{
    // For one path: only the highlighted items are drawn, within their bounding box.
    std::vector<std::pair<QGraphicsItem*, bool>> hidden;
    QRectF source = m_scene->itemsBoundingRect();
    if (pathOnly) {
        if (m_scene->highlightedFindings().empty()) {
            *error = tr("Select a finding first: its path is what gets exported.");
            return false;
        }
        source = QRectF();
        for (auto* n : m_scene->nodeItems()) {
            if (n->isHighlighted())
                source = source.united(n->sceneBoundingRect());
        }
        for (QGraphicsItem* item : m_scene->items()) {
            const auto* node = qgraphicsitem_cast<NodeItem*>(item);
            const auto* edge = qgraphicsitem_cast<EdgeItem*>(item);
            const bool keep = (node && node->isHighlighted()) || (edge && edge->isHighlighted());
            if (!keep && item->isVisible()) {
                hidden.emplace_back(item, true);
                item->setVisible(false);
            }
        }
    }
    source.adjust(-20, -20, 20, 20);
    // Cached items would be drawn as pixmaps: the SVG must have vector shapes and real text.
    std::vector<std::pair<QGraphicsItem*, QGraphicsItem::CacheMode>> cached;
    for (QGraphicsItem* item : m_scene->items())
        if (item->cacheMode() != QGraphicsItem::NoCache) {
            cached.emplace_back(item, item->cacheMode());
            item->setCacheMode(QGraphicsItem::NoCache);
        }
    bool ok = true;
    if (QFileInfo(fileName).suffix().compare(QLatin1String("svg"), Qt::CaseInsensitive) == 0) {
        SaveFile out(fileName);
        ok = out.open(QIODevice::WriteOnly);
        if (ok) {
            QSvgGenerator svg;
            svg.setOutputDevice(&out);
            svg.setSize(source.size().toSize());
            svg.setViewBox(QRectF(QPointF(0, 0), source.size()));
            svg.setTitle(tr("Exposure Workbench graph"));
            QPainter painter(&svg);
            m_scene->render(&painter, QRectF(QPointF(0, 0), source.size()), source);
            painter.end();
            ok = out.commit();
        }
        if (!ok)
            *error = tr("%1: cannot write: %2").arg(fileName, out.errorString());
    } else {
        const qreal scale = 2.0; // crisp when zoomed or printed
        QImage image((source.size() * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
        image.setDevicePixelRatio(scale);
        image.fill(Qt::white);
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        m_scene->render(&painter, QRectF(QPointF(0, 0), source.size()), source);
        painter.end();
        SaveFile out(fileName);
        ok = out.open(QIODevice::WriteOnly) && image.save(&out, "PNG") && out.commit();
        if (!ok)
            *error = tr("%1: cannot write: %2").arg(fileName, out.errorString());
    }
    for (auto& [item, visible] : hidden)
        item->setVisible(visible);
    for (auto& [item, mode] : cached)
        item->setCacheMode(mode);
    return ok;
}

void Exporter::exportReport(const QString& fileName, bool redact, const QString& reviewer)
{
    const auto data = m_document->analysis();
    if (!data) {
        Q_EMIT reportFinished(false, tr("Nothing to report: no analysis yet."));
        return;
    }
    ReportOptions options;
    options.redact = redact;
    options.reviewer = reviewer.toStdString();
    options.date = QDate::currentDate().toString(Qt::ISODate).toStdString();
    const Review review = m_document->review();
    options.notify.analysis.analystDataStores = review.dataStores; // the fixes see what the analysis saw
    std::vector<std::string> inputs;
    for (const auto& i : m_document->inputs())
        inputs.push_back(i.toStdString());
    m_jobs->run(
        QStringLiteral("report ") + fileName,
        [data, review, inputs, options, fileName]() {
            const ReportContent content = buildReport(data->snapshot, data->result, review, inputs, options);
            QString error;
            ReportWriter::writePdf(content, fileName, &error);
            return error;
        },
        [this, fileName](const QString& error) {
            Q_EMIT reportFinished(error.isEmpty(), error.isEmpty() ? tr("Wrote %1").arg(fileName) : error);
        });
}

} // namespace ew::ui
