// Stride-1 3×3 depthwise convolution on narrow planes (W ≤ 8: MobileNetV2's 8 × 8 and 4 × 4 maps,
// 2 × 2 at 64² input) with eight channels in the lanes. One plane at a time, a 4 × 4 plane filled
// half of one SIMD8 row and paid two copies, its loops and nine horizontal sums for 16 outputs;
// here eight consecutive planes of an image are turned pixel-major (`[H+2][W+2]` SIMD8, zero
// margins) and every output, input-gradient and weight-gradient lane takes exactly the
// multiply-adds, in the same order, that `depthwisePlane` and `depthwiseWeightGradPlane` give its
// plane — the same bits (`FastEngineDepthwiseLanesTests`).
// N batch, C channels (C % 8 = 0), H, W plane (stride 1, padding 1: OH = H, OW = W); l lane = channel.

import TensorCore
import VectorShuffles

enum DepthwiseChannelLanes {
    /// 3×3, stride 1, padding 1, one output channel per input channel, W ≤ 8 (one SIMD8 block of
    /// columns in the plane kernels, whose sums this kernel reproduces), C a multiple of 8.
    static func applies(_ g: ConvGeometry) -> Bool {
        FastEngine.useDepthwiseChannelLanes && g.isDepthwise && g.k == 3 && g.stride == 1 && g.pad == 1
            && g.w <= 8 && g.oh == g.h && g.ow == g.w && g.c % 8 == 0
    }

    /// Pixel p of an H × W plane → its slot in the `[H+2][W+2]` padded lanes.
    static func paddedSlots(h: Int, w: Int) -> [Int] {
        (0..<(h * w)).map { p in (p / w + 1) * (w + 2) + p % w + 1 }
    }

