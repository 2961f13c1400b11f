// Batch norm and residual add with the activation fused in, against the reference's
// composition of the plain ops (train and eval, ReLU and ReLU6, forward and backward).

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import TestSupport

final class FastEngineFusedActivationTests: FastEngineTestCase {
    static let shapes: [[Int]] = [[2, 3, 5, 7], [9, 5, 7, 9], [16, 32, 16, 16]]
    static let activations: [FusedActivation] = [.relu, .relu6]

    func testTrainBatchNormActivationMatchesReference() {
        for (i, shape) in Self.shapes.enumerated() {
            for act in Self.activations {
                let s = UInt64(20 * i) + (act == .relu ? 0 : 7)
                // Scale 3 so ReLU6's upper kink is crossed too.
                let x = randn(shape, seed: s, std: 3), c = shape[1]
                let gamma = randn([c], seed: s + 1, std: 2), beta = randn([c], seed: s + 2), dy = randn(shape, seed: s + 3)
                let e = ref.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5, activation: act)
                let eg = ref.batchNormTrainBackward(x, y: e.y, gamma: gamma, beta: beta, mean: e.mean, invStd: e.invStd,
                                                    activation: act, dy: dy)
                for fast in fastEngines {
                    let tag = "\(shape) \(act) threads \(fast.threads)"
                    let f = fast.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5, activation: act)
                    assertClose(f.y, e.y, rtol: 1e-4, atol: 1e-4, "y \(tag)")
                    // Gate by the reference output so a value at a kink cannot flip between engines.
                    let g = fast.batchNormTrainBackward(x, y: e.y, gamma: gamma, beta: beta, mean: e.mean, invStd: e.invStd,
                                                        activation: act, dy: dy)
                    assertClose(g.x, eg.x, rtol: 1e-3, atol: 1e-4, "dx \(tag)")
                    assertClose(g.weight, eg.weight, rtol: 1e-4, atol: 1e-3, "dgamma \(tag)")
                    assertClose(g.bias, eg.bias, rtol: 1e-4, atol: 1e-3, "dbeta \(tag)")
                }
            }
        }
    }

    /// The fused kernels compute exactly what the fast engine's separate passes compute.
    func testFusedEqualsSeparatePassesBitForBit() {
        let shape = [8, 6, 9, 10]
        let x = randn(shape, seed: 3, std: 3), gamma = randn([6], seed: 4, std: 2), beta = randn([6], seed: 5)
        let dy = randn(shape, seed: 6), other = randn(shape, seed: 7, std: 3)
        for fast in fastEngines {
            for act in Self.activations {
                let plain = fast.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5)
                let fused = fast.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5, activation: act)
                XCTAssertEqual(fused.y, fast.activate(plain.y, act), "train forward \(act)")
                let separate = fast.batchNormTrainBackward(
                    x, gamma: gamma, mean: plain.mean, invStd: plain.invStd,
                    dy: fast.activationBackward(y: fused.y, dy: dy, activation: act))
                let together = fast.batchNormTrainBackward(x, y: fused.y, gamma: gamma, beta: beta, mean: plain.mean,
                                                           invStd: plain.invStd, activation: act, dy: dy)
                XCTAssertEqual(together.x, separate.x, "train backward dx \(act)")
                XCTAssertEqual(together.weight, separate.weight, "train backward dgamma \(act)")
                XCTAssertEqual(together.bias, separate.bias, "train backward dbeta \(act)")
                XCTAssertEqual(fast.add(x, other, activation: act), fast.activate(fast.add(x, other), act), "add \(act)")
            }
        }
    }

    /// A residual block's backward gated by its output y (identity shortcut): the batch norm's
    /// backward and the gradient sum read dy and y instead of g = act′(y)·dy — exactly the fast
    /// engine's separate passes, on the plane path and on the channel-lanes path (H·W < 8), and the
    /// reference's composition within tolerance.
    func testResidualGateEqualsSeparatePassesBitForBit() {
        for (i, shape) in [[8, 6, 9, 10], [4, 16, 2, 3], [3, 8, 1, 1], [2, 32, 16, 16]].enumerated() {
            let c = shape[1], s = UInt64(40 + 10 * i)
            let x = randn(shape, seed: s, std: 3), gamma = randn([c], seed: s + 1, std: 2), beta = randn([c], seed: s + 2)
            let dy = randn(shape, seed: s + 3), shortcut = randn(shape, seed: s + 4, std: 3), body = randn(shape, seed: s + 5)
            for fast in fastEngines {
                for act in Self.activations {
                    let tag = "\(shape) \(act) threads \(fast.threads)"
                    let f = fast.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5, residual: shortcut, activation: act)
                    let g = fast.activationBackward(y: f.y, dy: dy, activation: act)
                    XCTAssertGreaterThan(g.data.filter { $0 == 0 }.count, 0, "some of dy is gated off \(tag)")
                    let separate = fast.batchNormTrainBackward(x, gamma: gamma, mean: f.mean, invStd: f.invStd, dy: g)
                    let gated = fast.batchNormTrainBackward(x, gamma: gamma, mean: f.mean, invStd: f.invStd, dy: dy,
                                                            gatedByOutput: f.y, activation: act)
                    XCTAssertEqual(gated.x, separate.x, "dx \(tag)")
                    XCTAssertEqual(gated.weight, separate.weight, "dgamma \(tag)")
                    XCTAssertEqual(gated.bias, separate.bias, "dbeta \(tag)")
                    let expected = ref.batchNormTrainBackward(x, gamma: gamma, mean: f.mean, invStd: f.invStd,
                                                              dy: ref.activationBackward(y: f.y, dy: dy, activation: act))
                    assertClose(gated.x, expected.x, rtol: 1e-3, atol: 1e-4, "dx against the reference \(tag)")
                    var sum = body, gatedSum = body
                    fast.accumulate(&sum, g)
                    fast.accumulate(&gatedSum, dy, gatedByOutput: f.y, activation: act)
                    XCTAssertEqual(gatedSum, sum, "gradient sum \(tag)")
                }
            }
        }
    }

    func testEvalBatchNormActivationAndAddMatchReference() {
        for (i, shape) in Self.shapes.enumerated() {
            for act in Self.activations {
                let s = UInt64(30 * i) + (act == .relu ? 0 : 9)
                let x = randn(shape, seed: s, std: 3), c = shape[1], other = randn(shape, seed: s + 6, std: 3)
                let gamma = randn([c], seed: s + 1, std: 2), beta = randn([c], seed: s + 2)
                let rm = randn([c], seed: s + 4), rv = randn([c], seed: s + 5).map { $0 * $0 + 0.1 }
                let ey = ref.batchNormEval(x, gamma: gamma, beta: beta, runningMean: rm, runningVar: rv, eps: 1e-5,
                                           activation: act)
                let ea = ref.add(x, other, activation: act)
                for fast in fastEngines {
                    let tag = "\(shape) \(act) threads \(fast.threads)"
                    assertClose(fast.batchNormEval(x, gamma: gamma, beta: beta, runningMean: rm, runningVar: rv,
                                                   eps: 1e-5, activation: act), ey, rtol: 1e-4, atol: 1e-4, "eval \(tag)")
                    assertClose(fast.add(x, other, activation: act), ea, rtol: 1e-6, atol: 1e-6, "add \(tag)")
                }
            }
        }
    }

    /// Numerical check of the fused train backward (inputs kept away from the kinks of the output).
    func testFusedTrainGradientsPassNumericalCheck() {
        let fast = FastEngine(threads: 2)
        for act in Self.activations {
            var rng = SeededRNG(seed: 50)
            // Values spread well apart so BN(x) stays clear of 0 and 6 under ±eps perturbations.
            let x = GradCheck.distinctValues([3, 2, 4, 3], gap: 0.35, rng: &rng)
            let gamma = Tensor(shape: [2], data: [2.5, -3]), beta = Tensor(shape: [2], data: [0.3, 2.9])
            let pre = fast.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5).y
            let kinks: [Float] = act == .relu ? [0] : [0, 6]
            // ±eps moves BN(x) by < 1e-2: no value may sit that close to a kink.
            XCTAssertFalse(pre.data.contains { v in kinks.contains { abs(v - $0) < 1e-2 } }, "a value sits at a kink")
            XCTAssertTrue(pre.data.contains { $0 < 0 }, "the lower kink is not exercised")
            if act == .relu6 { XCTAssertTrue(pre.data.contains { $0 > 6 }, "ReLU6's upper kink is not exercised") }
            checkGradient(of: { t in fast.batchNormTrain(t[0], gamma: t[1], beta: t[2], eps: 1e-5, activation: act).y },
                          inputs: [x, gamma, beta], names: ["x", "gamma", "beta"],
                          analytic: { t, r in
                              let f = fast.batchNormTrain(t[0], gamma: t[1], beta: t[2], eps: 1e-5, activation: act)
                              let g = fast.batchNormTrainBackward(t[0], y: f.y, gamma: t[1], beta: t[2], mean: f.mean,
                                                                  invStd: f.invStd, activation: act, dy: r)
                              return [g.x, g.weight, g.bias]
                          }, eps: 1e-3, atol: 2e-3, "\(act)")
        }
    }
}
