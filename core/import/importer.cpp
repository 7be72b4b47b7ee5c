#include "importer.h"

#include "awsreader.h"
#include "azurereader.h"
#include "encoding.h"
#include "formatreader.h"
#include "jsonparse.h"
#include "review/review.h"
#include "terraformreader.h"
#include "util/phaseprofile.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <new>
#include <system_error>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

namespace ew {

namespace fs = std::filesystem;

namespace {

std::string mib(std::uint64_t bytes)
{
    return std::to_string((bytes + (std::uint64_t(1) << 20) - 1) >> 20) + " MiB";
}

// One file to read: found in a folder, or named on the command line (always read).
struct InputEntry
{
    fs::path path;
    bool named = false;
};

// Walks the inputs, decodes and parses each file, and hands it to the reader that recognises it.
class Importer
{
public:
    Importer(Snapshot& snap, const ImportOptions& options)
        : m_snap(snap)
        , m_options(options)
    {
        // Readers with recognisable top-level keys first; Azure reads what no other reader claims.
        // Terraform documents are translated into the others' shapes and handed to them.
        m_readers.push_back(makeAwsReader(snap));
        m_readers.push_back(makeAzureReader(snap));
        m_readers.insert(m_readers.begin(), makeTerraformReader(snap, *m_readers[0], *m_readers[1], options));
        // Deeper documents fail to parse with DEPTH_ERROR (the parser's stack is this deep).
        if (m_parser.allocate(simdjson::dom::MINIMAL_DOCUMENT_CAPACITY, options.maxDepth) != simdjson::SUCCESS)
            m_snap.diagnostics.push_back({ Diagnostic::Level::Error, { "(import)", {}, 0, 0 },
                "cannot set up the JSON parser for a nesting depth of " + std::to_string(options.maxDepth) });
    }

    /// The files of one input (a file, or a folder read recursively), in order.
    std::vector<InputEntry> collect(const std::string& input);
    /// Reads the files; false when reading stopped at a limit (the rest is not read).
    bool importFiles(const std::vector<InputEntry>& files);
    void link()
    {
        for (const auto& reader : m_readers)
            reader->link();
        for (const auto& reader : m_readers)
            reader->finish();
    }

private:
    /// named: given on the command line (always read), not found in a folder.
    void importFile(const fs::path& path, bool named);
    void diag(Diagnostic::Level level, std::string pointer, std::string msg)
    {
        m_snap.diagnostics.push_back({ level, { m_file, std::move(pointer), 0, 0 }, std::move(msg) });
    }

