// Reference SGD: two steps of momentum and Nesterov computed by hand (PyTorch semantics).

import XCTest
import TensorCore
import ReferenceEngine

final class SGDTests: XCTestCase {
    let ref = ReferenceEngine()

    /// Weights after each of `steps` steps from w = 1 with constant grad 0.5, lr 0.1, wd 0.1.
    private func run(momentum: Float, nesterov: Bool, weightDecay: Float = 0.1, steps: Int = 2) -> [Float] {
        var w: [Float] = [1], buf: [Float] = [0], out: [Float] = []
        for _ in 0..<steps {
            ref.sgdStep(weight: &w, grad: [0.5], momentumBuffer: &buf, lr: 0.1, momentum: momentum,
                        nesterov: nesterov, weightDecay: weightDecay)
            out.append(w[0])
        }
        return out
    }

    func testMomentum() {
        // g = 0.6, buf = 0.6, w = 0.94; g = 0.594, buf = 0.54 + 0.594 = 1.134, w = 0.8266.
        let w = run(momentum: 0.9, nesterov: false)
        XCTAssertEqual(w[0], 0.94, accuracy: 1e-6)
        XCTAssertEqual(w[1], 0.8266, accuracy: 1e-6)
    }

    func testNesterov() {
        // g = 0.6, buf = 0.6, step 0.6 + 0.54 = 1.14 → w = 0.886;
        // g = 0.5886, buf = 1.1286, step 0.5886 + 1.01574 = 1.60434 → w = 0.725566.
        let w = run(momentum: 0.9, nesterov: true)
        XCTAssertEqual(w[0], 0.886, accuracy: 1e-6)
        XCTAssertEqual(w[1], 0.725566, accuracy: 1e-6)
    }

    func testPlainStepWithoutMomentumOrDecay() {
        XCTAssertEqual(run(momentum: 0, nesterov: false, weightDecay: 0, steps: 2), [0.95, 0.9])
    }
}
