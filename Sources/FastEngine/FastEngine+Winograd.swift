// 3×3 stride-1 pad-1 convolutions by Winograd F(4×4, 3×3): forward, input gradient (the
// same convolution of dy with the kernel transposed and turned by 180°) and weight gradient.
// Images are split over threads and processed in chunks of ~`targetTiles` tiles.
// N batch, C input / O output channels, H, W; TH × TW 4×4 tiles per image, T per chunk.

import TensorCore
import WinogradAVX512

/// A chunk plan: tiles per image, images per chunk, and the padded plane a tile reads from.
struct WinogradPlan {
    let h: Int, w: Int
    let tilesHigh: Int, tilesWide: Int
    let imagesPerChunk: Int
    /// The zero-padded input plane: 1 row / column of padding on top / left, enough below and
    /// on the right for every tile's 6 × 6 window.
    let paddedHeight: Int, paddedWidth: Int

    /// Tiles a chunk aims for: enough for the 4 × 3 register block to stream, few enough that one
    /// frequency row of the transformed chunk stays in L2.
    static let targetTiles = 64

    init(n: Int, h: Int, w: Int) {
        self.h = h; self.w = w
        tilesHigh = (h + 3) / 4; tilesWide = (w + 3) / 4
        imagesPerChunk = max(1, min(n, Self.targetTiles / (tilesHigh * tilesWide)))
        paddedHeight = 4 * tilesHigh + 2; paddedWidth = 4 * tilesWide + 2
    }

    var tilesPerImage: Int { tilesHigh * tilesWide }

    /// Copies one input plane into the interior of `padded` (whose border stays zero).
    @inline(__always)
    func pad(_ plane: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
        let dst = padded + paddedWidth + 1
        for r in 0..<h { (dst + r &* paddedWidth).update(from: plane + r &* w, count: w) }
    }

    /// Whether output planes are whole 4×4 tiles (else tiles at the edges are clipped).
    var tilesFit: Bool { h % 4 == 0 && w % 4 == 0 }

    /// Copies an output-gradient plane into `padded` ([4·TH][4·TW], zero past H × W) when
    /// tiles do not fit, so every tile reads 4 × 4 floats; returns the plane to read and its row stride.
    @inline(__always)
    func tiled(_ plane: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>) -> (UnsafePointer<Float>, Int) {
        if tilesFit { return (plane, w) }
        let ld = 4 * tilesWide
        for r in 0..<h { (scratch + r &* ld).update(from: plane + r &* w, count: w) }
        return (UnsafePointer(scratch), ld)
    }
}

/// Transformed 3×3 kernels `[6][kPad/4][C][4][8]` for `Winograd4x4.multiply` (kPad = O rounded up to 4).
struct WinogradKernels {
    let outChannels: Int, inChannels: Int, kPad: Int
    let data: [Float]

    /// `weight(o, c, p, q)` is the kernel value for output o, input c, row p, column q.
    init(outChannels o: Int, inChannels c: Int, _ weight: (Int, Int, Int, Int) -> Float) {
        outChannels = o; inChannels = c; kPad = (o + 3) / 4 * 4
        let kp = kPad, rowStride = c * kp * 8
        data = [Float](unsafeUninitializedCapacity: 6 * rowStride) { buf, initialized in
            let u = buf.baseAddress!
            u.initialize(repeating: 0, count: 6 * rowStride)
            for ci in 0..<c {
                for oc in 0..<o {
                    Winograd4x4.transformKernel({ p, q in weight(oc, ci, p, q) },
                                                into: u + ((oc / 4) * c + ci) * 32 + (oc % 4) * 8, rowStride: rowStride)
                }
            }
            initialized = 6 * rowStride
        }
    }

    static func forward(_ w: UnsafePointer<Float>, o: Int, c: Int) -> WinogradKernels {
        WinogradKernels(outChannels: o, inChannels: c) { oo, ci, p, q in w[((oo * c + ci) * 3 + p) * 3 + q] }
    }

    /// dx = conv(dy, W′) with W′[c, o, p, q] = W[o, c, 2 − p, 2 − q].
    static func inputGradient(_ w: UnsafePointer<Float>, o: Int, c: Int) -> WinogradKernels {
        WinogradKernels(outChannels: c, inChannels: o) { ci, oo, p, q in w[((oo * c + ci) * 3 + 2 - p) * 3 + 2 - q] }
    }
}

extension FastEngine {
    /// y = conv3x3(x, W) by Winograd F(4×4, 3×3) for a conv `Winograd4x4.applies` to.
    func winogradConv3x3(_ x: Tensor, weight: Tensor, _ g: ConvGeometry) -> [Float] {
        let kernels = weight.data.withUnsafeBufferPointer { WinogradKernels.forward($0.baseAddress!, o: g.o, c: g.c) }
        return winogradImages(x.data, n: g.n, h: g.h, w: g.w, kernels: kernels)
    }

