#include "review.h"

#include "findings/finding.h"
#include "import/jsonparse.h"

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

namespace ew {

namespace {

constexpr std::array<const char*, kTriageStateCount> kNames
    = { "new", "confirmed", "accepted-risk", "false-positive", "fixed" };
constexpr std::array<const char*, kTriageStateCount> kTitles
    = { "New", "Confirmed", "Accepted risk", "False positive", "Fixed" };

// FIPS 180-4, section 4.2.2: the first 32 bits of the fractional parts of the cube roots of the
// first 64 primes.
constexpr std::array<std::uint32_t, 64> kK = { 0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
    0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
    0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c,
    0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2 };

class Sha256
{
public:
    void update(const unsigned char* data, std::size_t n)
    {
        m_length += n;
        while (n > 0) {
            const std::size_t take = std::min(n, std::size_t(64) - m_used);
            std::memcpy(m_block.data() + m_used, data, take);
            m_used += take;
            data += take;
            n -= take;
            if (m_used == 64) {
                compress();
                m_used = 0;
            }
        }
    }
    std::string hex()
    {
        const std::uint64_t bits = m_length * 8;
        const unsigned char one = 0x80;
        update(&one, 1);
        const unsigned char zero = 0;
        while (m_used != 56)
            update(&zero, 1);
        for (int i = 7; i >= 0; --i) {
            const auto b = static_cast<unsigned char>(bits >> (i * 8));
            update(&b, 1);
        }
        static const char* digits = "0123456789abcdef";
        std::string out;
        for (auto word : m_h)
            for (int i = 28; i >= 0; i -= 4)
                out += digits[(word >> i) & 0xf];
        return out;
    }

private:
    static std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }
    void compress()
    {
        std::array<std::uint32_t, 64> w {};
        for (std::size_t i = 0; i < 16; ++i)
            w[i] = std::uint32_t(m_block[i * 4]) << 24 | std::uint32_t(m_block[i * 4 + 1]) << 16
                | std::uint32_t(m_block[i * 4 + 2]) << 8 | std::uint32_t(m_block[i * 4 + 3]);
        for (int i = 16; i < 64; ++i) {
            const auto s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const auto s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        auto [a, b, c, d, e, f, g, h] = m_h;
        for (int i = 0; i < 64; ++i) {
            const auto t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + kK[i] + w[i];
            const auto t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        const std::array<std::uint32_t, 8> add = { a, b, c, d, e, f, g, h };
        for (int i = 0; i < 8; ++i)
            m_h[i] += add[i];
    }
    std::array<std::uint32_t, 8> m_h
        = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    std::array<unsigned char, 64> m_block {};
    std::size_t m_used = 0;
    std::uint64_t m_length = 0;
};

// Reads one typed member; records a diagnostic when present with the wrong type.
class Reader
{
public:
    Reader(std::string file, std::vector<Diagnostic>& diags)
        : m_file(std::move(file))
        , m_diags(diags)
    { }
    bool ok() const { return m_ok; }
    std::string at; // the entry being read (a JSON pointer), for an error of the JSON library
    void error(const std::string& pointer, const std::string& message)
    {
        m_ok = false;
        Diagnostic d;
        d.level = Diagnostic::Level::Error;
        d.where.file = m_file;
        d.where.pointer = pointer;
        d.message = message;
        m_diags.push_back(std::move(d));
    }
    std::string string(const nlohmann::json& obj, const char* key, const std::string& pointer, bool required = false)
    {
        auto it = obj.find(key);
        if (it == obj.end() || it->is_null()) {
            if (required)
                error(pointer, std::string("missing \"") + key + "\"");
            return {};
        }
        if (!it->is_string()) {
            error(pointer + "/" + key, std::string("\"") + key + "\" must be a string, not " + it->type_name());
            return {};
        }
        return it->get<std::string>();
    }
    const nlohmann::json* array(const nlohmann::json& obj, const char* key, const std::string& pointer)
    {
        auto it = obj.find(key);
        if (it == obj.end() || it->is_null())
            return nullptr;
        if (!it->is_array()) {
            error(pointer + "/" + key, std::string("\"") + key + "\" must be an array, not " + it->type_name());
            return nullptr;
        }
        return &*it;
    }

private:
    std::string m_file;
    std::vector<Diagnostic>& m_diags;
    bool m_ok = true;
};

} // namespace

const char* triageStateName(TriageState s)
{
    return kNames[static_cast<std::size_t>(s)];
}

const char* triageStateTitle(TriageState s)
{
    return kTitles[static_cast<std::size_t>(s)];
}

bool parseTriageState(std::string_view text, TriageState& out)
{
    for (std::size_t i = 0; i < kNames.size(); ++i)
        if (text == kNames[i]) {
            out = static_cast<TriageState>(i);
            return true;
        }
    return false;
}

std::string sha256(std::string_view bytes)
{
    Sha256 h;
    h.update(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    return h.hex();
}

std::string sha256OfFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return {};
    Sha256 h;
    std::array<char, 1 << 16> buf {};
    while (in) {
        in.read(buf.data(), buf.size());
        h.update(reinterpret_cast<const unsigned char*>(buf.data()), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad())
        return {};
    return h.hex();
}

std::vector<SnapshotFile> snapshotIdentity(const std::vector<InputFile>& files, const std::string& baseDir)
{
    namespace fs = std::filesystem;
    std::vector<SnapshotFile> out;
    std::error_code ec;
    const fs::path base = baseDir.empty() ? fs::path() : fs::weakly_canonical(fs::path(baseDir), ec);
    for (const auto& in : files) {
        SnapshotFile f;
        const fs::path abs = fs::weakly_canonical(fs::path(in.path), ec);
        fs::path rel = base.empty() ? abs : abs.lexically_relative(base);
        f.path = (rel.empty() || rel.native().starts_with("..")) ? abs.generic_string() : rel.generic_string();
        if (!in.sha256.empty()) {
            f.size = in.size;
            f.sha256 = in.sha256;
        } else {
            f.size = fs::file_size(abs, ec);
            if (ec)
                f.size = 0;
            f.sha256 = sha256OfFile(abs.string());
        }
        out.push_back(std::move(f));
    }
    std::sort(out.begin(), out.end(), [](const SnapshotFile& a, const SnapshotFile& b) { return a.path < b.path; });
    return out;
}

std::vector<SnapshotFile> snapshotIdentity(const std::vector<std::string>& filePaths, const std::string& baseDir)
{
    std::vector<InputFile> files;
    files.reserve(filePaths.size());
    for (const auto& p : filePaths) {
        files.emplace_back();
        files.back().path = p;
    }
    return snapshotIdentity(files, baseDir);
}

std::vector<std::string> compareIdentity(
    const std::vector<SnapshotFile>& recorded, const std::vector<SnapshotFile>& now)
{
    std::vector<std::string> out;
    std::map<std::string, const SnapshotFile*> current;
    for (const auto& f : now)
        current[f.path] = &f;
    std::set<std::string> seen;
    for (const auto& r : recorded) {
        seen.insert(r.path);
        auto it = current.find(r.path);
        if (it == current.end())
            out.push_back(r.path + " was part of the reviewed snapshot and is missing now");
        else if (it->second->sha256 != r.sha256)
            out.push_back(r.path + " changed since the review (SHA-256 differs)");
    }
    for (const auto& f : now)
        if (!seen.count(f.path))
            out.push_back(f.path + " is new: it was not part of the reviewed snapshot");
    return out;
}

bool looksLikeReview(std::string_view head)
{
    return head.find("\"exposure-review/") != std::string_view::npos;
}

std::string serialiseReview(const Review& r)
{
    using nlohmann::ordered_json;
    ordered_json doc;
    doc["schema"] = Review::kSchema;
    doc["title"] = r.title;
    doc["reviewer"] = r.reviewer;
    doc["created"] = r.created;
    doc["modified"] = r.modified;
    ordered_json snap;
    snap["inputs"] = r.inputs;
    ordered_json files = ordered_json::array();
    for (const auto& f : r.files)
        files.push_back({ { "path", f.path }, { "size", f.size }, { "sha256", f.sha256 } });
    snap["files"] = std::move(files);
    doc["snapshot"] = std::move(snap);
    ordered_json stores = ordered_json::array();
    for (const auto& [id, engine] : r.dataStores)
        stores.push_back(
            { { "resource", id }, { "engine", engine.empty() ? ordered_json(nullptr) : ordered_json(engine) } });
    doc["dataStores"] = std::move(stores);
    ordered_json decisions = ordered_json::array();
    for (const auto& [id, d] : r.decisions) {
        ordered_json o;
        o["finding"] = id;
        o["state"] = triageStateName(d.state);
        o["owner"] = d.owner;
        o["note"] = d.note;
        o["updated"] = d.updated;
        o["target"] = d.target;
        o["severity"] = d.severity;
        if (!d.due.empty())
            o["due"] = d.due;
        if (!d.expires.empty())
            o["expires"] = d.expires;
        decisions.push_back(std::move(o));
    }
    doc["decisions"] = std::move(decisions);
    ordered_json history = ordered_json::array();
    for (const auto& h : r.history) {
        ordered_json o;
        o["date"] = h.date;
        o["label"] = h.label;
        o["inputs"] = h.inputs;
        ordered_json findings = ordered_json::object();
        for (const auto& [id, severity] : h.findings)
            findings[id] = severity;
        o["findings"] = std::move(findings);
        history.push_back(std::move(o));
    }
    doc["history"] = std::move(history);
    ordered_json scenarios = ordered_json::array();
    for (const auto& sc : r.scenarios) {
        ordered_json o;
        o["name"] = sc.name;
        ordered_json edits = ordered_json::array();
        for (const auto& e : sc.edits)
            edits.push_back(ordered_json::parse(editJson(e).dump()));
        o["edits"] = std::move(edits);
        scenarios.push_back(std::move(o));
    }
    doc["scenarios"] = std::move(scenarios);
    return doc.dump(2) + "\n";
}

namespace {

// Reads a parsed review into r; every problem goes to rd.
bool readReviewDocument(const nlohmann::json& doc, Reader& rd, Review& r)
{
    if (!doc.is_object()) {
        rd.error("", std::string("a review is a JSON object, not ") + doc.type_name());
        return false;
    }
    const std::string schema = rd.string(doc, "schema", "", true);
    if (!rd.ok())
        return false;
    if (schema != Review::kSchema) {
        rd.error("/schema", "unknown review schema \"" + schema + "\" (this version reads " + Review::kSchema + ")");
        return false;
    }
    r.title = rd.string(doc, "title", "");
    r.reviewer = rd.string(doc, "reviewer", "");
    r.created = rd.string(doc, "created", "");
    r.modified = rd.string(doc, "modified", "");
    if (auto it = doc.find("snapshot"); it != doc.end()) {
        if (!it->is_object()) {
            rd.error("/snapshot", "\"snapshot\" must be an object");
        } else {
            if (const auto* inputs = rd.array(*it, "inputs", "/snapshot"))
                for (std::size_t i = 0; i < inputs->size(); ++i) {
                    if (!(*inputs)[i].is_string())
                        rd.error("/snapshot/inputs/" + std::to_string(i), "an input must be a path string");
                    else
                        r.inputs.push_back((*inputs)[i].get<std::string>());
                }
            if (const auto* files = rd.array(*it, "files", "/snapshot"))
                for (std::size_t i = 0; i < files->size(); ++i) {
                    const std::string ptr = rd.at = "/snapshot/files/" + std::to_string(i);
                    const auto& f = (*files)[i];
                    if (!f.is_object()) {
                        rd.error(ptr, "a file entry must be an object");
                        continue;
                    }
                    SnapshotFile sf;
                    sf.path = rd.string(f, "path", ptr, true);
                    sf.sha256 = rd.string(f, "sha256", ptr);
                    if (auto s = f.find("size"); s != f.end()) {
                        if (!s->is_number_unsigned())
                            rd.error(ptr + "/size", "\"size\" must be a non-negative integer");
                        else
                            sf.size = s->get<std::uint64_t>();
                    }
                    r.files.push_back(std::move(sf));
                }
        }
    }
    if (const auto* stores = rd.array(doc, "dataStores", ""))
        for (std::size_t i = 0; i < stores->size(); ++i) {
            const std::string ptr = rd.at = "/dataStores/" + std::to_string(i);
            const auto& s = (*stores)[i];
            if (!s.is_object()) {
                rd.error(ptr, "a data-store marking must be an object");
                continue;
            }
            const std::string id = rd.string(s, "resource", ptr, true);
            r.dataStores[id] = rd.string(s, "engine", ptr);
        }
    if (const auto* decisions = rd.array(doc, "decisions", ""))
        for (std::size_t i = 0; i < decisions->size(); ++i) {
            const std::string ptr = rd.at = "/decisions/" + std::to_string(i);
            const auto& d = (*decisions)[i];
            if (!d.is_object()) {
                rd.error(ptr, "a decision must be an object");
                continue;
            }
            const std::string id = rd.string(d, "finding", ptr, true);
            Decision dec;
            const std::string state = rd.string(d, "state", ptr, true);
            if (!state.empty() && !parseTriageState(state, dec.state))
                rd.error(ptr + "/state",
                    "unknown triage state \"" + state + "\" (new, confirmed, accepted-risk, false-positive, fixed)");
            dec.owner = rd.string(d, "owner", ptr);
            dec.note = rd.string(d, "note", ptr);
            dec.updated = rd.string(d, "updated", ptr);
            dec.target = rd.string(d, "target", ptr);
            dec.severity = rd.string(d, "severity", ptr);
            dec.due = rd.string(d, "due", ptr);
            dec.expires = rd.string(d, "expires", ptr);
            for (const auto& [key, value] : { std::pair { "due", &dec.due }, std::pair { "expires", &dec.expires } })
                if (!value->empty() && !isIsoDate(*value)) {
                    rd.error(ptr + "/" + key, std::string("\"") + key + "\" must be a date written YYYY-MM-DD");
                    value->clear();
                }
            if (!id.empty() && r.decisions.count(id))
                rd.error(ptr + "/finding", "finding " + id + " is decided twice");
            else if (!id.empty())
                r.decisions[id] = std::move(dec);
        }
    if (const auto* history = rd.array(doc, "history", ""))
        for (std::size_t i = 0; i < history->size(); ++i) {
            const std::string ptr = rd.at = "/history/" + std::to_string(i);
            const auto& h = (*history)[i];
            if (!h.is_object()) {
                rd.error(ptr, "a history entry must be an object");
                continue;
            }
            ReviewedSnapshot snap;
            snap.date = rd.string(h, "date", ptr, true);
            snap.label = rd.string(h, "label", ptr);
            if (const auto* inputs = rd.array(h, "inputs", ptr))
                for (const auto& in : *inputs)
                    if (in.is_string())
                        snap.inputs.push_back(in.get<std::string>());
            if (auto f = h.find("findings"); f != h.end() && !f->is_null()) {
                if (!f->is_object())
                    rd.error(ptr + "/findings", "\"findings\" must be an object of finding id -> severity");
                else
                    for (const auto& [id, severity] : f->items()) {
                        Severity parsed;
                        if (!severity.is_string() || !parseSeverity(severity.get<std::string>(), parsed))
                            rd.error(
                                ptr + "/findings/" + id, "expected a severity (critical, high, medium, low, info)");
                        else
                            snap.findings[id] = severity.get<std::string>();
                    }
            }
            r.history.push_back(std::move(snap));
        }
    if (const auto* scenarios = rd.array(doc, "scenarios", ""))
        for (std::size_t i = 0; i < scenarios->size(); ++i) {
            const std::string ptr = rd.at = "/scenarios/" + std::to_string(i);
            const auto& sc = (*scenarios)[i];
            if (!sc.is_object()) {
                rd.error(ptr, "a scenario must be an object");
                continue;
            }
            Scenario scenario;
            scenario.name = rd.string(sc, "name", ptr, true);
            if (const auto* edits = rd.array(sc, "edits", ptr))
                for (std::size_t j = 0; j < edits->size(); ++j) {
                    WhatIfEdit e;
                    std::string error;
                    if (!editFromJson((*edits)[j], e, error))
                        rd.error(ptr + "/edits/" + std::to_string(j), error);
                    else
                        scenario.edits.push_back(std::move(e));
                }
            r.scenarios.push_back(std::move(scenario));
        }
    return rd.ok();
}

} // namespace

bool parseReview(std::string_view text, const std::string& fileName, Review& out, std::vector<Diagnostic>& diags)
{
    nlohmann::json doc;
    if (!parseJson(text, fileName, doc, diags))
        return false;
    Reader rd(fileName, diags);
    Review r;
    try {
        if (!readReviewDocument(doc, rd, r))
            return false;
    } catch (const nlohmann::json::exception& e) {
        // Every value is type-checked before it is read; should one still slip through, the file and
        // the entry being read are named instead of the exception ending the program.
        diags.push_back(jsonErrorDiagnostic(e, fileName, rd.at));
        return false;
    }
    out = std::move(r);
    return true;
}

bool isIsoDate(const std::string& text)
{
    if (text.size() != 10 || text[4] != '-' || text[7] != '-')
        return false;
    for (std::size_t i : { 0, 1, 2, 3, 5, 6, 8, 9 })
        if (text[i] < '0' || text[i] > '9')
            return false;
    const std::chrono::year_month_day day { std::chrono::year(std::stoi(text.substr(0, 4))),
        std::chrono::month(static_cast<unsigned>(std::stoi(text.substr(5, 2)))),
        std::chrono::day(static_cast<unsigned>(std::stoi(text.substr(8, 2)))) };
    return day.ok();
}

std::string exposedSince(const std::vector<ReviewedSnapshot>& snapshots, const std::string& findingId)
{
    for (const auto& s : snapshots)
        if (!s.date.empty() && s.findings.count(findingId))
            return s.date;
    return {};
}

Decision effectiveDecision(const Decision& d, const std::string& today)
{
    if ((d.state != TriageState::AcceptedRisk && d.state != TriageState::FalsePositive) || d.expires.empty()
        || !isIsoDate(today) || today <= d.expires)
        return d;
    Decision open = d;
    open.state = TriageState::Confirmed;
    open.note = std::string(d.state == TriageState::AcceptedRisk ? "Accepted risk" : "False positive")
        + " expired after " + d.expires + (d.note.empty() ? std::string() : ": " + d.note);
    return open;
}

std::map<std::string, Decision> effectiveDecisions(
    const std::map<std::string, Decision>& decisions, const std::string& today)
{
    std::map<std::string, Decision> out;
    for (const auto& [id, d] : decisions)
        out.emplace(id, effectiveDecision(d, today));
    return out;
}

} // namespace ew
