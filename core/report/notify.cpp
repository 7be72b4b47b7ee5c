#include "notify.h"

#include "findings/incremental.h"
#include "output/exports.h"
#include "whatif/smallestfix.h"
#include "whatif/whatif.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>
#include <sstream>

namespace ew {

using nlohmann::json;

bool DuePolicy::parse(const std::string& text, DuePolicy& out, std::string& error)
{
    DuePolicy policy;
    policy.days.clear();
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ',')) {
        const auto eq = part.find('=');
        Severity s;
        if (eq == std::string::npos || !parseSeverity(part.substr(0, eq), s)) {
            error = "\"" + part + "\" is not SEVERITY=DAYS (critical, high, medium, low or info)";
            return false;
        }
        const std::string days = part.substr(eq + 1);
        if (days.empty() || days.size() > 4
            || !std::all_of(days.begin(), days.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            error = "\"" + days + "\" is not a number of days (0-9999)";
            return false;
        }
        policy.days[s] = std::stoi(days);
    }
    out = std::move(policy);
    return true;
}

namespace {

const std::map<std::string, std::string>* tagsOf(const Snapshot& snap, const std::string& id)
{
    const std::string key = normaliseId(id);
    if (auto vm = snap.vms.find(key); vm != snap.vms.end())
        return &vm->second.tags;
    if (auto nic = snap.nics.find(key); nic != snap.nics.end())
        return &nic->second.tags;
    if (auto svc = snap.dataServices.find(key); svc != snap.dataServices.end())
        return &svc->second.tags;
    return nullptr;
}

// "payments@contoso.com" -> "payments-contoso-com": a file name on every platform.
std::string slug(const std::string& owner)
{
    std::string s;
    for (const char c : owner) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u))
            s += static_cast<char>(std::tolower(u));
        else if (!s.empty() && s.back() != '-')
            s += '-';
    }
    while (!s.empty() && s.back() == '-')
        s.pop_back();
    if (s.size() > 60)
        s.resize(60);
    return s.empty() ? "owner" : s;
}

} // namespace

bool parseOwnerMapping(
    std::string_view text, const std::string& fileName, std::vector<OwnerRule>& out, std::vector<Diagnostic>& diags)
{
    auto fail = [&](const std::string& pointer, const std::string& message) {
        diags.push_back({ Diagnostic::Level::Error, { fileName, pointer, 0, 0 }, message });
        return false;
    };
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error& e) {
        diags.push_back({ Diagnostic::Level::Error, { fileName, {}, 0, 0 },
            std::string("not JSON: ") + e.what() + " (at byte " + std::to_string(e.byte) + ")" });
        return false;
    } catch (const json::exception& e) {
        return fail({}, std::string("not JSON: ") + e.what());
    }
    if (!doc.is_object() || !doc.contains("owners") || !doc["owners"].is_array())
        return fail({}, "an owner mapping is {\"owners\": [{\"match\": \"orders-*\", \"owner\": \"team\"}, ...]}");
    std::vector<OwnerRule> rules;
    for (std::size_t i = 0; i < doc["owners"].size(); ++i) {
        const json& r = doc["owners"][i];
        const std::string at = "/owners/" + std::to_string(i);
        if (!r.is_object())
            return fail(at, "an entry must be an object with \"match\" and \"owner\"");
        const auto match = r.find("match");
        const auto owner = r.find("owner");
        if (match == r.end() || !match->is_string() || match->get<std::string>().empty())
            return fail(at + "/match", "\"match\" must be a non-empty string (a name or id, * and ? allowed)");
        if (owner == r.end() || !owner->is_string() || owner->get<std::string>().empty())
            return fail(at + "/owner", "\"owner\" must be a non-empty string");
        rules.push_back({ match->get<std::string>(), owner->get<std::string>() });
    }
    out = std::move(rules);
    return true;
}

