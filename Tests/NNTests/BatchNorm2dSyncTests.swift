import XCTest
import TensorCore
import NN
import ReferenceEngine
import TestSupport

/// Synchronised batch norm over in-process ranks equals one batch norm over the whole batch:
/// outputs, input gradients, γ/β gradients (summed over ranks, as the trainer's gradient sum does)
/// and running statistics — with shares of unequal size and with the fused ReLU.
final class BatchNorm2dSyncTests: XCTestCase {
    /// Rows `rows` of x [N,C,H,W].
    func rows(_ x: Tensor, _ rows: Range<Int>) -> Tensor {
        let per = x.count / x.shape[0]
        return Tensor(shape: [rows.count] + x.shape.dropFirst(), data: Array(x.data[(rows.lowerBound * per)..<(rows.upperBound * per)]))
    }

    func check(shares: [Int], activation: FusedActivation?, engine: any Kernels, c: Int = 3, h: Int = 4, w: Int = 5, file: StaticString = #filePath, line: UInt = #line) {
        var rng = SeededRNG(seed: 41)
        let n = shares.reduce(0, +)
        let noise = Tensor.randn([n, c, h, w], std: 2, rng: &rng)
        let x = Tensor(shape: noise.shape, data: noise.data.map { $0 + 0.7 })
        let upstream = Tensor.randn([n, c, h, w], std: 1, rng: &rng)  // random upstream, never sum()
        let gamma = Tensor.randn([c], std: 1, rng: &rng), beta = Tensor.randn([c], std: 1, rng: &rng)
        func layer() -> BatchNorm2d {
            let bn = BatchNorm2d("bn", channels: c)
            bn.weight.value = gamma; bn.bias.value = beta
            return bn
        }
        // One process, the whole batch.
        let whole = layer()
        let (y, back) = whole.forward(x, ForwardContext(engine: engine, training: true), activation: activation)
        let dx = back(upstream)

        // The same batch in shares over ranks.
        let starts = shares.indices.map { shares[..<$0].reduce(0, +) }
        let hub = ThreadGroupHub(size: shares.count)
        let results = hub.run { member -> (Tensor, Tensor, BatchNorm2d) in
            let r = member.rank, range = starts[r]..<(starts[r] + shares[r])
            let bn = layer()
            let ctx = ForwardContext(engine: engine, training: true)
            ctx.batchStatisticsGroup = member
            let (yr, backr) = bn.forward(self.rows(x, range), ctx, activation: activation)
            return (yr, backr(self.rows(upstream, range)), bn)
        }.map { try! $0.get() }
        let ys = Tensor(shape: y.shape, data: results.flatMap { $0.0.data })
        let dxs = Tensor(shape: dx.shape, data: results.flatMap { $0.1.data })
        assertClose(ys, y, rtol: 1e-5, atol: 1e-5, file: file, line: line)
        assertClose(dxs, dx, rtol: 1e-4, atol: 1e-5, file: file, line: line)
        let dGamma = results.map { $0.2.weight.grad }.reduce(Tensor(zeros: [c])) { $0 + $1 }
        let dBeta = results.map { $0.2.bias.grad }.reduce(Tensor(zeros: [c])) { $0 + $1 }
        assertClose(dGamma, whole.weight.grad, rtol: 1e-4, atol: 1e-4, file: file, line: line)
        assertClose(dBeta, whole.bias.grad, rtol: 1e-4, atol: 1e-4, file: file, line: line)
        for r in results {
            assertClose(r.2.runningMean.value, whole.runningMean.value, rtol: 1e-5, atol: 1e-6, file: file, line: line)
            assertClose(r.2.runningVar.value, whole.runningVar.value, rtol: 1e-5, atol: 1e-6, file: file, line: line)
        }
    }

    func testTwoEqualSharesMatchTheWholeBatch() {
        check(shares: [3, 3], activation: nil, engine: ReferenceEngine())
        check(shares: [3, 3], activation: nil, engine: TestEngines.fast(threads: 1))
    }

    func testUnequalSharesAndFusedReLU() {
        check(shares: [1, 4, 2], activation: .relu, engine: ReferenceEngine())
        check(shares: [2, 5], activation: .relu6, engine: TestEngines.fast(threads: 1))
    }

    /// A stem-sized layer (8 × 16 × 32 × 32) through the fast engine's vector paths.
    func testStemSizedLayerOnTheFastEngine() {
        check(shares: [8], activation: .relu, engine: TestEngines.fast(threads: 1), c: 16, h: 32, w: 32)
        check(shares: [8], activation: nil, engine: TestEngines.fast(threads: 1), c: 16, h: 32, w: 32)
    }

    func testOneRankIsPlainBatchNorm() {
        check(shares: [5], activation: .relu, engine: ReferenceEngine())
    }

    /// Without synchronisation the shares normalise by their own statistics: the comparison above
    /// must see that (it is not a test that passes whatever the layer does).
    func testPerShareStatisticsDiffer() {
        var rng = SeededRNG(seed: 3)
        let x = Tensor.randn([4, 2, 3, 3], std: 1, rng: &rng)
        var shifted = x
        for i in 0..<(shifted.count / 2) { shifted.data[i] += 3 }  // the first two images differ in mean
        let bn = BatchNorm2d("bn", channels: 2)
        let ctx = ForwardContext(engine: ReferenceEngine(), training: true)
        let whole = bn.forward(shifted, ctx).0
        let firstHalf = BatchNorm2d("bn", channels: 2).forward(rows(shifted, 0..<2), ctx).0
        XCTAssertGreaterThan(zip(firstHalf.data, whole.data).map { abs($0 - $1) }.max()!, 0.5)
    }
}
