#pragma once

// The random and scale tests' input: an estate of ew-generate-estate's kind (core/generator),
// written into a temporary folder and imported.

#include "generator/estategenerator.h"
#include "import/azureimporter.h"

#include <QTemporaryDir>

#include <string>

namespace ew::test {

/// False, and why, when the estate could not be written or its import has errors.
inline bool generatedSnapshot(const EstateSpec& spec, Snapshot& out, std::string& error)
{
    const QTemporaryDir dir;
    EstateStats stats;
    if (!dir.isValid()) {
        error = "no temporary folder";
        return false;
    }
    if (!generateEstate(spec, dir.path().toStdString(), stats, error))
        return false;
    out = importSnapshot({ dir.path().toStdString() });
    if (out.hasErrors()) {
        error = "the generated estate does not import: " + out.diagnostics.front().toString();
        return false;
    }
    return true;
}

} // namespace ew::test
