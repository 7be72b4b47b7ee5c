#include "jsonlines.h"

#include <vector>

namespace ew {

namespace {

// A minimal JSON walker that knows the pointer of the value it is at and the current line.
class Walker
{
public:
    Walker(std::string_view text, const std::set<std::string>& wanted, std::map<std::string, int>& out)
        : m_text(text)
        , m_wanted(wanted)
        , m_out(out)
    { }

    void run()
    {
        skipSpace();
        value("");
    }

private:
    bool done() const { return m_pos >= m_text.size() || m_failed || m_out.size() == m_wanted.size(); }
    char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }
    void advance()
    {
        if (m_text[m_pos] == '\n')
            ++m_line;
        ++m_pos;
    }
    void skipSpace()
    {
        while (m_pos < m_text.size()
            && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' || m_text[m_pos] == '\n' || m_text[m_pos] == '\r'))
            advance();
    }
    // Past the value: spaces, an optional comma, spaces.
    void skipSeparator()
    {
        skipSpace();
        if (peek() == ',') {
            advance();
            skipSpace();
        }
    }
    static std::string escapeToken(const std::string& key)
    {
        std::string out;
        for (char c : key) {
            if (c == '~')
                out += "~0";
            else if (c == '/')
                out += "~1";
            else
                out += c;
        }
        return out;
    }
    bool wantedBelow(const std::string& pointer) const
    {
        // Is any wanted pointer equal to or below this one? (Prunes nothing when pointer is "".)
        auto it = m_wanted.lower_bound(pointer);
        return it != m_wanted.end() && it->compare(0, pointer.size(), pointer) == 0;
    }
    std::string string()
    {
        std::string s;
        advance(); // opening quote
        while (m_pos < m_text.size() && m_text[m_pos] != '"') {
            if (m_text[m_pos] == '\\' && m_pos + 1 < m_text.size()) {
                advance();
                s += m_text[m_pos] == 'n' ? '\n' : m_text[m_pos]; // keys with \uXXXX are not pointed at
            } else {
                s += m_text[m_pos];
            }
            advance();
        }
        if (m_pos >= m_text.size())
            m_failed = true;
        else
            advance(); // closing quote
        return s;
    }
    void value(const std::string& pointer)
    {
        if (done())
            return;
        if (m_wanted.count(pointer))
            m_out.emplace(pointer, m_line);
        const bool track = wantedBelow(pointer);
        const char c = peek();
        if (c == '{') {
            advance();
            skipSpace();
            while (!done() && peek() != '}') {
                if (peek() != '"') {
                    m_failed = true;
                    return;
                }
                const std::string key = string();
                skipSpace();
                if (peek() != ':') {
                    m_failed = true;
                    return;
                }
                advance();
                skipSpace();
                value(track ? pointer + "/" + escapeToken(key) : pointer + "/\x01");
                skipSeparator();
            }
            if (!done())
                advance();
        } else if (c == '[') {
            advance();
            skipSpace();
            std::size_t index = 0;
            while (!done() && peek() != ']') {
                value(track ? pointer + "/" + std::to_string(index++) : pointer + "/\x01");
                skipSeparator();
            }
            if (!done())
                advance();
        } else if (c == '"') {
            string();
        } else {
            // Numbers and literals: up to the next structural character.
            while (m_pos < m_text.size() && m_text[m_pos] != ',' && m_text[m_pos] != '}' && m_text[m_pos] != ']'
                && m_text[m_pos] != ' ' && m_text[m_pos] != '\n' && m_text[m_pos] != '\r' && m_text[m_pos] != '\t')
                advance();
        }
    }

    std::string_view m_text;
    const std::set<std::string>& m_wanted;
    std::map<std::string, int>& m_out;
    std::size_t m_pos = 0;
    int m_line = 1;
    bool m_failed = false;
};

} // namespace

std::map<std::string, int> linesOfPointers(std::string_view text, const std::set<std::string>& pointers)
{
    std::map<std::string, int> out;
    if (pointers.empty())
        return out;
    Walker(text, pointers, out).run();
    return out;
}

} // namespace ew
