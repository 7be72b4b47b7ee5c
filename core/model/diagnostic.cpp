#include "diagnostic.h"

namespace ew {

std::string SourceLocation::toString() const
{
    if (line > 0)
        return file + ':' + std::to_string(line) + ':' + std::to_string(column);
    const std::string suffix = address.empty() ? std::string() : " (" + address + ")";
    if (!pointer.empty())
        return file + '#' + pointer + suffix;
    return file + suffix;
}

const char* levelName(Diagnostic::Level level)
{
    switch (level) {
    case Diagnostic::Level::Error:
        return "error";
    case Diagnostic::Level::Warning:
        return "warning";
    case Diagnostic::Level::Note:
        return "note";
    }
    return "error";
}

std::string Diagnostic::toString() const
{
    return where.toString() + ": " + levelName(level) + ": " + message;
}

} // namespace ew
