// Deterministic work splitting over a fixed number of threads, and the
// OpenBLAS thread scope that keeps our threads × BLAS threads ≤ cores.

import CBLAS

/// The contiguous share `part` of `0..<count` split into `parts` near-equal ranges.
/// The split depends only on `(count, parts)`, never on scheduling, so any
/// reduction done per part and then summed in part order is bit-reproducible.
@inline(__always)
func partRange(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
    (count * part / parts) ..< (count * (part + 1) / parts)
}

/// Runs `body(part)` for `part` in `0..<parts` on up to `parts` threads (the caller and
/// `PartWorkers`' persistent threads).
/// OpenBLAS is held to one thread meanwhile, even when `parts` is 1: GEMMs
/// issued from `body` are small (one image), where BLAS threading costs more
/// than it gains, and our threads × BLAS threads must stay ≤ cores.
/// NOTE: `openblas_set_num_threads` is process-global; two engines running
/// parallel regions at the same time from different threads would race on it.
func parallelParts(_ parts: Int, _ body: (Int) -> Void) {
    let previous = openblas_get_num_threads()
    if previous != 1 { openblas_set_num_threads(1) }
    if parts <= 1 {
        body(0)
    } else {
        PartWorkers.shared.run(parts, body)
    }
    if previous != 1 { openblas_set_num_threads(previous) }
}

/// Number of parts to split `work` units into: at most `threads`, and one
/// when the work is too small to pay for a thread hand-off.
@inline(__always)
func partsFor(work: Int, units: Int, threads: Int, minWork: Int = 1 << 15) -> Int {
    if threads <= 1 || work < minWork { return 1 }
    return max(1, min(threads, units))
}

/// An uninitialised Float array of `count` elements filled by `body`.
@inline(__always)
func makeArray(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        if count > 0 { body(buffer.baseAddress!) }
        initialized = count
    }
}

/// `p` moved on to the next 64-byte boundary (by at most 15 floats; `p` itself when it is on one), for
/// scratch that AVX-512 code walks in whole vectors: a 64-byte load or store there stays in one cache
/// line instead of splitting over two. Allocate 16 floats more than the scratch needs.
@inline(__always)
func cacheLineAligned(_ p: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> {
    p + ((64 &- Int(bitPattern: p) & 63) & 63) / 4
}

/// A Float array of `count` elements left uninitialised, for scratch that is written before it
/// is read (zeroing megabytes of scratch per call showed up as 2 % of a step in `memset`).
@inline(__always)
func scratchArray(_ count: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
}

extension FastEngine {
    /// Runs `body(part)` once for every part in `0..<parts` on the caller and `PartWorkers`' threads
    /// and returns when all have run (the split under every kernel; OpenBLAS's threads untouched).
    /// A nested or concurrent call runs its parts on its own thread.
    public static func runParts(_ parts: Int, _ body: (Int) -> Void) {
        PartWorkers.shared.run(parts, body)
    }
}
