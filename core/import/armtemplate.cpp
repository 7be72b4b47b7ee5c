#include "armtemplate.h"

#include "model/snapshot.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <stdexcept>

namespace ew {

using nlohmann::json;

namespace {

std::string asText(const json& v)
{
    if (v.is_string())
        return v.get<std::string>();
    return v.dump();
}

std::string buildResourceId(
    const std::string& sub, const std::string& rg, const std::string& type, const std::vector<std::string>& names)
{
    // type "Microsoft.Network/virtualNetworks/subnets": namespace then one type segment per name.
    std::vector<std::string> parts;
    std::size_t pos = 0;
    while (pos <= type.size()) {
        auto slash = type.find('/', pos);
        if (slash == std::string::npos)
            slash = type.size();
        parts.push_back(type.substr(pos, slash - pos));
        pos = slash + 1;
    }
    std::string id = "/subscriptions/" + sub + "/resourceGroups/" + rg + "/providers/" + parts[0];
    for (std::size_t i = 1; i < parts.size(); ++i) {
        id += '/' + parts[i];
        if (i - 1 < names.size())
            id += '/' + names[i - 1];
    }
    return id;
}

// ARM names (parameters, variables) are case-insensitive.
const json* findInsensitive(const json& obj, const std::string& name)
{
    if (!obj.is_object())
        return nullptr;
    if (auto it = obj.find(name); it != obj.end())
        return &*it;
    const auto wanted = toLower(name);
    for (auto it = obj.begin(); it != obj.end(); ++it)
        if (toLower(it.key()) == wanted)
            return &it.value();
    return nullptr;
}

class Evaluator
{
public:
    Evaluator(const json& tpl)
        : m_tpl(tpl)
    { }

    json evaluate(const std::string& text)
    {
        m_s = text;
        m_i = 1; // skip '['
        json v = expr();
        skipWs();
        if (m_i != m_s.size() - 1)
            throw std::runtime_error("unexpected text at offset " + std::to_string(m_i));
        return v;
    }

    json evaluateValue(const json& v, int depth)
    {
        if (depth > 32)
            throw std::runtime_error("expressions nest too deeply");
        if (v.is_string()) {
            const auto& s = v.get_ref<const std::string&>();
            if (isExpression(s)) {
                Evaluator inner(m_tpl);
                inner.m_depth = depth + 1;
                return inner.evaluate(s);
            }
            if (s.size() >= 2 && s[0] == '[' && s[1] == '[')
                return s.substr(1);
            return v;
        }
        if (v.is_object()) {
            json out = json::object();
            for (auto it = v.begin(); it != v.end(); ++it)
                out[it.key()] = evaluateValue(it.value(), depth);
            return out;
        }
        if (v.is_array()) {
            json out = json::array();
            for (const auto& e : v)
                out.push_back(evaluateValue(e, depth));
            return out;
        }
        return v;
    }

    static bool isExpression(const std::string& s)
    {
        return s.size() >= 2 && s.front() == '[' && s.back() == ']' && s[1] != '[';
    }

private:
    void skipWs()
    {
        while (m_i < m_s.size() && std::isspace(static_cast<unsigned char>(m_s[m_i])))
            ++m_i;
    }

