// Shared fixtures of the fast-vs-reference tests: engines, random tensors.

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import TestSupport

/// Base class: a reference engine and the fast engine at 1 and 2 threads.
class FastEngineTestCase: XCTestCase {
    let ref = ReferenceEngine()
    /// Serial and parallel fast engines; every comparison runs under both.
    let fastEngines = [TestEngines.fast(threads: 1), TestEngines.fast(threads: 2)]

    func randn(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
        var rng = SeededRNG(seed: seed)
        return Tensor.randn(shape, std: std, rng: &rng)
    }
}
