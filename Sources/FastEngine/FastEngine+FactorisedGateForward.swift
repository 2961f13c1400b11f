// The per-image-kernel convolution's forward on 4 × 4 and 8 × 8 maps with the gates fused in
// (`AVX512.factorisedGateForward`): W_n made 16 output channels at a time in cache and multiplied
// there, instead of written whole and packed by OpenBLAS (BENCHMARKS.md, twenty-first session).
// N batch, C input / O output channels, T = k·k taps, K = C·T, F output pixels.

import TensorCore
import WinogradAVX512

extension FastEngine {
    /// Whether `sampleKernelConv2d` takes the fused forward: where the fused backward applies (AVX-512,
    /// fp32, F = 16 or 64, C and O multiples of 16, k > 1, O·F·K > 100³, factorised gates, not a
    /// Winograd map) and K = 576 or 1,152 — the depths whose OpenBLAS sums
    /// (`AVX512.openBLASDepthBlocks`) were checked against it bit for bit (`AWConvFusedForwardTests`).
    /// NOTE: at O·F·K ≤ 100³ OpenBLAS 0.3.21 (SkylakeX) takes its small-matrix kernel, whose sums
    /// are not the blocked chains (1,424 of 1,536 outputs differed at O = 48, K = 1,152, F = 16).
    func factorisedGateForwardApplies(_ g: ConvGeometry, _ kernels: FactorisedSampleKernels) -> Bool {
        Self.useFactorisedGateForward && factorisedGateBackwardApplies(g, kernels)
            && (g.colRows == 576 || g.colRows == 1152)
    }

    /// y, the same bits as im2col + `write` + GEMM; images split over the threads as there;
    /// `epilogue(y, n)` after image n's output is written.
    func factorisedGateForward(_ x: Tensor, kernels: FactorisedSampleKernels, _ g: ConvGeometry,
                               epilogue: ((UnsafeMutablePointer<Float>, Int) -> Void)? = nil) -> Tensor {
        let t = g.k &* g.k, f = g.planeOut, rows = g.colRows
        if g.n == 1 && threads > 1 && g.o >= 32 {
            return factorisedGateForwardOneImage(x, kernels: kernels, g, epilogue: epilogue)
        }
        let parts = partsFor(work: g.n &* g.o &* f &* rows, units: g.n, threads: threads)
        let blocks = AVX512.openBLASDepthBlocks(rows), perImage = (g.o &+ g.c) &* t
        let y = makeArray(g.n &* g.o &* f) { yp in
            kernels.withFactors { kernel, factors in
                transposedKernel(kernel, o: g.o, rows: rows).withUnsafeBufferPointer { kt in
                x.data.withUnsafeBufferPointer { xb in
                    let xp = xb.baseAddress!
                    parallelParts(parts) { part in
                        var col = scratchArray(rows &* f), uT = scratchArray(t &* g.o)
                        var w = scratchArray(AVX512.factorisedGateForwardScratch(pixels: f, o: g.o))
                        col.withUnsafeMutableBufferPointer { cb in
                        w.withUnsafeMutableBufferPointer { wb in
                        uT.withUnsafeMutableBufferPointer { ub in
                            for img in partRange(part, of: parts, count: g.n) {
                                g.im2col(xp + img &* g.c &* g.planeIn, cb.baseAddress!)
                                let u = factors + img &* perImage
                                Self.transposeFactors(u, o: g.o, taps: t, into: ub.baseAddress!)
                                AVX512.factorisedGateForward(
                                    pixels: f, o: g.o, c: g.c, taps: t, blocks: blocks, col: UnsafePointer(cb.baseAddress!),
                                    kernelT: kt.baseAddress!, uT: UnsafePointer(ub.baseAddress!), v: u + g.o &* t,
                                    scratch: wb.baseAddress!, y: yp + img &* g.o &* f)
                                epilogue?(yp, img)
                            }
                        }
                        }
                        }
                    }
                }
                }
            }
        }
        return Tensor(shape: [g.n, g.o, g.oh, g.ow], data: y)
    }

