// RelatedMethods (DKD, RKD, SP, PKT): golden fixtures from PyTorch (Fixtures/generators/related_methods.py),
// gradients by central differences, and properties the formulas imply (zeros, decompositions, invariances).

import XCTest
import TensorCore
import ReferenceEngine
import TestSupport
import HintonKD
import RelatedMethods

final class RelatedMethodsTests: XCTestCase {
    typealias Loss = (value: Float, dStudent: Tensor)

    func randn(_ shape: [Int], std: Float = 1, seed: UInt64) -> Tensor {
        var rng = SeededRNG(seed: seed)
        return Tensor.randn(shape, std: std, rng: &rng)
    }

    /// Central differences of the scalar loss value, in Double, against the analytic gradient.
    /// Element i passes when |numeric − analytic| ≤ atol·max|analytic| + rtol·|numeric|: atol is
    /// relative to the largest gradient element, since these gradients range from ~1e-3 (SP, PKT)
    /// to ~1 (DKD, RKD). The value is a Float, so its rounding (~6e-8·|L|)/(2ε) must stay well under
    /// that floor; ε = 1e-2 (DKD: 1e-2·T, as the value grows as T²) leaves the worst ratio near 0.06
    /// in a Double simulation of these checks.
    func checkScalarGradient(_ name: String, at x: Tensor, eps: Float, rtol: Double = 1e-2, atol: Double = 1e-3,
                             file: StaticString = #filePath, line: UInt = #line, _ f: (Tensor) -> Loss) {
        let analytic = f(x).dStudent
        XCTAssertEqual(analytic.shape, x.shape, "\(name): gradient shape", file: file, line: line)
        let scale = Double(analytic.maxAbs())
        XCTAssertGreaterThan(scale, 0, "\(name): zero gradient, nothing to check", file: file, line: line)
        var worst = 0.0, worstIndex = 0, worstNumeric = 0.0
        for i in 0..<x.count {
            var plus = x, minus = x
            plus.data[i] += eps
            minus.data[i] -= eps
            let step = Double(plus.data[i]) - Double(minus.data[i])
            let numeric = (Double(f(plus).value) - Double(f(minus).value)) / step
            let ratio = abs(numeric - Double(analytic.data[i])) / (atol * scale + rtol * abs(numeric))
            if ratio.isNaN || ratio > worst {
                worst = ratio.isNaN ? .infinity : ratio
                worstIndex = i
                worstNumeric = numeric
            }
        }
        XCTAssertLessThanOrEqual(worst, 1, "\(name): element \(worstIndex): numeric \(worstNumeric) vs analytic "
                                 + "\(analytic.data[worstIndex]) (ratio \(worst))", file: file, line: line)
    }

    // MARK: - golden fixtures

    func testFixturesMatchPyTorch() throws {
        let engine = ReferenceEngine()
        let fixtures = try LossFixtureLoader.load(ops: RelatedMethodsFixtures.ops)
        var perOp = [String: Int]()
        for f in fixtures {
            perOp[f.fixture.op, default: 0] += 1
            let got = try RelatedMethodsFixtures.evaluate(f.fixture, engine: engine)
            XCTAssertFalse(f.expected.isEmpty, f.file)
            assertMatchesFixture(got, f)
        }
        XCTAssertEqual(perOp, ["dkd_loss": 3, "rkd_loss": 3, "sp_loss": 3, "pkt_loss": 3])
        // Every feature-based method has a case whose teacher is wider than its student.
        for op in ["rkd_loss", "sp_loss", "pkt_loss"] {
            let widths = fixtures.filter { $0.fixture.op == op }.compactMap { f -> Bool? in
                guard let s = f.fixture.inputs["student"], let t = f.fixture.inputs["teacher"] else { return nil }
                return s.count / s.shape[0] != t.count / t.shape[0]
            }
            XCTAssertTrue(widths.contains(true), "\(op): no fixture with a different teacher width")
        }
    }

