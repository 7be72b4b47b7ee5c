#pragma once

#include "model/snapshot.h"

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ew {

/// What an NSG rule needs to know about the estate to turn tags and ASGs into addresses:
/// built once per snapshot, read-only afterwards (safe to share across threads).
class PolicyContext
{
public:
    explicit PolicyContext(const Snapshot& snapshot);

    const Snapshot& snapshot() const { return m_snap; }
    /// VirtualNetwork service tag for a NIC in vnetId: the VNet's space and connected peers' space.
    const AddressSet& virtualNetworkSpace(const std::string& vnetId) const;
    /// Private space a packet can come from inside the estate: the VNet and every VNet peered with
    /// it whatever the peering's access flags (routing, not the VirtualNetwork tag).
    const AddressSet& routableSpace(const std::string& vnetId) const;
    /// Internet service tag: public address space outside the virtual network.
    const AddressSet& internetSpace(const std::string& vnetId) const;
    /// Private addresses of the IP configurations that are members of an ASG.
    const AddressSet& asgMembers(const std::string& asgId) const;
    /// VNets reachable from vnetId by routing (itself and connected peerings).
    const std::vector<std::string>& connectedVnets(const std::string& vnetId) const;
    /// The VNet of a subnet id ("" when unknown).
    std::string vnetOfSubnet(const std::string& subnetId) const;
    /// Addresses an IP configuration may have: its private IP, or its subnet's range when the
    /// export does not say (dynamic allocation not yet done, scale sets, templates).
    AddressSet possibleAddresses(const IpConfiguration& ipc) const;

    static const AddressSet& azureLoadBalancer(); // 168.63.129.16/32
    /// The exact ranges of a service tag (any case: "AzureCloud", "storage.westeurope") from a
    /// service tag file in the export; null when the export has no such file or the file no such tag.
    /// Internet, VirtualNetwork and AzureLoadBalancer are modelled from the estate and never looked up here.
    const ServiceTagRanges* serviceTag(std::string_view name) const;
    /// An AWS prefix list by id (any case); null when the export does not describe it.
    const PrefixList* prefixList(std::string_view id) const;

private:
    struct VnetInfo
    {
        AddressSet space;
        AddressSet routable;
        AddressSet internet;
        std::vector<std::string> connected;
    };
    const Snapshot& m_snap;
    std::unordered_map<std::string, VnetInfo> m_vnets;
    std::unordered_map<std::string, AddressSet> m_asgMembers;
    VnetInfo m_unknownVnet;
    AddressSet m_empty;
};

/// Which published version of a service tag a verdict rests on, for its assumptions: the ranges
/// change weekly, so the analyst must know which list was used ("changeNumber 63 of the Public
/// cloud's service tag list (file#/values/0)").
std::string serviceTagVersion(const ServiceTagRanges& tag);

/// Whether an address match's tag names an AWS prefix list ("pl-0123abcd") rather than a service tag.
bool isPrefixListId(std::string_view tag);

/// What an AWS prefix list named by a rule or a route stands for.
struct PrefixListResolution
{
    AddressSet addresses; // its entries; every address of its family when they are not in the export
    bool exact = false; // the entries were read
    std::string label; // "prefix list pl-0123abcd (office-ranges)"
    /// What a verdict using it rests on (empty when exact and unremarkable): entries missing, or the
    /// list being CloudFront's origin-facing servers, which forward any internet client.
    std::string note;
};
PrefixListResolution resolvePrefixList(const PolicyContext& ctx, std::string_view id);

} // namespace ew
