// Reference softmax, log-softmax (with temperature) and label-smoothed cross-entropy.
// N rows, K classes.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TensorCore

extension ReferenceEngine {
    /// Per row of z = x/T: (max, log Σ_k exp(z_k − max)) in Double.
    /// NOTE: subtracting the row max keeps exp from overflowing for large logits or small T.
    private func rowLogSumExp(_ x: Tensor, _ r: Int, _ k: Int, _ t: Double) -> (Double, Double) {
        var m = -Double.infinity
        for j in 0..<k { m = Swift.max(m, Double(x.data[r * k + j]) / t) }
        var s = 0.0
        for j in 0..<k { s += exp(Double(x.data[r * k + j]) / t - m) }
        return (m, log(s))
    }

    private func checkRows(_ op: String, _ x: Tensor, _ temperature: Float) -> (Int, Int) {
        precondition(x.rank == 2 && x.shape[1] >= 1, "\(op): x must be [N, K] with K ≥ 1, got \(x.shape)")
        precondition(temperature > 0, "\(op): temperature must be positive, got \(temperature)")
        return (x.shape[0], x.shape[1])
    }

    /// p[n,k] = exp(x[n,k]/T) / Σ_j exp(x[n,j]/T).
    /// - Paper: Hinton et al. 2015, eq. 1 (softened softmax with temperature T).
    public func softmax(_ x: Tensor, temperature: Float) -> Tensor {
        let (n, k) = checkRows("softmax", x, temperature), t = Double(temperature)
        var y = [Float](repeating: 0, count: x.count)
        for r in 0..<n {
            let (m, lse) = rowLogSumExp(x, r, k, t)
            for j in 0..<k { y[r * k + j] = Float(exp(Double(x.data[r * k + j]) / t - m - lse)) }
        }
        return Tensor(shape: x.shape, data: y)
    }

    /// log p[n,k] = x[n,k]/T − log Σ_j exp(x[n,j]/T).
    public func logSoftmax(_ x: Tensor, temperature: Float) -> Tensor {
        let (n, k) = checkRows("logSoftmax", x, temperature), t = Double(temperature)
        var y = [Float](repeating: 0, count: x.count)
        for r in 0..<n {
            let (m, lse) = rowLogSumExp(x, r, k, t)
            for j in 0..<k { y[r * k + j] = Float(Double(x.data[r * k + j]) / t - m - lse) }
        }
        return Tensor(shape: x.shape, data: y)
    }

    /// Backward of p = softmax(x/T) given p: dx[n,k] = (1/T)·p[n,k]·(dy[n,k] − Σ_j dy[n,j]·p[n,j]).
    /// Not part of `Kernels`; losses compose it.
    public func softmaxBackward(y p: Tensor, temperature: Float, dy: Tensor) -> Tensor {
        let (n, k) = checkRows("softmaxBackward", p, temperature)
        precondition(dy.shape == p.shape, "softmaxBackward: dy \(dy.shape) must match y \(p.shape)")
        var dx = [Float](repeating: 0, count: p.count)
        for r in 0..<n {
            var s = 0.0
            for j in 0..<k { s += Double(dy.data[r * k + j]) * Double(p.data[r * k + j]) }
            for j in 0..<k {
                dx[r * k + j] = Float(Double(p.data[r * k + j]) * (Double(dy.data[r * k + j]) - s) / Double(temperature))
            }
        }
        return Tensor(shape: p.shape, data: dx)
    }

    /// Backward of ℓ = log_softmax(x/T) given ℓ: dx[n,k] = (1/T)·(dy[n,k] − exp(ℓ[n,k])·Σ_j dy[n,j]).
    public func logSoftmaxBackward(y logP: Tensor, temperature: Float, dy: Tensor) -> Tensor {
        let (n, k) = checkRows("logSoftmaxBackward", logP, temperature)
        precondition(dy.shape == logP.shape, "logSoftmaxBackward: dy \(dy.shape) must match y \(logP.shape)")
        var dx = [Float](repeating: 0, count: logP.count)
        for r in 0..<n {
            var s = 0.0
            for j in 0..<k { s += Double(dy.data[r * k + j]) }
            for j in 0..<k {
                let p = exp(Double(logP.data[r * k + j]))
                dx[r * k + j] = Float((Double(dy.data[r * k + j]) - p * s) / Double(temperature))
            }
        }
        return Tensor(shape: logP.shape, data: dx)
    }

    /// loss = (1/N) Σ_n [(1−ε)·(−log p[n,y_n]) + (ε/K)·Σ_k(−log p[n,k])], p = softmax(logits);
    /// dLogits = (p − q)/N with q = (1−ε)·onehot(y) + ε/K.
    /// - Reference: PyTorch `F.cross_entropy(label_smoothing=ε)`, reduction mean.
    public func crossEntropy(_ logits: Tensor, labels: [Int], labelSmoothing: Float) -> (loss: Float, dLogits: Tensor) {
        let (n, k) = checkRows("crossEntropy", logits, 1)
        precondition(labels.count == n, "crossEntropy: \(labels.count) labels for logits \(logits.shape)")
        precondition(n >= 1, "crossEntropy: empty batch \(logits.shape)")
        precondition(labelSmoothing >= 0 && labelSmoothing <= 1,
                     "crossEntropy: label smoothing must lie in [0, 1], got \(labelSmoothing)")
        let eps = Double(labelSmoothing), kd = Double(k), nd = Double(n)
        var loss = 0.0
        var d = [Float](repeating: 0, count: logits.count)
        for r in 0..<n {
            let label = labels[r]
            precondition(label >= 0 && label < k, "crossEntropy: label \(label) at row \(r) outside 0..<\(k)")
            let (m, lse) = rowLogSumExp(logits, r, k, 1)
            var sumNegLog = 0.0
            for j in 0..<k {
                let logP = Double(logits.data[r * k + j]) - m - lse
                sumNegLog -= logP
                let q = (j == label ? 1 - eps : 0) + eps / kd
                d[r * k + j] = Float((exp(logP) - q) / nd)
            }
            let nll = -(Double(logits.data[r * k + label]) - m - lse)
            loss += (1 - eps) * nll + eps * sumNegLog / kd
        }
        return (Float(loss / nd), Tensor(shape: logits.shape, data: d))
    }
}
