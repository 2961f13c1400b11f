// Probabilistic knowledge transfer (Passalis & Tefas 2018): the KL divergence between the
// teacher's and the student's cosine-kernel conditional distributions over the batch, and its gradient.
// N batch, D features per sample.

import TensorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Probabilistic knowledge transfer of Passalis & Tefas (ECCV 2018).
///
/// With `û_i = x_i/(‖x_i‖₂ + ε)`, the cosine kernel `M = (û·ûᵀ + 1)/2` (`[N, N]`, entries in
/// [0, 1]) and its rows made distributions, `Q[i,j] = M_ij/Σ_k M_ik` (student) and `P` likewise
/// for the teacher (a constant), ε = 1e-7:
///
///     pkt = (1/N²) Σ_{i,j} P_ij · log((P_ij + ε)/(Q_ij + ε))
///
///     ∂pkt/∂Q_ij = −P_ij/(N²·(Q_ij + ε)),  then through the row sums, M, û·ûᵀ and û_i(x_i).
public enum PKT {
    /// The PKT loss (unweighted) and its gradient w.r.t. the student embedding.
    ///
    /// `student` `[N, D_s]` and `teacher` `[N, D_t]` are the pooled penultimate features
    /// (RepDistiller `feat[-1]`, mdistiller `pooled_feat`); the widths may differ. The objective
    /// weight (30000: RepDistiller `-b 30000`, mdistiller `cfg.PKT.LOSS.FEAT_WEIGHT`) is NOT applied
    /// here. `epsilon` is the reference's `eps=0.0000001`, used in both places.
    /// - Paper: Passalis & Tefas 2018, §3: the cosine-similarity kernel
    ///   `K(a, b) = (aᵀb/(‖a‖‖b‖) + 1)/2`, conditional probabilities from it, and the KL divergence
    ///   between teacher and student conditionals [recollection: the paper text was not reachable here].
    /// - Reference: RepDistiller `distiller_zoo/PKT.py::PKT.cosine_similarity_loss` (b84f547c5db6,
    ///   "Code from author: passalis/probabilistic_kt"; mdistiller `pkt_loss` is the same).
    /// - Deviation: as far as recalled [UNVERIFIED], the paper normalises `p_{i|j}` over k ≠ j and
    ///   sums the KL over i ≠ j; the code keeps the self-similarity (`M_ii`, ≈ 1) in both the
    ///   normaliser and the sum and takes the mean over all N² entries; it also adds ε to the norm
    ///   and inside the log ratio. This follows the code. The code's `x[x != x] = 0` (NaN to 0)
    ///   never fires for finite inputs, since ε keeps the divisor positive.
    public static func loss(student: Tensor, teacher: Tensor,
                            epsilon: Double = 1e-7) -> (value: Float, dStudent: Tensor) {
        precondition(student.rank == 2 && teacher.rank == 2,
                     "PKT needs embeddings [N, D] (the reference uses torch.mm), got \(student.shape) and \(teacher.shape)")
        precondition(student.shape[0] == teacher.shape[0],
                     "student batch \(student.shape[0]) differs from teacher batch \(teacher.shape[0])")
        precondition(student.count > 0 && teacher.count > 0,
                     "PKT needs non-empty embeddings, got \(student.shape) and \(teacher.shape)")
        precondition(epsilon > 0 && epsilon.isFinite, "PKT epsilon must be > 0, got \(epsilon)")
        let n = student.shape[0], d = student.shape[1]
        let x = student.data.map { Double($0) }
        let s = conditional(x, n: n, d: d, epsilon: epsilon)
        let p = conditional(teacher.data.map { Double($0) }, n: n, d: teacher.shape[1], epsilon: epsilon).q
        let scale = 1 / Double(n * n)

        var value = 0.0
        var dKernel = [Double](repeating: 0, count: n * n)   // ∂pkt/∂(û·ûᵀ) = ∂pkt/∂M / 2
        var dq = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var along = 0.0   // Σ_j ∂pkt/∂Q_ij · Q_ij
            for j in 0..<n {
                let pij = p[i * n + j], qij = s.q[i * n + j]
                value += pij * (log(pij + epsilon) - log(qij + epsilon))
                dq[j] = -pij * scale / (qij + epsilon)
                along += dq[j] * qij
            }
            for j in 0..<n { dKernel[i * n + j] = (dq[j] - along) / s.rowSums[i] / 2 }
        }
        var symmetric = dKernel
        for i in 0..<n { for j in 0..<n { symmetric[i * n + j] += dKernel[j * n + i] } }
        let dUnit = RelationalMath.product(symmetric, s.unit, n: n, d: d)

        // û_i = x_i/(‖x_i‖ + ε): ∂/∂x_i = h_i/(‖x_i‖ + ε) − x_i·⟨h_i, x_i⟩/(‖x_i‖·(‖x_i‖ + ε)²).
        // NOTE: at x_i = 0 PyTorch's sqrt backward makes the reference gradient NaN; the limit
        // h_i/ε (the second term vanishes as ‖x_i‖ → 0) is returned instead.
        var grad = [Float](repeating: 0, count: n * d)
        for i in 0..<n {
            let norm = s.norms[i]
            var hx = 0.0
            for f in 0..<d { hx += dUnit[i * d + f] * x[i * d + f] }
            let radial = norm > 0 ? hx / (norm * (norm + epsilon) * (norm + epsilon)) : 0
            for f in 0..<d {
                grad[i * d + f] = Float(dUnit[i * d + f] / (norm + epsilon) - x[i * d + f] * radial)
            }
        }
        return (Float(value * scale), Tensor(shape: student.shape, data: grad))
    }

    /// `û`, the row norms, the row sums of `M = (û·ûᵀ + 1)/2` and the row distributions `Q`.
    static func conditional(_ x: [Double], n: Int, d: Int, epsilon: Double)
        -> (unit: [Double], norms: [Double], rowSums: [Double], q: [Double]) {
        var unit = x, norms = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var ss = 0.0
            for f in 0..<d { ss += x[i * d + f] * x[i * d + f] }
            norms[i] = ss.squareRoot()
            for f in 0..<d { unit[i * d + f] = x[i * d + f] / (norms[i] + epsilon) }
        }
        var q = RelationalMath.gram(unit, n: n, d: d).map { ($0 + 1) / 2 }
        var rowSums = [Double](repeating: 0, count: n)
        for i in 0..<n {
            for j in 0..<n { rowSums[i] += q[i * n + j] }
            for j in 0..<n { q[i * n + j] /= rowSums[i] }
        }
        return (unit, norms, rowSums, q)
    }
}
