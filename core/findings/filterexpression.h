#pragma once

#include "findings/finding.h"
#include "review/review.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ew {

/// One finding as the findings table's filter sees it: the finding with the review's decision
/// about it and its change against a comparison. Views only; they must outlive the call.
struct FilterSubject
{
    enum class Change { None, New, Changed };
    const Finding* finding = nullptr;
    TriageState state = TriageState::New;
    std::string_view owner;
    std::string_view note;
    Change change = Change::None;
    /// What a bare word is looked for in (names, id, engine, addresses, rules, owner, note, ports
    /// as written), lower case. Only read when FilterExpression::usesText().
    std::string_view text;
};

/// Where and why a filter expression does not parse.
struct FilterError
{
    std::size_t position = 0; // byte offset into the text, 0-based
    std::string message; // a sentence for the analyst: "unknown field 'sevrity'"
};

/// A filter expression over findings, after Wireshark's display filters and GitHub's search
/// qualifiers:
///
///     severity>=high and port==9200 and not state:accepted
///     (rule:allow-es or source:203.0.113.0/24) -owner:platform es-support
///
/// Conditions are combined with `and` (also `&&`, or just a space), `or` (`||`) and `not` (`!`,
/// or `-` before a field), in that order of precedence, with parentheses. A condition is
/// `field op value` with op one of `:` `==` `=` `!=` `<` `<=` `>` `>=`, or a bare word (or
/// "quoted phrase") that matches the free text, and a number also the ports. Field names and
/// words are case-insensitive. The fields and what each op means are in README.md (workbench).
/// Value type, cheap to copy (the parsed tree is shared and immutable).
class FilterExpression
{
public:
    struct Node;

    /// The expression of this text; nullopt with error filled when it does not parse (never
    /// throws). Empty or blank text is the expression that matches everything.
    static std::optional<FilterExpression> parse(std::string_view text, FilterError& error);

    bool isEmpty() const { return !m_root; }
    /// Whether a bare word needs the subject's text.
    bool usesText() const { return m_usesText; }
    bool matches(const FilterSubject& subject) const;

private:
    std::shared_ptr<const Node> m_root;
    bool m_usesText = false;
};

} // namespace ew
