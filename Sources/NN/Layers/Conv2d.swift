// 2-D convolution with square kernels, optional bias and groups.

import TensorCore

/// y = conv(x, W) + b, x [N,C,H,W] → y [N,O,H',W'], H' = ⌊(H + 2p − k)/s⌋ + 1.
///
/// Parameters `<name>.weight` [O, C/groups, k, k] and, with `bias`, `<name>.bias` [O]
/// (PyTorch `nn.Conv2d` state_dict keys). Weight init: Kaiming-normal fan-out (see `Init`);
/// bias init: PyTorch default U(±1/√fan_in).
/// Counts N·O·H'·W'·(C/groups)·k² multiply-accumulates (the PyTorch peer's rule).
public final class Conv2d: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    public let config: ConvConfig

    public init(_ name: String, inChannels: Int, outChannels: Int, kernelSize: Int,
                stride: Int = 1, padding: Int = 0, groups: Int = 1, bias: Bool = false,
                rng: inout SeededRNG) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0,
                     "\(name): channels \(inChannels)→\(outChannels) not divisible by groups \(groups)")
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.config = ConvConfig(stride: stride, padding: padding, groups: groups)
        let shape = [outChannels, inChannels / groups, kernelSize, kernelSize]
        weight = Parameter("\(name).weight", Init.kaimingNormalFanOut(shape, rng: &rng))
        if bias {
            let fanIn = inChannels / groups * kernelSize * kernelSize
            self.bias = Parameter("\(name).bias", Init.pytorchDefault([outChannels], fanIn: fanIn, rng: &rng))
        } else {
            self.bias = nil
        }
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        forward(x, ctx, inputGradient: true)
    }

    /// With `inputGradient` false the pullback accumulates the weight's (and bias's) gradient only
    /// (`Kernels.conv2dParameterGradients`) and returns an empty tensor.
    public func forward(_ x: Tensor, _ ctx: ForwardContext, inputGradient: Bool) -> (Tensor, Pullback) {
        precondition(x.rank == 4 && x.shape[1] == inChannels,
                     "\(weight.name): expected [N,\(inChannels),H,W], got \(x.shape)")
        let y = ctx.engine.conv2d(x, weight: weight.value, bias: bias?.value, config)
        ctx.addMACs(y.count * (inChannels / config.groups) * kernelSize * kernelSize)
        return (y, pullback(x, ctx.engine, inputGradient: inputGradient))
    }

    /// dy ↦ ∂L/∂x (an empty tensor without `inputGradient`), accumulating the weight's (and bias's)
    /// gradient: the backward of both forwards (the output is not needed).
    private func pullback(_ x: Tensor, _ engine: any Kernels, inputGradient: Bool = true) -> Pullback {
        let w = weight, b = bias, config = self.config
        return { dy in
            let (gw, gb, gx): (Tensor, Tensor?, Tensor)
            if inputGradient {
                let g = engine.conv2dBackward(x, weight: w.value, hasBias: b != nil, config, dy: dy)
                (gw, gb, gx) = (g.weight, g.bias, g.x)
            } else {
                let g = engine.conv2dParameterGradients(x, weight: w.value, hasBias: b != nil, config, dy: dy)
                (gw, gb, gx) = (g.weight, g.bias, Tensor(shape: [0], data: []))
            }
            w.accumulate(gw)
            if let b, let gb { b.accumulate(gb) }
            return gx
        }
    }

    /// y = conv(x) + residual in one engine call (`Kernels.conv2dAdd`): a pre-activation residual
    /// block's last convolution and its shortcut sum, the same numbers as the convolution then
    /// `add`. The pullback returns ∂L/∂x only (the residual's gradient is dy, the caller's).
    public func forward(_ x: Tensor, _ ctx: ForwardContext, adding residual: Tensor) -> (Tensor, Pullback) {
        precondition(x.rank == 4 && x.shape[1] == inChannels,
                     "\(weight.name): expected [N,\(inChannels),H,W], got \(x.shape)")
        let y = ctx.engine.conv2dAdd(x, weight: weight.value, bias: bias?.value, config, residual: residual)
        ctx.addMACs(y.count * (inChannels / config.groups) * kernelSize * kernelSize)
        return (y, pullback(x, ctx.engine))
    }

    /// Eval mode: this convolution and the batch norm `bn` after it (and `activation`) in one engine
    /// call (`Kernels.conv2dBatchNormEval`), the same numbers as the layers one after another
    /// (`Sequential` uses it). The fused call never stores the convolution's output, so the pullback
    /// (rarely called in eval mode: a frozen teacher has none) recomputes it and runs both layers'.
    public func forward(_ x: Tensor, _ ctx: ForwardContext, thenEval bn: BatchNorm2d,
                        activation: FusedActivation?) -> (Tensor, Pullback) {
        let y = fusedEval(x, ctx, bn, residual: nil, activation: activation)
        let engine = ctx.engine
        return (y, { dy in
            let again = ForwardContext(engine: engine, training: false)
            let (z, convPullback) = self.forward(x, again)
            let (_, bnPullback) = bn.forward(z, again, activation: activation)
            return convPullback(bnPullback(dy))
        })
    }

    /// Eval mode: this convolution, the batch norm `bn` after it, the sum with `residual` and
    /// `activation` in one engine call (`Kernels.conv2dBatchNormEvalAdd`; `Residual` uses it for a
    /// body ending in convolution + batch norm). No pullback: the caller recomputes its block.
    public func forward(_ x: Tensor, _ ctx: ForwardContext, thenEval bn: BatchNorm2d, adding residual: Tensor,
                        activation: FusedActivation?) -> Tensor {
        fusedEval(x, ctx, bn, residual: residual, activation: activation)
    }

    /// The engine call of the two fused eval forwards, checked, with its MACs counted.
    private func fusedEval(_ x: Tensor, _ ctx: ForwardContext, _ bn: BatchNorm2d, residual: Tensor?,
                           activation: FusedActivation?) -> Tensor {
        precondition(!ctx.training, "\(weight.name): the fused convolution + batch norm is eval-mode only")
        precondition(x.rank == 4 && x.shape[1] == inChannels,
                     "\(weight.name): expected [N,\(inChannels),H,W], got \(x.shape)")
        precondition(bn.channels == outChannels, "\(bn.weight.name): \(bn.channels) channels after \(outChannels)")
        let (gamma, beta, mean, variance) = (bn.weight.value, bn.bias.value, bn.runningMean.value, bn.runningVar.value)
        let y = residual.map {
            ctx.engine.conv2dBatchNormEvalAdd(x, weight: weight.value, bias: bias?.value, config, gamma: gamma, beta: beta,
                                              runningMean: mean, runningVar: variance, eps: bn.eps, residual: $0,
                                              activation: activation)
        } ?? ctx.engine.conv2dBatchNormEval(x, weight: weight.value, bias: bias?.value, config, gamma: gamma, beta: beta,
                                            runningMean: mean, runningVar: variance, eps: bn.eps, activation: activation)
        ctx.addMACs(y.count * (inChannels / config.groups) * kernelSize * kernelSize)
        return y
    }
}
