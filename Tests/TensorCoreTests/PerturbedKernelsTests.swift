// PerturbedKernels: contraction outputs move by at most ε/2 relative, deterministically per seed;
// every other op is forwarded untouched.

import XCTest
import TensorCore
import ReferenceEngine
import TestSupport

final class PerturbedKernelsTests: XCTestCase {
    let base = ReferenceEngine()

    func randn(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededRNG(seed: seed)
        return Tensor.randn(shape, rng: &rng)
    }

    func maxRelativeChange(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.data, b.data).map { abs($0 - $1) / max(abs($1), 1e-30) }.max() ?? 0
    }

    func testContractionsMoveByAtMostHalfEpsilonAndDoMove() {
        let x = randn([2, 3, 6, 6], seed: 1), w = randn([4, 3, 3, 3], seed: 2), dy = randn([2, 4, 6, 6], seed: 3)
        let config = ConvConfig(stride: 1, padding: 1)
        let eps: Float = 1e-3
        let p = PerturbedKernels(base, relative: eps, seed: 7)
        let y0 = base.conv2d(x, weight: w, bias: nil, config), y1 = p.conv2d(x, weight: w, bias: nil, config)
        let change = maxRelativeChange(y1, y0)
        XCTAssertLessThanOrEqual(change, eps / 2 * 1.001)
        XCTAssertGreaterThan(change, eps / 4, "a perturbation that never reaches ε/4 is not ε")
        let g0 = base.conv2dBackward(x, weight: w, hasBias: false, config, dy: dy)
        let g1 = p.conv2dBackward(x, weight: w, hasBias: false, config, dy: dy)
        XCTAssertGreaterThan(maxRelativeChange(g1.x, g0.x), 0)
        XCTAssertLessThanOrEqual(maxRelativeChange(g1.weight, g0.weight), eps / 2 * 1.001)
        let lx = randn([3, 5], seed: 4), lw = randn([2, 5], seed: 5), lb = randn([2], seed: 6)
        XCTAssertNotEqual(p.linear(lx, weight: lw, bias: lb), base.linear(lx, weight: lw, bias: lb))
    }

    func testSameSeedSameBitsOtherSeedOtherBits() {
        let x = randn([2, 3, 5, 5], seed: 1), w = randn([4, 3, 3, 3], seed: 2)
        let config = ConvConfig(stride: 2, padding: 1)
        let a = PerturbedKernels(base, relative: 1e-6, seed: 1).conv2d(x, weight: w, bias: nil, config)
        let b = PerturbedKernels(base, relative: 1e-6, seed: 1).conv2d(x, weight: w, bias: nil, config)
        let c = PerturbedKernels(base, relative: 1e-6, seed: 2).conv2d(x, weight: w, bias: nil, config)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
    }

    func testZeroEpsilonAndNonContractionsAreExact() {
        let x = randn([2, 3, 4, 4], seed: 1), w = randn([4, 3, 1, 1], seed: 2)
        let config = ConvConfig()
        XCTAssertEqual(PerturbedKernels(base, relative: 0).conv2d(x, weight: w, bias: nil, config),
                       base.conv2d(x, weight: w, bias: nil, config))
        let p = PerturbedKernels(base, relative: 1e-3, seed: 3)
        let gamma = Tensor(repeating: 1, shape: [3]), beta = Tensor(zeros: [3])
        XCTAssertEqual(p.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5).y,
                       base.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5).y)
        XCTAssertEqual(p.relu6(x), base.relu6(x))
        XCTAssertEqual(p.name, "reference+perturbed(0.001)")
    }
}
