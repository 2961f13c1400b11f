// `ce`: hard-label cross-entropy, the baseline objective and the first term of every other one.

import TensorCore

/// `ce = mean_n [(1−ε)·(−log softmax(z)[n, y_n]) + ε·mean_k(−log softmax(z)[n, k])]`, one term `ce`.
///
/// Needs no teacher. The value and its gradient come from `engine.crossEntropy`.
/// - Reference: `F.cross_entropy(logits, labels, label_smoothing=ε)`.
public struct CrossEntropyObjective: Objective {
    public let name = "ce"
    public let needsTeacher = false
    /// Weight of the `ce` term.
    public var ceWeight: Float
    /// Label smoothing ε in [0, 1).
    public var labelSmoothing: Float
    public let engine: any Kernels

    public init(ceWeight: Float, labelSmoothing: Float, engine: any Kernels) {
        self.ceWeight = ceWeight; self.labelSmoothing = labelSmoothing; self.engine = engine
    }

    public func terms(student: NetworkOutputs, teacher: NetworkOutputs?, labels: [Int]) -> [LossTerm] {
        [term(logits: student.logits, labels: labels)]
    }

    /// The `ce` term for `[N, K]` logits.
    public func term(logits: Tensor, labels: [Int]) -> LossTerm {
        precondition(logits.rank == 2 && labels.count == logits.shape[0],
                     "cross-entropy needs logits [N, K] and N labels, got \(logits.shape) and \(labels.count)")
        let ce = engine.crossEntropy(logits, labels: labels, labelSmoothing: labelSmoothing)
        return LossTerm(name: "ce", weight: ceWeight, value: ce.loss, dLogits: ce.dLogits)
    }
}
