// Winograd F(4×4, 3×3) tile transforms with 8 tiles (or 8 channels) in the lanes of a vector: every 1-D
// transform is a few vertical adds and FMAs shared by 8 tiles, where a tile-in-lanes layout
// (one tile's 6 frequencies per vector) needs broadcasts and leaves 2 of 8 lanes idle.
// Input tiles are read from the padded plane split into its 4 column phases, so the 8 lanes
// of one (row, column) position of a tile row are 8 consecutive floats.
// T tiles of a chunk, C input / K output channels; i, j frequency row / column; r, s tile row / column.

import VectorShuffles

extension Winograd4x4 {
    /// The column phases of one zero-padded plane: `q[k][R][x] = padded[R][4x + k]` for
    /// k < 4, R < paddedHeight, x ≤ tilesWide (`ld = tilesWide + 1` floats a row, `phaseStride`
    /// floats a phase). Element (r, s) of tile (ty, tx) is then `q[s % 4][4ty + r][tx + s / 4]`.
    struct PhasePlanes {
        let ld: Int, phaseStride: Int
        var count: Int { 4 * phaseStride }

        init(plan: WinogradPlan) {
            ld = plan.tilesWide + 1
            phaseStride = plan.paddedHeight * ld
        }

        /// Offset of element (r, s) of a tile from its top-left element's offset.
        @inline(__always)
        func offset(r: Int, s: Int) -> Int { (s & 3) &* phaseStride &+ r &* ld &+ (s >> 2) }

        /// Writes the phases of padded row `row + 1` (input row `row`, W = `w` floats) into `q`;
        /// the rest of `q` (padding rows, columns past W) must already be zero and stays so.
        /// padded[R][j] = x[R − 1][j − 1], so x[4t + k] lands in phase k + 1 at column t (k < 3)
        /// and in phase 0 at column t + 1 (k = 3).
        @inline(__always)
        func split(row x: UnsafePointer<Float>, w: Int, row: Int, into q: UnsafeMutablePointer<Float>) {
            let base = q + (row &+ 1) &* ld
            let p0 = base + 1, p1 = base + phaseStride, p2 = base + 2 &* phaseStride, p3 = base + 3 &* phaseStride
            let raw = UnsafeRawPointer(x)
            // x[4t + k] for k = 0, 1, 2, 3 (vectors over t) into phases 1, 2, 3 and (one column on) 0.
            @inline(__always) func put<V>(_ x0: V, _ x1: V, _ x2: V, _ x3: V, at t: Int) {
                UnsafeMutableRawPointer(p1 + t).storeBytes(of: x0, as: V.self)
                UnsafeMutableRawPointer(p2 + t).storeBytes(of: x1, as: V.self)
                UnsafeMutableRawPointer(p3 + t).storeBytes(of: x2, as: V.self)
                UnsafeMutableRawPointer(p0 + t).storeBytes(of: x3, as: V.self)
            }
            var j = 0
            while j &+ 32 <= w {
                let a = raw.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
                let b = raw.loadUnaligned(fromByteOffset: j &* 4 &+ 32, as: SIMD8<Float>.self)
                let c = raw.loadUnaligned(fromByteOffset: j &* 4 &+ 64, as: SIMD8<Float>.self)
                let d = raw.loadUnaligned(fromByteOffset: j &* 4 &+ 96, as: SIMD8<Float>.self)
                let even0 = SIMD8(lowHalf: a.evenHalf, highHalf: b.evenHalf)
                let even1 = SIMD8(lowHalf: c.evenHalf, highHalf: d.evenHalf)
                let odd0 = SIMD8(lowHalf: a.oddHalf, highHalf: b.oddHalf)
                let odd1 = SIMD8(lowHalf: c.oddHalf, highHalf: d.oddHalf)
                put(SIMD8(lowHalf: even0.evenHalf, highHalf: even1.evenHalf),
                    SIMD8(lowHalf: odd0.evenHalf, highHalf: odd1.evenHalf),
                    SIMD8(lowHalf: even0.oddHalf, highHalf: even1.oddHalf),
                    SIMD8(lowHalf: odd0.oddHalf, highHalf: odd1.oddHalf), at: j >> 2)
                j &+= 32
            }
            while j &+ 16 <= w {
                let a = raw.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
                let b = raw.loadUnaligned(fromByteOffset: j &* 4 &+ 32, as: SIMD8<Float>.self)
                let even = SIMD8(lowHalf: a.evenHalf, highHalf: b.evenHalf)
                let odd = SIMD8(lowHalf: a.oddHalf, highHalf: b.oddHalf)
                put(even.evenHalf, odd.evenHalf, even.oddHalf, odd.oddHalf, at: j >> 2)
                j &+= 16
            }
            while j &+ 8 <= w {
                let a = raw.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
                let even = a.evenHalf, odd = a.oddHalf
                put(even.evenHalf, odd.evenHalf, even.oddHalf, odd.oddHalf, at: j >> 2)
                j &+= 8
            }
            while j < w {
                let k = j & 3, t = j >> 2
                switch k {
                case 0: p1[t] = x[j]
                case 1: p2[t] = x[j]
                case 2: p3[t] = x[j]
                default: p0[t] = x[j]
                }
                j &+= 1
            }
        }
    }

