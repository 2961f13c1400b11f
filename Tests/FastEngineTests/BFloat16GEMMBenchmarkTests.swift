// bf16 GEMM (vdpbf16ps, and AMX tiles where the CPU has them) against OpenBLAS's sgemm on the
// campaign models' GEMM shapes, one thread each (prints, never asserts timing). Runs only with ATKD_BENCH=1 on a CPU with AVX512_BF16, and with
// OpenBLAS on the core `atkd` runs (unset, it picks Prescott here: a third of SkylakeX's rate):
//   OPENBLAS_CORETYPE=SkylakeX ATKD_BENCH=1 swift test -c release --filter BFloat16GEMMBenchmarkTests

import XCTest
import Foundation
import CBLAS
import TensorCore
import FastEngine
#if canImport(Glibc)
import Glibc
#endif

final class BFloat16GEMMBenchmarkTests: XCTestCase {
    func testBenchmarkAgainstSgemm() throws {
        guard getenv("ATKD_BENCH") != nil else { throw XCTSkip("set ATKD_BENCH=1 to run the benchmark") }
        try XCTSkipUnless(BFloat16.available, "this CPU has no AVX512_BF16")
        openblas_set_num_threads(1)
        // (what, M, N, K): forward GEMMs of batch-128 convolutions, M = outputs, N = N·H·W, K = C·k².
        let shapes: [(String, Int, Int, Int)] = [
            ("1×1 64→256 @8² (resnet50-w4)", 256, 8192, 64), ("1×1 256→64 @8²", 64, 8192, 256),
            ("1×1 128→512 @4²", 512, 2048, 128), ("1×1 16→64 @32²", 64, 131_072, 16),
            ("im2col 3×3 64→64 @8²", 64, 8192, 576), ("1×1 160→1280 @4² (mobilenetv2-half)", 1280, 2048, 160),
            ("1×1 48→288 @8²", 288, 8192, 48), ("square 1024", 1024, 1024, 1024),
            // One image's GEMM, as the engine calls it inside its per-image parallel loops.
            ("per image 1×1 64→256 @8²", 256, 64, 64), ("per image 1×1 256→64 @8²", 64, 64, 256),
            ("per image 1×1 128→512 @4²", 512, 16, 128), ("per image 1×1 16→64 @32²", 64, 1024, 16),
            ("per image 1×1 72→12 @32²", 12, 1024, 72), ("per image im2col 3×3 16→16 @32²", 16, 1024, 144),
            // Weight gradients dW = dy·xᵀ (B stored [N, K]: both operands contiguous along K).
            ("per image dW 1×1 16→64 @32² (Bᵀ)", 64, 16, 1024), ("per image dW 1×1 64→256 @8² (Bᵀ)", 256, 64, 64),
            ("per image dW 3×3 16→16 @32² (Bᵀ)", 16, 144, 1024),
        ]
        let kernels = BFloat16.Kernel.allCases.filter(\.runs)
        print("bf16 GEMM (\(kernels.map(\.rawValue).joined(separator: ", "))) vs OpenBLAS sgemm, 1 thread, alternated, best of 9, GFLOP/s")
        var rng = SeededRNG(seed: 1)
        for (what, m, n, k) in shapes {
            let tB = what.hasSuffix("(Bᵀ)"), ldb = tB ? k : n
            let a = (0..<m * k).map { _ in rng.normal() }, b = (0..<k * n).map { _ in rng.normal() }
            var c = [Float](repeating: 0, count: m * n)
            func seconds(_ body: () -> Void) -> Double {
                let d = ContinuousClock().measure(body)
                return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            }
            // Alternated, best of 9 each: this VM's clock rate moves by tens of % within seconds.
            var fp32 = Double.infinity, bf16 = [Double](repeating: .infinity, count: kernels.count)
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                for _ in 0..<(m * n * k < 1 << 22 ? 200 : 9) {
                    fp32 = min(fp32, seconds { cblas_sgemm(CblasRowMajor, CblasNoTrans, tB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
                                                           ap.baseAddress!, Int32(k), bp.baseAddress!, Int32(ldb), 0, cp.baseAddress!, Int32(n)) })
                    for (i, kernel) in kernels.enumerated() {
                        bf16[i] = min(bf16[i], seconds { sgemmBF16(kernel: kernel, transB: tB, m: m, n: n, k: k, a: ap.baseAddress!, lda: k,
                                                                   b: bp.baseAddress!, ldb: ldb, beta: 0, c: cp.baseAddress!, ldc: n) })
                    }
                }
            } } }
            let rate = { (t: Double) in 2 * Double(m * n * k) / t / 1e9 }
            let columns = zip(kernels, bf16).map { String(format: "   %@ %6.1f (%.2f)", $0.rawValue as NSString, rate($1), fp32 / $1) }
            print(String(format: "%-40@ M %5d N %6d K %5d   sgemm %6.1f", what as NSString, m, n, k, rate(fp32)) + columns.joined())
        }
    }
}
