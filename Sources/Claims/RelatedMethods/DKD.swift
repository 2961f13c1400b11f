// Decoupled knowledge distillation (Zhao et al. 2022): the target-class (TCKD) and
// non-target-class (NCKD) KD terms and their gradients w.r.t. the student logits.
// N batch, K classes, g a sample's label.

import TensorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decoupled knowledge distillation of Zhao, Cui, Song, Qiu & Liang (CVPR 2022).
///
/// Per sample, with `p = softmax(z_t/T)`, `q = softmax(z_s/T)` and label g: the binary
/// target/non-target distributions `b = [p_g, 1 − p_g]` and the distributions over the non-target
/// classes alone, `p̂_k = p_k/(1 − p_g)` for k ≠ g (`q̂` likewise). The teacher is a constant.
///
///     tckd = T² · (1/N) Σ_n KL(b_t ‖ b_s)
///     nckd = T² · (1/N) Σ_n KL(p̂ ‖ q̂)
///     dkd  = α · tckd + β · nckd
///
///     ∂tckd/∂z_s,g = T·(q_g − p_g)/N      ∂tckd/∂z_s,k = T·q̂_k·(p_g − q_g)/N   (k ≠ g)
///     ∂nckd/∂z_s,g = 0                    ∂nckd/∂z_s,k = T·(q̂_k − p̂_k)/N
public enum DKD {
    /// The two unweighted terms of DKD and their gradients w.r.t. the student logits `[N, K]`.
    public struct Terms: Sendable {
        /// `T²·(1/N) Σ_n KL(b_t ‖ b_s)`: target-class KD.
        public var tckd: Float
        /// `T²·(1/N) Σ_n KL(p̂_t ‖ q̂_s)`: non-target-class KD.
        public var nckd: Float
        public var dTCKD: Tensor
        public var dNCKD: Tensor
    }

    /// `dkd = α·tckd + β·nckd` and its gradient w.r.t. the student logits.
    ///
    /// `student` and `teacher` are logits `[N, K]` (K ≥ 2), `labels` N class indices. The defaults
    /// are mdistiller's `cfg.DKD` (ALPHA 1.0, BETA 8.0, T 4.0); its CIFAR-100 configs set β = 2
    /// (res56→res20, res110→res32) or 6 (VGG13 and WRN-40-2 teachers), ImageNet T = 1 with
    /// β = 0.5 (R34→R18) or 2 (R50→MobileNetV1).
    /// - Paper: Zhao et al. 2022, eq. (1) `KD = TCKD + (1 − p_t^T)·NCKD` and eq. (2)
    ///   `DKD = α·TCKD + β·NCKD`.
    /// - Reference: mdistiller `mdistiller/distillers/DKD.py::dkd_loss` (each term
    ///   `F.kl_div(..., size_average=False) * T**2 / N`), at a08d46f10d61.
    /// - Deviation: `DKD.forward_train` multiplies this by the warm-up factor
    ///   `min(epoch/WARMUP, 1)` (WARMUP 20 on CIFAR, 1 on ImageNet) and adds `CE_WEIGHT·CE`;
    ///   neither is in here (the objective owns both). mdistiller builds the non-target softmax by
    ///   subtracting 1000 from the target logit/T; this excludes the target class exactly (see the
    ///   NOTE in `compute`). mdistiller takes `torch.log` of the summed probabilities for TCKD, which
    ///   is −∞ once `1 − q_g` underflows; this works in log space. The paper's equations carry
    ///   no temperature [recollection, UNVERIFIED]; the code (and this) applies T to both softmaxes
    ///   and T² to each term, as in KD.
    public static func loss(student: Tensor, teacher: Tensor, labels: [Int],
                            alpha: Float = 1, beta: Float = 8,
                            temperature: Float = 4) -> (value: Float, dStudent: Tensor) {
        precondition(alpha.isFinite && beta.isFinite, "DKD weights must be finite, got alpha \(alpha), beta \(beta)")
        let r = compute(student: student, teacher: teacher, labels: labels, temperature: temperature)
        let a = Double(alpha), b = Double(beta)
        let grad = (0..<r.dTCKD.count).map { Float(a * r.dTCKD[$0] + b * r.dNCKD[$0]) }
        return (Float(a * r.tckd + b * r.nckd), Tensor(shape: student.shape, data: grad))
    }

