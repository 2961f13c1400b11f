// CRD (`crd`, `crdkd`): PyTorch golden fixtures of RepDistiller's CRDLoss + ContrastMemory
// (Fixtures/generators/related_objectives.py), a gradient check through the embedding heads,
// the negative sampler, the memory update and the state that resumes with a run.

import XCTest
import Foundation
import TensorCore
import TestSupport
import NN
import ReferenceEngine
import RelatedMethods
import Objectives

final class CRDObjectiveTests: XCTestCase {
    let engine = ReferenceEngine()

    func testFixturesMatchPyTorch() throws {
        let fixtures = try LossFixtureLoader.load(ops: ["crd_loss"])
        XCTAssertEqual(fixtures.count, 2)
        for f in fixtures {
            let got = try RelatedObjectiveFixtures.evaluate(f.fixture, engine: engine)
            assertMatchesFixture(got, f)
        }
    }

    /// A small CRD objective prepared for 12 images of 3 classes (4 each), K = 5.
    func prepared(name: String = "crd", negatives: Int = 5, labels: [Int]? = (0..<12).map { $0 % 3 },
                  kd: KDObjective? = nil) throws -> CRDObjective {
        let o = CRDObjective(name: name, ceWeight: 1, weight: 0.8, featureDim: 10, negatives: negatives, temperature: 0.07,
                             momentum: 0.5, kd: kd, labelSmoothing: 0, engine: engine)
        try o.prepare(ObjectiveSetup(studentTapShapes: [], teacherTapShapes: [], studentEmbeddingWidth: 6,
                                     teacherEmbeddingWidth: 9, trainCount: 12, trainLabels: labels, seed: 4))
        return o
    }

    /// The loss through both heads w.r.t. the student features and all four head tensors, by
    /// central differences of `r·crd` (random scalar r), memory and Z fixed.
    func testGradientsThroughTheEmbeddingHeadsMatchCentralDifferences() throws {
        let o = try prepared()
        var rng = SeededRNG(seed: 9)
        let fs = Tensor.randn([4, 6], rng: &rng), ft = Tensor.randn([4, 9], rng: &rng)
        let indices = o.memory!.sample(positions: [0, 4, 7, 11], labels: [0, 1, 1, 2])
        o.memory!.normalization.value = Tensor(shape: [2], data: [60, 75])
        let heads = o.parameters
        XCTAssertEqual(heads.map(\.name), ["crd.embed_s.linear.weight", "crd.embed_s.linear.bias",
                                           "crd.embed_t.linear.weight", "crd.embed_t.linear.bias"])
        func run(_ x: [Tensor]) -> (value: Float, dStudent: Tensor, dParameters: [String: Tensor]) {
            for (p, v) in zip(heads, x[1...]) { p.value = v }
            let r = CRDObjective.contrast(studentFeatures: x[0], teacherFeatures: ft, embedStudent: o.embedStudent!,
                                          embedTeacher: o.embedTeacher!, memory: o.memory!, indices: indices,
                                          temperature: 0.07, engine: engine)
            return (r.value, r.dStudent, r.dParameters)
        }
        checkGradient(of: { Tensor(shape: [1], data: [run($0).value]) }, inputs: [fs] + heads.map(\.value),
                      names: ["student", "embed_s.weight", "embed_s.bias", "embed_t.weight", "embed_t.bias"],
                      analytic: { x, r in
                          let g = run(x)
                          return ([g.dStudent] + heads.map { g.dParameters[$0.name]! }).map { $0 * r.data[0] }
                      }, eps: 1e-3, rtol: 3e-2, atol: 2e-3)
    }

