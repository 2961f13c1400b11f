// A Kernels wrapper that perturbs every contraction output by a relative ε: the rounding
// differences another BLAS kernel or CPU would make, on purpose, for conditioning checks.

/// Forwards every op to `base`, then multiplies each element of the outputs of the
/// contractions — convolution forward and its input and weight gradients, linear forward and
/// its input and weight gradients, matmul (the GEMM and Winograd products) — by (1 + ε·u),
/// u ∈ [−½, ½).
///
/// u is a hash of (`seed`, the element's index, its bits): deterministic, stateless, and
/// different for every element and seed. A test that passes under `FastEngine` but fails
/// under `PerturbedKernels(FastEngine(), relative: 1e-6)` depends on which OpenBLAS kernel the
/// machine picks (issue 15: GEMM rounding differs by a few ulps, ~1e-7 relative, across cores).
/// - Deviation: bias gradients and batch norm are left exact (sums, not products).
public struct PerturbedKernels<Base: Kernels>: Kernels {
    public let base: Base
    /// ε: the largest relative change is ε/2.
    public let relative: Float
    public let seed: UInt64

    public init(_ base: Base, relative: Float, seed: UInt64 = 1) {
        precondition(relative >= 0 && relative < 0.5, "PerturbedKernels needs 0 ≤ ε < 0.5")
        self.base = base; self.relative = relative; self.seed = seed
    }

    public var name: String { "\(base.name)+perturbed(\(relative))" }
    public var threads: Int { base.threads }

