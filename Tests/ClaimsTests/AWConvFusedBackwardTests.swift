// The AW-convolution's fused backward on 16-pixel maps (`FastEngine+FactorisedGateBackward`)
// against the unfused im2col + GEMM path (bit for bit) and the reference engine.

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import TestSupport
import ZhuAttention

final class AWConvFusedBackwardTests: XCTestCase {
    /// (N, C, O, H, W, stride, padding), 16 or 64 output pixels and more than 100³ multiply-adds an
    /// image: the teacher's 4×4 and 8×8 layers and the stride-2 layers into them, no padding, odd
    /// input sizes, fewer output channels.
    private let cases: [(Int, Int, Int, Int, Int, Int, Int)] = [
        (3, 128, 128, 4, 4, 1, 1), (3, 128, 64, 8, 8, 2, 1), (2, 64, 64, 8, 8, 1, 1), (2, 64, 32, 15, 15, 2, 1),
        (2, 96, 128, 6, 6, 1, 0), (2, 32, 64, 8, 8, 1, 1),
    ]

    private func assertSameBits(_ a: Tensor, _ b: Tensor, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, label, file: file, line: line)
        let differ = zip(a.data, b.data).filter { $0.bitPattern != $1.bitPattern }.count
        XCTAssertEqual(differ, 0, "\(label): \(differ) of \(a.count) values differ", file: file, line: line)
    }

    func testFusedIsTheUnfusedPathBitForBit() throws {
        try XCTSkipUnless(FastEngine.usesAVX512, "the fused backward needs AVX-512")
        // 8 × 8 stride-1 maps make dx by the gated Winograd in production (AWConvGatedWinograd8x8Tests);
        // here the fused kernel's own second pass.
        FastEngine.useGatedWinograd8x8 = false
        defer { FastEngine.useFactorisedGateBackward = true; FastEngine.useGatedWinograd8x8 = true }
        for (i, shape) in cases.enumerated() {
            let (z, k, x, config) = awConvCase(seed: 40 + UInt64(i), shape)
            var rng = SeededRNG(seed: 140 + UInt64(i))   // upstream gradients
            for threads in [1, 2] {
                let engine = FastEngine(threads: threads)
                let y = engine.sampleKernelConv2d(x, kernels: AWKernelModulation(logits: z, kernel: k), config)
                XCTAssertTrue([16, 64].contains(y.shape[2] * y.shape[3]))
                let dy = Tensor.randn(y.shape, rng: &rng)
                let label = "case \(i), \(threads) threads"
                FastEngine.useFactorisedGateBackward = false
                let plain = CountingModulation(AWKernelModulation(logits: z, kernel: k))
                let dxPlain = engine.sampleKernelConv2dBackward(x, kernels: plain, config, dy: dy)
                FastEngine.useFactorisedGateBackward = true
                let fused = CountingModulation(AWKernelModulation(logits: z, kernel: k))
                let dxFused = engine.sampleKernelConv2dBackward(x, kernels: fused, config, dy: dy)
                XCTAssertEqual([plain.fusedBackwards, fused.fusedBackwards], [0, 1], label)
                assertSameBits(dxFused, dxPlain, "dx, " + label)
                assertSameBits(fused.inner.dKernel(), plain.inner.dKernel(), "dK, " + label)
                assertSameBits(fused.inner.dLogits(shape: z.shape), plain.inner.dLogits(shape: z.shape), "dz, " + label)
                // And against the reference engine's grouped-convolution specification, within Float
                // rounding of sums of up to 9·128 terms: atol relative to each tensor's largest value
                // (an element that cancels to 1e-2 out of terms of ~10 keeps only the terms' error).
                let reference = AWKernelModulation(logits: z, kernel: k)
                let dxRef = ReferenceEngine().sampleKernelConv2dBackward(x, kernels: reference, config, dy: dy)
                func scaled(_ t: Tensor) -> Float { 2e-5 * (t.data.map { abs($0) }.max() ?? 0) }
                let dKRef = reference.dKernel(), dzRef = reference.dLogits(shape: z.shape)
                assertClose(dxFused, dxRef, rtol: 1e-4, atol: scaled(dxRef), label)
                assertClose(fused.inner.dKernel(), dKRef, rtol: 1e-4, atol: scaled(dKRef), label)
                assertClose(fused.inner.dLogits(shape: z.shape), dzRef, rtol: 1e-4, atol: scaled(dzRef), label)
            }
        }
    }

    /// A map that the per-image Winograd kernels take (here an 8×8 one, with their threshold at one
    /// tile) keeps them: the fused path is the im2col + GEMM path's twin, not Winograd's.
    func testWinogradMapsKeepTheWinogradPath() {
        let saved = FastEngine.sampleKernelWinogradMinimumTiles
        FastEngine.sampleKernelWinogradMinimumTiles = 1
        defer { FastEngine.sampleKernelWinogradMinimumTiles = saved }
        var rng = SeededRNG(seed: 51)
        let m = CountingModulation(AWKernelModulation(logits: Tensor.randn([2, 128, 3, 3], rng: &rng),
                                                      kernel: Tensor.randn([64, 64, 3, 3], rng: &rng)))
        let x = Tensor.randn([2, 64, 8, 8], rng: &rng), dy = Tensor.randn([2, 64, 8, 8], rng: &rng)
        _ = FastEngine(threads: 2).sampleKernelConv2dBackward(x, kernels: m, ConvConfig(stride: 1, padding: 1), dy: dy)
        XCTAssertEqual(m.fusedBackwards, 0)
    }

    /// An image whose gates do not factorise (a logit beyond the limit) sends the whole call down
    /// the unfused path.
    func testAnExactGateImageTakesTheUnfusedPath() {
        var rng = SeededRNG(seed: 50)
        var z = Tensor.randn([3, 256, 3, 3], rng: &rng)
        z.data[40] = 60
        let m = CountingModulation(AWKernelModulation(logits: z, kernel: Tensor.randn([128, 128, 3, 3], rng: &rng)))
        let x = Tensor.randn([3, 128, 4, 4], rng: &rng), dy = Tensor.randn([3, 128, 4, 4], rng: &rng)
        _ = FastEngine(threads: 2).sampleKernelConv2dBackward(x, kernels: m, ConvConfig(stride: 1, padding: 1), dy: dy)
        XCTAssertFalse(m.isFactorised)
        XCTAssertEqual(m.fusedBackwards, 0)
    }
}
