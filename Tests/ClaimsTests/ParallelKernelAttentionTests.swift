// The parallel kernel modulation against its naive twin `KernelAttention`.

import XCTest
import TensorCore
import TestSupport
import ZhuAttention

final class ParallelKernelAttentionTests: XCTestCase {
    /// Large enough (≥ 2^15 kernel elements) that the work is really split over threads.
    private func sample(seed: UInt64) -> (z: Tensor, k: Tensor, dw: Tensor) {
        var rng = SeededRNG(seed: seed)
        let n = 5, o = 24, c = 40
        let z0 = Tensor.randn([n, o + c, 3, 3], rng: &rng)
        let z = Tensor(shape: z0.shape, data: z0.data.map { 2 * $0 })
        let k = Tensor.randn([o, c, 3, 3], rng: &rng)
        let dw = Tensor.randn([n * o, c, 3, 3], rng: &rng)
        return (z, k, dw)
    }

    func testForwardIsBitIdenticalAndKeepsTheAttention() {
        let (z, k, _) = sample(seed: 11)
        let naive = KernelAttention.modulatedKernels(logits: z, kernel: k)
        let a = KernelAttention.attention(logits: z, outChannels: 24, inChannels: 40)
        for threads in [1, 2, 3] {
            let fast = ParallelKernelAttention.modulatedKernels(logits: z, kernel: k, threads: threads,
                                                                keepAttention: true)
            XCTAssertEqual(fast.kernels.shape, naive.shape)
            XCTAssertEqual(fast.kernels.data, naive.data, "threads \(threads)")
            XCTAssertEqual(fast.attention, a.data, "threads \(threads)")
            let lean = ParallelKernelAttention.modulatedKernels(logits: z, kernel: k, threads: threads,
                                                                keepAttention: false)
            XCTAssertNil(lean.attention)
            XCTAssertEqual(lean.kernels.data, naive.data)
        }
    }

    func testBackwardMatchesTheNaiveTwin() {
        let (z, k, dw) = sample(seed: 12)
        let naive = KernelAttention.modulatedKernelsBackward(logits: z, kernel: k, dWeights: dw)
        let kept = ParallelKernelAttention.modulatedKernels(logits: z, kernel: k, threads: 1,
                                                            keepAttention: true).attention
        for threads in [1, 2, 3] {
            for attention in [kept, nil] {
                let fast = ParallelKernelAttention.modulatedKernelsBackward(
                    logits: z, kernel: k, attention: attention, dWeights: dw, threads: threads)
                // dLogits is summed per sample in the naive order: always bit-identical.
                XCTAssertEqual(fast.dLogits.data, naive.dLogits.data, "threads \(threads)")
                if threads == 1 {
                    XCTAssertEqual(fast.dKernel.data, naive.dKernel.data)
                } else {
                    // dK is summed per thread share, then across shares (Double): a last-bit difference at most.
                    assertClose(fast.dKernel, naive.dKernel, rtol: 1e-6, atol: 1e-6)
                }
            }
        }
    }

    func testBackwardIsReproducibleForAThreadCount() {
        let (z, k, dw) = sample(seed: 13)
        let a = ParallelKernelAttention.modulatedKernelsBackward(logits: z, kernel: k, attention: nil,
                                                                 dWeights: dw, threads: 2)
        let b = ParallelKernelAttention.modulatedKernelsBackward(logits: z, kernel: k, attention: nil,
                                                                 dWeights: dw, threads: 2)
        XCTAssertEqual(a.dKernel.data, b.dKernel.data)
        XCTAssertEqual(a.dLogits.data, b.dLogits.data)
    }
}
