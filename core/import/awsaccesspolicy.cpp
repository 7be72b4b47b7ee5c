#include "awsaccesspolicy.h"

#include "jsonparse.h"
#include "model/snapshot.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cctype>

namespace ew {

namespace {

using nlohmann::json;

// The domain's HTTP API (es:ESHttp*): reads and writes of its data. Configuration actions
// (es:DescribeDomain, ...) go to the configuration API, whose requests are always signed.
constexpr std::array<std::string_view, 6> kHttpActions
    = { "es:eshttpget", "es:eshttphead", "es:eshttppost", "es:eshttpput", "es:eshttppatch", "es:eshttpdelete" };
constexpr unsigned kAllHttp = (1u << kHttpActions.size()) - 1;

// A policy element that is a string or a list of strings.
std::vector<std::string> strings(const json& v)
{
    std::vector<std::string> out;
    if (v.is_string())
        out.push_back(v.get<std::string>());
    else if (v.is_array())
        for (const auto& e : v)
            if (e.is_string())
                out.push_back(e.get<std::string>());
    return out;
}

std::string joined(const std::vector<std::string>& list)
{
    std::string out;
    for (const auto& s : list)
        out += (out.empty() ? "" : ", ") + s;
    return out;
}

// "*" and {"AWS": "*"} (or a list holding "*") are anyone, signed or not.
bool anonymous(const json& principal)
{
    if (principal.is_string())
        return principal.get<std::string>() == "*";
    if (principal.is_object())
        for (const auto& [key, value] : principal.items())
            if (toLower(key) == "aws")
                for (const auto& p : strings(value))
                    if (p == "*")
                        return true;
    return false;
}

// The HTTP methods a statement's Action (or NotAction) covers, as bits of kHttpActions.
unsigned httpMethods(const json& statement, bool& stated)
{
    stated = true;
    const bool negated = !statement.contains("Action") && statement.contains("NotAction");
    if (!statement.contains("Action") && !negated) {
        stated = false;
        return 0;
    }
    const auto patterns = strings(statement.at(negated ? "NotAction" : "Action"));
    unsigned bits = 0;
    for (std::size_t i = 0; i < kHttpActions.size(); ++i) {
        bool matched = false;
        for (const auto& p : patterns)
            matched = matched || globMatch(toLower(p), kHttpActions[i]);
        if (matched != negated)
            bits |= 1u << i;
    }
    return bits;
}

struct Statement
{
    std::string label; // "statement 0" or "statement \"Sid\""
    bool allow = false;
    bool anonymous = false;
    unsigned methods = 0;
    std::vector<std::string> actions; // as written, for the name
    AddressSet sources = AddressSet::all();
    std::vector<std::string> sourceText; // the aws:SourceIp values, for the name
    std::vector<std::string> unevaluated; // conditions other than aws:SourceIp
    bool coversDomain = true; // Resource covers every index of the domain
};

} // namespace

AnonymousAccess readAnonymousAccess(std::string_view policy, std::string_view resourceArn)
{
    AnonymousAccess out;
    std::size_t first = 0;
    while (first < policy.size() && std::isspace(static_cast<unsigned char>(policy[first])))
        ++first;
    if (first == policy.size())
        return out; // no policy: only IAM identities' own policies grant access, to signed requests
    json doc = json::parse(policy, nullptr, false);
    if (doc.is_discarded()) {
        out.valid = false;
        JsonSyntaxError e;
        out.error = findJsonError(policy, e)
            ? "not valid JSON (at byte " + std::to_string(e.byte) + ": " + e.message + ")"
            : "not valid JSON";
        return out;
    }
    if (!doc.is_object() || !doc.contains("Statement")
        || !(doc["Statement"].is_array() || doc["Statement"].is_object())) {
        out.valid = false;
        out.error = "not a policy document (no \"Statement\" list)";
        return out;
    }
    const json statements = doc["Statement"].is_array() ? doc["Statement"] : json::array({ doc["Statement"] });
    std::vector<Statement> read;
    for (std::size_t i = 0; i < statements.size(); ++i) {
        const json& s = statements[i];
        if (!s.is_object())
            continue;
        Statement st;
        const std::string sid = s.contains("Sid") && s["Sid"].is_string() ? s["Sid"].get<std::string>() : "";
        st.label = sid.empty() ? "statement " + std::to_string(i) : "statement \"" + sid + "\"";
        st.allow
            = !(s.contains("Effect") && s["Effect"].is_string() && toLower(s["Effect"].get<std::string>()) == "deny");
        if (s.contains("NotPrincipal")) {
            // Everyone but the named principals: anonymous requests included.
            st.anonymous = true;
        } else if (s.contains("Principal")) {
            st.anonymous = anonymous(s["Principal"]);
        } else {
            out.notes.push_back(st.label + " of the access policy names no principal: it is ignored");
            continue;
        }
        bool stated = false;
        st.methods = httpMethods(s, stated);
        if (!stated) {
            out.notes.push_back(st.label + " of the access policy names no action: it is ignored");
            continue;
        }
        st.actions = strings(s.contains("Action") ? s["Action"] : s["NotAction"]);
        if (!s.contains("Action"))
            for (auto& a : st.actions)
                a = "all but " + a;
        if (s.contains("Resource") || s.contains("NotResource")) {
            const bool negated = !s.contains("Resource");
            const std::string probe = std::string(resourceArn) + "/any-index";
            bool matched = false;
            for (const auto& p : strings(s[negated ? "NotResource" : "Resource"]))
                matched = matched || p == "*" || (!resourceArn.empty() && globMatch(p, probe));
            st.coversDomain = matched != negated;
        }
        if (s.contains("Condition") && s["Condition"].is_object())
            for (const auto& [op, block] : s["Condition"].items()) {
                // "IpAddressIfExists" is IpAddress for requests that carry the key, as every
                // request from the internet does; set qualifiers do not change a single value.
                std::string name = op;
                for (const char* prefix : { "ForAnyValue:", "ForAllValues:" })
                    if (name.rfind(prefix, 0) == 0)
                        name = name.substr(std::string_view(prefix).size());
                if (name.size() > 8 && name.compare(name.size() - 8, 8, "IfExists") == 0)
                    name.resize(name.size() - 8);
                if (!block.is_object())
                    continue;
                for (const auto& [key, value] : block.items()) {
                    if (toLower(key) != "aws:sourceip" || (name != "IpAddress" && name != "NotIpAddress")) {
                        st.unevaluated.push_back(op + " " + key);
                        continue;
                    }
                    AddressSet set;
                    for (const auto& text : strings(value)) {
                        auto p = parsePrefix(text);
                        if (!p) {
                            out.invalidAddresses.push_back(st.label + ": \"" + text + "\"");
                            continue;
                        }
                        const AddressSet one = AddressSet::range(p->first, p->last);
                        // "::/0" is every IPv6 address, not every address.
                        set = set.united(
                            text.find(':') != std::string::npos ? one.intersected(AddressSet::allV6()) : one);
                        st.sourceText.push_back((name == "NotIpAddress" ? "not " : "") + text);
                    }
                    st.sources = st.sources.intersected(name == "IpAddress" ? set : AddressSet::all().subtracted(set));
                }
            }
        if (st.allow && !st.anonymous && st.methods)
            out.namedPrincipals = true;
        read.push_back(std::move(st));
    }
    // Explicit denies of anonymous requests to every HTTP method of every index take their
    // addresses away from every allow; a deny of some methods or some indices leaves the others.
    AddressSet denied;
    std::vector<std::string> denyLabels;
    for (const auto& st : read) {
        if (st.allow || !st.anonymous)
            continue;
        if (!st.unevaluated.empty()) {
            out.notes.push_back("Deny " + st.label + " of the access policy has conditions that are not evaluated ("
                + joined(st.unevaluated) + "): assumed not met, so it takes nothing away");
            continue;
        }
        if (st.methods != kAllHttp || !st.coversDomain) {
            if (st.methods)
                out.notes.push_back("Deny " + st.label
                    + " of the access policy covers only some HTTP methods or indices: the rest stays allowed");
            continue;
        }
        denied = denied.united(st.sources);
        denyLabels.push_back(st.label);
    }
    for (const auto& st : read) {
        if (!st.allow || !st.anonymous || !st.methods)
            continue;
        if (!st.unevaluated.empty())
            out.notes.push_back("Allow " + st.label + " of the access policy has conditions that are not evaluated ("
                + joined(st.unevaluated) + "): assumed met by requests from the internet");
        AnonymousAccess::Grant g;
        g.sources = st.sources.subtracted(denied);
        g.name = st.label + ": Allow * " + joined(st.actions)
            + (st.sourceText.empty() ? std::string(" from any address") : " from " + joined(st.sourceText))
            + (denyLabels.empty() || g.sources == st.sources ? std::string() : ", less Deny " + joined(denyLabels));
        if (g.sources.isEmpty()) {
            out.notes.push_back(
                "Allow " + st.label + " of the access policy is taken away entirely by Deny " + joined(denyLabels));
            continue;
        }
        out.grants.push_back(std::move(g));
    }
    return out;
}

} // namespace ew
