// Winograd F(4×4, 3×3) tile transforms and the lane-batched products between them
// (Lavin & Gray 2016, "Fast Algorithms for Convolutional Neural Networks", eq. 8–10).
// A 6×6 input tile d gives a 4×4 output tile Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A: 36 products
// per tile instead of 144. A transformed tile is stored as 6 SIMD8 rows i (lanes j, lanes
// 6 and 7 unused), so the 36 element-wise GEMMs run as 6 GEMMs of 8-lane vectors.
// N batch, C input / O output channels, H, W; T tiles of a chunk; i, j the frequency row / column.

import TensorCore

/// The F(4×4, 3×3) matrices Bᵀ (6×6), G (6×3) and Aᵀ (4×6) as the code uses them.
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

    /// Columns of Bᵀ as lane vectors: lane j of `bt[s]` is Bᵀ[j][s].
    static let btColumns: [SIMD8<Float>] = [
        [4, 0, 0, 0, 0, 0, 0, 0],
        [0, -4, 4, -2, 2, 4, 0, 0],
        [-5, -4, -4, -1, -1, 0, 0, 0],
        [0, 1, -1, 2, -2, -5, 0, 0],
        [1, 1, 1, 1, 1, 0, 0, 0],
        [0, 0, 0, 0, 0, 1, 0, 0],
    ]
    /// Columns of Aᵀ as 4-lane vectors: lane b of `atColumns[j]` is Aᵀ[b][j].
    static let atColumns: [SIMD4<Float>] = [[1, 0, 0, 0], [1, 1, 1, 1], [1, -1, 1, -1],
                                            [1, 2, 4, 8], [1, -2, 4, -8], [0, 0, 0, 1]]
    /// Rows of Aᵀ as lane vectors: lane j of `atRows[b]` is Aᵀ[b][j].
    static let atRows: [SIMD8<Float>] = [
        [1, 1, 1, 1, 1, 0, 0, 0],
        [0, 1, -1, 2, -2, 0, 0, 0],
        [0, 1, 1, 4, 4, 0, 0, 0],
        [0, 1, -1, 8, -8, 1, 0, 0],
    ]
    /// G (6×3), row-major.
    static let g: [Float] = [1.0 / 4, 0, 0,
                             -1.0 / 6, -1.0 / 6, -1.0 / 6,
                             -1.0 / 6, 1.0 / 6, -1.0 / 6,
                             1.0 / 24, 1.0 / 12, 1.0 / 6,
                             1.0 / 24, -1.0 / 12, 1.0 / 6,
                             0, 0, 1]

    /// U = G k Gᵀ of one 3×3 kernel `k` (row-major, element (p, q) at k[p·3 + q]), written as
    /// 6 rows of 8 floats (lanes 6, 7 zero) with row stride `rowStride` floats.
    /// NOTE: called O·C times per convolution, so its scratch lives on the stack, not the heap.
    static func transformKernel(_ k: (Int, Int) -> Float, into u: UnsafeMutablePointer<Float>, rowStride: Int) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 18) { gk in   // G·k, 6×3
            for i in 0..<6 { for q in 0..<3 {
                var s: Float = 0
                for p in 0..<3 { s += g[i * 3 + p] * k(p, q) }
                gk[i * 3 + q] = s
            } }
            for i in 0..<6 {
                for j in 0..<8 {
                    var s: Float = 0
                    if j < 6 { for q in 0..<3 { s += gk[i * 3 + q] * g[j * 3 + q] } }
                    u[i * rowStride + j] = s
                }
            }
        }
    }

    /// dk = Gᵀ dU G: the gradient of one 3×3 kernel from the gradient of its transform
    /// (6 rows of 8 floats, row stride `rowStride`), written row-major (9 values) to `out`.
    static func kernelGradient(_ du: UnsafePointer<Float>, rowStride: Int, into out: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 18) { t in   // Gᵀ dU, 3×6
            for p in 0..<3 { for j in 0..<6 {
                var s: Float = 0
                for i in 0..<6 { s += g[i * 3 + p] * du[i * rowStride + j] }
                t[p * 6 + j] = s
            } }
            for p in 0..<3 { for q in 0..<3 {
                var s: Float = 0
                for j in 0..<6 { s += t[p * 6 + j] * g[j * 3 + q] }
                out[p * 3 + q] = s
            } }
        }
    }

    /// V = Bᵀ d B of the 6×6 tile whose top-left is `p` (row stride `ld`), stored as row i at
    /// `v + i·rowStride` (8 lanes, lanes 6, 7 zero).
    /// NOTE: each row's 1-D transform takes its 6 inputs as broadcast loads from memory; taking
    /// them as lanes of a loaded vector made LLVM scalarise the whole tile (6× the instructions).
    @inline(__always)
    static func transformInputTile(_ p: UnsafePointer<Float>, ld: Int, _ v: UnsafeMutablePointer<Float>,
                                   rowStride: Int, _ bt: UnsafePointer<SIMD8<Float>>) {
        let b0 = bt[0], b1 = bt[1], b2 = bt[2], b3 = bt[3], b4 = bt[4], b5 = bt[5]
        @inline(__always) func row(_ r: Int) -> SIMD8<Float> {
            // d_r B: lane j = Σ_s d[r][s]·Bᵀ[j][s].
            let q = p + r &* ld
            var acc = b0 * SIMD8(repeating: q[0])
            acc.addProduct(b1, SIMD8(repeating: q[1]))
            acc.addProduct(b2, SIMD8(repeating: q[2]))
            acc.addProduct(b3, SIMD8(repeating: q[3]))
            acc.addProduct(b4, SIMD8(repeating: q[4]))
            acc.addProduct(b5, SIMD8(repeating: q[5]))
            return acc
        }
        let h0 = row(0), h1 = row(1), h2 = row(2), h3 = row(3), h4 = row(4), h5 = row(5)
        // Bᵀ (d B): rows i, lanes j.
        let out = UnsafeMutableRawPointer(v)
        let stride = rowStride &* 4
        out.storeBytes(of: 4 * h0 - 5 * h2 + h4, toByteOffset: 0, as: SIMD8<Float>.self)
        out.storeBytes(of: h3 + h4 - 4 * (h1 + h2), toByteOffset: stride, as: SIMD8<Float>.self)
        out.storeBytes(of: 4 * (h1 - h2) - h3 + h4, toByteOffset: 2 &* stride, as: SIMD8<Float>.self)
        out.storeBytes(of: 2 * (h3 - h1) - h2 + h4, toByteOffset: 3 &* stride, as: SIMD8<Float>.self)
        out.storeBytes(of: 2 * (h1 - h3) - h2 + h4, toByteOffset: 4 &* stride, as: SIMD8<Float>.self)
        out.storeBytes(of: 4 * h1 - 5 * h3 + h5, toByteOffset: 5 &* stride, as: SIMD8<Float>.self)
    }

    /// Y = Aᵀ M A of one transformed product tile (rows i at `m + i·rowStride`): the 4×4 output
    /// rows, lanes b (columns).
    @inline(__always)
    static func transformOutputTile(_ m: UnsafePointer<Float>, rowStride: Int,
                                    _ at: UnsafePointer<SIMD4<Float>>) -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
        let a0 = at[0], a1 = at[1], a2 = at[2], a3 = at[3], a4 = at[4], a5 = at[5]
        @inline(__always) func row(_ i: Int) -> SIMD4<Float> {
            // M_i A: lane b = Σ_j M[i][j]·Aᵀ[b][j].
            let q = m + i &* rowStride
            var acc = a0 * SIMD4(repeating: q[0])
            acc.addProduct(a1, SIMD4(repeating: q[1]))
            acc.addProduct(a2, SIMD4(repeating: q[2]))
            acc.addProduct(a3, SIMD4(repeating: q[3]))
            acc.addProduct(a4, SIMD4(repeating: q[4]))
            acc.addProduct(a5, SIMD4(repeating: q[5]))
            return acc
        }
        let q0 = row(0), q1 = row(1), q2 = row(2), q3 = row(3), q4 = row(4), q5 = row(5)
        // Aᵀ (M A): rows a.
        let s12 = q1 + q2, d12 = q1 - q2, s34 = q3 + q4, d34 = q3 - q4
        return (q0 + s12 + s34, d12 + 2 * d34, s12 + 4 * s34, d12 + 8 * d34 + q5)
    }

    /// dM = A dY Aᵀ of one 4×4 output-gradient tile (rows a at `d + a·ld`), the transpose of
    /// `transformOutputTile`, stored as rows i at `dm + i·rowStride` (8 lanes, 6, 7 zero).
    @inline(__always)
    static func transformOutputGradientTile(_ d: UnsafePointer<Float>, ld: Int, _ dm: UnsafeMutablePointer<Float>,
                                            rowStride: Int, _ ar: UnsafePointer<SIMD8<Float>>) {
        let c0 = ar[0], c1 = ar[1], c2 = ar[2], c3 = ar[3]
        @inline(__always) func row(_ a: Int) -> SIMD8<Float> {
            // dY_a Aᵀ: lane j = Σ_b dY[a][b]·Aᵀ[b][j].
            let q = d + a &* ld
            var acc = c0 * SIMD8(repeating: q[0])
            acc.addProduct(c1, SIMD8(repeating: q[1]))
            acc.addProduct(c2, SIMD8(repeating: q[2]))
            acc.addProduct(c3, SIMD8(repeating: q[3]))
            return acc
        }
        let r0 = row(0), r1 = row(1), r2 = row(2), r3 = row(3)
        // A (dY Aᵀ): rows i, dM_i = Σ_a Aᵀ[a][i]·r_a.
        let s02 = r0 + r2, s13 = r1 + r3, q = r0 + 4 * r2, e = 2 * r1 + 8 * r3
        let out = UnsafeMutableRawPointer(dm), stride = rowStride &* 4
        out.storeBytes(of: r0, toByteOffset: 0, as: SIMD8<Float>.self)
        out.storeBytes(of: s02 + s13, toByteOffset: stride, as: SIMD8<Float>.self)
        out.storeBytes(of: s02 - s13, toByteOffset: 2 &* stride, as: SIMD8<Float>.self)
        out.storeBytes(of: q + e, toByteOffset: 3 &* stride, as: SIMD8<Float>.self)
        out.storeBytes(of: q - e, toByteOffset: 4 &* stride, as: SIMD8<Float>.self)
        out.storeBytes(of: r3, toByteOffset: 5 &* stride, as: SIMD8<Float>.self)
    }
}
