// Reference ReLU / ReLU6: kink conventions by hand, gradient checks away from the kinks.

import XCTest
import TensorCore
import ReferenceEngine
import TestSupport

final class ActivationsTests: XCTestCase {
    let ref = ReferenceEngine()

    func testReluValuesAndKinkGradient() {
        let x = Tensor(shape: [4], data: [-1, 0, 2, .nan])
        let y = ref.relu(x)
        XCTAssertEqual(Array(y.data.prefix(3)), [0, 0, 2])
        XCTAssertTrue(y.data[3].isNaN)
        XCTAssertEqual(ref.reluBackward(x, dy: Tensor(repeating: 5, shape: [4])).data.prefix(3), [0, 0, 5])
    }

    func testRelu6ValuesAndKinkGradients() {
        let x = Tensor(shape: [5], data: [-1, 0, 3, 6, 7])
        XCTAssertEqual(ref.relu6(x).data, [0, 0, 3, 6, 6])
        XCTAssertEqual(ref.relu6Backward(x, dy: Tensor(repeating: 2, shape: [5])).data, [0, 0, 2, 0, 0])
    }

    func testReluGradient() {
        var rng = SeededRNG(seed: 21)
        let x = GradCheck.awayFromKinks(Tensor.randn([2, 3, 4, 4], rng: &rng), kinks: [0], margin: 0.05)
        let ref = self.ref
        checkGradient(of: { ref.relu($0[0]) }, inputs: [x], names: ["x"],
                      analytic: { t, dy in [ref.reluBackward(t[0], dy: dy)] }, seed: 21)
    }

    func testRelu6Gradient() {
        var rng = SeededRNG(seed: 22)
        let x = GradCheck.awayFromKinks(Tensor.uniform([2, 2, 5, 5], -2, 8, rng: &rng), kinks: [0, 6], margin: 0.05)
        let ref = self.ref
        let r = checkGradient(of: { ref.relu6($0[0]) }, inputs: [x], names: ["x"],
                              analytic: { t, dy in [ref.relu6Backward(t[0], dy: dy)] }, seed: 22)
        XCTAssertEqual(r.checked, 100)
    }
}
