// Stochastic gradient descent with momentum, Nesterov and weight decay.

import TensorCore
import NN

/// SGD over an explicit parameter list, PyTorch semantics (`torch.optim.SGD`):
/// g = ∇ + wd·w; buf = momentum·buf + g; step = nesterov ? g + momentum·buf : buf; w −= lr·step.
/// - Reference: PyTorch `torch/optim/sgd.py` (dampening 0; the first step's buffer is g).
/// - Deviation: none; weight decay applies to parameters whose `decay` is true
///   (all of them by default, as in the reference codebases, PAPERS.md §5).
public final class SGD {
    public let parameters: [Parameter]
    public var momentum: Float
    public var nesterov: Bool
    public var weightDecay: Float
    /// One momentum buffer per parameter, same order as `parameters`.
    public private(set) var buffers: [[Float]]

    public init(parameters: [Parameter], momentum: Float = 0.9, nesterov: Bool = true, weightDecay: Float = 5e-4) {
        self.parameters = parameters
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.buffers = parameters.map { [Float](repeating: 0, count: $0.value.count) }
    }

    /// Applies one update with learning rate `lr` using each parameter's accumulated gradient.
    public func step(lr: Float, engine: any Kernels) {
        for i in parameters.indices {
            let p = parameters[i]
            engine.sgdStep(weight: &p.value.data, grad: p.grad.data, momentumBuffer: &buffers[i],
                           lr: lr, momentum: momentum, nesterov: nesterov,
                           weightDecay: p.decay ? weightDecay : 0)
        }
    }

    /// Momentum buffers as named tensors (`<param>.momentum`) for training-state checkpoints.
    public func stateTensors() -> [(String, Tensor)] {
        zip(parameters, buffers).map { p, b in ("\(p.name).momentum", Tensor(shape: p.value.shape, data: b)) }
    }

    /// Restores momentum buffers saved by `stateTensors()`; throws naming a missing or misshaped buffer.
    public func restore(from tensors: [String: Tensor]) throws {
        for i in parameters.indices {
            let key = "\(parameters[i].name).momentum"
            guard let t = tensors[key] else { throw OptimError("missing optimiser state \(key)") }
            guard t.count == buffers[i].count else {
                throw OptimError("optimiser state \(key) has \(t.count) values, parameter has \(buffers[i].count)")
            }
            buffers[i] = t.data
        }
    }
}

/// A malformed optimiser configuration or state.
public struct OptimError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
