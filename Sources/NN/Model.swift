// The model contract: logits, named feature taps and the pooled embedding, with a backward that
// accepts gradients on the logits, on any tap and on the embedding.

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
    /// The pooled penultimate feature `[N, D]` the classifier reads (RepDistiller's `feat[-1]`,
    /// mdistiller's `pooled_feat`); nil for a model that does not expose one.
    public var embedding: Tensor?
    /// Backpropagates `dLogits`, optional per-tap gradients (same order as `taps`, nil = none) and an
    /// optional gradient on `embedding`, accumulating into parameter gradients; returns d input (an
    /// empty tensor when the forward's context had `modelInputGradient` false).
    public var fullBackward: (_ dLogits: Tensor, _ dTaps: [Tensor?], _ dEmbedding: Tensor?) -> Tensor

    /// `fullBackward` without an embedding gradient (the call every objective before issue 22 makes).
    public var backward: (_ dLogits: Tensor, _ dTaps: [Tensor?]) -> Tensor {
        let full = fullBackward
        return { full($0, $1, nil) }
    }

    /// A forward pass with an embedding and the backward that accepts its gradient.
    public init(logits: Tensor, taps: [FeatureTap], embedding: Tensor,
                backward: @escaping (_ dLogits: Tensor, _ dTaps: [Tensor?], _ dEmbedding: Tensor?) -> Tensor) {
        self.logits = logits; self.taps = taps; self.embedding = embedding; self.fullBackward = backward
    }

    /// A forward pass without an embedding (hand-built test models); an embedding gradient is an error.
    public init(logits: Tensor, taps: [FeatureTap],
                backward: @escaping (_ dLogits: Tensor, _ dTaps: [Tensor?]) -> Tensor) {
        self.logits = logits; self.taps = taps; self.embedding = nil
        self.fullBackward = { dLogits, dTaps, dEmbedding in
            precondition(dEmbedding == nil, "this model exposes no embedding, so it takes no gradient on one")
            return backward(dLogits, dTaps)
        }
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
