// Max pooling: the fast kernels against the reference, bit for bit (maxima, indices, gradients),
// with ties, NaNs and −∞ in the windows; widths 16, 34 and 32 take the eight-lane stride-2 path
// (34: two blocks and a scalar column).

import XCTest
import TensorCore
import FastEngine
import TestSupport

final class FastEngineMaxPoolTests: FastEngineTestCase {
    static let configs = [PoolConfig(kernel: 3, stride: 2, padding: 1), PoolConfig(kernel: 2), PoolConfig(kernel: 3, stride: 1, padding: 1),
                          PoolConfig(kernel: 3, stride: 2)]

    func testSameMaximaIndicesAndGradientsAsTheReference() {
        for (i, config) in Self.configs.enumerated() {
            for shape in [[2, 3, 9, 7], [1, 2, 8, 8], [3, 1, 5, 6], [2, 3, 7, 16], [1, 2, 12, 34], [2, 2, 32, 32]] {
                // Values on a coarse grid (many ties), one NaN and one −∞ a plane.
                var x = randn(shape, seed: 500 + UInt64(i)).data.map { ($0 * 2).rounded() }
                let plane = shape[2] * shape[3]
                for p in 0..<(shape[0] * shape[1]) { x[p * plane + (p % plane)] = .nan; x[p * plane + plane - 1 - p % 3] = -.infinity }
                let input = Tensor(shape: shape, data: x)
                let r = ref.maxPool2d(input, config)
                let dy = randn(r.y.shape, seed: 520 + UInt64(i))
                let dxRef = ref.maxPool2dBackward(inputShape: shape, indices: r.indices, dy: dy)
                for engine in fastEngines {
                    let f = engine.maxPool2d(input, config)
                    let tag = "\(config) \(shape), \(engine.threads) threads"
                    XCTAssertEqual(f.y.data.map(\.bitPattern), r.y.data.map(\.bitPattern), "y \(tag)")
                    XCTAssertEqual(f.indices, r.indices, "indices \(tag)")
                    let dx = engine.maxPool2dBackward(inputShape: shape, indices: f.indices, dy: dy)
                    XCTAssertEqual(dx.data.map(\.bitPattern), dxRef.data.map(\.bitPattern), "dx \(tag)")
                }
            }
        }
    }

    /// The stems' pooling on the lanes path with the windows the rule is about: a plane of −∞ (the
    /// index stays at each window's first valid position, the left edge included), runs of NaN (the
    /// last NaN of a window wins), and ±0 ties (the first one stays).
    func testStemPoolingOnAwkwardPlanesMatchesTheReference() {
        let h = 9, w = 34, plane = h * w
        var x = [Float](repeating: -.infinity, count: plane)
        for e in 0..<plane {
            let nan = e % 5 == 0 || e % 7 == 3
            x.append(nan ? Float.nan : Float(e % 3))
        }
        for e in 0..<plane { x.append(e % 2 == 0 ? -0.0 : 0.0) }
        for v in randn([plane], seed: 530).data { x.append(v < -1 ? -Float.infinity : (v * 2).rounded()) }
        let input = Tensor(shape: [2, 2, h, w], data: x)
        let config = PoolConfig(kernel: 3, stride: 2, padding: 1)
        let r = ref.maxPool2d(input, config)
        for engine in fastEngines {
            let f = engine.maxPool2d(input, config)
            XCTAssertEqual(f.y.data.map(\.bitPattern), r.y.data.map(\.bitPattern), "y, \(engine.threads) threads")
            XCTAssertEqual(f.indices, r.indices, "indices, \(engine.threads) threads")
        }
    }
}
