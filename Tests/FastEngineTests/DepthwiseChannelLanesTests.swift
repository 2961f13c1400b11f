// The eight-channels-in-lanes depthwise kernels against the plane-at-a-time ones (bit for bit,
// sign of zero included) and against the reference engine.

import XCTest
import TensorCore
import FastEngine
import TestSupport

final class DepthwiseChannelLanesTests: FastEngineTestCase {
    /// Narrow planes the lanes take (W ≤ 8, C % 8 = 0): MobileNetV2's 8 × 8 and 4 × 4, the 64²
    /// variant's 2 × 2, and shapes whose H·W is not a multiple of 8 (the transposes' scalar tails).
    static let cases: [(n: Int, c: Int, h: Int, w: Int, bias: Bool)] = [
        (3, 16, 4, 4, false), (2, 8, 8, 8, true), (2, 24, 2, 2, false), (2, 8, 5, 3, true),
        (1, 16, 7, 8, false), (4, 8, 1, 1, false), (2, 32, 3, 6, false),
    ]

    override func tearDown() {
        FastEngine.useDepthwiseChannelLanes = true
        super.tearDown()
    }

    /// `body` with the lanes, then with the plane-at-a-time kernels.
    func bothPaths<T>(_ body: () -> T) -> (lanes: T, planes: T) {
        FastEngine.useDepthwiseChannelLanes = true
        let a = body()
        FastEngine.useDepthwiseChannelLanes = false
        defer { FastEngine.useDepthwiseChannelLanes = true }
        return (a, body())
    }

    func assertSameBits(_ a: Tensor?, _ b: Tensor?, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        TestSupport.assertSameBits(a?.data ?? [], b?.data ?? [], message, file: file, line: line)
    }

    func testForwardAndBackwardSameBitsAsOnePlaneAtATime() {
        for (i, cs) in Self.cases.enumerated() {
            let x = randn([cs.n, cs.c, cs.h, cs.w], seed: 300 + UInt64(i))
            let w = randn([cs.c, 1, 3, 3], seed: 320 + UInt64(i), std: 0.5)
            let b = cs.bias ? randn([cs.c], seed: 340 + UInt64(i)) : nil
            let config = ConvConfig(stride: 1, padding: 1, groups: cs.c)
            for engine in fastEngines {
                let y = bothPaths { engine.conv2d(x, weight: w, bias: b, config) }
                assertSameBits(y.lanes, y.planes, "forward \(cs), \(engine.threads) threads")
                assertClose(y.lanes, ref.conv2d(x, weight: w, bias: b, config), rtol: 1e-5, atol: 1e-5,
                            "forward \(cs) vs reference")
                let dy = randn(y.lanes.shape, seed: 360 + UInt64(i))
                let g = bothPaths { engine.conv2dBackward(x, weight: w, hasBias: cs.bias, config, dy: dy) }
                assertSameBits(g.lanes.x, g.planes.x, "dx \(cs), \(engine.threads) threads")
                assertSameBits(g.lanes.weight, g.planes.weight, "dW \(cs), \(engine.threads) threads")
                assertSameBits(g.lanes.bias, g.planes.bias, "db \(cs)")
                let r = ref.conv2dBackward(x, weight: w, hasBias: cs.bias, config, dy: dy)
                assertClose(g.lanes.x, r.x, rtol: 1e-4, atol: 1e-5, "dx \(cs) vs reference")
                assertClose(g.lanes.weight, r.weight, rtol: 1e-4, atol: 1e-4, "dW \(cs) vs reference")
            }
        }
    }

    /// Zeros keep their signs as in the plane kernels: a −0 bias plus products that are all −0
    /// (negative taps over +0 inputs and the +0 padding) stays −0; the gradients' sums start from +0.
    func testSignedZerosMatchThePlaneKernels() {
        let config = ConvConfig(stride: 1, padding: 1, groups: 8)
        for side in [4, 8] {
            let count = 8 * side * side
            let x = Tensor(shape: [1, 8, side, side], data: [Float](repeating: 0, count: count))
            let dy = Tensor(shape: [1, 8, side, side], data: (0..<count).map { $0 % 3 == 0 ? 0.0 : -0.0 })
            let w = Tensor(shape: [8, 1, 3, 3], data: (0..<72).map { -0.5 - Float($0 % 5) })
            let b = Tensor(shape: [8], data: [Float](repeating: -0.0, count: 8))
            for engine in fastEngines {
                let y = bothPaths { engine.conv2d(x, weight: w, bias: b, config) }
                XCTAssertTrue(y.lanes.data.allSatisfy { $0 == 0 && $0.sign == .minus }, "−0 bias, −0 products, \(side)²")
                assertSameBits(y.lanes, y.planes, "forward \(side)²")
                let g = bothPaths { engine.conv2dBackward(x, weight: w, hasBias: false, config, dy: dy) }
                assertSameBits(g.lanes.x, g.planes.x, "dx \(side)²")
                assertSameBits(g.lanes.weight, g.planes.weight, "dW \(side)²")
            }
        }
    }

    /// The fused eval batch norm's per-plane epilogue runs on every plane the lanes write.
    func testBatchNormEvalEpilogueSameBits() {
        let x = randn([2, 16, 4, 4], seed: 380), w = randn([16, 1, 3, 3], seed: 381, std: 0.5)
        let gamma = randn([16], seed: 382), beta = randn([16], seed: 383), mean = randn([16], seed: 384)
        let variance = Tensor(shape: [16], data: (0..<16).map { 0.5 + Float($0) / 16 })
        let config = ConvConfig(stride: 1, padding: 1, groups: 16)
        for engine in fastEngines {
            let y = bothPaths {
                engine.conv2dBatchNormEval(x, weight: w, bias: nil, config, gamma: gamma, beta: beta, runningMean: mean,
                                           runningVar: variance, eps: 1e-5, activation: .relu6)
            }
            assertSameBits(y.lanes, y.planes, "conv + eval batch norm + relu6")
        }
    }
}
