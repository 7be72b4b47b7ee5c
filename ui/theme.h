#pragma once

#include "findings/finding.h"

#include <QColor>
#include <QString>

class QApplication;

namespace ew::ui {

/// Light and dark palettes (Fusion) and the severity colours, chosen to stay readable on both
/// and in greyscale (the severity is also always written out).
class Theme
{
public:
    /// "system", "light" or "dark"; unknown names mean "system".
    static void apply(const QString& name);
    static bool isDark();
    static QColor severityColor(Severity s);
    static QColor severityTextColor(Severity s);
    static QString severityTitle(Severity s); // "Critical", ...
};

} // namespace ew::ui
