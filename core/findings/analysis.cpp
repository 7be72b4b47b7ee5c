#include "engine.h"
#include "incremental.h"
#include "util/phaseprofile.h"

#include <atomic>
#include <exception>
#include <new>
#include <thread>
#include <type_traits>

namespace ew {

namespace engine {

// The analysis kept in parts (direct findings per IP configuration, two-hop findings per data
// store, managed services), so that an edit recomputes only the parts it touches.
class AnalysisCore
{
public:
    /// workers: how many threads build() may use (1: the calling thread only). An incremental
    /// analysis builds serially: its engine's caches must know every policy group for the edits.
    /// once: analyze(), which is not edited afterwards (its engines keep less, see
    /// Engine::keepAllowClaimsOnly).
    AnalysisCore(const Snapshot& snapshot, const AnalysisOptions& options, unsigned workers = 1, bool once = false)
        : m_snap(snapshot)
        , m_opt(options)
        , m_engine(snapshot, options)
        , m_workers(workers)
        , m_once(once)
    {
        if (m_once)
            m_engine.keepAllowClaimsOnly();
    }

    bool build()
    {
        std::vector<const NetworkInterface*> nics;
        nics.reserve(m_snap.nics.size());
        for (const auto& [id, nic] : m_snap.nics)
            if (nic.deviceId.empty()) // a load balancer's node is in front of targets, not one
                nics.push_back(&nic);
        std::sort(nics.begin(), nics.end(), [](auto* a, auto* b) { return a->id < b->id; });
        for (const auto* nic : nics)
            for (const auto& ipc : nic->ipConfigurations) {
                ++m_engine.stats.ipConfigurations;
                m_slots.push_back({ nic, &ipc });
                m_targetOfIpc[ipc.id] = m_slots.size() - 1;
            }
        const std::size_t n = m_slots.size();
        m_targets.resize(n);
        m_direct.resize(n);
        m_twoHop.resize(n);
        m_plans.resize(n);
        m_stampedFrom.resize(n);
        m_addresses.resize(n);
        std::atomic<std::size_t> done { 0 };
        const bool finished = inParallel(n, [&](Engine& engine, std::size_t /*part*/, std::size_t i) {
            if (m_opt.cancel && (i % 64 == 0) && m_opt.cancel->load())
                return false;
            evaluateDirect(engine, i);
            m_addresses[i] = engine.context().possibleAddresses(*m_slots[i].ipc);
            // Progress from the calling thread only (the workbench's callbacks are not thread-safe).
            const std::size_t count = ++done;
            if (m_opt.progress && (count % 256 == 0) && std::this_thread::get_id() == m_callingThread)
                m_opt.progress(count, n);
            return true;
        });
        if (!finished)
            return false;
        for (std::size_t i = 0; i < n; ++i)
            m_targetsOfId[m_targets[i].target.id].push_back(i);
        if (m_opt.progress)
            m_opt.progress(n, n);
        profilePhase("analysis: direct");
        for (const auto& [id, slots] : m_targetsOfId)
            m_groups.push_back(slots);
        std::sort(m_groups.begin(), m_groups.end()); // by first IP configuration: the findings' order
        std::vector<std::size_t> byName(n);
        for (std::size_t i = 0; i < n; ++i)
            byName[i] = i;
        std::stable_sort(byName.begin(), byName.end(),
            [&](std::size_t a, std::size_t b) { return m_targets[a].target.name < m_targets[b].target.name; });
        m_nameOrder.assign(n, 0);
        for (std::size_t r = 0; r < n; ++r) // equal names share a place, as the name comparison does
            m_nameOrder[byName[r]] = r > 0 && m_targets[byName[r]].target.name == m_targets[byName[r - 1]].target.name
                ? m_nameOrder[byName[r - 1]]
                : static_cast<std::uint32_t>(r);
        m_engine.addServiceFindings(m_services);
        normaliseAssumptions(m_services);
        profilePhase("analysis: managed services");
        if (m_opt.twoHop) {
            m_best.assign(n, nullptr);
            m_clients.assign(n, AddressSet());
            for (const auto& group : m_groups)
                rankGroup(group);
            m_footholds = m_engine.footholdIndex(m_targets, m_best, m_clients, m_addresses, m_nameOrder);
            profilePhase("analysis: foothold index");
            // Each worker its own copy of the index: it memoises lookups as they are first asked.
            const std::vector<FootholdIndex> copies(m_workers > 1 ? m_workers - 1 : 0, m_footholds);
            if (!inParallel(n, [&](Engine& engine, std::size_t part, std::size_t i) {
                    if (m_opt.cancel && (i % 64 == 0) && m_opt.cancel->load())
                        return false;
                    evaluateTwoHop(engine, part == 0 ? m_footholds : copies[part - 1], i);
                    return true;
                }))
                return false;
            profilePhase("analysis: two-hop");
            m_engine.addServiceEndpointFindings(m_targets, m_footholds, m_serviceTwoHop);
            normaliseAssumptions(m_serviceTwoHop);
            profilePhase("analysis: service endpoints");
        }
        return true;
    }

