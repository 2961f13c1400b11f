// resnet50-w4 must learn a learnable synthetic task with the trainer's SGD settings.

import XCTest
import TensorCore
import NN
import FastEngine
import Models
import TestSupport

final class ResNet50TrainabilityTests: XCTestCase {
    /// 10 classes, each a fixed random 3×16×16 pattern (×0.5) plus unit noise; batch 32,
    /// SGD lr 0.05, momentum 0.9 Nesterov, wd 5e-4 (the trainer's defaults). Per-step losses.
    func losses(_ name: String, steps: Int = 30, input: Int = 16) throws -> [Float] {
        var rng = SeededRNG(seed: 3)
        let m = try ModelZoo.make(name, classes: 10, input: input, rng: &rng)
        let protos = (0..<10).map { _ in Tensor.randn([3, input, input], rng: &rng) }
        let engine = FastEngine()
        let params = m.parameters
        var buffers = params.map { [Float](repeating: 0, count: $0.value.count) }
        var out: [Float] = []
        for _ in 0..<steps {
            var data: [Float] = [], labels: [Int] = []
            for _ in 0..<32 {
                let c = Int(rng.next() % 10)
                labels.append(c)
                data += zip(protos[c].data, Tensor.randn([3, input, input], rng: &rng).data).map { $0 * 0.5 + $1 }
            }
            let f = m.forward(Tensor(shape: [32, 3, input, input], data: data), ForwardContext(engine: engine, training: true))
            let (loss, dLogits) = engine.crossEntropy(f.logits, labels: labels, labelSmoothing: 0)
            out.append(loss)
            m.zeroGrad()
            _ = f.backward(dLogits, [])
            for i in params.indices {
                engine.sgdStep(weight: &params[i].value.data, grad: params[i].grad.data, momentumBuffer: &buffers[i],
                               lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 5e-4)
            }
        }
        return out
    }

    /// Before bn3 was zero-initialised the loss went 2.4 → 27 in 6 steps and was still ≈ 3.5 after 30.
    func testResNet50W4LossHalvesIn30Steps() throws {
        let l = try losses("resnet50-w4")
        let last = l.suffix(5).reduce(0, +) / 5
        XCTAssertLessThan(l.max()!, 4, "diverged: \(l)")
        XCTAssertLessThan(last, 0.6 * l[0], "did not learn: \(l)")
    }

    func testBottleneckLastBNStartsAtZeroGamma() throws {
        var rng = SeededRNG(seed: 0)
        for name in ["resnet50-w4", "resnet50-w4-awconv"] {
            let m = try ModelZoo.make(name, classes: 10, input: 32, rng: &rng)
            let bn3 = m.parameters.filter { $0.name.hasSuffix(".bn3.weight") }
            XCTAssertEqual(bn3.count, 16, name)
            XCTAssertTrue(bn3.allSatisfy { $0.value.maxAbs() == 0 }, name)
            let others = m.parameters.filter { $0.name.hasSuffix("bn1.weight") || $0.name.hasSuffix("downsample.1.weight") }
            XCTAssertTrue(others.allSatisfy { $0.value.data.allSatisfy { $0 == 1 } }, name)
        }
    }
}
