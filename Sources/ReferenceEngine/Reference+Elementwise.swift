// Reference elementwise ops: residual add and inverted dropout with a given mask.

import TensorCore

extension ReferenceEngine {
    /// y = a + b, equal shapes (no broadcasting).
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "add: shapes \(a.shape) and \(b.shape) differ")
        return a.zipMap(b, +)
    }

    /// Scale 1/(1−p) of inverted dropout; p = 1 drops everything (PyTorch returns zeros).
    private func dropoutScale(_ op: String, _ p: Float) -> Float {
        precondition(p >= 0 && p <= 1, "\(op): p must lie in [0, 1], got \(p)")
        return p < 1 ? 1 / (1 - p) : 0
    }

    /// y = x·mask/(1−p), mask ∈ {0, 1} (1 = keep). PyTorch `F.dropout(training=True)` given its mask.
    public func dropout(_ x: Tensor, mask: [Float], p: Float) -> Tensor {
        precondition(mask.count == x.count, "dropout: mask has \(mask.count) values for x \(x.shape)")
        let scale = dropoutScale("dropout", p)
        return x.zipMap(Tensor(shape: x.shape, data: mask)) { v, m in v * m * scale }
    }

    /// dx = dy·mask/(1−p).
    public func dropoutBackward(mask: [Float], p: Float, dy: Tensor) -> Tensor {
        precondition(mask.count == dy.count, "dropoutBackward: mask has \(mask.count) values for dy \(dy.shape)")
        let scale = dropoutScale("dropoutBackward", p)
        return dy.zipMap(Tensor(shape: dy.shape, data: mask)) { g, m in g * m * scale }
    }
}
