// The bf16 GEMM against its specification: a Double-accumulated product of the bf16-rounded
// inputs (bf16 × bf16 is exact in fp32, so only the fp32 sums differ), and the rounding itself
// against hand-worked bit patterns.

import Foundation
import XCTest
import FastEngine
import TensorCore

final class BFloat16GEMMTests: XCTestCase {
    func testRoundingToNearestEvenOnBitPatterns() {
        func bits(_ x: Float) -> UInt32 { BFloat16.rounded(x).bitPattern }
        XCTAssertEqual(bits(1), 0x3F80_0000)
        XCTAssertEqual(bits(Float(bitPattern: 0x3F80_7FFF)), 0x3F80_0000, "below half: down")
        XCTAssertEqual(bits(Float(bitPattern: 0x3F80_8000)), 0x3F80_0000, "tie, even mantissa: stays")
        XCTAssertEqual(bits(Float(bitPattern: 0x3F81_8000)), 0x3F82_0000, "tie, odd mantissa: up to even")
        XCTAssertEqual(bits(Float(bitPattern: 0x3F80_8001)), 0x3F81_0000, "above half: up")
        XCTAssertEqual(bits(-Float(bitPattern: 0x3F81_8000)), 0xBF82_0000, "sign kept")
        XCTAssertEqual(bits(Float(bitPattern: 0x7F7F_FFFF)), 0x7F80_0000, "largest float rounds to +inf")
        XCTAssertEqual(bits(.infinity), 0x7F80_0000)
        XCTAssert(BFloat16.rounded(.nan).isNaN)
        XCTAssertEqual(bits(Float(bitPattern: 0x0000_1234)), 0, "subnormal → 0")
        XCTAssertEqual(bits(-Float(bitPattern: 0x0000_1234)), 0x8000_0000, "subnormal → −0")
    }

    /// A tensor rounds element by element as the scalar does, into a new tensor of the same shape
    /// (the input untouched).
    func testTensorRoundingIsTheScalarRoundingOfEveryElement() {
        var rng = SeededRNG(seed: 3)
        let t = Tensor(shape: [3, 5, 7], data: (0..<105).map { _ in rng.normal() * 100 })
        let before = t.data
        let r = BFloat16.rounded(t)
        XCTAssertEqual(r.shape, t.shape)
        XCTAssertEqual(r.data.map(\.bitPattern), t.data.map { BFloat16.rounded($0).bitPattern })
        XCTAssertNotEqual(r.data, t.data, "nothing was rounded")
        XCTAssertEqual(t.data, before, "the input changed")
    }

