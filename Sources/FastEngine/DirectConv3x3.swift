// Direct 3×3 stride-1 pad-1 convolution for NCHW maps whose width is a multiple of 8:
// no im2col, no GEMM packing. Also gives the input gradient (the same convolution of
// dy with the kernel transposed and turned by 180°).
// N batch, C input / O output channels, H, W; Wp = W + 2 is the padded row length.

import TensorCore

/// Weights of a 3×3 convolution regrouped for `DirectConv3x3.image`: blocks of 4 output
/// channels, `[⌈O/4⌉][C][9][4]`, zero for the channels past O.
struct DirectConv3x3Weights {
    let outChannels: Int, inChannels: Int
    let data: [Float]

    /// `weight(o, c, tap)` is the kernel value for output o, input c, tap = ky·3 + kx.
    init(outChannels o: Int, inChannels c: Int, _ weight: (Int, Int, Int) -> Float) {
        outChannels = o; inChannels = c
        let blocks = (o + 3) / 4
        var d = [Float](repeating: 0, count: blocks * c * 36)
        for ob in 0..<blocks {
            for ci in 0..<c {
                for t in 0..<9 {
                    for j in 0..<4 where ob * 4 + j < o {
                        d[((ob * c + ci) * 9 + t) * 4 + j] = weight(ob * 4 + j, ci, t)
                    }
                }
            }
        }
        data = d
    }

    /// Forward weights from `w [O, C, 3, 3]`.
    static func forward(_ w: UnsafePointer<Float>, o: Int, c: Int) -> DirectConv3x3Weights {
        DirectConv3x3Weights(outChannels: o, inChannels: c) { oo, ci, t in w[(oo * c + ci) * 9 + t] }
    }

    /// Input-gradient weights: dx = conv(dy, W′) with W′[c, o, t] = W[o, c, 8 − t].
    static func inputGradient(_ w: UnsafePointer<Float>, o: Int, c: Int) -> DirectConv3x3Weights {
        DirectConv3x3Weights(outChannels: c, inChannels: o) { ci, oo, t in w[(oo * c + ci) * 9 + 8 - t] }
    }
}

enum DirectConv3x3 {
    /// Whether the direct kernel computes this convolution: 3×3, stride 1, padding 1,
    /// ungrouped, width a multiple of 8 (one SIMD8 vector per 8 output columns).
    static func applies(_ g: ConvGeometry) -> Bool {
        g.k == 3 && g.stride == 1 && g.pad == 1 && g.groups == 1 && g.w % 8 == 0 && g.w >= 8
    }

    /// Copies one image's `c` planes into `padded` ([c][H+2][W+2]) with a zero border.
    /// The border of `padded` must already be zero (only the interior is written).
    @inline(__always)
    static func pad(_ x: UnsafePointer<Float>, c: Int, h: Int, w: Int, into padded: UnsafeMutablePointer<Float>) {
        let wp = w &+ 2, plane = (h &+ 2) &* wp
        for ci in 0..<c {
            let src = x + ci &* h &* w, dst = padded + (ci &* plane &+ wp &+ 1)
            for i in 0..<h { (dst + i &* wp).update(from: src + i &* w, count: w) }
        }
    }

