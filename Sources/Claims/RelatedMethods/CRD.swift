// Contrastive representation distillation (Tian, Krishnan & Isola 2020): the NCE loss of
// RepDistiller's `ContrastMemory` + `ContrastLoss`, its gradients, the memory update, the L2 head.
// N batch, F feature width, K negatives, n memory rows (training images).

import Foundation
import TensorCore

/// The pure parts of CRD: scores against a memory bank, the NCE loss and its gradient w.r.t. the
/// anchors, the momentum update of the memory, and the L2 normalisation of the embedding heads.
///
/// With anchors `v_i` (unit rows `[N, F]`), a memory `M` `[n, F]` and sample indices
/// `idx_i = (y_i, j_i1 … j_iK)` (the positive first):
///
///     P_ik = exp(⟨M[idx_ik], v_i⟩/τ) / Z                                    (ContrastMemory)
///     L    = −(1/N) Σ_i [ log(P_i0/(P_i0 + K/n + ε)) + Σ_{k≥1} log((K/n)/(P_ik + K/n + ε)) ]   (ContrastLoss)
///     crd  = L(v_s; M_t) + L(v_t; M_s)                                      (CRDLoss)
///
/// ε = 1e-7. Z is set once, from the first batch: `Z = n · mean_ik exp(⟨M[idx_ik], v_i⟩/τ)`, per side.
/// - Paper: Tian et al. 2020, eqs. (10)–(18): the critic `h(T, S) = exp(⟨g_T(t), g_S(s)⟩/τ)/(… + N/M)`
///   with linear + L2-normalised heads, noise-contrastive estimation with N negatives and the
///   memory buffer updated by momentum [recollection: the paper text was not reachable here].
/// - Reference: RepDistiller `crd/criterion.py` (`CRDLoss`, `ContrastLoss`, `Embed`, `Normalize`)
///   and `crd/memory.py` (`ContrastMemory`).
/// - Deviation: none in the formulas. The scores are Float dot products (PyTorch's `bmm` in float32);
///   sums over the batch are accumulated in Double.
public enum CRD {
    /// RepDistiller's `eps` in `ContrastLoss`.
    public static let epsilon = 1e-7

    /// The loss of one side and its gradient w.r.t. the anchors.
    public struct Side: Sendable {
        /// `L` above (unweighted).
        public var value: Float
        /// `∂L/∂v` `[N, F]`.
        public var dAnchor: Tensor
        /// The Z used (computed when the given one was < 0).
        public var normalization: Float
    }

    /// `L(v; M)` and `∂L/∂v` for anchors `anchor` `[N, F]` against `memory` `[n, F]` at
    /// `indices` (`N·(K+1)`, row-major, the positive first). `normalization` < 0 means unset: Z is
    /// then computed from this batch (and returned). The products run on `engine`.
    ///
    /// NOTE: each of the n memory rows is drawn ~N·K/n times per batch (≈ 42 for CIFAR-10 at
    /// N = 128, K = 16384), so the scores come from the dense `V·Mᵀ` (`engine.linear`, `[N, n]`) and
    /// the anchors' gradient from `C·M` (`engine.matmul`) with `C[i, r] = Σ_{k: idx_ik = r} ∂L/∂s_ik` — two GEMMs of
    /// N·n·F instead of N·(K+1) random row gathers, which were DRAM-latency bound (~10× slower).
    public static func side(anchor: Tensor, memory: Tensor, indices: [Int32], temperature: Float,
                            normalization: Float, engine: any Kernels) -> Side {
        precondition(anchor.rank == 2 && memory.rank == 2 && anchor.shape[1] == memory.shape[1],
                     "CRD needs anchors [N, F] and a memory [n, F], got \(anchor.shape) and \(memory.shape)")
        let n = anchor.shape[0], rows = memory.shape[0]
        precondition(n > 0 && indices.count % n == 0 && indices.count / n >= 2,
                     "CRD needs N·(K+1) sample indices with K ≥ 1, got \(indices.count) for N = \(n)")
        precondition(indices.allSatisfy { $0 >= 0 && Int($0) < rows }, "CRD sample indices must lie in 0..<\(rows)")
        precondition(temperature > 0, "CRD temperature must be > 0")
        let kk = indices.count / n, negatives = kk - 1
        let scores = engine.linear(anchor, weight: memory, bias: Tensor(zeros: [rows]))   // [N, n]
        // exp(⟨M[idx], v⟩/τ) per (i, k).
        let invT = 1 / temperature
        var e = [Float](repeating: 0, count: n * kk)
        scores.data.withUnsafeBufferPointer { sc in
            indices.withUnsafeBufferPointer { idx in
                e.withUnsafeMutableBufferPointer { e in
                    for i in 0..<n {
                        let row = sc.baseAddress! + i * rows
                        for k in 0..<kk { e[i * kk + k] = exp(row[Int(idx[i * kk + k])] * invT) }
                    }
                }
            }
        }
        var z = normalization
        if z < 0 {
            // RepDistiller: `params[2] = out.mean() * outputSize`, then a constant.
            z = Float(e.reduce(0.0) { $0 + Double($1) } / Double(e.count) * Double(rows))
        }
        let c = Double(negatives) / Double(rows), eps = epsilon
        var total = 0.0
        var coefficients = [Float](repeating: 0, count: n * rows)   // C[i, r]
        // Per anchor: each sample's log argument and coefficient, four lanes at a time (IEEE
        // division and rounding: the bits of one at a time), then the logs summed and the
        // coefficients scattered in k order, the order of the sums.
        var ratio = [Double](repeating: 0, count: kk), coefficient = [Float](repeating: 0, count: kk)
        coefficients.withUnsafeMutableBufferPointer { cm in
        indices.withUnsafeBufferPointer { idx in
        e.withUnsafeBufferPointer { eb in
        ratio.withUnsafeMutableBufferPointer { rb in
        coefficient.withUnsafeMutableBufferPointer { cb in
            let zd = Double(z), nd = Double(n), td = Double(temperature)
            for i in 0..<n {
                let ei = eb.baseAddress! + i * kk, ids = idx.baseAddress! + i * kk
                let p0 = Double(ei[0]) / zd
                rb[0] = p0 / (p0 + c + eps)
                cb[0] = Float(-(1 / p0 - 1 / (p0 + c + eps)) / nd * p0 / td)
                Self.negatives(ei, from: 1, to: kk, z: zd, c: c, eps: eps, n: nd, temperature: td,
                               ratio: rb.baseAddress!, coefficient: cb.baseAddress!)
                var rowSum = 0.0
                let row = cm.baseAddress! + i * rows
                for k in 0..<kk {
                    rowSum += log(rb[k])
                    row[Int(ids[k])] += cb[k]
                }
                total += rowSum
            }
        }
        }
        }
        }
        }
        let dv = engine.matmul(Tensor(shape: [n, rows], data: coefficients), memory)
        return Side(value: Float(-total / Double(n)), dAnchor: dv, normalization: z)
    }

