import XCTest
import TensorCore

final class SeededRNGTests: XCTestCase {
    func testSameSeedSameStream() {
        var a = SeededRNG(seed: 42), b = SeededRNG(seed: 42)
        for _ in 0..<100 { XCTAssertEqual(a.next(), b.next()) }
    }

    func testDifferentSeedsDiffer() {
        var a = SeededRNG(seed: 1), b = SeededRNG(seed: 2)
        XCTAssertNotEqual((0..<4).map { _ in a.next() }, (0..<4).map { _ in b.next() })
    }

    func testStateRoundTripContinuesStream() {
        var a = SeededRNG(seed: 7)
        _ = a.next()
        var b = SeededRNG(state: a.state)
        XCTAssertEqual(a.next(), b.next())
    }

    func testShapesOnlyDrawsNothingAndNoSeedIsShapesOnly() {
        var s = SeededRNG.shapesOnly
        XCTAssertTrue(s.isShapesOnly)
        XCTAssertEqual(Tensor.randn([3, 2], rng: &s).data, [Float](repeating: 0, count: 6))
        XCTAssertEqual(Tensor.uniform([4], -1, 1, rng: &s).data, [0, 0, 0, 0])
        for seed: UInt64 in [0, 1, 42, .max] { XCTAssertFalse(SeededRNG(seed: seed).isShapesOnly) }
    }

    func testNormalMoments() {
        var r = SeededRNG(seed: 3)
        let n = 200_000
        var s = 0.0, s2 = 0.0
        for _ in 0..<n { let v = Double(r.normal()); s += v; s2 += v * v }
        XCTAssertEqual(s / Double(n), 0, accuracy: 0.01)
        XCTAssertEqual(s2 / Double(n), 1, accuracy: 0.01)
    }

    func testUniformRange() {
        var r = SeededRNG(seed: 5)
        for _ in 0..<10_000 { let u = r.uniform(); XCTAssert(u >= 0 && u < 1) }
    }

    func testPermutationIsPermutation() {
        var r = SeededRNG(seed: 9)
        XCTAssertEqual(r.permutation(1000).sorted(), Array(0..<1000))
    }
}
