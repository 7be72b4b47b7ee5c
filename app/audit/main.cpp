// exposure-audit: the command-line face of the engine. Parsing and I/O only; all analysis is in core.
#include "diff/series.h"
#include "diff/snapshotdiff.h"
#include "findings/analyzer.h"
#include "import/azureimporter.h"
#include "output/exports.h"
#include "output/findingsreader.h"
#include "output/findingsstreamwriter.h"
#include "output/findingswriter.h"
#include "outputfile.h"
#include "report/noticewriter.h"
#include "report/notify.h"
#include "report/reportcontent.h"
#include "report/reportwriter.h"
#include "review/review.h"
#include "util/phaseprofile.h"

#include <QGuiApplication>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFindings = 1;
constexpr int kExitBadInput = 2;

const char* kUsage = R"(Usage: exposure-audit COMMAND [OPTIONS]

Which resources of a cloud estate (Azure, AWS) can the internet reach, through which path and because of which rule.
Inputs are exported JSON files or folders (read recursively); no cloud credentials are used.

Commands:
  analyze INPUT... [--format text|json|csv|sarif|markdown] [--schema 1|2] [--output FILE] [--fail-on SEVERITY]
          [--verbose] [--baseline OLD|REVIEW|FINDINGS]
      Every internet exposure with its ports, sources, path and deciding rules.
      Exit 0 when nothing reaches --fail-on, 1 when something does, 2 on bad input or usage.
      JSON is exposure-findings/2 (rules, resources and paths stated once, referenced by index);
      --schema 1 writes exposure-findings/1 (every finding in full) as earlier versions did.
      With --baseline (an older export, a review file and its snapshot, or the findings JSON of an
      earlier analysis, either schema), only findings that are new or worse than in the baseline (more
      severe, or reaching more ports or sources) count for --fail-on, and findings accepted in the
      review (accepted risk, false positive) never do.
  diff OLD NEW [--format text|json|markdown] [--output FILE] [--fail-on SEVERITY]
  diff PLAN [...]
  diff EXPORT PLAN [...]
      New, closed and changed exposures between two snapshots, each with the rule changes on its path.
      PLAN is a Terraform plan (terraform show -json tfplan): alone, its prior state against its
      planned state; after an export, the export against the export with the plan applied to it.
      Causes name the Terraform resource addresses. OLD or NEW may be the findings JSON of an
      analysis (either schema); causes are then not given, the configuration being unknown.
      Exit 0 when nothing is new or changed, 1 when something is, 2 on bad input or usage. With
      --fail-on, 1 only when a new finding, or one that got worse (more severe, more ports, sources or
      protocols), is at or above that severity.
  timeline SNAPSHOT... [--format text|json|markdown] [--output FILE]
      Each finding across a series of snapshots: first and last appearance, "exposed since", and its
      severity in each. SNAPSHOT is DATE=FOLDER, or FOLDER with an exposure-snapshot.json giving its
      date ({"date": "2019-12-05"}), or DATE=FINDINGS (the findings JSON of that day's analysis).
      Exit 0, or 2 on bad input or usage.
  report REVIEW|INPUT... --pdf FILE [--redact] [--title TEXT] [--reviewer NAME] [--max-pages N]
         [--max-rows N] [--max-fixes N] [--owners MAPPING.json] [--owner-tags ...] [--due ...] [--date ...]
      A PDF for management: summary with the trend and what changed, the rules to fix first with their
      commands, a page per cause of the critical and high exposures (every critical one, --max-pages
      high ones, 25 by default) with its path, deciding rules, due date, fix and the review's
      decisions, a table of at most --max-rows findings (500), methodology and assumptions. Smallest
      fixes for the --max-fixes most severe findings (20). --redact replaces addresses, e-mail
      addresses and subscription/tenant ids with consistent placeholders.
  notify REVIEW|INPUT... --output DIR [--by owner] [--baseline OLD|REVIEW|FINDINGS] [--owners MAPPING.json]
         [--owner-tags owner,team,contact] [--due critical=1,high=7,medium=30,low=90] [--date YYYY-MM-DD]
         [--with-pdf]
      One Markdown notice per owner of exposed resources (owner-<name>.md; unassigned.md for the rest)
      with each finding's path, deciding rules, due date and smallest fix, and index.json for mail or
      ticketing; --with-pdf also writes each notice as a PDF beside it (owner-<name>.pdf). The owner is the review's triage owner, else the first --owners entry whose "match"
      (a glob) fits the target's name or id, else the target's first owner tag. Accepted risks, false
      positives and fixed findings are left out; with --baseline only new or worse findings are sent.
      Exit 0, or 2 on bad input or usage.
  query INPUT... --to NAME|ID --port N [--protocol tcp|udp] [--from IP|internet] [--format text|json]
      The verdict for one flow, with the deciding rule at each hop (or what stops it).
      --port is the destination port at the target (after load-balancer translation).
      Exit 0 when the flow is reachable, 1 when it is not, 2 on bad input or usage.

Options:
  --max-memory MIB  memory the reading and analysis may use (default: what the machine has free); an
                    export estimated to need more (16 times its size) is refused with exit 2
  --threads N       threads the analysis may use (default: one per core, at most 8); the findings
                    are the same whatever N
  --help       this text
  --version    the version
Severities: critical, high, medium, low, info.
)";

struct Args
{
    std::string command;
    std::vector<std::string> inputs;
    std::map<std::string, std::string> options;
    std::vector<std::string> flags;
    std::vector<std::string> errors;
};