    /// y[o, i, j] = Σ_c Σ_{ky,kx} P[c, i + ky, j + kx] · W[o, c, ky·3 + kx] for one image, with P
    /// the zero-padded input ([C][H+2][W+2]) and `weights` from `DirectConv3x3Weights`.
    ///
    /// Register block: 4 output channels × 2 vectors of 8 outputs (two column blocks of a
    /// row, or one block of two rows when W = 8): per tap 2 input loads and 4 weight
    /// broadcasts feed 8 FMAs. Sums run over c, then taps, in Float.
    static func image(padded: UnsafePointer<Float>, h: Int, w: Int, weights: DirectConv3x3Weights,
                      y: UnsafeMutablePointer<Float>) {
        let c = weights.inChannels, o = weights.outChannels
        let wp = w &+ 2, plane = (h &+ 2) &* wp
        let blocksPerRow = w / 8, slots = h &* blocksPerRow
        // Offset of tap (ky, kx) in the padded plane: ky·Wp + kx.
        let t0 = 0, t1 = 1, t2 = 2, t3 = wp, t4 = wp &+ 1, t5 = wp &+ 2
        let t6 = 2 &* wp, t7 = 2 &* wp &+ 1, t8 = 2 &* wp &+ 2
        weights.data.withUnsafeBufferPointer { wb in
            let wbase = wb.baseAddress!
            for ob in 0..<((o &+ 3) / 4) {
                let wblock = wbase + ob &* c &* 36
                var s = 0
                while s < slots {
                    let s1 = s &+ 1 < slots ? s &+ 1 : s
                    let base0 = (s / blocksPerRow) &* wp &+ (s % blocksPerRow) &* 8
                    let base1 = (s1 / blocksPerRow) &* wp &+ (s1 % blocksPerRow) &* 8
                    var a00 = SIMD8<Float>(), a01 = SIMD8<Float>(), a10 = SIMD8<Float>(), a11 = SIMD8<Float>()
                    var a20 = SIMD8<Float>(), a21 = SIMD8<Float>(), a30 = SIMD8<Float>(), a31 = SIMD8<Float>()
                    for ci in 0..<c {
                        let p = UnsafeRawPointer(padded + ci &* plane)
                        let wc = wblock + ci &* 36
                        let b0 = base0 &* 4, b1 = base1 &* 4
                        tap(p, b0, b1, t0, wc, &a00, &a01, &a10, &a11, &a20, &a21, &a30, &a31)
                        tap(p, b0, b1, t1, wc + 4, &a00, &a01, &a10, &a11, &a20, &a21, &a30, &a31)
                        tap(p, b0, b1, t2, wc + 8, &a00, &a01, &a10, &a11, &a20, &a21, &a30, &a31)
                        tap(p, b0, b1, t3, wc + 12, &a00, &a01, &a10, &a11, &a20, &a21, &a30, &a31)
                        tap(p, b0, b1, t4, wc + 16, &a00, &a01, &a10, &a11, &a20, &a21, &a30, &a31)
                        tap(p, b0, b1, t5, wc + 20, &a00, &a01, &a10, &a11, &a20, &a21, &a30, &a31)
                        tap(p, b0, b1, t6, wc + 24, &a00, &a01, &a10, &a11, &a20, &a21, &a30, &a31)
                        tap(p, b0, b1, t7, wc + 28, &a00, &a01, &a10, &a11, &a20, &a21, &a30, &a31)
                        tap(p, b0, b1, t8, wc + 32, &a00, &a01, &a10, &a11, &a20, &a21, &a30, &a31)
                    }
                    let out0 = ((s / blocksPerRow) &* w &+ (s % blocksPerRow) &* 8) &* 4
                    let out1 = ((s1 / blocksPerRow) &* w &+ (s1 % blocksPerRow) &* 8) &* 4
                    let o0 = ob &* 4
                    store(y, o0, o, h &* w, out0, out1, s1 != s, a00, a01)
                    store(y, o0 &+ 1, o, h &* w, out0, out1, s1 != s, a10, a11)
                    store(y, o0 &+ 2, o, h &* w, out0, out1, s1 != s, a20, a21)
                    store(y, o0 &+ 3, o, h &* w, out0, out1, s1 != s, a30, a31)
                    s &+= 2
                }
            }
        }
    }

