// The pooled embedding of every zoo family (TappedNetwork's split head) and its gradient.

import XCTest
import TensorCore
import NN
import ReferenceEngine
import FastEngine
import Models
import TestSupport

final class EmbeddingTests: XCTestCase {
    /// Every family gives an embedding `[N, D]` that its classifier maps to the logits; D is the
    /// width the linear layer reads (RepDistiller's `feat[-1]`).
    func testEveryFamilyExposesThePooledFeatureTheClassifierReads() throws {
        let cases: [(String, Int, Int)] = [
            ("wrn-16-2", 32, 128), ("wrn-16-1", 32, 64), ("resnet20", 32, 64), ("resnet8-w8", 8, 8),
            ("resnet18-w8", 32, 64), ("resnet50-w8", 32, 256), ("mobilenetv1-w8", 32, 128),
            ("mobilenetv2-half", 32, 1280), ("mobilenetv2-half-imagenet", 64, 1280),
        ]
        for (name, input, width) in cases {
            var rng = SeededRNG(seed: 1)
            let m = try XCTUnwrap(try ModelZoo.make(name, classes: 5, input: input, rng: &rng) as? TappedNetwork, name)
            let x = Tensor.randn([2, 3, input, input], rng: &rng)
            let ctx = ForwardContext(engine: FastEngine(), training: false)
            let out = m.forward(x, ctx)
            let e = try XCTUnwrap(out.embedding, name)
            XCTAssertEqual(e.shape, [2, width], name)
            let again = m.classifier.forward(e, ctx).0
            XCTAssertEqual(again, out.logits, "\(name): the classifier reads the embedding")
        }
    }

    /// `fullBackward` with an embedding gradient r equals the chain rule through the classifier:
    /// for logits = W·e + b, a logits gradient g reaches the body as gᵀW — so (0, r = g·W) and (g, nil)
    /// give the same stem gradient; and r alone matches central differences of Σ e ⊙ r.
    func testEmbeddingGradientMatchesTheClassifiersChainRuleAndCentralDifferences() throws {
        var rng = SeededRNG(seed: 3)
        let m = try XCTUnwrap(try ModelZoo.make("resnet8-w8", classes: 3, input: 6, rng: &rng) as? TappedNetwork)
        let engine = ReferenceEngine()
        let x = Tensor.randn([2, 3, 6, 6], rng: &rng)
        let ctx = { ForwardContext(engine: engine, training: false) }
        let out = m.forward(x, ctx())
        let g = Tensor.randn(out.logits.shape, rng: &rng)
        let fc = try XCTUnwrap(m.parameters.first { $0.name == "fc.weight" })
        let r = engine.linearBackward(out.embedding!, weight: fc.value, dy: g).x
        m.zeroGrad()
        let dxLogits = out.backward(g, [])
        let stemFromLogits = m.parameters[0].grad
        m.zeroGrad()
        let dxEmbedding = out.fullBackward(Tensor(zeros: out.logits.shape), [], r)
        assertClose(m.parameters[0].grad, stemFromLogits, rtol: 1e-4, atol: 1e-6)
        assertClose(dxEmbedding, dxLogits, rtol: 1e-4, atol: 1e-6)
        XCTAssertEqual(fc.grad.maxAbs(), 0, "an embedding gradient does not reach the classifier")

        let p = m.parameters[0]
        let h: Float = 1e-3
        let analytic = p.grad
        for i in [0, 7, 20] {
            let saved = p.value.data[i]
            p.value.data[i] = saved + h
            let plus = Double(m.forward(x, ctx()).embedding!.dot(r))
            p.value.data[i] = saved - h
            let minus = Double(m.forward(x, ctx()).embedding!.dot(r))
            p.value.data[i] = saved
            XCTAssertEqual(Double(analytic.data[i]), (plus - minus) / Double(2 * h), accuracy: 2e-3 + 2e-2 * abs(Double(analytic.data[i])))
        }
    }

    /// A model without an embedding (hand-built) still runs the old two-gradient backward.
    func testModelWithoutEmbeddingKeepsTheTwoGradientBackward() {
        let f = ModelForward(logits: Tensor(zeros: [1, 2]), taps: [], backward: { d, _ in d })
        XCTAssertNil(f.embedding)
        XCTAssertEqual(f.backward(Tensor(repeating: 1, shape: [1, 2]), []), Tensor(repeating: 1, shape: [1, 2]))
    }
}
