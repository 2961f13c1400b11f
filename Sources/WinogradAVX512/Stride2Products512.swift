// The products of a 3×3 stride-2 convolution read from tap planes (`Stride2Conv3x3` in FastEngine)
// with 16-lane AVX-512 vectors: y = W·col, dcol = Wᵀ·dy and dW += dy·colᵀ without the column matrix.
// Every sum is one FMA chain from +0 in the order of the im2col + GEMM path's k (= (c, p, q)) or
// column index, so the results are that chain's bits.
// C input / O output channels, K = 9C; F output pixels (OH·OW); Q = F + OW floats a tap plane.

extension AVX512 {
    /// Offset of tap (p, q) = (tap / 3, tap % 3) in a channel's six tap planes: plane (q, p mod 2),
    /// rows shifted by ⌊p/2⌋.
    @inline(__always)
    static func stride2TapOffset(_ tap: Int, plane: Int, ow: Int) -> Int {
        let p = tap / 3, q = tap % 3
        return (q &* 2 &+ (p & 1)) &* plane &+ (p >> 1) &* ow
    }

    /// The forward's operands that do not depend on the image: each k's byte offset in an image's tap
    /// planes, and the weights regrouped `[O/4][K][4]` (the four broadcasts of a k on one line).
    public struct Stride2ForwardPlan {
        public let offsets: [Int]
        public let packed: [Float]
        public let c: Int, o: Int, ow: Int, f: Int

        public init(weight w: UnsafePointer<Float>, c: Int, o: Int, ow: Int, f: Int) {
            precondition(o % 4 == 0 && f % 16 == 0, "blocks of 4 output channels and 16 pixels")
            let plane = f &+ ow, k = 9 &* c, channelFloats = 6 &* plane
            offsets = (0..<k).map { kk in
                ((kk / 9) &* channelFloats &+ AVX512.stride2TapOffset(kk % 9, plane: plane, ow: ow)) &* 4
            }
            var p = [Float](repeating: 0, count: o &* k)
            for ob in 0..<(o / 4) { for kk in 0..<k { for u in 0..<4 { p[(ob &* k &+ kk) &* 4 &+ u] = w[(ob &* 4 &+ u) &* k &+ kk] } } }
            packed = p
            self.c = c; self.o = o; self.ow = ow; self.f = f
        }
    }

