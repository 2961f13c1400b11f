// A `Kernels` wrapper that times every call of an inner engine and counts its FLOPs,
// without changing a single number: each call is forwarded unchanged.
// N batch, C channels, H, W; O output channels.

import Foundation
import TensorCore

/// Forwards every kernel to `inner` and records its wall time and FLOPs in `profile`
/// under the profile's current phase, keyed by op and a layer-identifying shape.
///
/// FLOPs count a multiply and an add as two: convolution forward 2·N·O·H′·W′·(C/g)·k²,
/// its backward twice that (input and weight gradients); linear forward 2·N·out·in,
/// backward twice that. Memory-bound ops (BN, activations, pooling, SGD) record 0 FLOPs.
public struct TimingEngine: Kernels {
    public let inner: any Kernels
    public let profile: KernelProfile

    public init(inner: any Kernels, profile: KernelProfile = KernelProfile()) {
        self.inner = inner; self.profile = profile
    }

    public var name: String { "timing(\(inner.name))" }
    public var threads: Int { inner.threads }

    @inline(__always)
    func timed<R>(_ op: String, _ shape: @autoclosure () -> String, flops: Double = 0, _ body: () -> R) -> R {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let r = body()
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        profile.record(op: op, shape: shape(), seconds: dt, flops: flops)
        return r
    }

    // MARK: shapes and FLOPs

    static func dims(_ s: [Int]) -> String { s.map(String.init).joined(separator: "x") }

    /// `3x3 s1 g1 16→32 32x32→32x32` (batch omitted: it is the same for every layer).
    static func convShape(_ x: Tensor, _ w: Tensor, _ c: ConvConfig) -> String {
        let k = w.dim(2), ho = c.outputSize(x.dim(2), kernel: k), wo = c.outputSize(x.dim(3), kernel: w.dim(3))
        let g = c.groups == 1 ? "" : (c.groups == x.dim(1) ? " dw" : " g\(c.groups)")
        return "\(k)x\(w.dim(3)) s\(c.stride)\(g) \(x.dim(1))→\(w.dim(0)) \(x.dim(2))x\(x.dim(3))→\(ho)x\(wo)"
    }

    static func convFlops(_ x: Tensor, _ w: Tensor, _ c: ConvConfig) -> Double {
        let ho = c.outputSize(x.dim(2), kernel: w.dim(2)), wo = c.outputSize(x.dim(3), kernel: w.dim(3))
        return 2 * Double(x.dim(0) * w.dim(0) * ho * wo) * Double(w.dim(1) * w.dim(2) * w.dim(3))
    }

    /// `C=64 32x32` for [N,C,H,W], or the dims for other ranks.
    static func planeShape(_ s: [Int]) -> String {
        s.count == 4 ? "C=\(s[1]) \(s[2])x\(s[3])" : dims(Array(s.dropFirst()))
    }