    /// Runs work(engine, part, i) for i in [0, n): on the calling thread with m_engine, or, with workers,
    /// the first part on the calling thread with m_engine and each later part on a thread of its
    /// own with an engine of its own (engines memoise; none is shared between threads). Each i is
    /// given to exactly one call, and work writes only what belongs to i, so the results are those
    /// of the serial run (tst_parallel compares them). The parts are contiguous:
    /// neighbours share subnets and policy groups, which an engine then evaluates once. The workers'
    /// verdicts are adopted by m_engine afterwards. False when work returned false (cancelled).
    template <typename Work> bool inParallel(std::size_t n, Work work)
    {
        // An explicit number of threads splits even a small estate (the tests' way to the workers).
        const bool small = n < kParallelMinimum && m_opt.threads == 0;
        const std::size_t parts = small ? 1 : std::min<std::size_t>(m_workers, n);
        if (parts <= 1) {
            for (std::size_t i = 0; i < n; ++i)
                if (!work(m_engine, std::size_t(0), i))
                    return false;
            return true;
        }
        std::vector<std::unique_ptr<Engine>> engines;
        std::vector<std::thread> threads;
        std::vector<std::exception_ptr> errors(parts);
        std::atomic<bool> stop { false };
        auto run = [&](Engine& engine, std::size_t part) {
            try {
                for (std::size_t i = n * part / parts; i < n * (part + 1) / parts && !stop.load(); ++i)
                    if (!work(engine, part, i)) {
                        stop = true;
                        return;
                    }
            } catch (...) {
                errors[part] = std::current_exception();
                stop = true;
            }
        };
        std::vector<std::size_t> inline_; // parts no thread could be started for: run here
        for (std::size_t part = 1; part < parts; ++part) {
            try {
                engines.push_back(std::make_unique<Engine>(m_snap, m_opt));
                if (m_once)
                    engines.back()->keepAllowClaimsOnly();
                threads.emplace_back(run, std::ref(*engines.back()), part);
            } catch (...) { // no thread (std::system_error) or no memory for the engine
                if (engines.size() > threads.size())
                    engines.pop_back();
                inline_.push_back(part);
            }
        }
        run(m_engine, 0);
        for (auto part : inline_)
            run(m_engine, part);
        for (auto& t : threads)
            t.join();
        for (const auto& e : errors)
            if (e)
                std::rethrow_exception(e); // std::bad_alloc reaches analyze(), as in a serial run
        if (stop.load())
            return false;
        for (auto& e : engines)
            m_engine.adoptVerdicts(std::move(*e));
        return true;
    }
    static constexpr std::size_t kParallelMinimum = 512; // below, a thread costs more than it saves

