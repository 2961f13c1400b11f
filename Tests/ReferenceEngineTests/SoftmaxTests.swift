// Reference softmax / log-softmax with temperature and label-smoothed cross-entropy.

import XCTest
import TensorCore
import ReferenceEngine
import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class SoftmaxTests: XCTestCase {
    let ref = ReferenceEngine()
    let ln3 = Float(log(3.0))

    func testKnownProbabilitiesAndTemperature() {
        assertClose(ref.softmax(Tensor(shape: [1, 2], data: [0, ln3]), temperature: 1), Tensor(shape: [1, 2], data: [0.25, 0.75]))
        assertClose(ref.softmax(Tensor(shape: [1, 2], data: [0, 4 * ln3]), temperature: 4), Tensor(shape: [1, 2], data: [0.25, 0.75]))
        assertClose(ref.logSoftmax(Tensor(shape: [1, 2], data: [0, ln3]), temperature: 1),
                    Tensor(shape: [1, 2], data: [Float(log(0.25)), Float(log(0.75))]))
        // Large logits do not overflow.
        XCTAssertEqual(ref.softmax(Tensor(shape: [1, 2], data: [1000, 1000]), temperature: 1).data, [0.5, 0.5])
    }

    func testCrossEntropyByHand() {
        let logits = Tensor(shape: [1, 2], data: [0, ln3])
        let plain = ref.crossEntropy(logits, labels: [1], labelSmoothing: 0)
        XCTAssertEqual(plain.loss, Float(-log(0.75)), accuracy: 1e-6)
        assertClose(plain.dLogits, Tensor(shape: [1, 2], data: [0.25, -0.25]))
        // ε = 0.2, K = 2: 0.8·(−ln .75) + 0.2·(−ln .25 − ln .75)/2; q = [0.1, 0.9].
        let smooth = ref.crossEntropy(logits, labels: [1], labelSmoothing: 0.2)
        XCTAssertEqual(smooth.loss, 0.3975433, accuracy: 1e-6)
        assertClose(smooth.dLogits, Tensor(shape: [1, 2], data: [0.15, -0.15]))
    }

    private func checkSoftmax(log isLog: Bool, temperature t: Float, seed: UInt64, line: UInt = #line) {
        var rng = SeededRNG(seed: seed)
        let x = Tensor.randn([3, 5], std: 2, rng: &rng)
        let ref = self.ref
        let forward = { (x: Tensor) in isLog ? ref.logSoftmax(x, temperature: t) : ref.softmax(x, temperature: t) }
        checkGradient(of: { forward($0[0]) }, inputs: [x], names: ["x"], analytic: { xs, dy in
            let y = forward(xs[0])
            return [isLog ? ref.logSoftmaxBackward(y: y, temperature: t, dy: dy)
                          : ref.softmaxBackward(y: y, temperature: t, dy: dy)]
        }, seed: seed, eps: 1e-2, rtol: 1e-2, atol: 1e-3, line: line)
    }

    func testSoftmaxGradientT1() { checkSoftmax(log: false, temperature: 1, seed: 61) }
    func testSoftmaxGradientT4() { checkSoftmax(log: false, temperature: 4, seed: 62) }
    func testLogSoftmaxGradientT1() { checkSoftmax(log: true, temperature: 1, seed: 63) }
    func testLogSoftmaxGradientT4() { checkSoftmax(log: true, temperature: 4, seed: 64) }

    private func checkCrossEntropy(smoothing: Float, seed: UInt64, line: UInt = #line) {
        var rng = SeededRNG(seed: seed)
        let x = Tensor.randn([4, 6], std: 2, rng: &rng)
        let labels = (0..<4).map { _ in rng.int(below: 6) }
        let ref = self.ref
        checkGradient(of: { t in Tensor(shape: [1], data: [ref.crossEntropy(t[0], labels: labels, labelSmoothing: smoothing).loss]) },
                      inputs: [x], names: ["logits"], analytic: { t, up in
                          [ref.crossEntropy(t[0], labels: labels, labelSmoothing: smoothing).dLogits * up.data[0]]
                      }, seed: seed, eps: 1e-2, rtol: 1e-2, atol: 2e-4, line: line)
    }

    func testCrossEntropyGradient() { checkCrossEntropy(smoothing: 0, seed: 65) }
    func testCrossEntropyGradientLabelSmoothing() { checkCrossEntropy(smoothing: 0.1, seed: 66) }
}
