// The weight gradient of a 3×3 stride-1 pad-1 convolution by Winograd F(4×4, 3×3):
// dU = Σ_tiles (A dY Aᵀ) ⊙ (Bᵀ x B) per kernel, then dW = Gᵀ dU G.
// x's tiles are transformed 8 tiles a vector (as in the forward); dy is first turned
// channels-last so that its tiles are transformed 8 output channels a vector, which makes
// each frequency's product a plain GEMM over tiles: dU[c][k] += Σ_t V[c][t]·dM[t][k].
// N batch, C input / K output channels, H, W; T tiles of a chunk.

import TensorCore
import VectorShuffles
import WinogradAVX512
import WinogradTransforms512

extension FastEngine {
    /// dW of a conv `Winograd4x4.applies` to. Each thread part sums its images into its own dU
    /// `[36][cPad][kPad]`; parts are added in order.
    func winogradConv3x3WeightGradient(_ x: Tensor, dy: Tensor, _ g: ConvGeometry) -> [Float] {
        if Self.usesAMXConv3x3 { return amxConv3x3WeightGradient(x, dy: dy, g) }
        let n = g.n, c = g.c, o = g.o, h = g.h, w = g.w
        // Input channels padded to 8 (blocks of the products), output channels to 16 (lanes).
        let kPad = (o + 15) / 16 * 16, cPad = (c + 7) / 8 * 8
        let plan = WinogradPlan(n: n, h: h, w: w)
        let phases = Winograd4x4.PhasePlanes(plan: plan)
        let layout = WinogradChunkLayout(plan: plan, phases: phases, outImage: o * h * w)
        let tPad = layout.tPad, tiles = layout.tiles
        let inPlane = h * w
        // dy channels-last, padded to whole tiles: [imagesPerChunk][4·TH][4·TW][kPad].
        let rowsT = 4 * plan.tilesHigh, colsT = 4 * plan.tilesWide, imageT = rowsT * colsT * kPad
        let duStride = cPad * kPad + 16, duCount = 36 * duStride
        let parts = partsFor(work: n * o * c * inPlane * 9, units: n, threads: threads)
        let avx512 = Self.usesAVX512
        var du = [Float](repeating: 0, count: parts * duCount)
        x.data.withUnsafeBufferPointer { xb in
        dy.data.withUnsafeBufferPointer { db in
        du.withUnsafeMutableBufferPointer { dub in
        layout.segmentOffsets.withUnsafeBufferPointer { sb in
            let xp = xb.baseAddress!, dyp = db.baseAddress!, dup = dub.baseAddress!, segments = sb.baseAddress!
            parallelParts(parts) { part in
                let images = partRange(part, of: parts, count: n)
                let vStride = cPad * tPad + 16, mStride = tiles * kPad + 16
                var q = [Float](repeating: 0, count: (plan.imagesPerChunk + 1) * phases.count)
                // V's rows past C are read by the products (as zeros); the rest of V, and dM up to
                // the tiles in use, are written before they are read.
                // (16 floats over: V and dM start on a cache line, for the 16-lane transforms and products)
                var v = scratchArray(36 * vStride + 16)
                let vZeroAt = v.withUnsafeMutableBufferPointer { cacheLineAligned($0.baseAddress!) - $0.baseAddress! }
                for p in 0..<36 { for ci in c..<cPad { for t in 0..<tPad { v[vZeroAt + p * vStride + ci * tPad + t] = 0 } } }
                var dm = scratchArray(36 * mStride + 16)
                var dyT = [Float](repeating: 0, count: plan.imagesPerChunk * imageT)
                q.withUnsafeMutableBufferPointer { qb in
                v.withUnsafeMutableBufferPointer { vb in
                dm.withUnsafeMutableBufferPointer { mb in
                dyT.withUnsafeMutableBufferPointer { tb in
                    let qp = qb.baseAddress!, vp = cacheLineAligned(vb.baseAddress!), mp = cacheLineAligned(mb.baseAddress!)
                    let tp = tb.baseAddress!
                    let duPart = dup + part &* duCount
                    var first = images.lowerBound
                    while first < images.upperBound {
                        let count = min(plan.imagesPerChunk, images.upperBound &- first)
                        layout.transformInput(xp, first: first, count: count, channels: c, plan: plan, phases: phases,
                                              segments: segments, q: qp, v: vp, positionStride: vStride)
                        for b in 0..<count {
                            Winograd4x4.channelsLast(dyp + (first &+ b) &* o &* inPlane, channels: o, h: h, w: w,
                                                     into: tp + b &* imageT, rowStride: colsT &* kPad, kPad: kPad)
                        }
                        let t = count &* plan.tilesPerImage   // the chunk's tiles
                        if avx512 {
                            // 16 channels a vector (the same bits).
                            atkd_winograd_output_gradient16(tp, Int32(count), Int32(plan.tilesHigh), Int32(plan.tilesWide),
                                                            imageT, colsT, Int32(kPad), mp, mStride)
                        } else {
                            let mr = UnsafeRawPointer(tp)
                            var index = 0
                            for b in 0..<count {
                                for ty in 0..<plan.tilesHigh {
                                    for tx in 0..<plan.tilesWide {
                                        let tile = b &* imageT &+ (4 &* ty &* colsT &+ 4 &* tx) &* kPad
                                        var k = 0
                                        while k < kPad {
                                            let base = (tile &+ k) &* 4
                                            Winograd4x4.transformOutputGradientLanes({ r, s in
                                                mr.loadUnaligned(fromByteOffset: base &+ (r &* colsT &+ s) &* kPad &* 4,
                                                                 as: SIMD8<Float>.self)
                                            }, mp + (index &* kPad &+ k), positionStride: mStride)
                                            k &+= 8
                                        }
                                        index &+= 1
                                    }
                                }
                            }
                        }
                        for p in 0..<36 {
                            let vi = vp + p &* vStride, mi = mp + p &* mStride, dui = duPart + p &* duStride
                            if avx512 {
                                AVX512.accumulateKernelGradient(v: vi, dm: mi, du: dui, cPad: cPad, kPad: kPad,
                                                                tiles: t, tPad: tPad)
                            } else {
                                Winograd4x4.accumulateKernelGradient(v: vi, dm: mi, du: dui, cPad: cPad, kPad: kPad,
                                                                     tiles: t, tPad: tPad)
                            }
                        }
                        first &+= count
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
        // The parts' dU summed element by element in part order, then dW = Gᵀ dU G kernel by kernel:
        // each split over threads (every element and kernel computed alone, so no bit depends on it).
        return makeArray(o * c * 9) { dw in
            du.withUnsafeMutableBufferPointer { dub in
                let dup = dub.baseAddress!
                if parts > 1 {
                    let sumParts = partsFor(work: duCount &* parts, units: duCount, threads: threads)
                    parallelParts(sumParts) { share in
                        for part in 1..<parts {
                            let src = dup + part &* duCount
                            for e in partRange(share, of: sumParts, count: duCount) { dup[e] += src[e] }
                        }
                    }
                }
                let kernelParts = partsFor(work: o &* c &* 36 &* 9, units: o, threads: threads)
                parallelParts(kernelParts) { share in
                    for oc in partRange(share, of: kernelParts, count: o) {
                        for ci in 0..<c {
                            Winograd4x4.kernelGradient(dup + (ci &* kPad &+ oc), stride: duStride,
                                                       into: dw + (oc &* c &+ ci) &* 9)
                        }
                    }
                }
            }
        }
    }
}
