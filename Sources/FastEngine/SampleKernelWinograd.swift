// Per-image-kernel 3×3 convolutions (the AW-convolution) by Winograd F(4×4, 3×3): each image is
// one chunk, and its own kernel W_n is transformed (U_n = G W_n Gᵀ) for its own tiles only — the
// forward, the input gradient, and the gradient of W_n (dW_n = Gᵀ dU_n G).
// C input / O output channels, H, W; T tiles of one image (tPad rounded up to 16).

import WinogradAVX512

/// One thread's buffers and steps for the per-image Winograd convolutions of one geometry.
/// The transforms, products and tile layouts are the batch Winograd kernels'
/// (`FastEngine+Winograd.swift`, `FastEngine+WinogradWeightGradient.swift`), with the chunk
/// being a single image so that every product uses that image's U_n.
final class SampleKernelWinograd {
    let c: Int, o: Int, h: Int, w: Int
    private let plan: WinogradPlan
    private let phases: Winograd4x4.PhasePlanes
    private let layout: WinogradChunkLayout
    private let avx512: Bool
    /// Output channels of the forward (O) and of the input gradient (C), padded to 4.
    private let oPad: Int, cPad4: Int
    /// The weight gradient's blocks: input channels padded to 8, output channels to 16.
    private let cPad8: Int, kPad16: Int
    private let q: UnsafeMutablePointer<Float>
    private let uForward: UnsafeMutablePointer<Float>, uGradient: UnsafeMutablePointer<Float>
    private let vForward: UnsafeMutablePointer<Float>, vGradient: UnsafeMutablePointer<Float>
    private let vKernel: UnsafeMutablePointer<Float>
    private let m: UnsafeMutablePointer<Float>
    private let dm: UnsafeMutablePointer<Float>, du: UnsafeMutablePointer<Float>
    private let dyT: UnsafeMutablePointer<Float>
    private let sizes: [Int]

    /// The geometry of a 3×3 stride-1 pad-1 convolution, C → O channels on H × W maps.
    init(c: Int, o: Int, h: Int, w: Int, avx512: Bool) {
        self.c = c; self.o = o; self.h = h; self.w = w; self.avx512 = avx512
        plan = WinogradPlan(n: 1, h: h, w: w)
        phases = Winograd4x4.PhasePlanes(plan: plan)
        layout = WinogradChunkLayout(plan: plan, phases: phases, outImage: o * h * w)
        oPad = (o + 3) / 4 * 4; cPad4 = (c + 3) / 4 * 4
        cPad8 = (c + 7) / 8 * 8; kPad16 = (o + 15) / 16 * 16
        let tPad = layout.tPad
        let imageT = 4 * plan.tilesHigh * 4 * plan.tilesWide * kPad16
        sizes = [2 * phases.count, 36 * oPad * c, 36 * cPad4 * o, 36 * (c * tPad + 16), 36 * (o * tPad + 16),
                 36 * (cPad8 * tPad + 16), 36 * (max(oPad, cPad4) * tPad + 16), 36 * (layout.tiles * kPad16 + 16),
                 36 * (cPad8 * kPad16 + 16), imageT]
        // Zero everywhere: the padding lanes (channels past C or O, planes past the image, V's rows
        // past C in the weight gradient) are read as zeros and never written.
        // On cache lines, for the 16-lane transforms and products.
        let buffers = sizes.map { n -> UnsafeMutablePointer<Float> in
            let b = UnsafeMutableRawPointer.allocate(byteCount: n * 4, alignment: 64).bindMemory(to: Float.self, capacity: n)
            b.initialize(repeating: 0, count: n)
            return b
        }
        q = buffers[0]; uForward = buffers[1]; uGradient = buffers[2]; vForward = buffers[3]
        vGradient = buffers[4]; vKernel = buffers[5]; m = buffers[6]; dm = buffers[7]; du = buffers[8]
        dyT = buffers[9]
    }

    deinit {
        for b in [q, uForward, uGradient, vForward, vGradient, vKernel, m, dm, du, dyT] { UnsafeMutableRawPointer(b).deallocate() }
    }

    /// y_n = conv3x3(x_n, W_n): `image` [C, H, W], `kernel` W_n [O, C, 3, 3], `y` [O, H, W].
    func forward(image: UnsafePointer<Float>, kernel: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let c = c
        WinogradKernels.transform(outChannels: o, inChannels: c, turned: false, into: uForward) { oo, ci in
            kernel + (oo &* c &+ ci) &* 9
        }
        convolve(image, channels: c, u: uForward, v: vForward, outChannels: o, kPad: oPad, into: y)
    }

