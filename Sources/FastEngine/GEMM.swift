// Row-major single-precision GEMM through OpenBLAS: C = α·op(A)·op(B) + β·C
// (in bf16 precision through `sgemmBF16`: bf16 inputs, fp32 sums; single-threaded, which every
// caller but the small linear layers already is: they call it inside `parallelParts`).

import CBLAS

/// C[M,N] = alpha · op(A)[M,K] · op(B)[K,N] + beta · C, all row-major.
/// `transA` means A is stored [K,M] (leading dimension `lda` ≥ M), and so on.
@inline(__always)
func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
           alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
           b: UnsafePointer<Float>, ldb: Int,
           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        // NOTE: BLAS with K = 0 still scales C by β; do it here to avoid odd lda checks.
        for i in 0..<m { for j in 0..<n { c[i &* ldc &+ j] = beta == 0 ? 0 : beta * c[i &* ldc &+ j] } }
        return
    }
    if FastEngine.precision == .bf16 {
        sgemmBF16(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                  beta: beta, c: c, ldc: ldc)
        return
    }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}
