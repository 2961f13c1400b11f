// Global average pooling against the reference (and the forwarded general case).

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import TestSupport

final class FastEnginePoolingTests: FastEngineTestCase {
    func testAdaptiveAvgPoolMatchesReference() {
        for (shape, out) in [([2, 3, 7, 9], (1, 1)), ([9, 64, 8, 8], (1, 1)), ([2, 3, 7, 9], (2, 3))] {
            let x = randn(shape, seed: 1)
            let y = ref.adaptiveAvgPool2d(x, outH: out.0, outW: out.1)
            let dy = randn(y.shape, seed: 2)
            for fast in fastEngines {
                let tag = "\(shape) → \(out)"
                assertClose(fast.adaptiveAvgPool2d(x, outH: out.0, outW: out.1), y, rtol: 1e-5, atol: 1e-6, tag)
                assertClose(fast.adaptiveAvgPool2dBackward(inputShape: shape, dy: dy),
                            ref.adaptiveAvgPool2dBackward(inputShape: shape, dy: dy), rtol: 1e-5, atol: 1e-6, tag)
            }
        }
    }
}
