import XCTest
import TensorCore
import ReferenceEngine
import NN
import Optim

final class SGDTests: XCTestCase {
    /// Two steps with a constant gradient; expected values printed by
    /// `torch.optim.SGD(lr=0.1, momentum=0.9, nesterov=..., weight_decay=...)`, torch 2.13.0.
    func testMatchesPyTorchTwoSteps() {
        for (nesterov, wd, expected) in [(true, Float(0.01), [Float(0.7650741338729858), -2.1059470176696777]),
                                         (false, Float(0), [Float(0.8549999594688416), -2.072499990463257])] {
            let p = Parameter("w", Tensor(shape: [2], data: [1, -2]))
            let sgd = SGD(parameters: [p], momentum: 0.9, nesterov: nesterov, weightDecay: wd)
            for _ in 0..<2 {
                p.grad = Tensor(shape: [2], data: [0.5, 0.25])
                sgd.step(lr: 0.1, engine: ReferenceEngine())
            }
            XCTAssertEqual(p.value.data[0], expected[0], accuracy: 1e-6)
            XCTAssertEqual(p.value.data[1], expected[1], accuracy: 1e-6)
        }
    }

    func testNoDecayParameterIgnoresWeightDecay() {
        let p = Parameter("bn.weight", Tensor(shape: [1], data: [1]), decay: false)
        let sgd = SGD(parameters: [p], momentum: 0, nesterov: false, weightDecay: 0.5)
        p.grad = Tensor(shape: [1], data: [0])
        sgd.step(lr: 1, engine: ReferenceEngine())
        XCTAssertEqual(p.value.data, [1])
    }

    func testStateRoundTrip() throws {
        let p = Parameter("w", Tensor(shape: [2], data: [1, 2]))
        let a = SGD(parameters: [p])
        p.grad = Tensor(shape: [2], data: [1, 1])
        a.step(lr: 0.1, engine: ReferenceEngine())
        let b = SGD(parameters: [p])
        try b.restore(from: Dictionary(uniqueKeysWithValues: a.stateTensors()))
        XCTAssertEqual(a.buffers, b.buffers)
        XCTAssertThrowsError(try b.restore(from: [:])) { XCTAssert("\($0)".contains("w.momentum")) }
    }
}
