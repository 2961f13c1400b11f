// Linear layer (sgemm) against the reference.

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
}
