#include "datastores.h"

#include "model/snapshot.h"

#include <algorithm>
#include <cctype>

namespace ew {

const char* severityName(Severity s)
{
    switch (s) {
    case Severity::Critical:
        return "critical";
    case Severity::High:
        return "high";
    case Severity::Medium:
        return "medium";
    case Severity::Low:
        return "low";
    case Severity::Info:
        return "info";
    }
    return "info";
}

bool parseSeverity(std::string_view text, Severity& out)
{
    const auto t = toLower(text);
    for (auto s : { Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical })
        if (t == severityName(s)) {
            out = s;
            return true;
        }
    return false;
}

const char* basisName(DataStoreMatch::Basis b)
{
    switch (b) {
    case DataStoreMatch::Basis::ServiceType:
        return "service-type";
    case DataStoreMatch::Basis::Tag:
        return "tag";
    case DataStoreMatch::Basis::Analyst:
        return "analyst";
    case DataStoreMatch::Basis::Port:
        return "port";
    case DataStoreMatch::Basis::None:
        return "none";
    }
    return "none";
}

const DataStoreCatalogue& DataStoreCatalogue::builtin()
{
    static const DataStoreCatalogue c = [] {
        DataStoreCatalogue cat;
        cat.m_version = kBuiltinVersion;
        auto tcp = [](std::initializer_list<std::pair<std::uint32_t, std::uint32_t>> l) {
            std::vector<PortRange> v;
            for (auto [a, b] : l)
                v.push_back({ a, b });
            return v;
        };
        cat.m_engines = {
            { "elasticsearch", "Elasticsearch", tcp({ { 9200, 9200 }, { 9300, 9300 } }), {},
                { "elastic", "es", "elk", "opensearch", "elasticsearch" } },
            { "kibana", "Kibana", tcp({ { 5601, 5601 } }), {}, { "kibana" } },
            { "mongodb", "MongoDB", tcp({ { 27017, 27019 } }), {}, { "mongo", "mongodb" } },
            { "redis", "Redis", tcp({ { 6379, 6380 } }), {}, { "redis" } },
            { "memcached", "Memcached", tcp({ { 11211, 11211 } }), tcp({ { 11211, 11211 } }),
                { "memcache", "memcached" } },
            { "mysql", "MySQL", tcp({ { 3306, 3306 } }), {}, { "mysql", "mariadb" } },
            { "postgresql", "PostgreSQL", tcp({ { 5432, 5432 } }), {}, { "postgres", "postgresql", "pg" } },
            { "sqlserver", "SQL Server", tcp({ { 1433, 1433 } }), tcp({ { 1434, 1434 } }),
                { "mssql", "sqlserver", "sql-server" } },
            { "oracle", "Oracle Database", tcp({ { 1521, 1521 }, { 2483, 2484 } }), {}, { "oracle", "oracledb" } },
            { "cassandra", "Cassandra", tcp({ { 7000, 7001 }, { 7199, 7199 }, { 9042, 9042 }, { 9160, 9160 } }), {},
                { "cassandra" } },
            { "kafka", "Kafka", tcp({ { 9092, 9092 } }), {}, { "kafka" } },
            { "couchdb", "CouchDB", tcp({ { 5984, 5984 } }), {}, { "couchdb", "couch" } },
            { "neo4j", "Neo4j", tcp({ { 7474, 7474 }, { 7687, 7687 } }), {}, { "neo4j" } },
            { "influxdb", "InfluxDB", tcp({ { 8086, 8086 } }), {}, { "influx", "influxdb" } },
            { "clickhouse", "ClickHouse", tcp({ { 8123, 8123 }, { 9000, 9000 } }), {}, { "clickhouse" } },
            // Amazon Redshift speaks PostgreSQL's protocol on its own default port.
            { "redshift", "Amazon Redshift", tcp({ { 5439, 5439 } }), {}, { "redshift" } },
        };
        return cat;
    }();
    return c;
}

const DataStoreEngine* DataStoreCatalogue::engineForName(std::string_view name) const
{
    const auto n = toLower(name);
    for (const auto& e : m_engines) {
        if (n == e.id)
            return &e;
        for (const auto& a : e.aliases)
            if (n == a)
                return &e;
    }
    return nullptr;
}

DataStoreMatch DataStoreCatalogue::fromTags(const std::map<std::string, std::string>& tags) const
{
    static const char* roleKeys[] = { "workload", "role", "service", "app", "application", "engine", "datastore",
        "data-store", "db", "database", "component", "type" };
    DataStoreMatch m;
    for (const auto& [key, value] : tags) {
        const auto k = toLower(key);
        const bool roleKey
            = std::any_of(std::begin(roleKeys), std::end(roleKeys), [&](const char* r) { return k == r; });
        // Values like "elasticsearch-data" or "mongodb primary" name the engine in their first word.
        std::string v = toLower(value);
        const auto cut = v.find_first_of(" -_/:");
        const std::string first = cut == std::string::npos ? v : v.substr(0, cut);
        const DataStoreEngine* e = engineForName(v);
        if (!e && roleKey)
            e = engineForName(first);
        if (!e && engineForName(k) && (v.empty() || v == "true" || v == "yes"))
            e = engineForName(k);
        if (e) {
            m.engine = e->id;
            m.basis = DataStoreMatch::Basis::Tag;
            m.reason = "tag " + key + (value.empty() ? std::string() : "=" + value);
            return m;
        }
    }
    return m;
}

PacketSet DataStoreCatalogue::enginePackets(const DataStoreEngine& engine) const
{
    PortSet tcp, udp;
    for (auto r : engine.tcp)
        tcp.add(r.first, r.last);
    for (auto r : engine.udp)
        udp.add(r.first, r.last);
    return PacketSet::box(maskOf(Protocol::Tcp), tcp, AddressSet::all())
        .united(PacketSet::box(maskOf(Protocol::Udp), udp, AddressSet::all()));
}

} // namespace ew
