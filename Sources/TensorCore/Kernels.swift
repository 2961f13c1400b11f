// The kernel contract shared by the reference engine (the specification)
// and the fast engine (verified against it).
// N batch, C channels, H, W; O output channels, K classes.

/// Geometry of a 2-D convolution with square kernels.
public struct ConvConfig: Equatable, Sendable, Codable {
    public var stride: Int
    public var padding: Int
    public var groups: Int
    public init(stride: Int = 1, padding: Int = 0, groups: Int = 1) {
        self.stride = stride; self.padding = padding; self.groups = groups
    }
    /// Output size along one axis: ⌊(in + 2·padding − k) / stride⌋ + 1.
    public func outputSize(_ input: Int, kernel: Int) -> Int {
        (input + 2 * padding - kernel) / stride + 1
    }
}

/// Geometry of max / average pooling (PyTorch: floor mode; average counts padding).
public struct PoolConfig: Equatable, Sendable, Codable {
    public var kernel: Int
    public var stride: Int
    public var padding: Int
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernel = kernel; self.stride = stride ?? kernel; self.padding = padding
    }
    public func outputSize(_ input: Int) -> Int { (input + 2 * padding - kernel) / stride + 1 }
}

extension PoolConfig {
    /// (N, C, H, W, HO, WO) of this pooling over an [N, C, H, W] input; a clear stop on a bad shape or
    /// config (padding at most kernel/2, PyTorch's rule).
    public func geometry(_ op: String, _ shape: [Int]) -> (Int, Int, Int, Int, Int, Int) {
        precondition(shape.count == 4, "\(op): input must be [N, C, H, W], got \(shape)")
        let h = shape[2], w = shape[3]
        precondition(kernel >= 1 && stride >= 1, "\(op): bad config \(self)")
        precondition(padding >= 0 && padding <= kernel / 2,
                     "\(op): padding \(padding) must be at most kernel/2 (PyTorch rule), config \(self)")
        let ho = outputSize(h), wo = outputSize(w)
        precondition(ho >= 1 && wo >= 1, "\(op): kernel \(kernel) too large for input \(shape)")
        return (shape[0], shape[1], h, w, ho, wo)
    }
}

/// Gradients of a convolution: input, weight, and bias when it has one.
public struct ConvGradients: Sendable {
    public var x: Tensor
    public var weight: Tensor
    public var bias: Tensor?
    public init(x: Tensor, weight: Tensor, bias: Tensor?) { self.x = x; self.weight = weight; self.bias = bias }
}

/// Gradients of an affine op with weight and bias (linear, batch norm).
public struct AffineGradients: Sendable {
    public var x: Tensor
    public var weight: Tensor
    public var bias: Tensor
    public init(x: Tensor, weight: Tensor, bias: Tensor) { self.x = x; self.weight = weight; self.bias = bias }
}

/// Train-mode batch-norm forward result: output and the batch statistics
/// that backward and the running-stat update need.
public struct BatchNormForward: Sendable {
    /// Normalised, scaled and shifted output, same shape as the input.
    public var y: Tensor
    /// Per-channel batch mean [C].
    public var mean: [Float]
    /// Per-channel biased batch variance [C] (divided by N·H·W).
    public var variance: [Float]
    /// Per-channel 1/√(variance + eps) [C].
    public var invStd: [Float]
    public init(y: Tensor, mean: [Float], variance: [Float], invStd: [Float]) {
        self.y = y; self.mean = mean; self.variance = variance; self.invStd = invStd
    }
}

/// A pointwise activation fused into the op before it (batch norm, residual add).
public enum FusedActivation: Sendable, Equatable {
    /// max(x, 0)
    case relu
    /// min(max(x, 0), 6)
    case relu6
}

/// Forward and backward kernels of every op the models use.
///
/// `ReferenceEngine` implements each with naive loops and Double accumulation
/// (the specification); `FastEngine` implements the same signatures with
/// BLAS and vectorised loops and is tested against the reference.
/// Backward functions take the forward inputs they need plus `dy`, the
/// gradient of the loss with respect to the forward output.
public protocol Kernels: Sendable {
    var name: String { get }
    /// Threads the engine splits work over; layers with their own loops (the AW-conv's
    /// kernel modulation) use the same number. 1 unless the engine says otherwise.
    var threads: Int { get }