    // MARK: convolution, batch norm

    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig) -> Tensor {
        timed("conv2d", Self.convShape(x, weight, config), flops: Self.convFlops(x, weight, config)) {
            inner.conv2d(x, weight: weight, bias: bias, config)
        }
    }
    public func conv2dBackward(_ x: Tensor, weight: Tensor, hasBias: Bool, _ config: ConvConfig,
                               dy: Tensor) -> ConvGradients {
        timed("conv2dBackward", Self.convShape(x, weight, config), flops: 2 * Self.convFlops(x, weight, config)) {
            inner.conv2dBackward(x, weight: weight, hasBias: hasBias, config, dy: dy)
        }
    }
    public func conv2dParameterGradients(_ x: Tensor, weight: Tensor, hasBias: Bool, _ config: ConvConfig,
                                         dy: Tensor) -> (weight: Tensor, bias: Tensor?) {
        timed("conv2dBackward", Self.convShape(x, weight, config) + " no dx", flops: Self.convFlops(x, weight, config)) {
            inner.conv2dParameterGradients(x, weight: weight, hasBias: hasBias, config, dy: dy)
        }
    }
    public func sampleKernelConv2d(_ x: Tensor, kernels: SampleKernels, _ config: ConvConfig) -> Tensor {
        let w = Tensor(zeros: kernels.kernelShape)
        return timed("sampleKernelConv2d", Self.convShape(x, w, config) + " per-image", flops: Self.convFlops(x, w, config)) {
            inner.sampleKernelConv2d(x, kernels: kernels, config)
        }
    }
    public func sampleKernelConv2dBatchNormEval(_ x: Tensor, kernels: SampleKernels, _ config: ConvConfig,
                                                gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor,
                                                eps: Float, activation: FusedActivation?) -> Tensor {
        let w = Tensor(zeros: kernels.kernelShape)
        return timed("sampleKernelConv2d+batchNormEval" + (activation.map { "+\($0)" } ?? ""),
                     Self.convShape(x, w, config) + " per-image", flops: Self.convFlops(x, w, config)) {
            inner.sampleKernelConv2dBatchNormEval(x, kernels: kernels, config, gamma: gamma, beta: beta,
                                                  runningMean: runningMean, runningVar: runningVar, eps: eps,
                                                  activation: activation)
        }
    }
    public func sampleKernelConv2dBackward(_ x: Tensor, kernels: SampleKernels, _ config: ConvConfig,
                                           dy: Tensor) -> Tensor {
        let w = Tensor(zeros: kernels.kernelShape)
        return timed("sampleKernelConv2dBackward", Self.convShape(x, w, config) + " per-image",
                     flops: 2 * Self.convFlops(x, w, config)) {
            inner.sampleKernelConv2dBackward(x, kernels: kernels, config, dy: dy)
        }
    }
    public func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float) -> BatchNormForward {
        timed("batchNormTrain", Self.planeShape(x.shape)) { inner.batchNormTrain(x, gamma: gamma, beta: beta, eps: eps) }
    }
    public func batchNormTrainBackward(_ x: Tensor, gamma: Tensor, mean: [Float], invStd: [Float],
                                       dy: Tensor) -> AffineGradients {
        timed("batchNormTrainBackward", Self.planeShape(x.shape)) {
            inner.batchNormTrainBackward(x, gamma: gamma, mean: mean, invStd: invStd, dy: dy)
        }
    }
    public func batchNormEval(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                              runningVar: Tensor, eps: Float) -> Tensor {
        timed("batchNormEval", Self.planeShape(x.shape)) {
            inner.batchNormEval(x, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar, eps: eps)
        }
    }
    public func batchNormEvalBackward(_ x: Tensor, gamma: Tensor, runningMean: Tensor, runningVar: Tensor,
                                      eps: Float, dy: Tensor) -> AffineGradients {
        timed("batchNormEvalBackward", Self.planeShape(x.shape)) {
            inner.batchNormEvalBackward(x, gamma: gamma, runningMean: runningMean, runningVar: runningVar,
                                        eps: eps, dy: dy)
        }
    }

    // MARK: fused batch norm / add + activation

    public func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float,
                               activation: FusedActivation) -> BatchNormForward {
        timed("batchNormTrain+\(activation)", Self.planeShape(x.shape)) {
            inner.batchNormTrain(x, gamma: gamma, beta: beta, eps: eps, activation: activation)
        }
    }
    public func batchNormTrainBackward(_ x: Tensor, y: Tensor, gamma: Tensor, beta: Tensor, mean: [Float], invStd: [Float],
                                       activation: FusedActivation, dy: Tensor) -> AffineGradients {
        timed("batchNormTrainBackward+\(activation)", Self.planeShape(x.shape)) {
            inner.batchNormTrainBackward(x, y: y, gamma: gamma, beta: beta, mean: mean, invStd: invStd, activation: activation, dy: dy)
        }
    }
    public func batchNormEval(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                              runningVar: Tensor, eps: Float, activation: FusedActivation) -> Tensor {
        timed("batchNormEval+\(activation)", Self.planeShape(x.shape)) {
            inner.batchNormEval(x, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar,
                                eps: eps, activation: activation)
        }
    }
    public func conv2dBatchNormEval(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig,
                                    gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, eps: Float,
                                    activation: FusedActivation?) -> Tensor {
        timed("conv2d+batchNormEval" + (activation.map { "+\($0)" } ?? ""), Self.convShape(x, weight, config),
              flops: Self.convFlops(x, weight, config)) {
            inner.conv2dBatchNormEval(x, weight: weight, bias: bias, config, gamma: gamma, beta: beta,
                                      runningMean: runningMean, runningVar: runningVar, eps: eps, activation: activation)
        }
    }
    public func conv2dBatchNormEvalAdd(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig,
                                       gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, eps: Float,
                                       residual: Tensor, activation: FusedActivation?) -> Tensor {
        timed("conv2d+batchNormEval+add" + (activation.map { "+\($0)" } ?? ""), Self.convShape(x, weight, config),
              flops: Self.convFlops(x, weight, config)) {
            inner.conv2dBatchNormEvalAdd(x, weight: weight, bias: bias, config, gamma: gamma, beta: beta,
                                         runningMean: runningMean, runningVar: runningVar, eps: eps,
                                         residual: residual, activation: activation)
        }
    }
    public func conv2dAdd(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig, residual: Tensor) -> Tensor {
        timed("conv2d+add", Self.convShape(x, weight, config), flops: Self.convFlops(x, weight, config)) {
            inner.conv2dAdd(x, weight: weight, bias: bias, config, residual: residual)
        }
    }
    public func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float, residual: Tensor,
                               activation: FusedActivation?) -> BatchNormForward {
        timed("batchNormTrain+add" + (activation.map { "+\($0)" } ?? ""), Self.planeShape(x.shape)) {
            inner.batchNormTrain(x, gamma: gamma, beta: beta, eps: eps, residual: residual, activation: activation)
        }
    }
    public func add(_ a: Tensor, _ b: Tensor, activation: FusedActivation) -> Tensor {
        timed("add+\(activation)", Self.planeShape(a.shape)) { inner.add(a, b, activation: activation) }
    }
    public func batchNormTrainBackward(_ x: Tensor, gamma: Tensor, mean: [Float], invStd: [Float], dy: Tensor,
                                       gatedByOutput y: Tensor, activation: FusedActivation) -> AffineGradients {
        timed("batchNormTrainBackward+\(activation)Gate", Self.planeShape(x.shape)) {
            inner.batchNormTrainBackward(x, gamma: gamma, mean: mean, invStd: invStd, dy: dy, gatedByOutput: y,
                                         activation: activation)
        }
    }
    public func accumulate(_ a: inout Tensor, _ dy: Tensor, gatedByOutput y: Tensor, activation: FusedActivation) {
        timed("accumulate+\(activation)Gate", Self.planeShape(a.shape)) {
            inner.accumulate(&a, dy, gatedByOutput: y, activation: activation)
        }
    }
    public func activationBackward(y: Tensor, dy: Tensor, activation: FusedActivation) -> Tensor {
        timed("\(activation)Backward", Self.planeShape(y.shape)) { inner.activationBackward(y: y, dy: dy, activation: activation) }
    }

    // MARK: activations, pooling

    public func relu(_ x: Tensor) -> Tensor { timed("relu", Self.planeShape(x.shape)) { inner.relu(x) } }
    public func reluBackward(_ x: Tensor, dy: Tensor) -> Tensor {
        timed("reluBackward", Self.planeShape(x.shape)) { inner.reluBackward(x, dy: dy) }
    }
    public func relu6(_ x: Tensor) -> Tensor { timed("relu6", Self.planeShape(x.shape)) { inner.relu6(x) } }
    public func relu6Backward(_ x: Tensor, dy: Tensor) -> Tensor {
        timed("relu6Backward", Self.planeShape(x.shape)) { inner.relu6Backward(x, dy: dy) }
    }
    public func maxPool2d(_ x: Tensor, _ config: PoolConfig) -> (y: Tensor, indices: [Int32]) {
        timed("maxPool2d", Self.planeShape(x.shape)) { inner.maxPool2d(x, config) }
    }
    public func maxPool2dBackward(inputShape: [Int], indices: [Int32], dy: Tensor) -> Tensor {
        timed("maxPool2dBackward", Self.planeShape(inputShape)) {
            inner.maxPool2dBackward(inputShape: inputShape, indices: indices, dy: dy)
        }
    }
    public func avgPool2d(_ x: Tensor, _ config: PoolConfig) -> Tensor {
        timed("avgPool2d", Self.planeShape(x.shape)) { inner.avgPool2d(x, config) }
    }
    public func avgPool2dBackward(inputShape: [Int], _ config: PoolConfig, dy: Tensor) -> Tensor {
        timed("avgPool2dBackward", Self.planeShape(inputShape)) {
            inner.avgPool2dBackward(inputShape: inputShape, config, dy: dy)
        }
    }
    public func adaptiveAvgPool2d(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
        timed("adaptiveAvgPool2d", Self.planeShape(x.shape)) { inner.adaptiveAvgPool2d(x, outH: outH, outW: outW) }
    }
    public func adaptiveAvgPool2dBackward(inputShape: [Int], dy: Tensor) -> Tensor {
        timed("adaptiveAvgPool2dBackward", Self.planeShape(inputShape)) {
            inner.adaptiveAvgPool2dBackward(inputShape: inputShape, dy: dy)
        }
    }
    public func adaptiveAvgPool2dBackward(inputShape: [Int], dy: Tensor, adding base: Tensor) -> Tensor {
        timed("adaptiveAvgPool2dBackward+add", Self.planeShape(inputShape)) {
            inner.adaptiveAvgPool2dBackward(inputShape: inputShape, dy: dy, adding: base)
        }
    }

    // MARK: linear, resize, losses, elementwise, SGD

    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        timed("linear", "\(weight.dim(1))→\(weight.dim(0))", flops: 2 * Double(x.dim(0) * weight.count)) {
            inner.linear(x, weight: weight, bias: bias)
        }
    }
    public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        timed("matmul", "\(a.dim(0))×\(a.dim(1))·\(b.dim(1))", flops: 2 * Double(a.count * b.dim(1))) {
            inner.matmul(a, b)
        }
    }
    public func linearBackward(_ x: Tensor, weight: Tensor, dy: Tensor) -> AffineGradients {
        timed("linearBackward", "\(weight.dim(1))→\(weight.dim(0))", flops: 4 * Double(x.dim(0) * weight.count)) {
            inner.linearBackward(x, weight: weight, dy: dy)
        }
    }
    public func bilinearResize(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
        timed("bilinearResize", Self.planeShape(x.shape)) { inner.bilinearResize(x, outH: outH, outW: outW) }
    }
    public func bilinearResizeBackward(inputShape: [Int], dy: Tensor) -> Tensor {
        timed("bilinearResizeBackward", Self.planeShape(inputShape)) {
            inner.bilinearResizeBackward(inputShape: inputShape, dy: dy)
        }
    }
    public func softmax(_ x: Tensor, temperature: Float) -> Tensor {
        timed("softmax", Self.dims(x.shape)) { inner.softmax(x, temperature: temperature) }
    }
    public func logSoftmax(_ x: Tensor, temperature: Float) -> Tensor {
        timed("logSoftmax", Self.dims(x.shape)) { inner.logSoftmax(x, temperature: temperature) }
    }
    public func crossEntropy(_ logits: Tensor, labels: [Int], labelSmoothing: Float) -> (loss: Float, dLogits: Tensor) {
        timed("crossEntropy", Self.dims(logits.shape)) {
            inner.crossEntropy(logits, labels: labels, labelSmoothing: labelSmoothing)
        }
    }
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { timed("add", Self.planeShape(a.shape)) { inner.add(a, b) } }
    public func accumulate(_ a: inout Tensor, _ b: Tensor) {
        timed("accumulate", Self.planeShape(a.shape)) { inner.accumulate(&a, b) }
    }
    public func scale(_ x: Tensor, by s: Float) -> Tensor {
        timed("scale", Self.planeShape(x.shape)) { inner.scale(x, by: s) }
    }
    /// Not timed: the host loop it runs is the caller's (an objective's), counted outside the kernels.
    public func forEachRange(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
        inner.forEachRange(count, work: work, body)
    }
    public func dropout(_ x: Tensor, mask: [Float], p: Float) -> Tensor {
        timed("dropout", Self.planeShape(x.shape)) { inner.dropout(x, mask: mask, p: p) }
    }
    public func dropoutBackward(mask: [Float], p: Float, dy: Tensor) -> Tensor {
        timed("dropoutBackward", Self.planeShape(dy.shape)) { inner.dropoutBackward(mask: mask, p: p, dy: dy) }
    }
    /// Recorded per step as one `sgdStep` row (shape `all`): per-parameter rows would bury the layers.
    public func sgdStep(weight: inout [Float], grad: [Float], momentumBuffer: inout [Float],
                        lr: Float, momentum: Float, nesterov: Bool, weightDecay: Float) {
        let t0 = DispatchTime.now().uptimeNanoseconds
        inner.sgdStep(weight: &weight, grad: grad, momentumBuffer: &momentumBuffer, lr: lr, momentum: momentum,
                      nesterov: nesterov, weightDecay: weightDecay)
        profile.record(op: "sgdStep", shape: "all", seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9,
                       flops: 0)
    }
}
