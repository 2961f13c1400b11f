// ReLU, ReLU6, add, dropout and the SGD step against the reference.

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import TestSupport

final class FastEngineElementwiseTests: FastEngineTestCase {
    /// Small (serial) and large (split over threads) sizes; values hit the kinks 0 and 6 exactly.
    func samples(seed: UInt64) -> [Tensor] {
        [[3, 5, 7], [9, 16, 33, 33]].map { shape in
            var t = randn(shape, seed: seed, std: 4)
            t.data[0] = 0; t.data[1] = 6; t.data[2] = -0.0; t.data[3] = .nan
            return t
        }
    }

    func testActivationsMatchReferenceExactly() {
        for x in samples(seed: 1) {
            let dy = randn(x.shape, seed: 2)
            for fast in fastEngines {
                XCTAssertTrue(bitEqual(fast.relu(x), ref.relu(x)), "relu \(x.shape)")
                XCTAssertTrue(bitEqual(fast.relu6(x), ref.relu6(x)), "relu6 \(x.shape)")
                XCTAssertTrue(bitEqual(fast.reluBackward(x, dy: dy), ref.reluBackward(x, dy: dy)), "relu' \(x.shape)")
                XCTAssertTrue(bitEqual(fast.relu6Backward(x, dy: dy), ref.relu6Backward(x, dy: dy)), "relu6' \(x.shape)")
            }
        }
    }

    func testAddAndDropoutMatchReference() {
        for x in samples(seed: 3) {
            let y = randn(x.shape, seed: 4)
            var rng = SeededRNG(seed: 5)
            let mask = (0..<x.count).map { _ in rng.uniform() < 0.7 ? Float(1) : 0 }
            for fast in fastEngines {
                XCTAssertTrue(bitEqual(fast.add(x, y), ref.add(x, y)), "add \(x.shape)")
                for p: Float in [0, 0.3, 1] {
                    XCTAssertTrue(bitEqual(fast.dropout(x, mask: mask, p: p), ref.dropout(x, mask: mask, p: p)),
                                  "dropout p \(p)")
                    XCTAssertTrue(bitEqual(fast.dropoutBackward(mask: mask, p: p, dy: y),
                                           ref.dropoutBackward(mask: mask, p: p, dy: y)), "dropout' p \(p)")
                }
            }
        }
    }

    /// The gradient-sum helpers: in-place a += b and x·s give the reference's bits at every size,
    /// and a shared buffer is copied, not written through.
    func testAccumulateAndScaleMatchReferenceBitForBit() {
        for x in samples(seed: 9) {
            let y = randn(x.shape, seed: 10)
            var expected = x
            ref.accumulate(&expected, y)
            XCTAssertTrue(bitEqual(expected, ref.add(x, y)), "reference accumulate is add \(x.shape)")
            for fast in fastEngines {
                var a = x
                let shared = a
                fast.accumulate(&a, y)
                XCTAssertTrue(bitEqual(a, expected), "accumulate \(x.shape), \(fast.threads) threads")
                XCTAssertTrue(bitEqual(shared, x), "accumulate wrote through a shared buffer")
                for s: Float in [0.1, -3, 0] {
                    XCTAssertTrue(bitEqual(fast.scale(x, by: s), ref.scale(x, by: s)), "scale \(s) \(x.shape)")
                }
            }
        }
    }

    /// `forEachRange` covers 0..<count exactly once, in disjoint ranges, for small and large work.
    func testForEachRangeCoversEveryIndexOnce() {
        for (count, work) in [(0, 0), (1, 1 << 20), (7, 10), (128, 1 << 22), (3, 1 << 22)] {
            for engine in fastEngines.map({ $0 as any Kernels }) + [ref as any Kernels] {
                let lock = NSLock()
                var seen = [Int](repeating: 0, count: count)
                engine.forEachRange(count, work: work) { range in
                    lock.lock(); for i in range { seen[i] += 1 }; lock.unlock()
                }
                XCTAssertEqual(seen, [Int](repeating: 1, count: count), "count \(count) work \(work) \(engine.name)")
            }
        }
    }

    func testSGDStepMatchesReferenceBitForBit() {
        for count in [7, 300_001] {
            for nesterov in [false, true] {
                let w0 = randn([count], seed: 6).data, g = randn([count], seed: 7).data
                let b0 = randn([count], seed: 8).data
                var wr = w0, br = b0
                ref.sgdStep(weight: &wr, grad: g, momentumBuffer: &br, lr: 0.1, momentum: 0.9,
                            nesterov: nesterov, weightDecay: 5e-4)
                for fast in fastEngines {
                    var wf = w0, bf = b0
                    fast.sgdStep(weight: &wf, grad: g, momentumBuffer: &bf, lr: 0.1, momentum: 0.9,
                                 nesterov: nesterov, weightDecay: 5e-4)
                    XCTAssertEqual(wf, wr, "weights, count \(count) nesterov \(nesterov)")
                    XCTAssertEqual(bf, br, "buffer, count \(count) nesterov \(nesterov)")
                }
            }
        }
    }
}

/// Equal shapes and equal bit patterns (so NaN == NaN and −0 ≠ +0).
func bitEqual(_ a: Tensor, _ b: Tensor) -> Bool {
    a.shape == b.shape && a.data.map(\.bitPattern) == b.data.map(\.bitPattern)
}