    Snapshot& m_snap;
    const ImportOptions& m_options;
    std::vector<std::unique_ptr<FormatReader>> m_readers;
    std::string m_file;
    simdjson::dom::parser m_parser;
    std::size_t m_filesTotal = 0;
    std::size_t m_filesDone = 0;
};

std::vector<InputEntry> Importer::collect(const std::string& input)
{
    std::vector<InputEntry> files;
    std::error_code ec;
    const fs::path p(input);
    if (fs::is_directory(p, ec)) {
        for (fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end; it != end;
             it.increment(ec)) {
            if (ec)
                break;
            // The snapshot's own label (exposure-snapshot.json: its date) is not part of the export.
            if (it->is_regular_file(ec) && it->path().filename() != kSnapshotLabelFile)
                files.push_back({ it->path(), false });
        }
        if (ec)
            m_snap.diagnostics.push_back(
                { Diagnostic::Level::Error, { input, {}, 0, 0 }, "cannot read the folder: " + ec.message() });
        std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    } else if (!fs::exists(p, ec)) {
        m_snap.diagnostics.push_back({ Diagnostic::Level::Error, { input, {}, 0, 0 }, "no such file or folder" });
    } else {
        files.push_back({ p, true });
    }
    m_filesTotal += files.size();
    return files;
}

bool Importer::importFiles(const std::vector<InputEntry>& files)
{
    for (const auto& f : files) {
        if (m_options.cancel && m_options.cancel->load())
            return true;
        importFile(f.path, f.named);
        if (m_snap.resourceCount() > m_options.maxResources) {
            diag(Diagnostic::Level::Error, {},
                "with this file the snapshot holds " + std::to_string(m_snap.resourceCount())
                    + " resources, more than the limit of " + std::to_string(m_options.maxResources)
                    + "; the files after it are not read: analyse the export in parts (by subscription or account)");
            return false;
        }
    }
    return true;
}

void Importer::importFile(const fs::path& path, bool named)
{
    m_file = path.string();
    m_snap.files.push_back({ m_file, 0, {}, 0, false, {}, {} });
    const std::size_t index = m_snap.files.size() - 1;
    auto finish = [&] {
        ++m_filesDone;
        if (m_options.progress)
            m_options.progress(m_filesDone, m_filesTotal);
    };
    auto skip = [&](std::string reason) {
        m_snap.files[index].skipped = true;
        m_snap.files[index].reason = std::move(reason);
    };
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) {
        // Listed a moment ago: the folder changed while it was read (a sync tool, a second export).
        diag(Diagnostic::Level::Error, {},
            "cannot read the file: " + ec.message()
                + (ec == std::errc::no_such_file_or_directory ? " (it disappeared while the export was read)" : ""));
        skip("unreadable");
        return finish();
    }
    m_snap.files[index].size = size;
    if (size == 0) {
        diag(Diagnostic::Level::Error, {}, "the file is empty (0 bytes)");
        skip("empty file");
        return finish();
    }
    if (size > m_options.maxFileSize) {
        diag(Diagnostic::Level::Error, {},
            "the file is " + std::to_string(size >> 20) + " MiB, larger than the limit of "
                + std::to_string(m_options.maxFileSize >> 20) + " MiB; split the export");
        skip("too large");
        return finish();
    }
    simdjson::padded_string text;
    if (simdjson::padded_string::load(m_file).get(text) != simdjson::SUCCESS) {
        diag(Diagnostic::Level::Error, {}, "cannot read the file (no permission, or it changed while it was read)");
        skip("unreadable");
        return finish();
    }
    // The hash of the bytes read, on another thread while this one parses them (the import is
    // otherwise one thread); waited for before `text` changes or goes (declared after it).
    struct PendingHash
    {
        std::future<std::string> result;
        std::vector<InputFile>* files = nullptr; // by index: a reader may add files meanwhile
        std::size_t index = 0;
        void wait()
        {
            if (!result.valid())
                return;
            try {
                (*files)[index].sha256 = result.get();
            } catch (...) { // no memory for the digest's text: the identity is made from the file later
            }
        }
        ~PendingHash() { wait(); }
    } hash;
    if (m_options.hashFiles) {
        hash.files = &m_snap.files;
        hash.index = index;
        const std::string_view bytes(text.data(), text.size());
        constexpr std::size_t kInline = std::size_t(1) << 20; // a thread costs more than hashing a small file
        if (bytes.size() >= kInline) {
            try {
                hash.result = std::async(std::launch::async, [bytes] { return sha256(bytes); });
            } catch (const std::system_error&) { // no thread: hashed here below
            }
        }
        if (!hash.result.valid())
            m_snap.files[index].sha256 = sha256(bytes);
    }
    // Files are recognised by their content, whatever their name (.json, .tfstate, .txt or none),
    // in any Unicode encoding: Windows PowerShell writes UTF-16 with a byte order mark.
    const DecodedText decoded = decodeText(std::string_view(text.data(), text.size()));
    if (!decoded.error.empty()) {
        diag(Diagnostic::Level::Error, {}, "the file cannot be decoded as " + decoded.encoding + ": " + decoded.error);
        skip("cannot be decoded");
        return finish();
    }
    if (decoded.converted || decoded.bomSize) {
        hash.wait(); // it reads the bytes about to be replaced
        text = decoded.converted
            ? simdjson::padded_string(decoded.text)
            : simdjson::padded_string(text.data() + decoded.bomSize, text.size() - decoded.bomSize);
    }
    {
        std::size_t i = 0;
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text.data()[i])))
            ++i;
        const bool jsonStart = i < text.size() && (text.data()[i] == '{' || text.data()[i] == '[');
        // In a folder, a file that does not begin like a JSON document is another kind of file (a
        // README, a Terraform source); one named on the command line, or called .json, is read.
        if (!jsonStart && !named && toLower(path.extension().string()) != ".json") {
            skip("not a JSON document");
            return finish();
        }
    }
    simdjson::dom::element root;
    if (auto err = m_parser.parse(text).get(root); err != simdjson::SUCCESS) {
        JsonSyntaxError error;
        if (err == simdjson::DEPTH_ERROR
            && findDepthError(std::string_view(text.data(), text.size()), m_options.maxDepth, error)) {
            m_snap.diagnostics.push_back({ Diagnostic::Level::Error, { m_file, {}, error.line, error.column },
                "too deeply nested (at byte " + std::to_string(error.byte) + "): " + error.message });
            skip("too deeply nested");
            return finish();
        }
        if (!findJsonError(std::string_view(text.data(), text.size()), error))
            error.message = simdjson::error_message(err); // simdjson refuses what nlohmann accepts
        m_snap.diagnostics.push_back(jsonSyntaxDiagnostic(error, m_file));
        skip("invalid JSON");
        return finish();
    }
    Document doc;
    doc.file = m_file;
    doc.input = &m_snap.files[index];
    doc.named = named;
    doc.root = root;
    doc.text = &text;
    for (const auto& reader : m_readers)
        if (reader->recognise(root)) {
            reader->read(doc);
            break;
        }
    finish();
}

} // namespace

