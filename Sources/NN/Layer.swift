// The layer contract: a forward returns its output and the pullback that
// holds exactly what backward needs (no backward without its forward).

import TensorCore

/// Maps the gradient of the loss w.r.t. a layer's output to the gradient
/// w.r.t. its input, accumulating parameter gradients on the way.
public typealias Pullback = (Tensor) -> Tensor

/// A differentiable layer with explicitly listed parameters and buffers.
public protocol Layer: AnyObject {
    /// Output and pullback. In train mode, also updates running statistics.
    func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback)
    /// `forward`, told whether the caller reads ∂L/∂x: with `inputGradient` false the pullback may
    /// skip that work and return an empty tensor (parameter gradients are unchanged, bit for bit).
    /// The default ignores the hint.
    func forward(_ x: Tensor, _ ctx: ForwardContext, inputGradient: Bool) -> (Tensor, Pullback)
    /// Trainable parameters in a fixed order (names are unique within the model).
    var parameters: [Parameter] { get }
    /// Non-trainable state (BN running mean/var) in a fixed order.
    var buffers: [Buffer] { get }
}

extension Layer {
    public var buffers: [Buffer] { [] }
    public func forward(_ x: Tensor, _ ctx: ForwardContext, inputGradient: Bool) -> (Tensor, Pullback) {
        forward(x, ctx)
    }
    /// Output only, discarding the pullback (inference).
    public func callAsFunction(_ x: Tensor, _ ctx: ForwardContext) -> Tensor { forward(x, ctx).0 }
}
