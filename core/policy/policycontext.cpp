#include "policycontext.h"

#include <algorithm>
#include <map>
#include <set>

namespace ew {

PolicyContext::PolicyContext(const Snapshot& snapshot)
    : m_snap(snapshot)
{
    // Peerings: a Connected state on either side means both sides exist (Azure shows Connected
    // only then), so an export holding one side still connects the two. The VirtualNetwork tag of
    // a VNet includes a peer's space only while this VNet's own peering allows virtual network
    // access; when this side is not in the export, it is taken to allow.
    struct Side
    {
        const VirtualNetworkPeering* peering = nullptr;
        AddressSet remoteSpace;
    };
    std::map<std::pair<std::string, std::string>, Side> sides; // (local, remote) -> the local side
    for (const auto& [id, vnet] : m_snap.vnets)
        for (const auto& p : vnet.peerings)
            if (p.connected && !p.remoteVnetId.empty() && p.remoteVnetId != id)
                sides[{ id, p.remoteVnetId }] = { &p, p.remoteSpace };
    for (const auto& [id, vnet] : m_snap.vnets) {
        VnetInfo info;
        info.space = vnet.addressSpace;
        info.connected.push_back(id);
        m_vnets[id] = std::move(info);
    }
    for (const auto& [pair, side] : sides) {
        const auto& [local, remote] = pair;
        for (const auto& [self, other] : { std::pair { local, remote }, std::pair { remote, local } }) {
            auto& info = m_vnets[self];
            if (info.connected.empty())
                info.connected.push_back(self); // a VNet known only from the other side's peering
            if (std::find(info.connected.begin(), info.connected.end(), other) == info.connected.end())
                info.connected.push_back(other);
            if (auto it = m_snap.vnets.find(other); it != m_snap.vnets.end())
                info.routable = info.routable.united(it->second.addressSpace);
            if (self == local)
                info.routable = info.routable.united(side.remoteSpace);
            // This VNet's own side governs; when the export lacks it, its flag is unknown and taken
            // as allowing (towards reachability; PolicyContext::peeringAssumptions says so).
            const auto own = sides.find({ self, other });
            if (own != sides.end() && !own->second.peering->allowVirtualNetworkAccess)
                continue;
            if (auto it = m_snap.vnets.find(other); it != m_snap.vnets.end())
                info.space = info.space.united(it->second.addressSpace);
            if (self == local)
                info.space = info.space.united(side.remoteSpace);
        }
    }
    for (auto& [id, info] : m_vnets) {
        if (auto it = m_snap.vnets.find(id); it != m_snap.vnets.end())
            info.routable = info.routable.united(it->second.addressSpace);
        info.routable = info.routable.united(info.space);
    }
    // Internet clients: public space outside the virtual network. 168.63.129.16 is Azure's platform
    // address (health probes, DNS); no internet client can use it in Azure, but to an AWS VPC (whose
    // subnets need a route to an internet gateway) it is an ordinary internet address.
    const AddressSet internet = publicInternet().subtracted(azureLoadBalancer());
    std::set<std::string> outsideAzure;
    for (const auto& [id, subnet] : m_snap.subnets)
        if (subnet.needsInternetRoute)
            outsideAzure.insert(subnet.vnetId);
    for (auto& [id, info] : m_vnets)
        info.internet = (outsideAzure.count(id) ? publicInternet() : internet).subtracted(info.space);
    m_unknownVnet.internet = internet;
    // On-premises networks behind a VPN or ExpressRoute gateway join the VirtualNetwork tag of the
    // gateway's VNet and of spokes that use it through gateway transit (Microsoft Learn, "Virtual
    // network service tags": VirtualNetwork includes "all connected on-premises address spaces";
    // "VPN Gateway transit for virtual network peering"). They stay internet addresses when public,
    // so a default rule that admits the VirtualNetwork tag admits them from the internet too.
    std::unordered_map<std::string, AddressSet> onPremByVnet;
    for (const auto& [gid, gw] : m_snap.vnetGateways) {
        const auto pos = gw.subnetId.rfind("/subnets/");
        if (pos == std::string::npos)
            continue;
        AddressSet space;
        for (const auto& [cid, c] : m_snap.gatewayConnections)
            if (c.gatewayId == gid)
                if (auto local = m_snap.localGateways.find(c.localGatewayId); local != m_snap.localGateways.end())
                    space = space.united(local->second.space);
        auto& mine = onPremByVnet[gw.subnetId.substr(0, pos)];
        mine = mine.united(space);
    }
    if (!onPremByVnet.empty()) {
        std::unordered_map<std::string, AddressSet> add;
        for (const auto& [id, vnet] : m_snap.vnets) {
            if (auto own = onPremByVnet.find(id); own != onPremByVnet.end())
                add[id] = add[id].united(own->second);
            for (const auto& p : vnet.peerings) {
                if (!p.connected || !p.useRemoteGateways)
                    continue;
                auto hub = onPremByVnet.find(p.remoteVnetId);
                if (hub == onPremByVnet.end())
                    continue;
                // The hub's side must allow gateway transit; when the export lacks it, it is taken to.
                bool transit = true;
                if (auto remote = m_snap.vnets.find(p.remoteVnetId); remote != m_snap.vnets.end())
                    for (const auto& back : remote->second.peerings)
                        if (back.remoteVnetId == id)
                            transit = back.allowGatewayTransit;
                if (transit)
                    add[id] = add[id].united(hub->second);
            }
        }
        for (const auto& [id, space] : add) {
            auto& info = m_vnets[id];
            info.space = info.space.united(space);
            info.routable = info.routable.united(space);
        }
    }
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

const ServiceTagRanges* PolicyContext::serviceTag(std::string_view name) const
{
    if (m_snap.serviceTags.empty())
        return nullptr;
    auto it = m_snap.serviceTags.find(toLower(name));
    return it == m_snap.serviceTags.end() ? nullptr : &it->second;
}

const PrefixList* PolicyContext::prefixList(std::string_view id) const
{
    if (m_snap.prefixLists.empty())
        return nullptr;
    auto it = m_snap.prefixLists.find(toLower(id));
    return it == m_snap.prefixLists.end() ? nullptr : &it->second;
}

bool isPrefixListId(std::string_view tag)
{
    return tag.size() > 3 && (tag[0] == 'p' || tag[0] == 'P') && (tag[1] == 'l' || tag[1] == 'L') && tag[2] == '-';
}

PrefixListResolution resolvePrefixList(const PolicyContext& ctx, std::string_view id)
{
    PrefixListResolution r;
    const PrefixList* list = ctx.prefixList(id);
    const std::string shown = list && !list->displayId.empty() ? list->displayId : std::string(id);
    r.label = "prefix list " + shown + (list && !list->name.empty() ? " (" + list->name + ")" : std::string());
    // CloudFront's lists hold the addresses of its origin-facing servers, which forward requests of
    // any internet client to any origin a distribution names (Amazon VPC User Guide, "AWS-managed
    // prefix lists"; Amazon CloudFront Developer Guide, "Locations and IP address ranges of
    // CloudFront edge servers": "the IP address ranges of all of CloudFront's globally distributed
    // origin-facing servers").
    const bool cloudFront = list
        && (list->name == "com.amazonaws.global.cloudfront.origin-facing"
            || list->name == "com.amazonaws.global.ipv6.cloudfront.origin-facing");
    const std::string cloudFrontWhy = "CloudFront's origin-facing servers, which forward the requests of any internet "
                                      "client through a CloudFront distribution (AWS, 'AWS-managed prefix lists', "
                                      "https://docs.aws.amazon.com/vpc/latest/userguide/"
                                      "working-with-aws-managed-prefix-lists.html)";
    if (list && list->entriesKnown) {
        r.addresses = list->addresses;
        r.exact = true;
        if (cloudFront)
            r.note = r.label + " is " + cloudFrontWhy + "; its entries (" + list->entriesWhere.toString()
                + ") are the sources";
        return r;
    }
    // Towards reachability: a list holds one address family only ("A prefix list supports a single
    // type of IP addressing only"), any address of it is assumed.
    const std::string family = list ? toLower(list->addressFamily) : std::string();
    r.addresses = family == "ipv4" ? AddressSet::allV4() : family == "ipv6" ? AddressSet::allV6() : AddressSet::all();
    const std::string any = family == "ipv4" ? "any IPv4 address"
        : family == "ipv6"                   ? "any IPv6 address"
                                             : "any address";
    r.note = cloudFront
        ? r.label + " is " + cloudFrontWhy + "; its entries are not in the export, so " + any + " is assumed"
        : r.label + " has no entries in the export (aws ec2 get-managed-prefix-list-entries): " + any + " is assumed";
    return r;
}

std::string serviceTagVersion(const ServiceTagRanges& tag)
{
    std::string s = tag.changeNumber.empty() ? std::string("the service tag list without a changeNumber")
                                             : "changeNumber " + tag.changeNumber + " of the service tag list";
    if (!tag.cloud.empty())
        s += " for the " + tag.cloud + " cloud";
    return s + " (" + tag.where.toString() + ")";
}

const AddressSet& PolicyContext::virtualNetworkSpace(const std::string& vnetId) const
{
    auto it = m_vnets.find(vnetId);
    return it == m_vnets.end() ? m_unknownVnet.space : it->second.space;
}

const AddressSet& PolicyContext::routableSpace(const std::string& vnetId) const
{
    auto it = m_vnets.find(vnetId);
    return it == m_vnets.end() ? m_unknownVnet.space : it->second.routable;
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
