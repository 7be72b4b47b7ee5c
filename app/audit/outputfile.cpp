#include "outputfile.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <iostream>
#include <streambuf>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ew {

namespace {

// The temporary that a signal must not leave behind. The program writes one output at a time.
volatile std::sig_atomic_t s_armed = 0;
char s_temporary[PATH_MAX] = {};
constexpr std::array<int, 4> kSignals = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
std::array<struct sigaction, kSignals.size()> s_previous {};

void removeTemporaryAndDie(int signal)
{
    // Only async-signal-safe calls here: unlink, signal, raise.
    if (s_armed)
        ::unlink(s_temporary);
    // Then the default action, so the program ends as the sender meant (a shell sees 128 + signal).
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

void arm(const std::string& temporary)
{
    if (temporary.size() >= sizeof s_temporary)
        return; // mkostemp accepted it, so this does not happen on Linux (PATH_MAX); then no cleanup
    std::memcpy(s_temporary, temporary.c_str(), temporary.size() + 1);
    s_armed = 1;
    for (std::size_t i = 0; i < kSignals.size(); ++i) {
        struct sigaction action = {};
        action.sa_handler = removeTemporaryAndDie;
        sigfillset(&action.sa_mask);
        ::sigaction(kSignals[i], nullptr, &s_previous[i]);
        // A signal the caller ignores (nohup's SIGHUP) stays ignored.
        if (s_previous[i].sa_handler != SIG_IGN)
            ::sigaction(kSignals[i], &action, nullptr);
    }
}

void disarm()
{
    if (!s_armed)
        return;
    s_armed = 0;
    for (std::size_t i = 0; i < kSignals.size(); ++i)
        ::sigaction(kSignals[i], &s_previous[i], nullptr);
}

mode_t currentUmask()
{
    const mode_t mask = ::umask(0);
    ::umask(mask);
    return mask;
}

std::string folderOf(const std::string& path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
}

// Follows symbolic links as open(2) would, also when the last one dangles (its target is then
// created). Relative links are relative to the link's folder.
bool resolveLinks(const std::string& path, std::string& target, int& error)
{
    target = path;
    for (int depth = 0; depth < 40; ++depth) {
        struct stat st = {};
        if (::lstat(target.c_str(), &st) != 0) {
            if (errno == ENOENT)
                return true;
            error = errno;
            return false;
        }
        if (!S_ISLNK(st.st_mode))
            return true;
        std::vector<char> link(PATH_MAX);
        const ssize_t n = ::readlink(target.c_str(), link.data(), link.size());
        if (n < 0) {
            error = errno;
            return false;
        }
        std::string next(link.data(), static_cast<std::size_t>(n));
        target = !next.empty() && next.front() == '/' ? next : folderOf(target) + next;
    }
    error = ELOOP;
    return false;
}

// The descriptor that /dev/stdout, /dev/stderr, /dev/fd/N or /proc/self/fd/N names, or -1.
int inheritedDescriptor(const std::string& path)
{
    if (path == "/dev/stdout")
        return STDOUT_FILENO;
    if (path == "/dev/stderr")
        return STDERR_FILENO;
    for (const std::string_view prefix : { "/dev/fd/", "/proc/self/fd/" }) {
        if (path.size() <= prefix.size() || path.compare(0, prefix.size(), prefix) != 0
            || path.size() > prefix.size() + 6)
            continue;
        int fd = 0;
        for (std::size_t i = prefix.size(); i < path.size(); ++i) {
            if (path[i] < '0' || path[i] > '9')
                return -1;
            fd = fd * 10 + (path[i] - '0');
        }
        return fd;
    }
    return -1;
}

// Makes a rename in this folder durable; some file systems refuse to sync a folder, which is no error.
void syncFolder(const std::string& file)
{
    const std::string folder = folderOf(file);
    const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    ::fsync(fd);
    ::close(fd);
}

} // namespace

// An ostream buffer over a file descriptor that keeps the first write error (errno).
class OutputFile::Buffer : public std::streambuf
{
public:
    explicit Buffer(int fd)
        : m_fd(fd)
        , m_data(1 << 16)
    {
        setp(m_data.data(), m_data.data() + m_data.size());
    }
    int error() const { return m_error; }

    bool drain()
    {
        if (m_error)
            return false;
        const char* p = pbase();
        while (p < pptr()) {
            const ssize_t n = ::write(m_fd, p, static_cast<std::size_t>(pptr() - p));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                m_error = n < 0 ? errno : EIO;
                return false;
            }
            p += n;
        }
        setp(m_data.data(), m_data.data() + m_data.size());
        return true;
    }

protected:
    int_type overflow(int_type c) override
    {
        if (!drain())
            return traits_type::eof();
        if (!traits_type::eq_int_type(c, traits_type::eof())) {
            *pptr() = traits_type::to_char_type(c);
            pbump(1);
        }
        return traits_type::not_eof(c);
    }
    int sync() override { return drain() ? 0 : -1; }

private:
    int m_fd;
    int m_error = 0;
    std::vector<char> m_data;
};

