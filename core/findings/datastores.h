#pragma once

#include "finding.h"

#include <map>
#include <string>
#include <vector>

namespace ew {

/// A versioned catalogue of data-store engines and the ports they listen on.
struct DataStoreEngine
{
    std::string id; // "elasticsearch"
    std::string displayName; // "Elasticsearch"
    std::vector<PortRange> tcp;
    std::vector<PortRange> udp;
    std::vector<std::string> aliases; // tag values that name it ("es", "opensearch", ...)
    bool managed = false; // a cloud service: known by resource type, never guessed from a port
};

class DataStoreCatalogue
{
public:
    /// The built-in catalogue (version kBuiltinVersion).
    static const DataStoreCatalogue& builtin();
    static constexpr const char* kBuiltinVersion = "2026.12";

    const std::vector<DataStoreEngine>& engines() const { return m_engines; }
    std::string version() const { return m_version; }
    void addEngine(DataStoreEngine engine) { m_engines.push_back(std::move(engine)); }

    /// The engine a tag value names ("Elasticsearch", "mongo", "role=mongodb" values), or nullptr.
    const DataStoreEngine* engineForName(std::string_view name) const;
    /// Data-store evidence from resource tags: a tag whose key is a role-like word
    /// (workload, role, service, app, engine, datastore, db, database, component) and whose value
    /// names an engine, or a tag value that is an engine name. Case-insensitive.
    DataStoreMatch fromTags(const std::map<std::string, std::string>& tags) const;
    /// The catalogue ports of engine that packets reach (tcp/udp), as a packet set.
    PacketSet enginePackets(const DataStoreEngine& engine) const;

private:
    std::vector<DataStoreEngine> m_engines;
    std::string m_version;
};

} // namespace ew
