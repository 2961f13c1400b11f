// AWConv2d: the AW-convolution layer (Zhu et al. 2021), a drop-in for the 3×3
// convolutions of ResNet bottlenecks. Generator + per-sample kernel + grouped conv.
// N batch, C input channels, O output channels, M hidden channels, k kernel size.

import TensorCore
import NN

/// A convolution whose kernel is re-weighted per sample by kernel-shaped attention:
///
///     A0 = AdaptiveAvgPool_{k×k}(x)                       [N, C, k, k]
///     h  = ReLU(PW1(A0)),  z = PW2(h)                      [N, M, k, k], [N, O+C, k, k]
///     A[n,o,c,i,j] = 2·σ(z[n,o,i,j] + z[n,O+c,i,j])        [N, O, C, k, k]
///     y_n = conv(x_n, A_n ⊗ K)  = Conv(I ⊗ A, K)          [N, O, H', W']
///
/// PW1 / PW2 are 1×1 convolutions with bias applied at each of the k×k pooled positions
/// (so every kernel tap (i, j) gets its own attention from the input's (i, j) region).
/// The main convolution is `Kernels.sampleKernelConv2d` with `AWKernelModulation` as the
/// kernel source: specified as one grouped convolution with `groups = N` (the batch folded
/// into channels), run by the fast engine one image at a time with W_n made in cache.
///
/// Parameters: `<name>.weight` [O, C, k, k] (Kaiming-normal fan-out, as `Conv2d`),
/// `<name>.gen.pw1.weight` [M, C, 1, 1] and `.bias` [M] (PyTorch default init),
/// `<name>.gen.pw2.weight` [O+C, M, 1, 1] and `.bias` [O+C] (zero: the layer starts as
/// exactly the plain convolution with kernel K, and learns to depart from it).
/// No bias on the main convolution (it is followed by BatchNorm in a bottleneck).
/// - Paper: Zhu et al. 2021, "An Attention Module for Convolutional Neural Networks",
///   AW-convolution: attention shaped like the kernel, `Conv(I ⊗ A, K) = Conv(I, A ⊗ K)`;
///   generator Avgpool → Pointconv1 → ReLU → Pointconv2 (paper/zhu-awconv.md).
/// - Deviation: no public code; the generator's output head (O+C logits per tap, added,
///   then 2σ) and the hidden width `M = max(4, C/16)` are our choices, made so the module
///   adds ~2% parameters to a 3×3 conv instead of the ~100% of a C_out·C_in-wide head.
public final class AWConv2d: FusesEvalBatchNorm {
    public let name: String
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: Int
    /// Width M of the generator's hidden layer.
    public let hiddenChannels: Int
    /// Stride and padding of the main convolution (groups is always 1 per sample).
    public let config: ConvConfig
    /// The convolution kernel K [O, C, k, k].
    public let weight: Parameter
    public let pw1Weight: Parameter
    public let pw1Bias: Parameter
    public let pw2Weight: Parameter
    public let pw2Bias: Parameter

    /// Reduction ratio r of the generator (hidden width C/r, at least `minimumHidden`).
    public static let reduction = 16
    public static let minimumHidden = 4

    /// M = max(4, C/16): the hidden width used when none is given.
    public static func defaultHiddenChannels(inChannels: Int) -> Int {
        max(minimumHidden, inChannels / reduction)
    }

