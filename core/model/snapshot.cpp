#include "snapshot.h"

#include <algorithm>
#include <cctype>

namespace ew {

std::string toLower(std::string_view text)
{
    std::string s(text);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool globMatch(std::string_view pattern, std::string_view text)
{
    std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

std::string normaliseId(std::string_view id)
{
    while (!id.empty() && id.back() == '/')
        id.remove_suffix(1);
    return toLower(id);
}

std::string lastSegment(std::string_view id)
{
    while (!id.empty() && id.back() == '/')
        id.remove_suffix(1);
    const auto slash = id.rfind('/');
    return std::string(slash == std::string_view::npos ? id : id.substr(slash + 1));
}

bool Snapshot::hasErrors() const
{
    return std::any_of(diagnostics.begin(), diagnostics.end(),
        [](const Diagnostic& d) { return d.level == Diagnostic::Level::Error; });
}

SecurityRule allowAllRule(std::string id, std::string name, int priority, SourceLocation where)
{
    SecurityRule all;
    all.id = std::move(id);
    all.name = std::move(name);
    all.priority = priority;
    all.allow = true;
    all.source.any = true;
    all.destination.any = true;
    all.protocolText = "*";
    all.where = std::move(where);
    return all;
}

std::size_t Snapshot::resourceCount() const
{
    return vnets.size() + subnets.size() + nsgs.size() + nics.size() + publicIps.size() + loadBalancers.size()
        + asgs.size() + vms.size() + dataServices.size() + proxies.size() + firewallPolicies.size() + routeTables.size()
        + edges.size() + privateEndpoints.size() + localGateways.size() + vnetGateways.size()
        + gatewayConnections.size();
}

Snapshot::Located Snapshot::locate(const std::string& ipConfigurationId) const
{
    Located l;
    const auto cut = ipConfigurationId.rfind("/ipconfigurations/");
    if (cut == std::string::npos)
        return l;
    auto nic = nics.find(ipConfigurationId.substr(0, cut));
    if (nic == nics.end())
        return l;
    for (const auto& ipc : nic->second.ipConfigurations)
        if (ipc.id == ipConfigurationId) {
            l.nic = &nic->second;
            l.ipc = &ipc;
            if (auto s = subnets.find(ipc.subnetId); s != subnets.end())
                l.subnet = &s->second;
        }
    return l;
}

} // namespace ew
