// The persistent workers under `parallelParts`: every part runs exactly once, nested and concurrent
// calls finish, and parked workers wake for the next job.

import XCTest
import Dispatch
import Synchronization
import FastEngine
#if canImport(Glibc)
import Glibc
#endif

final class PartWorkersTests: XCTestCase {
    /// Runs `runParts` and returns how often each part ran.
    func counts(_ parts: Int, _ extra: (Int) -> Void = { _ in }) -> [Int] {
        let ran = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: parts)
        for p in 0..<parts { (ran + p).initialize(to: Atomic(0)) }
        defer { ran.deinitialize(count: parts); ran.deallocate() }
        FastEngine.runParts(parts) { p in ran[p].add(1, ordering: .relaxed); extra(p) }
        return (0..<parts).map { ran[$0].load(ordering: .relaxed) }
    }

    func testEveryPartRunsOnce() {
        for round in 0..<2000 {
            let parts = 1 + round % 8
            XCTAssertEqual(counts(parts), [Int](repeating: 1, count: parts), "round \(round)")
        }
    }

    func testWorkersParkAndWakeForTheNextJob() {
        for gapMicroseconds in [0, 200, 3000, 20_000] {
            usleep(UInt32(gapMicroseconds))
            XCTAssertEqual(counts(2), [1, 1], "after \(gapMicroseconds) µs idle")
        }
    }

    func testNestedCallRunsItsPartsAndReturns() {
        let inner = Atomic<Int>(0)
        let outer = counts(2) { _ in
            FastEngine.runParts(3) { _ in inner.add(1, ordering: .relaxed) }
        }
        XCTAssertEqual(outer, [1, 1])
        XCTAssertEqual(inner.load(ordering: .relaxed), 6)
    }

    func testConcurrentCallersBothFinish() {
        let total = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<200 { FastEngine.runParts(2) { _ in total.add(1, ordering: .relaxed) } }
        }
        XCTAssertEqual(total.load(ordering: .relaxed), 4 * 200 * 2)
    }
}
