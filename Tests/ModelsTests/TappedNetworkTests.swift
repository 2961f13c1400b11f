// A zoo model's backward with and without the input gradient (`modelInputGradient`): the trainer's
// setting skips the first convolution's dx and changes no parameter gradient.

import XCTest
import TensorCore
import NN
import Models
import FastEngine

final class TappedNetworkTests: XCTestCase {
    /// CIFAR (3×3 stride-1 stem, Winograd) and ImageNet (7×7 stride-2 stem, im2col + GEMM) stems.
    func testSkippingTheInputGradientChangesNoParameterGradient() throws {
        for (name, input) in [("wrn-10-1-w4", 32), ("resnet50-w4-awconv-imagenet", 64)] {
            var rng = SeededRNG(seed: 11)
            let model = try ModelZoo.make(name, classes: 10, input: input, rng: &rng)
            let x = Tensor.randn([2, 3, input, input], rng: &rng)
            let engine = FastEngine(threads: 2)
            var grads: [[UInt32]] = []
            for inputGradient in [true, false] {
                model.parameters.forEach { $0.zeroGrad() }
                let ctx = ForwardContext(engine: engine, training: true, rng: SeededRNG(seed: 12))
                ctx.modelInputGradient = inputGradient
                let out = model.forward(x, ctx)
                var dyRng = SeededRNG(seed: 13)
                let dx = out.backward(Tensor.randn(out.logits.shape, rng: &dyRng), [])
                XCTAssertEqual(dx.shape, inputGradient ? x.shape : [0], name)
                grads.append(model.parameters.flatMap { $0.grad.data.map(\.bitPattern) })
            }
            XCTAssertEqual(grads[0], grads[1], name)
            XCTAssertTrue(grads[0].contains { $0 != 0 }, name)
        }
    }
}
