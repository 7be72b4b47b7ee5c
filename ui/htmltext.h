#pragma once

#include <QString>

#include <string>

namespace ew::ui {

/// Engine text (UTF-8) made safe to put in the rich text of Details, Changes and dialogs.
inline QString esc(const std::string& s)
{
    return QString::fromStdString(s).toHtmlEscaped();
}

} // namespace ew::ui
