// HintonKD: values against a naive Double implementation, gradients by central
// differences, and the properties the paper states (T² scaling, eq. 2, eq. 4).

import XCTest
import Foundation
import TensorCore
import TestSupport
import HintonKD

final class HintonKDTests: XCTestCase {
    /// Naive softmax(z/T) rows in Double (no max subtraction: inputs stay small).
    func naiveSoftmax(_ z: Tensor, _ t: Double) -> [[Double]] {
        let k = z.shape[1]
        return (0..<z.shape[0]).map { n in
            let e = (0..<k).map { Foundation.exp(Double(z.data[n * k + $0]) / t) }
            let s = e.reduce(0, +)
            return e.map { $0 / s }
        }
    }

    func logits(_ n: Int, _ k: Int, std: Float, seed: UInt64) -> Tensor {
        var rng = SeededRNG(seed: seed)
        return Tensor.randn([n, k], std: std, rng: &rng)
    }

    func testKLValueAndGradientMatchTheFormula() {
        let zs = logits(3, 7, std: 2, seed: 1), zt = logits(3, 7, std: 3, seed: 2)
        for t: Float in [1, 4, 20] {
            let (value, grad) = HintonKD.klDivergence(student: zs, teacher: zt, temperature: t)
            let q = naiveSoftmax(zs, Double(t)), p = naiveSoftmax(zt, Double(t))
            var kl = 0.0
            var want = [Float]()
            for n in 0..<3 {
                for j in 0..<7 {
                    kl += p[n][j] * Foundation.log(p[n][j] / q[n][j])
                    want.append(Float(Double(t) * (q[n][j] - p[n][j]) / 3))
                }
            }
            XCTAssertEqual(Double(value), Double(t * t) * kl / 3, accuracy: 1e-5 * max(1, Double(t * t) * kl), "T=\(t)")
            assertClose(grad, Tensor(shape: [3, 7], data: want), rtol: 1e-5, atol: 1e-7, "T=\(t)")
        }
    }

    func testSoftTargetCrossEntropyDiffersByTeacherEntropyWithTheSameGradient() {
        let zs = logits(4, 5, std: 2, seed: 3), zt = logits(4, 5, std: 2, seed: 4)
        let t: Float = 4
        let kl = HintonKD.klDivergence(student: zs, teacher: zt, temperature: t)
        let ce = HintonKD.softTargetCrossEntropy(student: zs, teacher: zt, temperature: t)
        let p = naiveSoftmax(zt, Double(t))
        let entropy = p.map { row in row.reduce(0) { $0 - $1 * Foundation.log($1) } }.reduce(0, +) / 4
        XCTAssertEqual(Double(ce.value - kl.value), Double(t * t) * entropy, accuracy: 1e-4)
        XCTAssertGreaterThan(ce.value - kl.value, 0.1, "the entropy offset must be visible")
        XCTAssertEqual(ce.dStudent, kl.dStudent)
    }

    func testGradientsByCentralDifferences() {
        let zs = logits(3, 6, std: 2, seed: 5), zt = logits(3, 6, std: 3, seed: 6)
        for t: Float in [1, 4, 20] {
            let losses: [(String, (Tensor, Tensor, Float) -> (value: Float, dStudent: Tensor))] =
                [("kl", HintonKD.klDivergence), ("soft_ce", HintonKD.softTargetCrossEntropy)]
            for (name, f) in losses {
                checkGradient(of: { Tensor(shape: [1], data: [f($0[0], zt, t).value]) }, inputs: [zs],
                              names: ["student"], analytic: { x, r in [f(x[0], zt, t).dStudent * r.data[0]] },
                              // NOTE: the value grows as T² (soft CE: T²·log K); ε ∝ T keeps its Float
                              // rounding (ulp/2ε) under atol, and the curvature falls as 1/T.
                              eps: 0.01 * t,
                              "\(name) T=\(t)")
            }
        }
    }

    func testZeroWithZeroGradientWhenStudentEqualsTeacher() {
        let z = logits(5, 10, std: 4, seed: 7)
        for t: Float in [1, 4, 20] {
            let (value, grad) = HintonKD.klDivergence(student: z, teacher: z, temperature: t)
            XCTAssertEqual(value, 0, accuracy: 1e-6)
            XCTAssertLessThanOrEqual(grad.maxAbs(), 1e-7)
        }
        let other = HintonKD.klDivergence(student: logits(5, 10, std: 4, seed: 8), teacher: z, temperature: 4)
        XCTAssertGreaterThan(other.value, 0.01, "KL of different logits is positive")
    }

    /// Hinton eq. (4): with zero-mean logits and T ≫ |z|, ∂C/∂z_i ≈ (z_i − v_i)/(K·T²) per case; our
    /// `kd` carries T² and the 1/N batch mean, so its gradient approaches (z − v)/(K·N).
    func testHighTemperatureApproachesLogitMatching() {
        let n = 2, k = 10
        func zeroMean(_ t: Tensor) -> Tensor {
            var d = t.data
            for r in 0..<n {
                let m = d[(r * k)..<(r * k + k)].reduce(0, +) / Float(k)
                for j in 0..<k { d[r * k + j] -= m }
            }
            return Tensor(shape: t.shape, data: d)
        }
        let zs = zeroMean(logits(n, k, std: 1, seed: 9)), zt = zeroMean(logits(n, k, std: 1, seed: 10))
        let matching = (zs - zt) * (1 / Float(k * n))
        var previous = Float.infinity
        for t: Float in [2, 20, 200] {
            let grad = HintonKD.klDivergence(student: zs, teacher: zt, temperature: t).dStudent
            let error = maxAbsDifference(grad, matching) / matching.maxAbs()
            XCTAssertLessThan(error, previous, "the approximation improves as T grows (T=\(t))")
            previous = error
        }
        XCTAssertLessThan(previous, 0.01, "at T = 200 KD is logit matching to 1%")
    }

    /// The reason for the T² factor: without it soft-target gradients shrink as 1/T².
    func testTSquaredKeepsTheGradientScaleAcrossTemperatures() {
        let zs = logits(2, 10, std: 1, seed: 11), zt = logits(2, 10, std: 1, seed: 12)
        let g10 = HintonKD.klDivergence(student: zs, teacher: zt, temperature: 10).dStudent.maxAbs()
        let g40 = HintonKD.klDivergence(student: zs, teacher: zt, temperature: 40).dStudent.maxAbs()
        XCTAssertEqual(g40 / g10, 1, accuracy: 0.05)
    }

    func testExtremeLogitsStayFinite() {
        let zs = Tensor(shape: [2, 3], data: [1e4, -1e4, 0, 80, 90, -3000])
        let zt = Tensor(shape: [2, 3], data: [-1e4, 1e4, 0, 100, -100, 0])
        let (value, grad) = HintonKD.klDivergence(student: zs, teacher: zt, temperature: 1)
        XCTAssertTrue(value.isFinite && grad.isFinite)
        XCTAssertGreaterThan(value, 1e3)
        let p = HintonKD.softTargets(zt, temperature: 1)
        XCTAssertTrue(p.isFinite)
        XCTAssertEqual(p.data[1], 1, accuracy: 1e-6)
    }

    func testSoftTargetsAreRowwiseTemperedSoftmax() {
        let z = logits(3, 4, std: 2, seed: 13)
        let p = HintonKD.softTargets(z, temperature: 3)
        let want = naiveSoftmax(z, 3).flatMap { $0.map(Float.init) }
        assertClose(p, Tensor(shape: z.shape, data: want), rtol: 1e-6, atol: 1e-7)
    }
}
