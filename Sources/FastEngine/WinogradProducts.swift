// The GEMMs of Winograd convolution, one per frequency: the forward's over input channels
// with tiles in the lanes (`multiply`), the weight gradient's over tiles with output channels
// in the lanes (`accumulateKernelGradient`).
// K output channels (padded to 4), C input channels, T tiles.

extension Winograd4x4 {
    /// M[k][t] = Σ_c U[k][c]·V[c][t] for one frequency (i, j), tiles in lanes: U `[kPad/4][C][4]`
    /// (4 output channels of one input channel side by side), V `[C][tPad]`, M `[kPad][tPad]`;
    /// kPad a multiple of 4, tPad of 16. Register block 4 k × 16 tiles (8 accumulators); each
    /// sum runs over c in order, as in `AVX512.multiply` (same bits).
    static func multiply(u: UnsafePointer<Float>, v: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
                         c: Int, kPad: Int, tPad: Int) {
        let mr = UnsafeMutableRawPointer(m), vr = UnsafeRawPointer(v)
        let rowBytes = tPad &* 4
        var k = 0
        while k < kPad {
            let ub = u + k &* c
            var t = 0
            while t < tPad {
                var a00 = SIMD8<Float>(), a01 = SIMD8<Float>(), a10 = SIMD8<Float>(), a11 = SIMD8<Float>()
                var a20 = SIMD8<Float>(), a21 = SIMD8<Float>(), a30 = SIMD8<Float>(), a31 = SIMD8<Float>()
                var vo = t &* 4
                for ci in 0..<c {
                    let v0 = vr.loadUnaligned(fromByteOffset: vo, as: SIMD8<Float>.self)
                    let v1 = vr.loadUnaligned(fromByteOffset: vo &+ 32, as: SIMD8<Float>.self)
                    let uc = ub + ci &* 4
                    let u0 = SIMD8(repeating: uc[0]), u1 = SIMD8(repeating: uc[1])
                    let u2 = SIMD8(repeating: uc[2]), u3 = SIMD8(repeating: uc[3])
                    a00.addProduct(u0, v0); a01.addProduct(u0, v1)
                    a10.addProduct(u1, v0); a11.addProduct(u1, v1)
                    a20.addProduct(u2, v0); a21.addProduct(u2, v1)
                    a30.addProduct(u3, v0); a31.addProduct(u3, v1)
                    vo &+= rowBytes
                }
                @inline(__always) func put(_ row: Int, _ x0: SIMD8<Float>, _ x1: SIMD8<Float>) {
                    let o = (k &+ row) &* rowBytes &+ t &* 4
                    mr.storeBytes(of: x0, toByteOffset: o, as: SIMD8<Float>.self)
                    mr.storeBytes(of: x1, toByteOffset: o &+ 32, as: SIMD8<Float>.self)
                }
                put(0, a00, a01); put(1, a10, a11); put(2, a20, a21); put(3, a30, a31)
                t &+= 16
            }
            k &+= 4
        }
    }

    /// dU[c][k] += Σ_{t < tiles} V[c][t]·dM[t][k] for one frequency: V `[cPad][tPad]` (tiles in
    /// lanes), dM `[tiles][kPad]` (output channels in lanes), dU `[cPad][kPad]`; cPad a multiple
    /// of 8, kPad of 16. Register block 4 c × 16 k (8 accumulators); each sum runs over t in
    /// order from zero and is then added to dU, as in `AVX512.accumulateKernelGradient` (same bits).
    static func accumulateKernelGradient(v: UnsafePointer<Float>, dm: UnsafePointer<Float>, du: UnsafeMutablePointer<Float>,
                                         cPad: Int, kPad: Int, tiles: Int, tPad: Int) {
        let dr = UnsafeRawPointer(dm), ur = UnsafeMutableRawPointer(du)
        var k = 0
        while k < kPad {
            var c = 0
            while c < cPad {
                var a00 = SIMD8<Float>(), a01 = SIMD8<Float>(), a10 = SIMD8<Float>(), a11 = SIMD8<Float>()
                var a20 = SIMD8<Float>(), a21 = SIMD8<Float>(), a30 = SIMD8<Float>(), a31 = SIMD8<Float>()
                let v0 = v + c &* tPad, v1 = v0 + tPad, v2 = v1 + tPad, v3 = v2 + tPad
                var off = k &* 4
                for t in 0..<tiles {
                    let d0 = dr.loadUnaligned(fromByteOffset: off, as: SIMD8<Float>.self)
                    let d1 = dr.loadUnaligned(fromByteOffset: off &+ 32, as: SIMD8<Float>.self)
                    let b0 = SIMD8(repeating: v0[t]), b1 = SIMD8(repeating: v1[t])
                    a00.addProduct(b0, d0); a01.addProduct(b0, d1); a10.addProduct(b1, d0); a11.addProduct(b1, d1)
                    let b2 = SIMD8(repeating: v2[t]), b3 = SIMD8(repeating: v3[t])
                    a20.addProduct(b2, d0); a21.addProduct(b2, d1); a30.addProduct(b3, d0); a31.addProduct(b3, d1)
                    off &+= kPad &* 4
                }
                @inline(__always) func add(_ row: Int, _ x0: SIMD8<Float>, _ x1: SIMD8<Float>) {
                    let o = ((c &+ row) &* kPad &+ k) &* 4
                    ur.storeBytes(of: ur.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) + x0,
                                  toByteOffset: o, as: SIMD8<Float>.self)
                    ur.storeBytes(of: ur.loadUnaligned(fromByteOffset: o &+ 32, as: SIMD8<Float>.self) + x1,
                                  toByteOffset: o &+ 32, as: SIMD8<Float>.self)
                }
                add(0, a00, a01); add(1, a10, a11); add(2, a20, a21); add(3, a30, a31)
                c &+= 4
            }
            k &+= 16
        }
    }
}
