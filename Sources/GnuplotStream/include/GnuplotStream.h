// A C interface to gnuplot through gnuplot-iostream (Debian libgnuplot-iostream-dev), for Swift.

#ifndef ATKD_GNUPLOT_STREAM_H
#define ATKD_GNUPLOT_STREAM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Starts `gnuplot` (a command name or path), sends `commands` through a gnuplot-iostream
/// `Gnuplot` stream, closes the stream and waits for gnuplot to exit.
/// Returns 0 when gnuplot exited with status 0 (no command failed), 1 when it exited with an
/// error, 2 when it could not be started or its status is unknown. `message` (capacity bytes, NUL-terminated) receives gnuplot's
/// standard error, or why it did not start. SIGPIPE is ignored while the stream is open.
int atkd_gnuplot_run(const char *gnuplot, const char *commands, char *message, size_t capacity);

#ifdef __cplusplus
}
#endif

#endif
