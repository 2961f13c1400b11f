// Software prefetch for Swift code, which has no prefetch intrinsic. A 32 × 32 plane of an NCHW
// tensor is one 4 KiB page, and a channel's planes are C·H·W floats apart: the hardware
// streamer, which stops at page boundaries, starts cold on every plane of a per-channel pass.
#ifndef ATKD_PREFETCH_H
#define ATKD_PREFETCH_H

/// Asks for the 64-byte lines of [p, p + bytes) to be read into the caches (all levels). A hint:
/// it never faults, so `p` may lie past the end of an array.
static inline void atkd_prefetch(const void *p, long bytes) {
    const char *c = (const char *)p;
    for (long i = 0; i < bytes; i += 64) __builtin_prefetch(c + i, 0, 3);
}

/// `atkd_prefetch` for lines about to be written (prefetchw: the lines arrive owned, so the
/// stores need no read-for-ownership round trip later).
static inline void atkd_prefetch_write(void *p, long bytes) {
    char *c = (char *)p;
    for (long i = 0; i < bytes; i += 64) __builtin_prefetch(c + i, 1, 3);
}

#endif
