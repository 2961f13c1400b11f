// Feature taps: shapes and activation marks, and tap gradients in `backward`.

import XCTest
import TensorCore
import NN
import ReferenceEngine
import FastEngine
import Models
import TestSupport

final class FeatureTapTests: XCTestCase {
    func taps(_ name: String, input: Int = 32) throws -> [FeatureTap] {
        var rng = SeededRNG(seed: 0)
        let m = try ModelZoo.make(name, classes: 10, input: input, rng: &rng)
        return m.forward(Tensor(zeros: [1, 3, input, input]), ForwardContext(engine: FastEngine(), training: false)).taps
    }

    /// The AT pair of the reproduction lines up without pooling: 32², 16², 8², 4².
    func testCIFARResNet50AndMobileNetV2TapsLineUp() throws {
        let r50 = try taps("resnet50-w4")
        XCTAssertEqual(r50.map(\.value.shape), [[1, 64, 32, 32], [1, 128, 16, 16], [1, 256, 8, 8], [1, 512, 4, 4]])
        XCTAssertEqual(try taps("resnet50").map { $0.value.shape[1] }, [256, 512, 1024, 2048])
        let mv2 = try taps("mobilenetv2")
        XCTAssertEqual(mv2.map(\.value.shape), [[1, 24, 32, 32], [1, 32, 16, 16], [1, 96, 8, 8], [1, 320, 4, 4]])
        XCTAssertEqual(try taps("mobilenetv2-half").map { $0.value.shape[1] }, [12, 16, 48, 160])
        XCTAssertEqual(r50.map(\.name), ["stage1", "stage2", "stage3", "stage4"])
        XCTAssertTrue(r50.allSatisfy { $0.activation == .postActivation })
        XCTAssertTrue(mv2.allSatisfy { $0.activation == .preActivation })
    }

    func testTapCountsAndMarksPerFamily() throws {
        let wrn = try taps("wrn-16-2")
        XCTAssertEqual(wrn.map(\.value.shape), [[1, 32, 32, 32], [1, 64, 16, 16], [1, 128, 8, 8]])
        XCTAssertTrue(wrn.allSatisfy { $0.activation == .preActivation })
        XCTAssertEqual(try taps("resnet20").map(\.value.shape), [[1, 16, 32, 32], [1, 32, 16, 16], [1, 64, 8, 8]])
        XCTAssertEqual(try taps("resnet18", input: 224).map { $0.value.shape[2] }, [56, 28, 14, 7])
        XCTAssertEqual(try taps("mobilenetv2", input: 224).map { $0.value.shape[2] }, [56, 28, 14, 7])
        XCTAssertEqual(try taps("mobilenetv1", input: 224).map { $0.value.shape[2] }, [56, 28, 14, 7])
        XCTAssertEqual(try taps("mobilenetv1").map { $0.value.shape[1] }, [128, 256, 512, 1024])
    }

    /// A tap gradient is the same as a loss term on that tap: d/dθ Σ tap ⊙ r by central differences.
    func testTapGradientMatchesCentralDifferences() throws {
        var rng = SeededRNG(seed: 3)
        let m = try ModelZoo.make("resnet8-w8", classes: 3, rng: &rng)
        let x = Tensor.randn([2, 3, 6, 6], rng: &rng)
        let ctx = { ForwardContext(engine: ReferenceEngine(), training: false) }
        let out = m.forward(x, ctx())
        let r = Tensor.randn(out.taps[1].value.shape, rng: &rng)
        m.zeroGrad()
        _ = out.backward(Tensor(zeros: out.logits.shape), [nil, r])
        let p = m.parameters[0]  // conv1.weight: upstream of every tap
        XCTAssertTrue(m.parameters.last!.grad.maxAbs() == 0, "the head gets no gradient from a stage-2 tap")
        // NOTE: small steps: a 1e-2 step on a first-layer weight can push a ReLU input across 0.
        let h: Float = 1e-3
        for i in [0, 5, 17] {
            let saved = p.value.data[i]
            p.value.data[i] = saved + h
            let plus = m.forward(x, ctx()).taps[1].value.dot(r)
            p.value.data[i] = saved - h
            let minus = m.forward(x, ctx()).taps[1].value.dot(r)
            p.value.data[i] = saved
            let numeric = (plus - minus) / Double(2 * h)
            XCTAssertEqual(Double(p.grad.data[i]), numeric, accuracy: 1e-2 * max(1, abs(numeric)), "conv1.weight[\(i)]")
        }
    }

    func testMissingTapGradientsMeanNone() throws {
        var rng = SeededRNG(seed: 4)
        let m = try ModelZoo.make("wrn-10-1-w4", classes: 3, rng: &rng)
        let x = Tensor.randn([2, 3, 8, 8], rng: &rng)
        let out = m.forward(x, ForwardContext(engine: ReferenceEngine(), training: true))
        let d = Tensor.randn(out.logits.shape, rng: &rng)
        let a = out.backward(d, [])
        let b = out.backward(d, [nil, nil, nil])
        XCTAssertEqual(a, b)
    }
}