    /// With labels: each row starts with its own index and draws its K negatives from the other
    /// classes, distinct when K fits (mode 'exact'); with replacement when K exceeds them; without
    /// labels, uniform over all images. The same seed draws the same indices.
    func testSamplerDrawsNegativesFromTheOtherClasses() throws {
        let labels = (0..<12).map { $0 % 3 }
        let o = try prepared(negatives: 8)
        let idx = o.memory!.sample(positions: [3, 5], labels: [0, 2])
        XCTAssertEqual(idx.count, 2 * 9)
        for (row, (y, c)) in [(3, 0), (5, 2)].enumerated() {
            let r = idx[(row * 9)..<(row * 9 + 9)].map(Int.init)
            XCTAssertEqual(r[0], y)
            XCTAssertTrue(r.dropFirst().allSatisfy { labels[$0] != c }, "\(r)")
            XCTAssertEqual(Set(r.dropFirst()).count, 8, "8 of the 8 other-class images, each once")
        }
        let again = try prepared(negatives: 8).memory!.sample(positions: [3, 5], labels: [0, 2])
        XCTAssertEqual(again, idx, "the sampler's stream is seeded by the run's seed")
        let many = try prepared(negatives: 20).memory!.sample(positions: [1], labels: [1])
        XCTAssertTrue(many.dropFirst().allSatisfy { labels[Int($0)] != 1 })
        let uniform = try prepared(negatives: 30, labels: nil).memory!.sample(positions: [2], labels: [2])
        XCTAssertEqual(uniform[0], 2); XCTAssertTrue(uniform.allSatisfy { $0 >= 0 && $0 < 12 })
        XCTAssertGreaterThan(Set(uniform.dropFirst().filter { labels[Int($0)] == 2 }).count, 0,
                             "without labels the negatives may share the class")
    }

    /// One step: Z is set from the first batch and then kept; the batch's memory rows become unit
    /// rows, the others stay; `crdkd` adds `kd` (weight 1); gradients go to the embedding and heads.
    func testTermsSetZOnceAndMoveTheBatchsMemoryRows() throws {
        let o = try prepared(name: "crdkd", kd: KDObjective(ceWeight: 0, kdWeight: 1, temperature: 4, labelSmoothing: 0,
                                                             engine: engine))
        var rng = SeededRNG(seed: 5)
        func outputs(_ width: Int) -> NetworkOutputs {
            NetworkOutputs(logits: Tensor.randn([3, 3], rng: &rng), taps: [], embedding: Tensor.randn([3, width], rng: &rng))
        }
        let (s, t) = (outputs(6), outputs(9))
        let before = o.memory!.student.value
        let batch = ObjectiveBatch(labels: [0, 1, 2], indices: [0, 4, 8])
        let terms = o.terms(student: s, teacher: t, batch: batch)
        XCTAssertEqual(terms.map(\.name), ["ce", "kd", "crd"]); XCTAssertEqual(terms.map(\.weight), [1, 1, 0.8])
        XCTAssertEqual(terms[2].dEmbedding?.shape, [3, 6]); XCTAssertEqual(terms[2].dParameters.count, 4)
        let z = o.memory!.normalization.value.data
        XCTAssertTrue(z.allSatisfy { $0 > 0 }, "\(z)")
        let after = o.memory!.student.value
        for row in 0..<12 {
            let r = Array(after.data[(row * 10)..<(row * 10 + 10)])
            if [0, 4, 8].contains(row) {
                XCTAssertEqual(r.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5)
            } else {
                XCTAssertEqual(r, Array(before.data[(row * 10)..<(row * 10 + 10)]))
            }
        }
        _ = o.terms(student: s, teacher: t, batch: ObjectiveBatch(labels: [0, 1, 2], indices: [1, 2, 3]))
        XCTAssertEqual(o.memory!.normalization.value.data, z, "Z is set once")
    }

    /// The sampler's RNG round-trips through `stateRecord`; a record without it is an error.
    func testStateRecordRestoresTheSampler() throws {
        let a = try prepared(negatives: 4), b = try prepared(negatives: 4)
        _ = a.memory!.sample(positions: [0, 1], labels: [0, 1])
        try b.restore(stateRecord: a.stateRecord())
        XCTAssertEqual(a.memory!.sample(positions: [2], labels: [2]), b.memory!.sample(positions: [2], labels: [2]))
        XCTAssertThrowsError(try b.restore(stateRecord: [:])) { XCTAssertTrue("\($0)".contains("crd.sampler_rng"), "\($0)") }
        XCTAssertEqual(a.buffers.map(\.name), ["crd.memory_v1", "crd.memory_v2", "crd.normalization"])
        XCTAssertEqual(a.buffers[0].value.shape, [12, 10])
    }

    /// `RelatedMethods.CRD.l2Normalize`'s pullback against central differences.
    func testL2NormalizePullback() {
        var rng = SeededRNG(seed: 3)
        let u = Tensor.randn([3, 5], rng: &rng)
        checkGradient(of: { CRD.l2Normalize($0[0]).value }, inputs: [u], names: ["u"],
                      analytic: { x, r in [CRD.l2Normalize(x[0]).pullback(r)] }, eps: 1e-3, rtol: 1e-2, atol: 1e-3)
    }
}
