// The AW-convolution's forward on 8 × 8 maps by Winograd F(2 × 2, 3 × 3), output channels in the lanes
// and the gates made inside the kernel transform (Sources/WinogradTransforms512/GatedWinograd8x8.c):
// 4 multiplies an output plus the per-image kernel transform, where the fused direct forward
// (`factorisedGateForward`) takes 9. Winograd's rounding, not the direct products' bits: verified
// against the reference engine within tolerance (`AWConvGatedWinograd8x8Tests`).
// N batch, C input / O output channels, T = 9 taps.

import TensorCore
import WinogradTransforms512

extension FastEngine {
    /// Process-wide switch (on by default) for the gated 8 × 8 Winograd forward, for A/B timing and tests.
    nonisolated(unsafe) public static var useGatedWinograd8x8 = true

    /// Whether `sampleKernelConv2d` takes the gated 8 × 8 Winograd: AVX-512, fp32, factorised gates,
    /// a 3 × 3 stride-1 pad-1 convolution on 8 × 8 maps, O a multiple of 16 (the lanes).
    func gatedWinograd8x8Applies(_ g: ConvGeometry, _ kernels: FactorisedSampleKernels) -> Bool {
        Self.useGatedWinograd8x8 && Self.usesAVX512 && Self.precision == .fp32 && kernels.isFactorised
            && g.h == 8 && g.w == 8 && g.k == 3 && g.stride == 1 && g.pad == 1 && g.groups == 1
            && g.o % 16 == 0 && g.c > 0
    }

    /// y, images split over the threads (one image: its blocks of 16 output channels);
    /// `epilogue(y, n)` after image n's output is written.
    func gatedWinograd8x8(_ x: Tensor, kernels: FactorisedSampleKernels, _ g: ConvGeometry,
                          epilogue: ((UnsafeMutablePointer<Float>, Int) -> Void)?) -> Tensor {
        let t = 9, perImage = (g.o &+ g.c) &* t, outputBlocks = g.o / 16
        let scratchCount = Int(atkd_gated_winograd8x8_scratch(Int32(g.c))) &+ 16
        let oneImage = g.n == 1 && threads > 1 && outputBlocks > 1
        let parts = oneImage ? min(threads, outputBlocks)
            : partsFor(work: g.n &* g.o &* 64 &* g.c &* t, units: g.n, threads: threads)
        let y = makeArray(g.n &* g.o &* 64) { yp in
            kernels.withFactors { kernel, factors in
                transposedKernel(kernel, o: g.o, rows: g.c &* t).withUnsafeBufferPointer { kt in
                x.data.withUnsafeBufferPointer { xb in
                    let xp = xb.baseAddress!
                    parallelParts(parts) { part in
                        var scratch = scratchArray(scratchCount), uT = scratchArray(t &* g.o)
                        scratch.withUnsafeMutableBufferPointer { sb in
                        uT.withUnsafeMutableBufferPointer { ub in
                            let s = cacheLineAligned(sb.baseAddress!)
                            let images = oneImage ? 0..<1 : partRange(part, of: parts, count: g.n)
                            let mine = oneImage ? partRange(part, of: parts, count: outputBlocks) : 0..<outputBlocks
                            for img in images {
                                let u = factors + img &* perImage
                                Self.transposeFactors(u, o: g.o, taps: t, into: ub.baseAddress!)
                                atkd_gated_winograd8x8(xp + img &* g.c &* 64, Int32(g.c), Int32(g.o), kt.baseAddress!,
                                                       ub.baseAddress!, u + g.o &* t, Int32(mine.lowerBound &* 16),
                                                       Int32(mine.upperBound &* 16), yp + img &* g.o &* 64, s)
                                if !oneImage { epilogue?(yp, img) }
                            }
                        }
                        }
                    }
                }
                }
            }
            if oneImage { epilogue?(yp, 0) }
        }
        return Tensor(shape: [g.n, g.o, 8, 8], data: y)
    }
}
