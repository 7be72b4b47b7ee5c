// exposure-audit: the command-line face of the engine. Parsing and I/O only; all analysis is in core.
#include "diff/series.h"
#include "diff/snapshotdiff.h"
#include "findings/analyzer.h"
#include "import/azureimporter.h"
#include "output/exports.h"
#include "output/findingswriter.h"
#include "outputfile.h"
#include "report/notify.h"
#include "report/reportcontent.h"
#include "report/reportwriter.h"
#include "review/review.h"

#include <QGuiApplication>

#include <algorithm>
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
  analyze INPUT... [--format text|json|csv|sarif|markdown] [--output FILE] [--fail-on SEVERITY] [--verbose]
          [--baseline OLD|REVIEW]
      Every internet exposure with its ports, sources, path and deciding rules.
      Exit 0 when nothing reaches --fail-on, 1 when something does, 2 on bad input or usage.
      With --baseline (an older export, or a review file and its snapshot), only findings that are new
      or worse than in the baseline (more severe, or reaching more ports or sources) count for
      --fail-on, and findings accepted in the review (accepted risk, false positive) never do.
  diff OLD NEW [--format text|json|markdown] [--output FILE] [--fail-on SEVERITY]
  diff PLAN [...]
  diff EXPORT PLAN [...]
      New, closed and changed exposures between two snapshots, each with the rule changes on its path.
      PLAN is a Terraform plan (terraform show -json tfplan): alone, its prior state against its
      planned state; after an export, the export against the export with the plan applied to it.
      Causes name the Terraform resource addresses.
      Exit 0 when nothing is new or changed, 1 when something is, 2 on bad input or usage. With
      --fail-on, 1 only when a new finding, or one that got worse (more severe, more ports, sources or
      protocols), is at or above that severity.
  timeline SNAPSHOT... [--format text|json|markdown] [--output FILE]
      Each finding across a series of snapshots: first and last appearance, "exposed since", and its
      severity in each. SNAPSHOT is DATE=FOLDER, or FOLDER with an exposure-snapshot.json giving its
      date ({"date": "2019-12-05"}). Exit 0, or 2 on bad input or usage.
  report REVIEW|INPUT... --pdf FILE [--redact] [--title TEXT] [--reviewer NAME]
      A PDF for management: summary, a page per critical and high exposure with its path, the deciding
      rules and the review's decisions, every finding, methodology and assumptions. --redact replaces
      addresses, e-mail addresses and subscription/tenant ids with consistent placeholders.
  notify REVIEW|INPUT... --output DIR [--by owner] [--baseline OLD|REVIEW] [--owners MAPPING.json]
         [--owner-tags owner,team,contact] [--due critical=1,high=7,medium=30,low=90] [--date YYYY-MM-DD]
      One Markdown notice per owner of exposed resources (owner-<name>.md; unassigned.md for the rest)
      with each finding's path, deciding rules, due date and smallest fix, and index.json for mail or
      ticketing. The owner is the review's triage owner, else the first --owners entry whose "match"
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
        "--max-memory" };
    static const std::vector<std::string> boolean { "--verbose", "--redact", "--help", "--version" };
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

} // namespace

bool readReview(const std::string& path, ew::Review& review, std::vector<std::string>& inputs, bool& isReview);