    /// The eight planes at `src`, `src + hw`, … → `dst[slots[p]]` lane l = plane l's pixel p.
    @inline(__always)
    static func gather(_ src: UnsafePointer<Float>, hw: Int, slots: UnsafePointer<Int>,
                       into dst: UnsafeMutablePointer<SIMD8<Float>>) {
        let raw = UnsafeRawPointer(src)
        var p = 0
        while p &+ 8 <= hw {
            @inline(__always) func row(_ l: Int) -> SIMD8<Float> {
                raw.loadUnaligned(fromByteOffset: (l &* hw &+ p) &* 4, as: SIMD8<Float>.self)
            }
            transpose(row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7)) { m, v in dst[slots[p &+ m]] = v }
            p &+= 8
        }
        while p < hw {
            dst[slots[p]] = SIMD8(src[p], src[hw &+ p], src[2 &* hw &+ p], src[3 &* hw &+ p],
                                  src[4 &* hw &+ p], src[5 &* hw &+ p], src[6 &* hw &+ p], src[7 &* hw &+ p])
            p &+= 1
        }
    }

    /// `gather`'s inverse for compact pixel-major lanes: plane l's pixel p = `src[p]` lane l.
    @inline(__always)
    static func scatter(_ src: UnsafePointer<SIMD8<Float>>, hw: Int, into dst: UnsafeMutablePointer<Float>) {
        let raw = UnsafeMutableRawPointer(dst)
        var p = 0
        while p &+ 8 <= hw {
            transpose(src[p], src[p &+ 1], src[p &+ 2], src[p &+ 3], src[p &+ 4], src[p &+ 5], src[p &+ 6],
                      src[p &+ 7]) { l, v in
                raw.storeBytes(of: v, toByteOffset: (l &* hw &+ p) &* 4, as: SIMD8<Float>.self)
            }
            p &+= 8
        }
        while p < hw {
            let v = src[p]
            for l in 0..<8 { dst[l &* hw &+ p] = v[l] }
            p &+= 1
        }
    }

    /// 8 × 8 transpose: `put(m, column m)` with column m lane l = row l lane m.
    @inline(__always)
    static func transpose(_ r0: SIMD8<Float>, _ r1: SIMD8<Float>, _ r2: SIMD8<Float>, _ r3: SIMD8<Float>,
                          _ r4: SIMD8<Float>, _ r5: SIMD8<Float>, _ r6: SIMD8<Float>, _ r7: SIMD8<Float>,
                          _ put: (Int, SIMD8<Float>) -> Void) {
        let t0 = atkd_unpack_low(r0, r1), t1 = atkd_unpack_high(r0, r1)
        let t2 = atkd_unpack_low(r2, r3), t3 = atkd_unpack_high(r2, r3)
        let t4 = atkd_unpack_low(r4, r5), t5 = atkd_unpack_high(r4, r5)
        let t6 = atkd_unpack_low(r6, r7), t7 = atkd_unpack_high(r6, r7)
        let u0 = atkd_pairs_low(t0, t2), u1 = atkd_pairs_high(t0, t2)
        let u2 = atkd_pairs_low(t1, t3), u3 = atkd_pairs_high(t1, t3)
        let u4 = atkd_pairs_low(t4, t6), u5 = atkd_pairs_high(t4, t6)
        let u6 = atkd_pairs_low(t5, t7), u7 = atkd_pairs_high(t5, t7)
        put(0, atkd_join_low_halves(u0, u4)); put(1, atkd_join_low_halves(u1, u5))
        put(2, atkd_join_low_halves(u2, u6)); put(3, atkd_join_low_halves(u3, u7))
        put(4, atkd_join_high_halves(u0, u4)); put(5, atkd_join_high_halves(u1, u5))
        put(6, atkd_join_high_halves(u2, u6)); put(7, atkd_join_high_halves(u3, u7))
    }

    /// The nine taps of channels c … c + 7 as lanes (`flipped`: tap 8 − t at t, the input gradient's kernel).
    @inline(__always)
    static func taps(_ w: UnsafePointer<Float>, channel c: Int, flipped: Bool) -> [SIMD8<Float>] {
        (0..<9).map { t in
            let s = flipped ? 8 &- t : t
            return SIMD8((0..<8).map { l in w[(c &+ l) &* 9 &+ s] })
        }
    }

    /// out[i·W + j] = start + Σ_{p,q} tap[3p + q]·src[(i+p)(W+2) + j + q], in `depthwisePlane`'s
    /// order (p, then q; one multiply-add each).
    @inline(__always)
    static func correlate(_ src: UnsafePointer<SIMD8<Float>>, h: Int, w: Int, taps t: UnsafePointer<SIMD8<Float>>,
                          start: SIMD8<Float>, into out: UnsafeMutablePointer<SIMD8<Float>>) {
        let ld = w &+ 2
        let t0 = t[0], t1 = t[1], t2 = t[2], t3 = t[3], t4 = t[4], t5 = t[5], t6 = t[6], t7 = t[7], t8 = t[8]
        for i in 0..<h {
            let r0 = i &* ld, r1 = r0 &+ ld, r2 = r1 &+ ld
            for j in 0..<w {
                var a = start
                a.addProduct(t0, src[r0 &+ j]); a.addProduct(t1, src[r0 &+ j &+ 1]); a.addProduct(t2, src[r0 &+ j &+ 2])
                a.addProduct(t3, src[r1 &+ j]); a.addProduct(t4, src[r1 &+ j &+ 1]); a.addProduct(t5, src[r1 &+ j &+ 2])
                a.addProduct(t6, src[r2 &+ j]); a.addProduct(t7, src[r2 &+ j &+ 1]); a.addProduct(t8, src[r2 &+ j &+ 2])
                out[i &* w &+ j] = a
            }
        }
    }

    /// Per tap t = 3p + q, `depthwiseWeightGradPlane`'s Float sum of one plane, eight channels at once:
    /// its column lane j is the chain Σ_i dy[i, j]·x̃[i + p, j + q] (i in order, from +0), and its
    /// `sum()` adds lanes 0 … 7 in order onto −0 — columns j ≥ W are +0 chains (dy's zero margin).
    @inline(__always)
    static func weightSums(dy d: UnsafePointer<SIMD8<Float>>, x: UnsafePointer<SIMD8<Float>>, h: Int, w: Int,
                           into sums: UnsafeMutablePointer<SIMD8<Float>>) {
        let ld = w &+ 2
        for p in 0..<3 {
            for q in 0..<3 {
                var s = SIMD8<Float>()
                for j in 0..<w {
                    var a = SIMD8<Float>()
                    for i in 0..<h { a.addProduct(d[(i &+ 1) &* ld &+ j &+ 1], x[(i &+ p) &* ld &+ j &+ q]) }
                    // NOTE: −0 + a = a exactly, so the first lane's chain is the sum so far.
                    s = j == 0 ? a : s + a
                }
                // NOTE: the plane kernel's lanes past W still add +0 (which turns a −0 sum into +0).
                for _ in w..<8 { s += SIMD8<Float>() }
                sums[p &* 3 &+ q] = s
            }
        }
    }
}