    /// `forward` with W_n = K ⊙ 2/(1 + u·v) made inside the kernel transform
    /// (`WinogradKernels.transformGated`: the same U, bit for bit): kernelT `[C·9][O]`, uT `[9][O]`
    /// this image's u transposed, v `[C][9]` this image's.
    func forward(image: UnsafePointer<Float>, kernelT: UnsafePointer<Float>, uT: UnsafePointer<Float>,
                 v: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        WinogradKernels.transformGated(outChannels: o, inChannels: c, kernelT: kernelT, uT: uT, v: v, into: uForward)
        convolve(image, channels: c, u: uForward, v: vForward, outChannels: o, kPad: oPad, into: y)
    }

    /// dx_n = conv3x3(dy_n, W′_n), W′_n[c, o] = W_n[o, c] turned by 180°: `dy` [O, H, W], `dx` [C, H, W].
    func inputGradient(dy: UnsafePointer<Float>, kernel: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        let c = c
        WinogradKernels.transform(outChannels: c, inChannels: o, turned: true, into: uGradient) { ci, oo in
            kernel + (oo &* c &+ ci) &* 9
        }
        convolve(dy, channels: o, u: uGradient, v: vGradient, outChannels: c, kPad: cPad4, into: dx)
    }

    /// V = Bᵀ d B of the image's tiles, M = U ⊙ V summed over input channels per frequency,
    /// Y = Aᵀ M A stored into the output planes.
    private func convolve(_ input: UnsafePointer<Float>, channels: Int, u: UnsafePointer<Float>,
                          v: UnsafeMutablePointer<Float>, outChannels: Int, kPad: Int,
                          into out: UnsafeMutablePointer<Float>) {
        let tPad = layout.tPad, vStride = channels * tPad + 16, mStride = kPad * tPad + 16
        let uStride = kPad * channels
        layout.segmentOffsets.withUnsafeBufferPointer { sb in
            layout.transformInput(input, first: 0, count: 1, channels: channels, plan: plan, phases: phases,
                                  segments: sb.baseAddress!, q: q, v: v, positionStride: vStride)
        }
        FastEngine.winogradProducts(u: u, uStride: uStride, v: v, vStride: vStride, m: m, mStride: mStride,
                                    c: channels, kPad: kPad, tPad: tPad, avx512: avx512)
        layout.outputOffsets.withUnsafeBufferPointer { ob in
        layout.rowsInside.withUnsafeBufferPointer { rb in
        layout.columnsInside.withUnsafeBufferPointer { cb in
            layout.transformOutput(m, positionStride: mStride, channels: outChannels, used: layout.tiles, plan: plan,
                                   outputs: ob.baseAddress!, rowsInside: rb.baseAddress!,
                                   columnsInside: cb.baseAddress!, into: out)
        }
        }
        }
    }

