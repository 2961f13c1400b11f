import XCTest
import TensorCore
import NN
import TestSupport

final class PoolingTests: XCTestCase {
    func testMaxPoolImageNetStemGeometry() {
        var rng = SeededRNG(seed: 1)
        let pool = MaxPool2d(kernel: 3, stride: 2, padding: 1)
        let x = Tensor.randn([1, 2, 112, 112], rng: &rng)
        XCTAssertEqual(pool(x, evalContext()).shape, [1, 2, 56, 56])
    }

    func testMaxPoolRoutesGradientToTheMaximum() {
        let x = Tensor(shape: [1, 1, 2, 2], data: [1, 5, 3, 2])
        let (y, pb) = MaxPool2d(kernel: 2).forward(x, trainContext())
        XCTAssertEqual(y.data, [5])
        XCTAssertEqual(pb(Tensor(shape: [1, 1, 1, 1], data: [2])).data, [0, 2, 0, 0])
    }

    func testAvgPoolAndGradient() {
        let x = Tensor(shape: [1, 1, 2, 2], data: [1, 5, 3, 3])
        let (y, pb) = AvgPool2d(kernel: 2).forward(x, trainContext())
        XCTAssertEqual(y.data, [3])
        XCTAssertEqual(pb(Tensor(shape: [1, 1, 1, 1], data: [4])).data, [1, 1, 1, 1])
    }

    func testAdaptiveGlobalPoolIsThePlaneMean() {
        var rng = SeededRNG(seed: 2)
        let x = Tensor.randn([2, 3, 5, 4], rng: &rng)
        let y = AdaptiveAvgPool2d()(x, evalContext())
        XCTAssertEqual(y.shape, [2, 3, 1, 1])
        let plane = x.data[20..<40].map(Double.init).reduce(0, +) / 20
        XCTAssertEqual(Double(y.data[1]), plane, accuracy: 1e-5)
        XCTAssertEqual(AdaptiveAvgPool2d(2)(x, evalContext()).shape, [2, 3, 2, 2])
    }

    func testAdaptivePoolGradientMatchesCentralDifferences() {
        var rng = SeededRNG(seed: 3)
        checkLayerGradients(AdaptiveAvgPool2d(outH: 2, outW: 3), input: Tensor.randn([1, 2, 5, 7], rng: &rng))
    }
}
