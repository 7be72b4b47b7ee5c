#pragma once

#include <string>
#include <string_view>

namespace ew {

/// What a file's bytes turned out to be.
struct DecodedText
{
    std::string encoding; // "UTF-8", "UTF-8 with BOM", "UTF-16 LE", "UTF-16 BE", "UTF-32 LE", "UTF-32 BE"
    std::string text; // UTF-8, without a byte order mark (empty when unchanged: use the input)
    bool converted = false; // text holds the result; otherwise the input (less a UTF-8 BOM) is it
    std::size_t bomSize = 0; // bytes of a UTF-8 byte order mark to skip when !converted
    std::string error; // non-empty: the bytes cannot be decoded, said in words with the byte offset
};

/// Detects the encoding of a text file by its byte order mark, or, without one, by the pattern of
/// zero bytes that UTF-16 and UTF-32 give ASCII text (Windows PowerShell 5.1's `>` writes UTF-16 LE
/// with a BOM; `Out-File -Encoding` can write the others). UTF-16/32 input is converted to UTF-8;
/// UTF-8 input is left where it is (only the BOM is skipped) so large files are not copied.
DecodedText decodeText(std::string_view bytes);

} // namespace ew
