// Software prefetch one image ahead for the per-channel passes over NCHW tensors (the batch norm's).
// N batch, C channels, HW = H·W.

import VectorShuffles

/// Software prefetch of the planes one image ahead in a per-channel pass over [N, C, HW]: `at` is a
/// plane's offset, the prefetched planes start at `at` + C·HW (nothing past the last image).
/// NOTE: a 32 × 32 plane is one 4 KiB page and a channel's planes are C·HW floats apart, so the
/// hardware streamer, which stops at page boundaries, started cold on every plane: with the
/// prefetch mobilenetv2-half's batch-norm rows (1 thread) 146.7, 136.2 → 104.6, 104.0 ms a step
/// backward, 98.8, 103.3 → 85.0, 82.1 forward; the same bits (a hint changes no value). Tried and
/// dropped: the next plane in the depthwise and Winograd passes (consecutive planes: no gain).
struct PlanePrefetch {
    let imageStride: Int, hw: Int, count: Int

    /// Lines of `planes` planes to be read.
    @inline(__always)
    func callAsFunction(_ p: UnsafePointer<Float>, _ at: Int, planes: Int) {
        let next = at &+ imageStride
        if next < count { atkd_prefetch(p + next, planes &* hw &* 4) }
    }

    /// Lines of one plane to be written (they arrive owned: no read-for-ownership at the stores).
    @inline(__always)
    func write(_ p: UnsafeMutablePointer<Float>, _ at: Int) {
        let next = at &+ imageStride
        if next < count { atkd_prefetch_write(p + next, hw &* 4) }
    }
}