    /// y[n,o,i,j] = b[o] + Σ_{c∈group(o),p,q} x[n,c,i·s+p−pad,j·s+q−pad] · w[o,c',p,q].
    /// x [N,C,H,W], weight [O,C/groups,k,k], bias [O] → y [N,O,H',W'].
    func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig) -> Tensor
    func conv2dBackward(_ x: Tensor, weight: Tensor, hasBias: Bool, _ config: ConvConfig,
                        dy: Tensor) -> ConvGradients
    /// `conv2dBackward`'s dW and db without ∂L/∂x: the backward of a network's first convolution,
    /// whose input is data and whose input gradient nobody reads (PyTorch skips it the same way for
    /// an input without `requires_grad`). dW and db equal `conv2dBackward`'s bit for bit; the
    /// default runs `conv2dBackward` and drops dx, an engine may skip that work.
    func conv2dParameterGradients(_ x: Tensor, weight: Tensor, hasBias: Bool, _ config: ConvConfig,
                                  dy: Tensor) -> (weight: Tensor, bias: Tensor?)
    /// y_n = conv(x_n, W_n) with a kernel per image, from `kernels` (the AW-convolution);
    /// the default in `SampleKernels.swift` (a grouped convolution) is the specification.
    func sampleKernelConv2d(_ x: Tensor, kernels: SampleKernels, _ config: ConvConfig) -> Tensor
    /// Its backward: returns ∂L/∂x and hands each ∂L/∂W_n to `kernels.weightGradient`.
    func sampleKernelConv2dBackward(_ x: Tensor, kernels: SampleKernels, _ config: ConvConfig,
                                    dy: Tensor) -> Tensor
    /// y = act(BN_eval(conv(x_n, W_n))): the per-image-kernel convolution and the eval-mode batch
    /// norm (and the activation, when not nil) after it in one call, so an engine may apply the batch
    /// norm to each image's output while it is in cache. The same numbers as the ops one after
    /// another (the default here).
    func sampleKernelConv2dBatchNormEval(_ x: Tensor, kernels: SampleKernels, _ config: ConvConfig,
                                         gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor,
                                         eps: Float, activation: FusedActivation?) -> Tensor

    /// Train mode: y = γ·(x − μ_B)/√(σ²_B + eps) + β with batch statistics over N·H·W.
    func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float) -> BatchNormForward
    func batchNormTrainBackward(_ x: Tensor, gamma: Tensor, mean: [Float], invStd: [Float],
                                dy: Tensor) -> AffineGradients
    /// Eval mode: y = γ·(x − running_mean)/√(running_var + eps) + β.
    func batchNormEval(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                       runningVar: Tensor, eps: Float) -> Tensor
    func batchNormEvalBackward(_ x: Tensor, gamma: Tensor, runningMean: Tensor, runningVar: Tensor,
                               eps: Float, dy: Tensor) -> AffineGradients

    /// y = act(BN_train(x)): train-mode batch norm and the activation after it in one call; the
    /// batch statistics are those of BN_train(x) alone.
    func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float,
                        activation: FusedActivation) -> BatchNormForward
    /// y = act(BN_train(x) + residual): a residual block's last batch norm, the shortcut sum and
    /// the activation (when not nil) in one call; the statistics are those of BN_train(x) alone.
    /// The same numbers as `batchNormTrain` then `add(_:_:activation:)` or `add` (the default here).
    func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float, residual: Tensor,
                        activation: FusedActivation?) -> BatchNormForward
    /// Backward of the fused op from its input x and output y: dy is zeroed where the activation
    /// is flat (judged from y, which equals judging from BN(x) = x·γ·invStd + (β − μ·γ·invStd), the
    /// forward's scale and shift: an engine may recompute it from x and β instead of reading y),
    /// then goes through batch norm.
    func batchNormTrainBackward(_ x: Tensor, y: Tensor, gamma: Tensor, beta: Tensor, mean: [Float], invStd: [Float],
                                activation: FusedActivation, dy: Tensor) -> AffineGradients
    /// Backward of the residual form `batchNormTrain(_:gamma:beta:eps:residual:activation:)` from the gradient
    /// dy at its output y: g = activationBackward(y, dy) goes through batch norm, so an engine may gate dy
    /// where it reads it instead of writing g. The same numbers as the two calls (the default here).
    func batchNormTrainBackward(_ x: Tensor, gamma: Tensor, mean: [Float], invStd: [Float], dy: Tensor,
                                gatedByOutput y: Tensor, activation: FusedActivation) -> AffineGradients
    /// a[i] += activationBackward(y, dy)[i]: an identity shortcut's gradient added to the body's, gated
    /// where read. The same numbers as the two calls (the default here).
    func accumulate(_ a: inout Tensor, _ dy: Tensor, gatedByOutput y: Tensor, activation: FusedActivation)
    /// y = act(BN_eval(x)).
    func batchNormEval(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                       runningVar: Tensor, eps: Float, activation: FusedActivation) -> Tensor
    /// y = act(a + b): the residual add and the activation after it.
    func add(_ a: Tensor, _ b: Tensor, activation: FusedActivation) -> Tensor
    /// y = act(BN_eval(conv(x, W) + b)): a convolution and the eval-mode batch norm (and the
    /// activation, when not nil) after it in one call, so an engine may apply the batch norm while
    /// the convolution's output is still in cache. The same numbers as the ops one after another
    /// (the default here).
    func conv2dBatchNormEval(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig,
                             gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, eps: Float,
                             activation: FusedActivation?) -> Tensor
    /// y = act(BN_eval(conv(x, W) + b) + residual): a residual block's last convolution, its batch
    /// norm, the shortcut sum and the activation (when not nil) in one call. The same numbers as
    /// `conv2dBatchNormEval` (no activation) then `add(_:_:activation:)` or `add` (the default here).
    func conv2dBatchNormEvalAdd(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig,
                                gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, eps: Float,
                                residual: Tensor, activation: FusedActivation?) -> Tensor
    /// y = (conv(x, W) + b) + residual: a pre-activation residual block's last convolution and the
    /// shortcut sum in one call, so an engine may add the shortcut while the convolution's output is
    /// still in cache. The same numbers as `conv2d` then `add` (the default here).
    func conv2dAdd(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig, residual: Tensor) -> Tensor
    /// dy where the activation's output y is on its slope (ReLU: y > 0; ReLU6: 0 < y < 6), else 0.
    func activationBackward(y: Tensor, dy: Tensor, activation: FusedActivation) -> Tensor

    /// max(x, 0); backward passes dy where x > 0 (zero at the kink, as PyTorch).
    func relu(_ x: Tensor) -> Tensor
    func reluBackward(_ x: Tensor, dy: Tensor) -> Tensor
    /// min(max(x, 0), 6); backward passes dy where 0 < x < 6.
    func relu6(_ x: Tensor) -> Tensor
    func relu6Backward(_ x: Tensor, dy: Tensor) -> Tensor

    /// Max pooling; also returns, per output, the flat index (h·W + w) of the
    /// chosen input within its plane (first maximum on ties; padding is −∞).
    func maxPool2d(_ x: Tensor, _ config: PoolConfig) -> (y: Tensor, indices: [Int32])
    func maxPool2dBackward(inputShape: [Int], indices: [Int32], dy: Tensor) -> Tensor
    /// Average pooling, padding counted in the divisor (PyTorch count_include_pad=True).
    func avgPool2d(_ x: Tensor, _ config: PoolConfig) -> Tensor
    func avgPool2dBackward(inputShape: [Int], _ config: PoolConfig, dy: Tensor) -> Tensor
    /// Adaptive average pooling to [outH, outW]; bin i spans ⌊i·H/outH⌋ ..< ⌈(i+1)·H/outH⌉.
    func adaptiveAvgPool2d(_ x: Tensor, outH: Int, outW: Int) -> Tensor
    func adaptiveAvgPool2dBackward(inputShape: [Int], dy: Tensor) -> Tensor
    /// base + adaptiveAvgPool2dBackward(inputShape, dy): the pooling's input gradient added to
    /// another gradient of the same input (the AW-convolution's generator beside its convolution),
    /// so an engine need not write the pooling's gradient out. The same numbers as the two ops
    /// (the default here).
    func adaptiveAvgPool2dBackward(inputShape: [Int], dy: Tensor, adding base: Tensor) -> Tensor

    /// y = x·Wᵀ + b; x [N,in], weight [out,in], bias [out].
    func linear(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor
    func linearBackward(_ x: Tensor, weight: Tensor, dy: Tensor) -> AffineGradients
    /// y = a·b; a [N, K], b [K, M]: a plain matrix product (CRD's `C·M` over its memory bank,
    /// which `linear` could only take as `Mᵀ`, a copy of the whole bank each call).
    func matmul(_ a: Tensor, _ b: Tensor) -> Tensor

    /// Bilinear resize with align_corners = false (PyTorch `F.interpolate(mode="bilinear")`).
    func bilinearResize(_ x: Tensor, outH: Int, outW: Int) -> Tensor
    func bilinearResizeBackward(inputShape: [Int], dy: Tensor) -> Tensor

    /// Row-wise softmax(x/T) and log-softmax(x/T) of [N,K].
    func softmax(_ x: Tensor, temperature: Float) -> Tensor
    func logSoftmax(_ x: Tensor, temperature: Float) -> Tensor

    /// Mean cross-entropy with label smoothing ε:
    /// loss = mean_n [(1−ε)·(−log p[n,y_n]) + ε·mean_k(−log p[n,k])]; returns the loss and d loss / d logits.
    func crossEntropy(_ logits: Tensor, labels: [Int], labelSmoothing: Float) -> (loss: Float, dLogits: Tensor)

    /// a + b (residual add) and its fused variants live in layers; this is the plain op.
    func add(_ a: Tensor, _ b: Tensor) -> Tensor

    /// a[i] += b[i] in place, equal shapes: the gradient sums of residual branches and taps.
    func accumulate(_ a: inout Tensor, _ b: Tensor)

    /// y[i] = x[i]·s (an objective term's gradient times its weight).
    func scale(_ x: Tensor, by s: Float) -> Tensor

    /// Runs `body` on disjoint ranges that together cover `0..<count`, concurrently when the engine
    /// has threads and `work` (elements touched) pays for the hand-off; for host loops whose
    /// iterations are independent (an attention map per image), so results do not depend on the split.
    func forEachRange(_ count: Int, work: Int, _ body: (Range<Int>) -> Void)

    /// Inverted dropout with a given keep mask: y = x·mask/(1−p). Mask values are 0 or 1.
    func dropout(_ x: Tensor, mask: [Float], p: Float) -> Tensor
    func dropoutBackward(mask: [Float], p: Float, dy: Tensor) -> Tensor

    /// One SGD step in place, PyTorch semantics:
    /// g = grad + wd·w; buf = momentum·buf + g; g = nesterov ? g + momentum·buf : buf; w −= lr·g.
    func sgdStep(weight: inout [Float], grad: [Float], momentumBuffer: inout [Float],
                 lr: Float, momentum: Float, nesterov: Bool, weightDecay: Float)
}

