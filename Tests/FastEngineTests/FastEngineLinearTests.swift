// Linear layer and matrix product (sgemm) against the reference.

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import TestSupport

final class FastEngineLinearTests: FastEngineTestCase {
    func testLinearForwardAndBackwardMatchReference() {
        for (i, (n, inF, outF)) in [(1, 7, 3), (9, 64, 10), (128, 640, 100)].enumerated() {
            let s = UInt64(i * 10)
            let x = randn([n, inF], seed: s), w = randn([outF, inF], seed: s + 1, std: 0.2)
            let b = randn([outF], seed: s + 2), dy = randn([n, outF], seed: s + 3)
            let eg = ref.linearBackward(x, weight: w, dy: dy)
            for fast in fastEngines {
                let tag = "[\(n),\(inF)]→\(outF) threads \(fast.threads)"
                assertClose(fast.linear(x, weight: w, bias: b), ref.linear(x, weight: w, bias: b),
                            rtol: 1e-4, atol: 1e-4, "y \(tag)")
                let g = fast.linearBackward(x, weight: w, dy: dy)
                assertClose(g.x, eg.x, rtol: 1e-4, atol: 1e-4, "dx \(tag)")
                assertClose(g.weight, eg.weight, rtol: 1e-4, atol: 1e-4, "dw \(tag)")
                assertClose(g.bias, eg.bias, rtol: 1e-4, atol: 1e-4, "db \(tag)")
            }
        }
    }

    /// a·b against the reference on odd shapes and a wide one like CRD's (its [128, 50,000]
    /// coefficients times the [50,000, 128] memory, here with 5,000 rows).
    func testMatmulMatchesReference() {
        for (i, (n, k, m)) in [(1, 1, 1), (3, 7, 5), (17, 2_003, 33), (128, 5_000, 128)].enumerated() {
            let s = UInt64(100 + i * 10)
            let a = randn([n, k], seed: s, std: 0.05), b = randn([k, m], seed: s + 1)
            let expected = ref.matmul(a, b)
            for fast in fastEngines {
                assertClose(fast.matmul(a, b), expected, rtol: 1e-4, atol: 1e-4,
                            "[\(n),\(k)]·[\(k),\(m)] threads \(fast.threads)")
            }
        }
    }
}
