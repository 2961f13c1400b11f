// Max pooling: the fast kernels against the reference, bit for bit (maxima, indices, gradients),
// with ties, NaNs and −∞ in the windows.

import XCTest
import TensorCore
import FastEngine
import TestSupport

final class FastEngineMaxPoolTests: FastEngineTestCase {
    static let configs = [PoolConfig(kernel: 3, stride: 2, padding: 1), PoolConfig(kernel: 2), PoolConfig(kernel: 3, stride: 1, padding: 1),
                          PoolConfig(kernel: 3, stride: 2)]

    func testSameMaximaIndicesAndGradientsAsTheReference() {
        for (i, config) in Self.configs.enumerated() {
            for shape in [[2, 3, 9, 7], [1, 2, 8, 8], [3, 1, 5, 6]] {
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
}
