// VectorExponential against Double-precision e^x: within 1 ulp of the rounded true value on the AW
// gates' range and the clamped ends, and exact where it must be (e^0 = 1).

import XCTest
import Foundation
import ZhuAttention

final class VectorExponentialTests: XCTestCase {
    /// Every 1/64 from −87 to 88 plus random points: |ours − e^x| ≤ 1 ulp(e^x).
    func testWithinTwoULPOfTheTrueValue() {
        var xs = stride(from: -87.0, through: 88.0, by: 1.0 / 64).map { Float($0) }
        var rng = SystemRandomNumberGenerator()
        xs += (0..<20_000).map { _ in Float.random(in: -87...88, using: &rng) }
        xs += [0, -0.0, 1e-8, -1e-8, 0.5 * 0.693_147_2, -0.5 * 0.693_147_2, 40, -40]
        var worst: Float = 0, at: Float = 0
        for start in stride(from: 0, to: xs.count, by: 8) {
            var v = SIMD8<Float>()
            let lanes = min(8, xs.count - start)
            for l in 0..<lanes { v[l] = xs[start + l] }
            let e = VectorExponential.exp(v)
            for l in 0..<lanes {
                let truth = Float(Foundation.exp(Double(v[l])))
                let ulps = abs(e[l] - truth) / truth.ulp
                if ulps > worst { worst = ulps; at = v[l] }
            }
        }
        XCTAssertLessThanOrEqual(worst, 1, "worst \(worst) ulp at x = \(at)")
    }

    func testExactAtZeroAndClampedOutside() {
        let e = VectorExponential.exp(SIMD8(0, -0.0, 200, -200, .infinity, -.infinity, 88, -87))
        XCTAssertEqual(e[0], 1); XCTAssertEqual(e[1], 1)
        XCTAssertEqual(e[2], e[6], "above 88 clamps to e^88"); XCTAssertEqual(e[3], e[7], "below −87 clamps to e^−87")
        XCTAssertEqual(e[4], e[6]); XCTAssertEqual(e[5], e[7])
        XCTAssertTrue(e[6].isFinite && e[7].isNormal, "\(e)")
    }
}
