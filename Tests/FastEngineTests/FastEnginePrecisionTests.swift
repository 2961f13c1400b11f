// bf16 precision in the fast engine against its specification: the reference engine (fp32) on the
// bf16-rounded inputs — x and W forward; x, W and dy backward — for every convolution path
// (im2col + GEMM, pointwise, batched small maps, direct 3×3, Winograd, depthwise, grouped), the
// per-image-kernel convolution and the linear layer; bias gradients are the fp32 sums of dy.

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import TestSupport

final class FastEnginePrecisionTests: FastEngineTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try XCTSkipUnless(BFloat16.available, "this CPU has no AVX512_BF16: bf16 precision cannot run here")
        try FastEngine.configurePrecision(.bf16)
    }

    override func tearDown() {
        try? FastEngine.configurePrecision(.fp32)
        super.tearDown()
    }

    func r(_ t: Tensor) -> Tensor { BFloat16.rounded(t) }

    /// Largest |a − b| over the tensors: the rounding must be visible against fp32 on unrounded inputs.
    func maxDifference(_ a: Tensor, _ b: Tensor) -> Float { zip(a.data, b.data).map { abs($0 - $1) }.max() ?? 0 }

    /// Every case of the fp32 convolution tests, with Winograd on (its own tolerance: F(4×4, 3×3)'s
    /// transforms lose ~1e-4 relative in fp32) and off (the direct and GEMM paths at 1e-4).
    func testConvolutionsAreTheReferenceOnRoundedInputs() {
        for winograd in [false, true] {
            FastEngine.useWinograd3x3 = winograd
            defer { FastEngine.useWinograd3x3 = true }
            let tol: Float = winograd ? 1e-3 : 1e-4
            for (i, cs) in FastEngineConvTests.cases.enumerated() {
                let x = randn([cs.n, cs.c, cs.h, cs.w], seed: UInt64(300 + i))
                let w = randn([cs.o, cs.c / cs.groups, cs.k, cs.k], seed: UInt64(400 + i), std: 0.5)
                let b = cs.bias ? randn([cs.o], seed: UInt64(500 + i)) : nil
                let config = ConvConfig(stride: cs.stride, padding: cs.pad, groups: cs.groups)
                let y = ref.conv2d(r(x), weight: r(w), bias: b, config)
                let dy = randn(y.shape, seed: UInt64(600 + i))
                let grads = ref.conv2dBackward(r(x), weight: r(w), hasBias: cs.bias, config, dy: r(dy))
                let bias = cs.bias ? ref.conv2dBackward(x, weight: w, hasBias: true, config, dy: dy).bias : nil
                let fp32 = ref.conv2d(x, weight: w, bias: b, config)
                for fast in fastEngines {
                    let tag = "\(cs) threads \(fast.threads) winograd \(winograd)"
                    let got = fast.conv2d(x, weight: w, bias: b, config)
                    assertClose(got, y, rtol: tol, atol: tol, "y \(tag)")
                    XCTAssertGreaterThan(maxDifference(got, fp32), 1e-4, "y \(tag): no bf16 rounding seen")
                    let g = fast.conv2dBackward(x, weight: w, hasBias: cs.bias, config, dy: dy)
                    assertClose(g.x, grads.x, rtol: tol, atol: tol, "dx \(tag)")
                    assertClose(g.weight, grads.weight, rtol: tol, atol: tol, "dw \(tag)")
                    if let gb = g.bias, let eb = bias { assertClose(gb, eb, rtol: 1e-5, atol: 1e-5, "db \(tag)") }
                    XCTAssertEqual(g.bias == nil, !cs.bias, "bias presence \(tag)")
                }
            }
        }
    }

    /// The AW-convolution's per-image kernels: W_n rounded as well (the direct path is off in bf16).
    func testPerImageKernelConvolutionIsTheReferenceOnRoundedInputs() {
        for (i, (n, c, o, h, w, k, s, p)) in [(3, 5, 7, 9, 7, 3, 1, 1), (3, 6, 5, 8, 16, 3, 1, 1), (2, 6, 4, 5, 5, 1, 1, 0)].enumerated() {
            let config = ConvConfig(stride: s, padding: p)
            let x = randn([n, c, h, w], seed: 700 + UInt64(i)), weights = randn([n, o, c, k, k], seed: 710 + UInt64(i))
            let rounded = StoredSampleKernels(r(weights))
            let y = ref.sampleKernelConv2d(r(x), kernels: rounded, config)
            let dy = randn(y.shape, seed: 720 + UInt64(i))
            let dx = ref.sampleKernelConv2dBackward(r(x), kernels: rounded, config, dy: r(dy))
            let dW = rounded.gradientTensor
            for fast in fastEngines {
                let kernels = StoredSampleKernels(weights)
                assertClose(fast.sampleKernelConv2d(x, kernels: kernels, config), y, rtol: 1e-4, atol: 1e-4, "y \(i)")
                assertClose(fast.sampleKernelConv2dBackward(x, kernels: kernels, config, dy: dy), dx, rtol: 1e-4, atol: 1e-4, "dx \(i)")
                assertClose(kernels.gradientTensor, dW, rtol: 1e-4, atol: 1e-4, "dW_n \(i)")
            }
        }
    }

    /// On AMX the Winograd path's layers (3 × 3, stride 1, pad 1) are direct convolutions on tiles with
    /// fp32 sums: the reference on rounded inputs at fp32-sum tolerance (1e-4, not Winograd's 1e-3),
    /// forward, fused with the shortcut sum, dx and dW, on awkward sizes (channel pairs that are not
    /// whole tiles, odd channels, output rows past a 16-row tile, planes narrower than a tile, one
    /// 16-lane block across several rows; rows of whole blocks stored straight into y, with one and
    /// with three 16-row tiles) and at 1 and 2 threads.
    func testAMXConvolutionsAreTheReferenceOnRoundedInputs() throws {
        try XCTSkipUnless(BFloat16.kernel == .amx, "bf16 GEMMs do not run on AMX tiles here")
        let config = ConvConfig(stride: 1, padding: 1)
        for (i, (n, c, o, h, w)) in [(2, 16, 16, 32, 32), (3, 5, 17, 9, 7), (2, 33, 40, 4, 4), (1, 64, 64, 8, 8),
                                     (2, 6, 4, 3, 11), (2, 32, 48, 5, 16)].enumerated() {
            let x = randn([n, c, h, w], seed: 800 + UInt64(i)), wt = randn([o, c, 3, 3], seed: 810 + UInt64(i), std: 0.5)
            let y = ref.conv2d(r(x), weight: r(wt), bias: nil, config)
            let dy = randn(y.shape, seed: 820 + UInt64(i)), residual = randn(y.shape, seed: 830 + UInt64(i))
            let grads = ref.conv2dBackward(r(x), weight: r(wt), hasBias: false, config, dy: r(dy))
            for fast in fastEngines {
                let tag = "\(n)×\(c)→\(o) \(h)×\(w) threads \(fast.threads)"
                let got = fast.conv2d(x, weight: wt, bias: nil, config)
                assertClose(got, y, rtol: 1e-4, atol: 1e-4, "y \(tag)")
                assertClose(fast.conv2dAdd(x, weight: wt, bias: nil, config, residual: residual), ref.add(y, residual),
                            rtol: 1e-4, atol: 1e-4, "y + residual \(tag)")
                let g = fast.conv2dBackward(x, weight: wt, hasBias: false, config, dy: dy)
                assertClose(g.x, grads.x, rtol: 1e-4, atol: 1e-4, "dx \(tag)")
                assertClose(g.weight, grads.weight, rtol: 1e-4, atol: 1e-4, "dw \(tag)")
            }
        }
    }

    func testLinearIsTheReferenceOnRoundedInputs() {
        let x = randn([37, 70], seed: 1), w = randn([19, 70], seed: 2), b = randn([19], seed: 3)
        let dy = randn([37, 19], seed: 4)
        let y = ref.linear(r(x), weight: r(w), bias: b), grads = ref.linearBackward(r(x), weight: r(w), dy: r(dy))
        for fast in fastEngines {
            let got = fast.linear(x, weight: w, bias: b)
            assertClose(got, y, rtol: 1e-4, atol: 1e-4)
            XCTAssertGreaterThan(maxDifference(got, ref.linear(x, weight: w, bias: b)), 1e-4, "no bf16 rounding seen")
            let g = fast.linearBackward(x, weight: w, dy: dy)
            assertClose(g.x, grads.x, rtol: 1e-4, atol: 1e-4)
            assertClose(g.weight, grads.weight, rtol: 1e-4, atol: 1e-4)
            assertClose(g.bias, ref.linearBackward(x, weight: w, dy: dy).bias, rtol: 1e-5, atol: 1e-5)
        }
    }

    /// fp32 mode is untouched: back to fp32, the engine gives the fp32 bits again.
    func testBackToFp32GivesTheFp32Bits() throws {
        let x = randn([4, 8, 8, 8], seed: 5), w = randn([6, 8, 1, 1], seed: 6)
        let bf16 = fastEngines[0].conv2d(x, weight: w, bias: nil, ConvConfig())
        try FastEngine.configurePrecision(.fp32)
        let fp32 = fastEngines[0].conv2d(x, weight: w, bias: nil, ConvConfig())
        XCTAssertNotEqual(bf16.data, fp32.data)
        try FastEngine.configurePrecision(.bf16)
        XCTAssertEqual(fastEngines[0].conv2d(x, weight: w, bias: nil, ConvConfig()).data, bf16.data)
        try FastEngine.configurePrecision(.fp32)
        XCTAssertEqual(fastEngines[0].conv2d(x, weight: w, bias: nil, ConvConfig()).data, fp32.data)
    }
}
