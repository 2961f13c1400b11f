// Trainable parameters and non-trainable buffers, listed explicitly by layers.

import TensorCore

/// A trainable tensor and its accumulated gradient.
public final class Parameter {
    public let name: String
    public var value: Tensor
    public var grad: Tensor
    /// Whether weight decay applies (true for every parameter in the reference codebases).
    public var decay: Bool

    public init(_ name: String, _ value: Tensor, decay: Bool = true) {
        self.name = name
        self.value = value
        self.grad = Tensor(zeros: value.shape)
        self.decay = decay
    }

    public func zeroGrad() {
        grad.data.withUnsafeMutableBufferPointer { g in
            for i in 0..<g.count { g[i] = 0 }
        }
    }

    /// grad += g.
    public func accumulate(_ g: Tensor) { grad.add(g) }
}

/// A non-trainable state tensor saved in checkpoints (BN running statistics).
public final class Buffer {
    public let name: String
    public var value: Tensor
    public init(_ name: String, _ value: Tensor) { self.name = name; self.value = value }
}
