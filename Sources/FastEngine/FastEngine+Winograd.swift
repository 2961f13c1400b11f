// 3×3 stride-1 pad-1 convolutions by Winograd F(4×4, 3×3): forward and input gradient (the
// same convolution of dy with the kernel transposed and turned by 180°).
// Images are split over threads and processed in chunks of ~`targetTiles` tiles. The kernel
// transform is in `WinogradKernels.swift`, the weight gradient in `FastEngine+WinogradWeightGradient.swift`.
// N batch, C input / O output channels, H, W; TH × TW 4×4 tiles per image, T per chunk.

import TensorCore
import VectorShuffles
import WinogradAVX512
import WinogradTransforms512

/// A chunk plan: tiles per image and images per chunk.
struct WinogradPlan {
    let h: Int, w: Int
    let tilesHigh: Int, tilesWide: Int
    let imagesPerChunk: Int
    /// Rows of the zero-padded input plane: 1 on top, enough below for every tile's 6 × 6 window.
    let paddedHeight: Int

    /// Tiles a chunk aims for: enough for the products' register blocks to stream, few enough
    /// that one frequency of the transformed chunk stays in L1 and the whole chunk in L2.
    static let targetTiles = 64

    init(n: Int, h: Int, w: Int) {
        self.h = h; self.w = w
        tilesHigh = (h + 3) / 4; tilesWide = (w + 3) / 4
        imagesPerChunk = max(1, min(n, Self.targetTiles / (tilesHigh * tilesWide)))
        paddedHeight = 4 * tilesHigh + 2
    }

    var tilesPerImage: Int { tilesHigh * tilesWide }

    /// Whether output planes are whole 4×4 tiles (else tiles at the edges are clipped).
    var tilesFit: Bool { h % 4 == 0 && w % 4 == 0 }
}

/// Where the tiles of a chunk are, for the lane-batched transforms: tile t = b·tilesPerImage +
/// ty·tilesWide + tx. Lanes are read in segments of `segment` tiles (8, 4, 2 or 1, dividing
/// tilesWide), each within one tile row, so a segment is consecutive floats of a phase plane.
struct WinogradChunkLayout {
    let tiles: Int, tPad: Int, segment: Int
    /// Per segment of lanes (tPad / segment): offset of its first tile's top-left element in
    /// the chunk's phase planes (`[imagesPerChunk + 1][4][paddedHeight][ld]`, the last image all
    /// zero, for the lanes past the chunk's tiles).
    let segmentOffsets: [Int]
    /// Per tile: offset of its top-left output element from the chunk's first output image.
    let outputOffsets: [Int]
    /// Per tile: rows and columns of the 4 × 4 tile inside the H × W plane.
    let rowsInside: [Int], columnsInside: [Int]

    init(plan: WinogradPlan, phases: Winograd4x4.PhasePlanes, outImage: Int) {
        tiles = plan.imagesPerChunk * plan.tilesPerImage
        tPad = (tiles + 15) / 16 * 16
        let tw = plan.tilesWide
        segment = tw % 8 == 0 ? 8 : tw % 4 == 0 ? 4 : tw % 2 == 0 ? 2 : 1
        var segments = [Int](), outputs = [Int](), rows = [Int](), columns = [Int]()
        for t in 0..<tPad {
            guard t < tiles else {
                if t % segment == 0 { segments.append(plan.imagesPerChunk * phases.count) }
                continue
            }
            let b = t / plan.tilesPerImage, local = t % plan.tilesPerImage
            let ty = local / tw, tx = local % tw
            if t % segment == 0 { segments.append(b * phases.count + 4 * ty * phases.ld + tx) }
            outputs.append(b * outImage + 4 * ty * plan.w + 4 * tx)
            rows.append(min(4, plan.h - 4 * ty)); columns.append(min(4, plan.w - 4 * tx))
        }
        segmentOffsets = segments; outputOffsets = outputs; rowsInside = rows; columnsInside = columns
    }

    /// The layout's tables as pointers, valid during `body`.
    struct Tables { let segments, outputs, rowsInside, columnsInside: UnsafePointer<Int> }

