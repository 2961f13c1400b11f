// Fully connected layer.

import TensorCore

/// y = x·Wᵀ + b, x [N, in] → y [N, out].
///
/// Parameters `<name>.weight` [out, in] and `<name>.bias` [out], both initialised with
/// PyTorch's default U(±1/√in) (`nn.Linear.reset_parameters`). Counts N·out·in MACs.
public final class Linear: Layer {
    public let weight: Parameter
    public let bias: Parameter
    public let inFeatures: Int
    public let outFeatures: Int

    public init(_ name: String, inFeatures: Int, outFeatures: Int, rng: inout SeededRNG) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter("\(name).weight",
                           Init.pytorchDefault([outFeatures, inFeatures], fanIn: inFeatures, rng: &rng))
        bias = Parameter("\(name).bias", Init.pytorchDefault([outFeatures], fanIn: inFeatures, rng: &rng))
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        precondition(x.rank == 2 && x.shape[1] == inFeatures,
                     "\(weight.name): expected [N,\(inFeatures)], got \(x.shape)")
        let y = ctx.engine.linear(x, weight: weight.value, bias: bias.value)
        ctx.addMACs(y.count * inFeatures)
        let engine = ctx.engine, w = weight, b = bias
        return (y, { dy in
            let g = engine.linearBackward(x, weight: w.value, dy: dy)
            w.accumulate(g.weight)
            b.accumulate(g.bias)
            return g.x
        })
    }
}
