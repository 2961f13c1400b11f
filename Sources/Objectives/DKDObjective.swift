// `dkd`: decoupled knowledge distillation, `ce + w(e)·(α·tckd + β·nckd)` with mdistiller's warm-up.

import TensorCore
import RelatedMethods

/// Terms `ce` (weight 1), `tckd` (weight α·w(e)) and `nckd` (weight β·w(e)), with the warm-up
/// factor `w(e) = min(e/W, 1)` at 1-based epoch e (W = `warmupEpochs`; W = 0 gives w = 1).
///
///     p = softmax(z_t/T), q = softmax(z_s/T), b = [p_g, 1 − p_g], p̂_k = p_k/(1 − p_g) (k ≠ g)
///     tckd = T²·(1/N) Σ_n KL(b_t ‖ b_s),   nckd = T²·(1/N) Σ_n KL(p̂_t ‖ q̂_s)
///
/// Defaults (mdistiller `cfg.DKD`): CE_WEIGHT 1.0, α 1.0, β 8.0, T 4.0, WARMUP 20. The values and
/// gradients are `RelatedMethods.DKD.terms` (golden-tested against mdistiller's `dkd_loss`).
/// - Paper: Zhao et al. 2022, eq. (1) `KD = TCKD + (1 − p_t^T)·NCKD`, eq. (2) `DKD = α·TCKD + β·NCKD`.
/// - Reference: mdistiller `distillers/DKD.py`: `loss_ce = CE_WEIGHT·CE`,
///   `loss_dkd = min(epoch / WARMUP, 1.0) · dkd_loss(…, α, β, T)`, epoch counted from 1.
/// - Deviation: the warm-up is implemented as in mdistiller, per epoch (constant within an epoch,
///   1/W in the first). mdistiller tunes W to its 240-epoch CIFAR schedule; with a shorter schedule
///   W = 20 is a larger share of training — set `distill.dkd_warmup_epochs` to scale it. The two
///   parts are separate terms (logged as `loss_tckd`, `loss_nckd`) rather than one `dkd`.
public struct DKDObjective: Objective {
    public let name = "dkd"
    public let needsTeacher = true
    public var ce: CrossEntropyObjective
    public var alpha: Float
    public var beta: Float
    public var temperature: Float
    public var warmupEpochs: Int

    public init(ceWeight: Float, alpha: Float, beta: Float, temperature: Float, warmupEpochs: Int,
                labelSmoothing: Float, engine: any Kernels) {
        ce = CrossEntropyObjective(ceWeight: ceWeight, labelSmoothing: labelSmoothing, engine: engine)
        self.alpha = alpha; self.beta = beta; self.temperature = temperature; self.warmupEpochs = warmupEpochs
    }

    public var teacherNeeds: TeacherNeeds { .logits }

    /// `min(e/W, 1)` for 0-based `epoch` (e = epoch + 1); 1 when W = 0.
    public func warmupFactor(epoch: Int) -> Float {
        warmupEpochs > 0 ? min(Float(epoch + 1) / Float(warmupEpochs), 1) : 1
    }

    public func terms(student: NetworkOutputs, teacher: NetworkOutputs?, labels: [Int]) -> [LossTerm] {
        terms(student: student, teacher: teacher, batch: ObjectiveBatch(labels: labels))
    }

    public func terms(student: NetworkOutputs, teacher: NetworkOutputs?, batch: ObjectiveBatch) -> [LossTerm] {
        guard let teacher else { preconditionFailure("objective \(name) needs the teacher's outputs") }
        let w = warmupFactor(epoch: batch.epoch)
        let d = DKD.terms(student: student.logits, teacher: teacher.logits, labels: batch.labels,
                          temperature: temperature)
        return [ce.term(logits: student.logits, labels: batch.labels),
                LossTerm(name: "tckd", weight: alpha * w, value: d.tckd, dLogits: d.dTCKD),
                LossTerm(name: "nckd", weight: beta * w, value: d.nckd, dLogits: d.dNCKD)]
    }
}
