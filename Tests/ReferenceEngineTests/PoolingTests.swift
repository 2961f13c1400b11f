// Reference pooling: ties, −∞ padding, count_include_pad, adaptive bins; gradient checks.

import XCTest
import TensorCore
import ReferenceEngine
import TestSupport

final class PoolingTests: XCTestCase {
    let ref = ReferenceEngine()

    func testMaxPoolPicksFirstMaximumOnTies() {
        let x = Tensor(shape: [1, 1, 2, 4], data: [1, 3, 2, 2,
                                                    3, 0, 2, 2])
        let (y, idx) = ref.maxPool2d(x, PoolConfig(kernel: 2))
        XCTAssertEqual(y.data, [3, 2])
        XCTAssertEqual(idx, [1, 2])
        let dx = ref.maxPool2dBackward(inputShape: x.shape, indices: idx, dy: Tensor(shape: [1, 1, 1, 2], data: [10, 20]))
        XCTAssertEqual(dx.data, [0, 10, 20, 0, 0, 0, 0, 0])
    }

    func testMaxPoolPaddingIsMinusInfinity() {
        let x = Tensor(shape: [1, 1, 2, 2], data: [-1, -2, -3, -4])
        let (y, idx) = ref.maxPool2d(x, PoolConfig(kernel: 2, stride: 1, padding: 1))
        XCTAssertEqual(y.data, [-1, -1, -2, -1, -1, -2, -3, -3, -4])
        XCTAssertEqual(idx, [0, 0, 1, 0, 0, 1, 2, 2, 3])
    }

    func testAvgPoolCountsPadding() {
        let x = Tensor(repeating: 1, shape: [1, 1, 2, 2])
        let y = ref.avgPool2d(x, PoolConfig(kernel: 2, stride: 1, padding: 1))
        XCTAssertEqual(y.data, [0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25])
        // Floor mode: 5×5 with kernel 2 gives 2×2, the last row and column unused.
        let x5 = Tensor(shape: [1, 1, 5, 5], data: (0..<25).map(Float.init))
        XCTAssertEqual(ref.avgPool2d(x5, PoolConfig(kernel: 2)).data, [3, 5, 13, 15])
    }

    func testAdaptiveBinsOverlapWhenNotDividing() {
        let x = Tensor(shape: [1, 1, 1, 5], data: [1, 2, 3, 4, 5])
        // Bins of 5 → 3: [0, 2), [1, 4), [3, 5).
        XCTAssertEqual(ref.adaptiveAvgPool2d(x, outH: 1, outW: 3).data, [1.5, 3, 4.5])
        XCTAssertEqual(ref.adaptiveAvgPool2d(x, outH: 1, outW: 1).data, [3])
        let dx = ref.adaptiveAvgPool2dBackward(inputShape: x.shape, dy: Tensor(shape: [1, 1, 1, 3], data: [6, 6, 6]))
        XCTAssertEqual(dx.data, [3, 5, 2, 5, 3])
    }

    private func checkMax(_ shape: [Int], _ cfg: PoolConfig, seed: UInt64, line: UInt = #line) {
        var rng = SeededRNG(seed: seed)
        // Distinct values 0.05 apart: a ±1e-2 perturbation never changes which element wins.
        let x = GradCheck.distinctValues(shape, gap: 0.05, rng: &rng)
        let ref = self.ref
        checkGradient(of: { ref.maxPool2d($0[0], cfg).y }, inputs: [x], names: ["x"], analytic: { t, dy in
            [ref.maxPool2dBackward(inputShape: t[0].shape, indices: ref.maxPool2d(t[0], cfg).indices, dy: dy)]
        }, seed: seed, line: line)
    }

    func testMaxPoolGradientK2S2OddSize() { checkMax([2, 2, 5, 5], PoolConfig(kernel: 2), seed: 31) }
    func testMaxPoolGradientK3S2P1() { checkMax([2, 2, 6, 6], PoolConfig(kernel: 3, stride: 2, padding: 1), seed: 32) }

    private func checkAvg(_ shape: [Int], _ cfg: PoolConfig, seed: UInt64, line: UInt = #line) {
        var rng = SeededRNG(seed: seed)
        let ref = self.ref
        checkGradient(of: { ref.avgPool2d($0[0], cfg) }, inputs: [Tensor.randn(shape, rng: &rng)], names: ["x"],
                      analytic: { t, dy in [ref.avgPool2dBackward(inputShape: t[0].shape, cfg, dy: dy)] },
                      seed: seed, line: line)
    }

    func testAvgPoolGradientK2S2() { checkAvg([2, 2, 5, 5], PoolConfig(kernel: 2), seed: 33) }
    func testAvgPoolGradientK3S2P1() { checkAvg([2, 2, 6, 5], PoolConfig(kernel: 3, stride: 2, padding: 1), seed: 34) }

    private func checkAdaptive(_ shape: [Int], _ oh: Int, _ ow: Int, seed: UInt64, line: UInt = #line) {
        var rng = SeededRNG(seed: seed)
        let ref = self.ref
        checkGradient(of: { ref.adaptiveAvgPool2d($0[0], outH: oh, outW: ow) },
                      inputs: [Tensor.randn(shape, rng: &rng)], names: ["x"],
                      analytic: { t, dy in [ref.adaptiveAvgPool2dBackward(inputShape: t[0].shape, dy: dy)] },
                      seed: seed, line: line)
    }

    func testAdaptiveGradientGlobal() { checkAdaptive([2, 3, 4, 4], 1, 1, seed: 35) }
    func testAdaptiveGradient5To3() { checkAdaptive([2, 2, 5, 5], 3, 3, seed: 36) }
    func testAdaptiveGradientUpsample3To5() { checkAdaptive([1, 2, 3, 4], 5, 3, seed: 37) }
}
