#pragma once

namespace ew {

/// Where the time and memory of a run go, phase by phase: with EW_PROFILE=1 in the environment,
/// each call writes one line to standard error with the wall time since the previous call (or the
/// first), the process's resident memory now and its peak so far:
///   "ew-profile: import       2.41 s   rss 1.20 GB  peak 1.35 GB"
/// Without it, a call costs one test of a cached flag. For BENCHMARKS.md's profiles of L and XL
/// (issue 14); thread-safe.
void profilePhase(const char* name);

/// Whether EW_PROFILE is set (read once).
bool profiling();

} // namespace ew
