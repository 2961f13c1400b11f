// The per-image-kernel convolution's backward on maps of 16·m output pixels (the 8 × 8 maps; 16 pixels:
// `atkd_factorised_gate_backward16`, C), with the kernels' factorised gates fused in: neither dW_n nor
// the column matrix is written (the AW-convolution's small maps, where those passes cost as much as the
// products). O output / C input channels, T taps, F output pixels;
// tap-major operands are [·][T][C].

extension AVX512 {
    /// One image's backward, 16 input channels in the lanes, on F = 16·m pixels (8 × 8 maps: F = 64):
    /// the formulas and the bits of the 16-pixel kernel (`atkd_factorised_gate_backward16`, C, in
    /// Sources/WinogradTransforms512), in two passes, where 16·m column accumulators would not fit the
    /// registers: (1) eight output channels at a time (then one at a time), the gates, dW (eight
    /// independent chains over f sharing each column load: four left each chain's FMA latency exposed,
    /// BENCHMARKS.md), dK, ∂z, and W written tap-major to `w`; (2) dcol = Σ_o W·dy per 16 pixels from `w`.
    /// - rows `[T][F]`: float offsets into xT / dxT of pixel f's input row for tap t (the zero row in the
    ///   padding). xT `[H·W + 1][C]` (last row zeros); dxT the same shape, zeroed by the caller.
    /// - dy `[O][F]`; kernel `[O][T][C]`; u `[O][T]`; v `[T][C]`; dKernel `[O][T][C]` (added to);
    ///   dzOut `[O][T]`, dzIn `[C][T]` (written); partial: `O·T·8` floats of scratch;
    ///   columns: scratch of `F·16` floats (one (tap, channel block)'s column vectors); w: `O·T·C` floats.
    /// `inputGradient` false: pass 1 alone (neither `w` nor `dxT` is written), for a caller that makes
    /// dx another way (the gated Winograd on 8 × 8 maps).
    /// NOTE: C and F must be multiples of 16.
    public static func factorisedGateBackward(
        pixels f: Int, o: Int, c: Int, taps t: Int, rows: UnsafePointer<Int32>,
        xT: UnsafePointer<Float>, dy: UnsafePointer<Float>, kernel: UnsafePointer<Float>,
        u: UnsafePointer<Float>, v: UnsafePointer<Float>,
        dKernel: UnsafeMutablePointer<Float>, dzOut: UnsafeMutablePointer<Float>,
        dzIn: UnsafeMutablePointer<Float>, partial: UnsafeMutablePointer<Float>,
        columns: UnsafeMutablePointer<Float>, w: UnsafeMutablePointer<Float>,
        dxT: UnsafeMutablePointer<Float>, inputGradient: Bool = true
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
                    if inputGradient { wr.storeBytes(of: k * a, toByteOffset: off, as: SIMD16<Float>.self) }
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
        guard inputGradient else { return }
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
