#include "rulegroups.h"

#include "model/snapshot.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>

namespace ew {

std::string ruleShortName(
    const std::string& level, const std::string& ruleName, const std::string& ruleId, int priority)
{
    std::string name = ruleName.empty() ? ruleId : ruleName;
    if (!name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); }))
        return "rule " + name; // a network ACL's rule number
    const bool unordered = level.size() >= 15 && level.compare(level.size() - 15, 15, "security-groups") == 0;
    if (priority > 0 && !unordered && name != std::to_string(priority))
        name += " (" + std::to_string(priority) + ")";
    return name;
}

std::string RuleGroup::title() const
{
    if (ruleName.empty() && ruleId.empty())
        return filterName.empty() ? std::string("no rule (open by default)") : filterName;
    return (filterName.empty() ? std::string() : filterName + " / ") + ruleShortName(level, ruleName, ruleId, priority);
}

std::vector<RuleGroup> groupByDecidingRule(const std::vector<const Finding*>& findings)
{
    std::map<std::string, std::size_t> groupOf; // filter id and rule, case-insensitive -> index
    std::vector<RuleGroup> groups;
    std::vector<std::set<std::string>> targets, stores;
    for (std::size_t i = 0; i < findings.size(); ++i) {
        const Finding& f = *findings[i];
        std::set<std::size_t> mine; // a rule named at two levels or hops counts once per finding
        for (const auto& r : f.rules)
            if (r.allow)
                mine.insert([&] {
                    const std::string key
                        = normaliseId(r.filterId) + '\n' + toLower(r.ruleName) + '\n' + normaliseId(r.ruleId);
                    auto [it, fresh] = groupOf.try_emplace(key, groups.size());
                    if (fresh) {
                        RuleGroup g;
                        g.filterId = r.filterId;
                        g.filterName = r.filterName;
                        g.ruleName = r.ruleName;
                        g.ruleId = r.ruleId;
                        g.level = r.level;
                        g.priority = r.priority;
                        g.isDefault = r.isDefault;
                        groups.push_back(std::move(g));
                        targets.emplace_back();
                        stores.emplace_back();
                    }
                    return it->second;
                }());
        if (mine.empty()) {
            auto [it, fresh] = groupOf.try_emplace(std::string(), groups.size());
            if (fresh) {
                groups.emplace_back();
                targets.emplace_back();
                stores.emplace_back();
            }
            mine.insert(it->second);
        }
        for (const std::size_t g : mine) {
            groups[g].findings.push_back(i);
            groups[g].worst = std::max(groups[g].worst, f.severity);
            targets[g].insert(f.target.id);
            if (!f.dataStore.engine.empty())
                stores[g].insert(f.target.id);
        }
    }
    for (std::size_t g = 0; g < groups.size(); ++g) {
        groups[g].targets = targets[g].size();
        groups[g].dataStores = stores[g].size();
    }
    std::stable_sort(groups.begin(), groups.end(), [](const RuleGroup& a, const RuleGroup& b) {
        return std::make_tuple(static_cast<int>(b.worst), b.findings.size(), a.title())
            < std::make_tuple(static_cast<int>(a.worst), a.findings.size(), b.title());
    });
    return groups;
}

} // namespace ew
