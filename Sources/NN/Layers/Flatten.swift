// Reshape [N, …] → [N, prod(…)] (PyTorch `flatten(1)`).

import TensorCore

/// Flattens every dimension after the batch one; the pullback restores the input shape.
public final class Flatten: Layer {
    public init() {}
    public var parameters: [Parameter] { [] }
    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        let shape = x.shape
        let n = shape.first ?? 1
        return (x.reshaped([n, x.count / max(n, 1)]), { dy in dy.reshaped(shape) })
    }
}
