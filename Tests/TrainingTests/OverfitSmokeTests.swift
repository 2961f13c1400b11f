import XCTest
import TensorCore
import NN
import Optim
import Models
import Training

/// The engine, a model, the loss and SGD together can memorise a fixed batch:
/// 16 random images with random labels, loss must fall at least 10×. (The reference engine
/// passes too — 95 s here, so it is left to the engine-agreement tests.)
final class OverfitSmokeTests: XCTestCase {
    /// The first and last loss of `steps` SGD steps on the fixed batch (also used for bf16 precision).
    static func overfit(engine: any Kernels, steps: Int) throws -> (first: Float, last: Float) {
        var rng = SeededRNG(seed: 21)
        let model = try ModelZoo.make("resnet20", classes: 10, input: 8, rng: &rng)
        let x = Tensor.randn([16, 3, 8, 8], rng: &rng)
        let labels = (0..<16).map { _ in rng.int(below: 10) }
        let sgd = SGD(parameters: model.parameters, momentum: 0.9, nesterov: true, weightDecay: 0)
        var losses: [Float] = []
        for _ in 0..<steps {
            let out = model.forward(x, ForwardContext(engine: engine, training: true))
            let (loss, dLogits) = engine.crossEntropy(out.logits, labels: labels, labelSmoothing: 0)
            losses.append(loss)
            model.zeroGrad()
            _ = out.backward(dLogits, out.taps.map { _ in nil })
            sgd.step(lr: 0.05, engine: engine)
        }
        return (losses[0], losses[losses.count - 1])
    }

    func testFastEngineOverfitsSixteenExamples() throws {
        let (first, last) = try Self.overfit(engine: Session.makeEngine("fast", threads: 2), steps: 150)
        XCTAssertGreaterThan(first / last, 10, "loss \(first) → \(last)")
    }
}
