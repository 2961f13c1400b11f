// The GEMMs of Winograd convolution, one per frequency. The forward products keep tiles in
// the lanes (`multiply`); the weight gradient's keep a frequency row's 6 columns in the lanes of
// an 8-lane vector (2 unused), multiplied lane by lane (`accumulateKernelGradient`).
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

    /// dU[k][c] += Σ_t dM[k][t] ⊙ V[c][t] for one row i: dM `[kPad][T][8]`, V `[cPad][T][8]`,
    /// dU `[kPad][cPad][8]`; kPad a multiple of 4, cPad of 3. Sums run over t in order.
    static func accumulateKernelGradient(dm: UnsafePointer<Float>, v: UnsafePointer<Float>,
                                         du: UnsafeMutablePointer<Float>, tiles: Int, kPad: Int, cPad: Int) {
        let dr = UnsafeRawPointer(dm), vr = UnsafeRawPointer(v), ur = UnsafeMutableRawPointer(du)
        let rowBytes = tiles &* 32
        var k = 0
        while k < kPad {
            var c = 0
            while c < cPad {
                var a00 = SIMD8<Float>(), a01 = SIMD8<Float>(), a02 = SIMD8<Float>()
                var a10 = SIMD8<Float>(), a11 = SIMD8<Float>(), a12 = SIMD8<Float>()
                var a20 = SIMD8<Float>(), a21 = SIMD8<Float>(), a22 = SIMD8<Float>()
                var a30 = SIMD8<Float>(), a31 = SIMD8<Float>(), a32 = SIMD8<Float>()
                let d0 = dr + k &* rowBytes, v0p = vr + c &* rowBytes
                var off = 0
                for _ in 0..<tiles {
                    let v0 = v0p.loadUnaligned(fromByteOffset: off, as: SIMD8<Float>.self)
                    let v1 = v0p.loadUnaligned(fromByteOffset: off &+ rowBytes, as: SIMD8<Float>.self)
                    let v2 = v0p.loadUnaligned(fromByteOffset: off &+ 2 &* rowBytes, as: SIMD8<Float>.self)
                    let g0 = d0.loadUnaligned(fromByteOffset: off, as: SIMD8<Float>.self)
                    a00.addProduct(g0, v0); a01.addProduct(g0, v1); a02.addProduct(g0, v2)
                    let g1 = d0.loadUnaligned(fromByteOffset: off &+ rowBytes, as: SIMD8<Float>.self)
                    a10.addProduct(g1, v0); a11.addProduct(g1, v1); a12.addProduct(g1, v2)
                    let g2 = d0.loadUnaligned(fromByteOffset: off &+ 2 &* rowBytes, as: SIMD8<Float>.self)
                    a20.addProduct(g2, v0); a21.addProduct(g2, v1); a22.addProduct(g2, v2)
                    let g3 = d0.loadUnaligned(fromByteOffset: off &+ 3 &* rowBytes, as: SIMD8<Float>.self)
                    a30.addProduct(g3, v0); a31.addProduct(g3, v1); a32.addProduct(g3, v2)
                    off &+= 32
                }
                @inline(__always) func add(_ row: Int, _ x0: SIMD8<Float>, _ x1: SIMD8<Float>, _ x2: SIMD8<Float>) {
                    let o = ((k &+ row) &* cPad &+ c) &* 32
                    ur.storeBytes(of: ur.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) + x0,
                                  toByteOffset: o, as: SIMD8<Float>.self)
                    ur.storeBytes(of: ur.loadUnaligned(fromByteOffset: o &+ 32, as: SIMD8<Float>.self) + x1,
                                  toByteOffset: o &+ 32, as: SIMD8<Float>.self)
                    ur.storeBytes(of: ur.loadUnaligned(fromByteOffset: o &+ 64, as: SIMD8<Float>.self) + x2,
                                  toByteOffset: o &+ 64, as: SIMD8<Float>.self)
                }
                add(0, a00, a01, a02); add(1, a10, a11, a12); add(2, a20, a21, a22); add(3, a30, a31, a32)
                c &+= 3
            }
            k &+= 4
        }
    }
}
