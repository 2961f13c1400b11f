import XCTest
import TensorCore
import NN
import TestSupport

final class SequentialTests: XCTestCase {
    func testParametersAndBuffersInLayerOrder() {
        var rng = SeededRNG(seed: 1)
        let s = Sequential(Conv2d("conv1", inChannels: 3, outChannels: 4, kernelSize: 3, rng: &rng),
                           BatchNorm2d("bn1", channels: 4), ReLU(), Flatten())
        XCTAssertEqual(s.parameters.map(\.name), ["conv1.weight", "bn1.weight", "bn1.bias"])
        XCTAssertEqual(s.buffers.map(\.name), ["bn1.running_mean", "bn1.running_var"])
    }

    func testFlattenKeepsTheBatchAndRestoresShape() {
        let x = Tensor(shape: [2, 3, 2, 2], data: (0..<24).map(Float.init))
        let (y, pb) = Flatten().forward(x, trainContext())
        XCTAssertEqual(y.shape, [2, 12])
        XCTAssertEqual(pb(y), x)
    }

    func testChainGradientMatchesCentralDifferences() {
        var rng = SeededRNG(seed: 2)
        let s = Sequential(Conv2d("c", inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, bias: true, rng: &rng),
                           AvgPool2d(kernel: 2), Flatten(), Linear("fc", inFeatures: 12, outFeatures: 2, rng: &rng))
        checkLayerGradients(s, input: Tensor.randn([2, 2, 4, 4], rng: &rng))
    }

    func testIdentityPassesThrough() {
        let x = Tensor(shape: [1, 2], data: [1, 2])
        let (y, pb) = Identity().forward(x, trainContext())
        XCTAssertEqual(y, x)
        XCTAssertEqual(pb(x), x)
    }
}
