// Objectives: the registry, options (defaults, decoding, validation), the named terms and
// weights of ce / kd / at / atkd, and a gradient check of the weighted total.

import XCTest
import Foundation
import TensorCore
import TestSupport
import ReferenceEngine
import HintonKD
import ZagoruykoAT
import Objectives

final class ObjectivesTests: XCTestCase {
    let engine = ReferenceEngine()
    let labels = [1, 0, 3]

    func outputs(seed: UInt64, logitStd: Float = 2, channels: [Int], sizes: [Int]) -> NetworkOutputs {
        var rng = SeededRNG(seed: seed)
        let logits = Tensor.randn([3, 5], std: logitStd, rng: &rng)
        let taps = zip(channels, sizes).map { Tensor.randn([3, $0, $1, $1], rng: &rng) }
        return NetworkOutputs(logits: logits, taps: taps)
    }

    var student: NetworkOutputs { outputs(seed: 1, channels: [2, 4], sizes: [4, 2]) }
    var teacher: NetworkOutputs { outputs(seed: 2, logitStd: 3, channels: [6, 8], sizes: [8, 2]) }

    // MARK: registry and options

    func testRegistryNamesAndTerms() throws {
        XCTAssertEqual(ObjectiveRegistry.names, ["at", "atkd", "ce", "crd", "crdkd", "dkd", "fitnet", "kd", "pkt", "rkd", "sp"])
        let expected: [String: ([String], [Float], Bool)] = [
            "ce": (["ce"], [1], false),
            "kd": (["ce", "kd"], [0.1, 0.9], true),
            "at": (["ce", "at"], [1, 1000], true),
            "atkd": (["ce", "kd", "at"], [0.1, 0.9, 1000], true),
        ]
        for (name, (names, weights, needsTeacher)) in expected {
            let objective = try ObjectiveRegistry.make(name: name, options: .defaults, engine: engine)
            XCTAssertEqual(objective.name, name)
            XCTAssertEqual(objective.needsTeacher, needsTeacher, name)
            let terms = objective.terms(student: student, teacher: needsTeacher ? teacher : nil, labels: labels)
            XCTAssertEqual(terms.map(\.name), names, name)
            XCTAssertEqual(terms.map(\.weight), weights, name)
            XCTAssertTrue(terms.allSatisfy { $0.value.isFinite && $0.value > 0 }, name)
        }
    }

    func testUnknownNameAndImpossibleValuesThrowNamingTheKey() {
        XCTAssertThrowsError(try ObjectiveRegistry.make(name: "vid", options: .defaults, engine: engine)) {
            XCTAssertTrue("\($0)".contains("vid") && "\($0)".contains("atkd"), "\($0)")
        }
        let bad: [(String, ObjectiveOptions)] = [
            ("temperature", ObjectiveOptions(temperature: 0)),
            ("ceWeight", ObjectiveOptions(ceWeight: -1)),
            ("kdWeight", ObjectiveOptions(kdWeight: .nan)),
            ("atWeight", ObjectiveOptions(atWeight: -1000)),
            ("p", ObjectiveOptions(p: 0.5)),
            ("labelSmoothing", ObjectiveOptions(labelSmoothing: 1)),
        ]
        for (key, options) in bad {
            XCTAssertThrowsError(try ObjectiveRegistry.make(name: "atkd", options: options, engine: engine)) {
                guard case ObjectiveError.invalidOption(let k, _, _) = $0 else { return XCTFail("\($0)") }
                XCTAssertEqual(k, key)
            }
        }
    }