    func withTables<R>(_ body: (Tables) -> R) -> R {
        segmentOffsets.withUnsafeBufferPointer { s in
        outputOffsets.withUnsafeBufferPointer { o in
        rowsInside.withUnsafeBufferPointer { r in
        columnsInside.withUnsafeBufferPointer { c in
            body(Tables(segments: s.baseAddress!, outputs: o.baseAddress!, rowsInside: r.baseAddress!,
                        columnsInside: c.baseAddress!))
        }
        }
        }
        }
    }

    /// V = Bᵀ d B of every tile of images `first ..< first + count` (a chunk), all `channels`
    /// input planes: each plane is split into column phases (`q`, this chunk's
    /// `[imagesPerChunk + 1][PhasePlanes.count]`, zero past the data), then 8 tiles are
    /// transformed per vector into `v[6i + j][ci][tPad]` (frequencies `positionStride` apart).
    @inline(__always)
    func transformInput(_ xp: UnsafePointer<Float>, first: Int, count: Int, channels c: Int, plan: WinogradPlan,
                        phases: Winograd4x4.PhasePlanes, segments: UnsafePointer<Int>,
                        q qp: UnsafeMutablePointer<Float>, v vp: UnsafeMutablePointer<Float>, positionStride vStride: Int) {
        let h = plan.h, w = plan.w, inPlane = h * w
        let qr = UnsafeRawPointer(qp)
        // 16 tiles a vector (`atkd_winograd_input16`: the same bits) where the CPU has AVX-512.
        let avx512 = FastEngine.usesAVX512
        for ci in 0..<c {
            for b in 0..<count {
                let plane = xp + ((first &+ b) &* c &+ ci) &* inPlane
                let qb = qp + b &* phases.count
                for r in 0..<h { phases.split(row: plane + r &* w, w: w, row: r, into: qb) }
            }
            let vc = vp + ci &* tPad
            if avx512 && segment != 1 {
                atkd_winograd_input16(qp, segments, Int32(segment), Int32(tPad), phases.phaseStride, phases.ld, vc, vStride)
                continue
            }
            var g = 0, s = 0
            while g < tPad {
                let vg = vc + g
                switch segment {
                case 8:
                    let base = segments[s] &* 4
                    Winograd4x4.transformInputLanes(phases, { off in
                        qr.loadUnaligned(fromByteOffset: base &+ off &* 4, as: SIMD8<Float>.self)
                    }, vg, positionStride: vStride)
                    s &+= 1
                case 4:
                    let b0 = segments[s] &* 4, b1 = segments[s &+ 1] &* 4
                    Winograd4x4.transformInputLanes(phases, { off in
                        SIMD8(lowHalf: qr.loadUnaligned(fromByteOffset: b0 &+ off &* 4, as: SIMD4<Float>.self),
                              highHalf: qr.loadUnaligned(fromByteOffset: b1 &+ off &* 4, as: SIMD4<Float>.self))
                    }, vg, positionStride: vStride)
                    s &+= 2
                case 2:
                    let b0 = segments[s] &* 4, b1 = segments[s &+ 1] &* 4
                    let b2 = segments[s &+ 2] &* 4, b3 = segments[s &+ 3] &* 4
                    Winograd4x4.transformInputLanes(phases, { off in
                        let o4 = off &* 4
                        return SIMD8(
                            lowHalf: SIMD4(lowHalf: qr.loadUnaligned(fromByteOffset: b0 &+ o4, as: SIMD2<Float>.self),
                                           highHalf: qr.loadUnaligned(fromByteOffset: b1 &+ o4, as: SIMD2<Float>.self)),
                            highHalf: SIMD4(lowHalf: qr.loadUnaligned(fromByteOffset: b2 &+ o4, as: SIMD2<Float>.self),
                                            highHalf: qr.loadUnaligned(fromByteOffset: b3 &+ o4, as: SIMD2<Float>.self)))
                    }, vg, positionStride: vStride)
                    s &+= 4
                default:
                    let lanes = segments + s
                    Winograd4x4.transformInputLanes(phases, { off in
                        SIMD8(qp[lanes[0] &+ off], qp[lanes[1] &+ off], qp[lanes[2] &+ off], qp[lanes[3] &+ off],
                              qp[lanes[4] &+ off], qp[lanes[5] &+ off], qp[lanes[6] &+ off], qp[lanes[7] &+ off])
                    }, vg, positionStride: vStride)
                    s &+= 8
                }
                g &+= 8
            }
        }
    }

