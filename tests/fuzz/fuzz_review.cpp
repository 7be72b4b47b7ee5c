// The review file reader (core/review): what the workbench opens and `analyze --baseline REVIEW`
// and `report REVIEW` read. A file it refuses gets diagnostics naming the file; a file it reads
// writes back to a review that reads identically (the workbench saves what it opened).

#include "fuzzsupport.h"

#include "review/review.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view text = ew::fuzz::text(data, size);
    const std::string file = "fuzz.review.json";
    (void)ew::looksLikeReview(text.substr(0, 4096));
    ew::Review review;
    std::vector<ew::Diagnostic> diagnostics;
    if (!ew::parseReview(text, file, review, diagnostics)) {
        if (diagnostics.empty())
            ew::fuzz::fail("a review was refused without a diagnostic");
        for (const auto& d : diagnostics)
            if (d.where.file != file)
                ew::fuzz::fail("a diagnostic does not name the review file: " + d.toString());
        return 0;
    }
    const std::string written = ew::serialiseReview(review);
    ew::Review again;
    std::vector<ew::Diagnostic> againDiagnostics;
    if (!ew::parseReview(written, file, again, againDiagnostics))
        ew::fuzz::fail("the review as written cannot be read back: "
            + (againDiagnostics.empty() ? std::string() : againDiagnostics.front().toString()));
    if (!(again == review))
        ew::fuzz::fail("the review read back differs from the review written");
    if (ew::serialiseReview(again) != written)
        ew::fuzz::fail("writing the review read back gives other text");
    return 0;
}