Args parse(int argc, char** argv)
{
    static const std::vector<std::string> valued { "--format", "--output", "--baseline", "--fail-on", "--to", "--port",
        "--protocol", "--from", "--pdf", "--title", "--reviewer", "--by", "--owners", "--owner-tags", "--due", "--date",
        "--max-fixes", "--max-pages", "--max-rows", "--schema", "--max-memory", "--threads" };
    static const std::vector<std::string> boolean { "--verbose", "--redact", "--help", "--version", "--with-pdf" };
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.rfind("--", 0) == 0) {
            std::string value;
            bool hasValue = false;
            if (auto eq = arg.find('='); eq != std::string::npos) {
                value = arg.substr(eq + 1);
                arg = arg.substr(0, eq);
                hasValue = true;
            }
            if (std::find(valued.begin(), valued.end(), arg) != valued.end()) {
                if (!hasValue) {
                    if (i + 1 >= argc) {
                        a.errors.push_back(arg + " needs a value");
                        continue;
                    }
                    value = argv[++i];
                }
                a.options[arg] = value;
            } else if (std::find(boolean.begin(), boolean.end(), arg) != boolean.end()) {
                a.flags.push_back(arg);
            } else {
                a.errors.push_back("unknown option " + arg);
            }
        } else if (arg == "-h") {
            a.flags.push_back("--help");
        } else if (a.command.empty()) {
            a.command = arg;
        } else {
            a.inputs.push_back(arg);
        }
    }
    return a;
}

bool hasFlag(const Args& a, const char* f)
{
    return std::find(a.flags.begin(), a.flags.end(), f) != a.flags.end();
}

int usageError(const std::string& message)
{
    std::cerr << "exposure-audit: " << message << "\nRun 'exposure-audit --help' for usage.\n";
    return kExitBadInput;
}

// Writes the output at path (standard output when empty or "-"); see OutputFile for how. Opened only
// now, after the inputs were read: a temporary inside an input folder would otherwise be read as input.
template <typename Writer> bool writeOutput(const std::string& path, Writer&& write)
{
    ew::OutputFile out(path);
    if (out.open()) {
        write(out.stream());
        if (out.commit())
            return true;
    }
    std::cerr << "exposure-audit: " << out.error() << "\n";
    return false;
}

bool writeText(const std::string& path, const std::string& text)
{
    return writeOutput(path, [&](std::ostream& out) {
        out << text;
        if (!text.empty() && text.back() != '\n')
            out << '\n';
    });
}

// Loads the inputs and reports problems on stderr. Returns false when the input is unusable.
bool load(const Args& a, ew::Snapshot& snap, const std::vector<std::string>* inputs = nullptr,
    const ew::ImportOptions& sideOptions = {})
{
    const auto& in = inputs ? *inputs : a.inputs;
    if (in.empty()) {
        usageError("no input given (files or folders of exported JSON)");
        return false;
    }
    ew::ImportOptions options = sideOptions;
    if (auto it = a.options.find("--max-memory"); it != a.options.end()) {
        char* end = nullptr;
        const unsigned long long mib = std::strtoull(it->second.c_str(), &end, 10);
        if (it->second.empty() || *end || mib == 0 || mib > (1ULL << 40)) {
            usageError("--max-memory " + it->second + ": expected a number of MiB");
            return false;
        }
        options.memoryBudget = mib << 20;
    }
    snap = ew::importSnapshot(in, options);
    const bool verbose = hasFlag(a, "--verbose");
    for (const auto& d : snap.diagnostics)
        if (d.level != ew::Diagnostic::Level::Note || verbose)
            std::cerr << d.toString() << "\n";
    if (verbose)
        for (const auto& f : snap.files)
            if (f.skipped)
                std::cerr << f.path << ": skipped: " << f.reason << "\n";
    if (snap.hasErrors()) {
        std::size_t errors = 0;
        for (const auto& d : snap.diagnostics)
            errors += d.level == ew::Diagnostic::Level::Error;
        std::cerr << "exposure-audit: " << errors
                  << " error(s) in the input; no verdict is given on input that could not be read exactly\n";
        return false;
    }
    return true;
}

enum class FindingsFile { No, Read, Bad };

// The findings JSON of an earlier analysis given where an export is expected (a baseline, a side
// of a diff, a day of a timeline): its findings are read, not recomputed. Problems go to stderr.
FindingsFile readFindingsInput(const std::string& path, ew::AnalysisResult& result)
{
    if (!ew::isFindingsFile(path))
        return FindingsFile::No;
    ew::FindingsDocument doc;
    std::vector<ew::Diagnostic> diags;
    if (!ew::readFindingsFile(path, doc, diags)) {
        for (const auto& d : diags)
            std::cerr << d.toString() << "\n";
        return FindingsFile::Bad;
    }
    result = {};
    result.findings = std::move(doc.findings);
    result.assumptions = std::move(doc.assumptions);
    return FindingsFile::Read;
}

} // namespace

bool readReview(const std::string& path, ew::Review& review, std::vector<std::string>& inputs, bool& isReview);

