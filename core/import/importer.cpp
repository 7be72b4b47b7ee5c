#include "importer.h"

#include "awsreader.h"
#include "azurereader.h"
#include "encoding.h"
#include "formatreader.h"
#include "jsonparse.h"
#include "terraformreader.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <vector>

namespace ew {

namespace fs = std::filesystem;

namespace {

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
    }

    void importPath(const std::string& input);
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

void Importer::importPath(const std::string& input)
{
    std::error_code ec;
    const fs::path p(input);
    if (fs::is_directory(p, ec)) {
        std::vector<fs::path> files;
        for (fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end; it != end;
             it.increment(ec)) {
            if (ec)
                break;
            // The snapshot's own label (exposure-snapshot.json: its date) is not part of the export.
            if (it->is_regular_file(ec) && it->path().filename() != kSnapshotLabelFile)
                files.push_back(it->path());
        }
        if (ec)
            m_snap.diagnostics.push_back(
                { Diagnostic::Level::Error, { input, {}, 0, 0 }, "cannot read the folder: " + ec.message() });
        std::sort(files.begin(), files.end());
        m_filesTotal += files.size();
        for (const auto& f : files) {
            if (m_options.cancel && m_options.cancel->load())
                return;
            importFile(f, false);
        }
        return;
    }
    if (!fs::exists(p, ec)) {
        m_snap.diagnostics.push_back({ Diagnostic::Level::Error, { input, {}, 0, 0 }, "no such file or folder" });
        return;
    }
    ++m_filesTotal;
    importFile(p, true);
}

void Importer::importFile(const fs::path& path, bool named)
{
    m_file = path.string();
    m_snap.files.push_back({ m_file, 0, {}, 0, false, {} });
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
    m_snap.files[index].size = ec ? 0 : size;
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
        diag(Diagnostic::Level::Error, {}, "cannot read the file");
        skip("unreadable");
        return finish();
    }
    // Files are recognised by their content, whatever their name (.json, .tfstate, .txt or none),
    // in any Unicode encoding: Windows PowerShell writes UTF-16 with a byte order mark.
    const DecodedText decoded = decodeText(std::string_view(text.data(), text.size()));
    if (!decoded.error.empty()) {
        diag(Diagnostic::Level::Error, {}, "the file cannot be decoded as " + decoded.encoding + ": " + decoded.error);
        skip("cannot be decoded");
        return finish();
    }
    if (decoded.converted || decoded.bomSize)
        text = decoded.converted
            ? simdjson::padded_string(decoded.text)
            : simdjson::padded_string(text.data() + decoded.bomSize, text.size() - decoded.bomSize);
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

Snapshot importSnapshot(const std::vector<std::string>& inputs, const ImportOptions& options)
{
    Snapshot snap;
    Importer importer(snap, options);
    for (const auto& input : inputs) {
        if (options.cancel && options.cancel->load())
            break;
        // No exception crosses the core API: anything unexpected becomes a diagnostic.
        try {
            importer.importPath(input);
        } catch (const std::exception& e) {
            snap.diagnostics.push_back({ Diagnostic::Level::Error, { input, {}, 0, 0 },
                std::string("internal error while reading: ") + e.what() });
        }
    }
    if (options.cancel && options.cancel->load()) {
        snap.diagnostics.push_back({ Diagnostic::Level::Error, {}, "import cancelled" });
        return snap;
    }
    importer.link();
    // The prior state of a plan that creates everything is empty, and rightly so: nothing existed.
    const bool emptyPrior = options.terraformPlanSide == TerraformPlanSide::Prior && !snap.files.empty()
        && std::all_of(
            snap.files.begin(), snap.files.end(), [](const InputFile& f) { return f.format == "terraform-plan"; });
    if (snap.resourceCount() == 0 && !snap.hasErrors() && !emptyPrior) {
        std::string names;
        for (const auto& i : inputs)
            names += (names.empty() ? "" : ", ") + i;
        snap.diagnostics.push_back({ Diagnostic::Level::Error, { names, {}, 0, 0 },
            "no Azure or AWS network or compute resources were found in the input" });
    }
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
