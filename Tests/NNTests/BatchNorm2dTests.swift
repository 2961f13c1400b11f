import XCTest
import TensorCore
import ReferenceEngine
import NN
import TestSupport

final class BatchNorm2dTests: XCTestCase {
    func testNamesAndInitialState() {
        let bn = BatchNorm2d("bn1", channels: 3)
        XCTAssertEqual(bn.parameters.map(\.name), ["bn1.weight", "bn1.bias"])
        XCTAssertEqual(bn.buffers.map(\.name), ["bn1.running_mean", "bn1.running_var"])
        XCTAssertEqual(bn.weight.value.data, [1, 1, 1])
        XCTAssertEqual(bn.bias.value.data, [0, 0, 0])
        XCTAssertEqual(bn.runningMean.value.data, [0, 0, 0])
        XCTAssertEqual(bn.runningVar.value.data, [1, 1, 1])
    }

    /// PyTorch: running = 0.9·old + 0.1·batch, variance unbiased (÷ (n − 1)).
    func testRunningStatisticsUseUnbiasedVariance() {
        let bn = BatchNorm2d("bn", channels: 2)
        // channel 0: values 1, 2, 3, 6 → mean 3, Σ(x−μ)² = 14 → unbiased 14/3; channel 1: all 5 → var 0.
        let x = Tensor(shape: [2, 2, 1, 2], data: [1, 2, 5, 5, 3, 6, 5, 5])
        _ = bn(x, trainContext())
        XCTAssertEqual(bn.runningMean.value.data[0], 0.1 * 3, accuracy: 1e-6)
        XCTAssertEqual(bn.runningMean.value.data[1], 0.1 * 5, accuracy: 1e-6)
        XCTAssertEqual(bn.runningVar.value.data[0], 0.9 + 0.1 * 14 / 3, accuracy: 1e-5)
        XCTAssertEqual(bn.runningVar.value.data[1], 0.9, accuracy: 1e-6)
        _ = bn(x, trainContext())
        XCTAssertEqual(bn.runningMean.value.data[0], 0.9 * 0.3 + 0.3, accuracy: 1e-6)
    }

    func testEvalModeUsesRunningStatisticsAndLeavesThem() {
        let bn = BatchNorm2d("bn", channels: 1)
        bn.runningMean.value = Tensor(shape: [1], data: [2])
        bn.runningVar.value = Tensor(shape: [1], data: [4])
        bn.weight.value = Tensor(shape: [1], data: [3])
        bn.bias.value = Tensor(shape: [1], data: [1])
        let y = bn(Tensor(shape: [1, 1, 1, 2], data: [4, 0]), evalContext())
        let s = 1 / (4 + Float(1e-5)).squareRoot()
        assertClose(y, Tensor(shape: [1, 1, 1, 2], data: [3 * 2 * s + 1, 3 * -2 * s + 1]))
        XCTAssertEqual(bn.runningMean.value.data, [2])
    }

    func testTrainGradientsMatchCentralDifferences() {
        var rng = SeededRNG(seed: 7)
        let bn = BatchNorm2d("bn", channels: 3)
        bn.weight.value = Tensor.uniform([3], 0.5, 1.5, rng: &rng)
        bn.bias.value = Tensor.uniform([3], -0.5, 0.5, rng: &rng)
        checkLayerGradients(bn, input: Tensor.randn([3, 3, 2, 3], std: 2, rng: &rng), eps: 1e-2)
    }

    func testEvalGradientsMatchCentralDifferences() {
        var rng = SeededRNG(seed: 8)
        let bn = BatchNorm2d("bn", channels: 2)
        bn.runningMean.value = Tensor(shape: [2], data: [0.3, -0.2])
        bn.runningVar.value = Tensor(shape: [2], data: [0.7, 1.9])
        bn.weight.value = Tensor(shape: [2], data: [1.3, 0.6])
        checkLayerGradients(bn, input: Tensor.randn([2, 2, 3, 3], rng: &rng), training: false)
    }
}
