// The per-image-kernel convolution's backward on maps of 16 or 64 output pixels with the gates
// fused in (`atkd_factorised_gate_backward16` / `AVX512.factorisedGateBackward(pixels:)`): the
// AW-convolution's 4 × 4 and 8 × 8 layers and the stride-2 layers into them, which the im2col +
// GEMM path runs at a quarter to half of peak (BENCHMARKS.md, twenty-first session).
// N batch, C input / O output channels, T = k·k taps, F output pixels.

import TensorCore
import WinogradAVX512
import WinogradTransforms512

extension FastEngine {
    /// Whether `sampleKernelConv2dBackward` takes the fused path: AVX-512, fp32, F = 16 or 64
    /// (4 × 4 and 8 × 8 maps), k > 1, C and O multiples of 16, more than 100³ multiply-adds an image
    /// (O·F·K), every image's gates factorised, not a map the per-image Winograd kernels take.
    /// NOTE: only where OpenBLAS's products (0.3.21, SkylakeX kernels) were found to be the plain
    /// chains the fused kernels compute (`AWConvFusedBackwardTests`): at F = 32, and at F = 64 with
    /// O = 7, its dW_n product's sums differed from them in the last bits (765 and 796 of 1,008 dK
    /// values), and at ≤ 100³ multiply-adds it takes its small-matrix kernel, whose sums are other
    /// chains; the AW-conv models' 4 × 4 and 8 × 8 layers all have O·F·K = 2.36 M.
    func factorisedGateBackwardApplies(_ g: ConvGeometry, _ kernels: FactorisedSampleKernels) -> Bool {
        Self.useFactorisedGateBackward && Self.usesAVX512 && Self.precision == .fp32
            && (g.planeOut == 16 || g.planeOut == 64) && g.k > 1 && g.c % 16 == 0 && g.o % 16 == 0
            && g.o &* g.planeOut &* g.colRows > 1_000_000 && g.groups == 1 && !sampleKernelWinogradApplies(g)
            && kernels.isFactorised
    }

