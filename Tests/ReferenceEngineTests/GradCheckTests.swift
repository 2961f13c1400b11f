// Tests of the gradient checker itself: it must catch wrong gradients, not only pass right ones.

import XCTest
import TensorCore
import TestSupport

final class GradCheckTests: XCTestCase {
    /// y = x² elementwise: dL/dx = 2·x·r.
    private func square(_ xs: [Tensor]) -> Tensor { xs[0] * xs[0] }

    func testAcceptsCorrectGradient() {
        var rng = SeededRNG(seed: 3)
        let x = Tensor.randn([3, 4], rng: &rng)
        let r = gradientCheck(of: square, inputs: [x], names: ["x"]) { xs, up in [xs[0] * up * 2] }
        XCTAssertTrue(r.passed, "\(r)")
        XCTAssertEqual(r.checked, 12)
    }

    func testCatchesWrongGradientAndNamesTheElement() {
        var rng = SeededRNG(seed: 3)
        let x = Tensor.randn([3, 4], rng: &rng)
        // Off by a factor: x·r instead of 2·x·r.
        let r = gradientCheck(of: square, inputs: [x], names: ["x"]) { xs, up in [xs[0] * up] }
        XCTAssertFalse(r.passed)
        XCTAssertEqual(r.mismatches.count, 12)
        XCTAssertEqual(r.mismatches.first?.input, "x")
        XCTAssert(r.description.contains("x[0]"), r.description)
    }

    func testCatchesGradientOfSumInsteadOfRandomUpstream() {
        // The gradient of Σ y (ignoring the upstream) is wrong for a random upstream.
        var rng = SeededRNG(seed: 5)
        let x = Tensor.randn([6], rng: &rng)
        let r = gradientCheck(of: square, inputs: [x], names: ["x"]) { xs, _ in [xs[0] * 2] }
        XCTAssertFalse(r.passed)
    }

    func testCatchesSingleWrongElementAndShape() {
        var rng = SeededRNG(seed: 7)
        let x = Tensor.randn([5], rng: &rng)
        let r = gradientCheck(of: square, inputs: [x], names: ["x"]) { xs, up in
            var g = xs[0] * up * 2
            g.data[3] += 0.5
            return [g]
        }
        XCTAssertEqual(r.mismatches.map(\.index), [3])
        let bad = gradientCheck(of: square, inputs: [x], names: ["x"]) { _, _ in [Tensor(zeros: [4])] }
        XCTAssertFalse(bad.passed)
        XCTAssertEqual(bad.errors.count, 1)
    }

    func testSubsetAndSkipCounts() {
        var rng = SeededRNG(seed: 9)
        let x = Tensor.randn([500], rng: &rng)
        let r = gradientCheck(of: square, inputs: [x], names: ["x"], analytic: { xs, up in [xs[0] * up * 2] },
                              maxElements: 50, skip: { _, i in i % 2 == 0 })
        XCTAssertTrue(r.passed, "\(r)")
        XCTAssertEqual(r.checked + r.skipped, 50)
        XCTAssertGreaterThan(r.skipped, 0)
    }

    func testKinkHelpers() {
        let x = Tensor(shape: [4], data: [-0.001, 0.002, 5.999, 3])
        let moved = GradCheck.awayFromKinks(x, kinks: [0, 6], margin: 0.05)
        XCTAssertEqual(moved.data, [-0.05, 0.05, 5.95, 3])
        var rng = SeededRNG(seed: 1)
        let d = GradCheck.distinctValues([2, 3], gap: 0.1, rng: &rng)
        let sorted = d.data.sorted()
        for i in 1..<sorted.count { XCTAssertGreaterThan(sorted[i] - sorted[i - 1], 0.099) }
        let skip = GradCheck.skipNear([0], of: x, margin: 0.01)
        XCTAssertTrue(skip(0, 0))
        XCTAssertFalse(skip(0, 3))
        XCTAssertFalse(skip(1, 0))
    }
}
