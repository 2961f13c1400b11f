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

/// The weight side A of a call's per-image GEMMs C = op(A)·B + β·C: packed once (`BF16PackedMatrix`)
/// where bf16 GEMMs run on AMX tiles — the same bits as `sgemm`, which packs A again every image —
/// else `sgemm` on A itself. Build it before the images' loop, inside A's pointer scope.
struct WeightOperand {
    let transA: Bool, m: Int, k: Int, a: UnsafePointer<Float>, lda: Int
    let packed: BF16PackedMatrix?

    init(transA: Bool = false, m: Int, k: Int, a: UnsafePointer<Float>, lda: Int) {
        self.transA = transA; self.m = m; self.k = k; self.a = a; self.lda = lda
        let amx = FastEngine.precision == .bf16 && BFloat16.kernel == .amx && m > 0 && k > 0
        packed = amx ? BF16PackedMatrix(transA: transA, m: m, k: k, a: a, lda: lda) : nil
    }

    @inline(__always)
    func gemm(n: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if let packed, n > 0 {
            packed.multiply(n: n, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        } else {
            sgemm(transA: transA, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }
}