/// `engine.forEachRange`, or the whole range on this thread when there is no engine (code whose
/// engine is optional: attention maps drawn for reports, the AW modulation built in tests).
public func forEachRange(_ count: Int, work: Int, on engine: (any Kernels)?, _ body: (Range<Int>) -> Void) {
    if let engine { engine.forEachRange(count, work: work, body) } else if count > 0 { body(0..<count) }
}

extension Kernels {
    public var threads: Int { 1 }

    // The specifications of the host-side helpers: one thread, element by element.

    public func accumulate(_ a: inout Tensor, _ b: Tensor) { a.add(b) }

    public func scale(_ x: Tensor, by s: Float) -> Tensor { x * s }

    public func forEachRange(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
        if count > 0 { body(0..<count) }
    }

    public func conv2dParameterGradients(_ x: Tensor, weight: Tensor, hasBias: Bool, _ config: ConvConfig,
                                         dy: Tensor) -> (weight: Tensor, bias: Tensor?) {
        let g = conv2dBackward(x, weight: weight, hasBias: hasBias, config, dy: dy)
        return (g.weight, g.bias)
    }

    /// The activation alone (the unfused op).
    public func activate(_ x: Tensor, _ activation: FusedActivation) -> Tensor {
        activation == .relu ? relu(x) : relu6(x)
    }