    func testEvaluatorRejectsMalformedFixtures() {
        let engine = ReferenceEngine()
        let badLabel = FixtureCase(name: "bad_label", op: "dkd_loss",
                                   params: ["alpha": .number(1), "beta": .number(8), "temperature": .number(4)],
                                   inputs: ["student_logits": Tensor(zeros: [2, 3]), "teacher_logits": Tensor(zeros: [2, 3]),
                                            "labels": Tensor(shape: [2], data: [0, 3])],
                                   upstream: [:])
        XCTAssertThrowsError(try RelatedMethodsFixtures.evaluate(badLabel, engine: engine)) { error in
            XCTAssertTrue("\(error)".contains("labels"), "\(error)")
        }
        let single = FixtureCase(name: "single", op: "rkd_loss",
                                 params: ["distance_weight": .number(25), "angle_weight": .number(50)],
                                 inputs: ["student": Tensor(zeros: [1, 4]), "teacher": Tensor(zeros: [1, 4])],
                                 upstream: [:])
        XCTAssertThrowsError(try RelatedMethodsFixtures.evaluate(single, engine: engine)) { error in
            XCTAssertTrue("\(error)".contains("N ≥ 2"), "\(error)")
        }
    }

    // MARK: - gradients by central differences

    func testDKDGradients() {
        let zs = randn([4, 7], std: 2, seed: 11), zt = randn([4, 7], std: 3, seed: 12)
        let labels = [0, 3, 6, 2]
        for t: Float in [1, 4] {
            checkScalarGradient("dkd T=\(t)", at: zs, eps: 0.01 * t) {
                DKD.loss(student: $0, teacher: zt, labels: labels, temperature: t)
            }
            checkScalarGradient("tckd T=\(t)", at: zs, eps: 0.01 * t) { x in
                let r = DKD.terms(student: x, teacher: zt, labels: labels, temperature: t)
                return (r.tckd, r.dTCKD)
            }
            checkScalarGradient("nckd T=\(t)", at: zs, eps: 0.01 * t) { x in
                let r = DKD.terms(student: x, teacher: zt, labels: labels, temperature: t)
                return (r.nckd, r.dNCKD)
            }
        }
    }

    /// Kink policy: smooth-L1 is C¹ (its derivative is continuous at |x| = 1), so residuals crossing
    /// |x| = 1 within ±ε cost only O(ε) truncation error and nothing is skipped; the clamps (pairs
    /// closer than 1e-6) are never reached by random inputs. A 2-wide student against a 9-wide
    /// teacher makes linear-side residuals likely (the 3-vs-12 fixture `rkd_ds3_dt12_n7` has 28).
    func testRKDGradients() {
        let cases: [(student: [Int], teacher: [Int], seed: UInt64)] = [([5, 4], [5, 6], 21), ([6, 2], [6, 9], 23),
                                                                        ([5, 3], [5, 3], 25)]
        for c in cases {
            let s = randn(c.student, seed: c.seed), t = randn(c.teacher, std: 2, seed: c.seed + 1)
            checkScalarGradient("rkd \(c.student) vs \(c.teacher)", at: s, eps: 1e-2) { RKD.loss(student: $0, teacher: t) }
            checkScalarGradient("rkd distance \(c.student)", at: s, eps: 1e-2) { x in
                let r = RKD.terms(student: x, teacher: t)
                return (r.distance, r.dDistance)
            }
            checkScalarGradient("rkd angle \(c.student)", at: s, eps: 1e-2) { x in
                let r = RKD.terms(student: x, teacher: t)
                return (r.angle, r.dAngle)
            }
        }
    }

    func testSPGradients() {
        let cases: [(student: [Int], teacher: [Int], seed: UInt64)] = [([4, 3, 3, 3], [4, 5, 2, 2], 31),
                                                                        ([5, 2, 3, 3], [5, 2, 3, 3], 33)]
        for c in cases {
            let s = randn(c.student, seed: c.seed), t = randn(c.teacher, seed: c.seed + 1)
            checkScalarGradient("sp \(c.student) vs \(c.teacher)", at: s, eps: 1e-2) { SP.loss(student: $0, teacher: t) }
        }
    }

