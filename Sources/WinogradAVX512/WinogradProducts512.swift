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
    /// dU[k][c] += Σ_t dM[k][t] ⊙ V[c][t] for one frequency row, same layouts and same per-lane
    /// sums (over t, in order) as `Winograd4x4.accumulateKernelGradient`: dM `[kPad][T][8]`,
    /// V `[cPad][T][8]`, dU `[kPad][cPad][8]`; kPad a multiple of 4, cPad of 6. Register block:
    /// 4 k × 3 pairs of input channels = 12 zmm accumulators; dM's 8 lanes go to both halves.
    public static func accumulateKernelGradient(dm: UnsafePointer<Float>, v: UnsafePointer<Float>,
                                                du: UnsafeMutablePointer<Float>, tiles: Int, kPad: Int, cPad: Int) {
        precondition(cPad % 6 == 0, "the AVX-512 weight-gradient kernel takes input channels in blocks of 6")
        let dr = UnsafeRawPointer(dm), vr = UnsafeRawPointer(v), ur = UnsafeMutableRawPointer(du)
        let rowBytes = tiles &* 32
        var k = 0
        while k < kPad {
            var c = 0
            while c < cPad {
                var a00 = SIMD16<Float>(), a01 = SIMD16<Float>(), a02 = SIMD16<Float>()
                var a10 = SIMD16<Float>(), a11 = SIMD16<Float>(), a12 = SIMD16<Float>()
                var a20 = SIMD16<Float>(), a21 = SIMD16<Float>(), a22 = SIMD16<Float>()
                var a30 = SIMD16<Float>(), a31 = SIMD16<Float>(), a32 = SIMD16<Float>()
                let d0 = dr + k &* rowBytes, v0p = vr + c &* rowBytes
                var off = 0
                for _ in 0..<tiles {
                    @inline(__always) func pair(_ r: Int) -> SIMD16<Float> {
                        SIMD16(lowHalf: v0p.loadUnaligned(fromByteOffset: off &+ r &* rowBytes, as: SIMD8<Float>.self),
                               highHalf: v0p.loadUnaligned(fromByteOffset: off &+ (r &+ 1) &* rowBytes, as: SIMD8<Float>.self))
                    }
                    @inline(__always) func dup(_ r: Int) -> SIMD16<Float> {
                        let g = d0.loadUnaligned(fromByteOffset: off &+ r &* rowBytes, as: SIMD8<Float>.self)
                        return SIMD16(lowHalf: g, highHalf: g)
                    }
                    let v0 = pair(0), v1 = pair(2), v2 = pair(4)
                    let g0 = dup(0)
                    a00.addProduct(g0, v0); a01.addProduct(g0, v1); a02.addProduct(g0, v2)
                    let g1 = dup(1)
                    a10.addProduct(g1, v0); a11.addProduct(g1, v1); a12.addProduct(g1, v2)
                    let g2 = dup(2)
                    a20.addProduct(g2, v0); a21.addProduct(g2, v1); a22.addProduct(g2, v2)
                    let g3 = dup(3)
                    a30.addProduct(g3, v0); a31.addProduct(g3, v1); a32.addProduct(g3, v2)
                    off &+= 32
                }
                @inline(__always) func add(_ row: Int, _ x0: SIMD16<Float>, _ x1: SIMD16<Float>, _ x2: SIMD16<Float>) {
                    // Lanes 0–7 are input channel c + 2j, lanes 8–15 channel c + 2j + 1: dU row (k + row), 6 channels.
                    let o = ((k &+ row) &* cPad &+ c) &* 32
                    @inline(__always) func acc(_ at: Int, _ x: SIMD8<Float>) {
                        ur.storeBytes(of: ur.loadUnaligned(fromByteOffset: at, as: SIMD8<Float>.self) + x,
                                      toByteOffset: at, as: SIMD8<Float>.self)
                    }
                    acc(o, x0.lowHalf); acc(o &+ 32, x0.highHalf)
                    acc(o &+ 64, x1.lowHalf); acc(o &+ 96, x1.highHalf)
                    acc(o &+ 128, x2.lowHalf); acc(o &+ 160, x2.highHalf)
                }
                add(0, a00, a01, a02); add(1, a10, a11, a12); add(2, a20, a21, a22); add(3, a30, a31, a32)
                c &+= 6
            }
            k &+= 4
        }
    }
}
