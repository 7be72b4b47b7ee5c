// The service tag file (`az network list-service-tags`, the REST response, the weekly download)
// beside a fixed estate whose NSG rules name service tags, imported and analysed together: the
// tag file's ranges reach the NSG evaluator and the findings' assumptions.

#include "fuzzsupport.h"

#include "findings/analyzer.h"
#include "import/importer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::string estate = EW_TEST_DATA "/golden/service-tag-file-gives-exact-sources/input/estate.json";
    const std::string tags = ew::fuzz::writeScratch("service-tags.json", ew::fuzz::text(data, size));
    const ew::Snapshot snapshot = ew::importSnapshot({ estate, tags });
    ew::fuzz::checkImported(snapshot);
    if (snapshot.nics.empty())
        ew::fuzz::fail("the fixed estate was not read: " + estate);
    (void)ew::analyze(snapshot);
    return 0;
}