    /// Evaluates the direct findings of IP configuration i. keepIfSame: its frontends are known
    /// not to have changed, and its findings are left as they are (false returned) when they would
    /// be stamped from the same body sets with the same assumptions.
    bool evaluateDirect(std::size_t i, bool keepIfSame = false) { return evaluateDirect(m_engine, i, keepIfSame); }
    bool evaluateDirect(Engine& engine, std::size_t i, bool keepIfSame = false)
    {
        const auto& [nic, ipc] = m_slots[i];
        const std::string vnetId = engine.context().vnetOfSubnet(ipc->subnetId);
        TargetEval t = engine.evaluateTarget(
            *nic, *ipc, engine.context().internetSpace(vnetId), true, nullptr, keepIfSame ? &m_targets[i] : nullptr);
        std::vector<std::string> frontendAssumptions;
        const auto frontends = engine.frontendsOf(*ipc, frontendAssumptions);
        t.assumptions.insert(t.assumptions.end(), frontendAssumptions.begin(), frontendAssumptions.end());
        std::vector<BodySetPtr> from;
        from.reserve(frontends.size());
        for (const auto& fe : frontends)
            from.push_back(engine.bodiesFor(t, fe));
        if (keepIfSame && t.assumptions != m_targets[i].assumptions)
            m_assumptionsChanged.insert(i);
        else if (keepIfSame && from == m_stampedFrom[i]) {
            m_targets[i] = std::move(t);
            return false;
        }
        std::vector<Finding> found;
        for (std::size_t k = 0; k < frontends.size(); ++k)
            if (from[k])
                engine.addFindings(t, frontends[k], *from[k], found);
        normaliseAssumptions(found);
        m_targets[i] = std::move(t);
        m_direct[i] = std::move(found);
        m_stampedFrom[i] = std::move(from);
        return true;
    }

    /// Evaluates the two-hop findings of data store i; keepIfSame as for evaluateDirect (its
    /// foothold's findings and its own assumptions are known not to have changed).
    bool evaluateTwoHop(std::size_t i, bool keepIfSame = false)
    {
        return evaluateTwoHop(m_engine, m_footholds, i, keepIfSame);
    }
    /// idx: m_footholds or a worker's copy (the index fills lookups on first use).
    bool evaluateTwoHop(Engine& engine, const FootholdIndex& idx, std::size_t i, bool keepIfSame = false)
    {
        PacketSet direct;
        for (const auto& f : m_direct[i])
            if (f.packets)
                direct = direct.united(*f.packets);
        auto plan = engine.twoHopPlan(m_targets, i, idx, m_direct[i].empty() ? nullptr : &direct);
        if (keepIfSame && plan == m_plans[i])
            return false;
        std::vector<Finding> found;
        engine.addTwoHopFindings(m_targets, i, idx, plan, found);
        normaliseAssumptions(found);
        m_twoHop[i] = std::move(found);
        m_plans[i] = std::move(plan);
        return true;
    }

