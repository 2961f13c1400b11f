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

/// 1 when this CPU and OS run AMX-BF16 tiles and the packing's AVX512_BF16 (CPUID leaf 7, XCR0 tile
/// state) and, on Linux, the process was granted the tile state (arch_prctl ARCH_REQ_XCOMP_PERM,
/// requested here). Else 0.
int atkd_cpu_has_amx_bf16(void);

/// atkd_sgemm_bf16 on AMX tiles (tdpbf16ps): same arguments, same rounding of the inputs, fp32
/// sums in the tiles' order. Single-threaded; call only where atkd_cpu_has_amx_bf16() is 1.
void atkd_sgemm_bf16_amx(int transA, int transB, int m, int n, int k, float alpha,
                         const float *a, int lda, const float *b, int ldb,
                         float beta, float *c, int ldc);

/// Words of op(A) [M, K] packed for atkd_sgemm_bf16_amx_packed.
long atkd_bf16_amx_packed_a_words(int m, int k);

/// op(A) [M, K] (transA: A stored [K, M]) packed as the AMX kernel's A tiles, bf16, into `packed`
/// (atkd_bf16_amx_packed_a_words(m, k) words): the weight side of many products packed once.
void atkd_bf16_amx_pack_a(int transA, int m, int k, const float *a, int lda, uint32_t *packed);

/// atkd_sgemm_bf16_amx with α = 1 and A packed by atkd_bf16_amx_pack_a: the same products and the
/// same sums in the same order, so the same bits. Single-threaded; `packed` may be shared by threads.
void atkd_sgemm_bf16_amx_packed(int m, int n, int k, const uint32_t *packed, int transB,
                                const float *b, int ldb, float beta, float *c, int ldc);

// 3 × 3, stride 1, pad 1 convolutions on AMX tiles (AMXConv3x3.c), one image a call, bf16 inputs
// and fp32 sums. Call only where atkd_cpu_has_amx_bf16() is 1.

/// Words of the packed weights for `m` output rows and `k` input channels.
long atkd_amx_conv3x3_weight_words(int m, int k);

/// Channel pairs in one tile (the largest divisor of ⌈k/2⌉ that is ≤ 16).
int atkd_amx_conv3x3_pairs_per_block(int channels);

/// Packs W [O, C, 3, 3] (fp32) as bf16 weight tiles: for the forward (transposed = 0: m = O rows,
/// k = C) or the input gradient (transposed = 1: m = C rows, k = O, kernel turned 180°).
void atkd_amx_conv3x3_pack_weights(const float *w, int o, int c, int transposed, uint32_t *out);

/// y[m, H, W] = Σ_k Σ_{ky,kx} A[m, k, ky, kx] · bf16(x)[k, y + ky − 1, x + kx − 1] for one image
/// (x [k, H, W], zero outside), A the packed weights; y is written, not accumulated.
void atkd_amx_conv3x3(const float *x, int k, int h, int w, const uint32_t *weights, int m, float *y);

/// acc[ky·3 + kx][o][c] += Σ_n Σ_{y,x} bf16(dy)[n, o, y, x] · bf16(x)[n, c, y + ky − 1, x + kx − 1]
/// over `images` consecutive images (x [images, c, H, W], dy [images, o, H, W]); acc is
/// [9][⌈O/16⌉·16][⌈C/16⌉·16] fp32. Scratch grows with `images` (≈ (2·C·(H+2)(W+2)/2 + H(W+2)/2·O)
/// words an image): callers pass groups whose packed operands stay in L2.
void atkd_amx_conv3x3_weight_gradient(const float *x, const float *dy, int images, int c, int o, int h, int w,
                                      float *acc);

#endif
