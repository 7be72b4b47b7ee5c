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

std::size_t Snapshot::resourceCount() const
{
    return vnets.size() + subnets.size() + nsgs.size() + nics.size() + publicIps.size() + loadBalancers.size()
        + asgs.size() + vms.size() + dataServices.size();
}

} // namespace ew