    /// Y = Aᵀ M A of the chunk's first `used` tiles, 8 tiles a vector, each tile's rows stored
    /// into the `channels` output planes of `chunkOut` (clipped at the planes' edges).
    /// `outputs`, `rowsInside`, `columnsInside` are this layout's arrays.
    @inline(__always)
    func transformOutput(_ mp: UnsafePointer<Float>, positionStride mStride: Int, channels o: Int, used: Int,
                         plan: WinogradPlan, outputs: UnsafePointer<Int>, rowsInside: UnsafePointer<Int>,
                         columnsInside: UnsafePointer<Int>, into chunkOut: UnsafeMutablePointer<Float>) {
        let w = plan.w, inPlane = plan.h * plan.w
        // Whole tiles, 8 to a segment: each group of 8 lanes is one tile row's full width.
        let fullRows = plan.tilesFit && segment == 8
        // Whole groups of 16 tiles on AVX-512 (`atkd_winograd_output16`: the same bits), the rest 8 at a time.
        let groups = FastEngine.usesAVX512 && plan.tilesFit ? used / 16 : 0
        for oc in 0..<o {
            let planeOut = chunkOut + oc &* inPlane
            if groups > 0 {
                atkd_winograd_output16(mp + oc &* tPad, mStride, Int32(groups), outputs, w, fullRows ? 1 : 0, planeOut)
            }
            var g = groups &* 16
            while g < used {
                let lanes = min(8, used &- g)
                let rowStart = planeOut + outputs[g]
                Winograd4x4.transformOutputLanes(mp + (oc &* tPad &+ g), positionStride: mStride) { a, y0, y1, y2, y3 in
                    let (r04, r15, r26, r37) = Winograd4x4.tileRows(y0, y1, y2, y3)
                    if fullRows && lanes == 8 {
                        // 8 whole tiles side by side: output row a is 32 floats.
                        let row = UnsafeMutableRawPointer(rowStart + a &* w)
                        row.storeBytes(of: atkd_join_low_halves(r04, r15), as: SIMD8<Float>.self)
                        row.storeBytes(of: atkd_join_low_halves(r26, r37), toByteOffset: 32, as: SIMD8<Float>.self)
                        row.storeBytes(of: atkd_join_high_halves(r04, r15), toByteOffset: 64, as: SIMD8<Float>.self)
                        row.storeBytes(of: atkd_join_high_halves(r26, r37), toByteOffset: 96, as: SIMD8<Float>.self)
                        return
                    }
                    @inline(__always) func put(_ l: Int, _ row: SIMD4<Float>) {
                        guard l < lanes else { return }
                        let t = g &+ l
                        let at = planeOut + (outputs[t] &+ a &* w)
                        if plan.tilesFit {
                            UnsafeMutableRawPointer(at).storeBytes(of: row, as: SIMD4<Float>.self)
                        } else if a < rowsInside[t] {
                            for e in 0..<columnsInside[t] { at[e] = row[e] }
                        }
                    }
                    put(0, atkd_low_half(r04)); put(1, atkd_low_half(r15))
                    put(2, atkd_low_half(r26)); put(3, atkd_low_half(r37))
                    put(4, atkd_high_half(r04)); put(5, atkd_high_half(r15))
                    put(6, atkd_high_half(r26)); put(7, atkd_high_half(r37))
                }
                g &+= 8
            }
        }
    }
}

extension FastEngine {
    /// y = conv3x3(x, W) by Winograd F(4×4, 3×3) for a conv `Winograd4x4.applies` to.
    /// `epilogue(y, first, count)` runs on each chunk's finished output images
    /// [first, first + count) of y, on the thread that wrote them, while they are in cache.
    func winogradConv3x3(_ x: Tensor, weight: Tensor, _ g: ConvGeometry,
                         epilogue: ((UnsafeMutablePointer<Float>, Int, Int) -> Void)? = nil) -> [Float] {
        if Self.usesAMXConv3x3 { return amxConv3x3(x, weight: weight, g, epilogue: epilogue) }
        let kernels = weight.data.withUnsafeBufferPointer { WinogradKernels.forward($0.baseAddress!, o: g.o, c: g.c, threads: threads) }
        return winogradImages(x.data, n: g.n, h: g.h, w: g.w, kernels: kernels, epilogue: epilogue)
    }