// jemalloc's settings, read once at start (MALLOC_CONF in the environment still overrides them).
// The engine's memory grows by gigabytes in small blocks at L and XL: 2 MiB pages take a page fault
// where 4 KiB pages took 512 (the kernel gives them to memory that asks, "madvise", by default),
// and freed memory is kept for the next allocation instead of being handed back to the kernel and
// faulted in again, as a process that ends after one command can afford. L 12.2 -> 8.7 s (peak
// 1.72 -> 1.83 GB), XL 94 -> 57 s (9.52 -> 9.82 GB): BENCHMARKS.md, issue 14, step 7.
extern "C" {
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): the name and type jemalloc reads
const char* malloc_conf = "thp:always,metadata_thp:always,dirty_decay_ms:-1,muzzy_decay_ms:-1";
}

namespace {

// What a command analysed is kept to the end of the process rather than freed: the process ends
// right after, and handing millions of small blocks back one by one took 1.0 s of L's 15 s and 46 s
// of XL's 231 s (BENCHMARKS.md, issue 14, step 6). Reachable from a static: leak checkers do not
// count it.
template <typename T> T& keepUntilExit(T value)
{
    static auto& kept = *new std::vector<std::shared_ptr<void>>(); // never destroyed, on purpose
    auto held = std::make_shared<T>(std::move(value));
    kept.push_back(held);
    return *held;
}

// The analysis; when it could not finish (memory ran out) its sentence is printed and the program
// exits 2, as for input that cannot be read: no verdict is given.
unsigned g_threads = 0; // --threads (0: one per core)

ew::AnalysisResult analyzeOrExit(const ew::Snapshot& snap, ew::AnalysisOptions options = {})
{
    if (options.threads == 0)
        options.threads = g_threads;
    ew::AnalysisResult result = ew::analyze(snap, options);
    if (!result.error.empty()) {
        std::cerr << "exposure-audit: " << result.error << "\n";
        std::exit(kExitBadInput);
    }
    return result;
}

// --fail-on SEVERITY (analyze, diff); false when it is given and is not a severity.
bool failOnOption(const Args& a, std::optional<ew::Severity>& failOn)
{
    const auto it = a.options.find("--fail-on");
    if (it == a.options.end())
        return true;
    ew::Severity s;
    if (!ew::parseSeverity(it->second, s))
        return false;
    failOn = s;
    return true;
}

// The baseline of analyze and notify: a review (its snapshot, analysed with its data-store markings,
// which options then carry when adoptMarkings), the findings JSON of an earlier analysis, or an
// export. False when it cannot be read (reported on stderr).
bool readBaseline(const Args& a, const std::string& path, ew::AnalysisOptions& options, bool adoptMarkings,
    ew::Review& review, bool& isReview, std::optional<ew::AnalysisResult>& baseline)
{
    std::vector<std::string> inputs;
    if (!readReview(path, review, inputs, isReview))
        return false;
    if (!isReview) {
        ew::AnalysisResult earlier;
        switch (readFindingsInput(path, earlier)) {
        case FindingsFile::Read:
            baseline = std::move(earlier);
            return true;
        case FindingsFile::Bad:
            std::cerr << "exposure-audit: the baseline " << path << " could not be read\n";
            return false;
        case FindingsFile::No:
            inputs = { path };
            break;
        }
    }
    ew::Snapshot snap;
    if (!load(a, snap, &inputs)) {
        std::cerr << "exposure-audit: the baseline " << path << " could not be read\n";
        return false;
    }
    if (adoptMarkings)
        options.analystDataStores = review.dataStores;
    baseline = analyzeOrExit(snap, options);
    return true;
}

int analyzeCommand(const Args& a)
{
    const std::string format = a.options.count("--format") ? a.options.at("--format") : "text";
    if (format != "text" && format != "json" && format != "csv" && format != "sarif" && format != "markdown")
        return usageError("--format " + format + ": expected text, json, csv, sarif or markdown");
    std::optional<ew::Severity> failOn;
    if (!failOnOption(a, failOn))
        return usageError("--fail-on " + a.options.at("--fail-on") + ": expected critical, high, medium, low or info");
    const std::string schemaText = a.options.count("--schema") ? a.options.at("--schema") : "2";
    if (schemaText != "1" && schemaText != "2")
        return usageError("--schema " + schemaText + ": expected 1 (exposure-findings/1) or 2 (exposure-findings/2)");
    const auto schema = schemaText == "1" ? ew::FindingsSchema::V1 : ew::FindingsSchema::V2;
    // The baseline first: a review's data-store markings apply to the new snapshot too.
    ew::Review review;
    bool baselineIsReview = false;
    std::optional<ew::AnalysisResult> baseline;
    ew::AnalysisOptions options;
    const std::string baselinePath = a.options.count("--baseline") ? a.options.at("--baseline") : std::string();
    if (!baselinePath.empty() && !readBaseline(a, baselinePath, options, true, review, baselineIsReview, baseline))
        return kExitBadInput;
    auto& snap = keepUntilExit(ew::Snapshot());
    if (!load(a, snap))
        return kExitBadInput;
    const auto& result = keepUntilExit(analyzeOrExit(snap, options));
    std::map<std::string, ew::BaselineStatus> standing;
    if (baseline)
        standing = ew::compareWithBaseline(result, &*baseline, baselineIsReview ? &review.decisions : nullptr);
    auto counts = [&](ew::BaselineStatus s) {
        return std::count_if(standing.begin(), standing.end(), [&](const auto& e) { return e.second == s; });
    };
    const std::string output = a.options.count("--output") ? a.options.at("--output") : std::string();
    bool written = false;
    if (format == "json" && baseline && schema == ew::FindingsSchema::V2) {
        written = writeOutput(output, [&](std::ostream& out) {
            const nlohmann::ordered_json head { { "baseline",
                { { "source", baselinePath }, { "new", counts(ew::BaselineStatus::New) },
                    { "worse", counts(ew::BaselineStatus::Worse) }, { "known", counts(ew::BaselineStatus::Known) },
                    { "accepted", counts(ew::BaselineStatus::Accepted) } } } };
            ew::FindingsStreamWriter writer(out, snap, result.assumptions, head);
            for (const auto& f : result.findings)
                writer.add(f, { { "baseline", ew::baselineStatusName(standing.at(f.id)) } });
            writer.finish();
        });
    } else if (format == "json" && baseline) {
        auto doc = ew::analysisJson(snap, result);
        doc["baseline"] = { { "source", baselinePath }, { "new", counts(ew::BaselineStatus::New) },
            { "worse", counts(ew::BaselineStatus::Worse) }, { "known", counts(ew::BaselineStatus::Known) },
            { "accepted", counts(ew::BaselineStatus::Accepted) } };
        for (auto& f : doc["findings"])
            f["baseline"] = ew::baselineStatusName(standing.at(f["id"].get<std::string>()));
        written = writeText(output, doc.dump(2));
    } else if (format == "json")
        written = writeOutput(output, [&](std::ostream& out) { ew::writeAnalysisJson(out, snap, result, schema); });
    else if (format == "csv")
        written = writeText(output, ew::findingsCsv(result));
    else if (format == "sarif") {
        auto sarif = ew::findingsSarif(snap, result);
        if (baseline) // SARIF 2.1.0 section 3.27.24: baselineState
            for (auto& run : sarif["runs"])
                for (auto& res : run["results"]) {
                    const auto st = standing.at(res["partialFingerprints"]["exposureFindingId/v1"].get<std::string>());
                    res["baselineState"] = st == ew::BaselineStatus::New ? "new"
                        : st == ew::BaselineStatus::Worse                ? "updated"
                                                                         : "unchanged";
                }
        written = writeText(output, sarif.dump(2) + "\n");
    } else if (format == "markdown")
        written = writeText(output, ew::findingsMarkdown(snap, result));
    else {
        std::string text = ew::analysisText(snap, result);
        if (baseline) {
            text += "\nAgainst the baseline " + baselinePath + ": " + std::to_string(counts(ew::BaselineStatus::New))
                + " new, " + std::to_string(counts(ew::BaselineStatus::Worse)) + " worse, "
                + std::to_string(counts(ew::BaselineStatus::Known)) + " known, "
                + std::to_string(counts(ew::BaselineStatus::Accepted)) + " accepted in the review.\n";
            for (const auto& f : result.findings) {
                const auto st = standing.at(f.id);
                if (st == ew::BaselineStatus::New || st == ew::BaselineStatus::Worse)
                    text += "  " + std::string(ew::baselineStatusName(st)) + ": [" + ew::severityName(f.severity) + "] "
                        + f.target.name + "  " + f.id + "\n";
            }
        }
        written = writeText(output, text);
    }
    ew::profilePhase("write the findings");
    if (!written)
        return kExitBadInput;
    if (failOn)
        for (const auto& f : result.findings) {
            if (f.severity < *failOn)
                continue;
            const auto st = baseline ? standing.at(f.id) : ew::BaselineStatus::New;
            if (st == ew::BaselineStatus::New || st == ew::BaselineStatus::Worse)
                return kExitFindings;
        }
    return kExitOk;
}

int queryCommand(const Args& a)
{
    ew::FlowQuery q;
    if (!a.options.count("--to"))
        return usageError("query needs --to NAME|ID");
    if (!a.options.count("--port"))
        return usageError("query needs --port N");
    q.target = a.options.at("--to");
    const std::string portText = a.options.at("--port");
    try {
        std::size_t used = 0;
        const long port = std::stol(portText, &used);
        if (used != portText.size() || port < 0 || port > 65535)
            throw std::out_of_range("port");
        q.port = static_cast<std::uint32_t>(port);
    } catch (const std::exception&) {
        return usageError("--port " + portText + ": expected a port number 0-65535");
    }
    const std::string proto = a.options.count("--protocol") ? a.options.at("--protocol") : "tcp";
    if (proto == "tcp")
        q.protocol = ew::Protocol::Tcp;
    else if (proto == "udp")
        q.protocol = ew::Protocol::Udp;
    else
        return usageError("--protocol " + proto + ": expected tcp or udp");
    const std::string from = a.options.count("--from") ? a.options.at("--from") : "internet";
    q.fromInternet = from == "internet";
    q.source = q.fromInternet ? std::string() : from;
    const std::string format = a.options.count("--format") ? a.options.at("--format") : "text";
    if (format != "text" && format != "json")
        return usageError("--format " + format + ": expected text or json");
    ew::Snapshot snap;
    if (!load(a, snap))
        return kExitBadInput;
    const auto result = ew::queryFlow(snap, q);
    if (!result.error.empty()) {
        std::cerr << "exposure-audit: " << result.error << "\n";
        return kExitBadInput;
    }
    const std::string text = format == "json" ? ew::queryJson(q, result).dump(2) : ew::queryText(q, result);
    if (!writeText(a.options.count("--output") ? a.options.at("--output") : std::string(), text))
        return kExitBadInput;
    return result.reachable ? kExitOk : kExitFindings;
}

} // namespace

