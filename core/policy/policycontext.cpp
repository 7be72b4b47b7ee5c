#include "policycontext.h"

namespace ew {

PolicyContext::PolicyContext(const Snapshot& snapshot)
    : m_snap(snapshot)
{
    for (const auto& [id, vnet] : m_snap.vnets) {
        VnetInfo info;
        info.space = vnet.addressSpace;
        info.connected.push_back(id);
        for (const auto& p : vnet.peerings) {
            if (!p.connected)
                continue;
            info.space = info.space.united(p.remoteSpace);
            if (auto it = m_snap.vnets.find(p.remoteVnetId); it != m_snap.vnets.end())
                info.space = info.space.united(it->second.addressSpace);
            if (!p.remoteVnetId.empty())
                info.connected.push_back(p.remoteVnetId);
        }
        m_vnets[id] = std::move(info);
    }
    // Internet clients: public space outside the virtual network. 168.63.129.16 is Azure's platform
    // address (health probes, DNS); no internet client can use it.
    const AddressSet internet = publicInternet().subtracted(azureLoadBalancer());
    for (auto& [id, info] : m_vnets)
        info.internet = internet.subtracted(info.space);
    m_unknownVnet.internet = internet;
    for (const auto& [id, nic] : m_snap.nics)
        for (const auto& ipc : nic.ipConfigurations)
            for (const auto& asg : ipc.asgIds)
                m_asgMembers[asg] = m_asgMembers[asg].united(possibleAddresses(ipc));
}

const AddressSet& PolicyContext::azureLoadBalancer()
{
    static const AddressSet s = [] {
        auto p = parsePrefix("168.63.129.16/32");
        return AddressSet::range(p->first, p->last);
    }();
    return s;
}

const AddressSet& PolicyContext::virtualNetworkSpace(const std::string& vnetId) const
{
    auto it = m_vnets.find(vnetId);
    return it == m_vnets.end() ? m_unknownVnet.space : it->second.space;
}

const AddressSet& PolicyContext::internetSpace(const std::string& vnetId) const
{
    auto it = m_vnets.find(vnetId);
    return it == m_vnets.end() ? m_unknownVnet.internet : it->second.internet;
}

const AddressSet& PolicyContext::asgMembers(const std::string& asgId) const
{
    auto it = m_asgMembers.find(asgId);
    return it == m_asgMembers.end() ? m_empty : it->second;
}

const std::vector<std::string>& PolicyContext::connectedVnets(const std::string& vnetId) const
{
    auto it = m_vnets.find(vnetId);
    return it == m_vnets.end() ? m_unknownVnet.connected : it->second.connected;
}

std::string PolicyContext::vnetOfSubnet(const std::string& subnetId) const
{
    if (auto it = m_snap.subnets.find(subnetId); it != m_snap.subnets.end())
        return it->second.vnetId;
    const auto pos = subnetId.rfind("/subnets/");
    return pos == std::string::npos ? std::string() : subnetId.substr(0, pos);
}

AddressSet PolicyContext::possibleAddresses(const IpConfiguration& ipc) const
{
    if (!ipc.privateRange.isEmpty())
        return ipc.privateRange;
    if (auto it = m_snap.subnets.find(ipc.subnetId); it != m_snap.subnets.end() && !it->second.prefixes.isEmpty())
        return it->second.prefixes;
    return AddressSet::all();
}

} // namespace ew
