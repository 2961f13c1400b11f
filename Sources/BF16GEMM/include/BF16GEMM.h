// bf16 GEMM on CPUs with AVX512_BF16 (vdpbf16ps): inputs rounded to bfloat16 (round to nearest
// even, as PyTorch's autocast and oneDNN do), products exact in fp32, sums in fp32.
#ifndef BF16GEMM_H
#define BF16GEMM_H

#include <stdint.h>

/// 1 when this CPU and OS run AVX512F + AVX512BW + AVX512_BF16 code (CPUID leaf 7, XGETBV), else 0.
int atkd_cpu_has_avx512_bf16(void);

/// The bfloat16 nearest to x (ties to even), as vcvtne2ps2bf16 rounds: NaN stays a quiet NaN and
/// subnormal inputs become ±0 (the instruction, and vdpbf16ps, treat them as zero).
uint16_t atkd_bf16_from_float(float x);

/// dst[i] = src[i] rounded to bfloat16 (as atkd_bf16_from_float), as float, for i < n; dst may be src.
/// Call only where atkd_cpu_has_avx512_bf16() is 1.
void atkd_round_to_bf16(const float *src, float *dst, long n);

/// C[M,N] = alpha · bf16(op(A))[M,K] · bf16(op(B))[K,N] + beta · C, row-major like cblas_sgemm:
/// transA means A is stored [K,M] with leading dimension lda, transB that B is stored [N,K].
/// beta = 0 ignores what C held (NaN included). Single-threaded; call only where
/// atkd_cpu_has_avx512_bf16() is 1.
void atkd_sgemm_bf16(int transA, int transB, int m, int n, int k, float alpha,
                     const float *a, int lda, const float *b, int ldb,
                     float beta, float *c, int ldc);

#endif
