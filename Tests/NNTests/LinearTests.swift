import XCTest
import TensorCore
import ReferenceEngine
import NN
import TestSupport

final class LinearTests: XCTestCase {
    func testPyTorchDefaultInitBoundsAndNames() {
        var rng = SeededRNG(seed: 1)
        let fc = Linear("fc", inFeatures: 64, outFeatures: 10, rng: &rng)
        XCTAssertEqual(fc.parameters.map(\.name), ["fc.weight", "fc.bias"])
        XCTAssertEqual(fc.weight.value.shape, [10, 64])
        let bound: Float = 1 / 8
        XCTAssertTrue(fc.weight.value.data.allSatisfy { abs($0) <= bound })
        XCTAssertGreaterThan(fc.weight.value.maxAbs(), 0.9 * bound)  // uniform, not a narrower law
    }

    func testForwardValueAndMACs() {
        var rng = SeededRNG(seed: 2)
        let fc = Linear("fc", inFeatures: 2, outFeatures: 2, rng: &rng)
        fc.weight.value = Tensor(shape: [2, 2], data: [1, 2, 3, 4])
        fc.bias.value = Tensor(shape: [2], data: [0.5, -1])
        let ctx = ForwardContext(engine: ReferenceEngine(), training: false, countMACs: true)
        let y = fc(Tensor(shape: [1, 2], data: [1, -1]), ctx)
        assertClose(y, Tensor(shape: [1, 2], data: [-0.5, -2]))
        XCTAssertEqual(ctx.macs, 4)
    }

    func testGradientsMatchCentralDifferences() {
        var rng = SeededRNG(seed: 3)
        checkLayerGradients(Linear("fc", inFeatures: 5, outFeatures: 3, rng: &rng), input: Tensor.randn([4, 5], rng: &rng))
    }
}
