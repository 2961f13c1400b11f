// `sp`: similarity-preserving knowledge distillation on the last tap pair, `ce + β·sp`.

import TensorCore
import RelatedMethods

/// Terms `ce` (weight 1) and `sp` (weight β) on the last student tap and the last teacher tap
/// (RepDistiller's `feat[-2]`: the last stage's output before pooling):
///
///     G̃ = Q·Qᵀ (Q the flattened tap [N, C·H·W]),  G = G̃ with L2-normalised rows
///     sp = (1/N²)‖G_t − G_s‖²_F
///
/// Values and gradients are `RelatedMethods.SP.loss` (golden-tested). Default β = 3000
/// (RepDistiller `--distill similarity -a 0 -b 3000`; mdistiller `cfg.SP` FEAT_WEIGHT 3000).
/// - Paper: Tung & Mori 2019, eqs. (1)–(2) and `L = CE + γ·L_SP` with γ = 3000 [recollection].
/// - Reference: RepDistiller `distiller_zoo/SP.py::Similarity` on `[feat_s[-2]]`, `[feat_t[-2]]`.
/// - Deviation: the paper may sum over several layer pairs; RepDistiller (and this) uses one, the
///   last. Taps here are the zoo's stage outputs (WRN: raw group outputs, as RepDistiller's `f3`).
public struct SPObjective: Objective {
    public let name = "sp"
    public let needsTeacher = true
    public var ce: CrossEntropyObjective
    /// β on SP.
    public var weight: Float

    public init(ceWeight: Float, weight: Float, labelSmoothing: Float, engine: any Kernels) {
        ce = CrossEntropyObjective(ceWeight: ceWeight, labelSmoothing: labelSmoothing, engine: engine)
        self.weight = weight
    }

    /// `G_t` of the teacher's last tap (N² numbers a batch), or the tap itself when uncached.
    public var teacherNeeds: TeacherNeeds { TeacherNeeds(lastTapSimilarity: true) }

    public func terms(student: NetworkOutputs, teacher: NetworkOutputs?, labels: [Int]) -> [LossTerm] {
        guard let teacher else { preconditionFailure("objective \(name) needs the teacher's outputs") }
        guard let s = student.taps.last else { preconditionFailure("objective \(name) needs a student tap") }
        let gt: SP.Similarity
        if let kept = teacher.lastTapSimilarity {
            gt = kept
        } else {
            guard let t = teacher.tap(-1) else { preconditionFailure("objective \(name) needs the teacher's last tap") }
            gt = SP.teacherSimilarity(t)
        }
        let r = SP.loss(student: s, teacher: gt)
        var dTaps = [Tensor?](repeating: nil, count: student.taps.count)
        dTaps[dTaps.count - 1] = r.dStudent
        return [ce.term(logits: student.logits, labels: labels),
                LossTerm(name: "sp", weight: weight, value: r.value, dLogits: nil, dTaps: dTaps)]
    }
}