    /// y[o][f] = Σ_{c, tap} W[o][9c + tap] · T_c,tap[f], the chain over (c, tap) in order.
    /// taps: the image's planes `[C][3][2][Q]`; y `[O][F]`. Register block 4 o × 64 pixels (16 zmm
    /// accumulators, 4 loads and 4 broadcasts per 16 FMAs), then 4 o × 16 pixels for the rest.
    public static func stride2Forward(taps: UnsafePointer<Float>, plan: Stride2ForwardPlan, y: UnsafeMutablePointer<Float>) {
        let o = plan.o, f = plan.f, k = 9 &* plan.c
        let yr = UnsafeMutableRawPointer(y), tr = UnsafeRawPointer(taps)
        plan.offsets.withUnsafeBufferPointer { ob in
        plan.packed.withUnsafeBufferPointer { pb in
            let off = ob.baseAddress!
            var o0 = 0
            while o0 < o {
                let wb = pb.baseAddress! + o0 &* k
                var f0 = 0
                while f0 &+ 64 <= f {
                    var a00 = SIMD16<Float>(), a01 = SIMD16<Float>(), a02 = SIMD16<Float>(), a03 = SIMD16<Float>()
                    var a10 = SIMD16<Float>(), a11 = SIMD16<Float>(), a12 = SIMD16<Float>(), a13 = SIMD16<Float>()
                    var a20 = SIMD16<Float>(), a21 = SIMD16<Float>(), a22 = SIMD16<Float>(), a23 = SIMD16<Float>()
                    var a30 = SIMD16<Float>(), a31 = SIMD16<Float>(), a32 = SIMD16<Float>(), a33 = SIMD16<Float>()
                    let fb = f0 &* 4
                    for kk in 0..<k {
                        let at = off[kk] &+ fb
                        let v0 = tr.loadUnaligned(fromByteOffset: at, as: SIMD16<Float>.self)
                        let v1 = tr.loadUnaligned(fromByteOffset: at &+ 64, as: SIMD16<Float>.self)
                        let v2 = tr.loadUnaligned(fromByteOffset: at &+ 128, as: SIMD16<Float>.self)
                        let v3 = tr.loadUnaligned(fromByteOffset: at &+ 192, as: SIMD16<Float>.self)
                        let wk = wb + kk &* 4
                        let b0 = SIMD16(repeating: wk[0])
                        a00.addProduct(b0, v0); a01.addProduct(b0, v1); a02.addProduct(b0, v2); a03.addProduct(b0, v3)
                        let b1 = SIMD16(repeating: wk[1])
                        a10.addProduct(b1, v0); a11.addProduct(b1, v1); a12.addProduct(b1, v2); a13.addProduct(b1, v3)
                        let b2 = SIMD16(repeating: wk[2])
                        a20.addProduct(b2, v0); a21.addProduct(b2, v1); a22.addProduct(b2, v2); a23.addProduct(b2, v3)
                        let b3 = SIMD16(repeating: wk[3])
                        a30.addProduct(b3, v0); a31.addProduct(b3, v1); a32.addProduct(b3, v2); a33.addProduct(b3, v3)
                    }
                    @inline(__always) func put(_ row: Int, _ x0: SIMD16<Float>, _ x1: SIMD16<Float>,
                                               _ x2: SIMD16<Float>, _ x3: SIMD16<Float>) {
                        let to = ((o0 &+ row) &* f &+ f0) &* 4
                        yr.storeBytes(of: x0, toByteOffset: to, as: SIMD16<Float>.self)
                        yr.storeBytes(of: x1, toByteOffset: to &+ 64, as: SIMD16<Float>.self)
                        yr.storeBytes(of: x2, toByteOffset: to &+ 128, as: SIMD16<Float>.self)
                        yr.storeBytes(of: x3, toByteOffset: to &+ 192, as: SIMD16<Float>.self)
                    }
                    put(0, a00, a01, a02, a03); put(1, a10, a11, a12, a13)
                    put(2, a20, a21, a22, a23); put(3, a30, a31, a32, a33)
                    f0 &+= 64
                }
                while f0 < f {
                    var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
                    let fb = f0 &* 4
                    for kk in 0..<k {
                        let v = tr.loadUnaligned(fromByteOffset: off[kk] &+ fb, as: SIMD16<Float>.self)
                        let wk = wb + kk &* 4
                        a0.addProduct(SIMD16(repeating: wk[0]), v); a1.addProduct(SIMD16(repeating: wk[1]), v)
                        a2.addProduct(SIMD16(repeating: wk[2]), v); a3.addProduct(SIMD16(repeating: wk[3]), v)
                    }
                    let to = (o0 &* f &+ f0) &* 4, rowBytes = f &* 4
                    yr.storeBytes(of: a0, toByteOffset: to, as: SIMD16<Float>.self)
                    yr.storeBytes(of: a1, toByteOffset: to &+ rowBytes, as: SIMD16<Float>.self)
                    yr.storeBytes(of: a2, toByteOffset: to &+ 2 &* rowBytes, as: SIMD16<Float>.self)
                    yr.storeBytes(of: a3, toByteOffset: to &+ 3 &* rowBytes, as: SIMD16<Float>.self)
                    f0 &+= 16
                }
                o0 &+= 4
            }
        }
        }
    }

