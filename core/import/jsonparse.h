#pragma once

#include "model/diagnostic.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ew {

/// Where a JSON text stops being valid, as nlohmann_json's parser sees it.
struct JsonSyntaxError
{
    std::size_t byte = 0; // 0-based offset of the offending character or token
    int line = 1; // 1-based
    int column = 1; // 1-based, in bytes
    std::string message; // the library's sentence, without its "[json.exception...]" prefix
};

/// Finds the first error of a JSON text that nlohmann_json refuses: a syntax error, a number that
/// overflows a double (1e999), an invalid UTF-8 sequence... Returns false when the text is valid.
/// Never throws.
bool findJsonError(std::string_view text, JsonSyntaxError& error);

/// How deep a JSON text may nest objects and arrays unless a caller says otherwise: exports nest
/// about 10 levels, ARM templates with nested deployments about 30.
inline constexpr std::size_t kDefaultMaxDepth = 128;

/// Finds where a JSON text first nests objects and arrays deeper than maxDepth (the opening bracket
/// one level too deep; strings are skipped). Returns false when it never does. One pass; never throws.
bool findDepthError(std::string_view text, std::size_t maxDepth, JsonSyntaxError& error);

/// The Error diagnostic for a syntax error: file:line:column, "invalid JSON (at byte N): ...".
Diagnostic jsonSyntaxDiagnostic(const JsonSyntaxError& error, const std::string& file);

/// Parses a JSON text with nlohmann_json. Never throws: every error of the JSON library, and nesting
/// deeper than maxDepth, becomes one Error diagnostic naming the file, the line and column (and the
/// byte offset in its message), and false is returned with out left as it was.
bool parseJson(std::string_view text, const std::string& file, nlohmann::json& out, std::vector<Diagnostic>& diags,
    std::size_t maxDepth = kDefaultMaxDepth);

/// The message of an exception of the JSON library without its "[json.exception.type_error.302] "
/// prefix, for a sentence a user reads.
std::string jsonErrorMessage(const nlohmann::json::exception& e);

/// The Error diagnostic for an exception of the JSON library raised while reading the value at
/// `pointer` (RFC 6901) of `file`: file#pointer, and the library's message.
Diagnostic jsonErrorDiagnostic(const nlohmann::json::exception& e, const std::string& file, const std::string& pointer);

} // namespace ew