namespace {

std::optional<std::chrono::sys_days> dayOf(const std::string& date)
{
    int y = 0;
    unsigned m = 0, d = 0;
    if (date.size() != 10 || std::sscanf(date.c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3)
        return std::nullopt;
    const std::chrono::year_month_day ymd { std::chrono::year(y), std::chrono::month(m), std::chrono::day(d) };
    if (!ymd.ok())
        return std::nullopt;
    return std::chrono::sys_days(ymd);
}

} // namespace

std::optional<int> daysBetween(const std::string& from, const std::string& to)
{
    const auto a = dayOf(from), b = dayOf(to);
    if (!a || !b)
        return std::nullopt;
    return static_cast<int>((*b - *a).count());
}

std::string addDays(const std::string& date, int days)
{
    const auto day = dayOf(date);
    if (!day)
        return {};
    const std::chrono::year_month_day due { *day + std::chrono::days(days) };
    char out[16];
    std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(due.year()), static_cast<unsigned>(due.month()),
        static_cast<unsigned>(due.day()));
    return out;
}

Notices buildNotices(const Snapshot& snapshot, const AnalysisResult& result, const NotifyOptions& options,
    const std::map<std::string, Decision>* decisions, const std::vector<ReviewedSnapshot>* history,
    const std::map<std::string, BaselineStatus>* standing)
{
    Notices notices;
    notices.date = options.date;
    std::map<std::string, OwnerNotice> byOwner;
    std::vector<std::pair<std::string, std::size_t>> fixWanted; // (owner, item index), most severe first
    for (const auto& f : result.findings) {
        const Decision* d = nullptr;
        if (decisions)
            if (auto it = decisions->find(f.id); it != decisions->end())
                d = &it->second;
        // Decided and not to be acted on: accepted risks, false positives, fixed ones.
        if (d
            && (d->state == TriageState::AcceptedRisk || d->state == TriageState::FalsePositive
                || d->state == TriageState::Fixed)) {
            ++notices.left;
            continue;
        }
        std::string baseline;
        if (standing) {
            const auto st = standing->find(f.id);
            if (st == standing->end() || (st->second != BaselineStatus::New && st->second != BaselineStatus::Worse)) {
                ++notices.left;
                continue;
            }
            baseline = baselineStatusName(st->second);
        }
        NoticeItem item;
        item.finding = &f;
        item.baseline = baseline;
        item.state = triageStateName(d ? d->state : TriageState::New);
        // The owner: the analyst's choice, then the mapping file, then the resource's tags.
        std::string owner;
        if (d && !d->owner.empty()) {
            owner = d->owner;
            item.ownerBasis = "review";
        }
        for (const auto& rule : options.mapping) {
            if (!owner.empty())
                break;
            if (const std::string pattern = toLower(rule.pattern);
                globMatch(pattern, toLower(f.target.name)) || globMatch(pattern, toLower(f.target.id))) {
                owner = rule.owner;
                item.ownerBasis = "mapping " + rule.pattern;
            }
        }
        if (owner.empty())
            if (const auto* tags = tagsOf(snapshot, f.target.id))
                for (const auto& key : options.ownerTags) {
                    for (const auto& [k, v] : *tags)
                        if (toLower(k) == toLower(key) && !v.empty()) {
                            owner = v;
                            item.ownerBasis = "tag " + k;
                            break;
                        }
                    if (!owner.empty())
                        break;
                }
        // Exposed since: the first reviewed snapshot that had the finding, else the notice's date.
        item.exposedSince = options.date;
        if (history)
            if (std::string since = exposedSince(*history, f.id); !since.empty())
                item.exposedSince = std::move(since);
        if (d && !d->due.empty())
            item.due = d->due; // the analyst's, over the policy's
        else if (auto due = options.due.days.find(f.severity); due != options.due.days.end())
            item.due = addDays(item.exposedSince, due->second);
        auto& notice = byOwner[owner];
        notice.owner = owner;
        notice.items.push_back(std::move(item));
        fixWanted.emplace_back(owner, notice.items.size() - 1);
    }
    // The smallest fix of each finding, most severe first (result.findings is in that order).
    if (!fixWanted.empty() && options.maxFixes > 0) {
        IncrementalAnalysis analysis(snapshot, options.analysis);
        // A finding that an earlier finding's fix closes too shares that fix (one rule change often
        // closes many): it is not computed again, and does not count against maxFixes.
        std::map<std::string, const NoticeItem*> closedBy;
        std::size_t done = 0;
        for (const auto& [owner, index] : fixWanted) {
            NoticeItem& item = byOwner[owner].items[index];
            if (auto earlier = closedBy.find(item.finding->id); earlier != closedBy.end()) {
                item.fix = earlier->second->fix;
                item.fixCloses = true;
                item.fixClosesIds = earlier->second->fixClosesIds;
                item.fixCommand = earlier->second->fixCommand;
                item.fixRule = earlier->second->fixRule;
                continue;
            }
            if (done == options.maxFixes)
                continue;
            ++done;
            const auto fixes = proposeFixes(analysis, item.finding->id);
            if (fixes.empty())
                continue;
            item.fix = fixes.front().title;
            item.fixCloses = fixes.front().closesFinding;
            item.fixClosesIds = fixes.front().closes;
            item.fixCommand = azCommand(fixes.front().edit, analysis.snapshot());
            // The rule it is about: the one it edits or deletes, or the allow rule of the finding in
            // the list it adds a deny to.
            // A deny added at priority p goes before the finding's allow rule with the next priority.
            const WhatIfEdit& edit = fixes.front().edit;
            const std::int64_t before
                = edit.rule.is_object() && edit.rule.contains("priority") && edit.rule["priority"].is_number_integer()
                ? edit.rule["priority"].get<std::int64_t>()
                : -1;
            const RuleEvidence* about = nullptr;
            for (const auto& r : item.finding->rules) {
                if (normaliseId(r.filterId) != normaliseId(edit.nsgId))
                    continue;
                if (!edit.ruleName.empty() ? r.ruleName == edit.ruleName
                                           : r.allow && r.priority > before && (!about || r.priority < about->priority))
                    about = &r;
                if (!edit.ruleName.empty() && about)
                    break;
            }
            if (about)
                item.fixRule = about->filterName + " / " + about->ruleName;
            if (item.fixCloses)
                for (const auto& id : item.fixClosesIds)
                    closedBy.emplace(id, &item);
        }
    }
    std::set<std::string> files;
    for (auto& [owner, notice] : byOwner) {
        std::stable_sort(notice.items.begin(), notice.items.end(), [](const NoticeItem& a, const NoticeItem& b) {
            if (a.finding->severity != b.finding->severity)
                return a.finding->severity > b.finding->severity;
            return !a.due.empty() && (b.due.empty() || a.due < b.due);
        });
        std::string base = owner.empty() ? "unassigned" : "owner-" + slug(owner);
        std::string file = base + ".md";
        for (int n = 2; !files.insert(file).second; ++n)
            file = base + "-" + std::to_string(n) + ".md";
        notice.file = file;
        if (!owner.empty())
            notices.owners.push_back(std::move(notice));
    }
    if (auto none = byOwner.find(""); none != byOwner.end())
        notices.owners.push_back(std::move(none->second));
    return notices;
}

