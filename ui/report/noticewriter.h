#pragma once

#include <QString>

#include <string>

namespace ew::ui {

/// An owner's notice as a PDF, for teams that file mail attachments or tickets rather than
/// Markdown: the notice's Markdown (noticeMarkdown) laid out on A4 pages with QtGui's text
/// document, its tables and code blocks kept, a page number on each page. Written atomically.
bool writeNoticePdf(const std::string& markdown, const QString& title, const QString& fileName, QString* error);

} // namespace ew::ui
