// Winograd F(4×4, 3×3): the matrices, the kernel transform and the weight gradient's tile
// transforms (Lavin & Gray 2016, "Fast Algorithms for Convolutional Neural Networks", eq. 8–10).
// A 6×6 input tile d gives a 4×4 output tile Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A: 36 products
// per tile instead of 144. The tile transforms, 8 tiles or 8 channels a vector, are in
// `WinogradLanes.swift`.
// N batch, C input / O output channels, H, W; T tiles of a chunk; i, j the frequency row / column.

import TensorCore

/// F(4×4, 3×3): which convolutions it computes, and the kernel transform G k Gᵀ and its gradient.
/// - Paper: Lavin & Gray 2016, section 4.2 (interpolation points 0, ±1, ±2, ∞).
/// - NOTE: the points ±2 make the transforms grow values by up to 8×; in Float the output
///   differs from the direct sum by ~1e-5 relative (tests allow 1e-3 against the reference).
enum Winograd4x4 {
    /// Whether the Winograd kernels compute this convolution: 3×3, stride 1, padding 1,
    /// ungrouped, at least 4 input and output channels (below that the transforms cost
    /// more than the products they save).
    static func applies(_ g: ConvGeometry) -> Bool {
        g.k == 3 && g.stride == 1 && g.pad == 1 && g.groups == 1 && g.c >= 4 && g.o >= 4
    }

    /// (G·(a, b, c)) for one column or row of a 3×3 kernel, G (6×3) written out row by row:
    /// (1/4, 0, 0), −(1, 1, 1)/6, −(1, −1, 1)/6, (1/24, 1/12, 1/6), (1/24, −1/12, 1/6), (0, 0, 1).
    @inline(__always)
    static func g3(_ a: Float, _ b: Float, _ c: Float) -> (Float, Float, Float, Float, Float, Float) {
        let ac = a + c, p = a * (1.0 / 24) + c * (1.0 / 6), q = b * (1.0 / 12)
        return (a * 0.25, (ac + b) * (-1.0 / 6), (ac - b) * (-1.0 / 6), p + q, p - q, c)
    }

    /// U = G k Gᵀ of one 3×3 kernel `k` (row-major, element (p, q) at k[p·3 + q]; with `turned`,
    /// the kernel turned by 180°, k[8 − p·3 − q]); frequency (i, j) is written to u[(6i + j)·stride].
    /// NOTE: G written out as arithmetic: looping over the `g` table cost ~550 cycles a kernel, a
    /// tenth of a step for wrn-16-2's 128 → 128 convolutions (O·C kernels, twice a step).
    @inline(__always)
    static func transformKernel(_ k: UnsafePointer<Float>, turned: Bool, into u: UnsafeMutablePointer<Float>,
                                stride: Int) {
        @inline(__always) func at(_ p: Int, _ q: Int) -> Float { turned ? k[8 &- 3 &* p &- q] : k[3 &* p &+ q] }
        let c0 = g3(at(0, 0), at(1, 0), at(2, 0))
        let c1 = g3(at(0, 1), at(1, 1), at(2, 1))
        let c2 = g3(at(0, 2), at(1, 2), at(2, 2))
        @inline(__always) func row(_ i: Int, _ a: Float, _ b: Float, _ c: Float) {
            let r = g3(a, b, c), base = u + 6 &* i &* stride
            base[0] = r.0; base[stride] = r.1; base[2 &* stride] = r.2
            base[3 &* stride] = r.3; base[4 &* stride] = r.4; base[5 &* stride] = r.5
        }
        row(0, c0.0, c1.0, c2.0); row(1, c0.1, c1.1, c2.1); row(2, c0.2, c1.2, c2.2)
        row(3, c0.3, c1.3, c2.3); row(4, c0.4, c1.4, c2.4); row(5, c0.5, c1.5, c2.5)
    }

    /// (Gᵀ·(u0 … u5)) for one column or row of a transformed kernel's gradient.
    @inline(__always)
    static func gt6(_ u0: Float, _ u1: Float, _ u2: Float, _ u3: Float, _ u4: Float, _ u5: Float)
        -> (Float, Float, Float) {
        let s = u1 + u2, d = u1 - u2, p = u3 + u4, m = u3 - u4
        return (u0 * 0.25 - s * (1.0 / 6) + p * (1.0 / 24),
                -d * (1.0 / 6) + m * (1.0 / 12),
                -s * (1.0 / 6) + p * (1.0 / 6) + u5)
    }

    /// dk = Gᵀ dU G: the gradient of one 3×3 kernel from the gradient of its transform
    /// (frequency (i, j) at du[(6i + j)·stride]), written row-major (9 values) to `out`.
    @inline(__always)
    static func kernelGradient(_ du: UnsafePointer<Float>, stride: Int, into out: UnsafeMutablePointer<Float>) {
        @inline(__always) func column(_ j: Int) -> (Float, Float, Float) {
            gt6(du[j &* stride], du[(6 &+ j) &* stride], du[(12 &+ j) &* stride], du[(18 &+ j) &* stride],
                du[(24 &+ j) &* stride], du[(30 &+ j) &* stride])
        }
        let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3), c4 = column(4), c5 = column(5)
        let r0 = gt6(c0.0, c1.0, c2.0, c3.0, c4.0, c5.0)
        let r1 = gt6(c0.1, c1.1, c2.1, c3.1, c4.1, c5.1)
        let r2 = gt6(c0.2, c1.2, c2.2, c3.2, c4.2, c5.2)
        out[0] = r0.0; out[1] = r0.1; out[2] = r0.2
        out[3] = r1.0; out[4] = r1.1; out[5] = r1.2
        out[6] = r2.0; out[7] = r2.1; out[8] = r2.2
    }
}
