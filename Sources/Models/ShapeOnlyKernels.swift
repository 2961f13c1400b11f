// Kernels that compute shapes, not values: a forward pass through them costs allocations only,
// for counting multiply-accumulates (`atkd models`, footprints) in milliseconds.

import TensorCore

/// Every op returns zeros of its output's shape (and zero gradients of their inputs' shapes); no
/// arithmetic is done. Only for shape and MAC bookkeeping — never for numbers.
public struct ShapeOnlyKernels: Kernels {
    public init() {}
    public var name: String { "shape-only" }

    func zeros(_ shape: [Int]) -> Tensor { Tensor(zeros: shape) }

    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig) -> Tensor {
        let k = weight.shape[2]
        return zeros([x.shape[0], weight.shape[0], config.outputSize(x.shape[2], kernel: k), config.outputSize(x.shape[3], kernel: k)])
    }
    public func conv2dBackward(_ x: Tensor, weight: Tensor, hasBias: Bool, _ config: ConvConfig, dy: Tensor) -> ConvGradients {
        ConvGradients(x: zeros(x.shape), weight: zeros(weight.shape), bias: hasBias ? zeros([weight.shape[0]]) : nil)
    }
    func statistics(_ x: Tensor) -> BatchNormForward {
        let c = x.shape[1]
        return BatchNormForward(y: zeros(x.shape), mean: [Float](repeating: 0, count: c),
                                variance: [Float](repeating: 1, count: c), invStd: [Float](repeating: 1, count: c))
    }
    public func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float) -> BatchNormForward { statistics(x) }
    public func batchNormTrainBackward(_ x: Tensor, gamma: Tensor, mean: [Float], invStd: [Float], dy: Tensor) -> AffineGradients {
        AffineGradients(x: zeros(x.shape), weight: zeros(gamma.shape), bias: zeros(gamma.shape))
    }
    public func batchNormEval(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, eps: Float) -> Tensor {
        zeros(x.shape)
    }
    public func batchNormEvalBackward(_ x: Tensor, gamma: Tensor, runningMean: Tensor, runningVar: Tensor, eps: Float,
                                      dy: Tensor) -> AffineGradients {
        AffineGradients(x: zeros(x.shape), weight: zeros(gamma.shape), bias: zeros(gamma.shape))
    }
    public func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float, activation: FusedActivation) -> BatchNormForward {
        statistics(x)
    }
    public func batchNormEval(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, eps: Float,
                              activation: FusedActivation) -> Tensor { zeros(x.shape) }
    public func add(_ a: Tensor, _ b: Tensor, activation: FusedActivation) -> Tensor { zeros(a.shape) }
    public func activationBackward(y: Tensor, dy: Tensor, activation: FusedActivation) -> Tensor { zeros(y.shape) }
    public func relu(_ x: Tensor) -> Tensor { zeros(x.shape) }
    public func reluBackward(_ x: Tensor, dy: Tensor) -> Tensor { zeros(x.shape) }
    public func relu6(_ x: Tensor) -> Tensor { zeros(x.shape) }
    public func relu6Backward(_ x: Tensor, dy: Tensor) -> Tensor { zeros(x.shape) }
    public func maxPool2d(_ x: Tensor, _ config: PoolConfig) -> (y: Tensor, indices: [Int32]) {
        let y = zeros([x.shape[0], x.shape[1], config.outputSize(x.shape[2]), config.outputSize(x.shape[3])])
        return (y, [Int32](repeating: 0, count: y.count))
    }
    public func maxPool2dBackward(inputShape: [Int], indices: [Int32], dy: Tensor) -> Tensor { zeros(inputShape) }
    public func avgPool2d(_ x: Tensor, _ config: PoolConfig) -> Tensor {
        zeros([x.shape[0], x.shape[1], config.outputSize(x.shape[2]), config.outputSize(x.shape[3])])
    }
    public func avgPool2dBackward(inputShape: [Int], _ config: PoolConfig, dy: Tensor) -> Tensor { zeros(inputShape) }
    public func adaptiveAvgPool2d(_ x: Tensor, outH: Int, outW: Int) -> Tensor { zeros([x.shape[0], x.shape[1], outH, outW]) }
    public func adaptiveAvgPool2dBackward(inputShape: [Int], dy: Tensor) -> Tensor { zeros(inputShape) }
    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor { zeros([x.shape[0], weight.shape[0]]) }
    public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor { zeros([a.shape[0], b.shape[1]]) }
    public func linearBackward(_ x: Tensor, weight: Tensor, dy: Tensor) -> AffineGradients {
        AffineGradients(x: zeros(x.shape), weight: zeros(weight.shape), bias: zeros([weight.shape[0]]))
    }
    public func bilinearResize(_ x: Tensor, outH: Int, outW: Int) -> Tensor { zeros([x.shape[0], x.shape[1], outH, outW]) }
    public func bilinearResizeBackward(inputShape: [Int], dy: Tensor) -> Tensor { zeros(inputShape) }
    public func softmax(_ x: Tensor, temperature: Float) -> Tensor { zeros(x.shape) }
    public func logSoftmax(_ x: Tensor, temperature: Float) -> Tensor { zeros(x.shape) }
    public func crossEntropy(_ logits: Tensor, labels: [Int], labelSmoothing: Float) -> (loss: Float, dLogits: Tensor) {
        (0, zeros(logits.shape))
    }
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { zeros(a.shape) }
    public func dropout(_ x: Tensor, mask: [Float], p: Float) -> Tensor { zeros(x.shape) }
    public func dropoutBackward(mask: [Float], p: Float, dy: Tensor) -> Tensor { zeros(dy.shape) }
    public func sgdStep(weight: inout [Float], grad: [Float], momentumBuffer: inout [Float], lr: Float, momentum: Float,
                        nesterov: Bool, weightDecay: Float) {}
}
