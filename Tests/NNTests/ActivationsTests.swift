import XCTest
import TensorCore
import NN
import TestSupport

final class ActivationsTests: XCTestCase {
    func testReLUAndPullback() {
        let x = Tensor(shape: [1, 4], data: [-1, 0, 2, 7])
        let (y, pb) = ReLU().forward(x, trainContext())
        XCTAssertEqual(y.data, [0, 0, 2, 7])
        XCTAssertEqual(pb(Tensor(shape: [1, 4], data: [1, 2, 3, 4])).data, [0, 0, 3, 4])
    }

    func testReLU6ClipsAndBlocksGradientOutside() {
        let x = Tensor(shape: [1, 4], data: [-1, 3, 6, 7])
        let (y, pb) = ReLU6().forward(x, trainContext())
        XCTAssertEqual(y.data, [0, 3, 6, 6])
        XCTAssertEqual(pb(Tensor(shape: [1, 4], data: [1, 2, 3, 4])).data, [0, 2, 0, 0])
    }
}
