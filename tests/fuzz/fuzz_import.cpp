// The importer on one document of any shape, as `exposure-audit analyze FILE` reads it: decoding,
// parsing, recognition by content and every reader (Azure's shapes, AWS), then linking.
// Built twice, fuzz_import_azure and fuzz_import_aws: the same code with a corpus and a
// dictionary of each cloud's formats (tests/fuzz/README.md).

#include "fuzzsupport.h"

#include "import/importer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string path = ew::fuzz::writeScratch("export.json", ew::fuzz::text(data, size));
    const ew::Snapshot snapshot = ew::importSnapshot({ path });
    ew::fuzz::checkImported(snapshot);
    return 0;
}
