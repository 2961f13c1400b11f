// FitNets (`fitnet`): PyTorch golden fixtures of RepDistiller's ConvReg + HintLoss
// (Fixtures/generators/related_objectives.py), a gradient check of the regressor and the
// student tap, the regressor's shapes, and its setup.

import XCTest
import Foundation
import TensorCore
import TestSupport
import NN
import ReferenceEngine
import Objectives

final class FitNetObjectiveTests: XCTestCase {
    let engine = ReferenceEngine()

    func testFixturesMatchPyTorch() throws {
        let fixtures = try LossFixtureLoader.load(ops: ["fitnet_hint"])
        XCTAssertEqual(fixtures.count, 3)
        for f in fixtures {
            let got = try RelatedObjectiveFixtures.evaluate(f.fixture, engine: engine)
            assertMatchesFixture(got, f)
        }
    }

    /// ConvReg's cases: equal size → 1×1, 2× larger → 3×3 stride 2, larger → (1 + ΔH) valid; a
    /// smaller student map (transposed conv in ConvReg) is an error naming both shapes.
    func testRegressorFollowsConvRegsCases() throws {
        var rng = SeededRNG(seed: 1)
        func conv(_ s: [Int], _ t: [Int]) throws -> Conv2d {
            try XCTUnwrap(try FitNetObjective.makeRegressor(student: s, teacher: t, rng: &rng).layers[0] as? Conv2d)
        }
        let equal = try conv([1, 16, 16, 16], [1, 32, 16, 16])
        XCTAssertEqual([equal.kernelSize, equal.config.stride, equal.config.padding], [1, 1, 0])
        XCTAssertEqual(equal.weight.value.shape, [32, 16, 1, 1])
        let half = try conv([1, 8, 16, 16], [1, 12, 8, 8])
        XCTAssertEqual([half.kernelSize, half.config.stride, half.config.padding], [3, 2, 1])
        let larger = try conv([1, 4, 7, 7], [1, 4, 4, 4])
        XCTAssertEqual([larger.kernelSize, larger.config.stride, larger.config.padding], [4, 1, 0])
        XCTAssertThrowsError(try FitNetObjective.makeRegressor(student: [1, 4, 4, 4], teacher: [1, 4, 8, 8], rng: &rng)) {
            XCTAssertTrue("\($0)".contains("[1, 4, 4, 4]") && "\($0)".contains("[1, 4, 8, 8]"), "\($0)")
        }
        let bound = 1 / Float(4 * 16).squareRoot()
        XCTAssertLessThanOrEqual(larger.weight.value.maxAbs(), bound, "PyTorch's default law U(±1/√fan_in)")
    }

    /// `prepare` sizes the regressor from the hinted taps (tap 1 by default; −1 = last) and names
    /// its parts `fitnet.regressor.*`; a missing tap is an error.
    func testPrepareBuildsTheRegressorForTheHintedTaps() throws {
        let setup = ObjectiveSetup(studentTapShapes: [[1, 8, 16, 16], [1, 16, 8, 8], [1, 32, 4, 4]],
                                   teacherTapShapes: [[1, 16, 16, 16], [1, 32, 8, 8], [1, 64, 4, 4]],
                                   studentEmbeddingWidth: 32, teacherEmbeddingWidth: 64, trainCount: 10, seed: 3)
        let o = FitNetObjective(ceWeight: 1, weight: 100, hintTap: 1, labelSmoothing: 0, engine: engine)
        XCTAssertTrue(o.needsSetup)
        try o.prepare(setup)
        XCTAssertEqual(o.parameters.map(\.name), ["fitnet.regressor.conv.weight", "fitnet.regressor.conv.bias",
                                                  "fitnet.regressor.bn.weight", "fitnet.regressor.bn.bias"])
        XCTAssertEqual(o.parameters[0].value.shape, [32, 16, 1, 1])
        XCTAssertEqual(o.buffers.map(\.name), ["fitnet.regressor.bn.running_mean", "fitnet.regressor.bn.running_var"])
        XCTAssertEqual(o.parameterCount, 32 * 16 + 32 + 32 + 32)
        let last = FitNetObjective(ceWeight: 1, weight: 100, hintTap: -1, labelSmoothing: 0, engine: engine)
        try last.prepare(setup)
        XCTAssertEqual(last.parameters[0].value.shape, [64, 32, 1, 1])
        let missing = FitNetObjective(ceWeight: 1, weight: 100, hintTap: 3, labelSmoothing: 0, engine: engine)
        XCTAssertThrowsError(try missing.prepare(setup)) { XCTAssertTrue("\($0)".contains("hint tap 3"), "\($0)") }
    }

