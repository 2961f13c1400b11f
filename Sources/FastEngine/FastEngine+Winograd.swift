// 3×3 stride-1 pad-1 convolutions by Winograd F(4×4, 3×3): forward and input gradient (the
// same convolution of dy with the kernel transposed and turned by 180°).
// Images are split over threads and processed in chunks of ~`targetTiles` tiles. The weight
// gradient is in `FastEngine+WinogradWeightGradient.swift`.
// N batch, C input / O output channels, H, W; TH × TW 4×4 tiles per image, T per chunk.

import TensorCore
import VectorShuffles
import WinogradAVX512

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

/// Transformed 3×3 kernels `[36][kPad/4][C][4]` (frequency 6i + j; kPad = O rounded up to 4)
/// for `Winograd4x4.multiply`.
struct WinogradKernels {
    let outChannels: Int, inChannels: Int, kPad: Int
    let data: [Float]

    /// Floats between consecutive frequencies.
    var positionStride: Int { kPad * inChannels }

    /// `kernel(o, c)` points at the 3×3 kernel (row-major) for output o, input c; `turned`
    /// transforms it turned by 180°.
    init(outChannels o: Int, inChannels c: Int, turned: Bool, _ kernel: (Int, Int) -> UnsafePointer<Float>) {
        let padded = (o + 3) / 4 * 4, stride = padded * c
        outChannels = o; inChannels = c; kPad = padded
        data = [Float](unsafeUninitializedCapacity: 36 * stride) { buf, initialized in
            Self.transform(outChannels: o, inChannels: c, turned: turned, into: buf.baseAddress!, kernel)
            initialized = 36 * stride
        }
    }

    /// U = G k Gᵀ of the O·C kernels into `u` (`[36][kPad/4][C][4]`, frequencies kPad·C apart;
    /// every float written), 8 kernels a vector: lanes (c, o…o+3) and (c + 1, o…o+3), consecutive
    /// floats of U. Lanes of output channels past O transform a zero kernel (products nobody
    /// reads); with C odd, the last block's second half (past C) is not stored.
    /// The lanes do `Winograd4x4.transformKernel`'s arithmetic, so U has its bits
    /// (`FastEngineWinogradTests.testKernelTransformInLanesEqualsOneKernelAtATime`).
    /// NOTE: one kernel at a time (36 scalar stores O·C floats apart) cost twice the convolution
    /// itself in a batch-1 inference of wrn-16-2's 32 → 32 layers (`perf`: 13.7 % against 7.2 %).
    @inline(__always)
    static func transform(outChannels o: Int, inChannels c: Int, turned: Bool, into u: UnsafeMutablePointer<Float>,
                          _ kernel: (Int, Int) -> UnsafePointer<Float>) {
        let stride = (o + 3) / 4 * 4 * c, out = UnsafeMutableRawPointer(u)
        zeroKernel.withUnsafeBufferPointer { zb in
            let zero = zb.baseAddress!
            var ob = 0
            while ob < o {
                var ci = 0
                while ci < c {
                    @inline(__always) func at(_ l: Int) -> UnsafePointer<Float> {
                        let oo = ob &+ (l & 3), cc = ci &+ (l >> 2)
                        return oo < o && cc < c ? kernel(oo, cc) : zero
                    }
                    let p0 = at(0), p1 = at(1), p2 = at(2), p3 = at(3), p4 = at(4), p5 = at(5), p6 = at(6), p7 = at(7)
                    @inline(__always) func tap(_ p: Int, _ q: Int) -> SIMD8<Float> {
                        let i = turned ? 8 &- 3 &* p &- q : 3 &* p &+ q
                        return SIMD8(p0[i], p1[i], p2[i], p3[i], p4[i], p5[i], p6[i], p7[i])
                    }
                    let base = (ob &* c &+ ci &* 4) &* 4
                    transformKernelLanes(tap) { f, value in
                        let at = base &+ f &* stride &* 4
                        if ci &+ 1 < c {
                            out.storeBytes(of: value, toByteOffset: at, as: SIMD8<Float>.self)
                        } else {
                            out.storeBytes(of: value.lowHalf, toByteOffset: at, as: SIMD4<Float>.self)
                        }
                    }
                    ci &+= 2
                }
                ob &+= 4
            }
        }
    }

    private static let zeroKernel = [Float](repeating: 0, count: 9)

