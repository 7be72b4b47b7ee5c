#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ew {

/// Where something came from: a file and a JSON pointer inside it (RFC 6901), or a line/column
/// when the file is not valid JSON.
struct SourceLocation
{
    SourceLocation() = default;
    SourceLocation(
        std::string file_, std::string pointer_ = {}, int line_ = 0, int column_ = 0, std::string address_ = {})
        : file(std::move(file_))
        , pointer(std::move(pointer_))
        , line(line_)
        , column(column_)
        , address(std::move(address_))
    { }

    std::string file;
    std::string pointer;
    int line = 0;
    int column = 0;
    /// The Terraform address of the resource it came from ("module.net.aws_security_group.web"),
    /// when the file is a Terraform state or plan.
    std::string address;

    std::string toString() const; // "file#/pointer" or "file:line:column"
    friend bool operator==(const SourceLocation&, const SourceLocation&) = default;
};

/// A problem found in the input. Errors make a verdict unreliable (exit code 2 in the CLI);
/// warnings become assumptions of the analysis; notes are for the record (skipped resources).
struct Diagnostic
{
    enum class Level { Error, Warning, Note };
    Level level = Level::Error;
    SourceLocation where;
    std::string message;

    std::string toString() const; // "file#/pointer: error: message"
};

const char* levelName(Diagnostic::Level level);

/// One input file and what became of it.
struct InputFile
{
    std::string path;
    std::uint64_t size = 0;
    std::string format; // "az-cli", "rest", "arm-template", "effective-nsg", "rest-example", ...
    int resources = 0; // resources used from it
    bool skipped = false;
    std::string reason; // why it was skipped
    /// SHA-256 of the bytes as read (before decoding), when ImportOptions::hashFiles asked for it:
    /// the identity of what was analysed, not of what the file holds later.
    std::string sha256;
};

} // namespace ew
