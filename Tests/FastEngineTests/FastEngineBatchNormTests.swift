// Batch norm (train and eval, forward and backward) against the reference.

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import TestSupport

final class FastEngineBatchNormTests: FastEngineTestCase {
    /// Shapes, and an offset added to x: 100 exposes E[x²] − E[x]² cancellation. The last two
    /// have channels of several 4096-value flushes: 4 × 4 planes, and planes with a scalar tail.
    static let cases: [([Int], Float)] = [
        ([2, 3, 5, 7], 0), ([9, 5, 7, 9], 0), ([1, 4, 1, 1], 0) /* m = 1 */, ([3, 6, 4, 4], 100),
        ([16, 32, 16, 16], 0), ([300, 3, 4, 4], 50), ([40, 2, 13, 11], 0), ([64, 7, 32, 32], 0),
    ]

    /// Channels go through the passes in blocks sized to L2 ([64, 7, 32, 32]: blocks of 2 channels
    /// forward, 1 backward), image by image; each channel's sums keep their order, so the results
    /// do not depend on the blocks or on the thread count: 1 and 2 threads give the same bits.
    func testBlockedPassesGiveTheSameBitsAtEveryThreadCount() {
        let shape = [64, 7, 32, 32]
        let x = randn(shape, seed: 70), gamma = randn([7], seed: 71), beta = randn([7], seed: 72)
        let dy = randn(shape, seed: 73)
        var outputs: [[Float]] = []
        for fast in fastEngines {
            let f = fast.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5, activation: .relu6)
            let g = fast.batchNormTrainBackward(x, y: f.y, gamma: gamma, beta: beta, mean: f.mean, invStd: f.invStd,
                                                activation: .relu6, dy: dy)
            outputs.append(f.y.data + f.mean + f.variance + g.x.data + g.weight.data + g.bias.data)
        }
        XCTAssertEqual(fastEngines.map(\.threads), [1, 2])
        XCTAssertEqual(outputs[0], outputs[1])
    }

    /// The passes feed two channels at a time in lockstep (`ChannelReductionState.addPair`) and an
    /// odd last channel alone; each channel must get the bits it gets when it is the only channel.
    /// 13 × 11 planes have 16-lane steps, an 8-lane step and a scalar tail; 4 × 4 planes flush
    /// mid-channel.
    func testChannelsInPairsGiveTheBitsOfEachChannelAlone() {
        for (i, shape) in [[40, 5, 13, 11], [300, 3, 4, 4], [6, 4, 32, 32]].enumerated() {
            let (n, c, hw) = (shape[0], shape[1], shape[2] * shape[3])
            let x = randn(shape, seed: 90 + UInt64(i)), dy = randn(shape, seed: 95 + UInt64(i))
            let gamma = randn([c], seed: 100 + UInt64(i)), beta = randn([c], seed: 105 + UInt64(i))
            func channel(_ t: Tensor, _ ch: Int) -> Tensor {
                var data: [Float] = []
                for img in 0..<n {
                    let start: Int = (img * c + ch) * hw
                    data += t.data[start..<(start + hw)]
                }
                return Tensor(shape: [n, 1, shape[2], shape[3]], data: data)
            }
            for fast in fastEngines {
                let f = fast.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5, activation: .relu)
                let g = fast.batchNormTrainBackward(x, y: f.y, gamma: gamma, beta: beta, mean: f.mean, invStd: f.invStd,
                                                    activation: .relu, dy: dy)
                for ch in 0..<c {
                    let g1 = Tensor(shape: [1], data: [gamma.data[ch]]), b1 = Tensor(shape: [1], data: [beta.data[ch]])
                    let f1 = fast.batchNormTrain(channel(x, ch), gamma: g1, beta: b1, eps: 1e-5, activation: .relu)
                    let d1 = fast.batchNormTrainBackward(channel(x, ch), y: f1.y, gamma: g1, beta: b1, mean: f1.mean,
                                                         invStd: f1.invStd, activation: .relu, dy: channel(dy, ch))
                    let at = "\(shape) channel \(ch), \(fast.threads) threads"
                    XCTAssertEqual([f.mean[ch], f.variance[ch], f.invStd[ch]], f1.mean + f1.variance + f1.invStd, at)
                    XCTAssertEqual(channel(f.y, ch).data, f1.y.data, "y \(at)")
                    XCTAssertEqual(channel(g.x, ch).data, d1.x.data, "dx \(at)")
                    XCTAssertEqual([g.weight.data[ch], g.bias.data[ch]], d1.weight.data + d1.bias.data, "dγ, dβ \(at)")
                }
            }
        }
    }

    func testTrainForwardAndBackwardMatchReference() {
        for (i, (shape, offset)) in Self.cases.enumerated() {
            let s = UInt64(10 * i)
            let x = randn(shape, seed: s).map { $0 + offset }
            let c = shape[1]
            let gamma = randn([c], seed: s + 1), beta = randn([c], seed: s + 2), dy = randn(shape, seed: s + 3)
            let ey = ref.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5)
            let eg = ref.batchNormTrainBackward(x, gamma: gamma, mean: ey.mean, invStd: ey.invStd, dy: dy)
            for fast in fastEngines {
                let tag = "\(shape) offset \(offset) threads \(fast.threads)"
                let y = fast.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5)
                assertClose(y.y, ey.y, rtol: 1e-4, atol: 1e-4, "y \(tag)")
                assertClose(Tensor(shape: [c], data: y.mean), Tensor(shape: [c], data: ey.mean), "mean \(tag)")
                assertClose(Tensor(shape: [c], data: y.variance), Tensor(shape: [c], data: ey.variance),
                            "variance \(tag)")
                assertClose(Tensor(shape: [c], data: y.invStd), Tensor(shape: [c], data: ey.invStd),
                            rtol: 1e-3, "invStd \(tag)")
                let g = fast.batchNormTrainBackward(x, gamma: gamma, mean: ey.mean, invStd: ey.invStd, dy: dy)
                assertClose(g.x, eg.x, rtol: 1e-3, atol: 1e-4, "dx \(tag)")
                assertClose(g.weight, eg.weight, rtol: 1e-4, atol: 1e-3, "dgamma \(tag)")
                assertClose(g.bias, eg.bias, rtol: 1e-4, atol: 1e-3, "dbeta \(tag)")
            }
        }
    }

    func testEvalForwardAndBackwardMatchReference() {
        for (i, (shape, offset)) in Self.cases.enumerated() {
            let s = UInt64(10 * i + 5)
            let x = randn(shape, seed: s).map { $0 + offset }
            let c = shape[1]
            let gamma = randn([c], seed: s + 1), beta = randn([c], seed: s + 2), dy = randn(shape, seed: s + 3)
            let rm = randn([c], seed: s + 4).map { $0 + offset }, rv = randn([c], seed: s + 5).map { $0 * $0 + 0.1 }
            let ey = ref.batchNormEval(x, gamma: gamma, beta: beta, runningMean: rm, runningVar: rv, eps: 1e-5)
            let eg = ref.batchNormEvalBackward(x, gamma: gamma, runningMean: rm, runningVar: rv, eps: 1e-5, dy: dy)
            for fast in fastEngines {
                let tag = "\(shape) threads \(fast.threads)"
                assertClose(fast.batchNormEval(x, gamma: gamma, beta: beta, runningMean: rm, runningVar: rv, eps: 1e-5),
                            ey, rtol: 1e-4, atol: 1e-4, "y \(tag)")
                let g = fast.batchNormEvalBackward(x, gamma: gamma, runningMean: rm, runningVar: rv, eps: 1e-5, dy: dy)
                assertClose(g.x, eg.x, rtol: 1e-4, atol: 1e-5, "dx \(tag)")
                assertClose(g.weight, eg.weight, rtol: 1e-4, atol: 1e-3, "dgamma \(tag)")
                assertClose(g.bias, eg.bias, rtol: 1e-4, atol: 1e-3, "dbeta \(tag)")
            }
        }
    }

    func testTrainGradientsPassNumericalCheck() {
        let fast = FastEngine(threads: 2)
        let x = randn([3, 4, 5, 3], seed: 42), gamma = randn([4], seed: 43), beta = randn([4], seed: 44)
        checkGradient(of: { t in fast.batchNormTrain(t[0], gamma: t[1], beta: t[2], eps: 1e-5).y },
                      inputs: [x, gamma, beta], names: ["x", "gamma", "beta"],
                      analytic: { t, r in
                          let f = fast.batchNormTrain(t[0], gamma: t[1], beta: t[2], eps: 1e-5)
                          let g = fast.batchNormTrainBackward(t[0], gamma: t[1], mean: f.mean, invStd: f.invStd, dy: r)
                          return [g.x, g.weight, g.bias]
                      })
    }
}
