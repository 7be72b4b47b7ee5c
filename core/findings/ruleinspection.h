#pragma once

#include "finding.h"
#include "model/snapshot.h"
#include "policy/policycontext.h"

#include <memory>
#include <string>
#include <vector>

namespace ew {

/// What one NSG rule does for the traffic of one finding.
struct RuleRow
{
    enum class Status {
        Deciding, // decides (part of) this finding's traffic: the evidence
        Blocks, // a deny rule that stops some internet traffic of this protocol before it arrives
        Other, // decides other traffic at this NIC, none of this finding's
        Shadowed, // every packet it matches is decided by a rule before it: it never gets a chance
        NotApplicable, // matches no traffic to this NIC (destination, ASG membership)
    };
    std::string name;
    int priority = 0;
    bool allow = false;
    bool isDefault = false;
    bool disabled = false; // disabled by a what-if edit
    std::string protocol; // as written ("Tcp", "*")
    std::string source; // "Internet", "52.160.10.0/24", "*"
    std::string destination;
    std::string ports; // destination ports, "9200-9300" or "*"
    Status status = Status::Other;
    std::string reason; // a sentence: why this status
    SourceLocation where;
};
const char* ruleStatusName(RuleRow::Status s); // "deciding", "blocks", "other", "shadowed", "not-applicable"

/// One NSG level in front of one IP configuration, with every inbound rule in evaluation order.
struct FilterInspection
{
    std::string level; // "subnet", "nic", or "gateway-subnet" (an Application Gateway's subnet, first)
    std::string nsgId; // empty: no NSG at this level
    std::string nsgName;
    std::string protects; // name of the resource the level is evaluated for
    bool synthetic = false; // referenced but not exported (assumed to allow)
    std::vector<RuleRow> rules;
    std::string summary; // "subnet NSG nsg-es allows it by rule allow-es-any (priority 110)"
};

struct FindingInspection
{
    std::vector<FilterInspection> filters; // in path order (foothold's levels first for hops == 2)
    std::string explanation;
};

/// Explains findings against the snapshot they were computed from. Builds the policy context once;
/// the snapshot must outlive the inspector. Read-only after construction (thread-safe to share).
class FindingInspector
{
public:
    explicit FindingInspector(const Snapshot& snapshot);
    FindingInspection inspect(const Finding& finding) const;

private:
    void inspectLevel(const Finding& f, const NetworkSecurityGroup* nsg, const std::string& level,
        const IpConfiguration& ipc, const std::string& protects, const AddressSet& sources, bool footholdStage,
        FindingInspection& out) const;
    const IpConfiguration* ipConfiguration(const std::string& id, const NetworkInterface** nic) const;

    const Snapshot& m_snap;
    PolicyContext m_ctx;
};

/// A short text of one side of a rule's address match ("Internet, 10.0.0.0/8", "*").
std::string addressMatchText(const AddressMatch& m, const Snapshot& snapshot);

/// What a rule does, in one line: "allow Tcp * -> * 9200-9300".
std::string ruleText(const SecurityRule& rule, const Snapshot& snapshot);

/// "a, b, c and 2 more": at most `max` parts, then how many are left.
std::string joinedList(const std::vector<std::string>& parts, std::size_t max = 3);

} // namespace ew