    /// dcol[k][n] = Σ_o W[o][k] · dy[o][n], the chain over o in order: weight `[O][K]`, dy `[O][ld]`,
    /// dcol `[K][ld]`, n < `columns` (a multiple of 16, ≤ ld). Register block 4 k × 64 columns.
    public static func stride2ColumnGradient(weight w: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                             dcol: UnsafeMutablePointer<Float>, k: Int, o: Int,
                                             columns: Int, ld: Int) {
        precondition(columns % 16 == 0, "blocks of 16 columns")
        let dr = UnsafeRawPointer(dy), cr = UnsafeMutableRawPointer(dcol), rowBytes = ld &* 4
        var k0 = 0
        while k0 < k {
            let rows = min(4, k &- k0)
            var n0 = 0
            while n0 < columns {
                let vectors = min(4, (columns &- n0) / 16)
                var a00 = SIMD16<Float>(), a01 = SIMD16<Float>(), a02 = SIMD16<Float>(), a03 = SIMD16<Float>()
                var a10 = SIMD16<Float>(), a11 = SIMD16<Float>(), a12 = SIMD16<Float>(), a13 = SIMD16<Float>()
                var a20 = SIMD16<Float>(), a21 = SIMD16<Float>(), a22 = SIMD16<Float>(), a23 = SIMD16<Float>()
                var a30 = SIMD16<Float>(), a31 = SIMD16<Float>(), a32 = SIMD16<Float>(), a33 = SIMD16<Float>()
                var at = n0 &* 4
                for oo in 0..<o {
                    let v0 = dr.loadUnaligned(fromByteOffset: at, as: SIMD16<Float>.self)
                    let v1 = vectors > 1 ? dr.loadUnaligned(fromByteOffset: at &+ 64, as: SIMD16<Float>.self) : v0
                    let v2 = vectors > 2 ? dr.loadUnaligned(fromByteOffset: at &+ 128, as: SIMD16<Float>.self) : v0
                    let v3 = vectors > 3 ? dr.loadUnaligned(fromByteOffset: at &+ 192, as: SIMD16<Float>.self) : v0
                    let wr = w + (oo &* k &+ k0)
                    // NOTE: rows past `rows` repeat row 0's weight (in bounds); those sums are not stored.
                    let b0 = SIMD16(repeating: wr[0])
                    a00.addProduct(b0, v0); a01.addProduct(b0, v1); a02.addProduct(b0, v2); a03.addProduct(b0, v3)
                    let b1 = SIMD16(repeating: rows > 1 ? wr[1] : wr[0])
                    a10.addProduct(b1, v0); a11.addProduct(b1, v1); a12.addProduct(b1, v2); a13.addProduct(b1, v3)
                    let b2 = SIMD16(repeating: rows > 2 ? wr[2] : wr[0])
                    a20.addProduct(b2, v0); a21.addProduct(b2, v1); a22.addProduct(b2, v2); a23.addProduct(b2, v3)
                    let b3 = SIMD16(repeating: rows > 3 ? wr[3] : wr[0])
                    a30.addProduct(b3, v0); a31.addProduct(b3, v1); a32.addProduct(b3, v2); a33.addProduct(b3, v3)
                    at &+= rowBytes
                }
                @inline(__always) func put(_ row: Int, _ x0: SIMD16<Float>, _ x1: SIMD16<Float>,
                                           _ x2: SIMD16<Float>, _ x3: SIMD16<Float>) {
                    guard row < rows else { return }
                    let to = (k0 &+ row) &* rowBytes &+ n0 &* 4
                    cr.storeBytes(of: x0, toByteOffset: to, as: SIMD16<Float>.self)
                    if vectors > 1 { cr.storeBytes(of: x1, toByteOffset: to &+ 64, as: SIMD16<Float>.self) }
                    if vectors > 2 { cr.storeBytes(of: x2, toByteOffset: to &+ 128, as: SIMD16<Float>.self) }
                    if vectors > 3 { cr.storeBytes(of: x3, toByteOffset: to &+ 192, as: SIMD16<Float>.self) }
                }
                put(0, a00, a01, a02, a03); put(1, a10, a11, a12, a13)
                put(2, a20, a21, a22, a23); put(3, a30, a31, a32, a33)
                n0 &+= 16 &* vectors
            }
            k0 &+= 4
        }
    }

