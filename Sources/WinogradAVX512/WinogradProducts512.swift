// The Winograd GEMMs of `FastEngine` (`Winograd4x4.multiply`, `accumulateKernelGradient`) with
// 16-lane AVX-512 vectors. This module alone is built for AVX-512 (`-target-cpu skylake-avx512`);
// call it only where `AVX512.isAvailable`.
// K output channels (padded to 4), C input channels, T tiles.

#if canImport(Glibc)
import Glibc
#endif

public enum AVX512 {
    /// Whether this CPU runs the kernels here (avx512f, avx512dq and avx512vl in /proc/cpuinfo),
    /// and `ATKD_AVX512` is not `0`.
    public static let isAvailable: Bool = {
        if let env = getenv("ATKD_AVX512"), String(cString: env) == "0" { return false }
        guard let file = fopen("/proc/cpuinfo", "r") else { return false }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            guard let l = line else { break }
            let text = String(cString: l)
            guard text.hasPrefix("flags") else { continue }
            let flags = Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init))
            return flags.contains("avx512f") && flags.contains("avx512dq") && flags.contains("avx512vl")
        }
        return false
    }()

    /// M[k][t] = Σ_c U[k][c]·V[c][t] for one frequency, tiles in lanes, same layouts and same
    /// sums (over c, in order) as `Winograd4x4.multiply`: U `[kPad/4][C][4]`, V `[C][tPad]`,
    /// M `[kPad][tPad]`; kPad a multiple of 4, tPad of 16. Register block 4 k × 64 tiles
    /// (16 zmm accumulators, 8 loads per 16 FMAs), then 4 k × 16 tiles for the rest.
    public static func multiply(u: UnsafePointer<Float>, v: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
                                c: Int, kPad: Int, tPad: Int) {
        let mr = UnsafeMutableRawPointer(m), vr = UnsafeRawPointer(v)
        let rowBytes = tPad &* 4
        var k = 0
        while k < kPad {
            let ub = u + k &* c
            var t = 0
            while t &+ 64 <= tPad {
                var a00 = SIMD16<Float>(), a01 = SIMD16<Float>(), a02 = SIMD16<Float>(), a03 = SIMD16<Float>()
                var a10 = SIMD16<Float>(), a11 = SIMD16<Float>(), a12 = SIMD16<Float>(), a13 = SIMD16<Float>()
                var a20 = SIMD16<Float>(), a21 = SIMD16<Float>(), a22 = SIMD16<Float>(), a23 = SIMD16<Float>()
                var a30 = SIMD16<Float>(), a31 = SIMD16<Float>(), a32 = SIMD16<Float>(), a33 = SIMD16<Float>()
                var vo = t &* 4
                for ci in 0..<c {
                    let v0 = vr.loadUnaligned(fromByteOffset: vo, as: SIMD16<Float>.self)
                    let v1 = vr.loadUnaligned(fromByteOffset: vo &+ 64, as: SIMD16<Float>.self)
                    let v2 = vr.loadUnaligned(fromByteOffset: vo &+ 128, as: SIMD16<Float>.self)
                    let v3 = vr.loadUnaligned(fromByteOffset: vo &+ 192, as: SIMD16<Float>.self)
                    let uc = ub + ci &* 4
                    let u0 = SIMD16(repeating: uc[0])
                    a00.addProduct(u0, v0); a01.addProduct(u0, v1); a02.addProduct(u0, v2); a03.addProduct(u0, v3)
                    let u1 = SIMD16(repeating: uc[1])
                    a10.addProduct(u1, v0); a11.addProduct(u1, v1); a12.addProduct(u1, v2); a13.addProduct(u1, v3)
                    let u2 = SIMD16(repeating: uc[2])
                    a20.addProduct(u2, v0); a21.addProduct(u2, v1); a22.addProduct(u2, v2); a23.addProduct(u2, v3)
                    let u3 = SIMD16(repeating: uc[3])
                    a30.addProduct(u3, v0); a31.addProduct(u3, v1); a32.addProduct(u3, v2); a33.addProduct(u3, v3)
                    vo &+= rowBytes
                }
                @inline(__always) func put(_ row: Int, _ x0: SIMD16<Float>, _ x1: SIMD16<Float>,
                                           _ x2: SIMD16<Float>, _ x3: SIMD16<Float>) {
                    let o = (k &+ row) &* rowBytes &+ t &* 4
                    mr.storeBytes(of: x0, toByteOffset: o, as: SIMD16<Float>.self)
                    mr.storeBytes(of: x1, toByteOffset: o &+ 64, as: SIMD16<Float>.self)
                    mr.storeBytes(of: x2, toByteOffset: o &+ 128, as: SIMD16<Float>.self)
                    mr.storeBytes(of: x3, toByteOffset: o &+ 192, as: SIMD16<Float>.self)
                }
                put(0, a00, a01, a02, a03); put(1, a10, a11, a12, a13)
                put(2, a20, a21, a22, a23); put(3, a30, a31, a32, a33)
                t &+= 64
            }
            while t < tPad {
                var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
                var vo = t &* 4
                for ci in 0..<c {
                    let v0 = vr.loadUnaligned(fromByteOffset: vo, as: SIMD16<Float>.self)
                    let uc = ub + ci &* 4
                    a0.addProduct(SIMD16(repeating: uc[0]), v0); a1.addProduct(SIMD16(repeating: uc[1]), v0)
                    a2.addProduct(SIMD16(repeating: uc[2]), v0); a3.addProduct(SIMD16(repeating: uc[3]), v0)
                    vo &+= rowBytes
                }
                let o = k &* rowBytes &+ t &* 4
                mr.storeBytes(of: a0, toByteOffset: o, as: SIMD16<Float>.self)
                mr.storeBytes(of: a1, toByteOffset: o &+ rowBytes, as: SIMD16<Float>.self)
                mr.storeBytes(of: a2, toByteOffset: o &+ 2 &* rowBytes, as: SIMD16<Float>.self)
                mr.storeBytes(of: a3, toByteOffset: o &+ 3 &* rowBytes, as: SIMD16<Float>.self)
                t &+= 16
            }
            k &+= 4
        }
    }
}