    // Re-evaluates what an applied edit touched; fills the delta.
    void update(const EditImpact& impact, FindingsDelta& delta)
    {
        for (std::size_t k = 0; k < impact.nsgIds.size(); ++k) {
            m_engine.forgetNsg(impact.nsgIds[k]);
            if (k < impact.ruleChanges.size())
                m_engine.ruleChanged(impact.nsgIds[k], impact.ruleChanges[k]);
        }
        std::set<std::size_t> affected;
        for (const auto& nsg : impact.nsgIds)
            for (std::size_t i = 0; i < m_targets.size(); ++i) {
                const auto& t = m_targets[i];
                if (std::any_of(t.levels.begin(), t.levels.end(), [&](const FilterEval& f) { return f.concerns(nsg); }))
                    affected.insert(i);
            }
        std::set<std::size_t> reassociated; // whose frontends or NSG associations changed
        for (const auto& ipc : impact.ipConfigurationIds)
            if (auto it = m_targetOfIpc.find(ipc); it != m_targetOfIpc.end())
                reassociated.insert(it->second);
        // Machines behind an Application Gateway whose subnet NSG changed: the clients it admits did.
        for (const auto& nsg : impact.nsgIds)
            if (const auto* deps = m_engine.proxyDependents(nsg))
                for (const auto& ipc : *deps)
                    if (auto it = m_targetOfIpc.find(ipc); it != m_targetOfIpc.end())
                        reassociated.insert(it->second);
        affected.insert(reassociated.begin(), reassociated.end());
        m_lastReevaluated = affected.size();
        m_assumptionsChanged.clear();

        // A target's rank as a foothold is its most severe direct finding (-1: not a foothold).
        std::map<std::string, int> rankBefore;
        for (auto i : affected)
            rankBefore.emplace(m_targets[i].target.id, footholdRank(m_targets[i].target.id));
        std::map<std::string, Finding> before;
        std::set<std::string> changedTargets; // target ids whose direct findings changed
        std::set<std::size_t> changedSlots;
        for (auto i : affected) {
            std::vector<Finding> old = std::move(m_direct[i]);
            if (!evaluateDirect(i, !reassociated.count(i))) {
                m_direct[i] = std::move(old); // stamped from the same bodies: the same findings
                continue;
            }
            const bool same = std::equal(old.begin(), old.end(), m_direct[i].begin(), m_direct[i].end(),
                [](const Finding& a, const Finding& b) { return sameFinding(a, b); });
            if (same) {
                m_direct[i] = std::move(old); // keeps the footholds' pointers valid
                continue;
            }
            changedTargets.insert(m_targets[i].target.id);
            changedSlots.insert(i);
            for (auto& f : old)
                before.emplace(f.id, std::move(f));
        }
        std::set<std::size_t> redo;
        std::set<std::size_t> changedSlotsOfTargets;
        std::vector<std::size_t> twoHopRebuilt;
        bool serviceTwoHopRebuilt = false;
        if (m_opt.twoHop) {
            for (auto i : affected)
                redo.insert(i); // a data store whose own NSGs changed
            if (!changedTargets.empty()) {
                // The ranking is by each target's most severe finding and its name: when no changed
                // target's severity moved, only the findings the footholds point to are new.
                const bool sameRanking = std::all_of(changedTargets.begin(), changedTargets.end(),
                    [&](const std::string& id) { return rankBefore[id] == footholdRank(id); });
                for (const auto& id : changedTargets) {
                    const auto& group = m_targetsOfId[id];
                    const Finding* best = rankGroup(group);
                    for (auto j : group)
                        if (const int r = m_footholds.rankOf[j]; sameRanking && r >= 0)
                            m_footholds.footholds[static_cast<std::size_t>(r)].finding = best;
                }
                if (!sameRanking)
                    m_footholds = m_engine.footholdIndex(m_targets, m_best, m_clients, m_addresses, m_nameOrder);
                // Footholds that appeared, went or moved in the ranking change the two-hop paths of
                // the data stores they reach; the others keep their order relative to each other.
                // A foothold whose finding changed but kept its rank matters only where it is the
                // foothold shown on the path.
                std::vector<std::size_t> arrivedOrLeft; // became a foothold or stopped being one
                std::vector<std::size_t> moved; // still a foothold, at another place in the ranking
                for (const auto& id : changedTargets) {
                    const int was = rankBefore[id], now = footholdRank(id);
                    for (auto j : m_targetsOfId[id]) {
                        changedSlotsOfTargets.insert(j);
                        redo.insert(j); // whether it is reached directly decides whether it has two-hop paths
                        if ((was < 0) != (now < 0))
                            arrivedOrLeft.push_back(j);
                        else if (was != now)
                            moved.push_back(j);
                    }
                }
                std::unordered_map<std::string, AddressSet> arrivedByVnet;
                for (auto j : arrivedOrLeft) {
                    auto& set = arrivedByVnet[m_targets[j].vnetId];
                    set = set.united(m_addresses[j]);
                }
                std::unordered_map<std::string, AddressSet> nearVnet; // arrived or left footholds a VNet sees
                auto reaches = [&](std::size_t j, std::size_t k) {
                    const auto& connected = m_engine.context().connectedVnets(m_targets[k].vnetId);
                    return std::find(connected.begin(), connected.end(), m_targets[j].vnetId) != connected.end()
                        && m_addresses[j].intersects(allowedSources(k));
                };
                for (std::size_t k = 0; k < m_targets.size(); ++k) {
                    const auto& t = m_targets[k];
                    if (redo.count(k) || !t.dataStore.declared() || t.dataStore.engine.empty())
                        continue;
                    const auto& plan = m_plans[k];
                    const long chosen = plan.chosen;
                    if (chosen >= 0
                        && std::any_of(changedSlotsOfTargets.begin(), changedSlotsOfTargets.end(),
                            [&](std::size_t j) { return plan.through(j); })) {
                        redo.insert(k); // a foothold on its paths changed
                        continue;
                    }
                    // A store reached directly weighs each foothold's clients against its direct
                    // exposure: any reaching foothold whose finding changed may change what it adds.
                    if (m_footholds.exposed[k]
                        && std::any_of(changedSlotsOfTargets.begin(), changedSlotsOfTargets.end(),
                            [&](std::size_t j) { return m_footholds.rankOf[j] >= 0 && reaches(j, k); })) {
                        redo.insert(k);
                        continue;
                    }
                    // A foothold that moved past one on its paths (or one of them that moved) changes
                    // which foothold adds what.
                    if (chosen >= 0) {
                        int lastRank = m_footholds.rankOf[static_cast<std::size_t>(chosen)];
                        for (const auto& [j, bodies] : plan.more)
                            lastRank = std::max(lastRank, m_footholds.rankOf[static_cast<std::size_t>(j)]);
                        const bool overtaken = std::any_of(moved.begin(), moved.end(), [&](std::size_t j) {
                            return m_footholds.rankOf[j] >= 0 && (m_footholds.rankOf[j] < lastRank || plan.through(j))
                                && reaches(j, k);
                        });
                        if (overtaken) {
                            redo.insert(k);
                            continue;
                        }
                    }
                    // One that arrived or left changes who reaches it (and how many do).
                    if (arrivedByVnet.empty())
                        continue;
                    auto near = nearVnet.find(t.vnetId);
                    if (near == nearVnet.end()) {
                        AddressSet seen;
                        for (const auto& vnet : m_engine.context().connectedVnets(t.vnetId))
                            if (auto c = arrivedByVnet.find(vnet); c != arrivedByVnet.end())
                                seen = seen.united(c->second);
                        near = nearVnet.emplace(t.vnetId, std::move(seen)).first;
                    }
                    if (!near->second.isEmpty() && near->second.intersects(allowedSources(k)))
                        redo.insert(k);
                }
            }
            for (auto k : redo)
                m_engine.forgetTwoHop(m_targets[k]);
            for (auto k : redo) {
                // The same plan (foothold, count, bodies) gives the same findings when the foothold's
                // findings and the data store's own assumptions and associations are as they were.
                const auto& plan = m_plans[k];
                const bool keepIfSame = !reassociated.count(k) && !m_assumptionsChanged.count(k)
                    && std::none_of(changedSlotsOfTargets.begin(), changedSlotsOfTargets.end(),
                        [&](std::size_t j) { return plan.through(j); });
                std::vector<Finding> old = std::move(m_twoHop[k]);
                if (!evaluateTwoHop(k, keepIfSame)) {
                    m_twoHop[k] = std::move(old);
                    continue;
                }
                for (auto& f : old)
                    before.emplace(f.id, std::move(f));
                twoHopRebuilt.push_back(k);
            }
            if (!changedTargets.empty() && !m_snap.dataServices.empty()) {
                // Service endpoint paths follow the footholds (few services, a lookup per foothold).
                for (auto& f : m_serviceTwoHop)
                    before.emplace(f.id, std::move(f));
                m_serviceTwoHop.clear();
                m_engine.addServiceEndpointFindings(m_targets, m_footholds, m_serviceTwoHop);
                normaliseAssumptions(m_serviceTwoHop);
                serviceTwoHopRebuilt = true;
            }
        }
        std::map<std::string, const Finding*> after;
        for (auto i : changedSlots) // the others were put back as they were
            for (const auto& f : m_direct[i])
                after.emplace(f.id, &f);
        for (auto k : twoHopRebuilt)
            for (const auto& f : m_twoHop[k])
                after.emplace(f.id, &f);
        if (serviceTwoHopRebuilt)
            for (const auto& f : m_serviceTwoHop)
                after.emplace(f.id, &f);
        m_engine.dropStale();
        m_engine.editDone();
        for (const auto& [id, f] : after) {
            auto b = before.find(id);
            if (b == before.end())
                delta.opened.push_back(id);
            else if (!sameFinding(b->second, *f))
                delta.changed.push_back(id);
        }
        for (const auto& [id, f] : before)
            if (!after.count(id))
                delta.closed.push_back(id);
    }

