// gnuplot driven through gnuplot-iostream: the figures' commands and their data (as datablocks)
// go down one pipe; gnuplot's standard error and exit status come back through temporary files.

#include "GnuplotStream.h"

#include <gnuplot-iostream.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace {

/// `s` as one single-quoted word for /bin/sh.
std::string shellQuoted(const std::string &s) {
    std::string out = "'";
    for (char c : s) out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

/// A fresh empty file under $TMPDIR (or /tmp); empty string when none can be made.
std::string temporaryFile(const char *tag) {
    const char *dir = std::getenv("TMPDIR");
    std::string pattern = std::string(dir && *dir ? dir : "/tmp") + "/atkd-gnuplot-" + tag + "-XXXXXX";
    std::string buffer = pattern;
    int fd = mkstemp(&buffer[0]);
    if (fd < 0) return "";
    close(fd);
    return buffer;
}

std::string readAll(const std::string &path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void copyMessage(const std::string &text, char *message, size_t capacity) {
    if (!message || capacity == 0) return;
    size_t n = text.size() < capacity - 1 ? text.size() : capacity - 1;
    std::memcpy(message, text.data(), n);
    message[n] = '\0';
}

}  // namespace

extern "C" int atkd_gnuplot_run(const char *gnuplot, const char *commands, char *message, size_t capacity) {
    copyMessage("", message, capacity);
    const std::string errors = temporaryFile("stderr"), exitStatus = temporaryFile("status");
    if (errors.empty() || exitStatus.empty()) {
        copyMessage("cannot create a temporary file for gnuplot's messages", message, capacity);
        return 2;
    }
    // NOTE: a gnuplot that is missing or crashes closes the pipe early; writing on would raise SIGPIPE
    // and kill the caller, so it is ignored while the stream is open (and restored after).
    struct sigaction ignore = {}, previous = {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &previous);
    int status = 0;
    try {
        // NOTE: gnuplot reading a pipe goes on after an error and only its exit status says so; the
        // shell popen runs records it (gnuplot-iostream's pclose does not return it).
        Gnuplot gp(shellQuoted(gnuplot) + " 2>" + shellQuoted(errors) + "; echo $? >" + shellQuoted(exitStatus));
        gp << commands << "\n";
    } catch (const std::exception &e) {
        copyMessage(std::string("cannot run gnuplot: ") + e.what(), message, capacity);
        status = 2;
    }
    sigaction(SIGPIPE, &previous, nullptr);
    if (status == 0) {
        const std::string code = readAll(exitStatus);
        copyMessage(readAll(errors), message, capacity);
        status = code.empty() ? 2 : std::atoi(code.c_str()) == 0 ? 0 : 1;
    }
    std::remove(errors.c_str());
    std::remove(exitStatus.c_str());
    return status;
}
