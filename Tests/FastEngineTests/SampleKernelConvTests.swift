// The fused per-image-kernel convolution against the reference engine's grouped-convolution
// specification, and the specification against one plain convolution per image.

import XCTest
import Foundation
import TensorCore
import ReferenceEngine
import FastEngine
import TestSupport

/// Explicit kernels W [N, O, C, k, k]; records every ∂L/∂W_n it is handed.
final class StoredSampleKernels: SampleKernels {
    let weights: Tensor
    private(set) var gradients: [Float]
    private(set) var sharesSeen = Set<Int>()
    private let lock = NSLock()
    var count: Int { weights.shape[0] }
    var kernelShape: [Int] { Array(weights.shape.dropFirst()) }
    private var per: Int { kernelShape.reduce(1, *) }

    init(_ weights: Tensor) {
        self.weights = weights
        gradients = [Float](repeating: .nan, count: weights.count)
    }

    func write(sample n: Int, into w: UnsafeMutablePointer<Float>) {
        for i in 0..<per { w[i] = weights.data[n * per + i] }
    }
    func beginBackward(shares: Int) {
        gradients = [Float](repeating: .nan, count: weights.count)
        sharesSeen = []
    }
    func weightGradient(sample n: Int, share: Int, _ dW: UnsafePointer<Float>) {
        lock.lock(); defer { lock.unlock() }
        sharesSeen.insert(share)
        for i in 0..<per { gradients[n * per + i] = dW[i] }
    }
    var gradientTensor: Tensor { Tensor(shape: weights.shape, data: gradients) }
}