namespace {

std::uint64_t readNumber(const char* path)
{
    std::ifstream in(path);
    std::string text;
    if (!(in >> text) || text.empty() || !std::isdigit(static_cast<unsigned char>(text[0])))
        return 0; // absent, or "max"
    return std::stoull(text);
}

// The room left under a limit, 0 when there is no limit or it cannot be read.
std::uint64_t roomUnder(std::uint64_t limit, std::uint64_t used)
{
    if (limit == 0 || limit >= (std::uint64_t(1) << 60))
        return 0;
    return limit > used ? limit - used : 1;
}

// Every byte of every file the inputs name: what the memory estimate is made from.
std::uint64_t totalSize(const std::vector<std::vector<InputEntry>>& inputs)
{
    std::uint64_t total = 0;
    for (const auto& files : inputs)
        for (const auto& f : files) {
            std::error_code ec;
            const auto size = fs::file_size(f.path, ec);
            if (!ec)
                total += size;
        }
    return total;
}

// The rule lists past the limits are cut: the analysis of one list grows with the square of its
// length, so a damaged export with a million rules in an NSG would not finish.
void limitRules(Snapshot& snap, const ImportOptions& options)
{
    std::vector<NetworkSecurityGroup*> lists;
    for (auto& [id, nsg] : snap.nsgs)
        lists.push_back(&nsg);
    std::sort(lists.begin(), lists.end(), [](const auto* a, const auto* b) { return a->id < b->id; });
    std::size_t total = 0;
    for (auto* nsg : lists) {
        std::size_t keep = std::min(nsg->rules.size(), options.maxRulesPerList);
        const bool overTotal = total + keep > options.maxRules;
        if (overTotal)
            keep = options.maxRules > total ? options.maxRules - total : 0;
        if (keep < nsg->rules.size()) {
            const std::string why = overTotal
                ? "the snapshot's rules in all would pass the limit of " + std::to_string(options.maxRules)
                : "more than the limit of " + std::to_string(options.maxRulesPerList)
                    + " in one list (Azure allows 1,000 per NSG, AWS 1,000 per security group)";
            snap.diagnostics.push_back({ Diagnostic::Level::Error, nsg->where,
                nsg->name + " has " + std::to_string(nsg->rules.size()) + " rules, " + why + "; only its first "
                    + std::to_string(keep) + " are analysed and the verdicts on what it filters are unreliable" });
            nsg->rules.resize(keep);
        }
        total += keep;
    }
}

} // namespace

std::uint64_t availableMemory()
{
    std::uint64_t available = 0;
    auto consider = [&](std::uint64_t room) {
        if (room && (available == 0 || room < available))
            available = room;
    };
    {
        std::ifstream meminfo("/proc/meminfo");
        std::string key;
        std::uint64_t kib = 0;
        std::string unit;
        while (meminfo >> key >> kib >> unit)
            if (key == "MemAvailable:") {
                consider(kib << 10);
                break;
            }
    }
    // cgroup v2, then v1: a container's or a systemd unit's limit.
    consider(roomUnder(readNumber("/sys/fs/cgroup/memory.max"), readNumber("/sys/fs/cgroup/memory.current")));
    consider(roomUnder(readNumber("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
        readNumber("/sys/fs/cgroup/memory/memory.usage_in_bytes")));
    rlimit as {};
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) {
        std::ifstream statm("/proc/self/statm");
        std::uint64_t pages = 0;
        statm >> pages;
        consider(roomUnder(as.rlim_cur, pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE))));
    }
    return available;
}

