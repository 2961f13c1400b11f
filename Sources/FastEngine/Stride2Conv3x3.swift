// 3×3 stride-2 padding-1 convolutions (the WRN / ResNet downsampling convolutions) through tap
// planes and the AVX-512 products in `Stride2Products512.swift`, instead of im2col + GEMM. Each
// output, dW and dcol value is one FMA chain in the GEMM path's order — what OpenBLAS's products
// compute there for the shapes `applies` takes (the same bits on whole runs, checked on this
// project's CPU); dx then goes through the same col2im.
// N batch, C input / O output channels, H, W input (even), OH = H/2, OW = W/2, F = OH·OW;
// Q = F + OW floats a tap plane (OH + 1 rows).

import TensorCore
import WinogradAVX512

enum Stride2Conv3x3 {
    /// Whether these kernels compute the convolution: 3×3, stride 2, padding 1, ungrouped, an even
    /// input, F and O multiples of 16 (the products' lanes), fp32, on a CPU with AVX-512; and sums
    /// the GEMM path's OpenBLAS computes as single chains, so that which path takes a layer changes
    /// no bit: C a multiple of 16 and every chain (9C for y, O for dcol, a chunk's pixels for dW) at
    /// most `longestChain` terms.
    /// NOTE: OpenBLAS's SkylakeX kernels sum a product of more than 448 terms in blocks, and its
    /// small-matrix `nt` kernel sums a dW with 27 columns (C = 3) in another order (C checks of
    /// `cblas_sgemm` against the chain, 1 thread): those layers stay on the GEMM path.
    static func applies(_ g: ConvGeometry) -> Bool {
        FastEngine.useStride2Conv3x3 && FastEngine.usesAVX512 && FastEngine.precision == .fp32
            && g.k == 3 && g.stride == 2 && g.pad == 1 && g.groups == 1 && g.h % 2 == 0 && g.w % 2 == 0
            && (g.oh * g.ow) % 16 == 0 && g.o % 16 == 0 && g.c % 16 == 0
            && 9 * g.c <= longestChain && g.o <= longestChain && g.imagesPerGEMM * g.oh * g.ow <= longestChain
    }

    /// The longest sum OpenBLAS's SkylakeX GEMM keeps in one chain (its k block, measured).
    static let longestChain = 448

    /// Floats of one image's tap planes: C · 6 · Q.
    static func tapFloats(_ g: ConvGeometry) -> Int { g.c * 6 * (g.oh * g.ow + g.ow) }

    /// T[c][q][r][m·OW + j] = xp[2m + r][2j + q] for m ≤ OH, xp the input padded by one zero row and
    /// column on each side: tap (p, q) of output (i, j) is T[c][q][p mod 2][(i + ⌊p/2⌋)·OW + j].
    static func tapPlanes(_ x: UnsafePointer<Float>, _ g: ConvGeometry, into t: UnsafeMutablePointer<Float>) {
        let ow = g.ow, plane = g.oh * ow + ow
        for ci in 0..<g.c {
            let src = x + ci &* g.h &* g.w, dst = t + ci &* 6 &* plane
            for m in 0...g.oh {
                for r in 0..<2 {
                    // Padded row 2m + r is input row 2m + r − 1 (zero outside the image).
                    let row = 2 &* m &+ r &- 1
                    let q0 = dst + (r &* plane &+ m &* ow)
                    let q1 = dst + ((2 &+ r) &* plane &+ m &* ow)
                    let q2 = dst + ((4 &+ r) &* plane &+ m &* ow)
                    guard row >= 0 && row < g.h else {
                        q0.update(repeating: 0, count: ow); q1.update(repeating: 0, count: ow)
                        q2.update(repeating: 0, count: ow)
                        continue
                    }
                    let s = src + row &* g.w
                    // q = 1: column 2j (even); q = 2: column 2j + 1 (odd); q = 0: column 2j − 1.
                    var j = 0
                    while j &+ 8 <= ow {
                        let v = UnsafeRawPointer(s + 2 &* j).loadUnaligned(as: SIMD16<Float>.self)
                        UnsafeMutableRawPointer(q1 + j).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
                        UnsafeMutableRawPointer(q2 + j).storeBytes(of: v.oddHalf, as: SIMD8<Float>.self)
                        j &+= 8
                    }
                    while j < ow { q1[j] = s[2 &* j]; q2[j] = s[2 &* j &+ 1]; j &+= 1 }
                    q0[0] = 0
                    if ow > 1 { (q0 + 1).update(from: q2, count: ow &- 1) }
                }
            }
        }
    }

    /// dyT[f][o] = dy[o][f] for one image (written in order).
    static func transpose(_ dy: UnsafePointer<Float>, o: Int, f: Int, into dyT: UnsafeMutablePointer<Float>) {
        for px in 0..<f {
            let row = dyT + px &* o
            for oo in 0..<o { row[oo] = dy[oo &* f &+ px] }
        }
    }

