// Convolution (im2col + GEMM and depthwise) against the reference, forward and every gradient.

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import TestSupport

final class FastEngineConvTests: FastEngineTestCase {
    struct Case: CustomStringConvertible {
        var n, c, h, w, o, k, stride, pad, groups: Int
        var bias: Bool
        var description: String {
            "x[\(n),\(c),\(h),\(w)] o\(o) k\(k) s\(stride) p\(pad) g\(groups)\(bias ? " bias" : "")"
        }
    }

    static let cases: [Case] = [
        Case(n: 1, c: 3, h: 7, w: 9, o: 5, k: 3, stride: 1, pad: 1, groups: 1, bias: true),
        Case(n: 9, c: 4, h: 7, w: 9, o: 6, k: 3, stride: 2, pad: 1, groups: 2, bias: true),
        Case(n: 2, c: 6, h: 8, w: 8, o: 10, k: 1, stride: 1, pad: 0, groups: 1, bias: false),   // pointwise, no im2col
        Case(n: 2, c: 6, h: 7, w: 5, o: 9, k: 1, stride: 1, pad: 0, groups: 3, bias: true),     // grouped pointwise
        Case(n: 3, c: 6, h: 9, w: 7, o: 6, k: 1, stride: 2, pad: 0, groups: 1, bias: true),     // 1×1 shortcut
        Case(n: 2, c: 3, h: 11, w: 13, o: 7, k: 7, stride: 2, pad: 3, groups: 1, bias: true),   // ImageNet stem
        Case(n: 2, c: 4, h: 5, w: 6, o: 4, k: 3, stride: 1, pad: 0, groups: 1, bias: false),
        Case(n: 1, c: 2, h: 3, w: 3, o: 3, k: 3, stride: 1, pad: 2, groups: 1, bias: true),     // rows of pure padding
        Case(n: 9, c: 8, h: 12, w: 10, o: 12, k: 3, stride: 1, pad: 1, groups: 1, bias: false), // split over threads
        Case(n: 9, c: 5, h: 7, w: 9, o: 5, k: 3, stride: 1, pad: 1, groups: 5, bias: true),     // depthwise
        Case(n: 2, c: 6, h: 8, w: 7, o: 6, k: 3, stride: 2, pad: 1, groups: 6, bias: false),    // depthwise stride 2
        // depthwise stride 2 on rows of ≥ 16 columns (the 16-lane column split), even and odd padding
        Case(n: 2, c: 3, h: 32, w: 32, o: 3, k: 3, stride: 2, pad: 1, groups: 3, bias: false),
        Case(n: 2, c: 2, h: 7, w: 37, o: 2, k: 5, stride: 2, pad: 2, groups: 2, bias: true),
        Case(n: 1, c: 2, h: 6, w: 17, o: 2, k: 3, stride: 2, pad: 0, groups: 2, bias: false),
        Case(n: 2, c: 4, h: 6, w: 6, o: 4, k: 5, stride: 1, pad: 2, groups: 4, bias: true),     // depthwise 5×5
        Case(n: 9, c: 16, h: 15, w: 13, o: 16, k: 3, stride: 1, pad: 1, groups: 16, bias: true), // depthwise, threads
        // depthwise, large: 64 images × 7 channels of 32×32
        Case(n: 64, c: 7, h: 32, w: 32, o: 7, k: 3, stride: 1, pad: 1, groups: 7, bias: false),
        Case(n: 2, c: 4, h: 6, w: 6, o: 8, k: 3, stride: 1, pad: 1, groups: 4, bias: true),     // channel multiplier 2
        // AW-conv shape: one image, groups = batch (split over groups, not images)
        Case(n: 1, c: 24, h: 7, w: 9, o: 16, k: 3, stride: 1, pad: 1, groups: 8, bias: false),
        Case(n: 1, c: 24, h: 9, w: 6, o: 40, k: 3, stride: 2, pad: 1, groups: 8, bias: true),
        Case(n: 3, c: 9, h: 6, w: 5, o: 6, k: 1, stride: 1, pad: 0, groups: 3, bias: false),     // 3 groups, 2 threads
        // depthwise stride 1: widths around the SIMD8 width, padding 0 and k − 1, 5×5
        Case(n: 3, c: 7, h: 5, w: 17, o: 7, k: 3, stride: 1, pad: 0, groups: 7, bias: false),
        Case(n: 2, c: 3, h: 4, w: 8, o: 3, k: 3, stride: 1, pad: 2, groups: 3, bias: true),
        Case(n: 2, c: 5, h: 9, w: 1, o: 5, k: 3, stride: 1, pad: 1, groups: 5, bias: true),
        Case(n: 3, c: 6, h: 11, w: 23, o: 6, k: 5, stride: 1, pad: 2, groups: 6, bias: false),
        Case(n: 2, c: 4, h: 6, w: 9, o: 4, k: 3, stride: 1, pad: 3, groups: 4, bias: true),       // pad ≥ k: row loops
        Case(n: 2, c: 4, h: 5, w: 7, o: 4, k: 1, stride: 1, pad: 0, groups: 4, bias: true),       // depthwise 1×1
        // depthwise stride ≥ 2 (column phases): odd sizes, 5×5, stride 3, even kernel
        Case(n: 3, c: 5, h: 13, w: 19, o: 5, k: 3, stride: 2, pad: 1, groups: 5, bias: true),
        Case(n: 2, c: 3, h: 9, w: 11, o: 3, k: 5, stride: 2, pad: 2, groups: 3, bias: false),
        Case(n: 2, c: 4, h: 10, w: 35, o: 4, k: 3, stride: 3, pad: 0, groups: 4, bias: true),
        Case(n: 9, c: 16, h: 5, w: 6, o: 16, k: 2, stride: 2, pad: 1, groups: 16, bias: true),
        // small maps: several images per GEMM (chunks of 8 and 4 with partial tails)
        Case(n: 19, c: 5, h: 4, w: 4, o: 7, k: 3, stride: 1, pad: 1, groups: 1, bias: true),
        Case(n: 11, c: 6, h: 3, w: 5, o: 5, k: 1, stride: 2, pad: 0, groups: 1, bias: false),     // 1×1 stride 2: im2col
        Case(n: 7, c: 4, h: 9, w: 7, o: 6, k: 3, stride: 2, pad: 1, groups: 1, bias: false),
        // direct 3×3 (stride 1, pad 1, W % 8 = 0): O not a multiple of 4, one vector per row
        // (row pairs), an odd slot count (last slot alone), pairs across rows, thread split
        Case(n: 3, c: 5, h: 8, w: 8, o: 6, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
        Case(n: 2, c: 3, h: 5, w: 16, o: 4, k: 3, stride: 1, pad: 1, groups: 1, bias: true),
        Case(n: 2, c: 7, h: 3, w: 8, o: 9, k: 3, stride: 1, pad: 1, groups: 1, bias: true),
        Case(n: 2, c: 4, h: 7, w: 24, o: 5, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
        Case(n: 5, c: 16, h: 32, w: 32, o: 16, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
        // one image, ≥ 2 blocks of 16 output channels: the channels split over threads (a remainder of 8)
        Case(n: 1, c: 64, h: 16, w: 16, o: 48, k: 3, stride: 1, pad: 1, groups: 1, bias: true),
        Case(n: 1, c: 128, h: 8, w: 8, o: 72, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
        Case(n: 1, c: 256, h: 16, w: 16, o: 64, k: 1, stride: 1, pad: 0, groups: 1, bias: false),
    ]

    /// These cases check the direct and im2col + GEMM paths; Winograd has its own tests
    /// (`FastEngineWinogradTests`, with its own tolerance) on the same shapes.
    override func setUp() {
        super.setUp()
        FastEngine.useWinograd3x3 = false
    }

    override func tearDown() {
        FastEngine.useWinograd3x3 = true
        super.tearDown()
    }

    func testConvForwardMatchesReference() {
        checkForward()
    }

    func testConvBackwardMatchesReference() {
        checkBackward()
    }

    /// The depthwise backward splits channels over threads and each channel's dW sums its images in
    /// order, so 1 and 2 threads give the same bits (reproducible at any thread count).
    func testDepthwiseBackwardBitsDoNotDependOnThreads() {
        let x = randn([64, 7, 32, 32], seed: 90), w = randn([7, 1, 3, 3], seed: 91)
        let dy = randn([64, 7, 32, 32], seed: 92)
        let config = ConvConfig(stride: 1, padding: 1, groups: 7)
        let grads = fastEngines.map { $0.conv2dBackward(x, weight: w, hasBias: true, config, dy: dy) }
        XCTAssertEqual(fastEngines.map(\.threads), [1, 2])
        XCTAssertEqual(grads[0].x.data, grads[1].x.data)
        XCTAssertEqual(grads[0].weight.data, grads[1].weight.data)
        XCTAssertEqual(grads[0].bias?.data, grads[1].bias?.data)
    }

    /// One image (batch-1 inference) splits its output channels over the threads, each block the same
    /// dot products: 1 and 2 threads give the same bits, forward and through the eval batch norm.
    func testOneImageForwardBitsDoNotDependOnThreads() {
        FastEngine.useDirectConv3x3 = false
        defer { FastEngine.useDirectConv3x3 = true }
        XCTAssertEqual(fastEngines.map(\.threads), [1, 2])
        for (i, (k, pad, o)) in [(3, 1, 40), (1, 0, 256), (3, 1, 128)].enumerated() {
            let x = randn([1, 64, 16, 16], seed: 93 + UInt64(i)), w = randn([o, 64, k, k], seed: 96 + UInt64(i))
            let config = ConvConfig(stride: 1, padding: pad, groups: 1)
            let ys = fastEngines.map { $0.conv2d(x, weight: w, bias: nil, config) }
            XCTAssertEqual(ys[0].data, ys[1].data, "k \(k) O \(o)")
            let (gamma, beta) = (randn([o], seed: 99), randn([o], seed: 100))
            let (mean, variance) = (randn([o], seed: 101), Tensor(shape: [o], data: (0..<o).map { 0.5 + Float($0) / Float(o) }))
            let bn = fastEngines.map {
                $0.conv2dBatchNormEval(x, weight: w, bias: nil, config, gamma: gamma, beta: beta, runningMean: mean,
                                       runningVar: variance, eps: 1e-5, activation: .relu)
            }
            XCTAssertEqual(bn[0].data, bn[1].data, "k \(k) O \(o), with the batch norm")
            XCTAssertTrue(ys[1].data.contains { $0 != 0 }, "k \(k) O \(o): nothing computed")
        }
    }

    /// The same comparisons with the direct 3×3 kernel off: the im2col + GEMM path on those shapes.
    func testGEMMPathMatchesReferenceOnDirectShapes() {
        FastEngine.useDirectConv3x3 = false
        defer { FastEngine.useDirectConv3x3 = true }
        checkForward()
        checkBackward()
    }

    /// Gradient check of the direct kernel (forward and input gradient) on its own shapes.
    func testDirectConvGradientsPassNumericalCheck() {
        checkGradients(Array(Self.cases.suffix(4).prefix(3)), seed: 8)
    }

    func checkForward() {
        for (i, cs) in Self.cases.enumerated() {
            let (x, w, b) = inputs(cs, seed: UInt64(i))
            let config = ConvConfig(stride: cs.stride, padding: cs.pad, groups: cs.groups)
            let expected = ref.conv2d(x, weight: w, bias: b, config)
            for fast in fastEngines {
                assertClose(fast.conv2d(x, weight: w, bias: b, config), expected, rtol: 1e-4, atol: 1e-4,
                            "\(cs) threads \(fast.threads)")
            }
        }
    }

    func checkBackward() {
        for (i, cs) in Self.cases.enumerated() {
            let (x, w, _) = inputs(cs, seed: UInt64(100 + i))
            let config = ConvConfig(stride: cs.stride, padding: cs.pad, groups: cs.groups)
            let ho = config.outputSize(cs.h, kernel: cs.k), wo = config.outputSize(cs.w, kernel: cs.k)
            let dy = randn([cs.n, cs.o, ho, wo], seed: UInt64(200 + i))
            let expected = ref.conv2dBackward(x, weight: w, hasBias: cs.bias, config, dy: dy)
            for fast in fastEngines {
                let got = fast.conv2dBackward(x, weight: w, hasBias: cs.bias, config, dy: dy)
                let tag = "\(cs) threads \(fast.threads)"
                assertClose(got.x, expected.x, rtol: 1e-4, atol: 1e-4, "dx \(tag)")
                assertClose(got.weight, expected.weight, rtol: 1e-4, atol: 1e-4, "dw \(tag)")
                XCTAssertEqual(got.bias == nil, !cs.bias, "bias presence \(tag)")
                if let gb = got.bias, let eb = expected.bias { assertClose(gb, eb, rtol: 1e-4, atol: 1e-4, "db \(tag)") }
            }
        }
    }

    func testConvGradientsPassNumericalCheck() {
        checkGradients([Self.cases[1], Self.cases[10], Self.cases[15], Self.cases[18], Self.cases[25]], seed: 7)
    }

    /// Numerical check of dx, dW and db of the fast engine (2 threads) on `cases`.
    func checkGradients(_ cases: [Case], seed: UInt64) {
        let fast = FastEngine(threads: 2)
        for cs in cases {
            let (x, w, b) = inputs(cs, seed: seed)
            let config = ConvConfig(stride: cs.stride, padding: cs.pad, groups: cs.groups)
            checkGradient(of: { t in fast.conv2d(t[0], weight: t[1], bias: cs.bias ? t[2] : nil, config) },
                          inputs: [x, w, b ?? Tensor(zeros: [cs.o])], names: ["x", "w", "b"],
                          analytic: { t, r in
                              let g = fast.conv2dBackward(t[0], weight: t[1], hasBias: cs.bias, config, dy: r)
                              return [g.x, g.weight, g.bias]
                          }, "\(cs)")
        }
    }

    func inputs(_ cs: Case, seed: UInt64) -> (Tensor, Tensor, Tensor?) {
        let x = randn([cs.n, cs.c, cs.h, cs.w], seed: seed)
        let w = randn([cs.o, cs.c / cs.groups, cs.k, cs.k], seed: seed &+ 1000, std: 0.5)
        let b = cs.bias ? randn([cs.o], seed: seed &+ 2000) : nil
        return (x, w, b)
    }
}