    /// x ⊙ (1 + ε·u) with u from a SplitMix64 hash of (seed, salt, index, bits).
    func perturb(_ t: Tensor, salt: UInt64) -> Tensor {
        guard relative > 0 else { return t }
        var out = t
        let eps = relative
        let key = seed &* 0x9E37_79B9_7F4A_7C15 ^ salt
        out.data.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count {
                var z = key ^ (UInt64(i) << 32 | UInt64(p[i].bitPattern))
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                z ^= z >> 31
                let u = Float(z >> 40) * (1.0 / 16_777_216.0) - 0.5
                p[i] *= 1 + eps * u
            }
        }
        return out
    }

    // MARK: perturbed (contractions)

    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig) -> Tensor {
        perturb(base.conv2d(x, weight: weight, bias: bias, config), salt: 1)
    }
    public func conv2dBackward(_ x: Tensor, weight: Tensor, hasBias: Bool, _ config: ConvConfig,
                               dy: Tensor) -> ConvGradients {
        var g = base.conv2dBackward(x, weight: weight, hasBias: hasBias, config, dy: dy)
        g.x = perturb(g.x, salt: 2)
        g.weight = perturb(g.weight, salt: 3)
        return g
    }
    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        perturb(base.linear(x, weight: weight, bias: bias), salt: 4)
    }
    public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        perturb(base.matmul(a, b), salt: 7)
    }
    public func linearBackward(_ x: Tensor, weight: Tensor, dy: Tensor) -> AffineGradients {
        var g = base.linearBackward(x, weight: weight, dy: dy)
        g.x = perturb(g.x, salt: 5)
        g.weight = perturb(g.weight, salt: 6)
        return g
    }

    // MARK: forwarded unchanged

    public func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float) -> BatchNormForward {
        base.batchNormTrain(x, gamma: gamma, beta: beta, eps: eps)
    }
    public func batchNormTrainBackward(_ x: Tensor, gamma: Tensor, mean: [Float], invStd: [Float],
                                       dy: Tensor) -> AffineGradients {
        base.batchNormTrainBackward(x, gamma: gamma, mean: mean, invStd: invStd, dy: dy)
    }
    public func batchNormEval(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                              runningVar: Tensor, eps: Float) -> Tensor {
        base.batchNormEval(x, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar, eps: eps)
    }
    public func batchNormEvalBackward(_ x: Tensor, gamma: Tensor, runningMean: Tensor, runningVar: Tensor,
                                      eps: Float, dy: Tensor) -> AffineGradients {
        base.batchNormEvalBackward(x, gamma: gamma, runningMean: runningMean, runningVar: runningVar,
                                   eps: eps, dy: dy)
    }
    public func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float,
                               activation: FusedActivation) -> BatchNormForward {
        base.batchNormTrain(x, gamma: gamma, beta: beta, eps: eps, activation: activation)
    }
    public func batchNormTrainBackward(_ x: Tensor, y: Tensor, gamma: Tensor, beta: Tensor, mean: [Float], invStd: [Float],
                                       activation: FusedActivation, dy: Tensor) -> AffineGradients {
        base.batchNormTrainBackward(x, y: y, gamma: gamma, beta: beta, mean: mean, invStd: invStd,
                                    activation: activation, dy: dy)
    }
    public func batchNormEval(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                              runningVar: Tensor, eps: Float, activation: FusedActivation) -> Tensor {
        base.batchNormEval(x, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar,
                           eps: eps, activation: activation)
    }
    public func add(_ a: Tensor, _ b: Tensor, activation: FusedActivation) -> Tensor {
        base.add(a, b, activation: activation)
    }
    public func activationBackward(y: Tensor, dy: Tensor, activation: FusedActivation) -> Tensor {
        base.activationBackward(y: y, dy: dy, activation: activation)
    }
    public func relu(_ x: Tensor) -> Tensor { base.relu(x) }
    public func reluBackward(_ x: Tensor, dy: Tensor) -> Tensor { base.reluBackward(x, dy: dy) }
    public func relu6(_ x: Tensor) -> Tensor { base.relu6(x) }
    public func relu6Backward(_ x: Tensor, dy: Tensor) -> Tensor { base.relu6Backward(x, dy: dy) }
    public func maxPool2d(_ x: Tensor, _ config: PoolConfig) -> (y: Tensor, indices: [Int32]) {
        base.maxPool2d(x, config)
    }
    public func maxPool2dBackward(inputShape: [Int], indices: [Int32], dy: Tensor) -> Tensor {
        base.maxPool2dBackward(inputShape: inputShape, indices: indices, dy: dy)
    }
    public func avgPool2d(_ x: Tensor, _ config: PoolConfig) -> Tensor { base.avgPool2d(x, config) }
    public func avgPool2dBackward(inputShape: [Int], _ config: PoolConfig, dy: Tensor) -> Tensor {
        base.avgPool2dBackward(inputShape: inputShape, config, dy: dy)
    }
    public func adaptiveAvgPool2d(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
        base.adaptiveAvgPool2d(x, outH: outH, outW: outW)
    }
    public func adaptiveAvgPool2dBackward(inputShape: [Int], dy: Tensor) -> Tensor {
        base.adaptiveAvgPool2dBackward(inputShape: inputShape, dy: dy)
    }
    public func bilinearResize(_ x: Tensor, outH: Int, outW: Int) -> Tensor {
        base.bilinearResize(x, outH: outH, outW: outW)
    }
    public func bilinearResizeBackward(inputShape: [Int], dy: Tensor) -> Tensor {
        base.bilinearResizeBackward(inputShape: inputShape, dy: dy)
    }
    public func softmax(_ x: Tensor, temperature: Float) -> Tensor { base.softmax(x, temperature: temperature) }
    public func logSoftmax(_ x: Tensor, temperature: Float) -> Tensor { base.logSoftmax(x, temperature: temperature) }
    public func crossEntropy(_ logits: Tensor, labels: [Int], labelSmoothing: Float) -> (loss: Float, dLogits: Tensor) {
        base.crossEntropy(logits, labels: labels, labelSmoothing: labelSmoothing)
    }
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { base.add(a, b) }
    public func accumulate(_ a: inout Tensor, _ b: Tensor) { base.accumulate(&a, b) }
    public func scale(_ x: Tensor, by s: Float) -> Tensor { base.scale(x, by: s) }
    public func forEachRange(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
        base.forEachRange(count, work: work, body)
    }
    public func dropout(_ x: Tensor, mask: [Float], p: Float) -> Tensor { base.dropout(x, mask: mask, p: p) }
    public func dropoutBackward(mask: [Float], p: Float, dy: Tensor) -> Tensor {
        base.dropoutBackward(mask: mask, p: p, dy: dy)
    }
    public func sgdStep(weight: inout [Float], grad: [Float], momentumBuffer: inout [Float],
                        lr: Float, momentum: Float, nesterov: Bool, weightDecay: Float) {
        base.sgdStep(weight: &weight, grad: grad, momentumBuffer: &momentumBuffer, lr: lr, momentum: momentum,
                     nesterov: nesterov, weightDecay: weightDecay)
    }
}
