// Reference ReLU and ReLU6 with their backward (PyTorch kink convention).

import TensorCore

extension ReferenceEngine {
    /// y = max(x, 0). NaN propagates, as in PyTorch.
    public func relu(_ x: Tensor) -> Tensor {
        x.map { $0 > 0 || $0.isNaN ? $0 : 0 }
    }

    /// dx = dy where x > 0, else 0 (zero at the kink x = 0, as PyTorch's `threshold_backward`).
    public func reluBackward(_ x: Tensor, dy: Tensor) -> Tensor {
        precondition(x.shape == dy.shape, "reluBackward: dy \(dy.shape) must match x \(x.shape)")
        return x.zipMap(dy) { v, g in v > 0 ? g : 0 }
    }

    /// y = min(max(x, 0), 6). PyTorch `F.relu6` (hardtanh(0, 6)).
    public func relu6(_ x: Tensor) -> Tensor {
        x.map { $0.isNaN ? $0 : Swift.min(Swift.max($0, 0), 6) }
    }

    /// dx = dy where 0 < x < 6, else 0 (PyTorch `hardtanh_backward`: both kinks get zero).
    public func relu6Backward(_ x: Tensor, dy: Tensor) -> Tensor {
        precondition(x.shape == dy.shape, "relu6Backward: dy \(dy.shape) must match x \(x.shape)")
        return x.zipMap(dy) { v, g in v > 0 && v < 6 ? g : 0 }
    }
}
