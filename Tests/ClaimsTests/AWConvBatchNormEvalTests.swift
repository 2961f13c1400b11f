// The AW-convolution with the eval-mode batch norm after it in one call
// (`sampleKernelConv2dBatchNormEval`): on the fast engine the bits of the two ops one after the
// other on every per-image path, and the reference composition within rounding.

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import ZhuAttention

final class AWConvBatchNormEvalTests: XCTestCase {
    /// (N, C, O, H, W, stride, padding) and the path the convolution takes there: the fused gates (4 × 4,
    /// 8 × 8 with the gated Winograd off), the gated Winograd (8 × 8), per-image Winograd (16 × 16),
    /// im2col + GEMM (stride 2 onto 16 × 16), direct (Winograd off).
    private let cases: [((Int, Int, Int, Int, Int, Int, Int), String)] = [
        ((3, 128, 128, 4, 4, 1, 1), "fused gates 4×4"), ((4, 64, 64, 8, 8, 1, 1), "fused gates 8×8"),
        ((4, 64, 64, 8, 8, 1, 1), "gated Winograd 8×8"),
        ((3, 32, 32, 16, 16, 1, 1), "Winograd"), ((2, 16, 24, 32, 32, 2, 1), "GEMM"),
        ((2, 8, 12, 16, 16, 1, 1), "direct"),
    ]

    private func batchNorm(_ o: Int, seed: UInt64) -> (gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor) {
        var rng = SeededRNG(seed: seed)
        let v = Tensor.randn([o], rng: &rng)
        return (Tensor.randn([o], rng: &rng), Tensor.randn([o], rng: &rng), Tensor.randn([o], rng: &rng),
                Tensor(shape: [o], data: v.data.map { 0.5 + $0 * $0 }))
    }

    func testFusedIsTheTwoOpsBitForBitOnEveryPath() {
        defer { FastEngine.useWinograd3x3 = true; FastEngine.useGatedWinograd8x8 = true }
        for (i, (shape, path)) in cases.enumerated() {
            FastEngine.useWinograd3x3 = path != "direct"
            FastEngine.useGatedWinograd8x8 = path != "fused gates 8×8"
            let (z, k, x, config) = awConvCase(seed: 80 + UInt64(i), shape)
            let bn = batchNorm(shape.2, seed: 90 + UInt64(i))
            for activation in [nil, FusedActivation.relu] as [FusedActivation?] {
                let reference = ReferenceEngine().sampleKernelConv2dBatchNormEval(
                    x, kernels: AWKernelModulation(logits: z, kernel: k), config, gamma: bn.gamma, beta: bn.beta,
                    runningMean: bn.mean, runningVar: bn.variance, eps: 1e-5, activation: activation)
                for threads in [1, 2] {
                    let fast = FastEngine(threads: threads), label = "\(path), \(threads) threads, \(String(describing: activation))"
                    let kernels = AWKernelModulation(logits: z, kernel: k)
                    let fused = fast.sampleKernelConv2dBatchNormEval(
                        x, kernels: kernels, config, gamma: bn.gamma, beta: bn.beta, runningMean: bn.mean,
                        runningVar: bn.variance, eps: 1e-5, activation: activation)
                    let conv = fast.sampleKernelConv2d(x, kernels: kernels, config)
                    let apart = activation.map {
                        fast.batchNormEval(conv, gamma: bn.gamma, beta: bn.beta, runningMean: bn.mean,
                                           runningVar: bn.variance, eps: 1e-5, activation: $0)
                    } ?? fast.batchNormEval(conv, gamma: bn.gamma, beta: bn.beta, runningMean: bn.mean,
                                            runningVar: bn.variance, eps: 1e-5)
                    XCTAssertEqual(fused.shape, apart.shape, label)
                    XCTAssertEqual(fused.data, apart.data, label)
                    let scale = reference.data.map(abs).max() ?? 1
                    let worst = zip(fused.data, reference.data).map { abs($0 - $1) }.max() ?? 0
                    XCTAssertLessThan(worst, 1e-4 * scale, "\(label): \(worst) from the reference")
                }
            }
        }
    }
}