extension AVX512 {
    /// dU[c][k] += Σ_{t < tiles} V[c][t]·dM[t][k] for one frequency, same layouts and same sums
    /// (over t, in order, from zero, then added to dU) as `Winograd4x4.accumulateKernelGradient`:
    /// V `[cPad][tPad]`, dM `[tiles][kPad]`, dU `[cPad][kPad]`; cPad a multiple of 8, kPad of 16.
    /// Register block 8 c × 32 k (16 zmm accumulators, 10 loads per 16 FMAs), then 8 c × 16 k.
    public static func accumulateKernelGradient(v: UnsafePointer<Float>, dm: UnsafePointer<Float>,
                                                du: UnsafeMutablePointer<Float>, cPad: Int, kPad: Int,
                                                tiles: Int, tPad: Int) {
        precondition(cPad % 8 == 0 && kPad % 16 == 0, "blocks of 8 input and 16 output channels")
        let dr = UnsafeRawPointer(dm), ur = UnsafeMutableRawPointer(du)
        @inline(__always) func add(_ c: Int, _ k: Int, _ x: SIMD16<Float>) {
            let o = (c &* kPad &+ k) &* 4
            ur.storeBytes(of: ur.loadUnaligned(fromByteOffset: o, as: SIMD16<Float>.self) + x,
                          toByteOffset: o, as: SIMD16<Float>.self)
        }
        var k = 0
        while k &+ 32 <= kPad {
            var c = 0
            while c < cPad {
                var a00 = SIMD16<Float>(), a01 = SIMD16<Float>(), a10 = SIMD16<Float>(), a11 = SIMD16<Float>()
                var a20 = SIMD16<Float>(), a21 = SIMD16<Float>(), a30 = SIMD16<Float>(), a31 = SIMD16<Float>()
                var a40 = SIMD16<Float>(), a41 = SIMD16<Float>(), a50 = SIMD16<Float>(), a51 = SIMD16<Float>()
                var a60 = SIMD16<Float>(), a61 = SIMD16<Float>(), a70 = SIMD16<Float>(), a71 = SIMD16<Float>()
                let vc = v + c &* tPad
                var off = k &* 4
                for t in 0..<tiles {
                    let d0 = dr.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self)
                    let d1 = dr.loadUnaligned(fromByteOffset: off &+ 64, as: SIMD16<Float>.self)
                    let b0 = SIMD16(repeating: vc[t]); a00.addProduct(b0, d0); a01.addProduct(b0, d1)
                    let b1 = SIMD16(repeating: vc[tPad &+ t]); a10.addProduct(b1, d0); a11.addProduct(b1, d1)
                    let b2 = SIMD16(repeating: vc[2 &* tPad &+ t]); a20.addProduct(b2, d0); a21.addProduct(b2, d1)
                    let b3 = SIMD16(repeating: vc[3 &* tPad &+ t]); a30.addProduct(b3, d0); a31.addProduct(b3, d1)
                    let b4 = SIMD16(repeating: vc[4 &* tPad &+ t]); a40.addProduct(b4, d0); a41.addProduct(b4, d1)
                    let b5 = SIMD16(repeating: vc[5 &* tPad &+ t]); a50.addProduct(b5, d0); a51.addProduct(b5, d1)
                    let b6 = SIMD16(repeating: vc[6 &* tPad &+ t]); a60.addProduct(b6, d0); a61.addProduct(b6, d1)
                    let b7 = SIMD16(repeating: vc[7 &* tPad &+ t]); a70.addProduct(b7, d0); a71.addProduct(b7, d1)
                    off &+= kPad &* 4
                }
                add(c, k, a00); add(c, k &+ 16, a01); add(c &+ 1, k, a10); add(c &+ 1, k &+ 16, a11)
                add(c &+ 2, k, a20); add(c &+ 2, k &+ 16, a21); add(c &+ 3, k, a30); add(c &+ 3, k &+ 16, a31)
                add(c &+ 4, k, a40); add(c &+ 4, k &+ 16, a41); add(c &+ 5, k, a50); add(c &+ 5, k &+ 16, a51)
                add(c &+ 6, k, a60); add(c &+ 6, k &+ 16, a61); add(c &+ 7, k, a70); add(c &+ 7, k &+ 16, a71)
                c &+= 8
            }
            k &+= 32
        }
        while k < kPad {
            var c = 0
            while c < cPad {
                var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
                var a4 = SIMD16<Float>(), a5 = SIMD16<Float>(), a6 = SIMD16<Float>(), a7 = SIMD16<Float>()
                let vc = v + c &* tPad
                var off = k &* 4
                for t in 0..<tiles {
                    let d = dr.loadUnaligned(fromByteOffset: off, as: SIMD16<Float>.self)
                    a0.addProduct(SIMD16(repeating: vc[t]), d)
                    a1.addProduct(SIMD16(repeating: vc[tPad &+ t]), d)
                    a2.addProduct(SIMD16(repeating: vc[2 &* tPad &+ t]), d)
                    a3.addProduct(SIMD16(repeating: vc[3 &* tPad &+ t]), d)
                    a4.addProduct(SIMD16(repeating: vc[4 &* tPad &+ t]), d)
                    a5.addProduct(SIMD16(repeating: vc[5 &* tPad &+ t]), d)
                    a6.addProduct(SIMD16(repeating: vc[6 &* tPad &+ t]), d)
                    a7.addProduct(SIMD16(repeating: vc[7 &* tPad &+ t]), d)
                    off &+= kPad &* 4
                }
                add(c, k, a0); add(c &+ 1, k, a1); add(c &+ 2, k, a2); add(c &+ 3, k, a3)
                add(c &+ 4, k, a4); add(c &+ 5, k, a5); add(c &+ 6, k, a6); add(c &+ 7, k, a7)
                c &+= 8
            }
            k &+= 16
        }
    }
}
