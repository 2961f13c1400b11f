// The pre-activation wide block with its last convolution and shortcut sum fused
// (`Conv2d.forward(_:_:adding:)`) against the same block run layer by layer.

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import NN
import Models

final class WideResNetTests: XCTestCase {
    /// An identity-shortcut block on 16×16 (Winograd at batch 4: 64 tiles) and a stride-2 block with
    /// its 1×1 shortcut convolution (8×8 output: im2col + GEMM); train and eval mode, three engines.
    /// Output, every parameter gradient, the input gradient and the running statistics keep every bit.
    func testFusedShortcutSumChangesNoBit() {
        func run(_ engine: any Kernels, fused: Bool, training: Bool) -> ([Float], [[Float]], [Float], [[Float]]) {
            Residual.fusesShortcutSum = fused
            defer { Residual.fusesShortcutSum = true }
            var rng = SeededRNG(seed: 11)
            let net = Sequential(WideBasicBlock("a", inChannels: 16, outChannels: 16, stride: 1, rng: &rng),
                                 WideBasicBlock("b", inChannels: 16, outChannels: 24, stride: 2, rng: &rng))
            if !training {   // running statistics away from (0, 1), so eval mode normalises
                for (i, b) in net.buffers.enumerated() {
                    b.value = Tensor(shape: b.value.shape, data: b.value.data.map { $0 + 0.3 + 0.1 * Float(i % 3) })
                }
            }
            let x = Tensor.randn([4, 16, 16, 16], std: 2, rng: &rng)
            let (y, pb) = net.forward(x, ForwardContext(engine: engine, training: training))
            let dx = pb(Tensor.randn(y.shape, rng: &rng))
            return (y.data, net.parameters.map { $0.grad.data }, dx.data, net.buffers.map { $0.value.data })
        }
        for engine in [ReferenceEngine(), FastEngine(threads: 1), FastEngine(threads: 2)] as [any Kernels] {
            for training in [true, false] {
                let separate = run(engine, fused: false, training: training)
                let fused = run(engine, fused: true, training: training)
                let tag = "\(engine.name) threads \(engine.threads) training \(training)"
                XCTAssertEqual(fused.0, separate.0, "output \(tag)")
                XCTAssertEqual(fused.1, separate.1, "parameter gradients \(tag)")
                XCTAssertEqual(fused.2, separate.2, "input gradient \(tag)")
                XCTAssertEqual(fused.3, separate.3, "running statistics \(tag)")
            }
        }
    }
}