    /// ∂L/∂W_n [O, C, 3, 3] = Gᵀ dU_n G with dU_n = Σ_tiles (A dy Aᵀ) ⊙ (Bᵀ x B): `image` x_n
    /// [C, H, W], `dy` [O, H, W].
    func kernelGradient(image: UnsafePointer<Float>, dy: UnsafePointer<Float>, into dW: UnsafeMutablePointer<Float>) {
        let tPad = layout.tPad, tiles = layout.tiles, kPad = kPad16
        let vStride = cPad8 * tPad + 16, mStride = tiles * kPad + 16, duStride = cPad8 * kPad + 16
        let colsT = 4 * plan.tilesWide
        layout.segmentOffsets.withUnsafeBufferPointer { sb in
            layout.transformInput(image, first: 0, count: 1, channels: c, plan: plan, phases: phases,
                                  segments: sb.baseAddress!, q: q, v: vKernel, positionStride: vStride)
        }
        Winograd4x4.channelsLast(dy, channels: o, h: h, w: w, into: dyT, rowStride: colsT &* kPad, kPad: kPad)
        let mr = UnsafeRawPointer(dyT)
        var t = 0
        for ty in 0..<plan.tilesHigh {
            for tx in 0..<plan.tilesWide {
                let tile = (4 &* ty &* colsT &+ 4 &* tx) &* kPad
                var k = 0
                while k < kPad {
                    let base = (tile &+ k) &* 4
                    Winograd4x4.transformOutputGradientLanes({ r, s in
                        mr.loadUnaligned(fromByteOffset: base &+ (r &* colsT &+ s) &* kPad &* 4, as: SIMD8<Float>.self)
                    }, dm + (t &* kPad &+ k), positionStride: mStride)
                    k &+= 8
                }
                t &+= 1
            }
        }
        du.update(repeating: 0, count: 36 * duStride)
        for p in 0..<36 {
            let vi = UnsafePointer(vKernel + p &* vStride), mi = UnsafePointer(dm + p &* mStride), dui = du + p &* duStride
            if avx512 {
                AVX512.accumulateKernelGradient(v: vi, dm: mi, du: dui, cPad: cPad8, kPad: kPad, tiles: tiles, tPad: tPad)
            } else {
                Winograd4x4.accumulateKernelGradient(v: vi, dm: mi, du: dui, cPad: cPad8, kPad: kPad, tiles: tiles,
                                                     tPad: tPad)
            }
        }
        // dW = Gᵀ dU G, 8 output channels a vector (dU's lanes), scattered to [O, C, 3, 3]: the 9 taps'
        // vectors stored [tap][lane], then each kernel's 9 taps written as one run.
        // NOTE: not `value[l]` per lane: that went through SIMD4Storage's generic subscript, lane by lane
        // via the stack — 45 % of this function's time (perf, twenty-sixth session).
        let raw = UnsafeRawPointer(du), strideBytes = duStride &* 4
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 72) { buffer in
            let taps = buffer.baseAddress!, tapsRaw = UnsafeMutableRawPointer(taps)
            for ci in 0..<c {
                var k = 0
                while k < o {
                    let lanes = min(8, o &- k), out = dW + (k &* c &+ ci) &* 9, laneStride = c &* 9
                    Self.kernelGradientLanes(raw + (ci &* kPad &+ k) &* 4, strideBytes: strideBytes) { tap, value in
                        tapsRaw.storeBytes(of: value, toByteOffset: tap &* 32, as: SIMD8<Float>.self)
                    }
                    for l in 0..<lanes {
                        let run = out + l &* laneStride
                        for tap in 0..<9 { run[tap] = taps[tap &* 8 &+ l] }
                    }
                    k &+= 8
                }
            }
        }
    }

    /// (Gᵀ·(u0 … u5)) of `Winograd4x4.gt6`, 8 lanes at once.
    @inline(__always)
    private static func gt6(_ u0: SIMD8<Float>, _ u1: SIMD8<Float>, _ u2: SIMD8<Float>, _ u3: SIMD8<Float>,
                            _ u4: SIMD8<Float>, _ u5: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let s = u1 + u2, d = u1 - u2, p = u3 + u4, m = u3 - u4
        return (u0 * 0.25 - s * (1.0 / 6) + p * (1.0 / 24),
                -d * (1.0 / 6) + m * (1.0 / 12),
                -s * (1.0 / 6) + p * (1.0 / 6) + u5)
    }

    /// dk = Gᵀ dU G of 8 kernels: frequency (i, j) of their dU at `du + (6i + j)·strideBytes`
    /// (8 floats); `store(p·3 + q, dk_pq)`.
    @inline(__always)
    private static func kernelGradientLanes(_ du: UnsafeRawPointer, strideBytes: Int,
                                            _ store: (Int, SIMD8<Float>) -> Void) {
        @inline(__always) func ld(_ f: Int) -> SIMD8<Float> {
            du.loadUnaligned(fromByteOffset: f &* strideBytes, as: SIMD8<Float>.self)
        }
        @inline(__always) func column(_ j: Int) -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
            gt6(ld(j), ld(6 &+ j), ld(12 &+ j), ld(18 &+ j), ld(24 &+ j), ld(30 &+ j))
        }
        let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3), c4 = column(4), c5 = column(5)
        let r0 = gt6(c0.0, c1.0, c2.0, c3.0, c4.0, c5.0)
        let r1 = gt6(c0.1, c1.1, c2.1, c3.1, c4.1, c5.1)
        let r2 = gt6(c0.2, c1.2, c2.2, c3.2, c4.2, c5.2)
        store(0, r0.0); store(1, r0.1); store(2, r0.2)
        store(3, r1.0); store(4, r1.1); store(5, r1.2)
        store(6, r2.0); store(7, r2.1); store(8, r2.2)
    }
}