OutputFile::OutputFile(std::string path)
    : m_path(std::move(path))
{ }

OutputFile::~OutputFile()
{
    discard();
}

bool OutputFile::open()
{
    if (m_path.empty() || m_path == "-") {
        std::cout.flush(); // whatever went through std::cout comes first
        m_fd = STDOUT_FILENO;
    } else if (const int fd = inheritedDescriptor(m_path); fd >= 0) {
        // The descriptor itself, not the file reopened through /proc: a shell's >> keeps appending.
        if (::fcntl(fd, F_GETFL) < 0)
            return fail(errno);
        if (fd == STDOUT_FILENO)
            std::cout.flush();
        m_fd = fd;
    } else {
        // stat() follows links as open() will, /proc's too: a link to /proc/self/fd/0 on a pipe is a
        // FIFO here, although reading the links by hand ends at "pipe:[1234]".
        struct stat st = {};
        const bool exists = ::stat(m_path.c_str(), &st) == 0;
        if (!exists && errno != ENOENT)
            return fail(errno);
        if (exists && S_ISDIR(st.st_mode))
            return fail(EISDIR);
        if (exists && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
            // A reader is waiting on it (or it is /dev/null, /dev/stdout...): no temporary, no rename.
            do
                m_fd = ::open(m_path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
            while (m_fd < 0 && errno == EINTR);
            if (m_fd < 0)
                return fail(errno);
            m_ownsFd = true;
        } else if (exists && !S_ISREG(st.st_mode)) {
            return fail(0, "not a regular file, FIFO or character device");
        } else {
            // A regular file or none: the temporary goes beside the file a link leads to.
            int error = 0;
            if (!resolveLinks(m_path, m_target, error))
                return fail(error);
            // A unique name (O_EXCL): an existing FILE.tmp, or another run's temporary, is never touched.
            std::string base = m_target.substr(folderOf(m_target).size());
            base.resize(std::min<std::size_t>(base.size(), NAME_MAX - 8)); // ".", ".XXXXXX"
            std::string name = folderOf(m_target) + "." + base + ".XXXXXX";
            m_fd = ::mkostemp(name.data(), O_CLOEXEC);
            if (m_fd < 0)
                return fail(errno, std::string("cannot create a temporary file beside it: ") + std::strerror(errno));
            m_temporary = name;
            m_ownsFd = true;
            m_regular = true;
            arm(m_temporary);
            // The permissions of the file replaced, or those creating it would give (0666 less the umask).
            const mode_t mode = exists ? (st.st_mode & 07777) : (0666 & ~currentUmask());
            if (exists && (st.st_uid != ::geteuid() || st.st_gid != ::getegid()))
                if (::fchown(m_fd, st.st_uid, st.st_gid) != 0) {
                    // Only root may give a file away; as with any editor, the new file is then ours.
                }
            if (::fchmod(m_fd, mode) != 0)
                return fail(errno);
        }
    }
    m_buffer = std::make_unique<Buffer>(m_fd);
    m_stream = std::make_unique<std::ostream>(m_buffer.get());
    return true;
}

std::ostream& OutputFile::stream()
{
    return *m_stream;
}

bool OutputFile::commit()
{
    if (!m_stream)
        return false;
    m_stream->flush();
    if (!m_buffer->drain())
        return fail(m_buffer->error());
    if (m_regular) {
        if (::fsync(m_fd) != 0)
            return fail(errno);
        const int fd = m_fd;
        m_fd = -1;
        if (::close(fd) != 0)
            return fail(errno);
        if (::rename(m_temporary.c_str(), m_target.c_str()) != 0)
            return fail(errno);
        m_temporary.clear();
        disarm();
        syncFolder(m_target);
    } else if (m_ownsFd) {
        const int fd = m_fd;
        m_fd = -1;
        if (::close(fd) != 0)
            return fail(errno);
    }
    m_fd = -1;
    m_stream.reset();
    return true;
}

bool OutputFile::fail(int error, const std::string& reason)
{
    const std::string why = reason.empty() ? std::string(std::strerror(error)) : reason;
    if (m_path.empty() || m_path == "-")
        m_error = "cannot write to standard output: " + why;
    else if (!m_target.empty() && m_target != m_path)
        m_error = "cannot write " + m_path + " (a link to " + m_target + "): " + why;
    else
        m_error = "cannot write " + m_path + ": " + why;
    discard();
    return false;
}

void OutputFile::discard()
{
    m_stream.reset();
    if (m_ownsFd && m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    m_ownsFd = false;
    if (!m_temporary.empty()) {
        ::unlink(m_temporary.c_str());
        m_temporary.clear();
    }
    disarm();
}

} // namespace ew
