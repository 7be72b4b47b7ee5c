#pragma once

#include <QSaveFile>

namespace ew::ui {

/// A QSaveFile that fails when the disk fills up. QSaveFile's buffered writes take a short write
/// (the bytes that still fit on a full disk, or under a file size limit) for success, and commit()
/// then replaces the file with the cut text (Qt 6.4). This one writes unbuffered and retries the
/// rest of a short write, so that the disk's error surfaces, commit() refuses, and the old file
/// stays as it was. Lives beside the report writer, the lowest Qt library (the CLI's PDFs use it).
class SaveFile : public QSaveFile
{
public:
    explicit SaveFile(const QString& name);
    /// Opens for writing; Unbuffered is always added to the mode.
    bool open(OpenMode mode) override;

protected:
    qint64 writeData(const char* data, qint64 len) override;
};

} // namespace ew::ui
