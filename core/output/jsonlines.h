#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace ew {

/// The 1-based line on which the value at each JSON pointer (RFC 6901) starts in a JSON text.
/// Pointers that do not resolve are absent from the result; malformed text yields what was found
/// before the error. One pass over the text; never throws.
std::map<std::string, int> linesOfPointers(std::string_view text, const std::set<std::string>& pointers);

} // namespace ew