    /// dx of a conv `Winograd4x4.applies` to: conv(dy, W′), W′[c, o] = W[o, c] turned 180°.
    func winogradConv3x3InputGradient(_ dy: Tensor, weight: Tensor, _ g: ConvGeometry) -> [Float] {
        if Self.usesAMXConv3x3 { return amxConv3x3InputGradient(dy, weight: weight, g) }
        let kernels = weight.data.withUnsafeBufferPointer {
            WinogradKernels.inputGradient($0.baseAddress!, o: g.o, c: g.c, threads: threads)
        }
        return winogradImages(dy.data, n: g.n, h: g.h, w: g.w, kernels: kernels)
    }

    /// Per chunk of images: split each input plane into column phases, transform 8 tiles per
    /// vector into V `[36][C][tPad]`, multiply per frequency into M `[36][kPad][tPad]`,
    /// transform back 8 tiles at a time and store each tile's rows.
    private func winogradImages(_ input: [Float], n: Int, h: Int, w: Int, kernels: WinogradKernels,
                                epilogue: ((UnsafeMutablePointer<Float>, Int, Int) -> Void)? = nil) -> [Float] {
        let c = kernels.inChannels, o = kernels.outChannels, kPad = kernels.kPad
        let plan = WinogradPlan(n: n, h: h, w: w)
        let phases = Winograd4x4.PhasePlanes(plan: plan)
        let inPlane = h * w, outImage = o * h * w
        let layout = WinogradChunkLayout(plan: plan, phases: phases, outImage: outImage)
        let tPad = layout.tPad
        let avx512 = Self.usesAVX512
        if n == 1 && threads > 1 {
            let channelParts = partsFor(work: o * c * inPlane * 9, units: kPad / 16, threads: threads, minWork: 1 << 22)
            if channelParts > 1 {
                return winogradOneImage(input, h: h, w: w, kernels: kernels, parts: channelParts, epilogue: epilogue)
            }
        }
        let parts = partsFor(work: n * o * c * inPlane * 9, units: n, threads: threads)
        return makeArray(n * outImage) { yp in
            input.withUnsafeBufferPointer { xb in
            kernels.data.withUnsafeBufferPointer { ub in
            layout.withTables { tables in
                let xp = xb.baseAddress!, up = ub.baseAddress!
                parallelParts(parts) { part in
                    let images = partRange(part, of: parts, count: n)
                    // NOTE: one 64-byte line past a whole number of tile rows: at 16 channels × 64
                    // tiles the 36 frequencies were 4 KiB apart, all in one L1 set.
                    let vStride = c * tPad + 16, mStride = kPad * tPad + 16
                    var q = [Float](repeating: 0, count: (plan.imagesPerChunk + 1) * phases.count)
                    // Every lane of V and M is written before it is read.
                    // (16 floats over: V and M start on a cache line, for the 16-lane transforms and products)
                    var v = scratchArray(36 * vStride + 16)
                    var m = scratchArray(36 * mStride + 16)
                    q.withUnsafeMutableBufferPointer { qb in
                    v.withUnsafeMutableBufferPointer { vb in
                    m.withUnsafeMutableBufferPointer { mb in
                        let qp = qb.baseAddress!, vp = cacheLineAligned(vb.baseAddress!), mp = cacheLineAligned(mb.baseAddress!)
                        var first = images.lowerBound
                        while first < images.upperBound {
                            let count = min(plan.imagesPerChunk, images.upperBound &- first)
                            layout.transformInput(xp, first: first, count: count, channels: c, plan: plan, phases: phases,
                                                  segments: tables.segments, q: qp, v: vp, positionStride: vStride)
                            Self.winogradProducts(u: up, uStride: kernels.positionStride, v: vp, vStride: vStride, m: mp,
                                                  mStride: mStride, c: c, kPad: kPad, tPad: tPad, avx512: avx512)
                            layout.transformOutput(mp, positionStride: mStride, channels: o, used: count &* plan.tilesPerImage,
                                                   plan: plan, outputs: tables.outputs, rowsInside: tables.rowsInside,
                                                   columnsInside: tables.columnsInside, into: yp + first &* outImage)
                            epilogue?(yp, first, count)
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

    /// M = U · V for each of the 36 frequencies (`u`, `v`, `m` at frequency 0, the strides apart): `kPad`
    /// output channels of U (a multiple of 4) over `c` input channels and `tPad` tiles.
    @inline(__always)
    static func winogradProducts(u: UnsafePointer<Float>, uStride: Int, v: UnsafePointer<Float>, vStride: Int,
                                 m: UnsafeMutablePointer<Float>, mStride: Int, c: Int, kPad: Int, tPad: Int, avx512: Bool) {
        for p in 0..<36 {
            let ui = u + p &* uStride, vi = v + p &* vStride, mi = m + p &* mStride
            if avx512 {
                AVX512.multiply(u: ui, v: vi, m: mi, c: c, kPad: kPad, tPad: tPad)
            } else {
                Winograd4x4.multiply(u: ui, v: vi, m: mi, c: c, kPad: kPad, tPad: tPad)
            }
        }
    }

    /// `winogradImages` of one image (batch-1 inference), which the image split leaves on one thread:
    /// V once, then the output channels split over the threads in blocks of 16, each part the products
    /// and output transform of its channels; the epilogue runs once, after all parts. Every output is
    /// the same sums as on the image path.
    private func winogradOneImage(_ input: [Float], h: Int, w: Int, kernels: WinogradKernels, parts: Int,
                                  epilogue: ((UnsafeMutablePointer<Float>, Int, Int) -> Void)?) -> [Float] {
        let c = kernels.inChannels, o = kernels.outChannels, kPad = kernels.kPad, blocks = kPad / 16
        let plan = WinogradPlan(n: 1, h: h, w: w)
        let phases = Winograd4x4.PhasePlanes(plan: plan)
        let inPlane = h * w
        let layout = WinogradChunkLayout(plan: plan, phases: phases, outImage: o * inPlane)
        let tPad = layout.tPad, vStride = c * tPad + 16, mStride = kPad * tPad + 16
        let avx512 = Self.usesAVX512
        var q = [Float](repeating: 0, count: (plan.imagesPerChunk + 1) * phases.count)
        var v = scratchArray(36 * vStride + 16), m = scratchArray(36 * mStride + 16)
        return makeArray(o * inPlane) { yp in
            input.withUnsafeBufferPointer { xb in
            kernels.data.withUnsafeBufferPointer { ub in
            layout.withTables { tables in
            q.withUnsafeMutableBufferPointer { qb in
            v.withUnsafeMutableBufferPointer { vb in
            m.withUnsafeMutableBufferPointer { mb in
                let up = ub.baseAddress!, vp = cacheLineAligned(vb.baseAddress!), mp = cacheLineAligned(mb.baseAddress!)
                layout.transformInput(xb.baseAddress!, first: 0, count: 1, channels: c, plan: plan, phases: phases,
                                      segments: tables.segments, q: qb.baseAddress!, v: vp, positionStride: vStride)
                parallelParts(parts) { part in
                    let range = partRange(part, of: parts, count: blocks)
                    let k0 = range.lowerBound &* 16, k1 = range.upperBound == blocks ? kPad : range.upperBound &* 16
                    Self.winogradProducts(u: up + k0 &* c, uStride: kernels.positionStride, v: vp, vStride: vStride,
                                          m: mp + k0 &* tPad, mStride: mStride, c: c, kPad: k1 &- k0, tPad: tPad, avx512: avx512)
                    layout.transformOutput(mp + k0 &* tPad, positionStride: mStride, channels: min(k1, o) &- k0,
                                           used: plan.tilesPerImage, plan: plan, outputs: tables.outputs,
                                           rowsInside: tables.rowsInside, columnsInside: tables.columnsInside,
                                           into: yp + k0 &* inPlane)
                }
                epilogue?(yp, 0, 1)
            }
            }
            }
            }
            }
            }
        }
    }
}