extension FastEngine {
    /// `depthwiseConv2dStride1` for `DepthwiseChannelLanes.applies(g)`: the same bits.
    func depthwiseLanesForward(_ x: Tensor, weight: Tensor, bias: Tensor?, _ g: ConvGeometry,
                               epilogue: ((UnsafeMutablePointer<Float>, Int) -> Void)?) -> Tensor {
        let hw = g.planeIn, groups = g.c / 8
        let biasData = bias?.data ?? [Float](repeating: 0, count: g.c)
        precondition(biasData.count == g.c, "bias has \(biasData.count) values for \(g.c) channels")
        let slots = DepthwiseChannelLanes.paddedSlots(h: g.h, w: g.w)
        let lanesTaps = weight.data.withUnsafeBufferPointer { wb in
            (0..<groups).flatMap { DepthwiseChannelLanes.taps(wb.baseAddress!, channel: $0 &* 8, flipped: false) }
        }
        let starts = (0..<groups).map { grp in SIMD8((0..<8).map { biasData[grp &* 8 &+ $0] }) }
        let parts = partsFor(work: g.n * g.c * hw * 9, units: g.n * groups, threads: threads)
        let y = makeArray(x.count) { yp in
            x.data.withUnsafeBufferPointer { xb in
            slots.withUnsafeBufferPointer { sb in
            lanesTaps.withUnsafeBufferPointer { tb in
                let xp = xb.baseAddress!, sp = sb.baseAddress!, tp = tb.baseAddress!
                parallelParts(parts) { part in
                    // Margins stay zero; the interior is written before it is read.
                    var padded = [SIMD8<Float>](repeating: .zero, count: (g.h + 2) * (g.w + 2))
                    var out = [SIMD8<Float>](repeating: .zero, count: hw)
                    padded.withUnsafeMutableBufferPointer { pb in
                    out.withUnsafeMutableBufferPointer { ob in
                        let pad = pb.baseAddress!, o = ob.baseAddress!
                        for task in partRange(part, of: parts, count: g.n * groups) {
                            let grp = task % groups, first = task &* 8   // plane n·C + 8·grp
                            DepthwiseChannelLanes.gather(xp + first &* hw, hw: hw, slots: sp, into: pad)
                            DepthwiseChannelLanes.correlate(pad, h: g.h, w: g.w, taps: tp + grp &* 9, start: starts[grp], into: o)
                            DepthwiseChannelLanes.scatter(o, hw: hw, into: yp + first &* hw)
                            if let epilogue { for l in 0..<8 { epilogue(yp + (first &+ l) &* hw, first &+ l) } }
                        }
                    }
                    }
                }
            }
            }
            }
        }
        return Tensor(shape: [g.n, g.c, g.oh, g.ow], data: y)
    }