    public init(_ name: String, inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int,
                padding: Int, hiddenChannels: Int? = nil, rng: inout SeededRNG) {
        let m = hiddenChannels ?? AWConv2d.defaultHiddenChannels(inChannels: inChannels)
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0 && m > 0,
                     "\(name): invalid AWConv2d geometry C=\(inChannels) O=\(outChannels) k=\(kernelSize) "
                     + "s=\(stride) p=\(padding) M=\(m)")
        self.name = name
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.hiddenChannels = m
        self.config = ConvConfig(stride: stride, padding: padding)
        weight = Parameter("\(name).weight",
                           Init.kaimingNormalFanOut([outChannels, inChannels, kernelSize, kernelSize], rng: &rng))
        pw1Weight = Parameter("\(name).gen.pw1.weight",
                              Init.pytorchDefault([m, inChannels, 1, 1], fanIn: inChannels, rng: &rng))
        pw1Bias = Parameter("\(name).gen.pw1.bias", Init.pytorchDefault([m], fanIn: inChannels, rng: &rng))
        pw2Weight = Parameter("\(name).gen.pw2.weight", Tensor(zeros: [outChannels + inChannels, m, 1, 1]))
        pw2Bias = Parameter("\(name).gen.pw2.bias", Tensor(zeros: [outChannels + inChannels]))
    }

    public var parameters: [Parameter] { [weight, pw1Weight, pw1Bias, pw2Weight, pw2Bias] }

    /// The attention tensor A [N, O, C, k, k] this layer applies to the input `x`.
    public func attention(_ x: Tensor, _ ctx: ForwardContext) -> Tensor {
        KernelAttention.attention(logits: generate(x, ctx.engine).z, outChannels: outChannels,
                                  inChannels: inChannels)
    }

    public func forward(_ x: Tensor, _ ctx: ForwardContext) -> (Tensor, Pullback) {
        precondition(x.rank == 4 && x.shape[1] == inChannels && x.shape[0] > 0,
                     "\(name): expected [N,\(inChannels),H,W] with N ≥ 1, got \(x.shape)")
        let engine = ctx.engine
        let n = x.shape[0]
        let gen = generate(x, engine)
        // W_n = A_n ⊙ K is produced per image inside the convolution (factorised gate, in cache).
        let kernels = AWKernelModulation(logits: gen.z, kernel: weight.value, engine: engine)
        let y = engine.sampleKernelConv2d(x, kernels: kernels, config)
        addMACs(y, images: n, ctx)

        let params = (weight, pw1Weight, pw1Bias, pw2Weight, pw2Bias)
        let pw1 = pw1Weight.value, pw2 = pw2Weight.value
        return (y, { dy in
            precondition(dy.shape == y.shape, "\(self.name): upstream \(dy.shape) vs output \(y.shape)")
            let dxConv = engine.sampleKernelConv2dBackward(x, kernels: kernels, self.config, dy: dy)
            let dK = kernels.dKernel(), dz = kernels.dLogits(shape: gen.z.shape)
            params.0.accumulate(dK)
            let g2 = engine.conv2dBackward(gen.hidden, weight: pw2, hasBias: true, ConvConfig(), dy: dz)
            params.3.accumulate(g2.weight)
            if let b = g2.bias { params.4.accumulate(b) }
            let dz1 = engine.reluBackward(gen.preReLU, dy: g2.x)
            let g1 = engine.conv2dBackward(gen.pooled, weight: pw1, hasBias: true, ConvConfig(), dy: dz1)
            params.1.accumulate(g1.weight)
            if let b = g1.bias { params.2.accumulate(b) }
            return engine.adaptiveAvgPool2dBackward(inputShape: x.shape, dy: g1.x, adding: dxConv)
        })
    }

    /// Eval mode: this layer and the batch norm `bn` after it (and `activation`) in one engine call
    /// (`Kernels.sampleKernelConv2dBatchNormEval`: the batch norm applied to each image's output while
    /// it is in cache), the same numbers as the layers one after another (`Sequential` uses it).
    /// The pullback (rarely called in eval mode) recomputes the layer's output and runs both pullbacks.
    public func forward(_ x: Tensor, _ ctx: ForwardContext, thenEval bn: BatchNorm2d,
                        activation: FusedActivation?) -> (Tensor, Pullback) {
        precondition(!ctx.training, "\(name): the fused AW-convolution + batch norm is eval-mode only")
        precondition(x.rank == 4 && x.shape[1] == inChannels && x.shape[0] > 0,
                     "\(name): expected [N,\(inChannels),H,W] with N ≥ 1, got \(x.shape)")
        precondition(bn.channels == outChannels, "\(bn.weight.name): \(bn.channels) channels after \(outChannels)")
        let engine = ctx.engine
        let kernels = AWKernelModulation(logits: generate(x, engine).z, kernel: weight.value, engine: engine)
        let y = engine.sampleKernelConv2dBatchNormEval(x, kernels: kernels, config, gamma: bn.weight.value,
                                                       beta: bn.bias.value, runningMean: bn.runningMean.value,
                                                       runningVar: bn.runningVar.value, eps: bn.eps,
                                                       activation: activation)
        addMACs(y, images: x.shape[0], ctx)
        return (y, { dy in
            let again = ForwardContext(engine: engine, training: false)
            let (z, convPullback) = self.forward(x, again)
            let (_, bnPullback) = bn.forward(z, again, activation: activation)
            return convPullback(bnPullback(dy))
        })
    }

    /// The main convolution's and the generator's multiply-adds for output `y` of `images` images.
    private func addMACs(_ y: Tensor, images n: Int, _ ctx: ForwardContext) {
        let k2 = kernelSize * kernelSize, m = hiddenChannels
        ctx.addMACs(y.count * inChannels * k2 + n * k2 * (inChannels * m + m * (outChannels + inChannels)))
    }

    /// The generator's activations: pooled input, hidden pre-ReLU and post-ReLU, gate logits.
    private func generate(_ x: Tensor, _ engine: any Kernels)
        -> (pooled: Tensor, preReLU: Tensor, hidden: Tensor, z: Tensor) {
        let pooled = engine.adaptiveAvgPool2d(x, outH: kernelSize, outW: kernelSize)
        let pre = engine.conv2d(pooled, weight: pw1Weight.value, bias: pw1Bias.value, ConvConfig())
        let hidden = engine.relu(pre)
        let z = engine.conv2d(hidden, weight: pw2Weight.value, bias: pw2Bias.value, ConvConfig())
        return (pooled, pre, hidden, z)
    }
}
