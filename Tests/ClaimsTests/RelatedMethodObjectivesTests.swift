// The parameter-free related-method objectives (dkd, rkd, sp, pkt): their terms are the
// RelatedMethods functions with the reference weights, in the right gradient slot; DKD's warm-up;
// the typed options and what each reads of the teacher.

import XCTest
import Foundation
import TensorCore
import TestSupport
import ReferenceEngine
import RelatedMethods
import Objectives

final class RelatedMethodObjectivesTests: XCTestCase {
    let engine = ReferenceEngine()
    let labels = [1, 0, 3, 2]

    func outputs(seed: UInt64, channels: [Int], sizes: [Int], width: Int) -> NetworkOutputs {
        var rng = SeededRNG(seed: seed)
        let logits = Tensor.randn([4, 5], std: 2, rng: &rng)
        let taps = zip(channels, sizes).map { Tensor.randn([4, $0, $1, $1], rng: &rng) }
        return NetworkOutputs(logits: logits, taps: taps, embedding: Tensor.randn([4, width], rng: &rng))
    }

    var student: NetworkOutputs { outputs(seed: 1, channels: [2, 4], sizes: [4, 2], width: 6) }
    var teacher: NetworkOutputs { outputs(seed: 2, channels: [6, 8], sizes: [8, 2], width: 9) }

    func make(_ name: String, _ related: RelatedMethodOptions = .defaults) throws -> any Objective {
        var o = ObjectiveOptions.defaults
        o.related = related
        return try ObjectiveRegistry.make(name: name, options: o, engine: engine)
    }

    /// Names, weights (RepDistiller / mdistiller defaults), values equal to the RelatedMethods
    /// functions, and each gradient in its slot.
    func testTermsAreTheRelatedMethodFunctionsWithTheReferenceWeights() throws {
        let (s, t) = (student, teacher)
        let dkd = try make("dkd").terms(student: s, teacher: t, batch: ObjectiveBatch(labels: labels, epoch: 19))
        let d = DKD.terms(student: s.logits, teacher: t.logits, labels: labels, temperature: 4)
        XCTAssertEqual(dkd.map(\.name), ["ce", "tckd", "nckd"])
        XCTAssertEqual(dkd.map(\.weight), [1, 1, 8], "mdistiller cfg.DKD after the warm-up")
        XCTAssertEqual(dkd[1].value, d.tckd); XCTAssertEqual(dkd[2].value, d.nckd)
        XCTAssertEqual(dkd[1].dLogits, d.dTCKD); XCTAssertEqual(dkd[2].dLogits, d.dNCKD)

        let rkd = try make("rkd").terms(student: s, teacher: t, labels: labels)
        let r = RKD.terms(student: s.embedding!, teacher: t.embedding!)
        XCTAssertEqual(rkd.map(\.name), ["ce", "rkd_distance", "rkd_angle"])
        XCTAssertEqual(rkd.map(\.weight), [1, 25, 50])
        XCTAssertEqual(rkd[1].value, r.distance); XCTAssertEqual(rkd[2].value, r.angle)
        XCTAssertEqual(rkd[1].dEmbedding, r.dDistance); XCTAssertEqual(rkd[2].dEmbedding, r.dAngle)
        XCTAssertNil(rkd[1].dLogits); XCTAssertTrue(rkd[1].dTaps.isEmpty)

        let sp = try make("sp").terms(student: s, teacher: t, labels: labels)
        let q = SP.loss(student: s.taps[1], teacher: t.taps[1])
        XCTAssertEqual(sp.map(\.name), ["ce", "sp"]); XCTAssertEqual(sp.map(\.weight), [1, 3000])
        XCTAssertEqual(sp[1].value, q.value)
        XCTAssertNil(sp[1].dTaps[0]); XCTAssertEqual(sp[1].dTaps[1], q.dStudent, "the last tap pair (feat[-2])")

        let pkt = try make("pkt").terms(student: s, teacher: t, labels: labels)
        let p = PKT.loss(student: s.embedding!, teacher: t.embedding!)
        XCTAssertEqual(pkt.map(\.name), ["ce", "pkt"]); XCTAssertEqual(pkt.map(\.weight), [1, 30000])
        XCTAssertEqual(pkt[1].value, p.value); XCTAssertEqual(pkt[1].dEmbedding, p.dStudent)

        let rkd2 = try make("rkd", RelatedMethodOptions(rkdWeight: 2, rkdDistanceWeight: 3, rkdAngleWeight: 5))
        XCTAssertEqual(rkd2.terms(student: s, teacher: t, labels: labels).map(\.weight), [1, 6, 10])
    }

    /// mdistiller: `min(epoch / WARMUP, 1)` with epoch counted from 1.
    func testDKDWarmUpIsLinearPerEpochThenOne() throws {
        let weights = { (epoch: Int, w: Int) -> [Float] in
            try self.make("dkd", RelatedMethodOptions(dkdWarmupEpochs: w))
                .terms(student: self.student, teacher: self.teacher, batch: ObjectiveBatch(labels: self.labels, epoch: epoch))
                .map(\.weight)
        }
        XCTAssertEqual(try weights(0, 20), [1, 1.0 / 20, 8.0 / 20])
        XCTAssertEqual(try weights(9, 20), [1, 0.5, 4])
        XCTAssertEqual(try weights(19, 20), [1, 1, 8])
        XCTAssertEqual(try weights(39, 20), [1, 1, 8])
        XCTAssertEqual(try weights(0, 0), [1, 1, 8], "W = 0: no warm-up")
    }