    /// For negatives k in `from..<to` (p = e_k/Z, q = p + K/n + ε): `ratio[k]` = (K/n)/q, the log's
    /// argument, and `coefficient[k]` = Float((1/q)/N·p/τ), ∂L/∂s_k — the scalar expressions,
    /// evaluated four lanes at a time.
    @inline(__always)
    static func negatives(_ e: UnsafePointer<Float>, from: Int, to: Int, z: Double, c: Double, eps: Double,
                          n: Double, temperature: Double, ratio: UnsafeMutablePointer<Double>,
                          coefficient: UnsafeMutablePointer<Float>) {
        var k = from
        let z4 = SIMD4(repeating: z), c4 = SIMD4(repeating: c), eps4 = SIMD4(repeating: eps)
        let n4 = SIMD4(repeating: n), t4 = SIMD4(repeating: temperature), one = SIMD4<Double>(repeating: 1)
        let rawE = UnsafeRawPointer(e), rawR = UnsafeMutableRawPointer(ratio)
        let rawC = UnsafeMutableRawPointer(coefficient)
        while k &+ 4 <= to {
            let p = SIMD4<Double>(rawE.loadUnaligned(fromByteOffset: k &* 4, as: SIMD4<Float>.self)) / z4
            let q = p + c4 + eps4
            rawR.storeBytes(of: c4 / q, toByteOffset: k &* 8, as: SIMD4<Double>.self)
            rawC.storeBytes(of: SIMD4<Float>(one / q / n4 * p / t4), toByteOffset: k &* 4, as: SIMD4<Float>.self)
            k &+= 4
        }
        while k < to {
            let p = Double(e[k]) / z, q = p + c + eps
            ratio[k] = c / q
            coefficient[k] = Float(1 / q / n * p / temperature)
            k &+= 1
        }
    }

    /// RepDistiller's memory update for the batch's rows `positions`:
    /// `M[y] ← u/‖u‖` with `u = momentum·M[y] + (1 − momentum)·v`.
    public static func updateMemory(_ memory: inout Tensor, positions: [Int], values v: Tensor, momentum: Float) {
        let f = memory.shape[1]
        precondition(v.shape == [positions.count, f], "CRD memory update: values \(v.shape) for \(positions.count) rows of width \(f)")
        for (i, y) in positions.enumerated() {
            var u = [Float](repeating: 0, count: f)
            var ss: Float = 0
            for j in 0..<f {
                u[j] = memory.data[y * f + j] * momentum + v.data[i * f + j] * (1 - momentum)
                ss += u[j] * u[j]
            }
            let norm = ss.squareRoot()
            for j in 0..<f { memory.data[y * f + j] = u[j] / norm }
        }
    }

    /// `v = u/‖u‖₂` per row (RepDistiller `Normalize(2)`: no floor) and its pullback
    /// `∂v → (∂v − v·⟨v, ∂v⟩)/‖u‖`.
    public static func l2Normalize(_ u: Tensor) -> (value: Tensor, pullback: (Tensor) -> Tensor) {
        precondition(u.rank == 2, "CRD normalises rows of [N, F], got \(u.shape)")
        let n = u.shape[0], f = u.shape[1]
        var v = u
        var norms = [Float](repeating: 0, count: n)
        for i in 0..<n {
            var ss = 0.0
            for j in 0..<f { ss += Double(u.data[i * f + j]) * Double(u.data[i * f + j]) }
            norms[i] = Float(ss.squareRoot())
            for j in 0..<f { v.data[i * f + j] = u.data[i * f + j] / norms[i] }
        }
        let value = v
        return (value, { dv in
            var du = dv
            for i in 0..<n {
                var p = 0.0
                for j in 0..<f { p += Double(value.data[i * f + j]) * Double(dv.data[i * f + j]) }
                for j in 0..<f { du.data[i * f + j] = (dv.data[i * f + j] - value.data[i * f + j] * Float(p)) / norms[i] }
            }
            return du
        })
    }
}
