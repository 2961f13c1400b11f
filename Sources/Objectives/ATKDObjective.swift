// `atkd`: the proposal's objective, cross-entropy + KD on the logits + AT on the taps.

import TensorCore
import ZagoruykoAT

/// Terms `ce` (weight `ceWeight`), `kd` (weight `kdWeight`, temperature T) and `at` or `at.<j>`
/// (weight β = `atWeight`) — every weight explicit.
///
/// - Paper: Zagoruyko & Komodakis §4.1 ("AT+KD"), Table 1; the proposal (KL on logits + MSE on
///   attention maps — the code-form AT term is that MSE, see `ATLossForm.code`).
/// - Reference: attention-transfer `cifar.py` with `--alpha 0.9 --beta 1e3`:
///   `distillation(y_s, y_t, labels, T, α) + β·Σ at_loss` (CE weight 1 − α = 0.1).
public struct ATKDObjective: Objective {
    public let name = "atkd"
    public let needsTeacher = true
    public var kd: KDObjective
    public var at: ATObjective

    public init(ceWeight: Float, kdWeight: Float, temperature: Float, atWeight: Float, atOptions: ATLossOptions,
                perTap: Bool, labelSmoothing: Float, referencePixels: Int = 0, engine: any Kernels) {
        kd = KDObjective(ceWeight: ceWeight, kdWeight: kdWeight, temperature: temperature,
                         labelSmoothing: labelSmoothing, engine: engine)
        at = ATObjective(ceWeight: ceWeight, atWeight: atWeight, atOptions: atOptions, perTap: perTap,
                         labelSmoothing: labelSmoothing, referencePixels: referencePixels, engine: engine)
    }

    public func terms(student: NetworkOutputs, teacher: NetworkOutputs?, labels: [Int]) -> [LossTerm] {
        guard let teacher else { preconditionFailure("objective \(name) needs the teacher's outputs") }
        return kd.terms(student: student, teacher: teacher, labels: labels)
            + at.atTerms(student: student.taps, teacher: teacher)
    }
}
