// The model contract: logits plus named feature taps, with a backward that
// accepts gradients on the logits and on any tap.

import TensorCore

/// Whether a tap is read before or after the final non-linearity of its stage.
public enum TapActivation: String, Codable, Sendable {
    case preActivation = "pre"
    case postActivation = "post"
}

/// A named stage output that attention transfer reads.
public struct FeatureTap {
    public var name: String
    public var activation: TapActivation
    public var value: Tensor
    public init(name: String, activation: TapActivation, value: Tensor) {
        self.name = name; self.activation = activation; self.value = value
    }
}

/// The result of a model forward pass.
public struct ModelForward {
    public var logits: Tensor
    /// Stage outputs from high to low resolution.
    public var taps: [FeatureTap]
    /// Backpropagates `dLogits` and optional per-tap gradients (same order as
    /// `taps`, nil = none), accumulating into parameter gradients; returns d input.
    public var backward: (_ dLogits: Tensor, _ dTaps: [Tensor?]) -> Tensor

    public init(logits: Tensor, taps: [FeatureTap],
                backward: @escaping (_ dLogits: Tensor, _ dTaps: [Tensor?]) -> Tensor) {
        self.logits = logits; self.taps = taps; self.backward = backward
    }
}

/// A classification network with feature taps.
public protocol Model: AnyObject {
    /// Architecture name as used by the CLI and configs (e.g. `resnet20`).
    var name: String { get }
    var numClasses: Int { get }
    func forward(_ x: Tensor, _ ctx: ForwardContext) -> ModelForward
    var parameters: [Parameter] { get }
    var buffers: [Buffer] { get }
}

extension Model {
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }
    public func zeroGrad() { parameters.forEach { $0.zeroGrad() } }
}
