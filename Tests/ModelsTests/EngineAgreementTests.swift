// Whole model under both engines: loss and every parameter gradient agree (llm.c test_gpt2 style).

import XCTest
import TensorCore
import NN
import ReferenceEngine
import FastEngine
import Models
import TestSupport

final class EngineAgreementTests: XCTestCase {
    func lossAndGrads(_ name: String, engine: any Kernels, input: Int) throws -> (Float, [String: Tensor], Tensor) {
        var rng = SeededRNG(seed: 11)
        let m = try ModelZoo.make(name, classes: 10, input: input, rng: &rng)
        let x = Tensor.randn([4, 3, input, input], rng: &rng)
        let labels = [1, 7, 3, 3]
        let out = m.forward(x, ForwardContext(engine: engine, training: true))
        let (loss, dLogits) = engine.crossEntropy(out.logits, labels: labels, labelSmoothing: 0)
        m.zeroGrad()
        _ = out.backward(dLogits, out.taps.map { $0.value * 0.01 })
        return (loss, Dictionary(uniqueKeysWithValues: m.parameters.map { ($0.name, $0.grad) }), out.logits)
    }

    func testFastMatchesReferenceOnWholeModels() throws {
        for (name, input) in [("resnet20-w4", 16), ("mobilenetv2-w8-last32", 16), ("wrn-10-2-w4", 16)] {
            let (lr, gr, yr) = try lossAndGrads(name, engine: ReferenceEngine(), input: input)
            let (lf, gf, yf) = try lossAndGrads(name, engine: FastEngine(), input: input)
            XCTAssertEqual(lf, lr, accuracy: 1e-4 * max(1, abs(lr)), name)
            assertClose(yf, yr, rtol: 1e-3, atol: 1e-4, name)
            XCTAssertEqual(Set(gf.keys), Set(gr.keys))
            for (k, g) in gr { assertClose(gf[k]!, g, rtol: 1e-2, atol: 1e-4, "\(name) grad \(k)") }
            XCTAssertGreaterThan(gr.values.map { $0.maxAbs() }.max() ?? 0, 0)
        }
    }
}
