// The loss contract: every method returns named terms; the trainer sums and
// logs them without knowing which method it runs.

import TensorCore
import ZagoruykoAT

/// One named loss term with its weight and its gradients.
///
/// `value` is unweighted; `dLogits` and `dTaps` are gradients of `value`
/// (unweighted) w.r.t. the student's logits and taps. The trainer adds
/// `weight · value` to the total and `weight ·` each gradient to backward.
public struct LossTerm {
    public var name: String
    public var weight: Float
    public var value: Float
    public var dLogits: Tensor?
    /// Same order as the student's taps; nil where the term puts no gradient.
    public var dTaps: [Tensor?]
    public init(name: String, weight: Float, value: Float, dLogits: Tensor?, dTaps: [Tensor?] = []) {
        self.name = name; self.weight = weight; self.value = value; self.dLogits = dLogits; self.dTaps = dTaps
    }
}

/// What an objective sees of a network's forward pass.
///
/// For a teacher, `attentionTargets` may stand in for `taps`: the teacher's normalised attention
/// maps per tap (`ZagoruykoAT.teacherTarget`), computed with `attentionTargetOptions`. AT objectives
/// use them when their own options are the same, which gives exactly the loss the taps would give
/// (`TeacherOutputCache` keeps these instead of the much larger taps).
public struct NetworkOutputs {
    public var logits: Tensor
    public var taps: [Tensor]
    public var attentionTargets: [Tensor]?
    public var attentionTargetOptions: ATLossOptions?
    public init(logits: Tensor, taps: [Tensor], attentionTargets: [Tensor]? = nil,
                attentionTargetOptions: ATLossOptions? = nil) {
        self.logits = logits; self.taps = taps
        self.attentionTargets = attentionTargets; self.attentionTargetOptions = attentionTargetOptions
    }
}

/// A training objective: CE, KD, AT, AT+KD, …
public protocol Objective {
    /// Registry name (`ce`, `kd`, `at`, `atkd`).
    var name: String { get }
    /// Whether it needs the teacher's outputs.
    var needsTeacher: Bool { get }
    /// The named terms for one batch. `teacher` is nil when `needsTeacher` is false.
    func terms(student: NetworkOutputs, teacher: NetworkOutputs?, labels: [Int]) -> [LossTerm]
}
