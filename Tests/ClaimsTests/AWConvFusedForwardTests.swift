// The AW-convolution's fused forward on 4×4 and 8×8 maps (`FastEngine+FactorisedGateForward`)
// against the unfused `write` + im2col + GEMM path (bit for bit) and the reference engine.

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import WinogradAVX512
import TestSupport
import ZhuAttention

final class AWConvFusedForwardTests: XCTestCase {
    /// (N, C, O, H, W, stride, padding): the teacher's 4×4 and 8×8 layers (K = 1,152 and 576) and the
    /// stride-2 layers into them, fewer output channels, an odd input size, single images.
    private let cases: [(Int, Int, Int, Int, Int, Int, Int)] = [
        (3, 128, 128, 4, 4, 1, 1), (3, 128, 128, 8, 8, 2, 1), (4, 64, 64, 8, 8, 1, 1), (3, 64, 64, 16, 16, 2, 1),
        (2, 64, 32, 15, 15, 2, 1), (2, 128, 64, 4, 4, 1, 1),
        // one image (batch-1 inference): the output-channel blocks split over the threads
        (1, 128, 128, 4, 4, 1, 1), (1, 64, 64, 8, 8, 1, 1), (1, 64, 48, 16, 16, 2, 1),
    ]

    /// OpenBLAS's level-3 driver splits K = 1,152 and 576 as recorded (checked against cblas_sgemm).
    func testDepthBlocks() {
        XCTAssertEqual(AVX512.openBLASDepthBlocks(1152), [0..<448, 448..<800, 800..<1152])
        XCTAssertEqual(AVX512.openBLASDepthBlocks(576), [0..<288, 288..<576])
        XCTAssertEqual(AVX512.openBLASDepthBlocks(400), [0..<400])
    }

    func testFusedIsTheUnfusedPathBitForBit() throws {
        try XCTSkipUnless(FastEngine.usesAVX512, "the fused forward needs AVX-512")
        // The 8 × 8 stride-1 layers take the gated Winograd in production (AWConvGatedWinograd8x8Tests);
        // this checks the fused direct forward, which the stride-2 layers onto 8 × 8 maps still take.
        FastEngine.useGatedWinograd8x8 = false
        defer { FastEngine.useFactorisedGateForward = true; FastEngine.useGatedWinograd8x8 = true }
        for (i, shape) in cases.enumerated() {
            let (z, k, x, config) = awConvCase(seed: 60 + UInt64(i), shape)
            let reference = ReferenceEngine().sampleKernelConv2d(x, kernels: AWKernelModulation(logits: z, kernel: k), config)
            for threads in [1, 2] {
                let engine = FastEngine(threads: threads), label = "case \(i), \(threads) threads"
                FastEngine.useFactorisedGateForward = false
                let plain = CountingModulation(AWKernelModulation(logits: z, kernel: k))
                let yPlain = engine.sampleKernelConv2d(x, kernels: plain, config)
                FastEngine.useFactorisedGateForward = true
                let fused = CountingModulation(AWKernelModulation(logits: z, kernel: k))
                let yFused = engine.sampleKernelConv2d(x, kernels: fused, config)
                XCTAssertEqual([plain.factorUses, fused.factorUses], [0, 1], label)
                XCTAssertTrue([16, 64].contains(yFused.shape[2] * yFused.shape[3]), label)
                let differ = zip(yFused.data, yPlain.data).filter { $0.bitPattern != $1.bitPattern }.count
                XCTAssertEqual(differ, 0, "\(label): \(differ) of \(yFused.count) values differ")
                let scale = 2e-5 * (reference.data.map { abs($0) }.max() ?? 0)
                assertClose(yFused, reference, rtol: 1e-4, atol: scale, label)
            }
        }
    }

    /// Other depths (K = 288: 32 channels, 4×4) and products of at most 100³ multiply-adds (O = 48,
    /// K = 1,152, F = 16 is 884,736: OpenBLAS's small-matrix kernel) keep the unfused path.
    func testOtherShapesTakeTheUnfusedPath() {
        for (c, o) in [(32, 32), (128, 48)] {
            var rng = SeededRNG(seed: 70)
            let m = CountingModulation(AWKernelModulation(logits: Tensor.randn([2, o + c, 3, 3], rng: &rng),
                                                          kernel: Tensor.randn([o, c, 3, 3], rng: &rng)))
            _ = FastEngine(threads: 2).sampleKernelConv2d(Tensor.randn([2, c, 4, 4], rng: &rng), kernels: m,
                                                         ConvConfig(stride: 1, padding: 1))
            XCTAssertEqual(m.factorUses, 0, "C \(c), O \(o)")
        }
    }
}
