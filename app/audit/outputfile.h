#pragma once

#include <memory>
#include <ostream>
#include <string>

namespace ew {

/// Where a command's output goes, written so that a script never sees half of it:
/// - "" or "-", /dev/stdout: standard output; /dev/stderr, /dev/fd/N, /proc/self/fd/N: that descriptor
///   (as inherited: a shell's >> keeps appending);
/// - a FIFO or a character device (/dev/null, /dev/tty, a named pipe): written straight into;
/// - a symbolic link: followed, the target is written as below and the link stays;
/// - anything else: a new, uniquely named temporary beside the file (never FILE.tmp, which is left
///   alone), fsync'ed and then renamed over the file, keeping an existing file's permissions.
/// Nothing is left behind on failure: the destructor removes an uncommitted temporary, and so does
/// SIGINT, SIGTERM, SIGHUP or SIGQUIT while one exists (the signal then ends the program as usual).
/// Errors are reported as sentences through error(); no exception is thrown.
class OutputFile
{
public:
    explicit OutputFile(std::string path);
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    /// Opens the destination (for a FIFO this waits for a reader). Returns false on failure.
    bool open();
    /// The stream to write to; valid after a successful open().
    std::ostream& stream();
    /// Writes what is buffered, fsyncs and renames the temporary over the file. Returns false on
    /// any write error (a full disk, a closed pipe: EPIPE, SIGPIPE being ignored), and then the file
    /// is as it was before.
    bool commit();
    /// "cannot write FILE: reason", or "cannot write to standard output: reason".
    const std::string& error() const { return m_error; }

private:
    class Buffer;

    bool fail(int error, const std::string& reason = {});
    void discard();

    std::string m_path; // as given
    std::string m_target; // the file written in the end, symbolic links resolved
    std::string m_temporary; // empty when writing straight into m_target
    int m_fd = -1;
    bool m_ownsFd = false;
    bool m_regular = false;
    std::unique_ptr<Buffer> m_buffer;
    std::unique_ptr<std::ostream> m_stream;
    std::string m_error;
};

} // namespace ew