    /// One tap of the 4 × 2 register block: two input vectors (byte offsets b0, b1, plus the
    /// tap's offset in floats) times four broadcast weights.
    @inline(__always)
    static func tap(_ p: UnsafeRawPointer, _ b0: Int, _ b1: Int, _ off: Int, _ wt: UnsafePointer<Float>,
                    _ a00: inout SIMD8<Float>, _ a01: inout SIMD8<Float>, _ a10: inout SIMD8<Float>,
                    _ a11: inout SIMD8<Float>, _ a20: inout SIMD8<Float>, _ a21: inout SIMD8<Float>,
                    _ a30: inout SIMD8<Float>, _ a31: inout SIMD8<Float>) {
        let v0 = p.loadUnaligned(fromByteOffset: b0 &+ off &* 4, as: SIMD8<Float>.self)
        let v1 = p.loadUnaligned(fromByteOffset: b1 &+ off &* 4, as: SIMD8<Float>.self)
        let w0 = SIMD8<Float>(repeating: wt[0]), w1 = SIMD8<Float>(repeating: wt[1])
        let w2 = SIMD8<Float>(repeating: wt[2]), w3 = SIMD8<Float>(repeating: wt[3])
        a00 = a00.addingProduct(v0, w0); a01 = a01.addingProduct(v1, w0)
        a10 = a10.addingProduct(v0, w1); a11 = a11.addingProduct(v1, w1)
        a20 = a20.addingProduct(v0, w2); a21 = a21.addingProduct(v1, w2)
        a30 = a30.addingProduct(v0, w3); a31 = a31.addingProduct(v1, w3)
    }

    /// Stores output channel `oc`'s two vectors (byte offsets out0, out1 in its plane) when oc < o.
    @inline(__always)
    static func store(_ y: UnsafeMutablePointer<Float>, _ oc: Int, _ o: Int, _ plane: Int, _ out0: Int, _ out1: Int,
                      _ second: Bool, _ v0: SIMD8<Float>, _ v1: SIMD8<Float>) {
        guard oc < o else { return }
        let yo = UnsafeMutableRawPointer(y + oc &* plane)
        yo.storeBytes(of: v0, toByteOffset: out0, as: SIMD8<Float>.self)
        if second { yo.storeBytes(of: v1, toByteOffset: out1, as: SIMD8<Float>.self) }
    }
}

extension FastEngine {
    /// The forward of a conv `DirectConv3x3.applies` to, images split over threads.
    func directConv3x3(_ x: Tensor, weight: Tensor, _ g: ConvGeometry) -> [Float] {
        let packed = weight.data.withUnsafeBufferPointer {
            DirectConv3x3Weights.forward($0.baseAddress!, o: g.o, c: g.c)
        }
        return directConv3x3Images(x.data, channels: g.c, n: g.n, h: g.h, w: g.w, weights: packed)
    }

    /// dx of a conv `DirectConv3x3.applies` to: conv(dy, W′), W′[c, o] = W[o, c] turned 180°.
    func directConv3x3InputGradient(_ dy: Tensor, weight: Tensor, _ g: ConvGeometry) -> [Float] {
        let packed = weight.data.withUnsafeBufferPointer {
            DirectConv3x3Weights.inputGradient($0.baseAddress!, o: g.o, c: g.c)
        }
        return directConv3x3Images(dy.data, channels: g.o, n: g.n, h: g.h, w: g.w, weights: packed)
    }

    private func directConv3x3Images(_ input: [Float], channels: Int, n: Int, h: Int, w: Int,
                                     weights: DirectConv3x3Weights) -> [Float] {
        let outPlane = weights.outChannels * h * w, inPlane = channels * h * w
        let parts = partsFor(work: n * outPlane * channels * 9, units: n, threads: threads)
        return makeArray(n * outPlane) { yp in
            input.withUnsafeBufferPointer { xb in
                let xp = xb.baseAddress!
                parallelParts(parts) { part in
                    var padded = [Float](repeating: 0, count: channels * (h + 2) * (w + 2))
                    padded.withUnsafeMutableBufferPointer { pb in
                        let pp = pb.baseAddress!
                        for img in partRange(part, of: parts, count: n) {
                            DirectConv3x3.pad(xp + img &* inPlane, c: channels, h: h, w: w, into: pp)
                            DirectConv3x3.image(padded: pp, h: h, w: w, weights: weights, y: yp + img &* outPlane)
                        }
                    }
                }
            }
        }
    }
}