    /// Six lane vectors: one frequency column (rows i = 0…5) or one 1-D transform's outputs.
    typealias Six = (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)

    /// Stores frequency column j (rows i) at `out + (6i + j)·stride` bytes.
    @inline(__always)
    static func storeColumn(_ c: Six, j: Int, into out: UnsafeMutableRawPointer, stride: Int) {
        out.storeBytes(of: c.0, toByteOffset: j &* stride, as: SIMD8<Float>.self)
        out.storeBytes(of: c.1, toByteOffset: (6 &+ j) &* stride, as: SIMD8<Float>.self)
        out.storeBytes(of: c.2, toByteOffset: (12 &+ j) &* stride, as: SIMD8<Float>.self)
        out.storeBytes(of: c.3, toByteOffset: (18 &+ j) &* stride, as: SIMD8<Float>.self)
        out.storeBytes(of: c.4, toByteOffset: (24 &+ j) &* stride, as: SIMD8<Float>.self)
        out.storeBytes(of: c.5, toByteOffset: (30 &+ j) &* stride, as: SIMD8<Float>.self)
    }

    /// The input transform V = Bᵀ d B of 8 tiles at once: `load(o)` gives the 8 tiles' values at
    /// offset o (`PhasePlanes.offset`) from their top-left elements; frequency (i, j) goes to
    /// `v + (6i + j)·positionStride` (8 floats).
    @inline(__always)
    static func transformInputLanes(_ planes: PhasePlanes, _ load: (Int) -> SIMD8<Float>,
                                    _ v: UnsafeMutablePointer<Float>, positionStride: Int) {
        // 1-D Bᵀ of 6 values (Lavin & Gray's F(4, 3) with points 0, ±1, ±2, ∞).
        @inline(__always)
        func bt(_ d0: SIMD8<Float>, _ d1: SIMD8<Float>, _ d2: SIMD8<Float>, _ d3: SIMD8<Float>,
                _ d4: SIMD8<Float>, _ d5: SIMD8<Float>)
            -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
            let s12 = d1 + d2, s34 = d3 + d4, d21 = d1 - d2, d43 = d4 - d3, f = d4 - d2, g = d3 - d1
            return ((d4 - 5 * d2) + 4 * d0, s34 - 4 * s12, d43 + 4 * d21, f + 2 * g, f - 2 * g, (d5 - 5 * d3) + 4 * d1)
        }
        @inline(__always) func row(_ r: Int)
            -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
            bt(load(planes.offset(r: r, s: 0)), load(planes.offset(r: r, s: 1)), load(planes.offset(r: r, s: 2)),
               load(planes.offset(r: r, s: 3)), load(planes.offset(r: r, s: 4)), load(planes.offset(r: r, s: 5)))
        }
        let h0 = row(0), h1 = row(1), h2 = row(2), h3 = row(3), h4 = row(4), h5 = row(5)
        let out = UnsafeMutableRawPointer(v), stride = positionStride &* 4
        @inline(__always) func column(_ j: Int, _ d0: SIMD8<Float>, _ d1: SIMD8<Float>, _ d2: SIMD8<Float>,
                                      _ d3: SIMD8<Float>, _ d4: SIMD8<Float>, _ d5: SIMD8<Float>) {
            storeColumn(bt(d0, d1, d2, d3, d4, d5), j: j, into: out, stride: stride)
        }
        column(0, h0.0, h1.0, h2.0, h3.0, h4.0, h5.0)
        column(1, h0.1, h1.1, h2.1, h3.1, h4.1, h5.1)
        column(2, h0.2, h1.2, h2.2, h3.2, h4.2, h5.2)
        column(3, h0.3, h1.3, h2.3, h3.3, h4.3, h5.3)
        column(4, h0.4, h1.4, h2.4, h3.4, h4.4, h5.4)
        column(5, h0.5, h1.5, h2.5, h3.5, h4.5, h5.5)
    }

    /// The output transform Y = Aᵀ M A of 8 tiles at once, M's frequency (i, j) at
    /// `m + (6i + j)·positionStride`; `store(a, rows)` gets output row a as 4 vectors, one per
    /// tile column b, lanes the 8 tiles.
    @inline(__always)
    static func transformOutputLanes(_ m: UnsafePointer<Float>, positionStride: Int,
                                     _ store: (Int, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) -> Void) {
        // 1-D Aᵀ of 6 values.
        @inline(__always)
        func at(_ m0: SIMD8<Float>, _ m1: SIMD8<Float>, _ m2: SIMD8<Float>, _ m3: SIMD8<Float>,
                _ m4: SIMD8<Float>, _ m5: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
            let s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4
            return (m0 + s12 + s34, d12 + 2 * d34, s12 + 4 * s34, (d12 + m5) + 8 * d34)
        }
        let raw = UnsafeRawPointer(m), stride = positionStride &* 4
        @inline(__always) func row(_ i: Int) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
            @inline(__always) func ld(_ j: Int) -> SIMD8<Float> {
                raw.loadUnaligned(fromByteOffset: (6 &* i &+ j) &* stride, as: SIMD8<Float>.self)
            }
            return at(ld(0), ld(1), ld(2), ld(3), ld(4), ld(5))
        }
        let q0 = row(0), q1 = row(1), q2 = row(2), q3 = row(3), q4 = row(4), q5 = row(5)
        let y0 = at(q0.0, q1.0, q2.0, q3.0, q4.0, q5.0)
        let y1 = at(q0.1, q1.1, q2.1, q3.1, q4.1, q5.1)
        let y2 = at(q0.2, q1.2, q2.2, q3.2, q4.2, q5.2)
        let y3 = at(q0.3, q1.3, q2.3, q3.3, q4.3, q5.3)
        store(0, y0.0, y1.0, y2.0, y3.0)
        store(1, y0.1, y1.1, y2.1, y3.1)
        store(2, y0.2, y1.2, y2.2, y3.2)
        store(3, y0.3, y1.3, y2.3, y3.3)
    }

    /// Transposes 4 vectors (b = 0…3, lanes l = 8 tiles) into 4 pairs of tile rows: result p holds
    /// tile p's 4 values in lanes 0–3 and tile p + 4's in lanes 4–7 (unpack lo/hi, then pairs).
    /// NOTE: real shuffles (`VectorShuffles`): built lane by lane, LLVM scalarised the whole output
    /// transform feeding them (3× slower than the tile-by-tile transform it replaced).
    @inline(__always)
    static func tileRows(_ y0: SIMD8<Float>, _ y1: SIMD8<Float>, _ y2: SIMD8<Float>, _ y3: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        // NOTE: opaque inputs: LLVM otherwise moved these 4-lane shuffles into the output transform that
        // made y0…y3, computing it in halves with spills (its share of a wrn-16-1 step's cycles 15.2 → 9.7 %).
        let y0 = atkd_opaque(y0), y1 = atkd_opaque(y1), y2 = atkd_opaque(y2), y3 = atkd_opaque(y3)
        let t0 = atkd_unpack_low(y0, y1), t1 = atkd_unpack_high(y0, y1)
        let t2 = atkd_unpack_low(y2, y3), t3 = atkd_unpack_high(y2, y3)
        return (atkd_pairs_low(t0, t2), atkd_pairs_high(t0, t2), atkd_pairs_low(t1, t3), atkd_pairs_high(t1, t3))
    }

    /// dM = A dY Aᵀ of one 4×4 output-gradient tile for 8 output channels at once: `load(r, s)`
    /// gives the 8 channels' dY[r][s]; frequency (i, j) goes to `dm + (6i + j)·positionStride`.
    @inline(__always)
    static func transformOutputGradientLanes(_ load: (Int, Int) -> SIMD8<Float>, _ dm: UnsafeMutablePointer<Float>,
                                             positionStride: Int) {
        // 1-D A·(d0 … d3): the transpose of the output transform's Aᵀ.
        @inline(__always)
        func a4(_ d0: SIMD8<Float>, _ d1: SIMD8<Float>, _ d2: SIMD8<Float>, _ d3: SIMD8<Float>)
            -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
            let s02 = d0 + d2, s13 = d1 + d3, q = d0 + 4 * d2, e = 2 * d1 + 8 * d3
            return (d0, s02 + s13, s02 - s13, q + e, q - e, d3)
        }
        @inline(__always) func row(_ r: Int)
            -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
            a4(load(r, 0), load(r, 1), load(r, 2), load(r, 3))
        }
        let h0 = row(0), h1 = row(1), h2 = row(2), h3 = row(3)
        let out = UnsafeMutableRawPointer(dm), stride = positionStride &* 4
        @inline(__always) func column(_ j: Int, _ d0: SIMD8<Float>, _ d1: SIMD8<Float>, _ d2: SIMD8<Float>,
                                      _ d3: SIMD8<Float>) {
            storeColumn(a4(d0, d1, d2, d3), j: j, into: out, stride: stride)
        }
        column(0, h0.0, h1.0, h2.0, h3.0)
        column(1, h0.1, h1.1, h2.1, h3.1)
        column(2, h0.2, h1.2, h2.2, h3.2)
        column(3, h0.3, h1.3, h2.3, h3.3)
        column(4, h0.4, h1.4, h2.4, h3.4)
        column(5, h0.5, h1.5, h2.5, h3.5)
    }

    /// Copies one image's K × H × W planes channels-last into `dst`: element (y, x, k) at
    /// `dst[y·rowStride + x·kPad + k]`. Entries past H, W or K are left as they are (zero).
    /// 8 × 8 blocks (8 channels × 8 columns) go through registers, transposed by shuffles.
    static func channelsLast(_ src: UnsafePointer<Float>, channels: Int, h: Int, w: Int,
                             into dst: UnsafeMutablePointer<Float>, rowStride: Int, kPad: Int) {
        let plane = h &* w
        let blockedK = channels & ~7, blockedW = w % 8 == 0 ? w : 0
        let raw = UnsafeRawPointer(src), out = UnsafeMutableRawPointer(dst)
        var k = 0
        while k < blockedK {
            for y in 0..<h {
                var x = 0
                while x < blockedW {
                    @inline(__always) func ld(_ r: Int) -> SIMD8<Float> {
                        raw.loadUnaligned(fromByteOffset: ((k &+ r) &* plane &+ y &* w &+ x) &* 4, as: SIMD8<Float>.self)
                    }
                    let t0 = atkd_unpack_low(ld(0), ld(1)), t1 = atkd_unpack_high(ld(0), ld(1))
                    let t2 = atkd_unpack_low(ld(2), ld(3)), t3 = atkd_unpack_high(ld(2), ld(3))
                    let t4 = atkd_unpack_low(ld(4), ld(5)), t5 = atkd_unpack_high(ld(4), ld(5))
                    let t6 = atkd_unpack_low(ld(6), ld(7)), t7 = atkd_unpack_high(ld(6), ld(7))
                    // u_p: channels 0–3 of columns p and p + 4; w_p: channels 4–7.
                    let u0 = atkd_pairs_low(t0, t2), u1 = atkd_pairs_high(t0, t2)
                    let u2 = atkd_pairs_low(t1, t3), u3 = atkd_pairs_high(t1, t3)
                    let w0 = atkd_pairs_low(t4, t6), w1 = atkd_pairs_high(t4, t6)
                    let w2 = atkd_pairs_low(t5, t7), w3 = atkd_pairs_high(t5, t7)
                    let base = (y &* rowStride &+ x &* kPad &+ k) &* 4, col = kPad &* 4
                    out.storeBytes(of: atkd_join_low_halves(u0, w0), toByteOffset: base, as: SIMD8<Float>.self)
                    out.storeBytes(of: atkd_join_low_halves(u1, w1), toByteOffset: base &+ col, as: SIMD8<Float>.self)
                    out.storeBytes(of: atkd_join_low_halves(u2, w2), toByteOffset: base &+ 2 &* col, as: SIMD8<Float>.self)
                    out.storeBytes(of: atkd_join_low_halves(u3, w3), toByteOffset: base &+ 3 &* col, as: SIMD8<Float>.self)
                    out.storeBytes(of: atkd_join_high_halves(u0, w0), toByteOffset: base &+ 4 &* col, as: SIMD8<Float>.self)
                    out.storeBytes(of: atkd_join_high_halves(u1, w1), toByteOffset: base &+ 5 &* col, as: SIMD8<Float>.self)
                    out.storeBytes(of: atkd_join_high_halves(u2, w2), toByteOffset: base &+ 6 &* col, as: SIMD8<Float>.self)
                    out.storeBytes(of: atkd_join_high_halves(u3, w3), toByteOffset: base &+ 7 &* col, as: SIMD8<Float>.self)
                    x &+= 8
                }
                for x in blockedW..<w {
                    for r in 0..<8 { dst[y &* rowStride &+ x &* kPad &+ k &+ r] = src[(k &+ r) &* plane &+ y &* w &+ x] }
                }
            }
            k &+= 8
        }
        for kk in blockedK..<channels {
            for y in 0..<h {
                for x in 0..<w { dst[y &* rowStride &+ x &* kPad &+ kk] = src[kk &* plane &+ y &* w &+ x] }
            }
        }
    }
}
