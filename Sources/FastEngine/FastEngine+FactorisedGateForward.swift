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
        let parts = partsFor(work: g.n &* g.o &* f &* rows, units: g.n, threads: threads)
        let blocks = AVX512.openBLASDepthBlocks(rows), perImage = (g.o &+ g.c) &* t
        let y = makeArray(g.n &* g.o &* f) { yp in
            kernels.withFactors { kernel, factors in
                // K transposed [K][O], once a call.
                var kernelT = scratchArray(g.o &* rows)
                for oo in 0..<g.o { for kk in 0..<rows { kernelT[kk &* g.o &+ oo] = kernel[oo &* rows &+ kk] } }
                kernelT.withUnsafeBufferPointer { kt in
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
                                for oo in 0..<g.o { for q in 0..<t { ub[q &* g.o &+ oo] = u[oo &* t &+ q] } }
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
}