Snapshot importSnapshot(const std::vector<std::string>& inputs, const ImportOptions& options)
{
    Snapshot snap;
    Importer importer(snap, options);
    std::string names;
    for (const auto& i : inputs)
        names += (names.empty() ? "" : ", ") + i;
    // No exception crosses the core API: anything unexpected becomes a diagnostic.
    try {
        std::vector<std::vector<InputEntry>> files;
        for (const auto& input : inputs)
            files.push_back(importer.collect(input));
        // Refuse what cannot fit before reading any of it: past the memory there is, the kernel's
        // out-of-memory killer ends the program (or another) without a word.
        const std::uint64_t size = totalSize(files);
        const std::uint64_t budget = options.memoryBudget ? options.memoryBudget : availableMemory();
        const std::uint64_t needed = size * kMemoryPerInputByte + (std::uint64_t(64) << 20);
        if (budget && needed > budget) {
            snap.diagnostics.push_back({ Diagnostic::Level::Error, { names, {}, 0, 0 },
                "the export is " + mib(size) + "; reading and analysing it needs about " + mib(needed) + " of memory ("
                    + std::to_string(kMemoryPerInputByte) + " times its size), more than the " + mib(budget)
                    + " available: analyse it in parts (by subscription or account) or on a larger "
                      "machine" });
            return snap;
        }
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            if (options.cancel && options.cancel->load())
                break;
            try {
                if (!importer.importFiles(files[i]))
                    break;
            } catch (const std::bad_alloc&) {
                throw;
            } catch (const std::exception& e) {
                snap.diagnostics.push_back({ Diagnostic::Level::Error, { inputs[i], {}, 0, 0 },
                    std::string("internal error while reading: ") + e.what() });
            }
        }
        if (options.cancel && options.cancel->load()) {
            snap.diagnostics.push_back({ Diagnostic::Level::Error, { names, {}, 0, 0 }, "import cancelled" });
            return snap;
        }
        profilePhase("import: read files");
        importer.link();
        limitRules(snap, options);
        profilePhase("import: link");
    } catch (const std::bad_alloc&) {
        // The estimate let it through but memory ran out (other programs took it meanwhile, or the
        // export is unusual): give the memory back and say so, instead of a crash.
        const std::size_t resources = snap.resourceCount();
        std::vector<Diagnostic> diagnostics = std::move(snap.diagnostics);
        std::vector<InputFile> read = std::move(snap.files);
        snap = Snapshot();
        snap.files = std::move(read);
        snap.diagnostics = std::move(diagnostics);
        snap.diagnostics.push_back({ Diagnostic::Level::Error, { names, {}, 0, 0 },
            "out of memory after reading " + std::to_string(resources)
                + " resources; nothing of the export is analysed: analyse it in parts (by subscription or "
                  "account) or on a larger machine" });
        return snap;
    }
    // The prior state of a plan that creates everything is empty, and rightly so: nothing existed.
    const bool emptyPrior = options.terraformPlanSide == TerraformPlanSide::Prior && !snap.files.empty()
        && std::all_of(
            snap.files.begin(), snap.files.end(), [](const InputFile& f) { return f.format == "terraform-plan"; });
    if (snap.resourceCount() == 0 && !snap.hasErrors() && !emptyPrior)
        snap.diagnostics.push_back({ Diagnostic::Level::Error, { names, {}, 0, 0 },
            "no Azure or AWS network or compute resources were found in the input" });
    return snap;
}

bool isTerraformPlan(const Snapshot& snapshot)
{
    return snapshot.files.size() == 1 && snapshot.files.front().format == "terraform-plan";
}

void applyPlan(Snapshot& exportSnapshot, const Snapshot& prior, const Snapshot& planned)
{
    auto apply = [](auto& into, const auto& before, const auto& after) {
        for (const auto& [id, v] : before)
            if (!after.count(id))
                into.erase(id);
        for (const auto& [id, v] : after)
            into[id] = v;
    };
    Snapshot& s = exportSnapshot;
    apply(s.vnets, prior.vnets, planned.vnets);
    apply(s.subnets, prior.subnets, planned.subnets);
    apply(s.nsgs, prior.nsgs, planned.nsgs);
    apply(s.nics, prior.nics, planned.nics);
    apply(s.publicIps, prior.publicIps, planned.publicIps);
    apply(s.loadBalancers, prior.loadBalancers, planned.loadBalancers);
    apply(s.asgs, prior.asgs, planned.asgs);
    apply(s.vms, prior.vms, planned.vms);
    apply(s.dataServices, prior.dataServices, planned.dataServices);
    apply(s.proxies, prior.proxies, planned.proxies);
    apply(s.firewallPolicies, prior.firewallPolicies, planned.firewallPolicies);
    apply(s.ipGroups, prior.ipGroups, planned.ipGroups);
    apply(s.routeTables, prior.routeTables, planned.routeTables);
    apply(s.edges, prior.edges, planned.edges);
    apply(s.privateEndpoints, prior.privateEndpoints, planned.privateEndpoints);
    apply(s.localGateways, prior.localGateways, planned.localGateways);
    apply(s.vnetGateways, prior.vnetGateways, planned.vnetGateways);
    apply(s.gatewayConnections, prior.gatewayConnections, planned.gatewayConnections);
    apply(s.prefixLists, prior.prefixLists, planned.prefixLists);
    s.diagnostics.insert(s.diagnostics.end(), planned.diagnostics.begin(), planned.diagnostics.end());
    s.files.insert(s.files.end(), planned.files.begin(), planned.files.end());
}

} // namespace ew
