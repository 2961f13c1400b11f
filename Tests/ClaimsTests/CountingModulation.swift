// A factorised-gate modulation that records which fused paths an engine took.

import TensorCore
import ZhuAttention

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
    func withFactors<R>(_ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>) -> R) -> R {
        factorUses += 1
        return inner.withFactors(body)
    }
    func beginFactorisedBackward(shares: Int) -> (dKernelShares: UnsafeMutablePointer<Float>, dLogits: UnsafeMutablePointer<Float>) {
        fusedBackwards += 1
        return inner.beginFactorisedBackward(shares: shares)
    }
}