    /// (G·(a, b, c)) of `Winograd4x4.g3`, 8 lanes at once (the same arithmetic, the same bits).
    @inline(__always)
    private static func g3(_ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let ac = a + c, p = a * (1.0 / 24) + c * (1.0 / 6), q = b * (1.0 / 12)
        return (a * 0.25, (ac + b) * (-1.0 / 6), (ac - b) * (-1.0 / 6), p + q, p - q, c)
    }

    /// U = G k Gᵀ of 8 kernels (`tap(p, q)`: their element (p, q)); `store(6i + j, U_ij)`.
    @inline(__always)
    private static func transformKernelLanes(_ tap: (Int, Int) -> SIMD8<Float>,
                                             _ store: (Int, SIMD8<Float>) -> Void) {
        let c0 = g3(tap(0, 0), tap(1, 0), tap(2, 0))
        let c1 = g3(tap(0, 1), tap(1, 1), tap(2, 1))
        let c2 = g3(tap(0, 2), tap(1, 2), tap(2, 2))
        @inline(__always) func row(_ i: Int, _ a: SIMD8<Float>, _ b: SIMD8<Float>, _ c: SIMD8<Float>) {
            let r = g3(a, b, c), f = 6 &* i
            store(f, r.0); store(f &+ 1, r.1); store(f &+ 2, r.2); store(f &+ 3, r.3); store(f &+ 4, r.4)
            store(f &+ 5, r.5)
        }
        row(0, c0.0, c1.0, c2.0); row(1, c0.1, c1.1, c2.1); row(2, c0.2, c1.2, c2.2)
        row(3, c0.3, c1.3, c2.3); row(4, c0.4, c1.4, c2.4); row(5, c0.5, c1.5, c2.5)
    }

    static func forward(_ w: UnsafePointer<Float>, o: Int, c: Int) -> WinogradKernels {
        WinogradKernels(outChannels: o, inChannels: c, turned: false) { oo, ci in w + (oo * c + ci) * 9 }
    }