    /// `depthwiseConv2dBackwardStride1` for `DepthwiseChannelLanes.applies(g)`: the same bits —
    /// dx by the flipped kernel over dy padded by 1, dW from each plane's Float sums added in
    /// Double image by image, one group of eight channels per task.
    func depthwiseLanesBackward(_ x: Tensor, weight: Tensor, hasBias: Bool, _ g: ConvGeometry,
                                dy: Tensor) -> ConvGradients {
        let hw = g.planeIn, groups = g.c / 8, cellCount = (g.h + 2) * (g.w + 2)
        let slots = DepthwiseChannelLanes.paddedSlots(h: g.h, w: g.w)
        let flipped = weight.data.withUnsafeBufferPointer { wb in
            (0..<groups).flatMap { DepthwiseChannelLanes.taps(wb.baseAddress!, channel: $0 &* 8, flipped: true) }
        }
        let parts = partsFor(work: g.n * g.c * hw * 9, units: groups, threads: threads)
        var dw = [Float](repeating: 0, count: weight.count)
        let dx = makeArray(x.count) { dxp in
            x.data.withUnsafeBufferPointer { xb in
            dy.data.withUnsafeBufferPointer { db in
            slots.withUnsafeBufferPointer { sb in
            flipped.withUnsafeBufferPointer { fb in
            dw.withUnsafeMutableBufferPointer { dwb in
                let xp = xb.baseAddress!, dyp = db.baseAddress!, sp = sb.baseAddress!, fp = fb.baseAddress!
                let dwp = dwb.baseAddress!
                parallelParts(parts) { part in
                    let mine = partRange(part, of: parts, count: groups)
                    var xPad = [SIMD8<Float>](repeating: .zero, count: cellCount)
                    var dyPad = xPad
                    var out = [SIMD8<Float>](repeating: .zero, count: hw)
                    var sums = [SIMD8<Float>](repeating: .zero, count: 9)
                    // Per group and tap, lanes 0–3 and 4–7 of Σ_images Double(plane sum).
                    var acc = [SIMD4<Double>](repeating: .zero, count: mine.count * 18)
                    xPad.withUnsafeMutableBufferPointer { xpb in
                    dyPad.withUnsafeMutableBufferPointer { dpb in
                    out.withUnsafeMutableBufferPointer { ob in
                    sums.withUnsafeMutableBufferPointer { smb in
                    acc.withUnsafeMutableBufferPointer { ab in
                        let xt = xpb.baseAddress!, dt = dpb.baseAddress!, o = ob.baseAddress!
                        let s = smb.baseAddress!, a = ab.baseAddress!
                        // Images outer, as the plane kernel: each channel sums its images in order.
                        for img in 0..<g.n {
                            for grp in mine {
                                let first = (img &* g.c &+ grp &* 8) &* hw
                                DepthwiseChannelLanes.gather(xp + first, hw: hw, slots: sp, into: xt)
                                DepthwiseChannelLanes.gather(dyp + first, hw: hw, slots: sp, into: dt)
                                DepthwiseChannelLanes.correlate(dt, h: g.h, w: g.w, taps: fp + grp &* 9, start: .zero, into: o)
                                DepthwiseChannelLanes.scatter(o, hw: hw, into: dxp + first)
                                DepthwiseChannelLanes.weightSums(dy: dt, x: xt, h: g.h, w: g.w, into: s)
                                let base = (grp &- mine.lowerBound) &* 18
                                for t in 0..<9 {
                                    a[base &+ 2 &* t] += SIMD4<Double>(s[t].lowHalf)
                                    a[base &+ 2 &* t &+ 1] += SIMD4<Double>(s[t].highHalf)
                                }
                            }
                        }
                        for grp in mine {
                            let base = (grp &- mine.lowerBound) &* 18
                            for t in 0..<9 {
                                let lo = a[base &+ 2 &* t], hi = a[base &+ 2 &* t &+ 1]
                                for l in 0..<4 {
                                    dwp[(grp &* 8 &+ l) &* 9 &+ t] = Float(lo[l])
                                    dwp[(grp &* 8 &+ 4 &+ l) &* 9 &+ t] = Float(hi[l])
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
        return ConvGradients(x: Tensor(shape: x.shape, data: dx), weight: Tensor(shape: weight.shape, data: dw),
                             bias: hasBias ? channelSums(dy) : nil)
    }
}
