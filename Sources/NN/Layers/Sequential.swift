// A chain of layers; the pullback runs the chain's pullbacks in reverse.

import TensorCore

/// y = f_k(…f_2(f_1(x))); parameters and buffers in layer order.
///
/// A `BatchNorm2d` directly followed by a `ReLU` or `ReLU6` runs as one fused kernel call
/// (`BatchNorm2d.forward(_:_:activation:)`): the same function, one pass over memory fewer each
/// way. In eval mode a `Conv2d` (any `FusesEvalBatchNorm` layer: the AW-convolution too) directly
/// followed by a `BatchNorm2d` (and an activation) is one call too
/// (`forward(_:_:thenEval:activation:)`). `fusesActivations = false` and
/// `fusesConvBatchNorm = false` run every layer on its own (for comparisons and tests).
public final class Sequential: Layer {
    public private(set) var layers: [any Layer]
    public init(_ layers: [any Layer]) { self.layers = layers }
    public convenience init(_ layers: any Layer...) { self.init(layers) }

    public func append(_ layer: any Layer) { layers.append(layer) }

    /// Process-wide switch for the batch-norm + activation fusion (on by default).
    nonisolated(unsafe) public static var fusesActivations = true
    /// Process-wide switch for the eval-mode convolution + batch-norm (+ activation) fusion
    /// (`Conv2d.forward(_:_:thenEval:activation:)`, on by default).
    nonisolated(unsafe) public static var fusesConvBatchNorm = true

    public var parameters: [Parameter] { layers.flatMap { $0.parameters } }
    public var buffers: [Buffer] { layers.flatMap { $0.buffers } }

    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        forward(x, ctx, layers: 0..<layers.count)
    }

    /// The hint goes to the first layer when it runs unfused.
    public func forward(_ x: Tensor, _ ctx: ForwardContext, inputGradient: Bool) -> (Tensor, Pullback) {
        forward(x, ctx, layers: 0..<layers.count, inputGradient: inputGradient)
    }

    /// The chain of `layers[range]` only (fusions stay inside the range); `inputGradient` as in
    /// `Layer.forward(_:_:inputGradient:)`, for the range's first layer.
    public func forward(_ x: Tensor, _ ctx: ForwardContext, layers range: Range<Int>,
                        inputGradient: Bool = true) -> (Tensor, Pullback) {
        let end = range.upperBound
        var h = x
        var pullbacks: [Pullback] = []
        pullbacks.reserveCapacity(range.count)
        var i = range.lowerBound
        while i < end {
            let layer = layers[i]
            if !ctx.training && Self.fusesConvBatchNorm, let conv = layer as? any FusesEvalBatchNorm, i + 1 < end,
               let bn = layers[i + 1] as? BatchNorm2d {
                let act = Self.fusesActivations && i + 2 < end ? fusedActivation(of: layers[i + 2]) : nil
                let (y, pb) = conv.forward(h, ctx, thenEval: bn, activation: act)
                h = y
                pullbacks.append(pb)
                i += act == nil ? 2 : 3
                continue
            }
            if Self.fusesActivations, let bn = layer as? BatchNorm2d, i + 1 < end,
               let act = fusedActivation(of: layers[i + 1]) {
                let (y, pb) = bn.forward(h, ctx, activation: act)
                h = y
                pullbacks.append(pb)
                i += 2
                continue
            }
            let (y, pb) = i == range.lowerBound && !inputGradient
                ? layer.forward(h, ctx, inputGradient: false) : layer.forward(h, ctx)
            h = y
            pullbacks.append(pb)
            i += 1
        }
        return (h, { dy in
            var g = dy
            for pb in pullbacks.reversed() { g = pb(g) }
            return g
        })
    }
}

/// y = x (a placeholder stage or an identity shortcut).
public final class Identity: Layer {
    public init() {}
    public var parameters: [Parameter] { [] }
    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) { (x, { $0 }) }
}
