#include "phaseprofile.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <mutex>

namespace ew {

namespace {

// VmRSS and VmHWM of /proc/self/status, in bytes (0 where unknown: not Linux).
void memoryNow(double& rss, double& peak)
{
    rss = peak = 0;
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (!f)
        return;
    char line[256];
    while (std::fgets(line, sizeof line, f)) {
        long kb = 0;
        if (std::sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            rss = static_cast<double>(kb) * 1024;
        else if (std::sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            peak = static_cast<double>(kb) * 1024;
    }
    std::fclose(f);
}

} // namespace

bool profiling()
{
    static const bool on = [] {
        const char* v = std::getenv("EW_PROFILE");
        return v && *v && std::strcmp(v, "0") != 0;
    }();
    return on;
}

void profilePhase(const char* name)
{
    if (!profiling())
        return;
    using Clock = std::chrono::steady_clock;
    static std::mutex mutex;
    static Clock::time_point last = Clock::now();
    const std::lock_guard lock(mutex);
    const auto now = Clock::now();
    double rss = 0;
    double peak = 0;
    memoryNow(rss, peak);
    std::fprintf(stderr, "ew-profile: %-28s %7.2f s   rss %6.2f GB  peak %6.2f GB\n", name,
        std::chrono::duration<double>(now - last).count(), rss / 1e9, peak / 1e9);
    last = now;
    // EW_PROFILE=heap with jemalloc's profiling on (MALLOC_CONF=prof:true): a heap profile per
    // phase for jeprof. mallctl is looked up, not linked: the engine does not depend on jemalloc.
    static const bool heap = std::strcmp(std::getenv("EW_PROFILE"), "heap") == 0;
    if (heap) {
        using Mallctl = int (*)(const char*, void*, std::size_t*, void*, std::size_t);
        if (auto* ctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "mallctl")))
            ctl("prof.dump", nullptr, nullptr, nullptr, 0);
    }
}

} // namespace ew
