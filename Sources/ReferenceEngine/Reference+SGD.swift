// Reference SGD step with PyTorch momentum, Nesterov and weight-decay semantics.

import TensorCore

extension ReferenceEngine {
    /// g = grad + wd·w; buf = μ·buf + g; g = nesterov ? g + μ·buf : buf; w −= lr·g (Float arithmetic, PyTorch order).
    /// - Reference: `torch.optim.SGD` with dampening 0. PyTorch sets buf = g on the first step;
    ///   a zero-initialised buffer gives the same value, so callers start buffers at zero.
    /// - Deviation: with μ = 0 the buffer is still written (it then equals g); PyTorch keeps none.
    public func sgdStep(weight: inout [Float], grad: [Float], momentumBuffer: inout [Float],
                        lr: Float, momentum: Float, nesterov: Bool, weightDecay: Float) {
        precondition(grad.count == weight.count && momentumBuffer.count == weight.count,
                     "sgdStep: weight \(weight.count), grad \(grad.count), buffer \(momentumBuffer.count) lengths differ")
        for i in 0..<weight.count {
            var g = grad[i] + weightDecay * weight[i]
            momentumBuffer[i] = momentum * momentumBuffer[i] + g
            g = nesterov ? g + momentum * momentumBuffer[i] : momentumBuffer[i]
            weight[i] -= lr * g
        }
    }
}
