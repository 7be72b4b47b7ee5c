#include "jsonparse.h"

#include <algorithm>

namespace ew {

namespace {

// Records the first error nlohmann's SAX parser reports (no DOM is built).
struct ErrorFinder : nlohmann::json_sax<nlohmann::json>
{
    bool failed = false;
    std::size_t position = 0;
    std::string token;
    std::string message;
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t pos, const std::string& lastToken, const nlohmann::detail::exception& ex) override
    {
        failed = true;
        position = pos;
        token = lastToken;
        message = jsonErrorMessage(ex);
        return false;
    }
};

// Sets the byte, line and column of an offset into the text.
void placeError(std::string_view text, std::size_t at, JsonSyntaxError& error)
{
    error.byte = at;
    error.line = 1;
    error.column = 1;
    for (std::size_t i = 0; i < at; ++i) {
        if (text[i] == '\n') {
            ++error.line;
            error.column = 1;
        } else {
            ++error.column;
        }
    }
}

} // namespace

std::string jsonErrorMessage(const nlohmann::json::exception& e)
{
    std::string what = e.what();
    if (what.rfind("[json.exception.", 0) == 0)
        if (auto close = what.find("] "); close != std::string::npos)
            what = what.substr(close + 2);
    // Parse errors repeat the place ("parse error at line 1, column 2: "); the diagnostic gives it.
    if (what.rfind("parse error", 0) == 0)
        if (auto colon = what.find(": "); colon != std::string::npos)
            what = what.substr(colon + 2);
    return what;
}

bool findJsonError(std::string_view text, JsonSyntaxError& error)
{
    ErrorFinder finder;
    try {
        nlohmann::json::sax_parse(text.begin(), text.end(), &finder, nlohmann::json::input_format_t::json, false);
    } catch (const nlohmann::json::exception& e) {
        // The SAX parser reports through parse_error(); should the library still throw, say so.
        finder.failed = true;
        finder.message = jsonErrorMessage(e);
    }
    if (!finder.failed)
        return false;
    // The parser's position is the count of characters read, one past the character that failed; a
    // number that overflows is reported once read whole, so step back to where it starts.
    std::size_t at = finder.position == 0 ? 0 : finder.position - 1;
    if (finder.message.rfind("number overflow", 0) == 0 && finder.token.size() <= finder.position)
        at = finder.position - finder.token.size();
    error = {};
    placeError(text, std::min(at, text.size()), error);
    error.message = finder.message.empty() ? std::string("the JSON library refused the text") : finder.message;
    return true;
}

bool findDepthError(std::string_view text, std::size_t maxDepth, JsonSyntaxError& error)
{
    std::size_t depth = 0;
    bool inString = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            if (++depth > maxDepth) {
                error = {};
                placeError(text, i, error);
                error.message = "objects and arrays nest deeper than " + std::to_string(maxDepth)
                    + " levels here; no export nests so deep (a damaged or hostile file?)";
                return true;
            }
        } else if ((c == '}' || c == ']') && depth > 0) {
            --depth;
        }
    }
    return false;
}

Diagnostic jsonSyntaxDiagnostic(const JsonSyntaxError& error, const std::string& file)
{
    return { Diagnostic::Level::Error, { file, {}, error.line, error.column },
        "invalid JSON (at byte " + std::to_string(error.byte) + "): " + error.message };
}

bool parseJson(std::string_view text, const std::string& file, nlohmann::json& out, std::vector<Diagnostic>& diags,
    std::size_t maxDepth)
{
    nlohmann::json doc;
    std::string failure;
    // The library parses any depth, but copying, comparing and writing the document recurse once a
    // level: a file of a million '[' would overflow the stack.
    if (JsonSyntaxError deep; findDepthError(text, maxDepth, deep)) {
        diags.push_back({ Diagnostic::Level::Error, { file, {}, deep.line, deep.column },
            "too deeply nested (at byte " + std::to_string(deep.byte) + "): " + deep.message });
        return false;
    }
    try {
        doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
        if (!doc.is_discarded()) {
            out = std::move(doc);
            return true;
        }
    } catch (const nlohmann::json::exception& e) {
        // With exceptions off the parser reports errors by discarding; anything else is kept.
        failure = jsonErrorMessage(e);
    }
    JsonSyntaxError error;
    if (!findJsonError(text, error))
        error.message = failure.empty() ? std::string("the JSON library refused the text") : failure;
    diags.push_back(jsonSyntaxDiagnostic(error, file));
    return false;
}

Diagnostic jsonErrorDiagnostic(const nlohmann::json::exception& e, const std::string& file, const std::string& pointer)
{
    return { Diagnostic::Level::Error, { file, pointer, 0, 0 }, "cannot read this value: " + jsonErrorMessage(e) };
}

} // namespace ew
