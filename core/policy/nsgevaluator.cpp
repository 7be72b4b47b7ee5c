#include "nsgevaluator.h"

#include <algorithm>
#include <cctype>

namespace ew {

namespace {

enum class Match { Yes, No, Partial };

bool isTag(std::string_view tag, std::string_view name)
{
    return tag.size() == name.size() && std::equal(tag.begin(), tag.end(), name.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
}

// Known service tags resolved to addresses; false for tags we do not model. Internet,
// VirtualNetwork and AzureLoadBalancer depend on the estate and keep their meaning whatever a
// service tag file says; any other tag resolves to its published ranges when the export holds a
// service tag file that lists it (fromFile then names that entry, for the verdict's assumptions).
bool resolveTag(const std::string& tag, const std::string& vnetId, const PolicyContext& ctx, AddressSet& out,
    const ServiceTagRanges** fromFile = nullptr)
{
    if (isTag(tag, "Internet")) {
        out = out.united(ctx.internetSpace(vnetId));
        return true;
    }
    if (isTag(tag, "VirtualNetwork")) {
        out = out.united(ctx.virtualNetworkSpace(vnetId));
        return true;
    }
    if (isTag(tag, "AzureLoadBalancer")) {
        out = out.united(PolicyContext::azureLoadBalancer());
        return true;
    }
    if (const ServiceTagRanges* published = ctx.serviceTag(tag)) {
        out = out.united(published->addresses);
        if (fromFile)
            *fromFile = published;
        return true;
    }
    return false;
}

std::string describe(const NetworkSecurityGroup& nsg, const SecurityRule& r)
{
    // A union of security groups has no order, and each rule names its own group.
    if (nsg.semantics == NetworkSecurityGroup::Semantics::AllowUnion)
        return "rule " + r.name + " of " + (r.ownerName.empty() ? nsg.name : r.ownerName);
    return "rule " + r.name + " (priority " + std::to_string(r.priority) + ") of " + nsg.name;
}

Match destinationMatch(const AddressMatch& dst, const IpConfiguration& ipc, const AddressSet& addrs,
    const std::string& vnetId, const PolicyContext& ctx, std::vector<std::string>* unknownTags)
{
    if (dst.any)
        return Match::Yes;
    for (const auto& asg : dst.asgIds)
        if (std::find(ipc.asgIds.begin(), ipc.asgIds.end(), asg) != ipc.asgIds.end())
            return Match::Yes;
    if (dst.tags.empty()) {
        // The common case, literal prefixes only: no copies.
        if (dst.prefixes.isEmpty())
            return Match::No;
        if (dst.prefixes.containsAll(addrs))
            return Match::Yes;
        return dst.prefixes.intersects(addrs) ? Match::Partial : Match::No;
    }
    AddressSet known = dst.prefixes;
    bool unknown = false;
    for (const auto& tag : dst.tags) {
        if (!resolveTag(tag, vnetId, ctx, known)) {
            unknown = true;
            if (unknownTags)
                unknownTags->push_back(tag);
        }
    }
    if (!known.isEmpty() && known.containsAll(addrs))
        return Match::Yes;
    if (unknown || known.intersects(addrs))
        return Match::Partial;
    return Match::No;
}

} // namespace

std::vector<CompiledRule> compileInboundRules(const NetworkSecurityGroup& nsg, const IpConfiguration& ipc,
    const PolicyContext& ctx, const AddressSet& sourceUniverse, std::vector<std::string>* assumptions)
{
    std::vector<CompiledRule> out;
    const std::string vnetId = ctx.vnetOfSubnet(ipc.subnetId);
    const AddressSet addrs = ctx.possibleAddresses(ipc);
    for (std::size_t i = 0; i < nsg.rules.size(); ++i) {
        const auto& rule = nsg.rules[i];
        if (!rule.inbound || rule.disabled)
            continue;
        std::vector<std::string> unknownDst;
        const Match dm = destinationMatch(rule.destination, ipc, addrs, vnetId, ctx, &unknownDst);
        if (dm == Match::No)
            continue;
        if (dm == Match::Partial) {
            // Resolve towards reachability: an allow is taken to apply, a deny is taken not to.
            if (assumptions) {
                std::string why = unknownDst.empty()
                    ? "the destination covers only part of the addresses the NIC may have ("
                        + (ipc.privateAddress.empty() ? std::string("no private IP in the export") : ipc.privateAddress)
                        + ")"
                    : unknownDst.front().front() == '{'
                    ? "the destination is the template parameter " + unknownDst.front() + ", which has no value"
                    : "the destination service tag " + unknownDst.front() + " is not modelled";
                assumptions->push_back(describe(nsg, rule) + ": " + why + "; it is assumed to "
                    + (rule.allow ? "apply" : "not apply") + " to " + ipc.name);
            }
            if (!rule.allow)
                continue;
        }
        if (assumptions && !rule.assumption.empty())
            assumptions->push_back(describe(nsg, rule) + ": " + rule.assumption);
        AddressSet src;
        if (rule.source.any)
            src = AddressSet::all();
        else {
            src = rule.source.prefixes;
            for (const auto& tag : rule.source.tags) {
                if (isPrefixListId(tag)) {
                    // AWS: the list's entries; without them any address of its family, for an allow
                    // (a deny is assumed to block none of it), said either way.
                    PrefixListResolution pl = resolvePrefixList(ctx, tag);
                    if (pl.exact || rule.allow)
                        src = src.united(pl.addresses);
                    if (assumptions && !pl.note.empty())
                        assumptions->push_back(describe(nsg, rule) + ": " + pl.note
                            + (pl.exact || rule.allow ? std::string() : "; this deny is assumed to block none of it"));
                    continue;
                }
                const ServiceTagRanges* published = nullptr;
                if (resolveTag(tag, vnetId, ctx, src, &published)) {
                    // Exact, but only for the version of the list in the export: Azure changes
                    // the ranges weekly.
                    if (published && assumptions)
                        assumptions->push_back(describe(nsg, rule) + ": the source service tag " + tag
                            + " is the ranges published in " + serviceTagVersion(*published));
                    continue;
                }
                const std::string what = tag.front() == '{'
                    ? "the source is the template parameter " + tag + ", which has no value"
                    : "the source service tag " + tag + " is not modelled";
                if (rule.allow) {
                    // An unmodelled tag (AzureCloud, Storage, ...) may hold any public address.
                    src = src.united(publicInternet());
                    if (assumptions)
                        assumptions->push_back(
                            describe(nsg, rule) + ": " + what + "; it is assumed to include any internet address");
                } else if (assumptions) {
                    assumptions->push_back(
                        describe(nsg, rule) + ": " + what + "; this deny is assumed to block none of it");
                }
            }
            for (const auto& asg : rule.source.asgIds)
                src = src.united(ctx.asgMembers(asg));
        }
        if (rule.family != SecurityRule::Family::Any)
            src = src.intersected(familyAddresses(rule.family));
        src = src.intersected(sourceUniverse);
        out.push_back({ i, rule.allow, rulePackets(rule, src) });
    }
    return out;
}

PacketSet rulePackets(const SecurityRule& rule, const AddressSet& addresses)
{
    ProtocolMask protocols = rule.protocols;
    // ICMP and ESP/AH carry no ports: a rule restricted to ports cannot match them.
    if (!rule.destinationPorts.isAll())
        protocols &= static_cast<ProtocolMask>(maskOf(Protocol::Tcp) | maskOf(Protocol::Udp));
    if (!(protocols & maskOf(Protocol::Icmp)) || rule.icmpTypes.isAll())
        return PacketSet::box(protocols, rule.destinationPorts, addresses);
    return PacketSet::box(
        protocols & static_cast<ProtocolMask>(~maskOf(Protocol::Icmp)), rule.destinationPorts, addresses)
        .united(PacketSet::icmp(rule.icmpTypes, addresses));
}

const AddressSet& familyAddresses(SecurityRule::Family family)
{
    static const AddressSet all = AddressSet::all(), v4 = AddressSet::allV4(), v6 = AddressSet::allV6();
    return family == SecurityRule::Family::V4 ? v4 : family == SecurityRule::Family::V6 ? v6 : all;
}

std::string inboundGroupKey(const NetworkSecurityGroup& nsg, const IpConfiguration& ipc, const PolicyContext& ctx)
{
    const std::string vnetId = ctx.vnetOfSubnet(ipc.subnetId);
    const AddressSet addrs = ctx.possibleAddresses(ipc);
    std::string key = nsg.id;
    key += '|';
    key += vnetId;
    key += '|';
    for (const auto& rule : nsg.rules) {
        if (!rule.inbound || rule.disabled)
            continue;
        switch (destinationMatch(rule.destination, ipc, addrs, vnetId, ctx, nullptr)) {
        case Match::Yes:
            key += 'Y';
            break;
        case Match::No:
            key += 'N';
            break;
        case Match::Partial:
            key += 'P';
            break;
        }
    }
    return key;
}

NsgVerdict evaluateAllowUnion(const std::vector<CompiledRule>& rules, const PacketSet& universe)
{
    NsgVerdict v;
    for (const auto& r : rules) {
        if (!r.allow)
            continue;
        PacketSet m = r.packets.intersected(universe);
        if (m.isEmpty())
            continue;
        v.allowed = v.allowed.united(m);
        v.claims.push_back({ r.ruleIndex, std::move(m) });
    }
    v.undecided = universe.subtracted(v.allowed);
    return v;
}

NetworkSecurityGroup unionOfGroups(
    const Snapshot& snapshot, std::vector<std::string> ids, std::vector<std::string>& assumptions)
{
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    NetworkSecurityGroup merged;
    merged.semantics = NetworkSecurityGroup::Semantics::AllowUnion;
    std::string key;
    for (const auto& id : ids) {
        key += (key.empty() ? "" : "+") + id;
        auto it = snapshot.nsgs.find(id);
        if (it == snapshot.nsgs.end()) {
            assumptions.push_back("security group " + id + " is not in the export: assumed to allow all traffic");
            SecurityRule any = allowAllRule(id + "/unknown", "(not in the export)", 0, {});
            any.ownerId = id;
            any.ownerName = id;
            merged.rules.push_back(std::move(any));
            merged.name += (merged.name.empty() ? "" : ", ") + id;
            continue;
        }
        const auto& sg = it->second;
        merged.name += (merged.name.empty() ? "" : ", ") + sg.name;
        merged.type = sg.type;
        merged.where = sg.where;
        for (auto rule : sg.rules) {
            rule.ownerId = sg.displayId.empty() ? sg.id : sg.displayId;
            rule.ownerName = sg.name;
            merged.rules.push_back(std::move(rule));
        }
    }
    merged.id = "securitygroups/" + key;
    merged.displayId = merged.id;
    return merged;
}

NsgVerdict evaluate(const NetworkSecurityGroup& list, const std::vector<CompiledRule>& rules, const PacketSet& universe)
{
    return list.semantics == NetworkSecurityGroup::Semantics::AllowUnion ? evaluateAllowUnion(rules, universe)
                                                                         : evaluateFirstMatch(rules, universe);
}

NsgVerdict evaluateFirstMatch(const std::vector<CompiledRule>& rules, const PacketSet& universe)
{
    NsgVerdict v;
    PacketSet remaining = universe;
    std::vector<PacketSet> allowed;
    for (const auto& r : rules) {
        if (remaining.isEmpty())
            break;
        PacketSet m = remaining.extract(r.packets);
        if (m.isEmpty())
            continue;
        if (r.allow)
            allowed.push_back(m);
        v.claims.push_back({ r.ruleIndex, std::move(m) });
    }
    // Union of the allowed parts as a balanced tree of merges, not one growing set.
    while (allowed.size() > 1) {
        std::vector<PacketSet> next;
        for (std::size_t i = 0; i + 1 < allowed.size(); i += 2)
            next.push_back(allowed[i].united(allowed[i + 1]));
        if (allowed.size() % 2)
            next.push_back(std::move(allowed.back()));
        allowed = std::move(next);
    }
    if (!allowed.empty())
        v.allowed = std::move(allowed.front());
    v.undecided = std::move(remaining);
    return v;
}

NsgVerdict updateFirstMatch(const NsgVerdict& previous, const std::vector<CompiledRule>& rules,
    const PacketSet& universe, const RuleChange& change)
{
    // A packet the old rule did not win and the new rule does not match is won, before and after,
    // by the first of the other rules that matches it (their order is unchanged).
    PacketSet changed;
    if (change.removed)
        for (const auto& c : previous.claims)
            if (c.ruleIndex == *change.removed) {
                changed = c.packets;
                break;
            }
    if (change.added)
        for (const auto& r : rules)
            if (r.ruleIndex == *change.added) {
                changed = changed.united(r.packets.intersected(universe));
                break;
            }
    const auto renumber = [&](std::size_t i) {
        if (change.removed && i > *change.removed)
            --i;
        if (change.added && i >= *change.added)
            ++i;
        return i;
    };
    const NsgVerdict inside = evaluateFirstMatch(rules, changed);
    NsgVerdict v;
    v.claims.reserve(previous.claims.size() + 1);
    // Both claim lists are in rule order; a rule may claim packets outside and inside.
    auto next = inside.claims.begin();
    for (const auto& c : previous.claims) {
        if (change.removed && c.ruleIndex == *change.removed)
            continue;
        const std::size_t index = renumber(c.ruleIndex);
        for (; next != inside.claims.end() && next->ruleIndex < index; ++next)
            v.claims.push_back(*next);
        PacketSet packets = c.packets.intersects(changed) ? c.packets.subtracted(changed) : c.packets;
        if (next != inside.claims.end() && next->ruleIndex == index)
            packets = packets.united((next++)->packets);
        if (!packets.isEmpty())
            v.claims.push_back({ index, std::move(packets) });
    }
    v.claims.insert(v.claims.end(), next, inside.claims.end());
    v.allowed = previous.allowed.subtracted(changed).united(inside.allowed);
    v.undecided = previous.undecided.subtracted(changed).united(inside.undecided);
    return v;
}

namespace {

template <typename PortCells>
PacketSet naive(const std::vector<CompiledRule>& rules, const PacketSet& universe, PortCells portCells)
{
    std::vector<u128> srcBounds { 0 };
    auto addSet = [&](const AddressSet& s) {
        for (const auto& iv : s.intervals()) {
            srcBounds.push_back(iv.first);
            if (iv.last != kU128Max)
                srcBounds.push_back(iv.last + 1);
        }
    };
    std::vector<std::uint32_t> portBounds { 0 };
    auto addPackets = [&](const PacketSet& ps) {
        for (std::size_t p = 0; p < kProtocolCount; ++p)
            for (const auto& seg : ps.segments(static_cast<Protocol>(p))) {
                portBounds.push_back(seg.firstPort);
                addSet(seg.sources);
            }
    };
    addPackets(universe);
    for (const auto& r : rules)
        addPackets(r.packets);
    std::sort(srcBounds.begin(), srcBounds.end());
    srcBounds.erase(std::unique(srcBounds.begin(), srcBounds.end()), srcBounds.end());
    std::sort(portBounds.begin(), portBounds.end());
    portBounds.erase(std::unique(portBounds.begin(), portBounds.end()), portBounds.end());

    PacketSet result;
    for (std::size_t p = 0; p < kProtocolCount; ++p) {
        const auto proto = static_cast<Protocol>(p);
        const bool ported = proto != Protocol::Other; // ICMP's ports are its type-codes
        std::vector<PacketSet::Segment> steps;
        portCells(ported, portBounds, [&](std::uint32_t first, std::uint32_t) {
            AddressSet allowed;
            for (std::size_t j = 0; j < srcBounds.size(); ++j) {
                const u128 rep = srcBounds[j];
                if (!universe.contains(proto, first, rep))
                    continue;
                for (const auto& r : rules) {
                    if (r.packets.contains(proto, first, rep)) {
                        if (r.allow)
                            allowed.add(rep, j + 1 < srcBounds.size() ? srcBounds[j + 1] - 1 : kU128Max);
                        break;
                    }
                }
            }
            steps.push_back({ first, std::move(allowed) });
        });
        result = result.united(PacketSet::fromSteps(proto, std::move(steps)));
    }
    return result;
}

} // namespace

PacketSet evaluateNaiveAtoms(const std::vector<CompiledRule>& rules, const PacketSet& universe)
{
    return naive(rules, universe, [](bool ported, const std::vector<std::uint32_t>& bounds, auto&& cell) {
        if (!ported) {
            cell(0, 65535);
            return;
        }
        for (std::size_t k = 0; k < bounds.size(); ++k)
            cell(bounds[k], k + 1 < bounds.size() ? bounds[k + 1] - 1 : 65535);
    });
}

PacketSet evaluateNaivePorts(const std::vector<CompiledRule>& rules, const PacketSet& universe)
{
    return naive(rules, universe, [](bool ported, const std::vector<std::uint32_t>&, auto&& cell) {
        if (!ported) {
            cell(0, 65535);
            return;
        }
        for (std::uint32_t port = 0; port < kPortCount; ++port)
            cell(port, port);
    });
}

} // namespace ew