// The review file when the only input is one (its snapshot inputs are relative to it).
bool readReview(const std::string& path, ew::Review& review, std::vector<std::string>& inputs, bool& isReview)
{
    isReview = false;
    std::ifstream in(path, std::ios::binary);
    if (!in || std::filesystem::is_directory(path))
        return true;
    std::string head(4096, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    if (!ew::looksLikeReview(head))
        return true;
    isReview = true;
    in.clear();
    in.seekg(0);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<ew::Diagnostic> diags;
    if (!ew::parseReview(text, path, review, diags)) {
        for (const auto& d : diags)
            std::cerr << d.toString() << "\n";
        return false;
    }
    // An accepted risk or false positive past its expiry is open again (issue 16).
    const std::time_t now = std::time(nullptr);
    char today[32];
    std::strftime(today, sizeof today, "%Y-%m-%d", std::gmtime(&now));
    review.decisions = ew::effectiveDecisions(review.decisions, today);
    const auto dir = std::filesystem::path(path).parent_path();
    for (const auto& i : review.inputs)
        inputs.push_back(std::filesystem::path(i).is_absolute() ? i : (dir / i).lexically_normal().string());
    return true;
}

using ew::applyPlan;
using ew::isTerraformPlan;

// Writes a diff in its format and returns the exit code: newSnap is the new side's snapshot (empty
// when it was read from findings JSON), for SARIF locations.
int writeDiff(const Args& a, const std::string& format, const std::optional<ew::Severity>& failOn,
    const ew::Snapshot& newSnap, const ew::AnalysisResult& oldResult, const ew::AnalysisResult& newResult,
    const ew::AnalysisDiff& d)
{
    const std::string output = a.options.count("--output") ? a.options.at("--output") : std::string();
    const auto status = ew::compareWithBaseline(newResult, &oldResult, nullptr);
    std::string text;
    if (format == "sarif") {
        // What the change exposes anew or more widely, for a pull request's code scanning: the
        // results are located at the deciding rules (a Terraform plan's: the resource address).
        auto sarif = ew::findingsSarif(newSnap, newResult);
        for (auto& run : sarif["runs"]) {
            nlohmann::json kept = nlohmann::json::array();
            for (auto& res : run["results"]) {
                const auto st = status.at(res["partialFingerprints"]["exposureFindingId/v1"].get<std::string>());
                if (st != ew::BaselineStatus::New && st != ew::BaselineStatus::Worse)
                    continue;
                res["baselineState"] = st == ew::BaselineStatus::New ? "new" : "updated";
                kept.push_back(std::move(res));
            }
            run["results"] = std::move(kept);
        }
        text = sarif.dump(2) + "\n";
    } else {
        text = format == "json"    ? ew::diffJson(d).dump(2) + "\n"
            : format == "markdown" ? ew::diffMarkdown(d)
                                   : ew::diffText(d);
    }
    if (!writeText(output, text))
        return kExitBadInput;
    if (failOn) {
        // A plan gate: only what this change newly exposes, or exposes more widely, at or above it.
        for (const auto& f : newResult.findings)
            if (f.severity >= *failOn)
                if (auto st = status.find(f.id); st != status.end()
                    && (st->second == ew::BaselineStatus::New || st->second == ew::BaselineStatus::Worse))
                    return kExitFindings;
        return kExitOk;
    }
    // Like diff(1): 1 when the exposure changed (new or changed findings), so a schedule can alert.
    return d.added.empty() && d.changed.empty() ? kExitOk : kExitFindings;
}

int diffCommand(const Args& a)
{
    if (a.inputs.size() != 2 && a.inputs.size() != 1)
        return usageError("diff needs two inputs, OLD NEW (export folders or files), or a Terraform plan");
    const std::string format = a.options.count("--format") ? a.options.at("--format") : "text";
    if (format != "text" && format != "json" && format != "markdown" && format != "sarif")
        return usageError("--format " + format + ": expected text, json, markdown or sarif");
    std::optional<ew::Severity> failOn;
    if (!failOnOption(a, failOn))
        return usageError("--fail-on " + a.options.at("--fail-on") + ": expected critical, high, medium, low or info");
    // Either side may be the findings JSON of an earlier analysis: compared by what it reports.
    if (a.inputs.size() == 2) {
        std::array<ew::AnalysisResult, 2> sides;
        std::array<ew::Snapshot, 2> snaps;
        std::array<FindingsFile, 2> kinds {};
        for (std::size_t i = 0; i < 2; ++i)
            if ((kinds[i] = readFindingsInput(a.inputs[i], sides[i])) == FindingsFile::Bad)
                return kExitBadInput;
        if (kinds[0] == FindingsFile::Read || kinds[1] == FindingsFile::Read) {
            for (std::size_t i = 0; i < 2; ++i) {
                const std::vector<std::string> in { a.inputs[i] };
                if (kinds[i] == FindingsFile::No) {
                    if (!load(a, snaps[i], &in))
                        return kExitBadInput;
                    sides[i] = analyzeOrExit(snaps[i]);
                }
            }
            return writeDiff(a, format, failOn, snaps[1], sides[0], sides[1], ew::diffAnalyses(sides[0], sides[1]));
        }
    }
    ew::Snapshot oldSnap, newSnap;
    ew::ImportOptions priorSide;
    priorSide.terraformPlanSide = ew::TerraformPlanSide::Prior;
    const std::string& planInput = a.inputs.back();
    const std::vector<std::string> planOnly { planInput };
    if (a.inputs.size() == 1) {
        // One plan: its prior state against its planned state.
        if (!load(a, oldSnap, &planOnly, priorSide) || !load(a, newSnap, &planOnly))
            return kExitBadInput;
        if (!isTerraformPlan(newSnap))
            return usageError("diff needs two inputs, OLD NEW, or one Terraform plan (terraform show -json tfplan); "
                + planInput + " is not a plan");
    } else {
        const std::vector<std::string> oldInput { a.inputs[0] };
        if (!load(a, oldSnap, &oldInput) || !load(a, newSnap, &planOnly))
            return kExitBadInput;
        if (isTerraformPlan(newSnap)) {
            // An export and a plan of part of it: the export, and the export with the plan applied.
            ew::Snapshot prior;
            if (!load(a, prior, &planOnly, priorSide))
                return kExitBadInput;
            ew::Snapshot planned = std::move(newSnap);
            newSnap = oldSnap;
            applyPlan(newSnap, prior, planned);
        }
    }
    const auto oldResult = analyzeOrExit(oldSnap);
    const auto newResult = analyzeOrExit(newSnap);
    return writeDiff(
        a, format, failOn, newSnap, oldResult, newResult, ew::diffAnalyses(oldSnap, oldResult, newSnap, newResult));
}

int timelineCommand(const Args& a)
{
    if (a.inputs.empty())
        return usageError("timeline needs snapshots: DATE=FOLDER or FOLDER with exposure-snapshot.json");
    const std::string format = a.options.count("--format") ? a.options.at("--format") : "text";
    if (format != "text" && format != "json" && format != "markdown")
        return usageError("--format " + format + ": expected text, json or markdown");
    std::vector<ew::SnapshotLabel> labels;
    for (const auto& input : a.inputs) {
        ew::SnapshotLabel label;
        std::string error;
        if (!ew::readSnapshotLabel(input, label, error)) {
            std::cerr << "exposure-audit: " << error << "\n";
            return kExitBadInput;
        }
        labels.push_back(std::move(label));
    }
    std::stable_sort(labels.begin(), labels.end(), [](const auto& x, const auto& y) { return x.date < y.date; });
    std::vector<ew::AnalysisResult> results;
    for (const auto& label : labels) {
        ew::AnalysisResult earlier; // DATE=FINDINGS: that day's analysis as it was written
        const auto findingsFile = readFindingsInput(label.folder, earlier);
        if (findingsFile == FindingsFile::Bad)
            return kExitBadInput;
        if (findingsFile == FindingsFile::Read) {
            results.push_back(std::move(earlier));
            continue;
        }
        ew::Snapshot snap;
        const std::vector<std::string> in { label.folder };
        if (!load(a, snap, &in))
            return kExitBadInput;
        results.push_back(analyzeOrExit(snap));
    }
    std::vector<const ew::AnalysisResult*> pointers;
    for (const auto& r : results)
        pointers.push_back(&r);
    const auto timeline = ew::buildTimeline(labels, pointers);
    const std::string text = format == "json" ? ew::timelineJson(timeline).dump(2) + "\n"
        : format == "markdown"                ? ew::timelineMarkdown(timeline)
                                              : ew::timelineText(timeline);
    return writeText(a.options.count("--output") ? a.options.at("--output") : std::string(), text) ? kExitOk
                                                                                                   : kExitBadInput;
}

// A count option (--max-fixes, --max-pages, --max-rows): false when it is given and is not a whole
// number of at most seven digits; out is left as it was when the option is absent.
bool countOption(const Args& a, const char* name, std::size_t& out)
{
    const auto it = a.options.find(name);
    if (it == a.options.end())
        return true;
    const std::string& text = it->second;
    if (text.empty() || text.size() > 7 || !std::all_of(text.begin(), text.end(), ::isdigit))
        return false;
    out = std::stoul(text);
    return true;
}

// The options `notify` and `report` share: owners (tags, mapping file), the due policy, the date
// and how many smallest fixes to compute. Returns the usage error, or "" when they are good (a bad
// mapping file is said on standard error and gives "-").
std::string notifyOptionsFrom(const Args& a, ew::NotifyOptions& options)
{
    if (a.options.count("--due")) {
        std::string error;
        if (!ew::DuePolicy::parse(a.options.at("--due"), options.due, error))
            return "--due: " + error;
    }
    if (a.options.count("--owner-tags")) {
        options.ownerTags.clear();
        std::stringstream in(a.options.at("--owner-tags"));
        for (std::string tag; std::getline(in, tag, ',');)
            if (!tag.empty())
                options.ownerTags.push_back(tag);
    }
    if (a.options.count("--owners")) {
        const std::string path = a.options.at("--owners");
        std::ifstream in(path, std::ios::binary);
        if (!in)
            return "--owners " + path + ": cannot be read";
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::vector<ew::Diagnostic> diags;
        if (!ew::parseOwnerMapping(text, path, options.mapping, diags)) {
            for (const auto& d : diags)
                std::cerr << d.toString() << "\n";
            return "-";
        }
    }
    const std::time_t now = std::time(nullptr);
    char today[32];
    std::strftime(today, sizeof today, "%Y-%m-%d", std::gmtime(&now));
    options.date = a.options.count("--date") ? a.options.at("--date") : std::string(today);
    if (ew::addDays(options.date, 0).empty())
        return "--date " + options.date + ": expected YYYY-MM-DD";
    if (!countOption(a, "--max-fixes", options.maxFixes))
        return "--max-fixes " + a.options.at("--max-fixes") + ": expected a number of findings (0 for none)";
    return {};
}

int reportCommand(const Args& a, int argc, char** argv)
{
    if (!a.options.count("--pdf"))
        return usageError("report needs --pdf FILE");
    ew::Review review;
    std::vector<std::string> inputs = a.inputs;
    bool isReview = false;
    if (a.inputs.size() == 1) {
        std::vector<std::string> fromReview;
        if (!readReview(a.inputs.front(), review, fromReview, isReview))
            return kExitBadInput;
        if (isReview)
            inputs = fromReview;
    }
    auto& snap = keepUntilExit(ew::Snapshot());
    ew::ImportOptions hashed;
    hashed.hashFiles = true; // the cover states the identity of what was analysed
    if (!load(a, snap, &inputs, hashed))
        return kExitBadInput;
    ew::AnalysisOptions options;
    options.analystDataStores = review.dataStores;
    const auto& result = keepUntilExit(analyzeOrExit(snap, options));

    ew::ReportOptions ro;
    // A review's previous snapshot, analysed again when its files are still there: "what changed"
    // then names the targets of closed exposures and what made the others worse, as the workbench's
    // comparison does (without them, the review's history gives ids and severities only).
    std::optional<ew::AnalysisResult> previous;
    if (isReview)
        for (std::size_t i = review.history.size(); i-- > 0;) {
            const auto& earlier = review.history[i];
            if (earlier.inputs.empty() || earlier.inputs == review.inputs)
                continue;
            std::vector<std::string> paths;
            const auto dir = std::filesystem::path(a.inputs.front()).parent_path();
            for (const auto& in : earlier.inputs)
                paths.push_back(std::filesystem::path(in).is_absolute() ? in : (dir / in).lexically_normal().string());
            const bool there = std::all_of(
                paths.begin(), paths.end(), [](const std::string& p) { return std::filesystem::exists(p); });
            // Read quietly: a missing or unreadable earlier export only costs the details.
            const ew::Snapshot earlierSnap = there ? ew::importSnapshot(paths) : ew::Snapshot {};
            if (there && !earlierSnap.hasErrors()) {
                previous = analyzeOrExit(earlierSnap, options);
                ro.baseline = &*previous;
                ro.baselineLabel = "the review's previous snapshot (" + earlier.date + ")";
            }
            break;
        }
    // A Terraform plan: the report of the state it would produce, with what it changes against the
    // state it starts from (issue 13, "what this change would expose").
    std::optional<ew::AnalysisResult> prior;
    if (isTerraformPlan(snap)) {
        ew::ImportOptions priorSide;
        priorSide.terraformPlanSide = ew::TerraformPlanSide::Prior;
        ew::Snapshot priorSnap;
        if (!load(a, priorSnap, &inputs, priorSide))
            return kExitBadInput;
        prior = analyzeOrExit(priorSnap, options);
        ro.baseline = &*prior;
        ro.baselineLabel = "the plan's prior state (before apply)";
        ro.title = "What this Terraform change would expose";
    }
    if (const std::string error = notifyOptionsFrom(a, ro.notify); !error.empty())
        return error == "-" ? kExitBadInput : usageError(error);
    ro.notify.analysis = options;
    if (!countOption(a, "--max-pages", ro.maxFindingPages))
        return usageError("--max-pages " + a.options.at("--max-pages") + ": expected a number of pages");
    if (!countOption(a, "--max-rows", ro.maxTableRows))
        return usageError("--max-rows " + a.options.at("--max-rows") + ": expected a number of table rows");
    ro.redact = hasFlag(a, "--redact");
    if (a.options.count("--title"))
        ro.title = a.options.at("--title");
    if (a.options.count("--reviewer"))
        ro.reviewer = a.options.at("--reviewer");
    ro.date = ro.notify.date;
    const auto content = ew::buildReport(snap, result, review, inputs, ro);

    // Headless: the PDF is drawn with QtGui on the offscreen platform, no display needed.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    QString error;
    const QString file = QString::fromStdString(a.options.at("--pdf"));
    if (!ew::ui::ReportWriter::writePdf(content, file, &error)) {
        std::cerr << "exposure-audit: " << error.toStdString() << "\n";
        return kExitBadInput;
    }
    std::cerr << "exposure-audit: wrote " << file.toStdString() << " (" << content.pages.size() << " finding page(s), "
              << result.findings.size() << " finding(s)" << (ro.redact ? ", redacted" : "") << ")\n";
    return kExitOk;
}

// Notices per owner (issue 16, "Alerting service teams").
int notifyCommand(const Args& a, int argc, char** argv)
{
    if (!a.options.count("--output"))
        return usageError("notify needs --output DIR (a folder for the notices)");
    if (a.options.count("--by") && a.options.at("--by") != "owner")
        return usageError("--by " + a.options.at("--by") + ": notices are grouped by owner");
    ew::NotifyOptions options;
    if (const std::string error = notifyOptionsFrom(a, options); !error.empty())
        return error == "-" ? kExitBadInput : usageError(error);
    ew::Review review;
    bool isReview = false;
    std::vector<std::string> inputs = a.inputs;
    if (a.inputs.size() == 1) {
        std::vector<std::string> fromReview;
        if (!readReview(a.inputs.front(), review, fromReview, isReview))
            return kExitBadInput;
        if (isReview)
            inputs = fromReview;
    }
    options.analysis.analystDataStores = review.dataStores;
    std::optional<ew::AnalysisResult> baseline;
    ew::Review baselineReview;
    bool baselineIsReview = false;
    if (a.options.count("--baseline")
        && !readBaseline(
            a, a.options.at("--baseline"), options.analysis, false, baselineReview, baselineIsReview, baseline))
        return kExitBadInput;
    auto& snap = keepUntilExit(ew::Snapshot());
    if (!load(a, snap, &inputs))
        return kExitBadInput;
    const auto& result = keepUntilExit(analyzeOrExit(snap, options.analysis));
    std::map<std::string, ew::BaselineStatus> standing;
    if (baseline)
        standing = ew::compareWithBaseline(result, &*baseline, baselineIsReview ? &baselineReview.decisions : nullptr);
    const auto notices = ew::buildNotices(snap, result, options, isReview ? &review.decisions : nullptr,
        isReview ? &review.history : nullptr, baseline ? &standing : nullptr);

    const std::filesystem::path dir = a.options.at("--output");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir)) {
        std::cerr << "exposure-audit: --output " << dir.string() << ": cannot create the folder"
                  << (ec ? ": " + ec.message() : std::string()) << "\n";
        return kExitBadInput;
    }
    for (const auto& n : notices.owners)
        if (!writeText((dir / n.file).string(), ew::noticeMarkdown(n, notices)))
            return kExitBadInput;
    auto index = ew::noticesIndex(notices);
    if (hasFlag(a, "--with-pdf")) {
        // Headless, as `report`: the PDFs are drawn with QtGui on the offscreen platform.
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        QGuiApplication app(argc, argv);
        for (std::size_t i = 0; i < notices.owners.size(); ++i) {
            const auto& n = notices.owners[i];
            const std::string pdf = std::filesystem::path(n.file).replace_extension(".pdf").string();
            QString error;
            const QString title = n.owner.empty()
                ? QStringLiteral("Internet exposures nobody owns")
                : QStringLiteral("Internet exposures for ") + QString::fromStdString(n.owner);
            if (!ew::ui::writeNoticePdf(
                    ew::noticeMarkdown(n, notices), title, QString::fromStdString((dir / pdf).string()), &error)) {
                std::cerr << "exposure-audit: " << error.toStdString() << "\n";
                return kExitBadInput;
            }
            index["owners"][i]["pdf"] = pdf;
        }
    }
    if (!writeText((dir / "index.json").string(), index.dump(2)))
        return kExitBadInput;
    std::size_t findings = 0;
    for (const auto& n : notices.owners)
        findings += n.items.size();
    std::cerr << "exposure-audit: wrote " << notices.owners.size() << " notice(s) for " << findings << " finding(s) to "
              << dir.string() << " (" << notices.left << " left out: decided in the review or known in the baseline)\n";
    return kExitOk;
}

