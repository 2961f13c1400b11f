// The eight-channels-in-lanes batch norm on planes below 8 values against the plane passes (bit for
// bit) and against the reference engine.

import XCTest
import TensorCore
import FastEngine
import TestSupport

final class BatchNormChannelLanesTests: FastEngineTestCase {
    /// 2 × 2, 1 × 1 and odd-sized planes; n·hw past 4096 so the Float sums are flushed mid-channel.
    static let cases: [(n: Int, c: Int, h: Int, w: Int)] = [(3, 16, 2, 2), (5, 8, 1, 1), (2, 24, 1, 3), (1200, 8, 2, 2),
                                                            (4, 8, 1, 7)]

    override func tearDown() {
        FastEngine.useBatchNormChannelLanes = true
        super.tearDown()
    }

    /// `body` with the lanes, then with the plane passes.
    func bothPaths<T>(_ body: () -> T) -> (lanes: T, planes: T) {
        FastEngine.useBatchNormChannelLanes = true
        let a = body()
        FastEngine.useBatchNormChannelLanes = false
        defer { FastEngine.useBatchNormChannelLanes = true }
        return (a, body())
    }

    func testTrainForwardAndBackwardSameBitsAsThePlanePasses() {
        for (i, cs) in Self.cases.enumerated() {
            let shape = [cs.n, cs.c, cs.h, cs.w]
            // A mean far from 0 for some channels: the two-pass variance must match too.
            let x = Tensor(shape: shape, data: randn(shape, seed: 400 + UInt64(i)).data.enumerated().map { $1 + Float($0 % 3) })
            let gamma = randn([cs.c], seed: 410 + UInt64(i)), beta = randn([cs.c], seed: 420 + UInt64(i))
            let residual = randn(shape, seed: 430 + UInt64(i))
            let dy = randn(shape, seed: 440 + UInt64(i))
            for engine in fastEngines {
                let tag = "\(cs), \(engine.threads) threads"
                let plain = bothPaths { engine.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5) }
                assertSameBits(plain.lanes.y.data, plain.planes.y.data, "y \(tag)")
                assertSameBits(plain.lanes.mean, plain.planes.mean, "mean \(tag)")
                assertSameBits(plain.lanes.variance, plain.planes.variance, "variance \(tag)")
                assertSameBits(plain.lanes.invStd, plain.planes.invStd, "invStd \(tag)")
                let r = ref.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5)
                assertClose(plain.lanes.y, r.y, rtol: 1e-4, atol: 1e-4, "y \(tag) vs reference")
                for act in [FusedActivation.relu, .relu6] {
                    let f = bothPaths { engine.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5, activation: act) }
                    assertSameBits(f.lanes.y.data, f.planes.y.data, "\(act) y \(tag)")
                    let fr = bothPaths {
                        engine.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5, residual: residual, activation: act)
                    }
                    assertSameBits(fr.lanes.y.data, fr.planes.y.data, "\(act) + residual y \(tag)")
                    let g = bothPaths {
                        engine.batchNormTrainBackward(x, y: f.planes.y, gamma: gamma, beta: beta, mean: f.planes.mean,
                                                      invStd: f.planes.invStd, activation: act, dy: dy)
                    }
                    assertSameBits(g.lanes.x.data, g.planes.x.data, "\(act) dx \(tag)")
                    assertSameBits(g.lanes.weight.data, g.planes.weight.data, "\(act) dγ \(tag)")
                    assertSameBits(g.lanes.bias.data, g.planes.bias.data, "\(act) dβ \(tag)")
                }
                let g = bothPaths {
                    engine.batchNormTrainBackward(x, gamma: gamma, mean: plain.planes.mean, invStd: plain.planes.invStd, dy: dy)
                }
                assertSameBits(g.lanes.x.data, g.planes.x.data, "dx \(tag)")
                assertSameBits(g.lanes.weight.data, g.planes.weight.data, "dγ \(tag)")
                assertSameBits(g.lanes.bias.data, g.planes.bias.data, "dβ \(tag)")
                let rg = ref.batchNormTrainBackward(x, gamma: gamma, mean: r.mean, invStd: r.invStd, dy: dy)
                assertClose(g.lanes.x, rg.x, rtol: 1e-3, atol: 1e-4, "dx \(tag) vs reference")
                assertClose(g.lanes.weight, rg.weight, rtol: 1e-3, atol: 1e-3, "dγ \(tag) vs reference")
            }
        }
    }
}
