// A factorised-gate modulation that records which fused paths an engine took, and the random
// AW-convolution cases the fused-path tests share.

import TensorCore
import TestSupport
import ZhuAttention

/// Gate logits z (scaled by 3, so the gates vary), kernel K and input x of one per-image-kernel
/// convolution case (N, C, O, H, W, stride, padding), and its config.
func awConvCase(seed: UInt64, _ shape: (Int, Int, Int, Int, Int, Int, Int))
    -> (z: Tensor, k: Tensor, x: Tensor, config: ConvConfig) {
    let (n, c, o, h, w, s, p) = shape
    var rng = SeededRNG(seed: seed)
    let z0 = Tensor.randn([n, o + c, 3, 3], rng: &rng)
    let z = Tensor(shape: z0.shape, data: z0.data.map { 3 * $0 })
    let k = Tensor.randn([o, c, 3, 3], rng: &rng)
    return (z, k, Tensor.randn([n, c, h, w], rng: &rng), ConvConfig(stride: s, padding: p))
}

/// An `AWKernelModulation` that counts the fused passes engines ask it for.
final class CountingModulation: FactorisedSampleKernels {
    let inner: AWKernelModulation
    private(set) var fusedBackwards = 0
    /// `withFactors` calls: one per fused forward or backward.
    private(set) var factorUses = 0
    init(_ inner: AWKernelModulation) { self.inner = inner }
    var count: Int { inner.count }
    var kernelShape: [Int] { inner.kernelShape }
    var isFactorised: Bool { inner.isFactorised }
    func write(sample n: Int, into w: UnsafeMutablePointer<Float>) { inner.write(sample: n, into: w) }
    func beginBackward(shares: Int) { inner.beginBackward(shares: shares) }
    func weightGradient(sample n: Int, share: Int, _ dW: UnsafePointer<Float>) {
        inner.weightGradient(sample: n, share: share, dW)
    }
    func weightGradient(sample n: Int, share: Int, _ dW: UnsafePointer<Float>, writingKernelInto w: UnsafeMutablePointer<Float>) {
        inner.weightGradient(sample: n, share: share, dW, writingKernelInto: w)
    }
    func withFactors<R>(_ body: (UnsafePointer<Float>, UnsafePointer<Float>) -> R) -> R {
        factorUses += 1
        return inner.withFactors(body)
    }
    func beginFactorisedBackward(shares: Int) -> (dKernelShares: UnsafeMutablePointer<Float>, dLogits: UnsafeMutablePointer<Float>) {
        fusedBackwards += 1
        return inner.beginFactorisedBackward(shares: shares)
    }
}
