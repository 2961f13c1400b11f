// Keeps freed tensor buffers in the heap so the next training step reuses them
// instead of mapping, faulting in and zeroing fresh pages every step.

#if canImport(Glibc)
/// glibc `int mallopt(int param, int value)` (malloc.h, not exported by the Glibc module).
@_silgen_name("mallopt") private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
#endif

enum HeapReuse {
    // malloc.h parameter numbers.
    private static let trimThreshold: Int32 = -1, topPad: Int32 = -2, mmapThreshold: Int32 = -3, mmapMax: Int32 = -4

    /// glibc serves blocks ≥ M_MMAP_THRESHOLD (128 KiB at first) with their own mmap and
    /// unmaps them on free, so every step's activations (MBs each) arrive as fresh pages.
    /// Serving every block from the heap (no mmap at all: the threshold cannot exceed 32 MiB,
    /// and batch-128 activations and AW-conv kernels are larger), never trimming the heap top
    /// and padding each heap growth by 256 MiB keeps them in the heap across steps.
    /// NOTE: `perf` of the resnet50-w4-awconv → mobilenetv2-half atkd step: the kernel's
    /// `clear_page_erms` took 21.9 % of cycles with the 32 MiB threshold alone, 5.6 % with no mmap.
    /// NOTE: measured 2026-11-30 under load, `atkd bench --no-peer`, side by side twice:
    /// mobilenetv2-half training 70 → 97–109 img/s, resnet20 unchanged. Does not change a
    /// single computed number. `ATKD_MALLOC_DEFAULTS=1` keeps glibc's defaults.
    static func configure(environment: [String: String]) {
        #if canImport(Glibc)
        guard environment["ATKD_MALLOC_DEFAULTS"] == nil else { return }
        if environment["MALLOC_MMAP_THRESHOLD_"] == nil { _ = glibcMallopt(mmapThreshold, 32 << 20) }
        if environment["MALLOC_MMAP_MAX_"] == nil { _ = glibcMallopt(mmapMax, 0) }
        if environment["MALLOC_TRIM_THRESHOLD_"] == nil { _ = glibcMallopt(trimThreshold, Int32.max) }
        if environment["MALLOC_TOP_PAD_"] == nil { _ = glibcMallopt(topPad, 256 << 20) }
        #endif
    }
}
