// What a forward pass needs besides its input: the engine, the mode, randomness.

import TensorCore

/// Per-forward settings shared by every layer of a model.
public final class ForwardContext {
    /// The kernels that run the ops (reference or fast).
    public let engine: any Kernels
    /// Train mode: batch statistics in BN, dropout active, running stats updated.
    public let training: Bool
    /// Randomness for dropout and the like; seeded by the trainer.
    public var rng: SeededRNG
    /// Multiply-accumulates counted by conv and linear layers when non-nil.
    public var macs: Int?
    /// Whether the caller reads ∂L/∂x of the model's input. A trainer does not (its input is data):
    /// false lets the model's first convolution skip its input gradient (`Layer.forward(_:_:inputGradient:)`),
    /// and the model's backward then returns an empty tensor.
    public var modelInputGradient = true
    /// Train-mode batch norm takes its statistics over the batches of every member of this group
    /// (synchronised batch norm); nil: over this process's batch alone.
    public var batchStatisticsGroup: (any ProcessGroup)?

    public init(engine: any Kernels, training: Bool, rng: SeededRNG = SeededRNG(seed: 0),
                countMACs: Bool = false) {
        self.engine = engine
        self.training = training
        self.rng = rng
        self.macs = countMACs ? 0 : nil
    }

    public func addMACs(_ n: Int) { if let m = macs { macs = m + n } }
}
