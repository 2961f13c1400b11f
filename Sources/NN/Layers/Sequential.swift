// A chain of layers; the pullback runs the chain's pullbacks in reverse.

import TensorCore

/// y = f_k(…f_2(f_1(x))); parameters and buffers in layer order.
public final class Sequential: Layer {
    public private(set) var layers: [any Layer]
    public init(_ layers: [any Layer]) { self.layers = layers }
    public convenience init(_ layers: any Layer...) { self.init(layers) }

    public func append(_ layer: any Layer) { layers.append(layer) }

    public var parameters: [Parameter] { layers.flatMap { $0.parameters } }
    public var buffers: [Buffer] { layers.flatMap { $0.buffers } }

    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        var h = x
        var pullbacks: [Pullback] = []
        pullbacks.reserveCapacity(layers.count)
        for layer in layers {
            let (y, pb) = layer.forward(h, ctx)
            h = y
            pullbacks.append(pb)
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
