// Residual connection: y = act(body(x) + shortcut(x)).

import TensorCore

/// y = act(body(x) + shortcut(x)); `shortcut` nil is the identity, `activation` nil is none.
/// A ReLU / ReLU6 activation runs fused with the add (see `Sequential.fusesActivations`); a body
/// ending in a batch norm runs it, the sum and the activation as one call (with the convolution
/// before it in eval mode; `fusesShortcutSum`), the same numbers.
///
/// The pullback sends the gradient of the sum through both branches and adds the two input
/// gradients (d x = body′ᵀ·g + shortcut′ᵀ·g). Covers the ResNet basic and bottleneck blocks
/// (activation = ReLU after the add) and the MobileNetV2 inverted residual (no activation).
/// - Reference: He et al. 2016, Eq. (1)–(2); torchvision `BasicBlock.forward`.
public final class Residual: Layer {
    public let body: any Layer
    public let shortcut: (any Layer)?
    public let activation: (any Layer)?

    public init(body: any Layer, shortcut: (any Layer)? = nil, activation: (any Layer)? = nil) {
        self.body = body
        self.shortcut = shortcut
        self.activation = activation
    }

    public var parameters: [Parameter] { body.parameters + (shortcut?.parameters ?? []) }
    public var buffers: [Buffer] { body.buffers + (shortcut?.buffers ?? []) }

    /// Process-wide switch for giving the body's last batch norm the shortcut sum and the activation:
    /// in eval mode with the convolution before it (`Conv2d.forward(_:_:thenEval:adding:activation:)`,
    /// while `Sequential.fusesConvBatchNorm` is on), in train mode alone
    /// (`BatchNorm2d.forward(_:_:adding:activation:)`); on by default, with `Sequential.fusesActivations`.
    nonisolated(unsafe) public static var fusesShortcutSum = true

    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        if ctx.training { return trainingForward(x, ctx) }
        if Self.fusesShortcutSum, Sequential.fusesConvBatchNorm, Sequential.fusesActivations,
           let chain = body as? Sequential, chain.layers.count >= 2,
           let conv = chain.layers[chain.layers.count - 2] as? Conv2d, let bn = chain.layers.last as? BatchNorm2d {
            var act: FusedActivation? = nil
            if let layer = activation {
                guard let fused = fusedActivation(of: layer) else { return unfusedForward(x, ctx) }
                act = fused
            }
            let (h, _) = chain.forward(x, ctx, layers: 0..<(chain.layers.count - 2))
            let s = shortcut?.forward(x, ctx).0 ?? x
            let y = conv.forward(h, ctx, thenEval: bn, adding: s, activation: act)
            let engine = ctx.engine
            // The fused call keeps no intermediate: a pullback (rare in eval mode) recomputes.
            return (y, { dy in self.unfusedForward(x, ForwardContext(engine: engine, training: false)).1(dy) })
        }
        return unfusedForward(x, ctx)
    }

    /// Train mode: a body ending in `BatchNorm2d` (statistics not synchronised) gives its last
    /// batch norm the shortcut sum and the activation (`BatchNorm2d.forward(_:_:adding:activation:)`):
    /// one pass over the block's output fewer each way, the same numbers and the same order of
    /// pullbacks (the batch norm's, the rest of the body's, then the shortcut's).
    private func trainingForward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        guard Self.fusesShortcutSum, Sequential.fusesActivations, ctx.batchStatisticsGroup == nil,
              let chain = body as? Sequential, let bn = chain.layers.last as? BatchNorm2d else {
            return unfusedForward(x, ctx)
        }
        var act: FusedActivation? = nil
        if let layer = activation {
            guard let fused = fusedActivation(of: layer) else { return unfusedForward(x, ctx) }
            act = fused
        }
        let (h, prefixPB) = chain.forward(x, ctx, layers: 0..<(chain.layers.count - 1))
        let (s, shortcutPB) = shortcut?.forward(x, ctx) ?? (x, { $0 })
        precondition(h.shape == s.shape, "residual branches disagree: body \(h.shape) vs shortcut \(s.shape)")
        let engine = ctx.engine
        if shortcut == nil, let act {
            // Identity shortcut: the gate by y is applied where the batch norm's backward and the
            // gradient sum read dy, and g = act′(y)·dy is never written (the same numbers).
            let (y, bnPB) = bn.forward(h, ctx, adding: s, activation: act, gatingOutput: true)
            return (y, { dy in
                var dx = prefixPB(bnPB(dy))
                engine.accumulate(&dx, dy, gatedByOutput: y, activation: act)
                return dx
            })
        }
        let (y, bnPB) = bn.forward(h, ctx, adding: s, activation: act)
        return (y, { dy in
            let g = act.map { engine.activationBackward(y: y, dy: dy, activation: $0) } ?? dy
            var dx = prefixPB(bnPB(g))
            engine.accumulate(&dx, shortcutPB(g))
            return dx
        })
    }

    private func unfusedForward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        let (b, bodyPB) = body.forward(x, ctx)
        let s: Tensor, shortcutPB: Pullback
        if let shortcut { (s, shortcutPB) = shortcut.forward(x, ctx) } else { (s, shortcutPB) = (x, { $0 }) }
        precondition(b.shape == s.shape, "residual branches disagree: body \(b.shape) vs shortcut \(s.shape)")
        let y: Tensor, actPB: Pullback
        if Sequential.fusesActivations, let layer = activation, let act = fusedActivation(of: layer) {
            // act(b + s) in one pass; the pullback gates dy by the output.
            let engine = ctx.engine
            let out = engine.add(b, s, activation: act)
            (y, actPB) = (out, { dy in engine.activationBackward(y: out, dy: dy, activation: act) })
        } else {
            let sum = ctx.engine.add(b, s)
            (y, actPB) = activation?.forward(sum, ctx) ?? (sum, { $0 })
        }
        let engine = ctx.engine
        return (y, { dy in
            let g = actPB(dy)
            var dx = bodyPB(g)
            engine.accumulate(&dx, shortcutPB(g))
            return dx
        })
    }
}

