#pragma once

// What the fuzz targets share: a scratch folder for readers that take file names, and a way to
// stop the run when a property of the output does not hold (libFuzzer keeps the input as a crash).

#include "model/snapshot.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ew::fuzz {

/// The input bytes as text.
inline std::string_view text(const std::uint8_t* data, std::size_t size)
{
    return { reinterpret_cast<const char*>(data), size };
}

/// A folder of this process's own under $TMPDIR (or /tmp), made on first use, removed at exit.
const std::string& scratchDir();

/// Writes bytes to scratchDir()/name (replacing it) and returns its path.
std::string writeScratch(const std::string& name, std::string_view bytes);

/// Prints what failed and aborts.
[[noreturn]] void fail(const std::string& what);

/// The importer's contract on any input: it returns (never throws), every diagnostic names a file,
/// and nothing escaped a reader as an "internal error" (a reader's own bug caught at the boundary).
void checkImported(const Snapshot& snapshot);

} // namespace ew::fuzz
