// The AW-convolution's gated Winograd forward on 8 × 8 maps (`FastEngine+GatedWinograd8x8.swift`)
// against the reference engine (within Winograd's rounding) and the fused direct forward it replaces.

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import ZhuAttention
import TestSupport

final class AWConvGatedWinograd8x8Tests: XCTestCase {
    /// (N, C, O, H, W, stride, padding): the teacher's 64 → 64 layer; C odd and small; one image with three
    /// blocks of output channels (split 2 + 1 over two threads); O not a multiple of 16 (not this path).
    private let cases: [(Int, Int, Int, Int, Int, Int, Int)] = [
        (3, 64, 64, 8, 8, 1, 1), (2, 5, 16, 8, 8, 1, 1), (1, 32, 48, 8, 8, 1, 1), (2, 16, 24, 8, 8, 1, 1),
    ]

    func testMatchesTheReferenceAndDiffersFromTheDirectPathOnlyInRounding() throws {
        try XCTSkipUnless(FastEngine.usesAVX512, "the gated Winograd needs AVX-512")
        defer { FastEngine.useGatedWinograd8x8 = true }
        for (i, shape) in cases.enumerated() {
            let (z, k, x, config) = awConvCase(seed: 110 + UInt64(i), shape)
            let reference = ReferenceEngine().sampleKernelConv2d(x, kernels: AWKernelModulation(logits: z, kernel: k), config)
            let scale = reference.data.map { abs($0) }.max() ?? 1
            for threads in [1, 2] {
                let engine = FastEngine(threads: threads), label = "case \(i), \(threads) threads"
                FastEngine.useGatedWinograd8x8 = false
                let direct = engine.sampleKernelConv2d(x, kernels: AWKernelModulation(logits: z, kernel: k), config)
                FastEngine.useGatedWinograd8x8 = true
                let winograd = engine.sampleKernelConv2d(x, kernels: AWKernelModulation(logits: z, kernel: k), config)
                XCTAssertEqual(winograd.shape, reference.shape, label)
                let worst = zip(winograd.data, reference.data).map { abs($0 - $1) }.max() ?? .infinity
                XCTAssertLessThan(worst, 1e-5 * scale, "\(label): \(worst) from the reference (scale \(scale))")
                // Winograd sums in another order: some outputs differ from the direct path's in their last
                // bits — unless O is not a multiple of 16 and the direct path ran both times.
                let differ = zip(winograd.data, direct.data).filter { $0.bitPattern != $1.bitPattern }.count
                if shape.2 % 16 == 0 {
                    XCTAssertGreaterThan(differ, 0, "\(label): the Winograd path did not run")
                } else {
                    XCTAssertEqual(differ, 0, label)
                }
            }
        }
    }

    /// The backward on 8 × 8 maps: dx by the gated Winograd with the kernel turned — within Winograd's
    /// rounding of the reference, another rounding than the fused kernel's second pass — while ∂L/∂K and
    /// ∂L/∂z keep the fused kernel's bits.
    func testBackwardInputGradientByWinograd() throws {
        try XCTSkipUnless(FastEngine.usesAVX512, "the fused backward needs AVX-512")
        defer { FastEngine.useGatedWinograd8x8 = true }
        for (i, shape) in [(2, 64, 64, 8, 8, 1, 1), (2, 48, 64, 8, 8, 1, 1), (1, 16, 128, 8, 8, 1, 1)].enumerated() {
            let (z, k, x, config) = awConvCase(seed: 130 + UInt64(i), shape)
            var rng = SeededRNG(seed: 150 + UInt64(i))
            let dy = Tensor.randn([shape.0, shape.2, 8, 8], rng: &rng)
            let reference = AWKernelModulation(logits: z, kernel: k)
            let dxRef = ReferenceEngine().sampleKernelConv2dBackward(x, kernels: reference, config, dy: dy)
            for threads in [1, 2] {
                let engine = FastEngine(threads: threads), label = "case \(i), \(threads) threads"
                FastEngine.useGatedWinograd8x8 = false
                let fused = AWKernelModulation(logits: z, kernel: k)
                let dxFused = engine.sampleKernelConv2dBackward(x, kernels: fused, config, dy: dy)
                FastEngine.useGatedWinograd8x8 = true
                let winograd = AWKernelModulation(logits: z, kernel: k)
                let dxWinograd = engine.sampleKernelConv2dBackward(x, kernels: winograd, config, dy: dy)
                XCTAssertEqual(winograd.dKernel().data.map(\.bitPattern), fused.dKernel().data.map(\.bitPattern), label)
                XCTAssertEqual(winograd.dLogits(shape: z.shape).data.map(\.bitPattern),
                               fused.dLogits(shape: z.shape).data.map(\.bitPattern), label)
                let scale = dxRef.data.map { abs($0) }.max() ?? 1
                let worst = zip(dxWinograd.data, dxRef.data).map { abs($0 - $1) }.max() ?? .infinity
                XCTAssertLessThan(worst, 1e-5 * scale, "\(label): \(worst) from the reference (scale \(scale))")
                let differ = zip(dxWinograd.data, dxFused.data).filter { $0.bitPattern != $1.bitPattern }.count
                XCTAssertGreaterThan(differ, 0, "\(label): the Winograd dx did not run")
            }
        }
    }

    /// One image split over two threads gives the bits of the image on one thread (each output channel
    /// block is computed whole by one thread).
    func testOneImageSplitOverThreadsIsTheSameBits() throws {
        try XCTSkipUnless(FastEngine.usesAVX512, "the gated Winograd needs AVX-512")
        let (z, k, x, config) = awConvCase(seed: 120, (1, 32, 64, 8, 8, 1, 1))
        let one = FastEngine(threads: 1).sampleKernelConv2d(x, kernels: AWKernelModulation(logits: z, kernel: k), config)
        let two = FastEngine(threads: 2).sampleKernelConv2d(x, kernels: AWKernelModulation(logits: z, kernel: k), config)
        XCTAssertEqual(one.data.map(\.bitPattern), two.data.map(\.bitPattern))
    }
}
