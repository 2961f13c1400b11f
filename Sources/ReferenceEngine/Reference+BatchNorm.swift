// Reference batch normalisation (train and eval mode) and its backward.
// N batch, C channels, H, W; M = N·H·W values per channel.

import TensorCore

extension ReferenceEngine {
    private func checkAffine(_ op: String, _ x: Tensor, _ params: [(String, Tensor)]) -> (Int, Int, Int, Int) {
        let (n, c, h, w) = nchw(x, op)
        for (name, t) in params {
            precondition(t.shape == [c], "\(op): \(name) must be [\(c)] for x \(x.shape), got \(t.shape)")
        }
        return (n, c, h, w)
    }

    /// μ = (1/M) Σ x, σ² = (1/M) Σ (x − μ)² (biased), y = γ·(x − μ)/√(σ² + eps) + β.
    /// Running statistics are NOT updated here (layers do it with the unbiased variance).
    /// - Reference: PyTorch `F.batch_norm(training=True)`.
    public func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float) -> BatchNormForward {
        let (n, c, h, w) = checkAffine("batchNormTrain", x, [("gamma", gamma), ("beta", beta)])
        let hw = h * w, m = Double(n * hw)
        precondition(m > 0, "batchNormTrain: empty batch \(x.shape)")
        var mean = [Float](repeating: 0, count: c), variance = mean, invStd = mean
        var y = [Float](repeating: 0, count: x.count)
        for ch in 0..<c {
            var s = 0.0
            for b in 0..<n { for i in 0..<hw { s += Double(x.data[(b * c + ch) * hw + i]) } }
            let mu = s / m
            // NOTE: two passes (mean, then squared deviations): Σx² − Mμ² cancels catastrophically.
            var ss = 0.0
            for b in 0..<n { for i in 0..<hw { let d = Double(x.data[(b * c + ch) * hw + i]) - mu; ss += d * d } }
            let v = ss / m, inv = 1 / (v + Double(eps)).squareRoot()
            mean[ch] = Float(mu); variance[ch] = Float(v); invStd[ch] = Float(inv)
            let g = Double(gamma.data[ch]), be = Double(beta.data[ch])
            for b in 0..<n {
                for i in 0..<hw {
                    let idx = (b * c + ch) * hw + i
                    y[idx] = Float(g * (Double(x.data[idx]) - mu) * inv + be)
                }
            }
        }
        return BatchNormForward(y: Tensor(shape: x.shape, data: y), mean: mean, variance: variance, invStd: invStd)
    }

    /// With x̂ = (x − μ)·invStd: dβ = Σ dy, dγ = Σ dy·x̂,
    /// dx = γ·invStd/M · (M·dy − dβ − x̂·dγ) (μ and σ² depend on x).
    public func batchNormTrainBackward(_ x: Tensor, gamma: Tensor, mean: [Float], invStd: [Float],
                                       dy: Tensor) -> AffineGradients {
        let (n, c, h, w) = checkAffine("batchNormTrainBackward", x, [("gamma", gamma)])
        precondition(mean.count == c && invStd.count == c,
                     "batchNormTrainBackward: mean/invStd need \(c) values, got \(mean.count)/\(invStd.count)")
        precondition(dy.shape == x.shape, "batchNormTrainBackward: dy \(dy.shape) must match x \(x.shape)")
        let hw = h * w, m = Double(n * hw)
        var dx = [Float](repeating: 0, count: x.count)
        var dgamma = [Float](repeating: 0, count: c), dbeta = dgamma
        for ch in 0..<c {
            let mu = Double(mean[ch]), inv = Double(invStd[ch])
            var sdy = 0.0, sdyx = 0.0
            for b in 0..<n {
                for i in 0..<hw {
                    let idx = (b * c + ch) * hw + i
                    let g = Double(dy.data[idx])
                    sdy += g; sdyx += g * (Double(x.data[idx]) - mu) * inv
                }
            }
            dbeta[ch] = Float(sdy); dgamma[ch] = Float(sdyx)
            let scale = Double(gamma.data[ch]) * inv / m
            for b in 0..<n {
                for i in 0..<hw {
                    let idx = (b * c + ch) * hw + i
                    let xhat = (Double(x.data[idx]) - mu) * inv
                    dx[idx] = Float(scale * (m * Double(dy.data[idx]) - sdy - xhat * sdyx))
                }
            }
        }
        return AffineGradients(x: Tensor(shape: x.shape, data: dx), weight: Tensor(shape: [c], data: dgamma),
                               bias: Tensor(shape: [c], data: dbeta))
    }

    /// y = γ·(x − running_mean)/√(running_var + eps) + β. PyTorch `F.batch_norm(training=False)`.
    public func batchNormEval(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                              runningVar: Tensor, eps: Float) -> Tensor {
        let (n, c, h, w) = checkAffine("batchNormEval", x, [("gamma", gamma), ("beta", beta),
                                                            ("runningMean", runningMean), ("runningVar", runningVar)])
        let hw = h * w
        var y = [Float](repeating: 0, count: x.count)
        for ch in 0..<c {
            let inv = 1 / (Double(runningVar.data[ch]) + Double(eps)).squareRoot()
            let mu = Double(runningMean.data[ch]), g = Double(gamma.data[ch]), be = Double(beta.data[ch])
            for b in 0..<n {
                for i in 0..<hw {
                    let idx = (b * c + ch) * hw + i
                    y[idx] = Float(g * (Double(x.data[idx]) - mu) * inv + be)
                }
            }
        }
        return Tensor(shape: x.shape, data: y)
    }

    /// Statistics are constants: dx = γ·invStd·dy, dγ = Σ dy·x̂, dβ = Σ dy.
    public func batchNormEvalBackward(_ x: Tensor, gamma: Tensor, runningMean: Tensor, runningVar: Tensor,
                                      eps: Float, dy: Tensor) -> AffineGradients {
        let (n, c, h, w) = checkAffine("batchNormEvalBackward", x, [("gamma", gamma),
                                                                    ("runningMean", runningMean), ("runningVar", runningVar)])
        precondition(dy.shape == x.shape, "batchNormEvalBackward: dy \(dy.shape) must match x \(x.shape)")
        let hw = h * w
        var dx = [Float](repeating: 0, count: x.count)
        var dgamma = [Float](repeating: 0, count: c), dbeta = dgamma
        for ch in 0..<c {
            let inv = 1 / (Double(runningVar.data[ch]) + Double(eps)).squareRoot()
            let mu = Double(runningMean.data[ch]), g = Double(gamma.data[ch])
            var sdy = 0.0, sdyx = 0.0
            for b in 0..<n {
                for i in 0..<hw {
                    let idx = (b * c + ch) * hw + i
                    let d = Double(dy.data[idx])
                    sdy += d; sdyx += d * (Double(x.data[idx]) - mu) * inv
                    dx[idx] = Float(g * inv * d)
                }
            }
            dgamma[ch] = Float(sdyx); dbeta[ch] = Float(sdy)
        }
        return AffineGradients(x: Tensor(shape: x.shape, data: dx), weight: Tensor(shape: [c], data: dgamma),
                               bias: Tensor(shape: [c], data: dbeta))
    }
}
