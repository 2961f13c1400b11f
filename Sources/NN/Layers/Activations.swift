// Parameter-free pointwise non-linearities.

import TensorCore

/// y = max(x, 0); the gradient at x = 0 is 0 (PyTorch).
public final class ReLU: Layer {
    public init() {}
    public var parameters: [Parameter] { [] }
    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        let engine = ctx.engine
        return (engine.relu(x), { dy in engine.reluBackward(x, dy: dy) })
    }
}

/// y = min(max(x, 0), 6) (MobileNetV2, torchvision); gradient passes where 0 < x < 6.
public final class ReLU6: Layer {
    public init() {}
    public var parameters: [Parameter] { [] }
    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        let engine = ctx.engine
        return (engine.relu6(x), { dy in engine.relu6Backward(x, dy: dy) })
    }
}

/// The fused-kernel form of an activation layer, nil for layers that have none.
func fusedActivation(of layer: any Layer) -> FusedActivation? {
    if layer is ReLU { return .relu }
    if layer is ReLU6 { return .relu6 }
    return nil
}
