// RelationalMath: the blocked Gram matrix and M·X product against their naive twins, bit for bit,
// on shapes off the blocks (4 rows × 16 columns) and with the reference's zero-coefficient skips.

import XCTest
import TensorCore
import RelatedMethods

final class RelationalMathTests: XCTestCase {
    func values(_ count: Int, seed: UInt64) -> [Double] {
        var rng = SeededRNG(seed: seed)
        return Tensor.randn([count], rng: &rng).data.map { Double($0) * 1.7 }
    }

    func assertSameBits(_ a: [Double], _ b: [Double], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        let differing = zip(a, b).enumerated().filter { $0.element.0.bitPattern != $0.element.1.bitPattern }
        XCTAssertTrue(differing.isEmpty,
                      "\(what): \(differing.count) entries differ, first at \(differing.first.map { "\($0.offset): \($0.element)" } ?? "")",
                      file: file, line: line)
    }

    func testBlockedGramHasTheBitsOfTheReference() {
        for (n, d) in [(1, 1), (2, 3), (3, 17), (4, 16), (5, 33), (17, 7), (20, 64), (33, 100)] {
            let x = values(n * d, seed: UInt64(n * 1000 + d))
            assertSameBits(RelationalMath.gram(x, n: n, d: d), RelationalMath.gramReference(x, n: n, d: d),
                           "gram N \(n) D \(d)")
        }
    }

    func testBlockedProductHasTheBitsOfTheReference() {
        for (n, d) in [(1, 1), (2, 3), (3, 17), (4, 16), (5, 33), (17, 7), (20, 64), (33, 100)] {
            var m = values(n * n, seed: UInt64(n * 7 + d))
            for i in stride(from: 0, to: m.count, by: 3) { m[i] = 0 }   // skipped terms
            var x = values(n * d, seed: UInt64(n * 1000 + d + 1))
            x[0] = .infinity                                            // 0·∞ would be NaN: must be skipped
            if n > 1 { m[n] = 0 }                                       // row 1's coefficient of row 0
            m[0] = 0
            let fast = RelationalMath.product(m, x, n: n, d: d)
            let reference = RelationalMath.productReference(m, x, n: n, d: d)
            assertSameBits(fast, reference, "product N \(n) D \(d)")
        }
    }
}
