// bf16 GEMM: pack panels of A and B into bfloat16 pairs, multiply with vdpbf16ps.
//
// vdpbf16ps acc, x, y: for each of 16 fp32 lanes i, acc[i] += x[2i]·y[2i] + x[2i+1]·y[2i+1]
// (bf16 products are exact in fp32). So B is packed per k-pair as [kp][j][2] (one zmm: 16
// columns × 2 k's) and A per k-pair as one 32-bit (A[i,2kp], A[i,2kp+1]) word broadcast to all
// lanes. Micro-tile MR × NR = 12 × 32: 24 accumulators, 2 B loads and 12 broadcasts per k-pair.
// Blocking: KC k's (even) × NC columns of B packed once per (KC, NC) block; MC rows of A per
// block. Odd K: the last pair's second element is zero on both sides.
#include "BF16GEMM.h"
#include "BF16Pairs.h"
#include <immintrin.h>
#include <cpuid.h>
#include <stdlib.h>
#include <string.h>

enum { MR = 12, NR = 32, KC = 384, MC = 96, NC = 1024 };

int atkd_cpu_has_avx512_bf16(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return 0;       // OSXSAVE
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xE6) != 0xE6) return 0;                                        // XMM, YMM, opmask, ZMM state
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    if (!(b & (1u << 16)) || !(b & (1u << 30))) return 0;                     // AVX512F, AVX512BW
    if (!__get_cpuid_count(7, 1, &a, &b, &c, &d)) return 0;
    return (a >> 5) & 1;                                                      // AVX512_BF16
}

uint16_t atkd_bf16_from_float(float x) {
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((u >> 16) | 0x0040u);
    if ((u & 0x7F800000u) == 0) return (uint16_t)((u >> 16) & 0x8000u);       // subnormal → ±0, as vcvtne2ps2bf16
    u += 0x7FFFu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

/// Panel layout: out[(t·kpairs + kp)·R + r] = pair(X[r', k0+2kp], X[r', k0+2kp+1]) for panel t's index
/// r' = first + t·R + r (rows of op(A) with R = MR, columns of op(B) with R = NR); zero beyond
/// `count` indices and beyond k. `contiguousK`: X[r', kk] = x[r'·ld + kk] (A plain, B transposed);
/// otherwise X[r', kk] = x[kk·ld + r'] (A transposed, B plain).
TARGET static void packPanels(const float *x, int ld, int contiguousK, int k0, int kc, int first, int count,
                              int R, uint32_t *out) {
    int kpairs = (kc + 1) / 2;
    for (int t = 0; t * R < count; t++) {
        uint32_t *panel = out + (long)t * kpairs * R;
        int live = count - t * R < R ? count - t * R : R, base = first + t * R;
        if (contiguousK) {
            for (int r = 0; r < R; r++) {
                if (r < live) pairsInOrder(x + (long)(base + r) * ld + k0, kc, panel + r, R);
                else for (int kp = 0; kp < kpairs; kp++) panel[(long)kp * R + r] = 0;
            }
        } else {
            for (int kp = 0; kp < kpairs; kp++) {
                int r0 = k0 + 2 * kp, r1 = r0 + 1;
                pairsInterleaved(x + (long)r0 * ld + base, r1 < k0 + kc ? x + (long)r1 * ld + base : 0,
                                 live, panel + (long)kp * R, R);
            }
        }
    }
}

/// C[r, q] += α · Σ_kp A pair(r, kp) · B pair(kp, q) for r < rows, q < cols (≤ MR, NR), over a packed
/// A panel and B panel; the accumulators go to C through masked AVX-512 loads and stores.
TARGET static void microTile(const uint32_t *ap, const uint32_t *bp, int kpairs, float alpha,
                      float *c, long ldc, int rows, int cols) {
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m512 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    __m512 c60 = c00, c61 = c00, c70 = c00, c71 = c00, c80 = c00, c81 = c00;
    __m512 c90 = c00, c91 = c00, ca0 = c00, ca1 = c00, cb0 = c00, cb1 = c00;
    for (int kp = 0; kp < kpairs; kp++) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512(bp), b1 = (__m512bh)_mm512_loadu_si512(bp + 16);
#define ROW(r, x0, x1) { __m512bh av = (__m512bh)_mm512_set1_epi32((int)ap[r]); \
        x0 = _mm512_dpbf16_ps(x0, av, b0); x1 = _mm512_dpbf16_ps(x1, av, b1); }
        ROW(0, c00, c01) ROW(1, c10, c11) ROW(2, c20, c21) ROW(3, c30, c31)
        ROW(4, c40, c41) ROW(5, c50, c51) ROW(6, c60, c61) ROW(7, c70, c71)
        ROW(8, c80, c81) ROW(9, c90, c91) ROW(10, ca0, ca1) ROW(11, cb0, cb1)
#undef ROW
        ap += MR; bp += NR;
    }
    __m512 acc[2 * MR] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51,
                          c60, c61, c70, c71, c80, c81, c90, c91, ca0, ca1, cb0, cb1};
    __m512 va = _mm512_set1_ps(alpha);
    __mmask16 m0 = cols >= 16 ? 0xFFFF : (__mmask16)((1u << cols) - 1);
    __mmask16 m1 = cols >= 32 ? 0xFFFF : cols <= 16 ? 0 : (__mmask16)((1u << (cols - 16)) - 1);
    for (int r = 0; r < rows; r++) {
        float *row = c + r * ldc;
        _mm512_mask_storeu_ps(row, m0, _mm512_fmadd_ps(va, acc[2 * r], _mm512_maskz_loadu_ps(m0, row)));
        _mm512_mask_storeu_ps(row + 16, m1, _mm512_fmadd_ps(va, acc[2 * r + 1], _mm512_maskz_loadu_ps(m1, row + 16)));
    }
}