std::string noticeMarkdown(const OwnerNotice& notice, const Notices& all)
{
    std::ostringstream out;
    out << "# Internet exposures " << (notice.owner.empty() ? "nobody owns" : "for " + notice.owner) << "\n\n";
    int counts[5] = {};
    for (const auto& item : notice.items)
        ++counts[static_cast<int>(item.finding->severity)];
    out << "Exposure Workbench, " << all.date << ": " << notice.items.size() << " resource exposure(s) to act on";
    bool first = true;
    for (int s = 4; s >= 0; --s) {
        if (!counts[s])
            continue;
        out << (first ? " (" : ", ") << counts[s] << " " << severityName(static_cast<Severity>(s));
        first = false;
    }
    out << (first ? "" : ")") << ".\n";
    if (notice.owner.empty())
        out << "\nNo owner was found for these: no triage owner in the review, no entry of the owner mapping, no "
               "owner tag on the resource. Assign them, or tag the resources.\n";
    out << "\n| Severity | Target | Data store | Protocol | Ports | From | Exposed since | Due |\n";
    out << "|---|---|---|---|---|---|---|---|\n";
    for (const auto& item : notice.items) {
        const Finding& f = *item.finding;
        out << "| " << severityName(f.severity) << " | " << markdownCell(f.target.name) << " | "
            << (f.dataStore.engine.empty() ? "-" : f.dataStore.engine) << " | " << f.protocol << " | "
            << markdownCell(portsOrTypes(f).empty() ? "-" : portsOrTypes(f)) << " | "
            << markdownCell(f.wholeInternet ? std::string("any internet address")
                       : !f.sources.empty() && f.sources.size() <= 2
                       ? f.sources.front() + (f.sources.size() == 2 ? ", " + f.sources[1] : "")
                       : std::to_string(f.sources.size()) + " address ranges")
            << " | " << item.exposedSince << " | "
            << (item.due.empty()             ? std::string("-")
                       : item.due < all.date ? "**" + item.due + " (overdue)**"
                                             : item.due)
            << " |\n";
    }
    for (const auto& item : notice.items) {
        const Finding& f = *item.finding;
        out << "\n## " << severityName(f.severity) << ": " << f.target.name << " (" << f.protocol
            << (portsOrTypes(f).empty() ? "" : " " + portsOrTypes(f)) << ")\n\n";
        out << f.explanation << "\n\n";
        out << "- Finding: `" << f.id << "`" << (item.baseline.empty() ? "" : " (" + item.baseline + ")") << ", state "
            << item.state << "\n";
        out << "- Owner: " << (notice.owner.empty() ? "none found" : notice.owner + " (" + item.ownerBasis + ")")
            << "\n";
        out << "- Exposed since " << item.exposedSince
            << (item.due.empty() ? std::string()
                                 : "; due " + item.due + " (" + severityName(f.severity) + " policy"
                           + (item.due < all.date ? ", overdue" : "") + ")")
            << "\n";
        out << "- Path: " << pathText(f) << "\n";
        for (const auto& r : f.rules)
            out << "- Rule: `" << r.filterName << "/" << r.ruleName << "` (" << (r.allow ? "allow" : "deny")
                << ", priority " << r.priority << ") in `" << r.where.toString() << "`\n";
        if (!f.wholeInternet && !f.sources.empty()) {
            out << "- From:";
            for (std::size_t i = 0; i < f.sources.size() && i < 20; ++i)
                out << (i ? ", " : " ") << f.sources[i];
            if (f.sources.size() > 20)
                out << " and " << f.sources.size() - 20 << " more";
            out << "\n";
        }
        if (!item.fix.empty()) {
            out << "- Proposed fix" << (item.fixCloses ? "" : " (narrows it)") << ": " << item.fix << "\n";
            if (!item.fixCommand.empty())
                out << "\n```sh\n" << item.fixCommand << "\n```\n";
        } else {
            out << "- Fix: see the rules above; the workbench proposes the smallest change (What If > Smallest Fix)\n";
        }
    }
    return out.str();
}

