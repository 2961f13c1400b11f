// The shape every zoo model shares: stem → stages (each output is a feature tap) → head.

import TensorCore
import NN

/// One resolution group of a network; its output is exposed as a feature tap.
public struct Stage {
    /// Tap name (`stage1` … `stageN`, high to low resolution).
    public var name: String
    /// Whether the stage output has passed its last non-linearity.
    public var activation: TapActivation
    public var layer: any Layer
    public init(name: String, activation: TapActivation, layer: any Layer) {
        self.name = name; self.activation = activation; self.layer = layer
    }
}

/// logits = head(stage_N(…stage_1(stem(x)))), with every stage output kept as a `FeatureTap` and
/// the head's pooled feature as the embedding.
///
/// The head is split after its last `Flatten`: `headFeatures` (… → pool → flatten) gives the
/// embedding `[N, D]`, `classifier` (dropout →) linear reads it — RepDistiller's `feat[-1]`.
/// `fullBackward(dLogits, dTaps, dEmbedding)` runs the classifier's pullback, adds `dEmbedding`
/// (when present), runs the head features' pullback, then for each stage from last to first adds
/// the tap gradient `dTaps[i]` (when present) to the gradient flowing into that stage's output
/// before running its pullback — the chain rule for a value used twice (by the next stage and by
/// the loss on the tap). `dTaps` may be shorter than the tap list; missing entries mean no
/// gradient on that tap.
///
/// NOTE: splitting the head runs the same layers in the same order (batch norm + activation
/// fusion never spans the split, which follows `Flatten`), so logits and gradients are bit for
/// bit those of the unsplit head when no embedding gradient is given.
public final class TappedNetwork: Model {
    public let name: String
    public let numClasses: Int
    public let stem: any Layer
    public let stages: [Stage]
    public let head: any Layer
    /// The head up to and including its last `Flatten` (its output is the embedding).
    public let headFeatures: any Layer
    /// The rest of the head: the classifier that reads the embedding.
    public let classifier: any Layer

    public init(name: String, numClasses: Int, stem: any Layer, stages: [Stage], head: any Layer) {
        self.name = name
        self.numClasses = numClasses
        self.stem = stem
        self.stages = stages
        self.head = head
        (headFeatures, classifier) = Self.split(head)
    }

    /// `head` as (… → flatten, classifier); a head without a `Flatten` must be a `Sequential`
    /// whose input is already `[N, D]` (then the embedding is its input).
    static func split(_ head: any Layer) -> (any Layer, any Layer) {
        guard let seq = head as? Sequential else { return (Identity(), head) }
        guard let k = seq.layers.lastIndex(where: { $0 is Flatten }) else { return (Identity(), head) }
        return (Sequential(Array(seq.layers[...k])), Sequential(Array(seq.layers[(k + 1)...])))
    }

    /// Tap names in forward order.
    public var tapNames: [String] { stages.map(\.name) }

    /// In module (state_dict) order: stem, stages, head.
    public var parameters: [Parameter] {
        stem.parameters + stages.flatMap { $0.layer.parameters } + head.parameters
    }

    public var buffers: [Buffer] {
        stem.buffers + stages.flatMap { $0.layer.buffers } + head.buffers
    }

    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> ModelForward {
        var (h, stemPB) = stem.forward(x, ctx, inputGradient: ctx.modelInputGradient)
        var taps: [FeatureTap] = []
        var stagePBs: [Pullback] = []
        for stage in stages {
            let (y, pb) = stage.layer.forward(h, ctx)
            taps.append(FeatureTap(name: stage.name, activation: stage.activation, value: y))
            stagePBs.append(pb)
            h = y
        }
        let (embedding, featuresPB) = headFeatures.forward(h, ctx)
        let (logits, classifierPB) = classifier.forward(embedding, ctx)
        let tapShapes = taps.map(\.value.shape)
        let embeddingShape = embedding.shape
        let engine = ctx.engine
        return ModelForward(logits: logits, taps: taps, embedding: embedding, backward: { dLogits, dTaps, dEmbedding in
            precondition(dTaps.count <= tapShapes.count,
                         "\(dTaps.count) tap gradients for \(tapShapes.count) taps")
            var e = classifierPB(dLogits)
            if let de = dEmbedding {
                precondition(de.shape == embeddingShape, "embedding gradient \(de.shape) vs embedding \(embeddingShape)")
                engine.accumulate(&e, de)
            }
            var g = featuresPB(e)
            for i in stride(from: stagePBs.count - 1, through: 0, by: -1) {
                if i < dTaps.count, let dt = dTaps[i] {
                    precondition(dt.shape == tapShapes[i], "tap \(i) gradient \(dt.shape) vs tap \(tapShapes[i])")
                    engine.accumulate(&g, dt)
                }
                g = stagePBs[i](g)
            }
            return stemPB(g)
        })
    }
}

/// The classifier head shared by the ResNets and MobileNets: global average pool → flatten → linear.
func poolFlattenLinear(_ name: String, features: Int, classes: Int, rng: inout SeededRNG) -> Sequential {
    Sequential(AdaptiveAvgPool2d(), Flatten(), Linear(name, inFeatures: features, outFeatures: classes, rng: &rng))
}

/// Conv → BN (→ activation): the unit every model repeats. Names `<conv>.weight`, `<bn>.weight`, ….
func convBN(_ conv: String, _ bn: String, _ cin: Int, _ cout: Int, kernel: Int, stride: Int = 1,
            groups: Int = 1, activation: (any Layer)? = nil, rng: inout SeededRNG) -> [any Layer] {
    let layers: [any Layer] = [
        Conv2d(conv, inChannels: cin, outChannels: cout, kernelSize: kernel, stride: stride,
               padding: (kernel - 1) / 2, groups: groups, rng: &rng),
        BatchNorm2d(bn, channels: cout),
    ]
    return activation.map { layers + [$0] } ?? layers
}