    /// `factorisedGateForward` of one image (batch-1 inference), which the image split leaves on one
    /// thread: one im2col and one factor transpose, then the blocks of 16 output channels split over the
    /// threads; every output the same chain as on the image path (the same bits at any thread count).
    private func factorisedGateForwardOneImage(_ x: Tensor, kernels: FactorisedSampleKernels, _ g: ConvGeometry,
                                               epilogue: ((UnsafeMutablePointer<Float>, Int) -> Void)?) -> Tensor {
        let t = g.k &* g.k, f = g.planeOut, rows = g.colRows, outputBlocks = g.o / 16
        let parts = min(threads, outputBlocks), blocks = AVX512.openBLASDepthBlocks(rows)
        let y = makeArray(g.o &* f) { yp in
            kernels.withFactors { kernel, factors in
                var col = scratchArray(rows &* f), uT = scratchArray(t &* g.o)
                x.data.withUnsafeBufferPointer { xb in g.im2col(xb.baseAddress!, &col) }
                Self.transposeFactors(factors, o: g.o, taps: t, into: &uT)
                transposedKernel(kernel, o: g.o, rows: rows).withUnsafeBufferPointer { kt in
                col.withUnsafeBufferPointer { cb in
                uT.withUnsafeBufferPointer { ub in
                    parallelParts(parts) { part in
                        var w = scratchArray(AVX512.factorisedGateForwardScratch(pixels: f, o: g.o))
                        let mine = partRange(part, of: parts, count: outputBlocks)
                        w.withUnsafeMutableBufferPointer { wb in
                            AVX512.factorisedGateForward(
                                pixels: f, o: g.o, c: g.c, taps: t, blocks: blocks, col: cb.baseAddress!,
                                kernelT: kt.baseAddress!, uT: ub.baseAddress!, v: factors + g.o &* t,
                                scratch: wb.baseAddress!, y: yp, outputs: (mine.lowerBound &* 16)..<(mine.upperBound &* 16))
                        }
                    }
                }
                }
                }
            }
            epilogue?(yp, 0)
        }
        return Tensor(shape: [1, g.o, g.oh, g.ow], data: y)
    }

    /// K `[O][rows]` transposed to `[rows][O]` (once a call): the output channels in the lanes of the
    /// gated kernels (`factorisedGateForward`, `sampleKernelWinogradGated`).
    /// NOTE: in 16 × 16 blocks — row by row, every store went to another cache line (at batch 1 this
    /// transpose was most of the 4 × 4 layers' time).
    /// The blocks of 16 rows split over the engine's threads (at batch 1 the other thread waited for it).
    func transposedKernel(_ kernel: UnsafePointer<Float>, o: Int, rows: Int) -> [Float] {
        let rowBlocks = (rows &+ 15) / 16
        let parts = partsFor(work: o &* rows &* 16, units: rowBlocks, threads: threads)
        return makeArray(o &* rows) { kt in
            parallelParts(parts) { part in
                for block in partRange(part, of: parts, count: rowBlocks) {
                    let k0 = block &* 16, k1 = min(k0 &+ 16, rows)
                    for o0 in stride(from: 0, to: o, by: 16) {
                        let o1 = min(o0 &+ 16, o)
                        for kk in k0..<k1 { for oo in o0..<o1 { kt[kk &* o &+ oo] = kernel[oo &* rows &+ kk] } }
                    }
                }
            }
        }
    }

    /// One image's output-channel factors u `[O][T]` transposed into uT `[T][O]`.
    @inline(__always)
    static func transposeFactors(_ u: UnsafePointer<Float>, o: Int, taps t: Int, into uT: UnsafeMutablePointer<Float>) {
        for oo in 0..<o { for q in 0..<t { uT[q &* o &+ oo] = u[oo &* t &+ q] } }
    }
}