    json expr()
    {
        skipWs();
        if (m_i >= m_s.size())
            throw std::runtime_error("unexpected end of expression");
        json v;
        char c = m_s[m_i];
        if (c == '\'') {
            ++m_i;
            std::string lit;
            while (true) {
                if (m_i >= m_s.size())
                    throw std::runtime_error("unterminated string literal");
                if (m_s[m_i] == '\'') {
                    if (m_i + 1 < m_s.size() && m_s[m_i + 1] == '\'') {
                        lit += '\'';
                        m_i += 2;
                        continue;
                    }
                    ++m_i;
                    break;
                }
                lit += m_s[m_i++];
            }
            v = lit;
        } else if (std::isdigit(static_cast<unsigned char>(c)) || c == '-') {
            std::size_t start = m_i++;
            while (m_i < m_s.size() && std::isdigit(static_cast<unsigned char>(m_s[m_i])))
                ++m_i;
            v = std::stoll(m_s.substr(start, m_i - start));
        } else if (std::isalpha(static_cast<unsigned char>(c))) {
            std::size_t start = m_i;
            while (m_i < m_s.size() && (std::isalnum(static_cast<unsigned char>(m_s[m_i])) || m_s[m_i] == '_'))
                ++m_i;
            std::string name = m_s.substr(start, m_i - start);
            skipWs();
            if (m_i >= m_s.size() || m_s[m_i] != '(')
                throw std::runtime_error("expected '(' after " + name);
            ++m_i;
            std::vector<json> args;
            skipWs();
            if (m_i < m_s.size() && m_s[m_i] == ')') {
                ++m_i;
            } else {
                while (true) {
                    args.push_back(expr());
                    skipWs();
                    if (m_i < m_s.size() && m_s[m_i] == ',') {
                        ++m_i;
                        continue;
                    }
                    if (m_i < m_s.size() && m_s[m_i] == ')') {
                        ++m_i;
                        break;
                    }
                    throw std::runtime_error("expected ',' or ')' in call of " + name);
                }
            }
            v = call(toLower(name), args);
        } else {
            throw std::runtime_error(std::string("unexpected character '") + c + "'");
        }
        // Accessors: .name and [index]
        while (true) {
            skipWs();
            if (m_i < m_s.size() && m_s[m_i] == '.') {
                ++m_i;
                std::size_t start = m_i;
                while (m_i < m_s.size() && (std::isalnum(static_cast<unsigned char>(m_s[m_i])) || m_s[m_i] == '_'))
                    ++m_i;
                std::string key = m_s.substr(start, m_i - start);
                if (!v.is_object() || !v.contains(key))
                    throw std::runtime_error("no property '" + key + "'");
                json next = v[key];
                v = std::move(next);
            } else if (m_i < m_s.size() && m_s[m_i] == '[') {
                ++m_i;
                json idx = expr();
                skipWs();
                if (m_i >= m_s.size() || m_s[m_i] != ']')
                    throw std::runtime_error("expected ']'");
                ++m_i;
                json next;
                if (v.is_array() && idx.is_number_integer() && idx.get<long long>() >= 0
                    && static_cast<std::size_t>(idx.get<long long>()) < v.size())
                    next = v[static_cast<std::size_t>(idx.get<long long>())];
                else if (v.is_object() && idx.is_string() && v.contains(idx.get<std::string>()))
                    next = v[idx.get<std::string>()];
                else
                    throw std::runtime_error("index out of range");
                v = std::move(next);
            } else {
                break;
            }
        }
        return v;
    }

