#pragma once

#include <QObject>
#include <QString>

class QWidget;

namespace ew::ui {

class GraphScene;
class ReviewDocument;

/// The workbench's exports: the PDF report (off the GUI thread), the findings as CSV, JSON,
/// SARIF or Markdown with the review's decisions, and the graph or one path as SVG or PNG. Every
/// file is written atomically (SaveFile: a full disk fails and leaves the old file).
class Exporter : public QObject
{
    Q_OBJECT
public:
    Exporter(ReviewDocument* document, GraphScene* scene, QObject* parent = nullptr);

    /// format: "csv", "json", "sarif" or "markdown".
    bool exportFindings(const QString& format, const QString& fileName, QString* error) const;
    /// The whole graph, or only the highlighted path when pathOnly; by the file's suffix (.svg/.png).
    bool exportGraph(const QString& fileName, bool pathOnly, QString* error) const;
    /// Starts writing the report in the background; finished() reports the outcome.
    void exportReport(const QString& fileName, bool redact, const QString& reviewer);

Q_SIGNALS:
    void reportFinished(bool ok, const QString& message);

private:
    ReviewDocument* m_document;
    GraphScene* m_scene;
};

} // namespace ew::ui