TARGET void atkd_round_to_bf16(const float *src, float *dst, long n) {
    for (long i = 0; i < n; i += 16) {
        __mmask16 m = lanes(n - i > 16 ? 16 : (int)(n - i));
        __m256i h = (__m256i)_mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(m, src + i));
        _mm512_mask_storeu_epi32(dst + i, m, _mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    }
}

/// C[i, j] = β·C[i, j] + α·Σ_k A[i, k]·B[j, k] for A [M, K] and B [N, K] both contiguous in k (the
/// weight gradients dW = dy·colᵀ): each row converted once to bf16 in order (pair words, zero-padded
/// to 16-word multiples), then 4 × 4 blocks of dot products, vdpbf16ps along k, one horizontal sum
/// per entry. The outer-product kernel would have to transpose both operands while packing.
TARGET static void gemmRowsDotRows(int m, int n, int k, float alpha, const float *a, int lda,
                                   const float *b, int ldb, float beta, float *c, int ldc,
                                   uint32_t *rowsA, uint32_t *rowsB, int kw) {
    for (int i = 0; i < m; i++) { pairsInOrder(a + (long)i * lda, k, rowsA + (long)i * kw, 1);
                                  for (int w = (k + 1) / 2; w < kw; w++) rowsA[(long)i * kw + w] = 0; }
    for (int j = 0; j < n; j++) { pairsInOrder(b + (long)j * ldb, k, rowsB + (long)j * kw, 1);
                                  for (int w = (k + 1) / 2; w < kw; w++) rowsB[(long)j * kw + w] = 0; }
    for (int i0 = 0; i0 < m; i0 += 4) {
        const uint32_t *ar[4];
        for (int r = 0; r < 4; r++) ar[r] = rowsA + (long)(i0 + r < m ? i0 + r : m - 1) * kw;
        for (int j0 = 0; j0 < n; j0 += 4) {
            const uint32_t *br[4];
            for (int q = 0; q < 4; q++) br[q] = rowsB + (long)(j0 + q < n ? j0 + q : n - 1) * kw;
            __m512 acc[16];
            for (int t = 0; t < 16; t++) acc[t] = _mm512_setzero_ps();
            for (int w = 0; w < kw; w += 16) {
                __m512bh va[4], vb[4];
                for (int r = 0; r < 4; r++) va[r] = (__m512bh)_mm512_loadu_si512(ar[r] + w);
                for (int q = 0; q < 4; q++) vb[q] = (__m512bh)_mm512_loadu_si512(br[q] + w);
                for (int r = 0; r < 4; r++)
                    for (int q = 0; q < 4; q++) acc[r * 4 + q] = _mm512_dpbf16_ps(acc[r * 4 + q], va[r], vb[q]);
            }
            for (int r = 0; r < 4 && i0 + r < m; r++) {
                float *row = c + (long)(i0 + r) * ldc + j0;
                for (int q = 0; q < 4 && j0 + q < n; q++) {
                    float sum = _mm512_reduce_add_ps(acc[r * 4 + q]);
                    row[q] = beta == 0 ? alpha * sum : beta * row[q] + alpha * sum;
                }
            }
        }
    }
}