    /// dx = conv(dy, W′) with W′[c, o, p, q] = W[o, c, 2 − p, 2 − q].
    static func inputGradient(_ w: UnsafePointer<Float>, o: Int, c: Int) -> WinogradKernels {
        WinogradKernels(outChannels: c, inChannels: o, turned: true) { ci, oo in w + (oo * c + ci) * 9 }
    }
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
        for ci in 0..<c {
            for b in 0..<count {
                let plane = xp + ((first &+ b) &* c &+ ci) &* inPlane
                let qb = qp + b &* phases.count
                for r in 0..<h { phases.split(row: plane + r &* w, w: w, row: r, into: qb) }
            }
            let vc = vp + ci &* tPad
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
        for oc in 0..<o {
            let planeOut = chunkOut + oc &* inPlane
            var g = 0
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
    /// U = G k Gᵀ of every kernel of `w` [O, C, 3, 3] in the products' layout `[36][O′/4][C][4]`
    /// (O′ = O rounded up to 4; lanes of channels past O set to 0), as the forward transforms it —
    /// or, `turned`, the input gradient's W′[c, o] = W[o, c] turned by 180° (then O and C swap
    /// roles). `oneAtATime` takes the scalar twin, `Winograd4x4.transformKernel`, kernel by kernel.
    public static func winogradKernelTransform(_ w: Tensor, turned: Bool, oneAtATime: Bool = false) -> [Float] {
        precondition(w.rank == 4 && w.shape[2] == 3 && w.shape[3] == 3, "3×3 kernels [O, C, 3, 3], got \(w.shape)")
        let (o, c) = turned ? (w.shape[1], w.shape[0]) : (w.shape[0], w.shape[1])
        let padded = (o + 3) / 4 * 4, frequencies = padded * c
        var u = [Float](repeating: 0, count: 36 * frequencies)
        w.data.withUnsafeBufferPointer { wb in
            u.withUnsafeMutableBufferPointer { ub in
                let wp = wb.baseAddress!, up = ub.baseAddress!
                // Kernel (oo, ci) of the transformed convolution: W[oo, ci], or W[ci, oo] turned.
                let kernel: (Int, Int) -> UnsafePointer<Float> = { oo, ci in
                    turned ? wp + (ci * o + oo) * 9 : wp + (oo * c + ci) * 9
                }
                if oneAtATime {
                    for oo in 0..<o {
                        for ci in 0..<c {
                            Winograd4x4.transformKernel(kernel(oo, ci), turned: turned,
                                                        into: up + ((oo / 4) * c * 4 + ci * 4 + oo % 4), stride: frequencies)
                        }
                    }
                } else {
                    WinogradKernels.transform(outChannels: o, inChannels: c, turned: turned, into: up, kernel)
                }
                for f in 0..<36 {
                    for ob in stride(from: 0, to: padded, by: 4) {
                        for ci in 0..<c {
                            for lane in 0..<4 where ob + lane >= o { up[f * frequencies + ob * c + ci * 4 + lane] = 0 }
                        }
                    }
                }
            }
        }
        return u
    }

    /// y = conv3x3(x, W) by Winograd F(4×4, 3×3) for a conv `Winograd4x4.applies` to.
    /// `epilogue(y, first, count)` runs on each chunk's finished output images
    /// [first, first + count) of y, on the thread that wrote them, while they are in cache.
    func winogradConv3x3(_ x: Tensor, weight: Tensor, _ g: ConvGeometry,
                         epilogue: ((UnsafeMutablePointer<Float>, Int, Int) -> Void)? = nil) -> [Float] {
        let kernels = weight.data.withUnsafeBufferPointer { WinogradKernels.forward($0.baseAddress!, o: g.o, c: g.c) }
        return winogradImages(x.data, n: g.n, h: g.h, w: g.w, kernels: kernels, epilogue: epilogue)
    }

    /// dx of a conv `Winograd4x4.applies` to: conv(dy, W′), W′[c, o] = W[o, c] turned 180°.
    func winogradConv3x3InputGradient(_ dy: Tensor, weight: Tensor, _ g: ConvGeometry) -> [Float] {
        let kernels = weight.data.withUnsafeBufferPointer {
            WinogradKernels.inputGradient($0.baseAddress!, o: g.o, c: g.c)
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
        let parts = partsFor(work: n * o * c * inPlane * 9, units: n, threads: threads)
        return makeArray(n * outImage) { yp in
            input.withUnsafeBufferPointer { xb in
            kernels.data.withUnsafeBufferPointer { ub in
            layout.segmentOffsets.withUnsafeBufferPointer { sb in
            layout.outputOffsets.withUnsafeBufferPointer { ob in
            layout.rowsInside.withUnsafeBufferPointer { rb in
            layout.columnsInside.withUnsafeBufferPointer { cb in
                let xp = xb.baseAddress!, up = ub.baseAddress!, segments = sb.baseAddress!
                let outputs = ob.baseAddress!, rowsInside = rb.baseAddress!, columnsInside = cb.baseAddress!
                parallelParts(parts) { part in
                    let images = partRange(part, of: parts, count: n)
                    // NOTE: one 64-byte line past a whole number of tile rows: at 16 channels × 64
                    // tiles the 36 frequencies were 4 KiB apart, all in one L1 set.
                    let vStride = c * tPad + 16, mStride = kPad * tPad + 16
                    var q = [Float](repeating: 0, count: (plan.imagesPerChunk + 1) * phases.count)
                    // Every lane of V and M is written before it is read.
                    var v = scratchArray(36 * vStride)
                    var m = scratchArray(36 * mStride)
                    q.withUnsafeMutableBufferPointer { qb in
                    v.withUnsafeMutableBufferPointer { vb in
                    m.withUnsafeMutableBufferPointer { mb in
                        let qp = qb.baseAddress!, vp = vb.baseAddress!, mp = mb.baseAddress!
                        var first = images.lowerBound
                        while first < images.upperBound {
                            let count = min(plan.imagesPerChunk, images.upperBound &- first)
                            layout.transformInput(xp, first: first, count: count, channels: c, plan: plan, phases: phases,
                                                  segments: segments, q: qp, v: vp, positionStride: vStride)
                            for p in 0..<36 {
                                let ui = up + p &* kernels.positionStride, vi = vp + p &* vStride, mi = mp + p &* mStride
                                if avx512 {
                                    AVX512.multiply(u: ui, v: vi, m: mi, c: c, kPad: kPad, tPad: tPad)
                                } else {
                                    Winograd4x4.multiply(u: ui, v: vi, m: mi, c: c, kPad: kPad, tPad: tPad)
                                }
                            }
                            layout.transformOutput(mp, positionStride: mStride, channels: o, used: count &* plan.tilesPerImage,
                                                   plan: plan, outputs: outputs, rowsInside: rowsInside,
                                                   columnsInside: columnsInside, into: yp + first &* outImage)
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
            }
        }
    }
}
