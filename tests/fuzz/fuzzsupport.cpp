#include "fuzzsupport.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace ew::fuzz {

namespace {

struct Scratch
{
    std::string dir;
    Scratch()
    {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/ew-fuzz-XXXXXX";
        if (!mkdtemp(pattern.data()))
            fail("cannot make a scratch folder under " + pattern);
        dir = pattern;
    }
    ~Scratch()
    {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

} // namespace

const std::string& scratchDir()
{
    static const Scratch scratch;
    return scratch.dir;
}

std::string writeScratch(const std::string& name, std::string_view bytes)
{
    const std::string path = scratchDir() + "/" + name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush())
        fail("cannot write " + path);
    return path;
}

void fail(const std::string& what)
{
    std::fprintf(stderr, "\n*** fuzz property failed: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

void checkImported(const Snapshot& snapshot)
{
    for (const auto& d : snapshot.diagnostics) {
        if (d.where.file.empty())
            fail("a diagnostic names no file: " + d.toString());
        // The prefix only: the rest of a message quotes the input, which the fuzzer fills with
        // whatever strings the program compares with.
        if (d.message.rfind("internal error", 0) == 0)
            fail("an exception escaped a reader: " + d.toString());
    }
}

} // namespace ew::fuzz