json noticesIndex(const Notices& notices)
{
    json owners = json::array();
    for (const auto& n : notices.owners) {
        json items = json::array();
        for (const auto& item : n.items) {
            const Finding& f = *item.finding;
            json ports = json::array();
            for (const auto& r : f.ports)
                ports.push_back({ r.first, r.last });
            json j { { "id", f.id }, { "severity", severityName(f.severity) },
                { "target", { { "id", f.target.id }, { "name", f.target.name } } }, { "protocol", f.protocol },
                { "ports", ports }, { "exposedSince", item.exposedSince },
                { "due", item.due.empty() ? json(nullptr) : json(item.due) }, { "state", item.state },
                { "ownerBasis", item.ownerBasis } };
            if (!f.icmpTypes.empty())
                j["icmpTypes"] = f.icmpTypes;
            if (!item.baseline.empty())
                j["baseline"] = item.baseline;
            if (!item.fix.empty())
                j["fix"] = { { "title", item.fix }, { "closes", item.fixCloses }, { "command", item.fixCommand } };
            items.push_back(std::move(j));
        }
        owners.push_back({ { "owner", n.owner.empty() ? json(nullptr) : json(n.owner) }, { "file", n.file },
            { "findings", std::move(items) } });
    }
    return { { "schema", "exposure-notify/1" }, { "date", notices.date }, { "owners", std::move(owners) },
        { "leftOut", notices.left } };
}

} // namespace ew