    std::vector<Finding> findings() const { return collect(*this); }

    /// The result; `take` moves the findings out (a one-shot analysis), leaving this empty.
    /// take: the findings are moved out, and what only the analysis and later edits need is freed
    /// first (analyze() drops the core afterwards).
    AnalysisResult result(bool take = false)
    {
        if (take) {
            releaseWorkingState();
            profilePhase("analysis: working state freed");
        }
        AnalysisResult result;
        result.findings = take ? collect(*this, true) : collect(std::as_const(*this));
        if (take)
            profilePhase("analysis: findings collected and sorted");
        std::set<std::string> assumptions;
        for (const auto& f : result.findings)
            assumptions.insert(f.assumptions.begin(), f.assumptions.end());
        for (const auto& d : m_snap.diagnostics)
            if (d.level == Diagnostic::Level::Warning)
                assumptions.insert(d.toString());
        for (const auto& file : m_snap.files)
            if (file.skipped)
                assumptions.insert("input " + file.path + " was skipped: " + file.reason);
        result.assumptions.assign(assumptions.begin(), assumptions.end());
        if (take)
            profilePhase("analysis: assumptions");
        result.graph = ReachabilityGraph::build(result.findings);
        result.stats = m_engine.stats;
        return result;
    }

    const Finding* find(const std::string& id) const
    {
        if (m_byId.empty()) {
            for (const auto* parts : { &m_direct, &m_twoHop })
                for (const auto& part : *parts)
                    for (const auto& f : part)
                        m_byId.emplace(f.id, &f);
            for (const auto* part : { &m_services, &m_serviceTwoHop })
                for (const auto& f : *part)
                    m_byId.emplace(f.id, &f);
        }
        auto it = m_byId.find(id);
        return it == m_byId.end() ? nullptr : it->second;
    }
    void forgetIndex() { m_byId.clear(); }
    bool policyAt(const std::string& ipcId, std::shared_ptr<const PacketSet>& allowed, AddressSet& internet,
        std::string& name, AddressSet* virtualNetwork) const
    {
        auto it = m_targetOfIpc.find(ipcId);
        if (it == m_targetOfIpc.end())
            return false;
        const auto& t = m_targets[it->second];
        allowed = t.allowedAll;
        internet = m_engine.context().internetSpace(t.vnetId);
        if (virtualNetwork)
            *virtualNetwork = m_engine.context().virtualNetworkSpace(t.vnetId);
        name = t.target.name;
        return true;
    }
    std::size_t lastReevaluated() const { return m_lastReevaluated; }

private:
    // The engine's caches and verdicts, the targets' evaluations, the two-hop plans and the footholds:
    // freed before the findings are collected and the graph is built, which was L's peak (the findings
    // keep what they share with them: packet sets, rule lists, texts).
    void releaseWorkingState()
    {
        m_engine.releaseCaches();
        const auto release = [](auto& member) { member = std::remove_reference_t<decltype(member)>(); };
        release(m_targets);
        release(m_plans);
        release(m_stampedFrom);
        release(m_addresses);
        release(m_footholds);
        release(m_best);
        release(m_clients);
        release(m_targetOfIpc);
        release(m_targetsOfId);
        release(m_groups);
        release(m_nameOrder);
        release(m_byId);
    }

