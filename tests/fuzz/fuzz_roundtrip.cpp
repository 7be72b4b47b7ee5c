// The machine outputs of one analysis read back: an export document is imported and analysed, then
// - the findings JSON streamed by `analyze --format json` parses to exactly the document built in
//   memory (analysisJson), and every other output (SARIF, CSV, Markdown, text) is written without
//   an exception (invalid UTF-8 in a name would throw in the JSON library);
// - the diff of the analysis against itself is empty and, as a baseline of itself, every finding
//   is known (what `diff` and `analyze --baseline` compute);
// - a review recording every finding (a decision and the snapshot's history) writes and reads back
//   equal, and its decisions, read back, accept every finding as `analyze --baseline REVIEW` does.

#include "fuzzsupport.h"

#include "diff/series.h"
#include "diff/snapshotdiff.h"
#include "findings/analyzer.h"
#include "import/importer.h"
#include "output/exports.h"
#include "output/findingsreader.h"
#include "output/findingswriter.h"
#include "review/review.h"

#include <nlohmann/json.hpp>

#include <sstream>

namespace {

using nlohmann::json;

std::string dumpStrict(const json& j, const char* what)
{
    try {
        return j.dump(2);
    } catch (const json::exception& e) {
        ew::fuzz::fail(std::string(what) + " cannot be written: " + e.what());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string path = ew::fuzz::writeScratch("export.json", ew::fuzz::text(data, size));
    const ew::Snapshot snapshot = ew::importSnapshot({ path });
    ew::fuzz::checkImported(snapshot);
    const ew::AnalysisResult result = ew::analyze(snapshot);

    const json document = ew::analysisJson(snapshot, result);
    const std::string built = dumpStrict(document, "the findings JSON");
    std::ostringstream streamed, compact;
    try {
        ew::writeAnalysisJson(streamed, snapshot, result, ew::FindingsSchema::V1);
        ew::writeAnalysisJson(compact, snapshot, result, ew::FindingsSchema::V2);
    } catch (const json::exception& e) {
        ew::fuzz::fail(std::string("the streamed findings JSON cannot be written: ") + e.what());
    }
    const json readBack = json::parse(streamed.str(), nullptr, false);
    if (readBack.is_discarded())
        ew::fuzz::fail("the streamed findings JSON is not JSON:\n" + streamed.str());
    if (readBack != document)
        ew::fuzz::fail("the streamed findings JSON reads back other than it was built:\n" + built);
    // exposure-findings/2 (the default) reads back to the same findings as /1.
    ew::FindingsDocument v1, v2;
    std::vector<ew::Diagnostic> diags;
    if (!ew::readFindingsJson(streamed.str(), "v1.json", v1, diags)
        || !ew::readFindingsJson(compact.str(), "v2.json", v2, diags))
        ew::fuzz::fail("the findings JSON cannot be read back:\n" + compact.str());
    if (v1.findings.size() != v2.findings.size() || v1.findings.size() != result.findings.size())
        ew::fuzz::fail("exposure-findings/2 reads back other findings than /1:\n" + compact.str());
    for (std::size_t i = 0; i < v1.findings.size(); ++i) {
        const auto &a = v1.findings[i], &b = v2.findings[i];
        if (a.id != b.id || a.severity != b.severity || a.ports != b.ports || a.sources != b.sources
            || a.rules.size() != b.rules.size() || a.path.size() != b.path.size())
            ew::fuzz::fail("exposure-findings/2 reads back finding " + a.id + " other than /1:\n" + compact.str());
    }
    dumpStrict(ew::findingsSarif(snapshot, result), "the SARIF log");
    (void)ew::findingsCsv(result);
    (void)ew::findingsMarkdown(snapshot, result);
    (void)ew::analysisText(snapshot, result);

    const ew::AnalysisDiff self = ew::diffAnalyses(snapshot, result, snapshot, result);
    if (!self.empty())
        ew::fuzz::fail("the analysis differs from itself");
    dumpStrict(ew::diffJson(self), "the diff JSON");
    for (const auto& [id, status] : ew::compareWithBaseline(result, &result, nullptr))
        if (status != ew::BaselineStatus::Known)
            ew::fuzz::fail("finding " + id + " is not known against its own analysis");

    ew::Review review;
    review.title = "fuzz";
    review.inputs = { path };
    ew::ReviewedSnapshot reviewed;
    reviewed.date = "2024-01-01";
    reviewed.inputs = review.inputs;
    for (const auto& f : result.findings) {
        ew::Decision d;
        d.state = ew::TriageState::AcceptedRisk;
        d.note = f.explanation;
        d.target = f.target.name;
        d.severity = ew::severityName(f.severity);
        review.decisions[f.id] = d;
        reviewed.findings[f.id] = d.severity;
    }
    review.history.push_back(reviewed);
    const std::string written = ew::serialiseReview(review);
    ew::Review again;
    std::vector<ew::Diagnostic> diagnostics;
    if (!ew::parseReview(written, "fuzz.review.json", again, diagnostics))
        ew::fuzz::fail("the review of the findings cannot be read back: "
            + (diagnostics.empty() ? std::string() : diagnostics.front().toString()));
    if (!(again == review))
        ew::fuzz::fail("the review of the findings reads back other than it was written");
    for (const auto& [id, status] : ew::compareWithBaseline(result, nullptr, &again.decisions))
        if (status != ew::BaselineStatus::Accepted)
            ew::fuzz::fail("finding " + id + " accepted in the review read back is not accepted");
    return 0;
}
