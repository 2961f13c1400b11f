// Tests of the AW-convolution's kernel-shaped attention: formula, exact identity at
// zero logits, non-separability, and the backward of the kernel modulation.

import XCTest
import TensorCore
import ZhuAttention
import TestSupport

final class AWConvKernelAttentionTests: XCTestCase {
    func testAttentionFormula() {
        var rng = SeededRNG(seed: 2)
        let o = 3, c = 2, n = 2
        let z = Tensor.randn([n, o + c, 2, 2], std: 2, rng: &rng)
        let a = KernelAttention.attention(logits: z, outChannels: o, inChannels: c)
        XCTAssertEqual(a.shape, [n, o, c, 2, 2])
        for s in 0..<n { for oo in 0..<o { for cc in 0..<c { for t in 0..<4 {
            let u = Double(z.data[(s * (o + c) + oo) * 4 + t]) + Double(z.data[(s * (o + c) + o + cc) * 4 + t])
            XCTAssertEqual(Double(a.data[((s * o + oo) * c + cc) * 4 + t]), 2 / (1 + exp(-u)), accuracy: 1e-6)
        } } } }
    }

    func testZeroLogitsGiveExactlyOneAndExtremeLogitsStayFinite() {
        let ones = KernelAttention.attention(logits: Tensor(zeros: [1, 5, 3, 3]), outChannels: 2, inChannels: 3)
        XCTAssertTrue(ones.data.allSatisfy { $0 == 1 })
        let big = Tensor(shape: [1, 2, 1, 1], data: [-200, -200])
        XCTAssertEqual(KernelAttention.attention(logits: big, outChannels: 1, inChannels: 1).data, [0])
        let huge = Tensor(shape: [1, 2, 1, 1], data: [200, 200])
        XCTAssertEqual(KernelAttention.attention(logits: huge, outChannels: 1, inChannels: 1).data, [2])
    }

    /// A[o,c] at one tap is not an outer product u[o]·v[c]: a 2×2 minor is non-zero,
    /// i.e. the attention is not split into an output-channel and an input-channel map.
    func testAttentionIsNotSeparable() {
        let z = Tensor(shape: [1, 4, 1, 1], data: [0, 2, 0, 2])  // a = (0, 2), b = (0, 2)
        let a = KernelAttention.attention(logits: z, outChannels: 2, inChannels: 2).data
        XCTAssertGreaterThan(abs(a[0] * a[3] - a[1] * a[2]), 0.1)
    }

    func testModulatedKernelsAreAttentionTimesKernel() {
        var rng = SeededRNG(seed: 4)
        let z = Tensor.randn([3, 5, 3, 3], rng: &rng), k = Tensor.randn([2, 3, 3, 3], rng: &rng)
        let a = KernelAttention.attention(logits: z, outChannels: 2, inChannels: 3)
        let w = KernelAttention.modulatedKernels(logits: z, kernel: k)
        XCTAssertEqual(w.shape, [6, 3, 3, 3])
        for i in 0..<w.count { XCTAssertEqual(w.data[i], a.data[i] * k.data[i % k.count]) }
    }

    func testModulationBackward() {
        var rng = SeededRNG(seed: 6)
        let z = Tensor.randn([2, 5, 3, 3], rng: &rng), k = Tensor.randn([3, 2, 3, 3], rng: &rng)
        let result = checkGradient(
            of: { t in KernelAttention.modulatedKernels(logits: t[0], kernel: t[1]) },
            inputs: [z, k], names: ["z", "kernel"],
            analytic: { t, r in
                let g = KernelAttention.modulatedKernelsBackward(logits: t[0], kernel: t[1], dWeights: r)
                return [g.dLogits, g.dKernel]
            }, rtol: 1e-3, atol: 1e-4)
        XCTAssertEqual(result.checked, z.count + k.count)
    }
}