    /// Shapes around the 12 × 32 micro-tile, the 96-row and 1,024-column blocks and the 384-deep
    /// k block (vdpbf16ps), the 16 × 16 tiles, 32 × 32 blocks and 2,048-deep k block (AMX), odd K,
    /// transposes, α, β and leading dimensions larger than the matrices — for every kernel this CPU runs.
    func testMatchesTheRoundedProductWithinFp32Sums() throws {
        try XCTSkipUnless(BFloat16.available, "this CPU has no AVX512_BF16 (the kernel cannot run here)")
        let cases: [(m: Int, n: Int, k: Int, tA: Bool, tB: Bool, alpha: Float, beta: Float, pad: Int)] = [
            (1, 1, 1, false, false, 1, 0, 0), (12, 32, 2, false, false, 1, 0, 0), (13, 33, 3, false, false, 1, 0, 0),
            (7, 5, 9, true, false, 1, 0, 3), (64, 100, 17, false, true, 0.5, 1, 0), (97, 70, 385, true, true, 1, -2, 1),
            (25, 1030, 64, false, false, 1, 0.25, 5), (128, 64, 800, false, true, 2, 0, 0), (3, 200, 1, true, true, 1, 1, 2),
            (32, 32, 32, false, false, 1, 1, 0), (48, 16, 64, false, true, 1, 0, 3), (17, 47, 4_133, false, true, 1, 0.5, 1),
            (33, 20, 2_049, true, false, -1, 0, 0),
        ]
        let kernels = BFloat16.Kernel.allCases.filter(\.runs)
        for kernel in kernels {
            var rng = SeededRNG(seed: 17)
            for t in cases {
                let rowsA = t.tA ? t.k : t.m, colsA = (t.tA ? t.m : t.k) + t.pad
                let rowsB = t.tB ? t.n : t.k, colsB = (t.tB ? t.k : t.n) + t.pad, ldc = t.n + t.pad
                let a = (0..<rowsA * colsA).map { _ in rng.normal() }, b = (0..<rowsB * colsB).map { _ in rng.normal() }
                let c0 = (0..<t.m * ldc).map { _ in rng.normal() }
                var c = c0
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                    sgemmBF16(kernel: kernel, transA: t.tA, transB: t.tB, m: t.m, n: t.n, k: t.k, alpha: t.alpha, a: ap.baseAddress!, lda: colsA,
                              b: bp.baseAddress!, ldb: colsB, beta: t.beta, c: cp.baseAddress!, ldc: ldc)
                } } }
                for i in 0..<t.m {
                    for j in 0..<ldc {
                        let got = c[i * ldc + j]
                        guard j < t.n else { XCTAssertEqual(got, c0[i * ldc + j], "\(kernel) \(t): padding column written"); continue }
                        var exact = 0.0, magnitude = 0.0
                        for p in 0..<t.k {
                            let x = Double(BFloat16.rounded(t.tA ? a[p * colsA + i] : a[i * colsA + p]))
                            let y = Double(BFloat16.rounded(t.tB ? b[j * colsB + p] : b[p * colsB + j]))
                            exact += x * y; magnitude += abs(x * y)
                        }
                        let want = Double(t.alpha) * exact + Double(t.beta) * Double(c0[i * ldc + j])
                        // fp32 sums of k exact products: |error| ≤ k·2⁻²⁴·Σ|x·y| (plus the α, β roundings).
                        let bound = (Double(t.k) + 4) * 0x1p-24 * (abs(Double(t.alpha)) * magnitude + abs(Double(t.beta * c0[i * ldc + j])))
                        XCTAssertLessThanOrEqual(abs(Double(got) - want), bound, "\(kernel) \(t) at [\(i), \(j)]")
                    }
                }
            }
        }
    }

    /// Against the unrounded fp32 product the error is the inputs' rounding: ≤ 2·2⁻⁸·Σ|a·b| per entry
    /// (each operand within 2⁻⁸ relative), and not zero (the kernel really rounds).
    func testDiffersFromFp32OnlyByTheInputRounding() throws {
        try XCTSkipUnless(BFloat16.available, "this CPU has no AVX512_BF16 (the kernel cannot run here)")
        let (m, n, k) = (40, 48, 300)
        var rng = SeededRNG(seed: 3)
        let a = (0..<m * k).map { _ in rng.normal() }, b = (0..<k * n).map { _ in rng.normal() }
        var c = [Float](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            sgemmBF16(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n, beta: 0, c: cp.baseAddress!, ldc: n)
        } } }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var exact = 0.0, magnitude = 0.0
                for p in 0..<k { let v = Double(a[i * k + p]) * Double(b[p * n + j]); exact += v; magnitude += abs(v) }
                let err = abs(Double(c[i * n + j]) - exact)
                XCTAssertLessThanOrEqual(err, (2 * 0x1p-8 + Double(k) * 0x1p-24) * magnitude, "[\(i), \(j)]")
                worst = max(worst, err / magnitude)
            }
        }
        XCTAssertGreaterThan(worst, 1e-5, "no rounding seen: the inputs were not rounded to bf16")
    }

    /// Where the CPU has AMX tiles, bf16 GEMMs use them (unless `ATKD_BF16_KERNEL` picks the other);
    /// the AMX kernel and vdpbf16ps agree within fp32 sums on one product and differ in the last bits.
    func testAMXIsTheDefaultWhereItRunsAndAgreesWithVdpbf16ps() throws {
        try XCTSkipUnless(BFloat16.amxAvailable, "this CPU has no AMX-BF16 tiles")
        if ProcessInfo.processInfo.environment["ATKD_BF16_KERNEL"] == nil { XCTAssertEqual(BFloat16.kernel, .amx) }
        let (m, n, k) = (64, 96, 576)
        var rng = SeededRNG(seed: 5)
        let a = (0..<m * k).map { _ in rng.normal() }, b = (0..<k * n).map { _ in rng.normal() }
        func product(_ kernel: BFloat16.Kernel) -> [Float] {
            var c = [Float](repeating: .nan, count: m * n)
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                sgemmBF16(kernel: kernel, m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n,
                          beta: 0, c: cp.baseAddress!, ldc: n)
            } } }
            return c
        }
        let (tiles, vectors) = (product(.amx), product(.avx512))
        var differing = 0
        for i in 0..<(m * n) {
            XCTAssertEqual(tiles[i], vectors[i], accuracy: 1e-4 * max(1, abs(vectors[i])), "[\(i)]")
            if tiles[i] != vectors[i] { differing += 1 }
        }
        XCTAssertGreaterThan(differing, 0, "identical bits: the AMX kernel did not run")
    }

    /// A packed once (`BF16PackedMatrix`, the weights of per-image GEMMs) gives the bits of
    /// `sgemmBF16(kernel: .amx)` with α = 1: A plain and transposed, B plain and transposed, β 0 and 1,
    /// M and N off the 16- and 32-blocks, K across the 2,048-deep k block, leading dimensions past the matrices.
    func testPackedWeightsGiveTheBitsOfTheUnpackedAMXProduct() throws {
        try XCTSkipUnless(BFloat16.amxAvailable, "this CPU has no AMX-BF16 tiles")
        let cases: [(m: Int, n: Int, k: Int, tA: Bool, tB: Bool, beta: Float, pad: Int)] = [
            (64, 1024, 16, false, false, 0, 0), (16, 1024, 64, true, false, 1, 1), (512, 16, 128, false, true, 0, 2),
            (33, 47, 19, true, true, 1, 3), (17, 70, 2_100, false, false, 1, 1), (576, 64, 64, true, false, 0, 0)]
        var rng = SeededRNG(seed: 41)
        for cs in cases {
            let lda = (cs.tA ? cs.m : cs.k) + cs.pad, ldb = (cs.tB ? cs.k : cs.n) + cs.pad, ldc = cs.n + cs.pad
            let a = (0..<(cs.tA ? cs.k : cs.m) * lda).map { _ in rng.normal() }
            let b = (0..<(cs.tB ? cs.n : cs.k) * ldb).map { _ in rng.normal() }
            let c0 = (0..<cs.m * ldc).map { _ in rng.normal() }
            var plain = c0, packed = c0
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                plain.withUnsafeMutableBufferPointer { cp in
                    sgemmBF16(kernel: .amx, transA: cs.tA, transB: cs.tB, m: cs.m, n: cs.n, k: cs.k, a: ap.baseAddress!,
                              lda: lda, b: bp.baseAddress!, ldb: ldb, beta: cs.beta, c: cp.baseAddress!, ldc: ldc)
                }
                let weights = BF16PackedMatrix(transA: cs.tA, m: cs.m, k: cs.k, a: ap.baseAddress!, lda: lda)
                packed.withUnsafeMutableBufferPointer { cp in
                    weights.multiply(transB: cs.tB, n: cs.n, b: bp.baseAddress!, ldb: ldb, beta: cs.beta,
                                     c: cp.baseAddress!, ldc: ldc)
                }
            } }
            XCTAssertEqual(plain.map(\.bitPattern), packed.map(\.bitPattern), "\(cs)")
            XCTAssertNotEqual(plain, c0, "\(cs): nothing written")
        }
    }
}
