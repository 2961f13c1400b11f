// Reference linear layer and matrix product: hand-computed products and a gradient check.

import XCTest
import TensorCore
import ReferenceEngine
import TestSupport

final class LinearTests: XCTestCase {
    let ref = ReferenceEngine()

    func testKnownProduct() {
        let y = ref.linear(Tensor(shape: [1, 2], data: [1, 2]), weight: Tensor(shape: [3, 2], data: [1, 0, 0, 1, 1, 1]),
                           bias: Tensor(shape: [3], data: [0, 1, 2]))
        XCTAssertEqual(y.shape, [1, 3])
        XCTAssertEqual(y.data, [1, 3, 5])
    }

    /// [[1, 2, 3], [4, 5, 6]] · [[1, 0], [0, 1], [1, −1]] = [[4, −1], [10, −1]], by hand.
    func testKnownMatrixProduct() {
        let y = ref.matmul(Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]), Tensor(shape: [3, 2], data: [1, 0, 0, 1, 1, -1]))
        XCTAssertEqual(y.shape, [2, 2])
        XCTAssertEqual(y.data, [4, -1, 10, -1])
    }

    func testGradient() {
        var rng = SeededRNG(seed: 41)
        let inputs = [Tensor.randn([4, 5], rng: &rng), Tensor.randn([3, 5], rng: &rng), Tensor.randn([3], rng: &rng)]
        let ref = self.ref
        checkGradient(of: { t in ref.linear(t[0], weight: t[1], bias: t[2]) }, inputs: inputs,
                      names: ["x", "weight", "bias"], analytic: { t, dy in
                          let g = ref.linearBackward(t[0], weight: t[1], dy: dy)
                          return [g.x, g.weight, g.bias]
                      }, seed: 41)
    }
}