    func testPKTGradients() {
        let cases: [(student: [Int], teacher: [Int], seed: UInt64)] = [([5, 6], [5, 9], 41), ([6, 4], [6, 4], 43)]
        for c in cases {
            let s = randn(c.student, seed: c.seed), t = randn(c.teacher, std: 2, seed: c.seed + 1)
            checkScalarGradient("pkt \(c.student) vs \(c.teacher)", at: s, eps: 1e-2) { PKT.loss(student: $0, teacher: t) }
        }
    }

    // MARK: - properties

    func testDKDIsTheWeightedSumOfItsTerms() {
        let zs = randn([5, 10], std: 2, seed: 51), zt = randn([5, 10], std: 3, seed: 52)
        let labels = [1, 0, 9, 4, 4]
        let settings: [(alpha: Float, beta: Float, t: Float)] = [(1, 8, 4), (0.5, 2, 1), (1, 0, 4), (0, 1, 2)]
        for (alpha, beta, t) in settings {
            let total = DKD.loss(student: zs, teacher: zt, labels: labels, alpha: alpha, beta: beta, temperature: t)
            let parts = DKD.terms(student: zs, teacher: zt, labels: labels, temperature: t)
            let want = alpha * parts.tckd + beta * parts.nckd
            XCTAssertEqual(total.value, want, accuracy: 1e-5 * max(1, abs(want)), "α=\(alpha) β=\(beta) T=\(t)")
            assertClose(total.dStudent, parts.dTCKD * alpha + parts.dNCKD * beta, rtol: 1e-5, atol: 1e-7,
                        "α=\(alpha) β=\(beta) T=\(t)")
            XCTAssertGreaterThan(parts.tckd, 0)
            XCTAssertGreaterThan(parts.nckd, 0)
        }
        // mdistiller's defaults.
        let byDefault = DKD.loss(student: zs, teacher: zt, labels: labels)
        let explicit = DKD.loss(student: zs, teacher: zt, labels: labels, alpha: 1, beta: 8, temperature: 4)
        XCTAssertEqual(byDefault.value, explicit.value)
    }

    /// Paper eq. (1): per sample, `KD = TCKD + (1 − p_g)·NCKD` with p_g the teacher's target
    /// probability — for the value and (the teacher being constant) for the student gradient.
    func testDKDTermsDecomposeHintonKD() {
        let zs = randn([6, 8], std: 2, seed: 61), zt = randn([6, 8], std: 3, seed: 62)
        let labels = [0, 7, 3, 3, 5, 1]
        for t: Float in [1, 4] {
            for r in 0..<6 {
                let s1 = Tensor(shape: [1, 8], data: Array(zs.data[(r * 8)..<(r * 8 + 8)]))
                let t1 = Tensor(shape: [1, 8], data: Array(zt.data[(r * 8)..<(r * 8 + 8)]))
                let kd = HintonKD.klDivergence(student: s1, teacher: t1, temperature: t)
                let parts = DKD.terms(student: s1, teacher: t1, labels: [labels[r]], temperature: t)
                let weight = 1 - HintonKD.softTargets(t1, temperature: t).data[labels[r]]
                XCTAssertEqual(kd.value, parts.tckd + weight * parts.nckd, accuracy: 1e-5 * max(1, kd.value),
                               "row \(r) T=\(t)")
                assertClose(parts.dTCKD + parts.dNCKD * weight, kd.dStudent, rtol: 1e-4, atol: 1e-6, "row \(r) T=\(t)")
            }
        }
    }

