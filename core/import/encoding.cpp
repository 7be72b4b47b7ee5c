#include "encoding.h"

#include <cstdint>

namespace ew {

namespace {

void appendUtf8(std::string& out, std::uint32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::uint32_t unit(std::string_view b, std::size_t i, std::size_t width, bool little)
{
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < width; ++k) {
        const auto byte = static_cast<std::uint32_t>(static_cast<unsigned char>(b[i + (little ? width - 1 - k : k)]));
        v = (v << 8) | byte;
    }
    return v;
}

void decodeUtf16(std::string_view b, bool little, DecodedText& d)
{
    d.converted = true;
    d.text.reserve(b.size() / 2 + 16);
    if (b.size() % 2) {
        d.error
            = "the file is UTF-16 but has an odd number of bytes (" + std::to_string(b.size()) + "): it was cut short";
        return;
    }
    for (std::size_t i = 0; i < b.size(); i += 2) {
        std::uint32_t u = unit(b, i, 2, little);
        if (u >= 0xD800 && u <= 0xDBFF) {
            if (i + 3 >= b.size()) {
                d.error = "the UTF-16 text ends in the middle of a character (byte " + std::to_string(i) + ")";
                return;
            }
            const std::uint32_t low = unit(b, i + 2, 2, little);
            if (low < 0xDC00 || low > 0xDFFF) {
                d.error = "invalid UTF-16: a high surrogate without its low half at byte " + std::to_string(i);
                return;
            }
            u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
            i += 2;
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            d.error = "invalid UTF-16: a low surrogate on its own at byte " + std::to_string(i);
            return;
        }
        appendUtf8(d.text, u);
    }
}

void decodeUtf32(std::string_view b, bool little, DecodedText& d)
{
    d.converted = true;
    if (b.size() % 4) {
        d.error = "the file is UTF-32 but its size (" + std::to_string(b.size())
            + " bytes) is not a multiple of 4: it was cut short";
        return;
    }
    d.text.reserve(b.size() / 4 + 16);
    for (std::size_t i = 0; i < b.size(); i += 4) {
        const std::uint32_t u = unit(b, i, 4, little);
        if (u > 0x10FFFF || (u >= 0xD800 && u <= 0xDFFF)) {
            d.error = "invalid UTF-32 character at byte " + std::to_string(i);
            return;
        }
        appendUtf8(d.text, u);
    }
}

bool startsWith(std::string_view b, std::initializer_list<unsigned char> bom)
{
    if (b.size() < bom.size())
        return false;
    std::size_t i = 0;
    for (auto c : bom)
        if (static_cast<unsigned char>(b[i++]) != c)
            return false;
    return true;
}

} // namespace

DecodedText decodeText(std::string_view b)
{
    DecodedText d;
    // UTF-32 first: its LE mark begins with UTF-16 LE's.
    if (startsWith(b, { 0xFF, 0xFE, 0x00, 0x00 })) {
        d.encoding = "UTF-32 LE";
        decodeUtf32(b.substr(4), true, d);
    } else if (startsWith(b, { 0x00, 0x00, 0xFE, 0xFF })) {
        d.encoding = "UTF-32 BE";
        decodeUtf32(b.substr(4), false, d);
    } else if (startsWith(b, { 0xFF, 0xFE })) {
        d.encoding = "UTF-16 LE";
        decodeUtf16(b.substr(2), true, d);
    } else if (startsWith(b, { 0xFE, 0xFF })) {
        d.encoding = "UTF-16 BE";
        decodeUtf16(b.substr(2), false, d);
    } else if (startsWith(b, { 0xEF, 0xBB, 0xBF })) {
        d.encoding = "UTF-8 with BOM";
        d.bomSize = 3;
    } else if (b.size() >= 4 && b[0] != 0 && b[1] == 0 && b[2] == 0 && b[3] == 0) {
        d.encoding = "UTF-32 LE";
        decodeUtf32(b, true, d);
    } else if (b.size() >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] != 0) {
        d.encoding = "UTF-32 BE";
        decodeUtf32(b, false, d);
    } else if (b.size() >= 2 && b[0] != 0 && b[1] == 0) {
        d.encoding = "UTF-16 LE";
        decodeUtf16(b, true, d);
    } else if (b.size() >= 2 && b[0] == 0 && b[1] != 0) {
        d.encoding = "UTF-16 BE";
        decodeUtf16(b, false, d);
    } else {
        d.encoding = "UTF-8";
    }
    return d;
}

} // namespace ew
