#include "series.h"

#include "findings/clientview.h"
#include "import/azureimporter.h"
#include "import/jsonparse.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ew {

namespace {

int daysInMonth(int year, int month)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

std::string severityText(const std::optional<Severity>& s)
{
    return s ? severityName(*s) : "-";
}

} // namespace

bool isIsoDate(std::string_view t)
{
    if (t.size() != 10 || t[4] != '-' || t[7] != '-')
        return false;
    for (std::size_t i : { 0, 1, 2, 3, 5, 6, 8, 9 })
        if (t[i] < '0' || t[i] > '9')
            return false;
    const int year = std::stoi(std::string(t.substr(0, 4)));
    const int month = std::stoi(std::string(t.substr(5, 2)));
    const int day = std::stoi(std::string(t.substr(8, 2)));
    return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

bool readSnapshotLabel(const std::string& argument, SnapshotLabel& out, std::string& error)
{
    out = {};
    const auto eq = argument.find('=');
    if (eq == 10 && argument[4] == '-' && argument[7] == '-' && !isIsoDate(std::string_view(argument).substr(0, eq))) {
        error = argument.substr(0, eq) + " is not a calendar date (expected YYYY-MM-DD)";
        return false;
    }
    if (eq != std::string::npos && isIsoDate(std::string_view(argument).substr(0, eq))) {
        out.date = argument.substr(0, eq);
        out.folder = argument.substr(eq + 1);
        return true;
    }
    out.folder = argument;
    const auto file = (std::filesystem::path(argument) / kSnapshotLabelFile).string();
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        error = argument + ": no date for this snapshot: write it as DATE=" + argument + " or put " + kSnapshotLabelFile
            + " ({\"date\": \"YYYY-MM-DD\"}) in the folder";
        return false;
    }
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    nlohmann::json doc;
    std::vector<Diagnostic> diags;
    if (!parseJson(text, file, doc, diags)) {
        error = diags.front().where.toString() + ": " + diags.front().message;
        return false;
    }
    if (!doc.is_object()) {
        error = file + ": not a JSON object";
        return false;
    }
    auto date = doc.find("date");
    if (date == doc.end() || !date->is_string() || !isIsoDate(date->get<std::string>())) {
        error = file + "#/date: expected a date written YYYY-MM-DD";
        return false;
    }
    out.date = date->get<std::string>();
    if (auto label = doc.find("label"); label != doc.end() && label->is_string())
        out.label = label->get<std::string>();
    return true;
}

std::optional<SnapshotLabel> labelOfInput(const std::string& input)
{
    std::error_code ec;
    const std::filesystem::path path(input);
    const auto folder = std::filesystem::is_directory(path, ec) ? path : path.parent_path();
    SnapshotLabel label;
    std::string error;
    if (!readSnapshotLabel(folder.string(), label, error))
        return std::nullopt;
    return label;
}

const char* baselineStatusName(BaselineStatus s)
{
    switch (s) {
    case BaselineStatus::New:
        return "new";
    case BaselineStatus::Worse:
        return "worse";
    case BaselineStatus::Known:
        return "known";
    case BaselineStatus::Accepted:
        return "accepted";
    }
    return "new";
}

std::map<std::string, BaselineStatus> compareWithBaseline(
    const AnalysisResult& now, const AnalysisResult* baseline, const std::map<std::string, Decision>* decisions)
{
    std::map<std::string, const Finding*> before;
    if (baseline)
        for (const auto& f : baseline->findings)
            before.emplace(f.id, &f);
    std::vector<const Finding*> baselineAll;
    if (baseline)
        for (const auto& f : baseline->findings)
            baselineAll.push_back(&f);
    std::map<std::string, BaselineStatus> out;
    for (const auto& f : now.findings) {
        if (decisions) {
            auto d = decisions->find(f.id);
            if (d != decisions->end()
                && (d->second.state == TriageState::AcceptedRisk || d->second.state == TriageState::FalsePositive)) {
                out[f.id] = BaselineStatus::Accepted;
                continue;
            }
        }
        auto b = before.find(f.id);
        if (b == before.end()) {
            // Two-hop exposure the baseline already had as part of a direct finding is not new.
            out[f.id] = coveredByOthers(f, baselineAll) ? BaselineStatus::Known : BaselineStatus::New;
            continue;
        }
        // Wider: more severe, or some packet gets through that did not before. Two-hop findings
        // carry the foothold's addresses as sources, which differ when another foothold is shown:
        // for them the ports and whether the whole internet is behind them count.
        const Finding& was = *b->second;
        bool wider = f.severity > was.severity || (f.wholeInternet && !was.wholeInternet);
        if (f.hops == 2 || was.hops == 2) {
            PortSet earlier;
            for (const auto& r : was.ports)
                earlier.add(r.first, r.last);
            for (const auto& r : f.ports)
                for (auto p = r.first; p <= r.last && !wider; ++p)
                    wider = !earlier.contains(p);
        } else if (f.packets && was.packets) {
            wider = wider || !f.packets->subtracted(*was.packets).isEmpty();
        } else {
            // A baseline read from findings JSON has no packets: what the findings report is compared.
            // Sources and ports are exact there (clientView); ICMP types are compared as written.
            wider = wider || !reportedView(f).subtracted(reportedView(was)).isEmpty()
                || (f.protocol == "icmp" && f.icmpTypes != was.icmpTypes && !was.icmpTypes.empty());
        }
        out[f.id] = wider ? BaselineStatus::Worse : BaselineStatus::Known;
    }
    return out;
}