    /// dx, and ∂L/∂K and ∂L/∂z written into the kernels' buffers: the same values, bit for bit, as
    /// the im2col + GEMM path with `weightGradient` (`AWConvFusedBackwardTests`). Images split over
    /// the threads as there, one ∂L/∂K share a part.
    func factorisedGateBackward(_ x: Tensor, kernels: FactorisedSampleKernels, _ g: ConvGeometry,
                                dy: Tensor) -> Tensor {
        let t = g.k &* g.k, positions = g.planeIn, f = g.planeOut
        let parts = partsFor(work: g.n &* g.o &* f &* g.c &* t, units: g.n, threads: threads)
        // Pixel f's input row for tap t, or the zero row (index `positions`) in the padding.
        var rows = [Int32](repeating: Int32(positions &* g.c), count: t &* f)
        for p in 0..<g.k {
            for q in 0..<g.k {
                for i in 0..<g.oh {
                    for j in 0..<g.ow {
                        let yy = i &* g.stride &+ p &- g.pad, xx = j &* g.stride &+ q &- g.pad
                        if yy >= 0 && yy < g.h && xx >= 0 && xx < g.w {
                            rows[(p &* g.k &+ q) &* f &+ i &* g.ow &+ j] = Int32((yy &* g.w &+ xx) &* g.c)
                        }
                    }
                }
            }
        }
        // 8 × 8, stride 1: dx by the gated Winograd (`gatedWinograd8x8`) with the kernel turned — input
        // channels O, output channels C, W′[c, o, t] = W[o, c, 8 − t], whose gates 2/(1 + v·u) are the
        // forward's (the product u·v commutes) — instead of the fused kernel's second pass.
        let winogradDx = Self.useGatedWinograd8x8 && g.h == 8 && g.w == 8 && g.k == 3 && g.stride == 1 && g.pad == 1
        let (dKernelShares, dLogits) = kernels.beginFactorisedBackward(shares: parts)
        let perShare = g.o &* t &* g.c, perImage = (g.o &+ g.c) &* t
        var dx = scratchArray(x.count)
        kernels.withFactors { kernel, factors in
        // K tap-major [O][T][C], once a call.
        var tapMajor = scratchArray(perShare)
        for oo in 0..<g.o { for cc in 0..<g.c { for q in 0..<t { tapMajor[(oo &* t &+ q) &* g.c &+ cc] = kernel[(oo &* g.c &+ cc) &* t &+ q] } } }
        // K′ `[O·9][C]` for the Winograd dx: K′[(o, t), c] = K[o, 8 − t, c].
        var turned = scratchArray(winogradDx ? perShare : 0)
        if winogradDx {
            for oo in 0..<g.o { for q in 0..<t { for cc in 0..<g.c {
                turned[(oo &* t &+ q) &* g.c &+ cc] = tapMajor[(oo &* t &+ t &- 1 &- q) &* g.c &+ cc]
            } } }
        }
        let winogradScratch = winogradDx ? Int(atkd_gated_winograd8x8_scratch(Int32(g.o))) &+ 16 : 0
        turned.withUnsafeBufferPointer { tb in
        tapMajor.withUnsafeBufferPointer { kb in
        let kernelTapMajor = kb.baseAddress!
        rows.withUnsafeBufferPointer { rb in
        x.data.withUnsafeBufferPointer { xb in
        dy.data.withUnsafeBufferPointer { db in
        dx.withUnsafeMutableBufferPointer { dxb in
            let xp = xb.baseAddress!, dyp = db.baseAddress!, dxp = dxb.baseAddress!
            parallelParts(parts) { part in
                // Image rows [positions + 1][C] (the last zero), its ∂ rows, v tap-major [T][C].
                var xT = [Float](repeating: 0, count: (positions &+ 1) &* g.c)
                var dxT = scratchArray((positions &+ 1) &* g.c)
                var v = scratchArray(t &* g.c), partial = scratchArray(g.o &* t &* 8)
                // The two-pass kernel's column vectors and W (F > 16).
                var columns = scratchArray(f > 16 ? f &* 16 : 0), w = scratchArray(f > 16 ? perShare : 0)
                // The Winograd dx's scratch and this image's factors turned: u′ `[O][9]`, v′ `[9][C]`.
                var wgScratch = scratchArray(winogradScratch)
                var uTurned = scratchArray(winogradDx ? g.o &* t : 0), vTurned = scratchArray(winogradDx ? t &* g.c : 0)
                xT.withUnsafeMutableBufferPointer { xtb in
                dxT.withUnsafeMutableBufferPointer { dxtb in
                v.withUnsafeMutableBufferPointer { vb in
                partial.withUnsafeMutableBufferPointer { pb in
                columns.withUnsafeMutableBufferPointer { cb in
                w.withUnsafeMutableBufferPointer { wb in
                    let xt = xtb.baseAddress!, dxt = dxtb.baseAddress!, vp = vb.baseAddress!
                    for img in partRange(part, of: parts, count: g.n) {
                        let xImg = xp + img &* g.c &* positions, dxImg = dxp + img &* g.c &* positions
                        for cc in 0..<g.c { for s in 0..<positions { xt[s &* g.c &+ cc] = xImg[cc &* positions &+ s] } }
                        let u = factors + img &* perImage, vIn = u + g.o &* t
                        for cc in 0..<g.c { for q in 0..<t { vp[q &* g.c &+ cc] = vIn[cc &* t &+ q] } }
                        let dz = dLogits + img &* perImage
                        if !winogradDx { dxt.update(repeating: 0, count: (positions &+ 1) &* g.c) }
                        if f == 16 {
                            atkd_factorised_gate_backward16(
                                Int32(g.o), Int32(g.c), Int32(t), rb.baseAddress!, xt, dyp + img &* g.o &* f,
                                kernelTapMajor, u, vp, dKernelShares + part &* perShare, dz, dz + g.o &* t,
                                pb.baseAddress!, dxt)
                        } else {
                            AVX512.factorisedGateBackward(
                                pixels: f, o: g.o, c: g.c, taps: t, rows: rb.baseAddress!, xT: UnsafePointer(xt),
                                dy: dyp + img &* g.o &* f, kernel: kernelTapMajor, u: u, v: UnsafePointer(vp),
                                dKernel: dKernelShares + part &* perShare, dzOut: dz, dzIn: dz + g.o &* t,
                                partial: pb.baseAddress!, columns: cb.baseAddress!, w: wb.baseAddress!, dxT: dxt,
                                inputGradient: !winogradDx)
                        }
                        if winogradDx {
                            for oo in 0..<g.o { for q in 0..<t { uTurned[oo &* t &+ q] = u[oo &* t &+ t &- 1 &- q] } }
                            for q in 0..<t { for cc in 0..<g.c { vTurned[q &* g.c &+ cc] = vp[(t &- 1 &- q) &* g.c &+ cc] } }
                            wgScratch.withUnsafeMutableBufferPointer { sb in
                                atkd_gated_winograd8x8(dyp + img &* g.o &* f, Int32(g.o), Int32(g.c), tb.baseAddress!,
                                                       vTurned, uTurned, 0, Int32(g.c), dxImg,
                                                       cacheLineAligned(sb.baseAddress!))
                            }
                        } else {
                            for cc in 0..<g.c { for s in 0..<positions { dxImg[cc &* positions &+ s] = dxt[s &* g.c &+ cc] } }
                        }
                    }
                }
                }
                }
                }
                }
                }
            }
        }
        }
        }
        }
        }
        }
        }
        return Tensor(shape: x.shape, data: dx)
    }
}