    /// dx of a conv `Winograd4x4.applies` to: conv(dy, W′), W′[c, o] = W[o, c] turned 180°.
    func winogradConv3x3InputGradient(_ dy: Tensor, weight: Tensor, _ g: ConvGeometry) -> [Float] {
        let kernels = weight.data.withUnsafeBufferPointer {
            WinogradKernels.inputGradient($0.baseAddress!, o: g.o, c: g.c)
        }
        return winogradImages(dy.data, n: g.n, h: g.h, w: g.w, kernels: kernels)
    }

    private func winogradImages(_ input: [Float], n: Int, h: Int, w: Int, kernels: WinogradKernels) -> [Float] {
        let c = kernels.inChannels, o = kernels.outChannels, kPad = kernels.kPad
        let plan = WinogradPlan(n: n, h: h, w: w)
        let inPlane = h * w, outImage = o * h * w
        let parts = partsFor(work: n * o * c * inPlane * 9, units: n, threads: threads)
        return makeArray(n * outImage) { yp in
            input.withUnsafeBufferPointer { xb in
            kernels.data.withUnsafeBufferPointer { ub in
                let xp = xb.baseAddress!, up = ub.baseAddress!
                parallelParts(parts) { part in
                    let images = partRange(part, of: parts, count: n)
                    let tPad = (plan.imagesPerChunk * plan.tilesPerImage + 2) / 3 * 3
                    let vRow = c * tPad * 8, mRow = kPad * tPad * 8
                    var padded = [Float](repeating: 0, count: plan.paddedHeight * plan.paddedWidth)
                    var v = [Float](repeating: 0, count: 6 * vRow)
                    var m = [Float](repeating: 0, count: 6 * mRow)
                    padded.withUnsafeMutableBufferPointer { pb in
                    v.withUnsafeMutableBufferPointer { vb in
                    m.withUnsafeMutableBufferPointer { mb in
                    Winograd4x4.btColumns.withUnsafeBufferPointer { bt in
                    Winograd4x4.atColumns.withUnsafeBufferPointer { at in
                        let pp = pb.baseAddress!, vp = vb.baseAddress!, mp = mb.baseAddress!
                        var first = images.lowerBound
                        while first < images.upperBound {
                            let count = min(plan.imagesPerChunk, images.upperBound &- first)
                            for b in 0..<count {
                                for ci in 0..<c {
                                    plan.pad(xp + ((first &+ b) &* c &+ ci) &* inPlane, into: pp)
                                    var t = b &* plan.tilesPerImage
                                    for ty in 0..<plan.tilesHigh {
                                        for tx in 0..<plan.tilesWide {
                                            let vOff: Int = ((t / 3) &* c &+ ci) &* 24 &+ (t % 3) &* 8
                                            Winograd4x4.transformInputTile(
                                                pp + 4 &* (ty &* plan.paddedWidth &+ tx), ld: plan.paddedWidth,
                                                vp + vOff, rowStride: vRow, bt.baseAddress!)
                                            t &+= 1
                                        }
                                    }
                                }
                            }
                            for i in 0..<6 {
                                let ui = up + i &* c &* kPad &* 8, vi = vp + i &* vRow, mi = mp + i &* mRow
                                if Self.usesAVX512 {
                                    AVX512.multiply(u: ui, v: vi, m: mi, c: c, kPad: kPad, tPad: tPad)
                                } else {
                                    Winograd4x4.multiply(u: ui, v: vi, m: mi, c: c, kPad: kPad, tPad: tPad)
                                }
                            }
                            for b in 0..<count {
                                for oc in 0..<o {
                                    let offset: Int = (first &+ b) &* outImage &+ oc &* h &* w
                                    let plane = yp + offset
                                    var t = b &* plan.tilesPerImage
                                    for ty in 0..<plan.tilesHigh {
                                        for tx in 0..<plan.tilesWide {
                                            let rows = Winograd4x4.transformOutputTile(
                                                mp + (oc &* tPad &+ t) &* 8, rowStride: mRow, at.baseAddress!)
                                            storeTile(rows, plane, row: 4 &* ty, col: 4 &* tx, h: h, w: w)
                                            t &+= 1
                                        }
                                    }
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
    }

    /// dW of a conv `Winograd4x4.applies` to: dU = Σ_tiles (A dY Aᵀ) ⊙ (Bᵀ x B) per kernel, then
    /// dW = Gᵀ dU G. Each thread part sums its images into its own dU; parts are added in order.
    func winogradConv3x3WeightGradient(_ x: Tensor, dy: Tensor, _ g: ConvGeometry) -> [Float] {
        let n = g.n, c = g.c, o = g.o, h = g.h, w = g.w
        // Input channels padded to 6: the AVX2 kernel takes them 3 at a time, the AVX-512 one 6.
        let kPad = (o + 3) / 4 * 4, cPad = (c + 5) / 6 * 6
        let plan = WinogradPlan(n: n, h: h, w: w)
        let inPlane = h * w
        let duCount = 6 * kPad * cPad * 8
        let parts = partsFor(work: n * o * c * inPlane * 9, units: n, threads: threads)
        var du = [Float](repeating: 0, count: parts * duCount)
        x.data.withUnsafeBufferPointer { xb in
        dy.data.withUnsafeBufferPointer { db in
        du.withUnsafeMutableBufferPointer { dub in
            let xp = xb.baseAddress!, dyp = db.baseAddress!, dup = dub.baseAddress!
            parallelParts(parts) { part in
                let images = partRange(part, of: parts, count: n)
                let tiles = plan.imagesPerChunk * plan.tilesPerImage
                let vRow = cPad * tiles * 8, mRow = kPad * tiles * 8
                var padded = [Float](repeating: 0, count: plan.paddedHeight * plan.paddedWidth)
                var v = [Float](repeating: 0, count: 6 * vRow)
                var dm = [Float](repeating: 0, count: 6 * mRow)
                var scratch = [Float](repeating: 0, count: plan.tilesFit ? 0 : 16 * plan.tilesPerImage)
                scratch.withUnsafeMutableBufferPointer { sb in
                padded.withUnsafeMutableBufferPointer { pb in
                v.withUnsafeMutableBufferPointer { vb in
                dm.withUnsafeMutableBufferPointer { mb in
                Winograd4x4.btColumns.withUnsafeBufferPointer { bt in
                Winograd4x4.atRows.withUnsafeBufferPointer { ar in
                    let pp = pb.baseAddress!, vp = vb.baseAddress!, mp = mb.baseAddress!
                    let sp = sb.baseAddress ?? pp
                    let duPart = dup + part &* duCount
                    var first = images.lowerBound
                    while first < images.upperBound {
                        let count = min(plan.imagesPerChunk, images.upperBound &- first)
                        let used = count &* plan.tilesPerImage
                        if used < tiles {
                            // A short last chunk: zero the unused tiles so they add nothing.
                            for i in 0..<6 { for ci in 0..<cPad {
                                let offset: Int = i &* vRow &+ (ci &* tiles &+ used) &* 8
                                (vp + offset).update(repeating: 0, count: (tiles &- used) &* 8)
                            } }
                        }
                        for b in 0..<count {
                            for ci in 0..<c {
                                plan.pad(xp + ((first &+ b) &* c &+ ci) &* inPlane, into: pp)
                                var t = b &* plan.tilesPerImage
                                for ty in 0..<plan.tilesHigh {
                                    for tx in 0..<plan.tilesWide {
                                        Winograd4x4.transformInputTile(
                                            pp + 4 &* (ty &* plan.paddedWidth &+ tx), ld: plan.paddedWidth,
                                            vp + (ci &* tiles &+ t) &* 8, rowStride: vRow, bt.baseAddress!)
                                        t &+= 1
                                    }
                                }
                            }
                            for oc in 0..<o {
                                let (plane, ld) = plan.tiled(dyp + ((first &+ b) &* o &+ oc) &* inPlane, scratch: sp)
                                var t = b &* plan.tilesPerImage
                                for ty in 0..<plan.tilesHigh {
                                    for tx in 0..<plan.tilesWide {
                                        Winograd4x4.transformOutputGradientTile(
                                            plane + 4 &* (ty &* ld &+ tx), ld: ld, mp + (oc &* tiles &+ t) &* 8,
                                            rowStride: mRow, ar.baseAddress!)
                                        t &+= 1
                                    }
                                }
                            }
                        }
                        for i in 0..<6 {
                            let dmi = mp + i &* mRow, vi = vp + i &* vRow, dui = duPart + i &* kPad &* cPad &* 8
                            if Self.usesAVX512 {
                                AVX512.accumulateKernelGradient(dm: dmi, v: vi, du: dui, tiles: tiles, kPad: kPad, cPad: cPad)
                            } else {
                                Winograd4x4.accumulateKernelGradient(dm: dmi, v: vi, du: dui, tiles: tiles, kPad: kPad, cPad: cPad)
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
        }
        return makeArray(o * c * 9) { dw in
            du.withUnsafeMutableBufferPointer { dub in
                let dup = dub.baseAddress!
                for part in 1..<max(parts, 1) {
                    let src = dup + part &* duCount
                    for e in 0..<duCount { dup[e] += src[e] }
                }
                for oc in 0..<o {
                    for ci in 0..<c {
                        Winograd4x4.kernelGradient(dup + (oc &* cPad &+ ci) &* 8, rowStride: kPad &* cPad &* 8,
                                                   into: dw + (oc &* c &+ ci) &* 9)
                    }
                }
            }
        }
    }
}

/// Writes a 4×4 output tile (rows of 4 lanes) at (row, col) of an H × W plane, clipped at the edges.
@inline(__always)
func storeTile(_ rows: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>), _ plane: UnsafeMutablePointer<Float>,
               row: Int, col: Int, h: Int, w: Int) {
    let raw = UnsafeMutableRawPointer(plane)
    @inline(__always) func put(_ a: Int, _ v: SIMD4<Float>) {
        let r = row &+ a
        guard r < h else { return }
        let base = r &* w &+ col
        if col &+ 4 <= w {
            raw.storeBytes(of: v, toByteOffset: base &* 4, as: SIMD4<Float>.self)
        } else {
            for b in 0..<(w &- col) { plane[base &+ b] = v[b] }
        }
    }
    put(0, rows.0); put(1, rows.1); put(2, rows.2); put(3, rows.3)
}
