// Inverted dropout with a mask drawn from the forward context's generator.

import TensorCore

/// Train mode: y = x·m/(1 − p) with m ~ Bernoulli(1 − p) from `ctx.rng`; eval mode: y = x.
///
/// The mask is drawn as `rng.uniform() >= p` per element in flat NCHW order, so a seeded
/// context reproduces the same mask (it cannot match PyTorch's generator bit for bit).
public final class Dropout: Layer {
    public let p: Float
    public init(p: Float) {
        precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), got \(p)")
        self.p = p
    }
    public var parameters: [Parameter] { [] }
    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        guard ctx.training, p > 0 else { return (x, { $0 }) }
        var mask = [Float](repeating: 0, count: x.count)
        for i in 0..<mask.count { mask[i] = ctx.rng.uniform() >= p ? 1 : 0 }
        let engine = ctx.engine, p = self.p
        return (engine.dropout(x, mask: mask, p: p), { dy in engine.dropoutBackward(mask: mask, p: p, dy: dy) })
    }
}
