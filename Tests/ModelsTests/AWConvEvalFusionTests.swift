// An AW-conv model's eval forward with its AW-convolutions fused with the batch norm after them
// (`AWConv2d.forward(_:_:thenEval:activation:)`) against the layers one after another.

import XCTest
import TensorCore
import NN
import Models
import TestSupport

final class AWConvEvalFusionTests: XCTestCase {
    /// resnet50-w4-awconv (4 × 4 .. 32 × 32 maps, every path) in eval mode: the output of the fused
    /// AW-conv + batch norm + ReLU equals the unfused layers' bit for bit (Sequential's switch).
    func testModelEvalOutputDoesNotDependOnTheFusion() throws {
        var rng = SeededRNG(seed: 5)
        let model = try ModelZoo.make("resnet50-w4-awconv", classes: 10, input: 32, rng: &rng)
        // Gates away from 1, and the bodies' last batch norms away from their zero γ (else every
        // bottleneck's body, its AW-convolution included, adds nothing to the output).
        for p in model.parameters where p.name.contains("gen.pw2") || p.name.hasSuffix("bn3.weight") {
            p.value = Tensor.randn(p.value.shape, rng: &rng)
        }
        for b in model.buffers where b.name.hasSuffix("running_var") {
            b.value = Tensor(shape: b.value.shape, data: b.value.data.map { _ in Float.random(in: 0.5...2, using: &rng) })
        }
        let x = Tensor.randn([3, 3, 32, 32], rng: &rng)
        let ctx = ForwardContext(engine: TestEngines.fast(threads: 2), training: false)
        let fused = model.forward(x, ctx).logits
        Sequential.fusesConvBatchNorm = false
        defer { Sequential.fusesConvBatchNorm = true }
        let apart = model.forward(x, ctx).logits
        XCTAssertEqual(fused.data, apart.data)
        XCTAssertTrue(fused.data.allSatisfy(\.isFinite))
    }
}
