// bf16 GEMM for CPUs with AVX512_BF16: inputs rounded to bfloat16, products exact, sums in fp32
// (the arithmetic of PyTorch's CPU autocast through oneDNN). The building block of the opt-in bf16
// precision (issue 17 item 4); fp32 `sgemm` stays the default and the reference.

import BF16GEMM
import TensorCore

/// bfloat16: fp32's sign and 8-bit exponent with 7 stored mantissa bits (relative spacing 2⁻⁷).
public enum BFloat16 {
    /// Whether this CPU and OS run the bf16 kernels (AVX512F, AVX512BW, AVX512_BF16, ZMM state).
    public static let available: Bool = atkd_cpu_has_avx512_bf16() != 0

    /// x rounded to the nearest bfloat16 (ties to even; subnormals to ±0, as the hardware), as Float.
    @inlinable public static func rounded(_ x: Float) -> Float {
        Float(bitPattern: UInt32(atkd_bf16_from_float(x)) << 16)
    }

    /// Every element of `t` rounded to bf16 (vectorised where the CPU has AVX512_BF16).
    public static func rounded(_ t: Tensor) -> Tensor {
        var out = t
        out.data.withUnsafeMutableBufferPointer { b in
            guard let p = b.baseAddress else { return }
            if available { atkd_round_to_bf16(p, p, b.count) } else { for i in 0..<b.count { p[i] = rounded(p[i]) } }
        }
        return out
    }
}

/// C[M,N] = α · bf16(op(A))[M,K] · bf16(op(B))[K,N] + β · C, row-major, the arguments of `sgemm`.
/// Single-threaded. Only where `BFloat16.available` (a precondition: callers check and say so).
public func sgemmBF16(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                      alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int,
                      beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    precondition(BFloat16.available, "sgemmBF16: this CPU has no AVX512_BF16")
    precondition(lda >= (transA ? m : k) && ldb >= (transB ? k : n) && ldc >= n, "sgemmBF16: leading dimension too small")
    atkd_sgemm_bf16(transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}
