// Every kernel call of a whole model, run twice on identical inputs: the reference drives the
// data flow, a candidate engine shadows each call, and the worst disagreement per op is kept.

import TensorCore

/// The worst elementwise ratio |candidate − reference| / (atol + rtol·|reference|) seen per op,
/// with atol = `atolScale`·s, s the size of the terms the op adds up (the RMS of its output; for
/// batch-norm statistics and parameter gradients, of the inputs they reduce — a per-channel sum
/// of n terms of RMS r is scaled by r·√n, since it may cancel to near 0): each op judged on its
/// own, from the inputs the reference computed, so no rounding difference propagates.
public final class ShadowLog: @unchecked Sendable {
    public var worst: [String: Float] = [:]
    public var calls: [String: Int] = [:]
    public init() {}
    /// Ops whose worst ratio exceeds 1.
    public var failures: [(op: String, ratio: Float)] {
        worst.filter { !($0.value <= 1) }.map { ($0.key, $0.value) }.sorted { $0.op < $1.op }
    }
}

/// `Kernels` that return the reference's results and record how far `candidate` is from them.
///
/// NOTE: a whole model's end-to-end gradient can be chaotic (MobileNetV2 at initialisation: a
/// ReLU6 mask element flipped by a 10⁻⁶ relative change moves gradients by up to 10³× a 1 %
/// tolerance, issue 15), so comparing it end to end tests the model's conditioning, not the
/// kernels. Shadowing checks every kernel on the model's real shapes and values instead.
public struct ShadowKernels: Kernels {
    public let reference: any Kernels
    public let candidate: any Kernels
    public let log: ShadowLog
    public let rtol: Float
    public let atolScale: Float

    public init(reference: any Kernels, candidate: any Kernels, log: ShadowLog, rtol: Float = 1e-3,
                atolScale: Float = 1e-4) {
        self.reference = reference; self.candidate = candidate; self.log = log
        self.rtol = rtol; self.atolScale = atolScale
    }

    public var name: String { "\(reference.name)|\(candidate.name)" }
    public var threads: Int { candidate.threads }

    static func rms(_ t: Tensor) -> Float {
        var sumSq = 0.0
        for v in t.data { sumSq += Double(v) * Double(v) }
        return Float((sumSq / Double(max(t.count, 1))).squareRoot())
    }

    /// The scale of a per-channel reduction over the N·H·W values of `t` [N,C,H,W]: RMS(t)·√(N·H·W).
    static func channelSumScale(_ t: Tensor) -> Float {
        rms(t) * Float(t.count / max(t.shape.count > 1 ? t.shape[1] : 1, 1)).squareRoot()
    }