    /// The unweighted TCKD and NCKD terms of `loss` with their gradients: `loss` is
    /// `α·tckd + β·nckd` of these (up to the Float rounding of each).
    public static func terms(student: Tensor, teacher: Tensor, labels: [Int],
                             temperature: Float = 4) -> Terms {
        let r = compute(student: student, teacher: teacher, labels: labels, temperature: temperature)
        return Terms(tckd: Float(r.tckd), nckd: Float(r.nckd),
                     dTCKD: Tensor(shape: student.shape, data: r.dTCKD.map { Float($0) }),
                     dNCKD: Tensor(shape: student.shape, data: r.dNCKD.map { Float($0) }))
    }

    // MARK: - shared implementation

    static func compute(student: Tensor, teacher: Tensor, labels: [Int], temperature: Float)
        -> (tckd: Double, nckd: Double, dTCKD: [Double], dNCKD: [Double]) {
        precondition(student.rank == 2, "DKD needs student logits [N, K], got \(student.shape)")
        precondition(student.shape == teacher.shape,
                     "student \(student.shape) and teacher \(teacher.shape) logits differ in shape")
        let n = student.shape[0], k = student.shape[1]
        precondition(n > 0, "DKD needs a non-empty batch, got logits \(student.shape)")
        precondition(k >= 2, "DKD needs at least 2 classes (a target and a non-target), got K = \(k)")
        precondition(labels.count == n, "DKD needs one label per sample: \(n) samples, \(labels.count) labels")
        precondition(labels.allSatisfy { $0 >= 0 && $0 < k }, "DKD labels must lie in 0..<\(k), got \(labels)")
        precondition(temperature > 0 && temperature.isFinite, "temperature must be > 0, got \(temperature)")
        let t = Double(temperature), count = Double(n)
        var tckd = 0.0, nckd = 0.0
        var dT = [Double](repeating: 0, count: n * k), dN = [Double](repeating: 0, count: n * k)
        for r in 0..<n {
            let g = labels[r]
            let zs = (0..<k).map { Double(student.data[r * k + $0]) / t }
            let zt = (0..<k).map { Double(teacher.data[r * k + $0]) / t }
            // NOTE: mdistiller's `softmax(z/T − 1000·gt_mask)` leaves exp(z_g/T − 1000) in the
            // denominator; its share is below float32 rounding unless z_g exceeds every other logit
            // by more than about 980·T, so excluding the target from the sum is the same loss.
            let lsAll = logSumExp(zs), lsOther = logSumExp(zs, skipping: g)
            let ltAll = logSumExp(zt), ltOther = logSumExp(zt, skipping: g)
            // NOTE: log(1 − q_g) = lse_{k≠g} − lse_all, never log of a rounded 1 − q_g.
            let logQg = zs[g] - lsAll, logQo = lsOther - lsAll
            let logPg = zt[g] - ltAll, logPo = ltOther - ltAll
            let qg = exp(logQg), pg = exp(logPg), po = exp(logPo)
            // p·log p is 0 where p underflows (PyTorch kl_div uses xlogy).
            if pg > 0 { tckd += pg * (logPg - logQg) }
            if po > 0 { tckd += po * (logPo - logQo) }
            dT[r * k + g] = t * (qg - pg) / count
            for j in 0..<k where j != g {
                let logPh = zt[j] - ltOther, logQh = zs[j] - lsOther
                let ph = exp(logPh), qh = exp(logQh)
                if ph > 0 { nckd += ph * (logPh - logQh) }
                dT[r * k + j] = t * qh * (pg - qg) / count
                dN[r * k + j] = t * (qh - ph) / count
            }
        }
        return (t * t * tckd / count, t * t * nckd / count, dT, dN)
    }

    /// `log Σ_{j ≠ skip} exp(z_j)`, max-subtracted.
    static func logSumExp(_ z: [Double], skipping skip: Int? = nil) -> Double {
        var m = -Double.infinity
        for (j, v) in z.enumerated() where j != skip { m = max(m, v) }
        var s = 0.0
        for (j, v) in z.enumerated() where j != skip { s += exp(v - m) }
        return m + log(s)
    }
}
