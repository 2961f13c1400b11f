// The per-image-kernel convolution's backward on small maps (16·m output pixels), with the
// kernels' factorised gates fused in: neither dW_n nor the column matrix is written, nor (on 16
// pixels) W_n = K ⊙ 2/(1 + u·v) (the AW-convolution on 4 × 4 and 8 × 8 maps, where those passes
// cost as much as the products). O output / C input channels, T taps, F output pixels;
// tap-major operands are [·][T][C].

extension AVX512 {
    /// One image's backward, 16 input channels in the lanes: for every (o, t, c)
    ///
    ///     A = 2 / (1 + u[o,t]·v[t,c]),   W = K·A,   dW = Σ_f dy[o,f]·col[(t,c), f]
    ///     dK += dW·A,   g = dW·K·A·(1 − A/2),   ∂z_out[o,t] = Σ_c g,   ∂z_in[c,t] = Σ_o g
    ///     dcol[(t,c), f] = Σ_o W·dy[o,f],        dx = col2im(dcol)
    ///
    /// with every value the bits of the unfused path (`AWKernelModulation.weightGradient` between
    /// the im2col + GEMM products): dW and dcol are one FMA chain from +0 in f and in o order (the
    /// GEMMs' chains at K = F and K = O), the gate expressions are the same unfused operations,
    /// ∂z_in sums o in order, ∂z_out sums c in the modulation's order — eight partial sums, c ≡ j
    /// (mod 8) each, then added j = 0 … 7 — and every dx element gets its taps in t order, from +0.
    ///
    /// - rows: `[T][16]` float offsets into `xT` / `dxT` of pixel f's input row for tap t (the
    ///   zero row where the tap falls in the padding).
    /// - xT: the image transposed `[H·W + 1][C]`, its last row zeros. dxT: the same shape, zeroed by
    ///   the caller; its last row collects the padding taps and is ignored.
    /// - dy `[O][16]`; kernel K `[O][T][C]`; u `[O][T]`; v `[T][C]`; dKernel `[O][T][C]` (added to);
    ///   dzOut `[O][T]` and dzIn `[C][T]` (written); partial: scratch of `O·T·8` floats.
    /// NOTE: C must be a multiple of 16.
    public static func factorisedGateBackward16(
        o: Int, c: Int, taps t: Int, rows: UnsafePointer<Int32>,
        xT: UnsafePointer<Float>, dy: UnsafePointer<Float>, kernel: UnsafePointer<Float>,
        u: UnsafePointer<Float>, v: UnsafePointer<Float>,
        dKernel: UnsafeMutablePointer<Float>, dzOut: UnsafeMutablePointer<Float>,
        dzIn: UnsafeMutablePointer<Float>, partial: UnsafeMutablePointer<Float>,
        dxT: UnsafeMutablePointer<Float>
    ) {
        precondition(c % 16 == 0 && c > 0 && o > 0 && t > 0, "16 input channels a vector")
        partial.initialize(repeating: 0, count: o &* t &* 8)
        let xr = UnsafeRawPointer(xT), dxr = UnsafeMutableRawPointer(dxT)
        let kr = UnsafeRawPointer(kernel), vr = UnsafeRawPointer(v)
        let dkr = UnsafeMutableRawPointer(dKernel), pr = UnsafeMutableRawPointer(partial)
        let one = SIMD16<Float>(repeating: 1), two = SIMD16<Float>(repeating: 2)
        let half = SIMD16<Float>(repeating: 0.5)
        for tt in 0..<t {
            let rowT = rows + tt &* 16
            for cb in stride(from: 0, to: c, by: 16) {
                let cbBytes = cb &* 4
                // The 16 pixels' column vectors of this (tap, channel block): byte offsets into xT.
                @inline(__always) func at(_ f: Int) -> Int { Int(rowT[f]) &* 4 &+ cbBytes }
                let x0 = at(0), x1 = at(1), x2 = at(2), x3 = at(3), x4 = at(4), x5 = at(5), x6 = at(6)
                let x7 = at(7), x8 = at(8), x9 = at(9), x10 = at(10), x11 = at(11), x12 = at(12)
                let x13 = at(13), x14 = at(14), x15 = at(15)
                let vIn = vr.loadUnaligned(fromByteOffset: (tt &* c &+ cb) &* 4, as: SIMD16<Float>.self)
                var d0 = SIMD16<Float>(), d1 = SIMD16<Float>(), d2 = SIMD16<Float>(), d3 = SIMD16<Float>()
                var d4 = SIMD16<Float>(), d5 = SIMD16<Float>(), d6 = SIMD16<Float>(), d7 = SIMD16<Float>()
                var d8 = SIMD16<Float>(), d9 = SIMD16<Float>(), d10 = SIMD16<Float>(), d11 = SIMD16<Float>()
                var d12 = SIMD16<Float>(), d13 = SIMD16<Float>(), d14 = SIMD16<Float>(), d15 = SIMD16<Float>()
                var dzInSum = SIMD16<Float>()
                for oo in 0..<o {
                    let ot = oo &* t &+ tt
                    let a = two / (one + SIMD16(repeating: u[ot]) * vIn)
                    let kOff = (ot &* c &+ cb) &* 4
                    let k = kr.loadUnaligned(fromByteOffset: kOff, as: SIMD16<Float>.self)
                    let w = k * a
                    let dyo = dy + oo &* 16
                    var g = SIMD16<Float>()
                    @inline(__always) func pixel(_ f: Int, _ off: Int, _ d: inout SIMD16<Float>) {
                        let r = SIMD16(repeating: dyo[f])
                        g.addProduct(r, xr.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self))
                        d.addProduct(w, r)
                    }
                    pixel(0, x0, &d0); pixel(1, x1, &d1); pixel(2, x2, &d2); pixel(3, x3, &d3)
                    pixel(4, x4, &d4); pixel(5, x5, &d5); pixel(6, x6, &d6); pixel(7, x7, &d7)
                    pixel(8, x8, &d8); pixel(9, x9, &d9); pixel(10, x10, &d10); pixel(11, x11, &d11)
                    pixel(12, x12, &d12); pixel(13, x13, &d13); pixel(14, x14, &d14); pixel(15, x15, &d15)
                    let dk = dkr.loadUnaligned(fromByteOffset: kOff, as: SIMD16<Float>.self)
                    dkr.storeBytes(of: dk + g * a, toByteOffset: kOff, as: SIMD16<Float>.self)
                    let d = g * k * a * (one - half * a)
                    dzInSum = dzInSum + d
                    let pOff = ot &* 32
                    var p = pr.loadUnaligned(fromByteOffset: pOff, as: SIMD8<Float>.self)
                    p = p + d.lowHalf
                    p = p + d.highHalf
                    pr.storeBytes(of: p, toByteOffset: pOff, as: SIMD8<Float>.self)
                }
                @inline(__always) func add(_ off: Int, _ d: SIMD16<Float>) {
                    let s = dxr.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self)
                    dxr.storeBytes(of: s + d, toByteOffset: off, as: SIMD16<Float>.self)
                }
                add(x0, d0); add(x1, d1); add(x2, d2); add(x3, d3); add(x4, d4); add(x5, d5)
                add(x6, d6); add(x7, d7); add(x8, d8); add(x9, d9); add(x10, d10); add(x11, d11)
                add(x12, d12); add(x13, d13); add(x14, d14); add(x15, d15)
                for l in 0..<16 { dzIn[(cb &+ l) &* t &+ tt] = dzInSum[l] }
            }
        }
        for ot in 0..<(o &* t) {
            var s: Float = 0
            for l in 0..<8 { s += partial[ot &* 8 &+ l] }
            dzOut[ot] = s
        }
    }

    /// The same backward for F = 16·m pixels (8 × 8 maps: F = 64) in two passes, where 16·m
    /// column accumulators would not fit the registers: (1) eight output channels at a time (then
    /// four, then one), the gates, dW (eight independent chains over f sharing each column load: four
    /// left each chain's FMA latency exposed, BENCHMARKS.md), dK, ∂z, and W written
    /// tap-major to `w`; (2) dcol = Σ_o W·dy per 16 pixels from `w`. The same bits as above.
    /// - columns: scratch of `F·16` floats (one (tap, channel block)'s column vectors);
    ///   w: scratch of `O·T·C` floats. Other operands as `factorisedGateBackward16`, with `rows`
    ///   `[T][F]` and dy `[O][F]`.
    public static func factorisedGateBackward(
        pixels f: Int, o: Int, c: Int, taps t: Int, rows: UnsafePointer<Int32>,
        xT: UnsafePointer<Float>, dy: UnsafePointer<Float>, kernel: UnsafePointer<Float>,
        u: UnsafePointer<Float>, v: UnsafePointer<Float>,
        dKernel: UnsafeMutablePointer<Float>, dzOut: UnsafeMutablePointer<Float>,
        dzIn: UnsafeMutablePointer<Float>, partial: UnsafeMutablePointer<Float>,
        columns: UnsafeMutablePointer<Float>, w: UnsafeMutablePointer<Float>,
        dxT: UnsafeMutablePointer<Float>
    ) {
        precondition(c % 16 == 0 && f % 16 == 0 && c > 0 && f > 0 && o > 0 && t > 0,
                     "16 input channels a vector, 16 pixels a block")
        partial.initialize(repeating: 0, count: o &* t &* 8)
        let xr = UnsafeRawPointer(xT), dxr = UnsafeMutableRawPointer(dxT)
        let kr = UnsafeRawPointer(kernel), vr = UnsafeRawPointer(v), cr = UnsafeMutableRawPointer(columns)
        let dkr = UnsafeMutableRawPointer(dKernel), pr = UnsafeMutableRawPointer(partial)
        let wr = UnsafeMutableRawPointer(w)
        let one = SIMD16<Float>(repeating: 1), two = SIMD16<Float>(repeating: 2)
        let half = SIMD16<Float>(repeating: 0.5)
        // Pass 1.
        for tt in 0..<t {
            let rowT = rows + tt &* f
            for cb in stride(from: 0, to: c, by: 16) {
                let cbBytes = cb &* 4
                for p in 0..<f {
                    cr.storeBytes(of: xr.loadUnaligned(fromByteOffset: Int(rowT[p]) &* 4 &+ cbBytes, as: SIMD16<Float>.self),
                                  toByteOffset: p &* 64, as: SIMD16<Float>.self)
                }
                let vIn = vr.loadUnaligned(fromByteOffset: (tt &* c &+ cb) &* 4, as: SIMD16<Float>.self)
                var dzInSum = SIMD16<Float>()
                /// The gate's tail for output channel `oo` once its dW `g` is summed.
                @inline(__always) func finish(_ oo: Int, _ g: SIMD16<Float>) {
                    let ot = oo &* t &+ tt, off = (ot &* c &+ cb) &* 4
                    let a = two / (one + SIMD16(repeating: u[ot]) * vIn)
                    let k = kr.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self)
                    wr.storeBytes(of: k * a, toByteOffset: off, as: SIMD16<Float>.self)
                    let dk = dkr.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self)
                    dkr.storeBytes(of: dk + g * a, toByteOffset: off, as: SIMD16<Float>.self)
                    let d = g * k * a * (one - half * a)
                    dzInSum = dzInSum + d
                    var s = pr.loadUnaligned(fromByteOffset: ot &* 32, as: SIMD8<Float>.self)
                    s = s + d.lowHalf
                    s = s + d.highHalf
                    pr.storeBytes(of: s, toByteOffset: ot &* 32, as: SIMD8<Float>.self)
                }
                var oo = 0
                while oo &+ 8 <= o {
                    let d0 = dy + oo &* f, d1 = d0 + f, d2 = d1 + f, d3 = d2 + f
                    let d4 = d3 + f, d5 = d4 + f, d6 = d5 + f, d7 = d6 + f
                    var g0 = SIMD16<Float>(), g1 = SIMD16<Float>(), g2 = SIMD16<Float>(), g3 = SIMD16<Float>()
                    var g4 = SIMD16<Float>(), g5 = SIMD16<Float>(), g6 = SIMD16<Float>(), g7 = SIMD16<Float>()
                    for p in 0..<f {
                        let x = cr.loadUnaligned(fromByteOffset: p &* 64, as: SIMD16<Float>.self)
                        g0.addProduct(SIMD16(repeating: d0[p]), x)
                        g1.addProduct(SIMD16(repeating: d1[p]), x)
                        g2.addProduct(SIMD16(repeating: d2[p]), x)
                        g3.addProduct(SIMD16(repeating: d3[p]), x)
                        g4.addProduct(SIMD16(repeating: d4[p]), x)
                        g5.addProduct(SIMD16(repeating: d5[p]), x)
                        g6.addProduct(SIMD16(repeating: d6[p]), x)
                        g7.addProduct(SIMD16(repeating: d7[p]), x)
                    }
                    finish(oo, g0); finish(oo &+ 1, g1); finish(oo &+ 2, g2); finish(oo &+ 3, g3)
                    finish(oo &+ 4, g4); finish(oo &+ 5, g5); finish(oo &+ 6, g6); finish(oo &+ 7, g7)
                    oo &+= 8
                }
                while oo &+ 4 <= o {
                    let d0 = dy + oo &* f, d1 = d0 + f, d2 = d1 + f, d3 = d2 + f
                    var g0 = SIMD16<Float>(), g1 = SIMD16<Float>(), g2 = SIMD16<Float>(), g3 = SIMD16<Float>()
                    for p in 0..<f {
                        let x = cr.loadUnaligned(fromByteOffset: p &* 64, as: SIMD16<Float>.self)
                        g0.addProduct(SIMD16(repeating: d0[p]), x)
                        g1.addProduct(SIMD16(repeating: d1[p]), x)
                        g2.addProduct(SIMD16(repeating: d2[p]), x)
                        g3.addProduct(SIMD16(repeating: d3[p]), x)
                    }
                    finish(oo, g0); finish(oo &+ 1, g1); finish(oo &+ 2, g2); finish(oo &+ 3, g3)
                    oo &+= 4
                }
                while oo < o {
                    let d0 = dy + oo &* f
                    var g0 = SIMD16<Float>()
                    for p in 0..<f { g0.addProduct(SIMD16(repeating: d0[p]), cr.loadUnaligned(fromByteOffset: p &* 64, as: SIMD16<Float>.self)) }
                    finish(oo, g0)
                    oo &+= 1
                }
                for l in 0..<16 { dzIn[(cb &+ l) &* t &+ tt] = dzInSum[l] }
            }
        }
        for ot in 0..<(o &* t) {
            var s: Float = 0
            for l in 0..<8 { s += partial[ot &* 8 &+ l] }
            dzOut[ot] = s
        }
        // Pass 2: dcol[(t, c), p] = Σ_o W[o,t,c]·dy[o,p], added to dx in t order.
        for tt in 0..<t {
            let rowT = rows + tt &* f
            for cb in stride(from: 0, to: c, by: 16) {
                for pb in stride(from: 0, to: f, by: 16) {
                    var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
                    var a4 = SIMD16<Float>(), a5 = SIMD16<Float>(), a6 = SIMD16<Float>(), a7 = SIMD16<Float>()
                    var a8 = SIMD16<Float>(), a9 = SIMD16<Float>(), a10 = SIMD16<Float>(), a11 = SIMD16<Float>()
                    var a12 = SIMD16<Float>(), a13 = SIMD16<Float>(), a14 = SIMD16<Float>(), a15 = SIMD16<Float>()
                    for oo in 0..<o {
                        let wv = wr.loadUnaligned(fromByteOffset: ((oo &* t &+ tt) &* c &+ cb) &* 4, as: SIMD16<Float>.self)
                        let d = dy + (oo &* f &+ pb)
                        a0.addProduct(wv, SIMD16(repeating: d[0])); a1.addProduct(wv, SIMD16(repeating: d[1]))
                        a2.addProduct(wv, SIMD16(repeating: d[2])); a3.addProduct(wv, SIMD16(repeating: d[3]))
                        a4.addProduct(wv, SIMD16(repeating: d[4])); a5.addProduct(wv, SIMD16(repeating: d[5]))
                        a6.addProduct(wv, SIMD16(repeating: d[6])); a7.addProduct(wv, SIMD16(repeating: d[7]))
                        a8.addProduct(wv, SIMD16(repeating: d[8])); a9.addProduct(wv, SIMD16(repeating: d[9]))
                        a10.addProduct(wv, SIMD16(repeating: d[10])); a11.addProduct(wv, SIMD16(repeating: d[11]))
                        a12.addProduct(wv, SIMD16(repeating: d[12])); a13.addProduct(wv, SIMD16(repeating: d[13]))
                        a14.addProduct(wv, SIMD16(repeating: d[14])); a15.addProduct(wv, SIMD16(repeating: d[15]))
                    }
                    let base = rowT + pb, cbBytes = cb &* 4
                    @inline(__always) func add(_ p: Int, _ a: SIMD16<Float>) {
                        let off = Int(base[p]) &* 4 &+ cbBytes
                        let s = dxr.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self)
                        dxr.storeBytes(of: s + a, toByteOffset: off, as: SIMD16<Float>.self)
                    }
                    add(0, a0); add(1, a1); add(2, a2); add(3, a3); add(4, a4); add(5, a5); add(6, a6); add(7, a7)
                    add(8, a8); add(9, a9); add(10, a10); add(11, a11); add(12, a12); add(13, a13); add(14, a14)
                    add(15, a15)
                }
            }
        }
    }
}