namespace {

// The analysis; when it could not finish (memory ran out) its sentence is printed and the program
// exits 2, as for input that cannot be read: no verdict is given.
ew::AnalysisResult analyzeOrExit(const ew::Snapshot& snap, const ew::AnalysisOptions& options = {})
{
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

int analyzeCommand(const Args& a)
{
    const std::string format = a.options.count("--format") ? a.options.at("--format") : "text";
    if (format != "text" && format != "json" && format != "csv" && format != "sarif" && format != "markdown")
        return usageError("--format " + format + ": expected text, json, csv, sarif or markdown");
    std::optional<ew::Severity> failOn;
    if (!failOnOption(a, failOn))
        return usageError("--fail-on " + a.options.at("--fail-on") + ": expected critical, high, medium, low or info");
    // The baseline first: a review's data-store markings apply to the new snapshot too.
    ew::Review review;
    bool baselineIsReview = false;
    std::optional<ew::AnalysisResult> baseline;
    ew::AnalysisOptions options;
    const std::string baselinePath = a.options.count("--baseline") ? a.options.at("--baseline") : std::string();
    if (!baselinePath.empty()) {
        std::vector<std::string> reviewInputs;
        if (!readReview(baselinePath, review, reviewInputs, baselineIsReview))
            return kExitBadInput;
        const std::vector<std::string> baseInputs
            = baselineIsReview ? reviewInputs : std::vector<std::string> { baselinePath };
        ew::Snapshot baseSnap;
        if (!load(a, baseSnap, &baseInputs)) {
            std::cerr << "exposure-audit: the baseline " << baselinePath << " could not be read\n";
            return kExitBadInput;
        }
        options.analystDataStores = review.dataStores;
        baseline = analyzeOrExit(baseSnap, options);
    }
    ew::Snapshot snap;
    if (!load(a, snap))
        return kExitBadInput;
    const auto result = analyzeOrExit(snap, options);
    std::map<std::string, ew::BaselineStatus> standing;
    if (baseline)
        standing = ew::compareWithBaseline(result, &*baseline, baselineIsReview ? &review.decisions : nullptr);
    auto counts = [&](ew::BaselineStatus s) {
        return std::count_if(standing.begin(), standing.end(), [&](const auto& e) { return e.second == s; });
    };
    const std::string output = a.options.count("--output") ? a.options.at("--output") : std::string();
    bool written = false;
    if (format == "json" && baseline) {
        auto doc = ew::analysisJson(snap, result);
        doc["baseline"] = { { "source", baselinePath }, { "new", counts(ew::BaselineStatus::New) },
            { "worse", counts(ew::BaselineStatus::Worse) }, { "known", counts(ew::BaselineStatus::Known) },
            { "accepted", counts(ew::BaselineStatus::Accepted) } };
        for (auto& f : doc["findings"])
            f["baseline"] = ew::baselineStatusName(standing.at(f["id"].get<std::string>()));
        written = writeText(output, doc.dump(2));
    } else if (format == "json")
        written = writeOutput(output, [&](std::ostream& out) { ew::writeAnalysisJson(out, snap, result); });
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
    const auto dir = std::filesystem::path(path).parent_path();
    for (const auto& i : review.inputs)
        inputs.push_back(std::filesystem::path(i).is_absolute() ? i : (dir / i).lexically_normal().string());
    return true;
}

using ew::applyPlan;
using ew::isTerraformPlan;

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
    const auto d = ew::diffAnalyses(oldSnap, oldResult, newSnap, newResult);
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

int reportCommand(const Args& a, int argc, char** argv)
{
    if (!a.options.count("--pdf"))
        return usageError("report needs --pdf FILE");
    ew::Review review;
    std::vector<std::string> inputs = a.inputs;
    if (a.inputs.size() == 1) {
        bool isReview = false;
        std::vector<std::string> fromReview;
        if (!readReview(a.inputs.front(), review, fromReview, isReview))
            return kExitBadInput;
        if (isReview)
            inputs = fromReview;
    }
    ew::Snapshot snap;
    if (!load(a, snap, &inputs))
        return kExitBadInput;
    ew::AnalysisOptions options;
    options.analystDataStores = review.dataStores;
    const auto result = analyzeOrExit(snap, options);

    ew::ReportOptions ro;
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
    ro.redact = hasFlag(a, "--redact");
    if (a.options.count("--title"))
        ro.title = a.options.at("--title");
    if (a.options.count("--reviewer"))
        ro.reviewer = a.options.at("--reviewer");
    const std::time_t now = std::time(nullptr);
    char date[32];
    std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
    ro.date = date;
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
              << content.rows.size() << " finding(s)" << (ro.redact ? ", redacted" : "") << ")\n";
    return kExitOk;
}

// Notices per owner (issue 16, "Alerting service teams").
int notifyCommand(const Args& a)
{
    if (!a.options.count("--output"))
        return usageError("notify needs --output DIR (a folder for the notices)");
    if (a.options.count("--by") && a.options.at("--by") != "owner")
        return usageError("--by " + a.options.at("--by") + ": notices are grouped by owner");
    ew::NotifyOptions options;
    if (a.options.count("--due")) {
        std::string error;
        if (!ew::DuePolicy::parse(a.options.at("--due"), options.due, error))
            return usageError("--due: " + error);
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
            return usageError("--owners " + path + ": cannot be read");
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::vector<ew::Diagnostic> diags;
        if (!ew::parseOwnerMapping(text, path, options.mapping, diags)) {
            for (const auto& d : diags)
                std::cerr << d.toString() << "\n";
            return kExitBadInput;
        }
    }
    const std::time_t now = std::time(nullptr);
    char today[32];
    std::strftime(today, sizeof today, "%Y-%m-%d", std::gmtime(&now));
    options.date = a.options.count("--date") ? a.options.at("--date") : std::string(today);
    if (ew::addDays(options.date, 0).empty())
        return usageError("--date " + options.date + ": expected YYYY-MM-DD");

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
    if (a.options.count("--baseline")) {
        const std::string path = a.options.at("--baseline");
        std::vector<std::string> baseInputs;
        if (!readReview(path, baselineReview, baseInputs, baselineIsReview))
            return kExitBadInput;
        if (!baselineIsReview)
            baseInputs = { path };
        ew::Snapshot baseSnap;
        if (!load(a, baseSnap, &baseInputs)) {
            std::cerr << "exposure-audit: the baseline " << path << " could not be read\n";
            return kExitBadInput;
        }
        baseline = analyzeOrExit(baseSnap, options.analysis);
    }
    ew::Snapshot snap;
    if (!load(a, snap, &inputs))
        return kExitBadInput;
    const auto result = analyzeOrExit(snap, options.analysis);
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
    if (!writeText((dir / "index.json").string(), ew::noticesIndex(notices).dump(2)))
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
        return notifyCommand(a);
    return usageError("unknown command " + a.command);
}

int main(int argc, char** argv)
{
    // A closed pipe (EPIPE) or a file size limit (EFBIG) is a write error, reported with exit code 2,
    // not a silent death by SIGPIPE or SIGXFSZ that leaves half an output behind.
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGXFSZ, SIG_IGN);
    const int code = runCommand(parse(argc, argv), argc, argv);
    // What went through std::cout (--help, --version) must have arrived as well.
    errno = 0;
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        const int error = errno;
        std::cerr << "exposure-audit: cannot write to standard output"
                  << (error ? std::string(": ") + std::strerror(error) : std::string()) << "\n";
        return kExitBadInput;
    }
    return code;
}