int runCommand(const Args& a, int argc, char** argv)
{
    if (hasFlag(a, "--version")) {
        std::cout << "exposure-audit " << EW_VERSION << "\n";
        return kExitOk;
    }
    if (hasFlag(a, "--help") || a.command == "help") {
        std::cout << kUsage;
        return kExitOk;
    }
    if (!a.errors.empty()) {
        for (const auto& e : a.errors)
            std::cerr << "exposure-audit: " << e << "\n";
        return usageError("bad command line");
    }
    if (a.command.empty())
        return usageError("no command given");
    if (auto it = a.options.find("--threads"); it != a.options.end()) {
        const std::string& text = it->second;
        if (text.empty() || text.size() > 3 || !std::all_of(text.begin(), text.end(), ::isdigit) || std::stoi(text) < 1
            || std::stoi(text) > 256)
            return usageError("--threads " + text + ": expected a number of threads from 1 to 256");
        g_threads = static_cast<unsigned>(std::stoi(text));
    }
    if (a.command == "analyze")
        return analyzeCommand(a);
    if (a.command == "query")
        return queryCommand(a);
    if (a.command == "report")
        return reportCommand(a, argc, argv);
    if (a.command == "diff")
        return diffCommand(a);
    if (a.command == "timeline")
        return timelineCommand(a);
    if (a.command == "notify")
        return notifyCommand(a, argc, argv);
    return usageError("unknown command " + a.command);
}

int main(int argc, char** argv)
{
    // A closed pipe (EPIPE) or a file size limit (EFBIG) is a write error, reported with exit code 2,
    // not a silent death by SIGPIPE or SIGXFSZ that leaves half an output behind.
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGXFSZ, SIG_IGN);
    ew::profilePhase("start");
    const int code = runCommand(parse(argc, argv), argc, argv);
    ew::profilePhase("output (and the rest of the command)");
    // What went through std::cout (--help, --version) must have arrived as well.
    errno = 0;
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        int error = errno;
        if (error == 0) {
            // The write failed earlier, when the buffer filled (a long --help into a closed pipe),
            // and its errno is gone: one more write gives the reason again.
            std::clearerr(stdout);
            std::fputc('\n', stdout);
            std::fflush(stdout);
            error = errno;
        }
        std::cerr << "exposure-audit: cannot write to standard output"
                  << (error ? std::string(": ") + std::strerror(error) : std::string()) << "\n";
        return kExitBadInput;
    }
    return code;
}