    const AddressSet& allowedSources(std::size_t k) { return m_engine.allowedSources(m_targets[k]); }

    // Every finding in analyze()'s order: direct ones by IP configuration, managed services, two-hop.
    template <typename Self> static std::vector<Finding> collect(Self& self, bool move = false)
    {
        std::vector<Finding> all;
        std::size_t count = self.m_services.size() + self.m_serviceTwoHop.size();
        for (std::size_t i = 0; i < self.m_direct.size(); ++i)
            count += self.m_direct[i].size() + self.m_twoHop[i].size();
        all.reserve(count);
        auto append = [&](auto& part) {
            if constexpr (std::is_const_v<Self>)
                all.insert(all.end(), part.begin(), part.end());
            else if (move)
                all.insert(all.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
            else
                all.insert(all.end(), part.begin(), part.end());
        };
        for (auto& part : self.m_direct)
            append(part);
        append(self.m_services);
        for (auto& part : self.m_twoHop)
            append(part);
        append(self.m_serviceTwoHop);
        std::stable_sort(all.begin(), all.end(), [](const Finding& a, const Finding& b) {
            if (a.severity != b.severity)
                return a.severity > b.severity;
            if (a.target.name != b.target.name)
                return a.target.name < b.target.name;
            if (a.hops != b.hops)
                return a.hops < b.hops;
            return a.id < b.id;
        });
        return all;
    }

    // The severity of a target's most severe direct finding, -1 when the internet does not reach it.
    int footholdRank(const std::string& targetId) const
    {
        auto it = m_targetsOfId.find(targetId);
        const Finding* best = it == m_targetsOfId.end() ? nullptr : Engine::bestFinding(it->second, m_direct);
        return best ? static_cast<int>(best->severity) : -1;
    }

    /// Sets m_best and m_clients for the IP configurations of one target; returns their best finding.
    const Finding* rankGroup(const std::vector<std::size_t>& group)
    {
        const Finding* best = Engine::bestFinding(group, m_direct);
        AddressSet clients;
        for (auto j : group)
            for (const auto& f : m_direct[j])
                if (f.packets)
                    clients = clients.united(f.packets->allSources());
        for (auto j : group) {
            m_best[j] = best;
            m_clients[j] = clients; // in place: the footholds point here
        }
        return best;
    }

    struct Slot
    {
        const NetworkInterface* nic;
        const IpConfiguration* ipc;
    };
    const Snapshot& m_snap;
    const AnalysisOptions& m_opt;
    Engine m_engine;
    std::vector<Slot> m_slots;
    std::vector<TargetEval> m_targets;
    std::vector<std::vector<Finding>> m_direct;
    std::vector<std::vector<Finding>> m_twoHop;
    std::vector<Engine::TwoHopPlan> m_plans; // per data store: the foothold on its path and the bodies
    std::vector<std::vector<BodySetPtr>> m_stampedFrom; // per IP configuration: the sets of its direct findings
    std::set<std::size_t> m_assumptionsChanged; // during an update
    std::vector<Finding> m_services;
    std::vector<Finding> m_serviceTwoHop; // data services reached through footholds' service endpoints
    std::vector<AddressSet> m_addresses; // what each IP configuration may be, as a foothold
    FootholdIndex m_footholds;
    std::vector<const Finding*> m_best; // per IP configuration: Engine::bestFinding of its target
    std::vector<AddressSet> m_clients; // per IP configuration: the sources of its target's direct findings
    std::unordered_map<std::string, std::size_t> m_targetOfIpc;
    std::unordered_map<std::string, std::vector<std::size_t>> m_targetsOfId;
    std::vector<std::vector<std::size_t>> m_groups; // m_targetsOfId's values, by first IP configuration
    std::vector<std::uint32_t> m_nameOrder;
    mutable std::unordered_map<std::string, const Finding*> m_byId;
    std::size_t m_lastReevaluated = 0;
    unsigned m_workers = 1;
    bool m_once = false;
    std::thread::id m_callingThread = std::this_thread::get_id();
};

} // namespace engine

using engine::AnalysisCore;

AnalysisResult analyze(const Snapshot& snapshot, const AnalysisOptions& options)
{
    try {
        const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
        AnalysisCore core(snapshot, options, options.threads == 0 ? std::min(cores, 8U) : options.threads, true);
        if (!core.build()) {
            AnalysisResult cancelled;
            cancelled.cancelled = true;
            return cancelled;
        }
        AnalysisResult result = core.result(true);
        profilePhase("analysis: graph");
        return result;
    } catch (const std::bad_alloc&) {
        // The import's estimate (kMemoryPerInputByte) let the snapshot through, but the analysis
        // needed more: its memory is given back here and the analyst told, instead of a crash.
        AnalysisResult failed;
        failed.error = "out of memory while analysing " + std::to_string(snapshot.resourceCount())
            + " resources; no finding is reported: analyse the export in parts (by subscription or account) or "
              "on a larger machine";
        return failed;
    }
}

struct IncrementalAnalysis::State
{
    State(Snapshot s, AnalysisOptions o)
        : snapshot(std::move(s))
        , options(std::move(o))
        , core(snapshot, options)
    { }
    Snapshot snapshot;
    AnalysisOptions options;
    AnalysisCore core;
};

IncrementalAnalysis::IncrementalAnalysis(Snapshot snapshot, AnalysisOptions options)
    : d(std::make_unique<State>(std::move(snapshot), std::move(options)))
{
    d->options.progress = nullptr;
    d->options.cancel = nullptr;
    d->core.build();
}

IncrementalAnalysis::~IncrementalAnalysis() = default;

bool IncrementalAnalysis::apply(const WhatIfEdit& edit, WhatIfEdit& inverse, FindingsDelta& delta, std::string& error)
{
    delta = {};
    EditImpact impact;
    if (!applyEdit(d->snapshot, edit, inverse, impact, error))
        return false;
    d->core.forgetIndex();
    d->core.update(impact, delta);
    return true;
}

const Snapshot& IncrementalAnalysis::snapshot() const
{
    return d->snapshot;
}

std::vector<Finding> IncrementalAnalysis::findings() const
{
    return d->core.findings();
}

AnalysisResult IncrementalAnalysis::result() const
{
    return d->core.result();
}

const Finding* IncrementalAnalysis::find(const std::string& id) const
{
    return d->core.find(id);
}

bool IncrementalAnalysis::policyAt(const std::string& ipcId, std::shared_ptr<const PacketSet>& allowed,
    AddressSet& internet, std::string& targetName, AddressSet* virtualNetwork) const
{
    return d->core.policyAt(ipcId, allowed, internet, targetName, virtualNetwork);
}

std::size_t IncrementalAnalysis::lastReevaluated() const
{
    return d->core.lastReevaluated();
}

} // namespace ew