    func testIdenticalInputsGiveZeroLoss() {
        let logits = randn([4, 6], std: 3, seed: 71)
        let dkd = DKD.loss(student: logits, teacher: logits, labels: [0, 5, 2, 2])
        XCTAssertEqual(dkd.value, 0, accuracy: 1e-6)
        XCTAssertLessThanOrEqual(dkd.dStudent.maxAbs(), 1e-7)

        let embedding = randn([6, 5], seed: 72)
        let rkd = RKD.loss(student: embedding, teacher: embedding)
        XCTAssertEqual(rkd.value, 0, accuracy: 1e-6)
        XCTAssertLessThanOrEqual(rkd.dStudent.maxAbs(), 1e-6)

        let tap = randn([5, 3, 2, 2], seed: 73)
        let sp = SP.loss(student: tap, teacher: tap)
        XCTAssertEqual(sp.value, 0, accuracy: 1e-9)
        XCTAssertLessThanOrEqual(sp.dStudent.maxAbs(), 1e-9)

        let pkt = PKT.loss(student: embedding, teacher: embedding)
        XCTAssertEqual(pkt.value, 0, accuracy: 1e-9)
        // NOTE: not exactly 0: ε = 1e-7 in log((P + ε)/(Q + ε)) leaves a gradient of order ε/N
        // (≤ 2.4e-8 over 200 random 6×5 batches in a Double simulation); typical gradients are ~1e-2.
        XCTAssertLessThanOrEqual(pkt.dStudent.maxAbs(), 1e-6)

        // Different inputs give clearly positive losses (so the zeros above are not vacuous).
        let other = randn([6, 5], seed: 74)
        XCTAssertGreaterThan(RKD.loss(student: other, teacher: embedding).value, 0.1)
        XCTAssertGreaterThan(SP.loss(student: randn([5, 3, 2, 2], seed: 75), teacher: tap).value, 1e-3)
        XCTAssertGreaterThan(PKT.loss(student: other, teacher: embedding).value, 1e-3)
    }

    /// RKD compares normalised distances and angles, SP row-normalised Gram matrices: scaling the
    /// student (and, for RKD, translating it) changes neither loss.
    func testInvariances() {
        let s = randn([6, 4], seed: 81), t = randn([6, 7], seed: 82)
        let base = RKD.loss(student: s, teacher: t)
        let shift = randn([4], seed: 83).data
        let moved = Tensor(shape: s.shape, data: s.data.enumerated().map { 3 * $0.element + shift[$0.offset % 4] })
        XCTAssertEqual(RKD.loss(student: moved, teacher: t).value, base.value, accuracy: 1e-5 * max(1, base.value))

        let tap = randn([5, 3, 2, 2], seed: 84), teacherTap = randn([5, 4, 3, 3], seed: 85)
        let sp = SP.loss(student: tap, teacher: teacherTap)
        let scaled = SP.loss(student: tap * 2, teacher: teacherTap)
        XCTAssertEqual(scaled.value, sp.value, accuracy: 1e-6 * max(1, sp.value))
        // d/d(2x) = (1/2)·d/dx for a scale-invariant loss.
        assertClose(scaled.dStudent * 2, sp.dStudent, rtol: 1e-4, atol: 1e-6 * sp.dStudent.maxAbs())
    }

    /// The feature losses flatten `[N, …]` per sample (RepDistiller's `view(N, -1)`).
    func testFeatureMapsAreFlattenedPerSample() {
        let s = randn([5, 2, 2, 2], seed: 91), t = randn([5, 3], seed: 92)
        let rkdMap = RKD.loss(student: s, teacher: t), rkdFlat = RKD.loss(student: s.reshaped([5, 8]), teacher: t)
        XCTAssertEqual(rkdMap.value, rkdFlat.value)
        XCTAssertEqual(rkdMap.dStudent.shape, [5, 2, 2, 2])
        XCTAssertEqual(rkdMap.dStudent.data, rkdFlat.dStudent.data)
        let spMap = SP.loss(student: s, teacher: t), spFlat = SP.loss(student: s.reshaped([5, 8]), teacher: t)
        XCTAssertEqual(spMap.value, spFlat.value)
        XCTAssertEqual(spMap.dStudent.shape, [5, 2, 2, 2])
    }
}