    /// `body` with `count` uninitialised floats on a 64-byte boundary (whole-cache-line vector loads).
    static func withAlignedScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 16) &* 4, alignment: 64)
        defer { raw.deallocate() }
        return body(raw.bindMemory(to: Float.self, capacity: max(count, 16)))
    }
}

extension FastEngine {
    /// Process-wide switch for the stride-2 kernels (on by default; off: im2col + GEMM).
    nonisolated(unsafe) public static var useStride2Conv3x3 = true

    /// y of a convolution `Stride2Conv3x3.applies` to, images split over threads; `epilogue(y, n)` as
    /// in `gemmConv2d`.
    func stride2Conv3x3(_ x: Tensor, weight: Tensor, _ g: ConvGeometry,
                        epilogue: ((UnsafeMutablePointer<Float>, Int) -> Void)? = nil) -> [Float] {
        let f = g.oh * g.ow
        let parts = partsFor(work: g.n * g.o * f * g.colRows, units: g.n, threads: threads)
        return makeArray(g.n * g.o * f) { yp in
            x.data.withUnsafeBufferPointer { xb in
                weight.data.withUnsafeBufferPointer { wb in
                    let plan = AVX512.Stride2ForwardPlan(weight: wb.baseAddress!, c: g.c, o: g.o, ow: g.ow, f: f)
                    parallelParts(parts) { part in
                        Stride2Conv3x3.withAlignedScratch(Stride2Conv3x3.tapFloats(g)) { taps in
                            for img in partRange(part, of: parts, count: g.n) {
                                Stride2Conv3x3.tapPlanes(xb.baseAddress! + img &* g.c &* g.planeIn, g, into: taps)
                                AVX512.stride2Forward(taps: taps, plan: plan, y: yp + img &* g.o &* f)
                                epilogue?(yp, img)
                            }
                        }
                    }
                }
            }
        }
    }

    /// dW (and dx) of a convolution `Stride2Conv3x3.applies` to, with the GEMM path's split: the same
    /// parts, one dW accumulator each (summed in part order), images in chunks of `imagesPerGEMM`
    /// whose sums are one chain each.
    func stride2Conv3x3Backward(_ x: Tensor, weight: Tensor, _ g: ConvGeometry, dy: Tensor,
                                inputGradient: Bool) -> (dx: [Float]?, dw: [Float]) {
        let f = g.oh * g.ow, rows = g.colRows, nb = g.imagesPerGEMM, wCount = weight.count
        let parts = partsFor(work: g.n * g.o * f * rows, units: g.n, threads: threads)
        var dwParts = [Float](repeating: 0, count: parts * wCount)
        // Each image's dx is zeroed by `col2imIntoFresh` in its part, not all of it up front.
        var dx = scratchArray(inputGradient ? x.count : 1)  // (1: storage for the unused pointer)
        let tapCount = Stride2Conv3x3.tapFloats(g)
        x.data.withUnsafeBufferPointer { xb in
        weight.data.withUnsafeBufferPointer { wb in
        dy.data.withUnsafeBufferPointer { db in
        dx.withUnsafeMutableBufferPointer { dxb in
        dwParts.withUnsafeMutableBufferPointer { dwb in
            let xp = xb.baseAddress!, wp = wb.baseAddress!, dyp = db.baseAddress!
            let dxp = dxb.baseAddress!, dwp = dwb.baseAddress!
            parallelParts(parts) { part in
                Stride2Conv3x3.withAlignedScratch(nb * tapCount) { tp in
                Stride2Conv3x3.withAlignedScratch(nb * f * g.o) { yTp in
                Stride2Conv3x3.withAlignedScratch(inputGradient ? rows * f : 0) { cp in
                    let range = partRange(part, of: parts, count: g.n)
                    var img = range.lowerBound
                    while img < range.upperBound {
                        let count = min(nb, range.upperBound &- img)
                        for b in 0..<count {
                            Stride2Conv3x3.tapPlanes(xp + (img &+ b) &* g.c &* g.planeIn, g, into: tp + b &* tapCount)
                            Stride2Conv3x3.transpose(dyp + (img &+ b) &* g.o &* f, o: g.o, f: f,
                                                     into: yTp + b &* f &* g.o)
                        }
                        AVX512.stride2WeightGradient(taps: tp, dyT: yTp,
                                                     dw: dwp + part &* wCount, images: count, c: g.c, o: g.o,
                                                     ow: g.ow, f: f)
                        if inputGradient {
                            for b in 0..<count {
                                AVX512.stride2ColumnGradient(weight: wp, dy: dyp + (img &+ b) &* g.o &* f,
                                                             dcol: cp, k: rows, o: g.o, columns: f, ld: f)
                                g.col2imIntoFresh(UnsafePointer(cp), dxp + (img &+ b) &* g.c &* g.planeIn)
                            }
                        }
                        img &+= count
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
        return (inputGradient ? dx : nil, sumInPartOrder(dwParts, count: wCount, parts: parts))
    }
}