Timeline buildTimeline(const std::vector<SnapshotLabel>& snapshots, const std::vector<const AnalysisResult*>& results)
{
    Timeline t;
    t.snapshots = snapshots;
    const std::size_t n = results.size();
    std::map<std::string, FindingHistory> byId;
    std::map<std::string, Severity> latestSeverity;
    for (std::size_t i = 0; i < n; ++i)
        for (const auto& f : results[i]->findings) {
            auto& h = byId[f.id];
            if (h.id.empty()) {
                h.id = f.id;
                h.severities.assign(n, std::nullopt);
            }
            h.target = f.target.name;
            h.severities[i] = f.severity;
        }
    // A two-hop finding absent from a snapshot because a direct finding of its target covered it
    // there (coveredByOthers) was exposed all the same: its "exposed since" runs through.
    std::vector<std::vector<const Finding*>> all(n);
    std::map<std::string, const Finding*> anyInstance;
    for (std::size_t i = 0; i < n; ++i)
        for (const auto& f : results[i]->findings) {
            all[i].push_back(&f);
            if (f.hops > 1)
                anyInstance[f.id] = &f;
        }
    for (auto& [id, h] : byId) {
        for (std::size_t i = 0; i < n; ++i)
            if (h.severities[i]) {
                if (h.firstSeen.empty())
                    h.firstSeen = snapshots[i].date;
                h.lastSeen = snapshots[i].date;
            }
        if (n == 0 || !h.severities[n - 1])
            continue;
        const auto instance = anyInstance.find(id);
        auto exposedAt = [&, &history = h](std::size_t i) {
            return history.severities[i].has_value()
                || (instance != anyInstance.end() && coveredByOthers(*instance->second, all[i]));
        };
        std::size_t run = n - 1;
        while (run > 0 && exposedAt(run - 1))
            --run;
        h.exposedSince = snapshots[run].date;
        std::size_t same = n - 1;
        while (same > 0 && h.severities[same - 1] && *h.severities[same - 1] == *h.severities[n - 1])
            --same;
        h.atSeveritySince = snapshots[same].date;
    }
    for (auto& [id, h] : byId)
        t.findings.push_back(std::move(h));
    std::stable_sort(t.findings.begin(), t.findings.end(), [n](const FindingHistory& a, const FindingHistory& b) {
        const auto sa = n ? a.severities[n - 1] : std::nullopt;
        const auto sb = n ? b.severities[n - 1] : std::nullopt;
        if (sa.has_value() != sb.has_value())
            return sa.has_value();
        if (sa && *sa != *sb)
            return *sa > *sb;
        if (a.exposedSince != b.exposedSince)
            return a.exposedSince < b.exposedSince;
        return a.target < b.target;
    });
    return t;
}

nlohmann::json timelineJson(const Timeline& t)
{
    using nlohmann::ordered_json;
    ordered_json doc;
    doc["schema"] = "exposure-timeline/1";
    ordered_json snaps = ordered_json::array();
    for (const auto& s : t.snapshots)
        snaps.push_back({ { "date", s.date }, { "label", s.label }, { "folder", s.folder } });
    doc["snapshots"] = std::move(snaps);
    ordered_json findings = ordered_json::array();
    for (const auto& h : t.findings) {
        ordered_json o;
        o["id"] = h.id;
        o["target"] = h.target;
        o["open"] = !h.exposedSince.empty();
        o["firstSeen"] = h.firstSeen;
        o["lastSeen"] = h.lastSeen;
        o["exposedSince"] = h.exposedSince.empty() ? ordered_json(nullptr) : ordered_json(h.exposedSince);
        o["atSeveritySince"] = h.atSeveritySince.empty() ? ordered_json(nullptr) : ordered_json(h.atSeveritySince);
        ordered_json sev = ordered_json::array();
        for (const auto& s : h.severities)
            sev.push_back(s ? ordered_json(severityName(*s)) : ordered_json(nullptr));
        o["severities"] = std::move(sev);
        findings.push_back(std::move(o));
    }
    doc["findings"] = std::move(findings);
    return nlohmann::json::parse(doc.dump());
}

std::string timelineText(const Timeline& t)
{
    std::ostringstream out;
    out << "Exposure timeline over " << t.snapshots.size() << " snapshot(s):";
    for (const auto& s : t.snapshots)
        out << " " << s.date;
    out << "\n\n";
    for (const auto& h : t.findings) {
        const auto last = h.severities.empty() ? std::nullopt : h.severities.back();
        if (last) {
            out << "[" << severityName(*last) << "] " << h.target << "  " << h.id << "\n  exposed since "
                << h.exposedSince;
            if (h.atSeveritySince != h.exposedSince)
                out << "; " << severityName(*last) << " since " << h.atSeveritySince;
        } else {
            out << "[closed] " << h.target << "  " << h.id << "\n  seen " << h.firstSeen << " to " << h.lastSeen;
        }
        out << "\n ";
        for (std::size_t i = 0; i < h.severities.size(); ++i)
            out << " " << t.snapshots[i].date << " " << severityText(h.severities[i])
                << (i + 1 < h.severities.size() ? "," : "");
        out << "\n\n";
    }
    if (t.findings.empty())
        out << "No exposures in any snapshot.\n";
    return out.str();
}

std::string timelineMarkdown(const Timeline& t)
{
    std::ostringstream out;
    out << "# Exposure timeline\n\n| Finding | Target | Exposed since | ";
    for (const auto& s : t.snapshots)
        out << s.date << " | ";
    out << "\n|---|---|---|";
    for (std::size_t i = 0; i < t.snapshots.size(); ++i)
        out << "---|";
    out << "\n";
    for (const auto& h : t.findings) {
        out << "| " << h.id << " | " << h.target << " | "
            << (h.exposedSince.empty() ? "closed (last seen " + h.lastSeen + ")" : h.exposedSince) << " | ";
        for (const auto& s : h.severities)
            out << severityText(s) << " | ";
        out << "\n";
    }
    return out.str();
}

} // namespace ew
