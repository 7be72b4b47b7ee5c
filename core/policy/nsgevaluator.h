#pragma once

#include "policycontext.h"

#include <optional>
#include <string>
#include <vector>

namespace ew {

/// One NSG rule turned into the packets it matches for one IP configuration.
struct CompiledRule
{
    std::size_t ruleIndex = 0; // into NetworkSecurityGroup::rules
    bool allow = false;
    PacketSet packets;
};

/// The packets one rule decided, in first-match order.
struct RuleClaim
{
    std::size_t ruleIndex = 0;
    PacketSet packets;
};

/// The outcome of one NSG for one IP configuration over a universe of packets.
struct NsgVerdict
{
    PacketSet allowed;
    std::vector<RuleClaim> claims; // every rule that decided something, allow and deny, in order
    PacketSet undecided; // packets no rule matched (none when default rules are present)
};

/// Turns the inbound rules of an NSG into packet sets for the IP configuration ipc, restricted to
/// the given source universe. Destination prefixes, tags and ASGs are matched against the private
/// address (NSGs see traffic after NAT). Anything not modelled exactly (unknown service tags, an
/// address that is not known) is resolved towards reachability, never away from it, and described
/// in assumptions.
std::vector<CompiledRule> compileInboundRules(const NetworkSecurityGroup& nsg, const IpConfiguration& ipc,
    const PolicyContext& ctx, const AddressSet& sourceUniverse, std::vector<std::string>* assumptions);

/// The addresses of a rule's address family (every address for Family::Any).
const AddressSet& familyAddresses(SecurityRule::Family family);

/// The packets a rule matches from (or, for an outbound rule's reply, towards) addresses: its
/// protocols x its ports, ICMP narrowed to the rule's type-codes; a rule restricted to ports
/// matches no ICMP or other port-less protocol.
PacketSet rulePackets(const SecurityRule& rule, const AddressSet& addresses);

/// First-match evaluation by filling the universe in priority order (fast engine).
NsgVerdict evaluateFirstMatch(const std::vector<CompiledRule>& rules, const PacketSet& universe);

/// Allow-union evaluation (AWS security groups: "the rules of all security groups associated with
/// the instance are aggregated"; there are no deny rules): a packet of the universe passes when any
/// allow rule matches it. Each allow rule claims every packet it matches, so claims overlap and every
/// rule that allows a packet is evidence for it; deny rules, which such a list cannot hold, claim
/// nothing. What no rule allows is undecided (denied).
NsgVerdict evaluateAllowUnion(const std::vector<CompiledRule>& rules, const PacketSet& universe);

/// The security groups of an interface as one allow-union list (AWS: "the rules of all security groups
/// associated with the instance are aggregated"): every rule keeps the id and name of its own group.
/// A group the snapshot lacks adds an allow-all rule and an assumption (towards reachability).
NetworkSecurityGroup unionOfGroups(
    const Snapshot& snapshot, std::vector<std::string> groupIds, std::vector<std::string>& assumptions);

/// The evaluation the rule list's semantics call for.
NsgVerdict evaluate(
    const NetworkSecurityGroup& list, const std::vector<CompiledRule>& rules, const PacketSet& universe);

/// One rule of an NSG changed between two evaluations: indices into NetworkSecurityGroup::rules.
/// An edit that moves a rule is both (removed at its old index, added at its new one); disabling or
/// enabling rule i is removed = added = i.
struct RuleChange
{
    std::optional<std::size_t> removed; // the rule as it was (edited, deleted, disabled), old index
    std::optional<std::size_t> added; // the rule as it is (added, edited, enabled), new index
};

/// The verdict after a rule change, from the verdict before it over the same universe (same NSG,
/// same IP configuration). Outside what the old rule claimed and the new rule matches, every packet
/// keeps its first matching rule, so only those packets are evaluated again; the result equals
/// evaluateFirstMatch(rules, universe).
NsgVerdict updateFirstMatch(const NsgVerdict& previous, const std::vector<CompiledRule>& rules,
    const PacketSet& universe, const RuleChange& change);

/// First-match evaluation by scanning the rule list for every atom cell (protocol x port interval
/// x source interval between rule boundaries). The test oracle for evaluateFirstMatch.
PacketSet evaluateNaiveAtoms(const std::vector<CompiledRule>& rules, const PacketSet& universe);

/// First-match evaluation for every concrete destination port (0-65535) and every source cell:
/// the slowest oracle, kept for benchmarks and the ratio PERFORMANCE.md asks for.
PacketSet evaluateNaivePorts(const std::vector<CompiledRule>& rules, const PacketSet& universe);

/// A key that is equal for two IP configurations exactly when compileInboundRules gives them the
/// same rules (same NSG, same VNet context, same destination matches).
std::string inboundGroupKey(const NetworkSecurityGroup& nsg, const IpConfiguration& ipc, const PolicyContext& ctx);

} // namespace ew
