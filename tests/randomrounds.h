#pragma once

// How many random cases a randomized test runs: all of them (the full suite, as `ctest --preset ci`
// runs it), or at most EW_RANDOM_ROUNDS of each kind when that variable is set to a positive number.
// The sanitizer step of .ci/run sets it: ASan and UBSan run the engine about ten times slower, and
// the first cases of each kind still exercise every code path the full set does (the full set stays
// in the ci preset's run).

#include <QtGlobal>

#include <algorithm>

namespace ew::test {

inline int randomRounds(int full)
{
    bool ok = false;
    const int limit = qEnvironmentVariableIntValue("EW_RANDOM_ROUNDS", &ok);
    return ok && limit > 0 ? std::min(full, limit) : full;
}

} // namespace ew::test
