// Winograd F(4×4, 3×3)'s kernel transform U = G k Gᵀ for the products, 8 kernels a vector,
// shared by the batch convolutions (`FastEngine+Winograd.swift`) and the per-image ones
// (`SampleKernelWinograd.swift`); its scalar twin is `Winograd4x4.transformKernel`.
// O output / C input channels; kPad = O rounded up to 4.

import TensorCore

/// Transformed 3×3 kernels `[36][kPad/4][C][4]` (frequency 6i + j; kPad = O rounded up to 4)
/// for `Winograd4x4.multiply`.
struct WinogradKernels {
    let outChannels: Int, inChannels: Int, kPad: Int
    let data: [Float]

    /// Floats between consecutive frequencies.
    var positionStride: Int { kPad * inChannels }

    /// `kernel(o, c)` points at the 3×3 kernel (row-major) for output o, input c; `turned`
    /// transforms it turned by 180°.
    /// `parts` > 1 splits the blocks of 4 output channels over threads (each writes its own floats of U).
    init(outChannels o: Int, inChannels c: Int, turned: Bool, parts: Int = 1,
         _ kernel: (Int, Int) -> UnsafePointer<Float>) {
        let padded = (o + 3) / 4 * 4, stride = padded * c, blocks = padded / 4
        outChannels = o; inChannels = c; kPad = padded
        data = [Float](unsafeUninitializedCapacity: 36 * stride) { buf, initialized in
            let u = buf.baseAddress!
            if parts <= 1 {
                Self.transform(outChannels: o, inChannels: c, turned: turned, into: u, kernel)
            } else {
                parallelParts(parts) { part in
                    Self.transform(outChannels: o, inChannels: c, turned: turned, into: u,
                                   blocks: partRange(part, of: parts, count: blocks), kernel)
                }
            }
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
    /// `blocks`: the blocks of 4 output channels to transform (default all).
    @inline(__always)
    static func transform(outChannels o: Int, inChannels c: Int, turned: Bool, into u: UnsafeMutablePointer<Float>,
                          blocks: Range<Int>? = nil, _ kernel: (Int, Int) -> UnsafePointer<Float>) {
        let stride = (o + 3) / 4 * 4 * c, out = UnsafeMutableRawPointer(u)
        let range = blocks ?? 0..<((o + 3) / 4)
        zeroKernel.withUnsafeBufferPointer { zb in
            let zero = zb.baseAddress!
            var ob = range.lowerBound &* 4
            while ob < min(o, range.upperBound &* 4) {
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

    /// `transform` (not turned) of the per-image kernels W[o,c,t] = K[o,c,t] · 2/(1 + u[o,t]·v[c,t])
    /// with the gates computed in the lanes — `AWKernelModulation.write`'s elementwise operations,
    /// so U has the bits of `write` then `transform`, without writing W or gathering it lane by lane.
    /// kernelT: K transposed `[C·9][O]`; uT: u transposed `[9][O]`; v `[C][9]`.
    /// NOTE: O a multiple of 4 and C even (the lanes (c, o…o+3), (c + 1, o…o+3) are whole).
    static func transformGated(outChannels o: Int, inChannels c: Int, kernelT: UnsafePointer<Float>,
                               uT: UnsafePointer<Float>, v: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        precondition(o % 4 == 0 && c % 2 == 0, "gated kernel transform: O a multiple of 4, C even")
        let stride = o &* c, out = UnsafeMutableRawPointer(u)
        let kr = UnsafeRawPointer(kernelT), ur = UnsafeRawPointer(uT)
        let one = SIMD8<Float>(repeating: 1), two = SIMD8<Float>(repeating: 2)
        var ob = 0
        while ob < o {
            var ci = 0
            while ci < c {
                @inline(__always) func tap(_ p: Int, _ q: Int) -> SIMD8<Float> {
                    let t = 3 &* p &+ q
                    let k = SIMD8(lowHalf: kr.loadUnaligned(fromByteOffset: ((ci &* 9 &+ t) &* o &+ ob) &* 4, as: SIMD4<Float>.self),
                                  highHalf: kr.loadUnaligned(fromByteOffset: (((ci &+ 1) &* 9 &+ t) &* o &+ ob) &* 4,
                                                             as: SIMD4<Float>.self))
                    let ea4 = ur.loadUnaligned(fromByteOffset: (t &* o &+ ob) &* 4, as: SIMD4<Float>.self)
                    let eb = SIMD8(lowHalf: SIMD4(repeating: v[ci &* 9 &+ t]), highHalf: SIMD4(repeating: v[(ci &+ 1) &* 9 &+ t]))
                    return k * (two / (one + SIMD8(lowHalf: ea4, highHalf: ea4) * eb))
                }
                let base = (ob &* c &+ ci &* 4) &* 4
                transformKernelLanes(tap) { f, value in
                    out.storeBytes(of: value, toByteOffset: base &+ f &* stride &* 4, as: SIMD8<Float>.self)
                }
                ci &+= 2
            }
            ob &+= 4
        }
    }

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

    static func forward(_ w: UnsafePointer<Float>, o: Int, c: Int, threads: Int = 1) -> WinogradKernels {
        WinogradKernels(outChannels: o, inChannels: c, turned: false, parts: parts(o, c, threads)) { oo, ci in
            w + (oo * c + ci) * 9
        }
    }

    /// dx = conv(dy, W′) with W′[c, o, p, q] = W[o, c, 2 − p, 2 − q].
    static func inputGradient(_ w: UnsafePointer<Float>, o: Int, c: Int, threads: Int = 1) -> WinogradKernels {
        WinogradKernels(outChannels: c, inChannels: o, turned: true, parts: parts(c, o, threads)) { ci, oo in
            w + (oo * c + ci) * 9
        }
    }

    /// Threads for transforming `o`·`c` kernels (36 floats each written): one below ~2¹⁵ floats.
    private static func parts(_ o: Int, _ c: Int, _ threads: Int) -> Int {
        partsFor(work: 36 &* o &* c, units: (o + 3) / 4, threads: threads)
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
}