    func check(_ op: String, _ c: Tensor, _ r: Tensor, scale: Float? = nil) {
        log.calls[op, default: 0] += 1
        guard c.shape == r.shape else { log.worst[op] = .infinity; return }
        let atol = atolScale * (scale ?? Self.rms(r)) + 1e-30
        var worst: Float = 0
        for i in 0..<r.count {
            let q = abs(c.data[i] - r.data[i]) / (atol + rtol * abs(r.data[i]))
            if !(q <= worst) { worst = q }
        }
        log.worst[op] = max(log.worst[op] ?? 0, worst)
    }
    func check(_ op: String, _ c: [Float], _ r: [Float], scale: Float? = nil) {
        check(op, Tensor(shape: [c.count], data: c), Tensor(shape: [r.count], data: r), scale: scale)
    }
    /// Gradients of batch norm: x elementwise; weight Σ dy·x̂ and bias Σ dy per channel.
    func check(_ op: String, _ c: AffineGradients, _ r: AffineGradients, dy: Tensor) {
        check("\(op).x", c.x, r.x)
        check("\(op).weight", c.weight, r.weight, scale: Self.channelSumScale(dy))
        check("\(op).bias", c.bias, r.bias, scale: Self.channelSumScale(dy))
    }
    /// Batch-norm forward: y elementwise; mean and variance on the scale of x (and x²).
    func check(_ op: String, _ c: BatchNormForward, _ r: BatchNormForward, x: Tensor) {
        let s = Self.rms(x)
        check("\(op).y", c.y, r.y); check("\(op).mean", c.mean, r.mean, scale: s)
        check("\(op).variance", c.variance, r.variance, scale: s * s); check("\(op).invStd", c.invStd, r.invStd)
    }

    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig) -> Tensor {
        let r = reference.conv2d(x, weight: weight, bias: bias, config)
        check("conv2d(groups \(config.groups == 1 ? "1" : "n"))", candidate.conv2d(x, weight: weight, bias: bias, config), r)
        return r
    }
    public func conv2dBackward(_ x: Tensor, weight: Tensor, hasBias: Bool, _ config: ConvConfig,
                               dy: Tensor) -> ConvGradients {
        let r = reference.conv2dBackward(x, weight: weight, hasBias: hasBias, config, dy: dy)
        let c = candidate.conv2dBackward(x, weight: weight, hasBias: hasBias, config, dy: dy)
        let op = "conv2dBackward(groups \(config.groups == 1 ? "1" : "n"))"
        check("\(op).x", c.x, r.x); check("\(op).weight", c.weight, r.weight)
        if let cb = c.bias, let rb = r.bias { check("\(op).bias", cb, rb, scale: Self.channelSumScale(dy)) }
        return r
    }
    public func conv2dParameterGradients(_ x: Tensor, weight: Tensor, hasBias: Bool, _ config: ConvConfig,
                                         dy: Tensor) -> (weight: Tensor, bias: Tensor?) {
        let r = reference.conv2dBackward(x, weight: weight, hasBias: hasBias, config, dy: dy)
        let c = candidate.conv2dParameterGradients(x, weight: weight, hasBias: hasBias, config, dy: dy)
        let op = "conv2dParameterGradients(groups \(config.groups == 1 ? "1" : "n"))"
        check("\(op).weight", c.weight, r.weight)
        if let cb = c.bias, let rb = r.bias { check("\(op).bias", cb, rb, scale: Self.channelSumScale(dy)) }
        return (r.weight, r.bias)
    }
    public func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float) -> BatchNormForward {
        let r = reference.batchNormTrain(x, gamma: gamma, beta: beta, eps: eps)
        check("batchNormTrain", candidate.batchNormTrain(x, gamma: gamma, beta: beta, eps: eps), r, x: x)
        return r
    }
    public func batchNormTrainBackward(_ x: Tensor, gamma: Tensor, mean: [Float], invStd: [Float],
                                       dy: Tensor) -> AffineGradients {
        let r = reference.batchNormTrainBackward(x, gamma: gamma, mean: mean, invStd: invStd, dy: dy)
        check("batchNormTrainBackward",
              candidate.batchNormTrainBackward(x, gamma: gamma, mean: mean, invStd: invStd, dy: dy), r, dy: dy)
        return r
    }
    public func batchNormEval(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                              runningVar: Tensor, eps: Float) -> Tensor {
        let r = reference.batchNormEval(x, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar, eps: eps)
        check("batchNormEval", candidate.batchNormEval(x, gamma: gamma, beta: beta, runningMean: runningMean,
                                                       runningVar: runningVar, eps: eps), r)
        return r
    }
    public func batchNormEvalBackward(_ x: Tensor, gamma: Tensor, runningMean: Tensor, runningVar: Tensor,
                                      eps: Float, dy: Tensor) -> AffineGradients {
        let r = reference.batchNormEvalBackward(x, gamma: gamma, runningMean: runningMean, runningVar: runningVar,
                                                eps: eps, dy: dy)
        check("batchNormEvalBackward", candidate.batchNormEvalBackward(x, gamma: gamma, runningMean: runningMean,
                                                                       runningVar: runningVar, eps: eps, dy: dy), r, dy: dy)
        return r
    }
    public func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float,
                               activation: FusedActivation) -> BatchNormForward {
        let r = reference.batchNormTrain(x, gamma: gamma, beta: beta, eps: eps, activation: activation)
        check("batchNormTrain+\(activation)",
              candidate.batchNormTrain(x, gamma: gamma, beta: beta, eps: eps, activation: activation), r, x: x)
        return r
    }
    public func batchNormTrainBackward(_ x: Tensor, y: Tensor, gamma: Tensor, beta: Tensor, mean: [Float], invStd: [Float],
                                       activation: FusedActivation, dy: Tensor) -> AffineGradients {
        let r = reference.batchNormTrainBackward(x, y: y, gamma: gamma, beta: beta, mean: mean, invStd: invStd,
                                                 activation: activation, dy: dy)
        check("batchNormTrainBackward+\(activation)",
              candidate.batchNormTrainBackward(x, y: y, gamma: gamma, beta: beta, mean: mean, invStd: invStd,
                                               activation: activation, dy: dy), r, dy: dy)
        return r
    }
    public func batchNormTrainBackward(_ x: Tensor, gamma: Tensor, mean: [Float], invStd: [Float], dy: Tensor,
                                       gatedByOutput y: Tensor, activation: FusedActivation) -> AffineGradients {
        let r = reference.batchNormTrainBackward(x, gamma: gamma, mean: mean, invStd: invStd, dy: dy, gatedByOutput: y,
                                                 activation: activation)
        check("batchNormTrainBackward+\(activation)Gate",
              candidate.batchNormTrainBackward(x, gamma: gamma, mean: mean, invStd: invStd, dy: dy, gatedByOutput: y,
                                               activation: activation), r, dy: dy)
        return r
    }
    public func batchNormEval(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                              runningVar: Tensor, eps: Float, activation: FusedActivation) -> Tensor {
        let r = reference.batchNormEval(x, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar,
                                        eps: eps, activation: activation)
        check("batchNormEval+\(activation)", candidate.batchNormEval(x, gamma: gamma, beta: beta, runningMean: runningMean,
                                                                     runningVar: runningVar, eps: eps,
                                                                     activation: activation), r)
        return r
    }
    public func add(_ a: Tensor, _ b: Tensor, activation: FusedActivation) -> Tensor {
        let r = reference.add(a, b, activation: activation)
        check("add+\(activation)", candidate.add(a, b, activation: activation), r)
        return r
    }
    public func activationBackward(y: Tensor, dy: Tensor, activation: FusedActivation) -> Tensor {
        let r = reference.activationBackward(y: y, dy: dy, activation: activation)
        check("activationBackward+\(activation)", candidate.activationBackward(y: y, dy: dy, activation: activation), r)
        return r
    }
    public func relu(_ x: Tensor) -> Tensor { let r = reference.relu(x); check("relu", candidate.relu(x), r); return r }
    public func reluBackward(_ x: Tensor, dy: Tensor) -> Tensor {
        let r = reference.reluBackward(x, dy: dy); check("reluBackward", candidate.reluBackward(x, dy: dy), r); return r
    }
    public func relu6(_ x: Tensor) -> Tensor { let r = reference.relu6(x); check("relu6", candidate.relu6(x), r); return r }
    public func relu6Backward(_ x: Tensor, dy: Tensor) -> Tensor {
        let r = reference.relu6Backward(x, dy: dy); check("relu6Backward", candidate.relu6Backward(x, dy: dy), r); return r
    }
    public func maxPool2d(_ x: Tensor, _ config: PoolConfig) -> (y: Tensor, indices: [Int32]) {
        let r = reference.maxPool2d(x, config), c = candidate.maxPool2d(x, config)
        check("maxPool2d", c.y, r.y)
        if c.indices != r.indices { log.worst["maxPool2d.indices"] = .infinity }
        return r
    }
    public func maxPool2dBackward(inputShape: [Int], indices: [Int32], dy: Tensor) -> Tensor {
        let r = reference.maxPool2dBackward(inputShape: inputShape, indices: indices, dy: dy)
        check("maxPool2dBackward", candidate.maxPool2dBackward(inputShape: inputShape, indices: indices, dy: dy), r)
        return r
    }
    public func avgPool2d(_ x: Tensor, _ config: PoolConfig) -> Tensor {
        let r = reference.avgPool2d(x, config); check("avgPool2d", candidate.avgPool2d(x, config), r); return r
    }
    public func avgPool2dBackward(inputShape: [Int], _ config: PoolConfig, dy: Tensor) -> Tensor {
        let r = reference.avgPool2dBackward(inputShape: inputShape, config, dy: dy)
        check("avgPool2dBackward", candidate.avgPool2dBackward(inputShape: inputShape, config, dy: dy), r)
        return r
    }
    public func adaptiveAvgPool2d(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
        let r = reference.adaptiveAvgPool2d(x, outH: outH, outW: outW)
        check("adaptiveAvgPool2d", candidate.adaptiveAvgPool2d(x, outH: outH, outW: outW), r)
        return r
    }
    public func adaptiveAvgPool2dBackward(inputShape: [Int], dy: Tensor) -> Tensor {
        let r = reference.adaptiveAvgPool2dBackward(inputShape: inputShape, dy: dy)
        check("adaptiveAvgPool2dBackward", candidate.adaptiveAvgPool2dBackward(inputShape: inputShape, dy: dy), r)
        return r
    }
    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        let r = reference.linear(x, weight: weight, bias: bias)
        check("linear", candidate.linear(x, weight: weight, bias: bias), r)
        return r
    }
    public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        let r = reference.matmul(a, b)
        check("matmul", candidate.matmul(a, b), r)
        return r
    }
    public func linearBackward(_ x: Tensor, weight: Tensor, dy: Tensor) -> AffineGradients {
        let r = reference.linearBackward(x, weight: weight, dy: dy)
        let c = candidate.linearBackward(x, weight: weight, dy: dy)
        check("linearBackward.x", c.x, r.x); check("linearBackward.weight", c.weight, r.weight)
        check("linearBackward.bias", c.bias, r.bias, scale: Self.rms(dy) * Float(dy.shape[0]).squareRoot())
        return r
    }
    public func bilinearResize(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
        let r = reference.bilinearResize(x, outH: outH, outW: outW)
        check("bilinearResize", candidate.bilinearResize(x, outH: outH, outW: outW), r)
        return r
    }
    public func bilinearResizeBackward(inputShape: [Int], dy: Tensor) -> Tensor {
        let r = reference.bilinearResizeBackward(inputShape: inputShape, dy: dy)
        check("bilinearResizeBackward", candidate.bilinearResizeBackward(inputShape: inputShape, dy: dy), r)
        return r
    }
    public func softmax(_ x: Tensor, temperature: Float) -> Tensor {
        let r = reference.softmax(x, temperature: temperature)
        check("softmax", candidate.softmax(x, temperature: temperature), r)
        return r
    }
    public func logSoftmax(_ x: Tensor, temperature: Float) -> Tensor {
        let r = reference.logSoftmax(x, temperature: temperature)
        check("logSoftmax", candidate.logSoftmax(x, temperature: temperature), r)
        return r
    }
    public func crossEntropy(_ logits: Tensor, labels: [Int], labelSmoothing: Float) -> (loss: Float, dLogits: Tensor) {
        let r = reference.crossEntropy(logits, labels: labels, labelSmoothing: labelSmoothing)
        let c = candidate.crossEntropy(logits, labels: labels, labelSmoothing: labelSmoothing)
        check("crossEntropy.loss", [c.loss], [r.loss]); check("crossEntropy.dLogits", c.dLogits, r.dLogits)
        return r
    }
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        let r = reference.add(a, b); check("add", candidate.add(a, b), r); return r
    }
    public func accumulate(_ a: inout Tensor, _ b: Tensor) {
        var c = a
        candidate.accumulate(&c, b)
        reference.accumulate(&a, b)
        check("accumulate", c, a)
    }
    public func accumulate(_ a: inout Tensor, _ dy: Tensor, gatedByOutput y: Tensor, activation: FusedActivation) {
        var c = a
        candidate.accumulate(&c, dy, gatedByOutput: y, activation: activation)
        reference.accumulate(&a, dy, gatedByOutput: y, activation: activation)
        check("accumulate+\(activation)Gate", c, a)
    }
    public func scale(_ x: Tensor, by s: Float) -> Tensor {
        let r = reference.scale(x, by: s); check("scale", candidate.scale(x, by: s), r); return r
    }
    /// The candidate's split (its threads), so shadowed models exercise it.
    public func forEachRange(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
        candidate.forEachRange(count, work: work, body)
    }
    public func dropout(_ x: Tensor, mask: [Float], p: Float) -> Tensor {
        let r = reference.dropout(x, mask: mask, p: p); check("dropout", candidate.dropout(x, mask: mask, p: p), r)
        return r
    }
    public func dropoutBackward(mask: [Float], p: Float, dy: Tensor) -> Tensor {
        let r = reference.dropoutBackward(mask: mask, p: p, dy: dy)
        check("dropoutBackward", candidate.dropoutBackward(mask: mask, p: p, dy: dy), r)
        return r
    }
    public func sgdStep(weight: inout [Float], grad: [Float], momentumBuffer: inout [Float],
                        lr: Float, momentum: Float, nesterov: Bool, weightDecay: Float) {
        var cw = weight, cb = momentumBuffer
        candidate.sgdStep(weight: &cw, grad: grad, momentumBuffer: &cb, lr: lr, momentum: momentum,
                          nesterov: nesterov, weightDecay: weightDecay)
        reference.sgdStep(weight: &weight, grad: grad, momentumBuffer: &momentumBuffer, lr: lr, momentum: momentum,
                          nesterov: nesterov, weightDecay: weightDecay)
        check("sgdStep.weight", cw, weight); check("sgdStep.momentum", cb, momentumBuffer)
    }
}
