// The Terraform reader on one document, as `exposure-audit analyze|diff|report` read it: a
// `terraform show -json` state or plan, or a terraform.tfstate (version 4), translated into the Azure
// and AWS readers' documents. A plan is read as both of its states (diff PLAN.json), its planned
// state applied to its prior one (diff EXPORT PLAN.json), and analysed (report PLAN.json).

#include "fuzzsupport.h"

#include "findings/analyzer.h"
#include "import/importer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string path = ew::fuzz::writeScratch("terraform.json", ew::fuzz::text(data, size));
    const ew::Snapshot planned = ew::importSnapshot({ path });
    ew::fuzz::checkImported(planned);
    if (!ew::isTerraformPlan(planned))
        return 0;
    ew::ImportOptions priorSide;
    priorSide.terraformPlanSide = ew::TerraformPlanSide::Prior;
    const ew::Snapshot prior = ew::importSnapshot({ path }, priorSide);
    ew::fuzz::checkImported(prior);
    ew::Snapshot applied = prior;
    ew::applyPlan(applied, prior, planned);
    ew::fuzz::checkImported(applied);
    if (!planned.hasErrors())
        (void)ew::analyze(planned);
    return 0;
}
