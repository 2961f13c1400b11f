// The per-image Winograd forward with the factorised gates made inside the kernel transform
// (`FastEngine+SampleKernelWinogradGated.swift`) against `write` + the kernel transform: the same
// bits, and the reference within Winograd's rounding.

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import ZhuAttention
import TestSupport

final class AWConvGatedWinogradTests: XCTestCase {
    /// (N, C, O, H, W, stride, padding): the teacher's 16 × 16 and 32 × 32 layers, O not a multiple of
    /// 8, a map of partial tiles; then C odd (the ungated path).
    private let cases: [(Int, Int, Int, Int, Int, Int, Int)] = [
        (3, 32, 32, 16, 16, 1, 1), (2, 16, 16, 32, 32, 1, 1), (3, 6, 12, 16, 16, 1, 1), (2, 4, 8, 18, 13, 1, 1),
    ]

    func testGatedTransformIsWriteThenTransformBitForBit() {
        defer { FastEngine.useGatedKernelTransform = true }
        for (i, shape) in cases.enumerated() {
            let (z, k, x, config) = awConvCase(seed: 70 + UInt64(i), shape)
            let reference = ReferenceEngine().sampleKernelConv2d(x, kernels: AWKernelModulation(logits: z, kernel: k), config)
            for threads in [1, 2] {
                let engine = FastEngine(threads: threads), label = "case \(i), \(threads) threads"
                FastEngine.useGatedKernelTransform = false
                let plain = CountingModulation(AWKernelModulation(logits: z, kernel: k))
                let yPlain = engine.sampleKernelConv2d(x, kernels: plain, config)
                FastEngine.useGatedKernelTransform = true
                let gated = CountingModulation(AWKernelModulation(logits: z, kernel: k))
                let yGated = engine.sampleKernelConv2d(x, kernels: gated, config)
                XCTAssertEqual([plain.factorUses, gated.factorUses], [0, 1], label)
                let differ = zip(yGated.data, yPlain.data).filter { $0.bitPattern != $1.bitPattern }.count
                XCTAssertEqual(differ, 0, "\(label): \(differ) of \(yGated.count) values differ")
                let scale = 1e-4 * (reference.data.map { abs($0) }.max() ?? 0)
                assertClose(yGated, reference, rtol: 1e-3, atol: scale, label)
            }
        }
    }

    /// C odd: the lanes (c, c + 1) would run past C, so `write` + transform runs (no factor pass).
    func testOddInputChannelsKeepTheUngatedPath() {
        let (z, k, x, config) = awConvCase(seed: 75, (2, 5, 8, 16, 16, 1, 1))
        let m = CountingModulation(AWKernelModulation(logits: z, kernel: k))
        _ = FastEngine(threads: 2).sampleKernelConv2d(x, kernels: m, config)
        XCTAssertEqual(m.factorUses, 0)
    }
}
