#include "savefile.h"

namespace ew::ui {

SaveFile::SaveFile(const QString& name)
    : QSaveFile(name)
{ }

bool SaveFile::open(OpenMode mode)
{
    return QSaveFile::open(mode | QIODevice::Unbuffered);
}

qint64 SaveFile::writeData(const char* data, qint64 len)
{
    qint64 done = 0;
    while (done < len) {
        // A short write is what a full disk gives first; the next write returns its error (ENOSPC,
        // EFBIG), which QSaveFile records so that commit() fails.
        const qint64 n = QSaveFile::writeData(data + done, len - done);
        if (n < 0)
            return -1;
        if (n == 0) { // no progress and no error: never report the bytes as written
            cancelWriting();
            return -1;
        }
        done += n;
    }
    return done;
}

} // namespace ew::ui
