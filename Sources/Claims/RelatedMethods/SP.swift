// Similarity-preserving knowledge distillation (Tung & Mori 2019): the distance between the
// row-normalised batch similarity matrices of one student/teacher tap pair, and its gradient.
// N batch; a sample's tap [C, H, W] is flattened to one row of D = C·H·W.

import TensorCore

/// Similarity-preserving knowledge distillation of Tung & Mori (ICCV 2019).
///
/// With the flattened taps `Q` (`[N, D]`), the batch Gram matrix `G̃ = Q·Qᵀ` (`[N, N]`) and its
/// rows L2-normalised, `G[i,:] = G̃[i,:]/max(‖G̃[i,:]‖₂, 1e-12)`, for the student (`G_s`) and
/// the teacher (`G_t`, a constant):
///
///     sp = (1/N²) ‖G_t − G_s‖²_F
///     ∂sp/∂G_s = 2(G_s − G_t)/N²,  then through the row normalisation and ∂/∂Q = (H + Hᵀ)·Q
///
/// The loss only compares N×N matrices, so the student and teacher taps may differ in channels and
/// size. It is invariant to scaling either tap by a positive constant.
public enum SP {
    /// `F.normalize`'s floor on a Gram row's norm.
    public static let normFloor = 1e-12

    /// The similarity-preserving loss of one tap pair (unweighted) and its gradient w.r.t. the
    /// student tap.
    ///
    /// `student` `[N, C_s, H_s, W_s]` and `teacher` `[N, C_t, H_t, W_t]` (any `[N, …]`) share N.
    /// β is NOT applied here: the objective multiplies this value by its term weight (β = 3000
    /// in RepDistiller `-b 3000` and mdistiller `cfg.SP.LOSS.FEAT_WEIGHT`), and sums over tap pairs.
    /// - Paper: Tung & Mori 2019, eqs. (1)–(2) (`G̃ = Q·Qᵀ`, row-wise L2 normalisation) and (4)
    ///   `L_SP = (1/b²) Σ_{(l,l')∈I} ‖G_T^(l) − G_S^(l')‖²_F` [recollection of the numbering].
    /// - Reference: RepDistiller `distiller_zoo/SP.py::Similarity.similarity_loss` (b84f547c5db6;
    ///   mdistiller `similarity_loss` is the same):
    ///   `(G_diff * G_diff).view(-1, 1).sum(0) / (bsz * bsz)`.
    /// - Deviation: the formula is the same in paper and code; the taps differ. The paper sums
    ///   over chosen layer pairs (for its CIFAR-10 WRNs, the end of the last group); RepDistiller
    ///   uses one pair, `feat[-2]` (the last stage's output before pooling), and mdistiller
    ///   `feats[-1]`. The normalisation is of the Gram rows, not of the features.
    public static func loss(student: Tensor, teacher: Tensor) -> (value: Float, dStudent: Tensor) {
        precondition(student.rank >= 2 && teacher.rank >= 2,
                     "SP needs taps [N, C, H, W] (or any [N, …]), got \(student.shape) and \(teacher.shape)")
        precondition(student.shape[0] == teacher.shape[0],
                     "student batch \(student.shape[0]) differs from teacher batch \(teacher.shape[0])")
        precondition(student.count > 0 && teacher.count > 0,
                     "SP needs non-empty taps, got \(student.shape) and \(teacher.shape)")
        return loss(student: student, teacher: teacherSimilarity(teacher))
    }

    /// The teacher's side of the loss, `G_t` (a constant): what a cache keeps instead of the tap
    /// (N² Doubles, against N·C·H·W floats). `loss(student:teacher:)` is this, then the loss below.
    public struct Similarity: Equatable, Sendable {
        /// N.
        public let n: Int
        /// `G_t` row-major, `[N, N]`.
        public let rows: [Double]
    }

    /// `G_t` of a teacher tap `[N, …]`.
    public static func teacherSimilarity(_ teacher: Tensor) -> Similarity {
        precondition(teacher.rank >= 2 && teacher.count > 0, "SP needs a non-empty teacher tap [N, …], got \(teacher.shape)")
        let qt = RelationalMath.rows(teacher)
        return Similarity(n: qt.n, rows: normalizedGram(qt.values, n: qt.n, d: qt.d).rows)
    }

    /// The loss against a teacher's `G_t` (`teacherSimilarity`): the same numbers as with its tap.
    public static func loss(student: Tensor, teacher gt: Similarity) -> (value: Float, dStudent: Tensor) {
        precondition(student.rank >= 2 && student.count > 0, "SP needs a non-empty student tap [N, …], got \(student.shape)")
        precondition(student.shape[0] == gt.n, "student batch \(student.shape[0]) differs from teacher batch \(gt.n)")
        let qs = RelationalMath.rows(student)
        let n = qs.n
        let gs = normalizedGram(qs.values, n: n, d: qs.d)
        let scale = 1 / Double(n * n)
        var value = 0.0
        var h = [Double](repeating: 0, count: n * n)   // ∂sp/∂G̃_s
        var row = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var projection = 0.0
            for j in 0..<n {
                let diff = gs.rows[i * n + j] - gt.rows[i * n + j]
                value += diff * diff
                row[j] = 2 * diff * scale
                projection += gs.rows[i * n + j] * row[j]
            }
            let norm = gs.norms[i]
            for j in 0..<n {
                // Below the floor F.normalize divides by the constant 1e-12.
                h[i * n + j] = norm > normFloor ? (row[j] - gs.rows[i * n + j] * projection) / norm : row[j] / normFloor
            }
        }
        var symmetric = h
        for i in 0..<n { for j in 0..<n { symmetric[i * n + j] += h[j * n + i] } }
        let grad = RelationalMath.product(symmetric, qs.values, n: n, d: qs.d)
        return (Float(value * scale), Tensor(shape: student.shape, data: grad.map { Float($0) }))
    }

    /// `Q·Qᵀ` with each row divided by `max(‖row‖₂, 1e-12)`, and the row norms.
    static func normalizedGram(_ q: [Double], n: Int, d: Int) -> (rows: [Double], norms: [Double]) {
        var g = RelationalMath.gram(q, n: n, d: d)
        var norms = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var ss = 0.0
            for j in 0..<n { ss += g[i * n + j] * g[i * n + j] }
            norms[i] = ss.squareRoot()
            let inv = 1 / max(norms[i], normFloor)
            for j in 0..<n { g[i * n + j] *= inv }
        }
        return (g, norms)
    }
}