    // The fused ops as compositions of the plain ones: the specification (ReferenceEngine uses
    // these); faster engines fuse the passes and are tested against them.

    public func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float,
                               activation: FusedActivation) -> BatchNormForward {
        var f = batchNormTrain(x, gamma: gamma, beta: beta, eps: eps)
        f.y = activate(f.y, activation)
        return f
    }

    public func batchNormTrain(_ x: Tensor, gamma: Tensor, beta: Tensor, eps: Float, residual: Tensor,
                               activation: FusedActivation?) -> BatchNormForward {
        var f = batchNormTrain(x, gamma: gamma, beta: beta, eps: eps)
        f.y = activation.map { add(f.y, residual, activation: $0) } ?? add(f.y, residual)
        return f
    }

    public func batchNormTrainBackward(_ x: Tensor, y: Tensor, gamma: Tensor, beta: Tensor, mean: [Float],
                                       invStd: [Float], activation: FusedActivation, dy: Tensor) -> AffineGradients {
        batchNormTrainBackward(x, gamma: gamma, mean: mean, invStd: invStd,
                               dy: activationBackward(y: y, dy: dy, activation: activation))
    }

    public func batchNormTrainBackward(_ x: Tensor, gamma: Tensor, mean: [Float], invStd: [Float], dy: Tensor,
                                       gatedByOutput y: Tensor, activation: FusedActivation) -> AffineGradients {
        batchNormTrainBackward(x, gamma: gamma, mean: mean, invStd: invStd,
                               dy: activationBackward(y: y, dy: dy, activation: activation))
    }

    public func accumulate(_ a: inout Tensor, _ dy: Tensor, gatedByOutput y: Tensor, activation: FusedActivation) {
        accumulate(&a, activationBackward(y: y, dy: dy, activation: activation))
    }

    public func batchNormEval(_ x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor,
                              runningVar: Tensor, eps: Float, activation: FusedActivation) -> Tensor {
        activate(batchNormEval(x, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar, eps: eps),
                 activation)
    }

    public func add(_ a: Tensor, _ b: Tensor, activation: FusedActivation) -> Tensor {
        activate(add(a, b), activation)
    }

    public func conv2dBatchNormEval(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig,
                                    gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, eps: Float,
                                    activation: FusedActivation?) -> Tensor {
        let z = conv2d(x, weight: weight, bias: bias, config)
        return activation.map {
            batchNormEval(z, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar, eps: eps,
                          activation: $0)
        } ?? batchNormEval(z, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar, eps: eps)
    }

    public func sampleKernelConv2dBatchNormEval(_ x: Tensor, kernels: SampleKernels, _ config: ConvConfig,
                                                gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor,
                                                eps: Float, activation: FusedActivation?) -> Tensor {
        let z = sampleKernelConv2d(x, kernels: kernels, config)
        return activation.map {
            batchNormEval(z, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar, eps: eps,
                          activation: $0)
        } ?? batchNormEval(z, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar, eps: eps)
    }

    public func conv2dBatchNormEvalAdd(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig,
                                       gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, eps: Float,
                                       residual: Tensor, activation: FusedActivation?) -> Tensor {
        let z = conv2dBatchNormEval(x, weight: weight, bias: bias, config, gamma: gamma, beta: beta,
                                    runningMean: runningMean, runningVar: runningVar, eps: eps, activation: nil)
        return activation.map { add(z, residual, activation: $0) } ?? add(z, residual)
    }

    public func conv2dAdd(_ x: Tensor, weight: Tensor, bias: Tensor?, _ config: ConvConfig, residual: Tensor) -> Tensor {
        add(conv2d(x, weight: weight, bias: bias, config), residual)
    }

    public func adaptiveAvgPool2dBackward(inputShape: [Int], dy: Tensor, adding base: Tensor) -> Tensor {
        add(base, adaptiveAvgPool2dBackward(inputShape: inputShape, dy: dy))
    }

    /// NOTE: the mask from the output y equals the one from the input: y > 0 ⇔ x > 0, and for
    /// ReLU6 y < 6 ⇔ x < 6 (y = 6 exactly when x ≥ 6, where PyTorch's gradient is 0).
    public func activationBackward(y: Tensor, dy: Tensor, activation: FusedActivation) -> Tensor {
        activation == .relu ? reluBackward(y, dy: dy) : relu6Backward(y, dy: dy)
    }
}
