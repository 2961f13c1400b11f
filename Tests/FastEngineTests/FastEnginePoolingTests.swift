// Adaptive average pooling against the reference: global and k×k (overlapping) bins, 8 planes a
// vector included; the backward added into another gradient (the AW-convolution's) against the two ops.

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import TestSupport

final class FastEnginePoolingTests: FastEngineTestCase {
    func testAdaptiveAvgPoolMatchesReference() {
        for (shape, out) in [([2, 3, 7, 9], (1, 1)), ([9, 64, 8, 8], (1, 1)), ([2, 3, 7, 9], (2, 3)),
                            ([6, 32, 8, 8], (3, 3)), ([4, 16, 4, 4], (3, 3)), ([3, 8, 32, 32], (3, 3)),
                            ([3, 3, 11, 5], (3, 2)), ([1, 7, 3, 3], (3, 3)), ([2, 5, 16, 16], (3, 3)),
                            // 8 planes a vector (AVX-512): rows of 8 + a masked rest, planes left over per part
                            ([2, 12, 11, 13], (3, 3)), ([2, 9, 20, 9], (4, 3)), ([1, 17, 5, 6], (3, 3)),
                            ([4, 16, 1, 1], (3, 3))] {
            let x = randn(shape, seed: 1)
            let y = ref.adaptiveAvgPool2d(x, outH: out.0, outW: out.1)
            let dy = randn(y.shape, seed: 2)
            for fast in fastEngines {
                let tag = "\(shape) → \(out)"
                assertClose(fast.adaptiveAvgPool2d(x, outH: out.0, outW: out.1), y, rtol: 1e-5, atol: 1e-6, tag)
                assertClose(fast.adaptiveAvgPool2dBackward(inputShape: shape, dy: dy),
                            ref.adaptiveAvgPool2dBackward(inputShape: shape, dy: dy), rtol: 1e-5, atol: 1e-6, tag)
                if out != (1, 1) {
                    // k×k bins sum in the reference's order in Double: bit-identical.
                    XCTAssertEqual(fast.adaptiveAvgPool2d(x, outH: out.0, outW: out.1).data, y.data, tag)
                    XCTAssertEqual(fast.adaptiveAvgPool2dBackward(inputShape: shape, dy: dy).data,
                                   ref.adaptiveAvgPool2dBackward(inputShape: shape, dy: dy).data, tag)
                }
            }
        }
    }

    /// base + backward in one call: the bits of `add(base, adaptiveAvgPool2dBackward(…))` on the
    /// fast engine, and the reference's composition within rounding (global bins take the fallback).
    func testBackwardAddedIntoAnotherGradientEqualsTheTwoOps() {
        for (shape, out) in [([6, 32, 8, 8], (3, 3)), ([4, 16, 4, 4], (3, 3)), ([3, 8, 32, 32], (3, 3)),
                            ([3, 3, 11, 5], (3, 2)), ([1, 7, 3, 3], (3, 3)), ([9, 4, 8, 8], (1, 1)),
                            ([2, 12, 11, 13], (3, 3)), ([1, 17, 5, 6], (3, 3))] {
            let dy = randn([shape[0], shape[1], out.0, out.1], seed: 3), base = randn(shape, seed: 4)
            let expected = ref.adaptiveAvgPool2dBackward(inputShape: shape, dy: dy, adding: base)
            for fast in fastEngines {
                let tag = "\(shape) → \(out), \(fast.threads) threads"
                let fused = fast.adaptiveAvgPool2dBackward(inputShape: shape, dy: dy, adding: base)
                XCTAssertEqual(fused.shape, shape, tag)
                XCTAssertEqual(fused.data, fast.add(base, fast.adaptiveAvgPool2dBackward(inputShape: shape, dy: dy)).data, tag)
                assertClose(fused, expected, rtol: 1e-6, atol: 1e-6, tag)
            }
        }
    }
}