final class SampleKernelConvTests: FastEngineTestCase {
    /// (N, C, O, H, W, k, stride, padding): odd sizes, stride 2, no padding, pointwise, a
    /// 4×4 map as in the AW-conv teacher's last stage, and widths of 8 and 16 at stride 1
    /// (the direct 3×3 kernel's shapes).
    private let cases: [(Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (3, 5, 7, 9, 7, 3, 1, 1), (4, 6, 4, 8, 8, 3, 2, 1), (2, 8, 5, 6, 5, 3, 1, 0),
        (3, 6, 9, 5, 5, 1, 1, 0), (5, 16, 12, 4, 4, 3, 1, 1), (2, 4, 3, 7, 6, 1, 2, 0),
        (3, 6, 5, 8, 16, 3, 1, 1), (4, 5, 6, 8, 8, 3, 1, 1),
    ]

    func testFusedEqualsTheGroupedSpecification() {
        for (i, (n, c, o, h, w, k, s, p)) in cases.enumerated() {
            let config = ConvConfig(stride: s, padding: p)
            let x = randn([n, c, h, w], seed: 10 + UInt64(i))
            let weights = randn([n, o, c, k, k], seed: 20 + UInt64(i))
            let refKernels = StoredSampleKernels(weights)
            let y = ref.sampleKernelConv2d(x, kernels: refKernels, config)
            let dy = randn(y.shape, seed: 30 + UInt64(i))
            let dx = ref.sampleKernelConv2dBackward(x, kernels: refKernels, config, dy: dy)
            for engine in fastEngines {
                let kernels = StoredSampleKernels(weights)
                let label = "case \(i) threads \(engine.threads)"
                assertClose(engine.sampleKernelConv2d(x, kernels: kernels, config), y, rtol: 1e-4, atol: 1e-5, label)
                assertClose(engine.sampleKernelConv2dBackward(x, kernels: kernels, config, dy: dy), dx,
                            rtol: 1e-4, atol: 1e-5, label)
                assertClose(kernels.gradientTensor, refKernels.gradientTensor, rtol: 1e-4, atol: 1e-4, label)
            }
        }
    }

    /// The per-image Winograd kernels (`SampleKernelWinograd`) against the specification: whole
    /// and clipped tiles, channel counts off the 4 / 8 / 16 blocks, 1 to 64 tiles an image. With
    /// Winograd off the same calls take the direct or GEMM path, whose bits differ: the switch
    /// really selects the Winograd kernels.
    func testWinogradPathMatchesTheGroupedSpecification() {
        let cases: [(Int, Int, Int, Int, Int)] = [   // N, C, O, H, W
            (3, 5, 7, 9, 7), (2, 6, 9, 8, 16), (3, 16, 16, 16, 16), (2, 20, 12, 12, 20), (2, 4, 33, 32, 32),
            (2, 13, 4, 4, 4),
        ]
        let saved = FastEngine.sampleKernelWinogradMinimumTiles
        FastEngine.sampleKernelWinogradMinimumTiles = 1
        defer { FastEngine.sampleKernelWinogradMinimumTiles = saved; FastEngine.useWinograd3x3 = true }
        let config = ConvConfig(stride: 1, padding: 1)
        for (i, (n, c, o, h, w)) in cases.enumerated() {
            let x = randn([n, c, h, w], seed: 40 + UInt64(i))
            let weights = randn([n, o, c, 3, 3], seed: 50 + UInt64(i))
            let refKernels = StoredSampleKernels(weights)
            let y = ref.sampleKernelConv2d(x, kernels: refKernels, config)
            let dy = randn(y.shape, seed: 60 + UInt64(i))
            let dx = ref.sampleKernelConv2dBackward(x, kernels: refKernels, config, dy: dy)
            for engine in fastEngines {
                let label = "Winograd case \(i) threads \(engine.threads)"
                var results = [[Float]]()
                for winograd in [true, false] {
                    FastEngine.useWinograd3x3 = winograd
                    let kernels = StoredSampleKernels(weights)
                    let yf = engine.sampleKernelConv2d(x, kernels: kernels, config)
                    let dxf = engine.sampleKernelConv2dBackward(x, kernels: kernels, config, dy: dy)
                    // NOTE: Winograd's error follows the size of the whole sum (see
                    // FastEngineWinogradTests.assertWinogradClose): atol relative to the largest entry.
                    for (got, expected) in [(yf, y), (dxf, dx), (kernels.gradientTensor, refKernels.gradientTensor)] {
                        let scale = expected.data.reduce(Float(0)) { max($0, abs($1)) }
                        assertClose(got, expected, rtol: 1e-4, atol: 2e-5 * max(scale, 1), label)
                    }
                    results.append(yf.data + dxf.data + kernels.gradients)
                }
                XCTAssertNotEqual(results[0], results[1], "\(label): Winograd on and off took the same path")
            }
        }
    }

    /// The specification itself: y_n, dx_n and dW_n equal one plain convolution of image n
    /// with W_n (the reference engine's conv2d, groups = 1).
    func testSpecificationIsOneConvolutionPerImage() {
        let (n, c, o, h, w) = (3, 4, 5, 6, 7)
        let config = ConvConfig(stride: 2, padding: 1)
        let x = randn([n, c, h, w], seed: 1)
        let weights = randn([n, o, c, 3, 3], seed: 2)
        let kernels = StoredSampleKernels(weights)
        let y = ref.sampleKernelConv2d(x, kernels: kernels, config)
        let dy = randn(y.shape, seed: 3)
        let dx = ref.sampleKernelConv2dBackward(x, kernels: kernels, config, dy: dy)
        XCTAssertEqual(kernels.sharesSeen, [0])
        let perX = c * h * w, perW = o * c * 9, perY = y.count / n
        for s in 0..<n {
            let xs = Tensor(shape: [1, c, h, w], data: Array(x.data[(s * perX)..<((s + 1) * perX)]))
            let ws = Tensor(shape: [o, c, 3, 3], data: Array(weights.data[(s * perW)..<((s + 1) * perW)]))
            let dys = Tensor(shape: [1, o, y.shape[2], y.shape[3]], data: Array(dy.data[(s * perY)..<((s + 1) * perY)]))
            let ys = ref.conv2d(xs, weight: ws, bias: nil, config)
            let g = ref.conv2dBackward(xs, weight: ws, hasBias: false, config, dy: dys)
            XCTAssertEqual(Array(y.data[(s * perY)..<((s + 1) * perY)]), ys.data, "image \(s)")
            XCTAssertEqual(Array(dx.data[(s * perX)..<((s + 1) * perX)]), g.x.data, "image \(s)")
            XCTAssertEqual(Array(kernels.gradients[(s * perW)..<((s + 1) * perW)]), g.weight.data, "image \(s)")
        }
    }

    /// Two threads hand out two shares; one thread one.
    func testSharesFollowTheThreads() {
        let x = randn([4, 16, 8, 8], seed: 5)
        let weights = randn([4, 32, 16, 3, 3], seed: 6)
        for engine in fastEngines {
            let kernels = StoredSampleKernels(weights)
            let y = engine.sampleKernelConv2d(x, kernels: kernels, ConvConfig(stride: 1, padding: 1))
            _ = engine.sampleKernelConv2dBackward(x, kernels: kernels, ConvConfig(stride: 1, padding: 1), dy: y)
            XCTAssertEqual(kernels.sharesSeen, Set(0..<engine.threads))
        }
    }
}
