#include "reportcontent.h"

#include "diff/series.h"
#include "redactor.h"

#include <algorithm>
#include <map>
#include <set>

namespace ew {

namespace {

const char* kindName(ReachabilityGraph::Kind k)
{
    switch (k) {
    case ReachabilityGraph::Kind::Internet:
        return "internet";
    case ReachabilityGraph::Kind::Frontend:
        return "frontend";
    case ReachabilityGraph::Kind::Filter:
        return "filter";
    case ReachabilityGraph::Kind::DataStore:
        return "datastore";
    case ReachabilityGraph::Kind::Compute:
        return "compute";
    }
    return "compute";
}

std::string upper(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

std::string fromText(const Finding& f)
{
    if (f.wholeInternet)
        return "any internet address";
    // Most of the internet: what it leaves out is the shorter, and the truer, statement.
    if (f.sources.size() > 4) {
        AddressSet sources;
        bool v6 = false;
        for (const auto& text : f.sources)
            if (auto p = parsePrefix(text)) {
                sources.add(p->first, p->last);
                v6 = v6 || text.find(':') != std::string::npos;
            }
        const AddressSet family = v6 ? publicInternet() : publicInternet().intersected(AddressSet::allV4());
        const auto except = family.subtracted(sources).toCidrs();
        if (!except.empty() && except.size() <= 4) {
            std::string s = "any internet address except ";
            for (std::size_t i = 0; i < except.size(); ++i)
                s += (i ? ", " : "") + except[i];
            return s;
        }
    }
    std::string s;
    for (std::size_t i = 0; i < f.sources.size() && i < 4; ++i)
        s += (i ? ", " : "") + f.sources[i];
    if (f.sources.size() > 4)
        s += " and " + std::to_string(f.sources.size() - 4) + " more";
    return s;
}

std::string lastPart(const std::string& path)
{
    const auto cut = path.find_last_of('/');
    return cut == std::string::npos ? path : path.substr(cut + 1);
}

void redactAll(ReportContent& c)
{
    Redactor r;
    auto fix = [&r](std::string& s) { s = r.redact(s); };
    fix(c.title);
    fix(c.estate);
    fix(c.reviewer);
    for (auto& [file, hash] : c.identity)
        fix(file);
    for (auto& s : c.keyMessages)
        fix(s);
    fix(c.changesSince);
    for (auto& ch : c.changes)
        fix(ch.target);
    for (auto& p : c.pages) {
        for (auto* s : { &p.target, &p.from, &p.explanation, &p.owner, &p.note, &p.stateSince, &p.fix, &p.fixCommand })
            fix(*s);
        for (auto& s : p.alsoTargets)
            fix(s);
        for (auto& s : p.sourcesByPort)
            fix(s);
        for (auto& s : p.path)
            fix(s.name);
        for (auto& rule : p.rules) {
            fix(rule.text);
            fix(rule.where);
        }
        for (auto& s : p.assumptions)
            fix(s);
    }
    for (auto& row : c.rows) {
        fix(row.target);
        fix(row.from);
        fix(row.owner);
    }
    for (auto& g : c.fixFirst) {
        for (auto* s : { &g.rule, &g.change, &g.owners })
            fix(*s);
        for (auto& cmd : g.commands)
            fix(cmd);
        for (auto& t : g.targets)
            fix(t);
    }
    for (auto* list : { &c.methodology, &c.assumptions, &c.skipped, &c.problems })
        for (auto& s : *list)
            fix(s);
    c.redacted = true;
    for (const auto& [kind, n] : r.counts())
        c.redactions.emplace_back(kind, n);
}

} // namespace

ReportContent buildReport(const Snapshot& snapshot, const AnalysisResult& result, const Review& review,
    const std::vector<std::string>& inputs, const ReportOptions& options)
{
    ReportContent c;
    c.title = review.title.empty() ? options.title : review.title;
    c.reviewer = !options.reviewer.empty() ? options.reviewer : review.reviewer;
    c.date = options.date;
    c.toolVersion = EW_VERSION;
    for (std::size_t i = 0; i < inputs.size(); ++i)
        c.estate += (i ? ", " : "") + lastPart(inputs[i]);
    // Places in the input are named from the folder that holds each input ("M/nsgs-0000.json"),
    // never by the analyst's local absolute path.
    std::vector<std::string> roots;
    for (const auto& in : inputs) {
        std::string root = in;
        while (root.size() > 1 && root.back() == '/')
            root.pop_back();
        const auto cut = root.find_last_of('/');
        if (cut != std::string::npos)
            roots.push_back(root.substr(0, cut + 1));
    }
    auto relative = [&](std::string place) {
        for (const auto& root : roots)
            if (place.rfind(root, 0) == 0)
                return place.substr(root.size());
        return place;
    };
    for (const auto& f : review.files)
        c.identity.emplace_back(f.path, f.sha256.substr(0, 16));
    // Without a review, the digest of the bytes the import read (when it hashed them).
    if (c.identity.empty())
        for (const auto& f : snapshot.files)
            if (!f.skipped)
                c.identity.emplace_back(relative(f.path), f.sha256.substr(0, 16));

    auto decisionOf = [&](const Finding& f) {
        auto it = review.decisions.find(f.id);
        return it == review.decisions.end() ? Decision() : it->second;
    };
    // Owners, exposed-since, due dates and smallest fixes, as `notify` finds them; findings the
    // review accepted, called false positives or marked fixed have none.
    NotifyOptions notifyOptions = options.notify;
    if (notifyOptions.date.empty())
        notifyOptions.date = options.date;
    const Notices notices = buildNotices(snapshot, result, notifyOptions, &review.decisions, &review.history);
    std::map<std::string, const NoticeItem*> itemOf;
    std::map<std::string, std::string> ownerOf;
    for (const auto& notice : notices.owners)
        for (const auto& item : notice.items) {
            itemOf[item.finding->id] = &item;
            ownerOf[item.finding->id] = notice.owner;
        }
    for (const auto& [severity, days] : notifyOptions.due.days)
        c.duePolicy = std::string(severityName(severity)) + " " + std::to_string(days) + (days == 1 ? " day" : " days")
            + (c.duePolicy.empty() ? "" : ", ") + c.duePolicy;

    int exposedStores = 0, wholeInternetStores = 0;
    std::vector<ReportContent::FindingPage> candidates;
    std::vector<std::string> causeOf; // per candidate page: what makes findings share it
    for (const auto& f : result.findings) {
        const Decision d = decisionOf(f);
        ++c.bySeverity[static_cast<int>(f.severity)];
        ++c.byState[static_cast<int>(d.state)];
        if (!f.dataStore.engine.empty()) {
            ++exposedStores;
            wholeInternetStores += f.wholeInternet && f.hops == 1;
        }
        const NoticeItem* item = itemOf.count(f.id) ? itemOf.at(f.id) : nullptr;
        const std::string owner = !d.owner.empty() ? d.owner : item ? ownerOf[f.id] : std::string();
        c.rows.push_back({ severityName(f.severity), triageStateTitle(d.state), f.target.name, f.dataStore.engine,
            f.protocol + " " + portsOrTypes(f), fromText(f), f.id, f.hops, owner, item ? item->due : std::string() });
        if (f.severity < Severity::High)
            continue;
        ReportContent::FindingPage p;
        p.id = f.id;
        p.severity = severityName(f.severity);
        p.target = f.target.name;
        p.dataStore = f.dataStore.engine;
        p.what = upper(f.protocol) + (portsOrTypes(f).empty() ? "" : " " + portsOrTypes(f));
        p.from = fromText(f);
        for (const auto& e : f.exposures) {
            std::string src;
            for (std::size_t i = 0; i < e.sources.size() && i < 4; ++i)
                src += (i ? ", " : "") + e.sources[i];
            p.sourcesByPort.push_back(formatPortRanges(e.ports) + " from " + src);
        }
        for (std::size_t i = 0; i < f.path.size(); ++i) {
            const auto kind
                = ReachabilityGraph::kindOfStep(f.path[i], i + 1 == f.path.size() && !f.dataStore.engine.empty());
            const std::string label = ReachabilityGraph::typeLabel(f.path[i].kind, f.path[i].type);
            p.path.push_back({ f.path[i].name, kindName(kind),
                kind == ReachabilityGraph::Kind::DataStore
                    ? (label == "virtual machine" ? std::string("VM") : label) + " · " + f.dataStore.engine
                    : label });
        }
        for (const auto& r : f.rules) {
            // Load balancer rules, gateway listeners, DNAT and edge routes have no priority.
            ReportContent::Rule rule { r.filterName + " / " + r.ruleName
                    + (r.priority ? ", priority " + std::to_string(r.priority) : std::string()) + ", "
                    + (r.allow ? "allow" : "deny") + " (" + r.level + " level"
                    + (f.hops > 1 ? (r.hop > 1 ? ", from the foothold " + f.foothold.name
                                               : ", from the internet to " + f.foothold.name)
                                  : std::string())
                    + ")",
                relative(r.where.toString()) };
            // The same rule listed twice for one hop (several levels name it): once.
            if (std::none_of(p.rules.begin(), p.rules.end(),
                    [&](const ReportContent::Rule& x) { return x.text == rule.text && x.where == rule.where; }))
                p.rules.push_back(std::move(rule));
        }
        p.explanation = f.explanation;
        p.state = triageStateTitle(d.state);
        if (!d.updated.empty())
            p.stateSince = d.updated.substr(0, 10) + (c.reviewer.empty() ? std::string() : " by " + c.reviewer);
        p.owner = owner;
        p.ownerBasis = item ? item->ownerBasis : std::string();
        p.note = d.note;
        if (item) {
            p.exposedSince = item->exposedSince;
            p.daysExposed = daysBetween(item->exposedSince, notifyOptions.date).value_or(0);
            p.due = item->due;
            p.fix = item->fix;
            p.fixCommand = item->fixCommand;
        }
        p.assumptions = f.assumptions;
        // A finding the review decided differently stands on its own page.
        std::string cause = p.severity + "|" + p.what + "|" + p.from + "|" + p.state + "|" + p.owner + "|" + p.note;
        for (const auto& r : p.rules)
            cause += "|" + r.text;
        causeOf.push_back(std::move(cause));
        candidates.push_back(std::move(p));
    }
    // One page per cause (the same rules let the same packets in): the first finding's, naming the
    // others; every critical cause, then high ones up to the limit.
    {
        std::map<std::string, std::size_t> pageOf;
        std::size_t highPages = 0;
        for (std::size_t i = 0; i < candidates.size(); ++i) {
            if (auto it = pageOf.find(causeOf[i]); it != pageOf.end()) {
                c.pages[it->second].alsoTargets.push_back(candidates[i].target);
                continue;
            }
            if (candidates[i].severity != "critical" && highPages++ >= options.maxFindingPages) {
                ++c.findingsWithoutPage;
                continue;
            }
            pageOf[causeOf[i]] = c.pages.size();
            c.pages.push_back(std::move(candidates[i]));
        }
    }

    // Fix these first: the smallest fixes, one per change, with every finding each closes.
    {
        std::map<std::string, const Finding*> byId;
        for (const auto& f : result.findings)
            byId[f.id] = &f;
        struct Group
        {
            ReportContent::FixGroup g;
            std::set<std::string> closes, narrows;
            std::set<std::string> owners;
            Severity worst = Severity::Info;
        };
        std::map<std::string, Group> groups;
        std::vector<std::string> order;
        for (const auto& notice : notices.owners)
            for (const auto& item : notice.items) {
                if (item.fix.empty() || item.fixCommand.empty())
                    continue;
                // One entry per rule to change: the fixes of findings one rule lets in together.
                const std::string key = item.fixRule.empty() ? item.fixCommand : item.fixRule;
                auto [it, fresh] = groups.try_emplace(key);
                Group& grp = it->second;
                if (fresh) {
                    grp.g.rule = item.fixRule;
                    grp.g.change = item.fix;
                    grp.g.targets.push_back(item.finding->target.name); // the finding it was proposed for
                    order.push_back(key);
                }
                if (std::find(grp.g.commands.begin(), grp.g.commands.end(), item.fixCommand) == grp.g.commands.end()) {
                    if (!grp.g.commands.empty())
                        ++grp.g.changes;
                    if (grp.g.commands.size() < 3)
                        grp.g.commands.push_back(item.fixCommand);
                }
                // A fix that only narrows a finding (what another rule admits stays) is listed too:
                // the most severe exposures are often those.
                if (item.fixCloses)
                    grp.closes.insert(item.finding->id);
                else
                    grp.narrows.insert(item.finding->id);
                grp.closes.insert(item.fixClosesIds.begin(), item.fixClosesIds.end());
                grp.worst = std::max(grp.worst, item.finding->severity);
                grp.owners.insert(notice.owner.empty() ? std::string("(unassigned)") : notice.owner);
            }
        std::vector<ReportContent::FixGroup> fixes;
        std::vector<std::pair<int, int>> rank; // (severity, findings) per fix
        for (const auto& key : order) {
            Group& grp = groups.at(key);
            std::set<std::string> stores;
            for (const auto& id : grp.closes) {
                auto f = byId.find(id);
                if (f == byId.end())
                    continue;
                ++grp.g.findings;
                grp.worst = std::max(grp.worst, f->second->severity);
                if (!f->second->dataStore.engine.empty())
                    stores.insert(f->second->target.id);
                if (grp.g.targets.size() < 5
                    && std::find(grp.g.targets.begin(), grp.g.targets.end(), f->second->target.name)
                        == grp.g.targets.end())
                    grp.g.targets.push_back(f->second->target.name);
            }
            for (const auto& id : grp.narrows) {
                if (grp.closes.count(id))
                    continue;
                ++grp.g.narrowed;
                if (auto f = byId.find(id); f != byId.end() && grp.g.targets.size() < 5
                    && std::find(grp.g.targets.begin(), grp.g.targets.end(), f->second->target.name)
                        == grp.g.targets.end())
                    grp.g.targets.push_back(f->second->target.name);
            }
            grp.g.dataStores = static_cast<int>(stores.size());
            grp.g.severity = severityName(grp.worst);
            for (const auto& o : grp.owners)
                grp.g.owners += (grp.g.owners.empty() ? "" : ", ") + o;
            fixes.push_back(grp.g);
            rank.emplace_back(static_cast<int>(grp.worst), grp.g.findings);
        }
        std::vector<std::size_t> index(fixes.size());
        for (std::size_t i = 0; i < index.size(); ++i)
            index[i] = i;
        std::stable_sort(index.begin(), index.end(), [&](std::size_t a, std::size_t b) { return rank[a] > rank[b]; });
        for (std::size_t i = 0; i < index.size() && i < 10; ++i)
            c.fixFirst.push_back(std::move(fixes[index[i]]));
    }

    // The table: the most severe findings (result.findings is most severe first), the rest counted.
    if (c.rows.size() > options.maxTableRows) {
        for (std::size_t i = options.maxTableRows; i < c.rows.size(); ++i) {
            Severity sv = Severity::Info;
            if (parseSeverity(c.rows[i].severity, sv))
                ++c.rowsLeftOut[static_cast<int>(sv)];
        }
        c.rows.resize(options.maxTableRows);
    }

    // The review's snapshots, oldest first, ending with this one: the workbench records the current
    // snapshot in the history when it saves; a review whose history ends with an earlier snapshot
    // (opened with a new export, or edited by hand) gets this one added here.
    std::vector<ReviewedSnapshot> series = review.history;
    if (!series.empty() && !review.inputs.empty() && series.back().inputs != review.inputs) {
        ReviewedSnapshot now;
        now.inputs = review.inputs;
        if (const auto label = inputs.empty() ? std::nullopt : labelOfInput(inputs.front()))
            now.date = label->date;
        if (now.date.empty())
            now.date = options.date;
        for (const auto& f : result.findings)
            now.findings[f.id] = severityName(f.severity);
        series.push_back(std::move(now));
    }

    // The trend of exposures by severity over the review's snapshots.
    if (series.size() >= 2)
        for (const auto& h : series) {
            ReportContent::TrendPoint point;
            point.date = h.date.empty() ? h.label : h.date;
            for (const auto& [id, severity] : h.findings) {
                Severity sv = Severity::Info;
                if (parseSeverity(severity, sv))
                    ++point.bySeverity[static_cast<int>(sv)];
            }
            c.trend.push_back(point);
        }

    const int total = static_cast<int>(result.findings.size());
    if (total == 0) {
        c.keyMessages.push_back("No resource of this estate can be reached from the internet.");
    } else {
        c.keyMessages.push_back(std::to_string(total)
            + " exposure(s) to the internet: " + std::to_string(c.bySeverity[4]) + " critical, "
            + std::to_string(c.bySeverity[3]) + " high, " + std::to_string(c.bySeverity[2]) + " medium, "
            + std::to_string(c.bySeverity[1] + c.bySeverity[0]) + " low or informational.");
        if (exposedStores)
            c.keyMessages.push_back(std::to_string(exposedStores) + " of them reach data stores; "
                + std::to_string(wholeInternetStores)
                + " data store exposure(s) are open to any internet address directly.");
        const int open
            = c.byState[static_cast<int>(TriageState::New)] + c.byState[static_cast<int>(TriageState::Confirmed)];
        c.keyMessages.push_back(std::to_string(open) + " exposure(s) are new or confirmed and need an owner's action; "
            + std::to_string(c.byState[static_cast<int>(TriageState::AcceptedRisk)]) + " are accepted risks, "
            + std::to_string(c.byState[static_cast<int>(TriageState::FalsePositive)]) + " false positives and "
            + std::to_string(c.byState[static_cast<int>(TriageState::Fixed)]) + " marked fixed.");
    }

    // What changed since the state compared with: new and worse findings, then closed ones.
    std::map<std::string, std::string> before; // id -> severity
    std::map<std::string, const Finding*> beforeFindings;
    if (options.baseline) {
        c.changesSince = options.baselineLabel.empty() ? "the baseline" : options.baselineLabel;
        for (const auto& f : options.baseline->findings) {
            before[f.id] = severityName(f.severity);
            beforeFindings[f.id] = &f;
        }
    } else if (series.size() >= 2) {
        const auto& previous = series[series.size() - 2];
        c.changesSince = "the review's previous snapshot (" + previous.date + ")";
        before = previous.findings;
    }
    if (!c.changesSince.empty()) {
        std::map<std::string, BaselineStatus> standing;
        if (options.baseline)
            standing = compareWithBaseline(result, options.baseline, nullptr);
        std::set<std::string> now;
        int added = 0, worse = 0, closed = 0;
        for (const auto& f : result.findings) {
            now.insert(f.id);
            std::string kind;
            if (options.baseline) {
                const auto st = standing.at(f.id);
                kind = st == BaselineStatus::New ? "new" : st == BaselineStatus::Worse ? "worse" : "";
            } else if (auto b = before.find(f.id); b == before.end()) {
                kind = "new";
            } else {
                Severity was = Severity::Info;
                if (parseSeverity(b->second, was) && was < f.severity)
                    kind = "worse";
            }
            if (kind.empty())
                continue;
            (kind == "new" ? added : worse) += 1;
            c.changes.push_back(
                { kind, severityName(f.severity), f.target.name, f.protocol + " " + portsOrTypes(f), f.id });
        }
        for (const auto& [id, severity] : before) {
            if (now.count(id))
                continue;
            ++closed;
            ReportContent::Change ch { "closed", severity, {}, {}, id };
            if (auto bf = beforeFindings.find(id); bf != beforeFindings.end()) {
                ch.target = bf->second->target.name;
                ch.what = bf->second->protocol + " " + portsOrTypes(*bf->second);
            } else if (auto d = review.decisions.find(id); d != review.decisions.end()) {
                ch.target = d->second.target;
            }
            c.changes.push_back(std::move(ch));
        }
        std::stable_sort(c.changes.begin(), c.changes.end(), [](const auto& a, const auto& b) {
            const auto rank = [](const std::string& k) { return k == "closed" ? 1 : 0; };
            if (rank(a.kind) != rank(b.kind))
                return rank(a.kind) < rank(b.kind);
            Severity sa = Severity::Info, sb = Severity::Info;
            parseSeverity(a.severity, sa);
            parseSeverity(b.severity, sb);
            return sa > sb;
        });
        c.keyMessages.insert(c.keyMessages.begin(),
            "Since " + c.changesSince + ": " + std::to_string(added) + " new, " + std::to_string(worse) + " worse, "
                + std::to_string(closed) + " closed exposure(s).");
    }

    if (!c.fixFirst.empty()) {
        const auto& top = c.fixFirst.front();
        c.keyMessages.push_back("Fix these first: changing " + (top.rule.empty() ? top.change : top.rule) + " closes "
            + std::to_string(top.findings) + " exposure(s), " + std::to_string(top.dataStores)
            + " of them on data stores"
            + (top.narrowed ? ", and narrows " + std::to_string(top.narrowed) + " more" : std::string())
            + "; \"Fix these first\" lists " + std::to_string(c.fixFirst.size())
            + " rule(s) to change, with the commands.");
    }

    std::size_t read = 0, skipped = 0;
    for (const auto& f : snapshot.files) {
        if (f.skipped) {
            ++skipped;
            c.skipped.push_back(f.path + ": " + f.reason);
        } else {
            ++read;
        }
    }
    // Which clouds the export holds: the readers name the format of each file they read.
    bool aws = false, azure = false;
    for (const auto& f : snapshot.files)
        if (!f.skipped)
            (f.format.rfind("aws", 0) == 0 ? aws : azure) = true;
    const std::string clouds = aws && azure ? "Azure and AWS" : aws ? "AWS" : "Azure";
    c.methodology.push_back("Imported " + std::to_string(read) + " file(s) of an offline " + clouds + " export ("
        + std::to_string(skipped) + " skipped, listed below): " + std::to_string(snapshot.vnets.size())
        + " virtual network(s)/VPC(s), " + std::to_string(snapshot.nsgs.size())
        + " rule list(s) (network security groups, security groups, network ACLs), "
        + std::to_string(snapshot.nics.size()) + " network interface(s), " + std::to_string(snapshot.publicIps.size())
        + " public IP address(es), " + std::to_string(snapshot.loadBalancers.size() + snapshot.proxies.size())
        + " load balancer(s) and gateway(s) and " + std::to_string(snapshot.dataServices.size())
        + " managed data service(s). No cloud credentials were used.");
    c.methodology.push_back(
        "For every network interface with an internet-facing frontend (a public IP on its IP configuration, or a "
        "public load balancer's rule, listener or inbound NAT rule that targets it), the exact set of packets from the "
        "internet that reach it was computed: protocol, destination ports at the machine after translation, and "
        "source ranges.");
    if (azure)
        c.methodology.push_back(
            "Azure semantics (Microsoft Learn, \"How network security groups filter network traffic\"): rules are "
            "evaluated by priority and the first match decides; the default rules 65000-65500 always exist; the "
            "subnet NSG and then the NIC NSG must both allow; destination prefixes match the private address; the "
            "Internet and VirtualNetwork service tags are address spaces, AzureLoadBalancer is only the health probe "
            "address; a rule naming an application security group applies only to its members; source ports protect "
            "nothing; Standard-SKU public IPs are closed unless an NSG allows, Basic ones open when no NSG applies. "
            "Managed data services are judged by their own firewalls.");
    if (aws)
        c.methodology.push_back(
            "AWS semantics (Amazon VPC User Guide, \"Security group rules\", \"Control subnet traffic with network "
            "access control lists\", \"Route tables\"): an interface's security groups allow the union of their "
            "rules and are stateful; the subnet's network ACL decides by rule number, first match, and is stateless, "
            "so the reply must be allowed out too; a public address is reached only through a route to an internet "
            "gateway attached to the VPC. Load balancers are followed from listener to target (Application and "
            "Classic ones open their own connection; a Network Load Balancer passes the client's address when client "
            "IP preservation is on); RDS, Redshift and OpenSearch are public only when publicly accessible (OpenSearch "
            "by its access policy); ElastiCache is reached only through a foothold.");
    c.methodology.push_back(
        "Data stores are recognised by managed service type, by tags naming an engine, by the analyst's marking and, "
        "with lower confidence, by exposed ports of the data-store port catalogue. A data store the internet cannot "
        "reach directly but an internet-reachable machine can is reported as a two-hop exposure through that foothold. "
        "Severity rises with what is exposed (data store or not), to whom (any address or a narrow range) and how "
        "(directly or through a foothold). Anything that could not be modelled exactly was resolved towards "
        "reachability and is listed as an assumption.");
    c.assumptions = result.assumptions;
    for (const auto& d : snapshot.diagnostics)
        if (d.level != Diagnostic::Level::Note)
            c.problems.push_back(d.toString());
    if (options.redact)
        redactAll(c);
    return c;
}

} // namespace ew
