#pragma once

#include <QObject>
#include <QString>

class QWidget;

namespace ew::ui {

class GraphScene;
class JobTracker;
class ReviewDocument;

/// The workbench's exports: the PDF report (off the GUI thread), the findings as CSV, JSON,
/// SARIF or Markdown with the review's decisions, and the graph or one path as SVG or PNG. Every
/// file is written atomically (SaveFile: a full disk fails and leaves the old file).
class Exporter : public QObject
{
    Q_OBJECT
public:
    /// jobs: where reports are written (the window's background runs); none: a tracker of its own.
    Exporter(ReviewDocument* document, GraphScene* scene, JobTracker* jobs = nullptr, QObject* parent = nullptr);

    /// format: "csv", "json", "sarif" or "markdown".
    bool exportFindings(const QString& format, const QString& fileName, QString* error) const;
    /// The whole graph, or only the highlighted path when pathOnly; by the file's suffix (.svg/.png).
    bool exportGraph(const QString& fileName, bool pathOnly, QString* error) const;
    /// Starts writing the report in the background; reportFinished() reports the outcome. A new
    /// report to the same file supersedes one still being written (only its outcome is reported).
    void exportReport(const QString& fileName, bool redact, const QString& reviewer);

Q_SIGNALS:
    void reportFinished(bool ok, const QString& message);

private:
    ReviewDocument* m_document;
    GraphScene* m_scene;
    JobTracker* m_jobs;
};

} // namespace ew::ui
