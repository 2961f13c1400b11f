// Batch normalisation over N·H·W per channel, with PyTorch running statistics.

import TensorCore

/// y = γ·(x − μ)/√(σ² + eps) + β per channel; batch statistics in train mode, running ones in eval.
///
/// Train mode also updates the running statistics as PyTorch does:
/// `running_mean ← (1 − m)·running_mean + m·μ_B`,
/// `running_var  ← (1 − m)·running_var + m·σ²_B·n/(n − 1)` (unbiased batch variance, n = N·H·W).
/// Parameters `<name>.weight` (γ = `gamma`, default 1) and `<name>.bias` (β = 0); buffers `<name>.running_mean` (0)
/// and `<name>.running_var` (1).
/// - Reference: torch/nn/modules/batchnorm.py, `F.batch_norm` (momentum 0.1, eps 1e-5).
/// - Deviation: PyTorch's `num_batches_tracked` buffer is not kept (it only matters for momentum = None).
public final class BatchNorm2d: Layer {
    public let weight: Parameter
    public let bias: Parameter
    public let runningMean: Buffer
    public let runningVar: Buffer
    public let channels: Int
    public let momentum: Float
    public let eps: Float

    /// `gamma` 0 is torchvision's `zero_init_residual` for the last BN of a residual branch.
    public init(_ name: String, channels: Int, momentum: Float = 0.1, eps: Float = 1e-5, gamma: Float = 1) {
        self.channels = channels
        self.momentum = momentum
        self.eps = eps
        weight = Parameter("\(name).weight", Tensor(repeating: gamma, shape: [channels]))
        bias = Parameter("\(name).bias", Tensor(zeros: [channels]))
        runningMean = Buffer("\(name).running_mean", Tensor(zeros: [channels]))
        runningVar = Buffer("\(name).running_var", Tensor(repeating: 1, shape: [channels]))
    }

    public var parameters: [Parameter] { [weight, bias] }
    public var buffers: [Buffer] { [runningMean, runningVar] }

    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        forward(x, ctx, activation: nil)
    }

    /// y = act(BN(x)): this layer and the ReLU / ReLU6 layer after it as one fused kernel call
    /// (`Sequential` uses it); `activation` nil is the plain layer. The pullback keeps x and y.
    public func forward(_ x: Tensor, _ ctx: ForwardContext, activation: FusedActivation?) -> (Tensor, Pullback) {
        precondition(x.rank == 4 && x.shape[1] == channels,
                     "\(weight.name): expected [N,\(channels),H,W], got \(x.shape)")
        let engine = ctx.engine, gamma = weight, beta = bias, eps = self.eps
        if ctx.training, let group = ctx.batchStatisticsGroup {
            return synchronisedForward(x, engine: engine, group: group, activation: activation)
        }
        if ctx.training {
            let n = x.shape[0] * x.shape[2] * x.shape[3]
            // NOTE: PyTorch refuses train-mode BN on one value per channel (the unbiased variance divides by n − 1).
            precondition(n > 1, "\(weight.name): train-mode batch norm needs more than 1 value per channel, got \(x.shape)")
            let f = activation.map { engine.batchNormTrain(x, gamma: gamma.value, beta: beta.value, eps: eps, activation: $0) }
                ?? engine.batchNormTrain(x, gamma: gamma.value, beta: beta.value, eps: eps)
            updateRunningStatistics(mean: f.mean, biasedVariance: f.variance, count: n)
            let mean = f.mean, invStd = f.invStd, y = f.y, b = beta.value
            return (y, { dy in
                let g = activation.map {
                    engine.batchNormTrainBackward(x, y: y, gamma: gamma.value, beta: b, mean: mean, invStd: invStd,
                                                  activation: $0, dy: dy)
                } ?? engine.batchNormTrainBackward(x, gamma: gamma.value, mean: mean, invStd: invStd, dy: dy)
                gamma.accumulate(g.weight)
                beta.accumulate(g.bias)
                return g.x
            })
        }
        let rm = runningMean.value, rv = runningVar.value
        let y = activation.map {
            engine.batchNormEval(x, gamma: gamma.value, beta: beta.value, runningMean: rm, runningVar: rv, eps: eps,
                                 activation: $0)
        } ?? engine.batchNormEval(x, gamma: gamma.value, beta: beta.value, runningMean: rm, runningVar: rv, eps: eps)
        return (y, { dy in
            let gated = activation.map { engine.activationBackward(y: y, dy: dy, activation: $0) } ?? dy
            let g = engine.batchNormEvalBackward(x, gamma: gamma.value, runningMean: rm, runningVar: rv,
                                                 eps: eps, dy: gated)
            gamma.accumulate(g.weight)
            beta.accumulate(g.bias)
            return g.x
        })
    }

    /// Train mode without synchronised statistics: y = act(BN(x) + residual) in one kernel call
    /// (`Residual` uses it for a body ending in this layer); the statistics and running updates are
    /// those of BN(x) alone. The pullback takes the gradient at the sum — already gated by the
    /// activation, which the caller does from y — and returns ∂L/∂x (γ and β accumulate); with
    /// `gatingOutput` (and an activation) it takes the gradient at y and gates it by y itself
    /// (`Kernels.batchNormTrainBackward(_:gamma:mean:invStd:dy:gatedByOutput:activation:)`).
    public func forward(_ x: Tensor, _ ctx: ForwardContext, adding residual: Tensor,
                        activation: FusedActivation?, gatingOutput: Bool = false) -> (Tensor, Pullback) {
        precondition(ctx.training && ctx.batchStatisticsGroup == nil,
                     "\(weight.name): the fused shortcut sum is for unsynchronised train mode")
        precondition(x.rank == 4 && x.shape[1] == channels,
                     "\(weight.name): expected [N,\(channels),H,W], got \(x.shape)")
        let n = x.shape[0] * x.shape[2] * x.shape[3]
        precondition(n > 1, "\(weight.name): train-mode batch norm needs more than 1 value per channel, got \(x.shape)")
        let engine = ctx.engine, gamma = weight, beta = bias
        let f = engine.batchNormTrain(x, gamma: gamma.value, beta: beta.value, eps: eps, residual: residual,
                                      activation: activation)
        updateRunningStatistics(mean: f.mean, biasedVariance: f.variance, count: n)
        let mean = f.mean, invStd = f.invStd, y = f.y
        return (y, { g in
            let grads = if gatingOutput, let activation {
                engine.batchNormTrainBackward(x, gamma: gamma.value, mean: mean, invStd: invStd, dy: g,
                                              gatedByOutput: y, activation: activation)
            } else {
                engine.batchNormTrainBackward(x, gamma: gamma.value, mean: mean, invStd: invStd, dy: g)
            }
            gamma.accumulate(grads.weight)
            beta.accumulate(grads.bias)
            return grads.x
        })
    }

    /// The momentum update of the running statistics (bookkeeping on C values).
    func updateRunningStatistics(mean: [Float], biasedVariance: [Float], count n: Int) {
        let m = momentum
        let unbias = Float(n) / Float(n - 1)
        for c in 0..<channels {
            runningMean.value.data[c] = (1 - m) * runningMean.value.data[c] + m * mean[c]
            runningVar.value.data[c] = (1 - m) * runningVar.value.data[c] + m * biasedVariance[c] * unbias
        }
    }
}
