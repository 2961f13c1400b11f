// Reference batch norm: a known batch by hand, gradient checks in train and eval mode.

import XCTest
import TensorCore
import ReferenceEngine
import TestSupport

final class BatchNormTests: XCTestCase {
    let ref = ReferenceEngine()

    func testKnownBatchTrainMode() {
        // [N=2, C=2, 1, 2]: channel 0 holds {1,2,3,4} (μ 2.5, σ² 1.25), channel 1 {10,10,10,30} (μ 15, σ² 75).
        let x = Tensor(shape: [2, 2, 1, 2], data: [1, 2, 10, 10, 3, 4, 10, 30])
        let f = ref.batchNormTrain(x, gamma: Tensor(shape: [2], data: [2, 1]),
                                   beta: Tensor(shape: [2], data: [1, 0]), eps: 0)
        XCTAssertEqual(f.mean, [2.5, 15])
        XCTAssertEqual(f.variance, [1.25, 75])
        XCTAssertEqual(f.invStd[0], 1 / Float(1.25).squareRoot(), accuracy: 1e-6)
        let expected: [Float] = [-1.6832816, 0.1055728, -0.57735027, -0.57735027,
                                 1.8944272, 3.6832816, -0.57735027, 1.7320508]
        assertClose(f.y, Tensor(shape: x.shape, data: expected), rtol: 1e-6, atol: 1e-6)
    }

    func testEvalModeUsesRunningStatistics() {
        let one = { (v: Float) in Tensor(shape: [1], data: [v]) }
        let y = ref.batchNormEval(Tensor(shape: [1, 1, 1, 1], data: [3]), gamma: one(2), beta: one(0.5),
                                  runningMean: one(1), runningVar: one(3), eps: 1)
        XCTAssertEqual(y.data, [2.5])   // 2·(3 − 1)/√(3 + 1) + 0.5
    }

    func testTrainInputGradientOfSumIsZero() {
        // Why gradient checks use a random upstream: ∂Σ BN(x)/∂x ≡ 0 in train mode.
        var rng = SeededRNG(seed: 11)
        let x = Tensor.randn([3, 2, 2, 2], rng: &rng), gamma = Tensor.randn([2], rng: &rng)
        let f = ref.batchNormTrain(x, gamma: gamma, beta: Tensor(zeros: [2]), eps: 1e-5)
        let g = ref.batchNormTrainBackward(x, gamma: gamma, mean: f.mean, invStd: f.invStd,
                                           dy: Tensor(repeating: 1, shape: x.shape))
        XCTAssertLessThan(g.x.maxAbs(), 1e-5)
        XCTAssertEqual(g.bias.data, [12, 12])
    }

    func testTrainGradient() {
        var rng = SeededRNG(seed: 12)
        let inputs = [Tensor.randn([3, 2, 2, 3], rng: &rng), Tensor.uniform([2], 0.5, 1.5, rng: &rng),
                      Tensor.randn([2], rng: &rng)]
        let ref = self.ref
        checkGradient(of: { t in ref.batchNormTrain(t[0], gamma: t[1], beta: t[2], eps: 1e-5).y },
                      inputs: inputs, names: ["x", "gamma", "beta"], analytic: { t, dy in
                          let f = ref.batchNormTrain(t[0], gamma: t[1], beta: t[2], eps: 1e-5)
                          let g = ref.batchNormTrainBackward(t[0], gamma: t[1], mean: f.mean, invStd: f.invStd, dy: dy)
                          return [g.x, g.weight, g.bias]
                      }, seed: 12, eps: 1e-3, rtol: 1e-2, atol: 2e-3)
    }

    func testEvalGradient() {
        var rng = SeededRNG(seed: 13)
        let inputs = [Tensor.randn([2, 3, 3, 2], rng: &rng), Tensor.randn([3], rng: &rng), Tensor.randn([3], rng: &rng)]
        let mean = Tensor.randn([3], rng: &rng), variance = Tensor.uniform([3], 0.5, 2, rng: &rng)
        let ref = self.ref
        checkGradient(of: { t in ref.batchNormEval(t[0], gamma: t[1], beta: t[2], runningMean: mean,
                                                   runningVar: variance, eps: 1e-5) },
                      inputs: inputs, names: ["x", "gamma", "beta"], analytic: { t, dy in
                          let g = ref.batchNormEvalBackward(t[0], gamma: t[1], runningMean: mean,
                                                            runningVar: variance, eps: 1e-5, dy: dy)
                          return [g.x, g.weight, g.bias]
                      }, seed: 13)
    }
}
