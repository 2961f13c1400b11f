// `kd`: Hinton knowledge distillation, `ce_weight·ce + kd_weight·T²·KL`.

import TensorCore
import HintonKD

/// Terms `ce` (weight `ceWeight`) and `kd = T²·KL_batchmean(softmax(z_t/T) ‖ softmax(z_s/T))`
/// (weight `kdWeight`).
///
/// - Paper: Hinton et al. 2015 §2, "a weighted average of two different objective functions".
/// - Reference: RepDistiller `--distill kd -r 0.1 -a 0.9` (`0.1·CE + 0.9·DistillKL`), T = 4;
///   mdistiller `cfg.KD` (CE_WEIGHT 0.1, KD_WEIGHT 0.9, T 4).
/// - Deviation: none in the formula; the weights are independent numbers, not `α` and `1 − α`.
public struct KDObjective: Objective {
    public let name = "kd"
    public let needsTeacher = true
    public var ce: CrossEntropyObjective
    /// Weight of the `kd` term.
    public var kdWeight: Float
    /// Softmax temperature T.
    public var temperature: Float

    public init(ceWeight: Float, kdWeight: Float, temperature: Float, labelSmoothing: Float, engine: any Kernels) {
        ce = CrossEntropyObjective(ceWeight: ceWeight, labelSmoothing: labelSmoothing, engine: engine)
        self.kdWeight = kdWeight; self.temperature = temperature
    }

    public func terms(student: NetworkOutputs, teacher: NetworkOutputs?, labels: [Int]) -> [LossTerm] {
        guard let teacher else { preconditionFailure("objective \(name) needs the teacher's outputs") }
        return [ce.term(logits: student.logits, labels: labels),
                kdTerm(student: student.logits, teacher: teacher.logits)]
    }

    /// The `kd` term alone.
    public func kdTerm(student: Tensor, teacher: Tensor) -> LossTerm {
        let kd = HintonKD.klDivergence(student: student, teacher: teacher, temperature: temperature)
        return LossTerm(name: "kd", weight: kdWeight, value: kd.value, dLogits: kd.dStudent)
    }
}
