#include "findings/filterexpression.h"

#include "graph/reachabilitygraph.h"
#include "model/snapshot.h"
#include "net/addressset.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <vector>

namespace ew {

struct FilterExpression::Node
{
    enum class Kind { And, Or, Not, Word, Condition };
    enum class Field {
        Severity,
        Port,
        Hops,
        Protocol,
        State,
        Change,
        Owner,
        Note,
        Target,
        Type,
        Engine,
        Rule,
        Id,
        Source
    };
    enum class Op { Contains, Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual };

    Kind kind = Kind::Word;
    std::vector<std::shared_ptr<const Node>> operands; // And, Or: two or more; Not: one
    std::string text; // Word, and the string fields' value: lower case
    std::optional<std::uint32_t> port; // Word: when it is a port number
    Field field = Field::Id;
    Op op = Op::Equal;
    long number = 0; // Severity (as int), Hops
    PortRange ports; // Port
    unsigned states = 0; // State: a bit per TriageState
    FilterSubject::Change change = FilterSubject::Change::None;
    AddressSet addresses; // Source
};

namespace {

using Node = FilterExpression::Node;
using NodePtr = std::shared_ptr<const Node>;

struct FieldName
{
    std::string_view name;
    Node::Field field;
};

constexpr FieldName kFields[] = {
    { "severity", Node::Field::Severity },
    { "sev", Node::Field::Severity },
    { "port", Node::Field::Port },
    { "ports", Node::Field::Port },
    { "hops", Node::Field::Hops },
    { "protocol", Node::Field::Protocol },
    { "proto", Node::Field::Protocol },
    { "state", Node::Field::State },
    { "triage", Node::Field::State },
    { "change", Node::Field::Change },
    { "owner", Node::Field::Owner },
    { "note", Node::Field::Note },
    { "target", Node::Field::Target },
    { "name", Node::Field::Target },
    { "type", Node::Field::Type },
    { "engine", Node::Field::Engine },
    { "rule", Node::Field::Rule },
    { "id", Node::Field::Id },
    { "source", Node::Field::Source },
    { "src", Node::Field::Source },
    { "from", Node::Field::Source },
};

constexpr std::string_view kFieldList
    = "severity, port, protocol, state, change, owner, target, type, engine, source, rule, id, hops, note";

struct Token
{
    enum class Kind { End, Open, Close, And, Or, Not, Word, Condition };
    Kind kind = Kind::End;
    std::size_t pos = 0;
    std::string text; // Word: the word or phrase; Condition: the value; And/Or/Not: as written
    bool quoted = false;
    // Condition
    bool negated = false; // written -field:value
    std::string name;
    std::size_t namePos = 0;
    std::string op;
    std::size_t opPos = 0;
    std::size_t valuePos = 0;
};

bool isSpace(char c)
{
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

bool isNameChar(char c)
{
    return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

std::optional<std::uint32_t> parseNumber(std::string_view text, std::uint32_t max)
{
    std::uint32_t value = 0;
    const auto* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || p != end || value > max)
        return std::nullopt;
    return value;
}

std::string quote(std::string_view text)
{
    return "'" + std::string(text) + "'";
}

class Parser
{
public:
    Parser(std::string_view text, FilterError& error)
        : m_text(text)
        , m_error(error)
    { }

    // The root (null for an empty expression); false when the text does not parse.
    bool parse(NodePtr& root)
    {
        next();
        if (m_token.kind == Token::Kind::End)
            return !m_failed;
        root = parseOr();
        if (root && m_token.kind == Token::Kind::Close)
            fail(m_token.pos, "')' without a '(' before it");
        return !m_failed;
    }
    bool usesText() const { return m_usesText; }

private:
    std::nullptr_t fail(std::size_t pos, std::string message)
    {
        if (!m_failed) {
            m_failed = true;
            m_error = { pos, std::move(message) };
        }
        return nullptr;
    }

    // Reads a quoted phrase starting at m_pos ("..."; \" and \\ escape); false when not closed.
    bool readQuoted(std::string& out)
    {
        const std::size_t open = m_pos++;
        while (m_pos < m_text.size() && m_text[m_pos] != '"') {
            if (m_text[m_pos] == '\\' && m_pos + 1 < m_text.size())
                ++m_pos;
            out += m_text[m_pos++];
        }
        if (m_pos >= m_text.size()) {
            fail(open, "the quote at column " + std::to_string(open + 1) + " is not closed");
            return false;
        }
        ++m_pos;
        return true;
    }

    void next()
    {
        m_token = {};
        while (m_pos < m_text.size() && isSpace(m_text[m_pos]))
            ++m_pos;
        m_token.pos = m_pos;
        if (m_failed || m_pos >= m_text.size())
            return;
        const char c = m_text[m_pos];
        const char after = m_pos + 1 < m_text.size() ? m_text[m_pos + 1] : '\0';
        auto single = [&](Token::Kind kind, std::size_t length) {
            m_token.kind = kind;
            m_token.text = std::string(m_text.substr(m_pos, length));
            m_pos += length;
        };
        if (c == '(')
            return single(Token::Kind::Open, 1);
        if (c == ')')
            return single(Token::Kind::Close, 1);
        if (c == '&' && after == '&')
            return single(Token::Kind::And, 2);
        if (c == '|' && after == '|')
            return single(Token::Kind::Or, 2);
        if (c == '!' && after != '=')
            return single(Token::Kind::Not, 1);
        if (c == '"') {
            m_token.kind = Token::Kind::Word;
            m_token.quoted = true;
            readQuoted(m_token.text);
            return;
        }
        const std::size_t start = m_pos;
        while (m_pos < m_text.size() && !isSpace(m_text[m_pos]) && m_text[m_pos] != '(' && m_text[m_pos] != ')'
            && m_text[m_pos] != '"')
            ++m_pos;
        const std::string_view term = m_text.substr(start, m_pos - start);
        // field op value: the name is letters (so "fe80::1" and "10.0.0.1:80" stay words).
        std::size_t nameStart = term.size() > 1 && term[0] == '-' ? 1 : 0;
        std::size_t nameEnd = nameStart;
        while (nameEnd < term.size() && isNameChar(term[nameEnd]))
            ++nameEnd;
        std::string_view op;
        if (nameEnd > nameStart && std::isalpha(static_cast<unsigned char>(term[nameStart])))
            for (std::string_view candidate : { "==", "!=", ">=", "<=", "=", ":", "<", ">" })
                if (term.substr(nameEnd, candidate.size()) == candidate) {
                    op = candidate;
                    break;
                }
        if (op.empty()) {
            const std::string lower = toLower(term);
            m_token.kind = lower == "and" ? Token::Kind::And
                : lower == "or"           ? Token::Kind::Or
                : lower == "not"          ? Token::Kind::Not
                                          : Token::Kind::Word;
            m_token.text = std::string(term);
            return;
        }
        m_token.kind = Token::Kind::Condition;
        m_token.negated = nameStart == 1;
        m_token.name = toLower(term.substr(nameStart, nameEnd - nameStart));
        m_token.namePos = start + nameStart;
        m_token.op = std::string(op);
        m_token.opPos = start + nameEnd;
        m_token.valuePos = start + nameEnd + op.size();
        m_token.text = std::string(term.substr(nameEnd + op.size()));
        if (m_token.text.empty() && m_pos < m_text.size() && m_text[m_pos] == '"') {
            m_token.quoted = true;
            m_token.valuePos = m_pos;
            readQuoted(m_token.text);
        }
    }

    static bool startsCondition(Token::Kind k)
    {
        return k == Token::Kind::Word || k == Token::Kind::Condition || k == Token::Kind::Open || k == Token::Kind::Not;
    }

    // After 'and', 'or' or 'not': there must be a condition.
    bool expectOperand(const Token& keyword)
    {
        if (startsCondition(m_token.kind))
            return true;
        fail(m_token.kind == Token::Kind::End ? keyword.pos : m_token.pos,
            quote(keyword.text) + " needs a condition after it");
        return false;
    }

    static NodePtr combine(Node::Kind kind, std::vector<NodePtr> operands)
    {
        if (operands.size() == 1)
            return operands.front();
        auto node = std::make_shared<Node>();
        node->kind = kind;
        node->operands = std::move(operands);
        return node;
    }

    NodePtr parseOr()
    {
        std::vector<NodePtr> operands;
        auto first = parseAnd();
        if (!first)
            return nullptr;
        operands.push_back(std::move(first));
        while (m_token.kind == Token::Kind::Or) {
            const Token keyword = m_token;
            next();
            if (!expectOperand(keyword))
                return nullptr;
            auto operand = parseAnd();
            if (!operand)
                return nullptr;
            operands.push_back(std::move(operand));
        }
        return combine(Node::Kind::Or, std::move(operands));
    }

    NodePtr parseAnd()
    {
        std::vector<NodePtr> operands;
        auto first = parseUnary();
        if (!first)
            return nullptr;
        operands.push_back(std::move(first));
        for (;;) {
            if (m_token.kind == Token::Kind::And) {
                const Token keyword = m_token;
                next();
                if (!expectOperand(keyword))
                    return nullptr;
            } else if (!startsCondition(m_token.kind)) {
                break; // 'or', ')' or the end
            }
            auto operand = parseUnary();
            if (!operand)
                return nullptr;
            operands.push_back(std::move(operand));
        }
        return combine(Node::Kind::And, std::move(operands));
    }

    NodePtr parseUnary()
    {
        if (m_failed)
            return nullptr;
        switch (m_token.kind) {
        case Token::Kind::Not: {
            const Token keyword = m_token;
            next();
            if (!expectOperand(keyword))
                return nullptr;
            auto operand = parseUnary();
            return operand ? negate(std::move(operand)) : nullptr;
        }
        case Token::Kind::Open: {
            const std::size_t open = m_token.pos;
            next();
            if (m_token.kind == Token::Kind::Close)
                return fail(m_token.pos, "nothing between '(' and ')'");
            auto inner = parseOr();
            if (!inner)
                return nullptr;
            if (m_token.kind != Token::Kind::Close)
                return fail(m_token.pos, "')' expected to close the '(' at column " + std::to_string(open + 1));
            next();
            return inner;
        }
        case Token::Kind::Close:
            return fail(m_token.pos, "')' without a '(' before it");
        case Token::Kind::And:
        case Token::Kind::Or:
            return fail(m_token.pos, quote(m_token.text) + " needs a condition before it");
        case Token::Kind::End:
            return fail(m_token.pos, "a condition is expected here");
        case Token::Kind::Word: {
            auto node = std::make_shared<Node>();
            node->kind = Node::Kind::Word;
            node->text = toLower(m_token.text);
            node->port = parseNumber(m_token.text, 65535);
            m_usesText = true;
            next();
            return node;
        }
        case Token::Kind::Condition: {
            auto node = condition(m_token);
            const bool negated = m_token.negated;
            if (!node)
                return nullptr;
            next();
            return negated ? negate(std::move(node)) : node;
        }
        }
        return nullptr;
    }

    static NodePtr negate(NodePtr operand)
    {
        auto node = std::make_shared<Node>();
        node->kind = Node::Kind::Not;
        node->operands.push_back(std::move(operand));
        return node;
    }

    NodePtr condition(const Token& t)
    {
        const auto* known = std::find_if(
            std::begin(kFields), std::end(kFields), [&](const FieldName& f) { return f.name == t.name; });
        if (known == std::end(kFields))
            return fail(t.namePos,
                "unknown field " + quote(t.name) + " (fields: " + std::string(kFieldList)
                    + "); put text in quotes to search for it");
        auto node = std::make_shared<Node>();
        node->kind = Node::Kind::Condition;
        node->field = known->field;
        const std::string& op = t.op;
        node->op = op == ":"          ? Node::Op::Contains
            : op == "==" || op == "=" ? Node::Op::Equal
            : op == "!="              ? Node::Op::NotEqual
            : op == "<"               ? Node::Op::Less
            : op == "<="              ? Node::Op::LessEqual
            : op == ">"               ? Node::Op::Greater
                                      : Node::Op::GreaterEqual;
        const bool ordered
            = node->op != Node::Op::Contains && node->op != Node::Op::Equal && node->op != Node::Op::NotEqual;
        const bool numeric = node->field == Node::Field::Severity || node->field == Node::Field::Port
            || node->field == Node::Field::Hops;
        if (ordered && !numeric)
            return fail(t.opPos, quote(op) + " does not apply to " + t.name + ": use ':', '==' or '!='");
        if (t.text.empty() && !t.quoted)
            return fail(t.valuePos, "a value is expected after " + quote(t.name + op));
        const std::string value = toLower(t.text);
        switch (node->field) {
        case Node::Field::Severity: {
            Severity s = Severity::Info;
            if (!parseSeverity(value, s))
                return fail(t.valuePos, quote(t.text) + " is not a severity: info, low, medium, high or critical");
            node->number = static_cast<long>(s);
            break;
        }
        case Node::Field::Hops: {
            const auto n = parseNumber(value, 1000);
            if (!n)
                return fail(t.valuePos, quote(t.text) + " is not a number of hops");
            node->number = static_cast<long>(*n);
            break;
        }
        case Node::Field::Port: {
            const auto dash = value.find('-');
            const auto first = parseNumber(value.substr(0, dash), 65535);
            const auto last = dash == std::string::npos ? first : parseNumber(value.substr(dash + 1), 65535);
            if (!first || !last || *last < *first)
                return fail(t.valuePos, quote(t.text) + " is not a port (0 to 65535) or a range such as 9200-9300");
            if (ordered && dash != std::string::npos)
                return fail(t.valuePos, "a port range goes with ':', '==' or '!=', not " + quote(op));
            node->ports = { *first, *last };
            break;
        }
        case Node::Field::Protocol:
            if (value != "tcp" && value != "udp" && value != "icmp" && value != "any" && value != "other")
                return fail(t.valuePos, quote(t.text) + " is not a protocol: tcp, udp, icmp, any or other");
            node->text = value;
            break;
        case Node::Field::State: {
            TriageState s = TriageState::New;
            if (value == "open")
                node->states = 1U << static_cast<unsigned>(TriageState::New)
                    | 1U << static_cast<unsigned>(TriageState::Confirmed);
            else if (value == "accepted")
                node->states = 1U << static_cast<unsigned>(TriageState::AcceptedRisk);
            else if (value == "fp")
                node->states = 1U << static_cast<unsigned>(TriageState::FalsePositive);
            else if (parseTriageState(value, s))
                node->states = 1U << static_cast<unsigned>(s);
            else
                return fail(t.valuePos,
                    quote(t.text)
                        + " is not a triage state: new, confirmed, accepted (accepted-risk), false-positive (fp), "
                          "fixed or open (new or confirmed)");
            break;
        }
        case Node::Field::Change:
            if (value == "new")
                node->change = FilterSubject::Change::New;
            else if (value == "changed")
                node->change = FilterSubject::Change::Changed;
            else if (value == "none" || value == "unchanged")
                node->change = FilterSubject::Change::None;
            else
                return fail(t.valuePos, quote(t.text) + " is not a change: new, changed or none");
            break;
        case Node::Field::Source: {
            const auto prefix = parsePrefix(t.text);
            if (!prefix)
                return fail(t.valuePos, quote(t.text) + " is not an address or CIDR (203.0.113.7, 10.0.0.0/8)");
            node->addresses = AddressSet::range(prefix->first, prefix->last);
            break;
        }
        case Node::Field::Owner:
        case Node::Field::Note:
        case Node::Field::Target:
        case Node::Field::Type:
        case Node::Field::Engine:
        case Node::Field::Rule:
        case Node::Field::Id:
            node->text = value;
            break;
        }
        return node;
    }

    std::string_view m_text;
    FilterError& m_error;
    std::size_t m_pos = 0;
    Token m_token;
    bool m_failed = false;
    bool m_usesText = false;
};

bool compare(long a, Node::Op op, long b)
{
    switch (op) {
    case Node::Op::Contains:
    case Node::Op::Equal:
        return a == b;
    case Node::Op::NotEqual:
        return a != b;
    case Node::Op::Less:
        return a < b;
    case Node::Op::LessEqual:
        return a <= b;
    case Node::Op::Greater:
        return a > b;
    case Node::Op::GreaterEqual:
        return a >= b;
    }
    return false;
}

// Ports mean something for tcp, udp and "any"; an ICMP finding's ranges are types and codes.
bool hasPorts(const Finding& f)
{
    return f.protocol != "icmp" && f.protocol != "other";
}

bool portsMatch(const Finding& f, Node::Op op, PortRange v)
{
    if (!hasPorts(f))
        return op == Node::Op::NotEqual;
    auto any = [&](auto pred) { return std::any_of(f.ports.begin(), f.ports.end(), pred); };
    switch (op) {
    case Node::Op::Contains:
    case Node::Op::Equal:
        return any([&](const PortRange& r) { return r.first <= v.last && v.first <= r.last; });
    case Node::Op::NotEqual:
        return !any([&](const PortRange& r) { return r.first <= v.last && v.first <= r.last; });
    case Node::Op::Less:
        return any([&](const PortRange& r) { return r.first < v.first; });
    case Node::Op::LessEqual:
        return any([&](const PortRange& r) { return r.first <= v.first; });
    case Node::Op::Greater:
        return any([&](const PortRange& r) { return r.last > v.first; });
    case Node::Op::GreaterEqual:
        return any([&](const PortRange& r) { return r.last >= v.first; });
    }
    return false;
}

// ':' finds the value in one of the texts, '==' is one of them, '!=' none of them (case-insensitive).
bool textsMatch(const std::vector<std::string>& texts, Node::Op op, const std::string& value)
{
    if (op == Node::Op::Contains)
        return std::any_of(texts.begin(), texts.end(),
            [&](const std::string& t) { return toLower(t).find(value) != std::string::npos; });
    const bool equal
        = std::any_of(texts.begin(), texts.end(), [&](const std::string& t) { return toLower(t) == value; });
    return op == Node::Op::NotEqual ? !equal : equal;
}

bool conditionMatches(const Node& n, const FilterSubject& s)
{
    const Finding& f = *s.finding;
    const bool negative = n.op == Node::Op::NotEqual;
    switch (n.field) {
    case Node::Field::Severity:
        return compare(static_cast<long>(f.severity), n.op, n.number);
    case Node::Field::Hops:
        return compare(f.hops, n.op, n.number);
    case Node::Field::Port:
        return portsMatch(f, n.op, n.ports);
    case Node::Field::Protocol:
        return (toLower(f.protocol) == n.text) != negative;
    case Node::Field::State:
        return ((n.states & (1U << static_cast<unsigned>(s.state))) != 0) != negative;
    case Node::Field::Change:
        return (s.change == n.change) != negative;
    case Node::Field::Source: {
        AddressSet sources;
        for (const auto& src : f.sources)
            if (const auto p = parsePrefix(src))
                sources.add(p->first, p->last);
        return sources.intersects(n.addresses) != negative;
    }
    case Node::Field::Owner:
        return textsMatch({ std::string(s.owner) }, n.op, n.text);
    case Node::Field::Note:
        return textsMatch({ std::string(s.note) }, n.op, n.text);
    case Node::Field::Target:
        return textsMatch({ f.target.name }, n.op, n.text);
    case Node::Field::Type:
        return textsMatch({ ReachabilityGraph::typeLabel(f.target.kind, f.target.type), f.target.type }, n.op, n.text);
    case Node::Field::Engine:
        return textsMatch({ f.dataStore.engine }, n.op, n.text);
    case Node::Field::Id:
        return textsMatch({ f.id }, n.op, n.text);
    case Node::Field::Rule: {
        std::vector<std::string> names;
        for (const auto& r : f.rules) {
            names.push_back(r.ruleName);
            names.push_back(r.filterName + "/" + r.ruleName);
        }
        return textsMatch(names, n.op, n.text);
    }
    }
    return false;
}

bool nodeMatches(const Node& n, const FilterSubject& s)
{
    switch (n.kind) {
    case Node::Kind::And:
        return std::all_of(n.operands.begin(), n.operands.end(), [&](const NodePtr& o) { return nodeMatches(*o, s); });
    case Node::Kind::Or:
        return std::any_of(n.operands.begin(), n.operands.end(), [&](const NodePtr& o) { return nodeMatches(*o, s); });
    case Node::Kind::Not:
        return !nodeMatches(*n.operands.front(), s);
    case Node::Kind::Word:
        return s.text.find(n.text) != std::string_view::npos
            || (n.port && hasPorts(*s.finding) && portsMatch(*s.finding, Node::Op::Equal, { *n.port, *n.port }));
    case Node::Kind::Condition:
        return conditionMatches(n, s);
    }
    return false;
}

} // namespace

std::optional<FilterExpression> FilterExpression::parse(std::string_view text, FilterError& error)
{
    Parser parser(text, error);
    FilterExpression e;
    if (!parser.parse(e.m_root))
        return std::nullopt;
    e.m_usesText = parser.usesText();
    return e;
}

bool FilterExpression::matches(const FilterSubject& subject) const
{
    return !m_root || (subject.finding && nodeMatches(*m_root, subject));
}

} // namespace ew
