#include "engine.h"

namespace ew::engine {

bool broadSources(const AddressSet& sources)
{
    return sources.v4Count() >= (std::uint64_t(1) << 24)
        || sources.intersected(AddressSet::allV6()).containsAll(publicInternet().intersected(AddressSet::allV6()));
}

void Engine::severity(Finding& f, const FindingBody& body) const
{
    const bool broad = body.broad;
    const std::string who = broad ? "the whole internet or a broad range" : "a narrow source range";
    // Judge an engine's own ports by the sources that reach them, not by the union (memoised).
    const bool service = f.dataStore.basis == DataStoreMatch::Basis::ServiceType;
    auto engineReach = [&](const std::string& id) {
        const std::string key = service ? "service:" + id : id;
        auto it = body.engineReach.find(key);
        if (it != body.engineReach.end())
            return it->second;
        // A managed service speaks its engine's protocol on the ports it is configured with (an
        // OpenSearch domain's REST API on 443, an RDS instance on a port of its choosing): every
        // port it is reached on is an engine port, whatever the catalogue lists for self-run servers.
        const auto* engine = service ? nullptr : m_opt.catalogue->engineForName(id);
        const PacketSet onEngine
            = engine ? f.packets->intersected(m_opt.catalogue->enginePackets(*engine)) : *f.packets;
        const int r = onEngine.isEmpty() ? 0 : (broadSources(onEngine.allSources()) ? 2 : 1);
        body.engineReach.emplace(key, r);
        return r;
    };
    if (f.dataStore.declared() && !f.dataStore.engine.empty()) {
        const int reach = engineReach(f.dataStore.engine);
        if (f.hops > 1) {
            f.severity = Severity::High;
            f.severityReason = "data store reachable through a foothold";
        } else if (reach == 2) {
            f.severity = Severity::Critical;
            f.severityReason = "data store port open to the whole internet or a broad range";
        } else {
            f.severity = Severity::High;
            f.severityReason = reach == 0 ? "data store host open to " + who + " on non-engine ports"
                                          : "data store open to a narrow source range";
        }
        return;
    }
    if (f.dataStore.basis == DataStoreMatch::Basis::Port) {
        const bool engineBroad = engineReach(f.dataStore.engine) == 2;
        f.severity = engineBroad ? Severity::High : Severity::Medium;
        f.severityReason = "a data-store port (" + f.dataStore.reason + ") open to "
            + (engineBroad ? std::string("the whole internet or a broad range") : std::string("a narrow source range"));
        return;
    }
    f.severity = broad ? Severity::Medium : Severity::Low;
    f.severityReason = "compute open to " + who;
}

} // namespace ew::engine