    /// dW[o][9c + tap] += Σ_{b, f} dyT_b[f][o] · T_b,c,tap[f]: for each weight one chain over the
    /// images b of the chunk, then their pixels f, in order, from +0, then added to dW.
    /// taps `[images][C][3][2][Q]`, dyT `[images][F][O]` (pixel-major dy), dW `[O][K]`; O a multiple
    /// of 16. Register block 32 o × 8 k (16 zmm accumulators, 2 loads and 8 broadcasts per 16 FMAs),
    /// 16 o × 8 k for a last 16.
    public static func stride2WeightGradient(taps: UnsafePointer<Float>, dyT: UnsafePointer<Float>,
                                             dw: UnsafeMutablePointer<Float>, images: Int, c: Int, o: Int,
                                             ow: Int, f: Int) {
        precondition(o % 16 == 0, "blocks of 16 output channels")
        let plane = f &+ ow, k = 9 &* c, channelFloats = 6 &* plane, imageFloats = c &* channelFloats
        var tapStart = [Int](repeating: 0, count: k)
        for kk in 0..<k { tapStart[kk] = (kk / 9) &* channelFloats &+ stride2TapOffset(kk % 9, plane: plane, ow: ow) }
        let dr = UnsafeRawPointer(dyT)
        tapStart.withUnsafeBufferPointer { sb in
            let start = sb.baseAddress!
            var o0 = 0
            while o0 < o {
                var k0 = 0
                while k0 < k {
                    let cols = min(8, k &- k0)
                    var s = SIMD8<Int>()
                    for j in 0..<8 { s[j] = start[k0 &+ (j < cols ? j : 0)] }
                    let (s0, s1, s2, s3, s4, s5, s6, s7) = (s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
                    if o0 &+ 32 <= o {
                        stride2WeightGradient32(taps: taps, dyT: dr, dw: dw, images: images, o: o, k: k, f: f,
                                                imageFloats: imageFloats, o0: o0, k0: k0, cols: cols, starts: s)
                        k0 &+= 8
                        continue
                    }
                    var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
                    var a4 = SIMD16<Float>(), a5 = SIMD16<Float>(), a6 = SIMD16<Float>(), a7 = SIMD16<Float>()
                    for b in 0..<images {
                        let t = taps + b &* imageFloats
                        var at = (b &* f &* o &+ o0) &* 4
                        for px in 0..<f {
                            let d = dr.loadUnaligned(fromByteOffset: at, as: SIMD16<Float>.self)
                            // NOTE: columns past `cols` repeat column 0's tap (in bounds); those sums are not added.
                            a0.addProduct(d, SIMD16(repeating: t[s0 &+ px])); a1.addProduct(d, SIMD16(repeating: t[s1 &+ px]))
                            a2.addProduct(d, SIMD16(repeating: t[s2 &+ px])); a3.addProduct(d, SIMD16(repeating: t[s3 &+ px]))
                            a4.addProduct(d, SIMD16(repeating: t[s4 &+ px])); a5.addProduct(d, SIMD16(repeating: t[s5 &+ px]))
                            a6.addProduct(d, SIMD16(repeating: t[s6 &+ px])); a7.addProduct(d, SIMD16(repeating: t[s7 &+ px]))
                            at &+= o &* 4
                        }
                    }
                    @inline(__always) func add(_ j: Int, _ a: SIMD16<Float>) {
                        guard j < cols else { return }
                        for l in 0..<16 { dw[(o0 &+ l) &* k &+ k0 &+ j] += a[l] }
                    }
                    add(0, a0); add(1, a1); add(2, a2); add(3, a3); add(4, a4); add(5, a5); add(6, a6); add(7, a7)
                    k0 &+= 8
                }
                o0 &+= o0 &+ 32 <= o ? 32 : 16
            }
        }
    }

    /// `stride2WeightGradient`'s block for 32 output channels × 8 k (16 zmm accumulators, 2 loads and
    /// 8 broadcasts per 16 FMAs): the same chains.
    @inline(__always)
    private static func stride2WeightGradient32(taps: UnsafePointer<Float>, dyT dr: UnsafeRawPointer,
                                                dw: UnsafeMutablePointer<Float>, images: Int, o: Int, k: Int, f: Int,
                                                imageFloats: Int, o0: Int, k0: Int, cols: Int, starts s: SIMD8<Int>) {
        let (s0, s1, s2, s3, s4, s5, s6, s7) = (s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
        var a4 = SIMD16<Float>(), a5 = SIMD16<Float>(), a6 = SIMD16<Float>(), a7 = SIMD16<Float>()
        var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>(), c3 = SIMD16<Float>()
        var c4 = SIMD16<Float>(), c5 = SIMD16<Float>(), c6 = SIMD16<Float>(), c7 = SIMD16<Float>()
        for b in 0..<images {
            let t = taps + b &* imageFloats
            var at = (b &* f &* o &+ o0) &* 4
            for px in 0..<f {
                let d = dr.loadUnaligned(fromByteOffset: at, as: SIMD16<Float>.self)
                let e = dr.loadUnaligned(fromByteOffset: at &+ 64, as: SIMD16<Float>.self)
                var x = SIMD16(repeating: t[s0 &+ px]); a0.addProduct(d, x); c0.addProduct(e, x)
                x = SIMD16(repeating: t[s1 &+ px]); a1.addProduct(d, x); c1.addProduct(e, x)
                x = SIMD16(repeating: t[s2 &+ px]); a2.addProduct(d, x); c2.addProduct(e, x)
                x = SIMD16(repeating: t[s3 &+ px]); a3.addProduct(d, x); c3.addProduct(e, x)
                x = SIMD16(repeating: t[s4 &+ px]); a4.addProduct(d, x); c4.addProduct(e, x)
                x = SIMD16(repeating: t[s5 &+ px]); a5.addProduct(d, x); c5.addProduct(e, x)
                x = SIMD16(repeating: t[s6 &+ px]); a6.addProduct(d, x); c6.addProduct(e, x)
                x = SIMD16(repeating: t[s7 &+ px]); a7.addProduct(d, x); c7.addProduct(e, x)
                at &+= o &* 4
            }
        }
        @inline(__always) func add(_ j: Int, _ a: SIMD16<Float>, _ c: SIMD16<Float>) {
            guard j < cols else { return }
            for l in 0..<16 { dw[(o0 &+ l) &* k &+ k0 &+ j] += a[l]; dw[(o0 &+ 16 &+ l) &* k &+ k0 &+ j] += c[l] }
        }
        add(0, a0, c0); add(1, a1, c1); add(2, a2, c2); add(3, a3, c3)
        add(4, a4, c4); add(5, a5, c5); add(6, a6, c6); add(7, a7, c7)
    }
}