    /// `hint` w.r.t. the student tap and every regressor parameter, by central differences of
    /// `r·hint` (random scalar upstream r) — BN in train mode. Kink policy: an element whose ±ε
    /// step flips the sign of any ReLU input is skipped (a conv weight moves a whole channel).
    func testHintGradientsMatchCentralDifferences() throws {
        var rng = SeededRNG(seed: 7)
        let regressor = try FitNetObjective.makeRegressor(student: [3, 3, 6, 6], teacher: [3, 4, 3, 3], rng: &rng)
        let s = Tensor.randn([3, 3, 6, 6], rng: &rng), t = Tensor.randn([3, 4, 3, 3], rng: &rng)
        let params = regressor.parameters
        let base = [s] + params.map(\.value)
        let eps: Float = 1e-3
        let preReLU = Sequential(regressor.layers[0], regressor.layers[1])
        func signs(_ x: [Tensor]) -> [Bool] {
            for (p, v) in zip(params, x[1...]) { p.value = v }
            return preReLU.forward(x[0], ForwardContext(engine: engine, training: true)).0.data.map { $0 > 0 }
        }
        func crossesKink(_ i: Int, _ j: Int) -> Bool {
            var plus = base, minus = base
            plus[i].data[j] += eps; minus[i].data[j] -= eps
            return signs(plus) != signs(minus)
        }
        func forward(_ x: [Tensor]) -> Tensor {
            for (p, v) in zip(params, x[1...]) { p.value = v }
            return Tensor(shape: [1], data: [FitNetObjective.hint(student: x[0], teacher: t, regressor: regressor,
                                                                  engine: engine).value])
        }
        let result = checkGradient(of: forward, inputs: base,
                      names: ["student", "conv.weight", "conv.bias", "bn.weight", "bn.bias"],
                      analytic: { x, r in
                          for (p, v) in zip(params, x[1...]) { p.value = v }
                          let h = FitNetObjective.hint(student: x[0], teacher: t, regressor: regressor, engine: self.engine)
                          return ([h.dStudent] + params.map { h.dParameters[$0.name]! }).map { $0 * r.data[0] }
                      }, eps: eps, rtol: 2e-2, atol: 1e-4, skip: crossesKink)
        XCTAssertLessThan(result.skipped, result.checked / 4, "the kink policy leaves most elements checked: \(result)")
    }

    /// The objective's terms: `ce` (1) and `hint` (β) with the gradient on the hinted tap only and
    /// the regressor's gradients by name; the teacher tap may come from `keptTaps`.
    func testTermsPutTheHintOnTheHintedTap() throws {
        var rng = SeededRNG(seed: 2)
        let student = NetworkOutputs(logits: Tensor.randn([2, 3], rng: &rng),
                                     taps: [Tensor.randn([2, 2, 8, 8], rng: &rng), Tensor.randn([2, 3, 4, 4], rng: &rng)])
        let teacherTap = Tensor.randn([2, 5, 4, 4], rng: &rng)
        let teacher = NetworkOutputs(logits: Tensor.randn([2, 3], rng: &rng), taps: [], keptTaps: [1: teacherTap])
        let o = FitNetObjective(ceWeight: 1, weight: 100, hintTap: 1, labelSmoothing: 0, engine: engine)
        try o.prepare(ObjectiveSetup(studentTapShapes: [[1, 2, 8, 8], [1, 3, 4, 4]], teacherTapShapes: [[1, 4, 8, 8], [1, 5, 4, 4]],
                                     studentEmbeddingWidth: 3, teacherEmbeddingWidth: 5, trainCount: 4, seed: 1))
        let terms = o.terms(student: student, teacher: teacher, labels: [0, 2])
        XCTAssertEqual(terms.map(\.name), ["ce", "hint"]); XCTAssertEqual(terms.map(\.weight), [1, 100])
        XCTAssertNil(terms[1].dTaps[0]); XCTAssertEqual(terms[1].dTaps[1]?.shape, [2, 3, 4, 4])
        XCTAssertEqual(Set(terms[1].dParameters.keys), Set(o.parameters.map(\.name)))
        XCTAssertTrue(o.parameters.allSatisfy { $0.grad.maxAbs() == 0 }, "gradients are returned, not left accumulated")
    }
}