    json call(const std::string& f, const std::vector<json>& a)
    {
        auto need = [&](std::size_t n) {
            if (a.size() < n)
                throw std::runtime_error(f + "() needs " + std::to_string(n) + " arguments");
        };
        if (f == "parameters") {
            need(1);
            const auto name = asText(a[0]);
            const json* param = m_tpl.contains("parameters") ? findInsensitive(m_tpl["parameters"], name) : nullptr;
            if (param && param->is_object() && param->contains("defaultValue"))
                return evaluateValue((*param)["defaultValue"], m_depth + 1);
            // No value in the template: a readable placeholder keeps names and references apart.
            return "{" + name + "}";
        }
        if (f == "variables") {
            need(1);
            const auto name = asText(a[0]);
            const json* var = m_tpl.contains("variables") ? findInsensitive(m_tpl["variables"], name) : nullptr;
            if (!var)
                throw std::runtime_error("unknown variable '" + name + "'");
            return evaluateValue(*var, m_depth + 1);
        }
        if (f == "concat") {
            if (!a.empty() && a[0].is_array()) {
                json out = json::array();
                for (const auto& x : a)
                    for (const auto& e : x)
                        out.push_back(e);
                return out;
            }
            std::string s;
            for (const auto& x : a)
                s += asText(x);
            return s;
        }
        if (f == "format") {
            need(1);
            std::string fmt = asText(a[0]), out;
            for (std::size_t i = 0; i < fmt.size(); ++i) {
                if (fmt[i] == '{') {
                    auto close = fmt.find('}', i);
                    if (close != std::string::npos) {
                        auto spec = fmt.substr(i + 1, close - i - 1);
                        auto colon = spec.find(':');
                        const auto idx = static_cast<std::size_t>(std::stoul(spec.substr(0, colon)));
                        if (idx + 1 < a.size())
                            out += asText(a[idx + 1]);
                        i = close;
                        continue;
                    }
                }
                out += fmt[i];
            }
            return out;
        }
        if (f == "resourceid" || f == "subscriptionresourceid" || f == "extensionresourceid") {
            std::size_t typeIdx = 0;
            while (typeIdx < a.size() && asText(a[typeIdx]).find('/') == std::string::npos)
                ++typeIdx;
            if (typeIdx >= a.size())
                throw std::runtime_error("resourceId() without a resource type");
            std::string sub = kArmSubscription, rg = kArmResourceGroup;
            if (typeIdx == 1)
                rg = asText(a[0]);
            else if (typeIdx >= 2) {
                sub = asText(a[typeIdx - 2]);
                rg = asText(a[typeIdx - 1]);
            }
            std::vector<std::string> names;
            for (std::size_t i = typeIdx + 1; i < a.size(); ++i)
                names.push_back(asText(a[i]));
            return buildResourceId(sub, rg, asText(a[typeIdx]), names);
        }
        if (f == "resourcegroup")
            return json { { "name", kArmResourceGroup }, { "location", "{location}" },
                { "id", std::string("/subscriptions/") + kArmSubscription + "/resourceGroups/" + kArmResourceGroup } };
        if (f == "subscription")
            return json { { "subscriptionId", kArmSubscription },
                { "id", std::string("/subscriptions/") + kArmSubscription } };
        if (f == "tolower") {
            need(1);
            return toLower(asText(a[0]));
        }
        if (f == "toupper") {
            need(1);
            auto s = asText(a[0]);
            std::transform(
                s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
            return s;
        }
        if (f == "string") {
            need(1);
            return asText(a[0]);
        }
        if (f == "int") {
            need(1);
            return a[0].is_number() ? a[0] : json(std::stoll(asText(a[0])));
        }
        if (f == "uniquestring" || f == "guid") {
            std::string s;
            for (const auto& x : a)
                s += asText(x);
            return "u" + std::to_string(std::hash<std::string> {}(s) % 100000000);
        }
        if (f == "createarray")
            return json(a);
        if (f == "if") {
            need(3);
            return (a[0].is_boolean() && a[0].get<bool>()) ? a[1] : a[2];
        }
        if (f == "equals") {
            need(2);
            return a[0] == a[1];
        }
        if (f == "not") {
            need(1);
            return !(a[0].is_boolean() && a[0].get<bool>());
        }
        if (f == "length") {
            need(1);
            return a[0].is_string() ? a[0].get<std::string>().size() : a[0].size();
        }
        if (f == "empty") {
            need(1);
            return a[0].is_null() || (a[0].is_string() ? a[0].get<std::string>().empty() : a[0].empty());
        }
        if (f == "greater" || f == "less" || f == "greaterorequals" || f == "lessorequals") {
            need(2);
            if (f == "greater")
                return a[0] > a[1];
            if (f == "less")
                return a[0] < a[1];
            if (f == "greaterorequals")
                return a[0] >= a[1];
            return a[0] <= a[1];
        }
        if (f == "and" || f == "or") {
            bool r = f == "and";
            for (const auto& x : a)
                r = f == "and" ? (r && x == true) : (r || x == true);
            return r;
        }
        if (f == "json") {
            need(1);
            auto parsed = json::parse(asText(a[0]), nullptr, false);
            if (parsed.is_discarded())
                throw std::runtime_error("json() of text that is not JSON");
            return parsed;
        }
        if (f == "deployment")
            return json { { "name", "deployment" },
                { "properties", { { "templateLink", { { "uri", "{templateLink}" } } } } } };
        if (f == "uri") {
            need(2);
            return asText(a[0]) + asText(a[1]);
        }
        if (f == "true")
            return true;
        if (f == "false")
            return false;
        throw std::runtime_error("the ARM function " + f + "() is not supported");
    }

    const json& m_tpl;
    std::string m_s;
    std::size_t m_i = 0;
    int m_depth = 0;
};

void evaluateStrings(json& v, const std::string& ptr, Evaluator& ev, std::vector<ArmProblem>& problems)
{
    if (v.is_string()) {
        const auto s = v.get<std::string>();
        if (Evaluator::isExpression(s)) {
            try {
                v = ev.evaluate(s);
            } catch (const std::exception& e) {
                problems.push_back({ ptr, "ARM expression " + s + " could not be evaluated: " + e.what() });
            }
        } else if (s.size() >= 2 && s[0] == '[' && s[1] == '[') {
            v = s.substr(1);
        }
    } else if (v.is_object()) {
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (it.key() == "resources")
                continue; // nested resources are handled by the resource walk
            if (it.key() == "condition" || it.key() == "dependsOn")
                continue; // deployment order and conditions: every resource is read as deployed
            evaluateStrings(it.value(), ptr + '/' + it.key(), ev, problems);
        }
    } else if (v.is_array()) {
        for (std::size_t i = 0; i < v.size(); ++i)
            evaluateStrings(v[i], ptr + '/' + std::to_string(i), ev, problems);
    }
}

void evaluateResources(json& resources, const std::string& ptr, const std::string& parentType,
    const std::string& parentName, Evaluator& ev, std::vector<ArmProblem>& problems)
{
    if (!resources.is_array())
        return;
    for (std::size_t i = 0; i < resources.size(); ++i) {
        auto& r = resources[i];
        const std::string rp = ptr + '/' + std::to_string(i);
        if (!r.is_object())
            continue;
        evaluateStrings(r, rp, ev, problems);
        if (r.contains("copy"))
            problems.push_back({ rp + "/copy", "ARM copy loops are not expanded; the resource is read once" });
        auto text = [&](const char* key) {
            auto it = r.find(key);
            return it != r.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        std::string type = text("type");
        std::string name = text("name");
        if (!parentType.empty() && type.find('/') == std::string::npos) {
            type = parentType + '/' + type;
            name = parentName + '/' + name;
            r["type"] = type;
            r["name"] = name;
        }
        if (!r.contains("id") && !type.empty()) {
            std::vector<std::string> names;
            std::size_t pos = 0;
            while (pos <= name.size()) {
                auto slash = name.find('/', pos);
                if (slash == std::string::npos)
                    slash = name.size();
                names.push_back(name.substr(pos, slash - pos));
                pos = slash + 1;
            }
            r["id"] = buildResourceId(kArmSubscription, kArmResourceGroup, type, names);
            // The resource's own name is the last segment.
            r["name"] = names.back();
        }
        if (r.contains("resources"))
            evaluateResources(r["resources"], rp + "/resources", type, name, ev, problems);
    }
}

} // namespace

bool isArmTemplate(const json& doc)
{
    if (!doc.is_object() || !doc.contains("resources") || !doc["resources"].is_array())
        return false;
    auto schema = doc.find("$schema");
    return (schema != doc.end() && schema->is_string()
               && schema->get<std::string>().find("deploymentTemplate") != std::string::npos)
        || doc.contains("contentVersion");
}

void evaluateArmTemplate(json& tpl, std::vector<ArmProblem>& problems)
{
    const json copy = tpl; // expressions read parameters/variables from the unmodified template
    Evaluator ev(copy);
    evaluateResources(tpl["resources"], "/resources", {}, {}, ev, problems);
}

} // namespace ew