    /// What the cache must keep for each arm, and which arms need a setup.
    func testTeacherNeedsAndSetup() throws {
        let needs = try Dictionary(uniqueKeysWithValues: ObjectiveRegistry.names.map { ($0, try make($0).teacherNeeds) })
        for legacy in ["ce", "kd", "at", "atkd"] { XCTAssertEqual(needs[legacy], .logitsAndAttentionTargets, legacy) }
        XCTAssertEqual(needs["dkd"], .logits)
        for e in ["rkd", "pkt", "crd", "crdkd"] { XCTAssertEqual(needs[e], TeacherNeeds(embedding: true), e) }
        XCTAssertEqual(needs["sp"], TeacherNeeds(lastTapSimilarity: true))
        XCTAssertEqual(needs["fitnet"], TeacherNeeds(taps: [1]))
        let setup = try ObjectiveRegistry.names.filter { try make($0).needsSetup }
        XCTAssertEqual(setup, ["crd", "crdkd", "fitnet"])
        for name in ObjectiveRegistry.names where !setup.contains(name) {
            XCTAssertTrue(try make(name).parameters.isEmpty, name)
        }
        XCTAssertTrue(TeacherNeeds.logitsAndAttentionTargets.union(TeacherNeeds(embedding: true))
            .covers(TeacherNeeds(attentionTargets: true, embedding: true)))
        XCTAssertFalse(TeacherNeeds.logits.covers(TeacherNeeds(taps: [-1])))
    }

    /// `NetworkOutputs.tap` reads `taps` (negative from the end) or, without them, `keptTaps`.
    func testTapLookup() {
        let s = student
        XCTAssertEqual(s.tap(-1), s.taps[1]); XCTAssertEqual(s.tap(0), s.taps[0]); XCTAssertNil(s.tap(2))
        let kept = NetworkOutputs(logits: s.logits, taps: [], keptTaps: [-1: s.taps[1]])
        XCTAssertEqual(kept.tap(-1), s.taps[1]); XCTAssertNil(kept.tap(1))
    }

    /// The trainer's `Σ weight·value` and `Σ weight·gradient` agree by central differences on the
    /// logits, the taps and the embedding (random upstream), for dkd, rkd, sp and pkt.
    func testWeightedTotalGradient() throws {
        for name in ["dkd", "rkd", "sp", "pkt"] {
            let objective = try make(name)
            let t = teacher
            func outputs(_ x: [Tensor]) -> NetworkOutputs {
                NetworkOutputs(logits: x[0], taps: [x[1], x[2]], embedding: x[3])
            }
            func total(_ x: [Tensor]) -> Float {
                let terms = objective.terms(student: outputs(x), teacher: t, batch: ObjectiveBatch(labels: labels, epoch: 25))
                return Float(terms.reduce(0.0) { $0 + Double($1.weight) * Double($1.value) })
            }
            let s = student
            checkGradient(of: { Tensor(shape: [1], data: [total($0)]) }, inputs: [s.logits] + s.taps + [s.embedding!],
                          names: ["logits", "tap0", "tap1", "embedding"],
                          analytic: { x, r in
                              let terms = objective.terms(student: outputs(x), teacher: t,
                                                          batch: ObjectiveBatch(labels: self.labels, epoch: 25))
                              var grads = x.map { Tensor(zeros: $0.shape) }
                              for term in terms {
                                  if let d = term.dLogits { grads[0].add(d * term.weight) }
                                  for (j, d) in term.dTaps.enumerated() { if let d { grads[j + 1].add(d * term.weight) } }
                                  if let d = term.dEmbedding { grads[3].add(d * term.weight) }
                              }
                              return grads.map { $0 * r.data[0] }
                          }, eps: 1e-3, rtol: 2e-2, atol: 2e-2, name)
        }
    }

    /// Impossible related-method values throw naming the key.
    func testImpossibleValuesThrowNamingTheKey() {
        let bad: [(String, RelatedMethodOptions)] = [
            ("dkdBeta", RelatedMethodOptions(dkdBeta: -1)), ("dkdTemperature", RelatedMethodOptions(dkdTemperature: 0)),
            ("dkdWarmupEpochs", RelatedMethodOptions(dkdWarmupEpochs: -1)), ("spWeight", RelatedMethodOptions(spWeight: .nan)),
            ("crdNegatives", RelatedMethodOptions(crdNegatives: 0)), ("crdMomentum", RelatedMethodOptions(crdMomentum: 1)),
            ("crdTemperature", RelatedMethodOptions(crdTemperature: 0)),
        ]
        for (key, options) in bad {
            XCTAssertThrowsError(try make("dkd", options)) {
                guard case ObjectiveError.invalidOption(let k, _, _) = $0 else { return XCTFail("\($0)") }
                XCTAssertEqual(k, key)
            }
        }
    }
}
