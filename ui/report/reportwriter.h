#pragma once

#include "report/reportcontent.h"

#include <QString>

class QPagedPaintDevice;

namespace ew::ui {

/// Draws a ReportContent as a PDF with QtGui only (QPdfWriter, QPainter), so it runs offscreen
/// and from exposure-audit: real text, numbered A4 pages, tables that repeat their header when
/// they break, and colours that stay distinguishable in black and white (patterns, words).
class ReportWriter
{
public:
    /// Writes atomically (SaveFile: a full disk fails and leaves the old file). Returns false and sets error when the
    /// file cannot be written.
    static bool writePdf(const ReportContent& content, const QString& fileName, QString* error);
    /// Draws every page on device; totalPages is printed in the footers. Returns the page count.
    static int render(QPagedPaintDevice* device, const ReportContent& content, int totalPages);
};

} // namespace ew::ui