/// Pack buffers per thread, grown as needed and kept (the engine calls this per image).
static __thread uint32_t *bufA, *bufB;
static __thread size_t capA, capB;

void atkd_sgemm_bf16(int transA, int transB, int m, int n, int k, float alpha,
                     const float *a, int lda, const float *b, int ldb,
                     float beta, float *c, int ldc) {
    if (m <= 0 || n <= 0) return;
    if (!transA && transB && k > 0 && alpha != 0) {
        int kw = ((k + 1) / 2 + 15) / 16 * 16;
        uint32_t *rowsA = growBuffer(&bufA, &capA, (size_t)m * (size_t)kw), *rowsB = growBuffer(&bufB, &capB, (size_t)n * (size_t)kw);
        if (!rowsA || !rowsB) abort();
        gemmRowsDotRows(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, rowsA, rowsB, kw);
        return;
    }
    for (int i = 0; i < m; i++) {
        float *row = c + (long)i * ldc;
        if (beta == 0) memset(row, 0, sizeof(float) * (size_t)n);
        else if (beta != 1) for (int j = 0; j < n; j++) row[j] *= beta;
    }
    if (k <= 0 || alpha == 0) return;
    int kcMax = KC < k ? KC : k, ncMax = NC < n ? NC : n, mcMax = MC < m ? MC : m;
    size_t kpMax = (size_t)(kcMax + 1) / 2;
    uint32_t *bPack = growBuffer(&bufB, &capB, kpMax * (size_t)((ncMax + NR - 1) / NR * NR));
    uint32_t *aPack = growBuffer(&bufA, &capA, kpMax * (size_t)((mcMax + MR - 1) / MR * MR));
    if (!aPack || !bPack) abort();
    for (int j0 = 0; j0 < n; j0 += NC) {
        int nc = n - j0 < NC ? n - j0 : NC;
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = k - k0 < KC ? k - k0 : KC, kpairs = (kc + 1) / 2;
            packPanels(b, ldb, transB, k0, kc, j0, nc, NR, bPack);
            for (int i0 = 0; i0 < m; i0 += MC) {
                int mc = m - i0 < MC ? m - i0 : MC;
                packPanels(a, lda, !transA, k0, kc, i0, mc, MR, aPack);
                for (int it = 0; it * MR < mc; it++) {
                    int rows = mc - it * MR < MR ? mc - it * MR : MR;
                    for (int jt = 0; jt * NR < nc; jt++) {
                        int cols = nc - jt * NR < NR ? nc - jt * NR : NR;
                        microTile(aPack + (long)it * kpairs * MR, bPack + (long)jt * kpairs * NR, kpairs, alpha,
                                  c + (long)(i0 + it * MR) * ldc + j0 + jt * NR, ldc, rows, cols);
                    }
                }
            }
        }
    }
}
