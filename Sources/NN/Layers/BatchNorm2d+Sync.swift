// Synchronised batch norm: train-mode statistics over the batches of every process of a group,
// so N processes with B/N images each normalise as one process with all B would.

import TensorCore

extension BatchNorm2d {
    /// y = act(γ·(x − μ)/√(σ² + eps) + β) with μ, σ² over the union of the group's batches.
    ///
    /// Forward: per channel, the group sums Σx, Σx² and the count n; μ = Σx/n, σ² = Σx²/n − μ²
    /// (in Double), and the eval kernel applies them. Backward, with x̂ = (x − μ)/√(σ² + eps):
    /// the group sums A = Σ dy·x̂ and B = Σ dy, and
    /// `dx = γ/√(σ² + eps) · (dy − B/n − x̂·A/n)`;
    /// γ and β receive this process's own Σ dy·x̂ and Σ dy (the trainer's gradient sum over the
    /// group completes them). Running statistics use the group's μ and unbiased σ², so they are
    /// the same on every process.
    /// - Reference: torch/nn/modules/_functions.py `SyncBatchNorm` (all-gathers mean and invstd,
    ///   all-reduces `sum_dy` and `sum_dy_xmu`); the algebra is the same.
    /// - Deviation: PyTorch gathers per-process means and counts and combines them; one sum of
    ///   (Σx, Σx², n) is equivalent and needs one collective per layer and direction.
    func synchronisedForward(_ x: Tensor, engine: any Kernels, group: any ProcessGroup,
                             activation: FusedActivation?) -> (Tensor, Pullback) {
        let c = channels, batch = x.shape[0], hw = x.shape[2] * x.shape[3]
        var sums = [Double](repeating: 0, count: 2 * c + 1)
        x.data.withUnsafeBufferPointer { xs in
            for b in 0..<batch {
                for ch in 0..<c {
                    var s1 = 0.0, s2 = 0.0
                    let base = (b * c + ch) * hw
                    for i in 0..<hw { let v = Double(xs[base + i]); s1 += v; s2 += v * v }
                    sums[ch] += s1; sums[c + ch] += s2
                }
            }
        }
        sums[2 * c] = Double(batch * hw)
        group.sum(&sums)
        let n = sums[2 * c]
        // NOTE: PyTorch refuses train-mode BN on one value per channel (the unbiased variance divides by n − 1).
        precondition(n > 1, "\(weight.name): synchronised batch norm needs more than 1 value per channel over the group")
        let mean = (0..<c).map { Float(sums[$0] / n) }
        let variance = (0..<c).map { Float(max(sums[c + $0] / n - (sums[$0] / n) * (sums[$0] / n), 0)) }
        updateRunningStatistics(mean: mean, biasedVariance: variance, count: Int(n))
        let eps = self.eps, gamma = weight, beta = bias
        let meanT = Tensor(shape: [c], data: mean), varT = Tensor(shape: [c], data: variance)
        let y = activation.map {
            engine.batchNormEval(x, gamma: gamma.value, beta: beta.value, runningMean: meanT, runningVar: varT, eps: eps,
                                 activation: $0)
        } ?? engine.batchNormEval(x, gamma: gamma.value, beta: beta.value, runningMean: meanT, runningVar: varT, eps: eps)
        return (y, { dy in
            let gated = activation.map { engine.activationBackward(y: y, dy: dy, activation: $0) } ?? dy
            // Local: dx = γ·invStd·dy, Σ dy·x̂ and Σ dy over this process's values.
            let g = engine.batchNormEvalBackward(x, gamma: gamma.value, runningMean: meanT, runningVar: varT,
                                                 eps: eps, dy: gated)
            gamma.accumulate(g.weight)
            beta.accumulate(g.bias)
            var global = (0..<c).map { Double(g.weight.data[$0]) } + (0..<c).map { Double(g.bias.data[$0]) }
            group.sum(&global)
            var dx = g.x
            dx.data.withUnsafeMutableBufferPointer { d in
                x.data.withUnsafeBufferPointer { xs in
                    for ch in 0..<c {
                        let inv = 1 / (Double(variance[ch]) + Double(eps)).squareRoot()
                        let scale = Double(gamma.value.data[ch]) * inv
                        // dx −= γ·invStd·(B/n + x̂·A/n), x̂ = (x − μ)·invStd
                        let k0 = Float(scale * global[c + ch] / n)
                        let k1 = Float(scale * inv * global[ch] / n)
                        let mu = mean[ch]
                        for b in 0..<batch {
                            let base = (b * c + ch) * hw
                            for i in 0..<hw { d[base + i] -= k0 + k1 * (xs[base + i] - mu) }
                        }
                    }
                }
            }
            return dx
        })
    }
}
