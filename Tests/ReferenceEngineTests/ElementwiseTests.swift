// Reference add and dropout with a given mask.

import XCTest
import TensorCore
import ReferenceEngine
import TestSupport

final class ElementwiseTests: XCTestCase {
    let ref = ReferenceEngine()

    func testDropoutScalesKeptValues() {
        let x = Tensor(shape: [4], data: [1, 2, 3, 4]), mask: [Float] = [1, 0, 1, 0]
        XCTAssertEqual(ref.dropout(x, mask: mask, p: 0.5).data, [2, 0, 6, 0])
        XCTAssertEqual(ref.dropoutBackward(mask: mask, p: 0.5, dy: Tensor(repeating: 1, shape: [4])).data, [2, 0, 2, 0])
        XCTAssertEqual(ref.dropout(x, mask: [0, 0, 0, 0], p: 1).data, [0, 0, 0, 0])
    }

    func testDropoutGradient() {
        var rng = SeededRNG(seed: 71)
        let x = Tensor.randn([3, 7], rng: &rng)
        let mask = (0..<21).map { _ in Float(rng.uniform() < 0.7 ? 1 : 0) }
        let ref = self.ref
        checkGradient(of: { ref.dropout($0[0], mask: mask, p: 0.3) }, inputs: [x], names: ["x"],
                      analytic: { _, dy in [ref.dropoutBackward(mask: mask, p: 0.3, dy: dy)] }, seed: 71)
    }

    func testAddAndItsGradient() {
        XCTAssertEqual(ref.add(Tensor(shape: [2], data: [1, 2]), Tensor(shape: [2], data: [10, 20])).data, [11, 22])
        var rng = SeededRNG(seed: 72)
        let ref = self.ref
        checkGradient(of: { ref.add($0[0], $0[1]) }, inputs: [Tensor.randn([2, 3], rng: &rng), Tensor.randn([2, 3], rng: &rng)],
                      names: ["a", "b"], analytic: { _, dy in [dy, dy] }, seed: 72)
    }
}