    func testDecodingFillsDefaultsAndRejectsUnknownKeys() throws {
        let partial = try JSONDecoder().decode(ObjectiveOptions.self,
                                               from: Data(#"{"temperature": 8, "spatialMatch": "bilinear"}"#.utf8))
        var want = ObjectiveOptions.defaults
        want.temperature = 8
        want.spatialMatch = .bilinear
        XCTAssertEqual(partial, want)
        let snake = JSONDecoder()
        snake.keyDecodingStrategy = .convertFromSnakeCase
        XCTAssertEqual(try snake.decode(ObjectiveOptions.self, from: Data(#"{"kd_weight": 0.5}"#.utf8)).kdWeight, 0.5)
        XCTAssertThrowsError(try JSONDecoder().decode(ObjectiveOptions.self, from: Data(#"{"alpha": 0.9}"#.utf8))) {
            XCTAssertTrue("\($0)".contains("alpha"), "\($0)")
        }
        XCTAssertThrowsError(try JSONDecoder().decode(ObjectiveOptions.self, from: Data(#"{"temperature": -1}"#.utf8)))
        let roundTrip = try JSONDecoder().decode(ObjectiveOptions.self, from: JSONEncoder().encode(want))
        XCTAssertEqual(roundTrip, want)
    }

    func testDefaultsArePapersSection5() {
        let d = ObjectiveOptions.defaults
        XCTAssertEqual([d.temperature, d.kdWeight, d.atWeight, d.p, d.labelSmoothing], [4, 0.9, 1000, 2, 0])
        XCTAssertEqual(d.resolvedCEWeight(objective: "kd"), 0.1)
        XCTAssertEqual(d.resolvedCEWeight(objective: "at"), 1)
        XCTAssertEqual(ObjectiveOptions(ceWeight: 0.3).resolvedCEWeight(objective: "kd"), 0.3)
        XCTAssertEqual(d.atLossOptions, ATLossOptions.authorsCode)
    }

    // MARK: terms

    func testCEWorksWithoutATeacherAndMatchesTheEngine() throws {
        let ce = try ObjectiveRegistry.make(name: "ce", options: ObjectiveOptions(labelSmoothing: 0.1), engine: engine)
        let term = ce.terms(student: student, teacher: nil, labels: labels)[0]
        let want = engine.crossEntropy(student.logits, labels: labels, labelSmoothing: 0.1)
        XCTAssertEqual(term.value, want.loss)
        XCTAssertEqual(term.dLogits, want.dLogits)
        XCTAssertTrue(term.dTaps.isEmpty)
    }

    /// d(kd_weight·kd)/dz_s = kd_weight · T · (softmax(z_s/T) − softmax(z_t/T)) / N.
    func testKDTermGradientIsTheTemperedSoftmaxDifference() throws {
        let kd = try ObjectiveRegistry.make(name: "kd", options: ObjectiveOptions(temperature: 3), engine: engine)
        let term = kd.terms(student: student, teacher: teacher, labels: labels)[1]
        let t: Float = 3
        let q = engine.softmax(student.logits, temperature: t), p = engine.softmax(teacher.logits, temperature: t)
        assertClose(term.dLogits! * term.weight, (q - p) * (0.9 * t / 3), rtol: 1e-5, atol: 1e-7)
        XCTAssertEqual(term.value, HintonKD.klDivergence(student: student.logits, teacher: teacher.logits, temperature: t).value)
    }

    func testATTermsPerTapAndSummed() throws {
        let summed = try ObjectiveRegistry.make(name: "at", options: .defaults, engine: engine)
            .terms(student: student, teacher: teacher, labels: labels)
        let perTap = try ObjectiveRegistry.make(name: "at", options: ObjectiveOptions(atTermPerTap: true), engine: engine)
            .terms(student: student, teacher: teacher, labels: labels)
        XCTAssertEqual(perTap.map(\.name), ["ce", "at.0", "at.1"])
        XCTAssertEqual(perTap[1].value + perTap[2].value, summed[1].value, accuracy: 1e-7)
        XCTAssertNil(summed[1].dLogits)
        XCTAssertEqual(summed[1].dTaps.count, 2)
        XCTAssertEqual(summed[1].dTaps.map { $0?.shape }, student.taps.map(\.shape))
        XCTAssertNotNil(perTap[1].dTaps[0]); XCTAssertNil(perTap[1].dTaps[1])
        XCTAssertNil(perTap[2].dTaps[0]); XCTAssertNotNil(perTap[2].dTaps[1])
        XCTAssertEqual(perTap[1].dTaps[0], summed[1].dTaps[0])
    }

    /// The trainer's total `Σ weight·value` and `Σ weight·gradient` agree by central differences,
    /// for logits and every tap, for every objective of the proposal (the related methods have
    /// their own checks: `RelatedMethodObjectivesTests`, `FitNetObjectiveTests`, `CRDObjectiveTests`).
    func testWeightedTotalGradient() throws {
        for name in ["ce", "kd", "at", "atkd"] {
            let objective = try ObjectiveRegistry.make(name: name, options: ObjectiveOptions(labelSmoothing: 0.05),
                                                       engine: engine)
            let t = objective.needsTeacher ? teacher : nil
            func total(_ x: [Tensor]) -> Float {
                let terms = objective.terms(student: NetworkOutputs(logits: x[0], taps: Array(x[1...])), teacher: t, labels: labels)
                return Float(terms.reduce(0.0) { $0 + Double($1.weight) * Double($1.value) })
            }
            let inputs = [student.logits] + student.taps
            checkGradient(of: { Tensor(shape: [1], data: [total($0)]) }, inputs: inputs,
                          names: ["logits", "tap0", "tap1"],
                          analytic: { x, r in
                              let terms = objective.terms(student: NetworkOutputs(logits: x[0], taps: Array(x[1...])),
                                                          teacher: t, labels: self.labels)
                              var grads = x.map { Tensor(zeros: $0.shape) }
                              for term in terms {
                                  if let d = term.dLogits { grads[0].add(d * term.weight) }
                                  for (j, d) in term.dTaps.enumerated() { if let d { grads[j + 1].add(d * term.weight) } }
                              }
                              return grads.map { $0 * r.data[0] }
                          }, eps: 1e-2, name)
        }
    }
}

/// The resolution-fair AT weight: tap j's term × S_j/S_ref, value and gradient alike.
final class ATReferencePixelsTests: XCTestCase {
    func testEachTapIsScaledBySizeOverReference() throws {
        var rng = SeededRNG(seed: 3)
        let taps = [Tensor.randn([2, 4, 8, 8], rng: &rng), Tensor.randn([2, 4, 2, 2], rng: &rng)]
        let teacher = [Tensor.randn([2, 6, 8, 8], rng: &rng), Tensor.randn([2, 6, 2, 2], rng: &rng)]
        let engine = ReferenceEngine()
        func terms(_ reference: Int) throws -> [LossTerm] {
            var o = ObjectiveOptions.defaults
            o.atTermPerTap = true
            o.atReferencePixels = reference
            let objective = try ObjectiveRegistry.make(name: "at", options: o, engine: engine) as! ATObjective
            return objective.atTerms(student: taps, teacher: teacher)
        }
        let plain = try terms(0), fair = try terms(16)
        // 8×8 = 64 pixels → × 64/16 = 4; 2×2 = 4 pixels → × 4/16 = 0.25.
        XCTAssertEqual(fair[0].value, plain[0].value * 4, accuracy: 1e-6 * max(1, plain[0].value))
        XCTAssertEqual(fair[1].value, plain[1].value * 0.25, accuracy: 1e-6 * max(1, plain[1].value))
        assertClose(try XCTUnwrap(fair[0].dTaps[0]), try XCTUnwrap(plain[0].dTaps[0]) * 4, rtol: 1e-6, atol: 1e-9)
        assertClose(try XCTUnwrap(fair[1].dTaps[1]), try XCTUnwrap(plain[1].dTaps[1]) * 0.25, rtol: 1e-6, atol: 1e-9)
        XCTAssertThrowsError(try terms(-1))
    }
}
