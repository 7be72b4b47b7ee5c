#include "noticewriter.h"

#include "savefile.h"

#include <QAbstractTextDocumentLayout>
#include <QFont>
#include <QFontDatabase>
#include <QPainter>
#include <QPdfWriter>
#include <QTextDocument>

namespace ew::ui {

bool writeNoticePdf(const std::string& markdown, const QString& title, const QString& fileName, QString* error)
{
    SaveFile out(fileName); // fails on a full disk (savefile.h)
    if (!out.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("%1: cannot write: %2").arg(fileName, out.errorString());
        return false;
    }
    {
        QPdfWriter writer(&out);
        writer.setResolution(96);
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setPageMargins(QMarginsF(18, 18, 18, 22), QPageLayout::Millimeter);
        writer.setTitle(title);
        writer.setCreator(QStringLiteral("Exposure Workbench " EW_VERSION));
        QTextDocument doc;
        QFont body = QFontDatabase::systemFont(QFontDatabase::GeneralFont);
        body.setPointSizeF(9.5);
        doc.setDefaultFont(body);
        // Tables with ruled cells, code in a fixed font on a tint: what a mail client shows too.
        doc.setDefaultStyleSheet(QStringLiteral("table { border-collapse: collapse; } th, td { padding: 3px; }"
                                                "pre, code { background-color: #f2f2f2; }"));
        doc.setMarkdown(QString::fromStdString(markdown), QTextDocument::MarkdownDialectGitHub);
        const QRectF page = writer.pageLayout().paintRectPixels(writer.resolution());
        const qreal footer = QFontMetricsF(body, &writer).height() * 2;
        doc.setPageSize(QSizeF(page.width(), page.height() - footer));
        doc.setDocumentMargin(0);
        QPainter painter(&writer);
        const int pages = doc.pageCount();
        for (int p = 0; p < pages; ++p) {
            if (p)
                writer.newPage();
            painter.save();
            painter.translate(0, -p * doc.pageSize().height());
            QAbstractTextDocumentLayout::PaintContext context;
            context.clip = QRectF(0, p * doc.pageSize().height(), doc.pageSize().width(), doc.pageSize().height());
            painter.setClipRect(context.clip);
            doc.documentLayout()->draw(&painter, context);
            painter.restore();
            painter.setFont(body);
            painter.setPen(Qt::darkGray);
            painter.drawText(QRectF(0, page.height() - footer / 2, page.width(), footer / 2),
                Qt::AlignRight | Qt::AlignBottom, QStringLiteral("%1 — %2 / %3").arg(title).arg(p + 1).arg(pages));
        }
        if (!painter.end()) {
            *error = QStringLiteral("%1: cannot draw the PDF").arg(fileName);
            return false;
        }
    }
    if (!out.commit()) {
        *error = QStringLiteral("%1: cannot write: %2").arg(fileName, out.errorString());
        return false;
    }
    return true;
}

} // namespace ew::ui
