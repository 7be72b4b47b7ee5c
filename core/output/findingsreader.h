#pragma once

#include "findings/finding.h"
#include "model/diagnostic.h"

#include <string>
#include <string_view>
#include <vector>

namespace ew {

/// A findings document read back: what `exposure-audit analyze --format json` wrote.
struct FindingsDocument
{
    int schema = 0; // 1 or 2
    std::string generator; // "exposure-audit 0.1.0"
    std::vector<InputFile> inputs;
    std::vector<std::string> assumptions;
    /// As the analysis had them, every field the document states (rules keep file and JSON
    /// pointer, not line and column); without packets (comparisons use clientView), with path steps
    /// of kind Other (the document names types, not kinds).
    std::vector<Finding> findings;
};

/// Whether text, the start and the end of a file together being enough, names the schema
/// "exposure-findings/1" or "exposure-findings/2" (the key sits at the start in v2 and in v1 as
/// streamed, at the end in v1 written with a baseline).
bool looksLikeFindings(std::string_view text);

/// Whether the file at path is findings JSON: a regular file whose start (first MiB) or end (last
/// 4 KiB) looksLikeFindings. False for folders and unreadable files. Never throws.
bool isFindingsFile(const std::string& path);

/// Reads the findings JSON file at path (readFindingsJson). False with Error diagnostics when it
/// cannot be read or is not findings JSON. Never throws.
bool readFindingsFile(const std::string& path, FindingsDocument& out, std::vector<Diagnostic>& diagnostics);

/// Reads an `exposure-findings/1` or `exposure-findings/2` document. Never throws: false with
/// Error diagnostics (file and JSON pointer, or line and column when it is not JSON) when the text
/// is not one, out then being unspecified.
bool readFindingsJson(
    std::string_view text, const std::string& file, FindingsDocument& out, std::vector<Diagnostic>& diagnostics);

} // namespace ew