/// He et al. option-A shortcut: subsample `x[:, :, ::stride, ::stride]`, then zero-pad channels
/// with ⌊pad/2⌋ in front and pad − ⌊pad/2⌋ behind (pad = outChannels − inChannels). Parameter-free.
///
/// - Reference: `shared/bench/pytorch_peer.py` `BlockA` (`F.pad(x[:, :, ::s, ::s], (0,0,0,0, pad//2, pad − pad//2))`);
///   the same split as akamaster/pytorch_resnet_cifar10 `LambdaLayer` for pad = C_in.
public final class ZeroPadShortcut: Layer {
    public let stride: Int
    public let inChannels: Int
    public let outChannels: Int

    public init(inChannels: Int, outChannels: Int, stride: Int) {
        precondition(outChannels >= inChannels && stride >= 1, "option-A shortcut cannot shrink channels")
        self.stride = stride
        self.inChannels = inChannels
        self.outChannels = outChannels
    }

    public var parameters: [Parameter] { [] }

    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        precondition(x.rank == 4 && x.shape[1] == inChannels, "option-A shortcut: expected C = \(inChannels), got \(x.shape)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let s = stride, co = outChannels, front = (co - c) / 2
        let ho = (h + s - 1) / s, wo = (w + s - 1) / s
        var out = [Float](repeating: 0, count: n * co * ho * wo)
        x.data.withUnsafeBufferPointer { xb in
        out.withUnsafeMutableBufferPointer { ob in
            for b in 0..<n {
                for ch in 0..<c {
                    let src = xb.baseAddress! + (b * c + ch) * h * w, dst = ob.baseAddress! + (b * co + ch + front) * ho * wo
                    for i in 0..<ho { for j in 0..<wo { dst[i * wo + j] = src[i * s * w + j * s] } }
                }
            }
        }
        }
        return (Tensor(shape: [n, co, ho, wo], data: out), { dy in
            var dx = [Float](repeating: 0, count: n * c * h * w)
            dy.data.withUnsafeBufferPointer { db in
            dx.withUnsafeMutableBufferPointer { xb in
                for b in 0..<n {
                    for ch in 0..<c {
                        let dst = xb.baseAddress! + (b * c + ch) * h * w, src = db.baseAddress! + (b * co + ch + front) * ho * wo
                        for i in 0..<ho { for j in 0..<wo { dst[i * s * w + j * s] = src[i * wo + j] } }
                    }
                }
            }
            }
            return Tensor(shape: [n, c, h, w], data: dx)
        })
    }
}
