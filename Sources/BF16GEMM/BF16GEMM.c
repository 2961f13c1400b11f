// bf16 GEMM: pack panels of A and B into bfloat16 pairs, multiply with vdpbf16ps.
//
// vdpbf16ps acc, x, y: for each of 16 fp32 lanes i, acc[i] += x[2i]·y[2i] + x[2i+1]·y[2i+1]
// (bf16 products are exact in fp32). So B is packed per k-pair as [kp][j][2] (one zmm: 16
// columns × 2 k's) and A per k-pair as one 32-bit (A[i,2kp], A[i,2kp+1]) word broadcast to all
// lanes. Micro-tile MR × NR = 12 × 32: 24 accumulators, 2 B loads and 12 broadcasts per k-pair.
// Blocking: KC k's (even) × NC columns of B packed once per (KC, NC) block; MC rows of A per
// block. Odd K: the last pair's second element is zero on both sides.
#include "BF16GEMM.h"
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

/// op(A)[i, kk] for the row-major storage cblas describes.
static inline float elementA(int transA, const float *a, int lda, int i, int kk) {
    return transA ? a[(long)kk * lda + i] : a[(long)i * lda + kk];
}
static inline float elementB(int transB, const float *b, int ldb, int kk, int j) {
    return transB ? b[(long)j * ldb + kk] : b[(long)kk * ldb + j];
}
static inline uint32_t pairBits(float lo, float hi) {
    return (uint32_t)atkd_bf16_from_float(lo) | ((uint32_t)atkd_bf16_from_float(hi) << 16);
}

/// out[(jt·kpairs + kp)·NR + jj] = pair(B[k0+2kp, j], B[k0+2kp+1, j]), j = j0 + jt·NR + jj,
/// zero beyond n (columns) or beyond k (the odd last row).
__attribute__((target("avx512f,avx512bw,avx512bf16")))
static void packB(int transB, const float *b, int ldb, int k0, int kc, int j0, int nc, int k, int n, uint32_t *out) {
    int kpairs = (kc + 1) / 2;
    for (int jt = 0; jt * NR < nc; jt++) {
        uint32_t *panel = out + (long)jt * kpairs * NR;
        for (int kp = 0; kp < kpairs; kp++) {
            int r0 = k0 + 2 * kp, r1 = r0 + 1;
            int j = j0 + jt * NR;
            if (!transB && j + NR <= n && r1 < k0 + kc && r1 < k) {
                // Two rows of 32 contiguous floats → 32 interleaved pairs.
                const float *row0 = b + (long)r0 * ldb + j, *row1 = b + (long)r1 * ldb + j;
                for (int h = 0; h < NR; h += 16) {
                    __m512 x0 = _mm512_loadu_ps(row0 + h), x1 = _mm512_loadu_ps(row1 + h);
                    // cvtne2ps: lanes 0–15 from the second operand, 16–31 from the first.
                    __m512i both = (__m512i)_mm512_cvtne2ps_pbh(x1, x0);
                    __m512i idx = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                                   23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
                    _mm512_storeu_si512(panel + (long)kp * NR + h, _mm512_permutexvar_epi16(idx, both));
                }
                continue;
            }
            for (int jj = 0; jj < NR; jj++) {
                int col = j + jj;
                float lo = 0, hi = 0;
                if (col < n && jt * NR + jj < nc) {
                    if (r0 < k0 + kc && r0 < k) lo = elementB(transB, b, ldb, r0, col);
                    if (r1 < k0 + kc && r1 < k) hi = elementB(transB, b, ldb, r1, col);
                }
                panel[(long)kp * NR + jj] = pairBits(lo, hi);
            }
        }
    }
}

/// out[(it·kpairs + kp)·MR + ii] = pair(A[i, k0+2kp], A[i, k0+2kp+1]), i = i0 + it·MR + ii.
static void packA(int transA, const float *a, int lda, int k0, int kc, int i0, int mc, int k, int m, uint32_t *out) {
    int kpairs = (kc + 1) / 2;
    for (int it = 0; it * MR < mc; it++) {
        uint32_t *panel = out + (long)it * kpairs * MR;
        for (int ii = 0; ii < MR; ii++) {
            int i = i0 + it * MR + ii;
            int live = i < m && it * MR + ii < mc;
            for (int kp = 0; kp < kpairs; kp++) {
                int c0 = k0 + 2 * kp, c1 = c0 + 1;
                float lo = 0, hi = 0;
                if (live) {
                    if (c0 < k0 + kc && c0 < k) lo = elementA(transA, a, lda, i, c0);
                    if (c1 < k0 + kc && c1 < k) hi = elementA(transA, a, lda, i, c1);
                }
                panel[(long)kp * MR + ii] = pairBits(lo, hi);
            }
        }
    }
}

/// C[r, q] += α · Σ_kp A pair(r, kp) · B pair(kp, q) for r < rows, q < cols (≤ MR, NR), over a packed
/// A panel and B panel; the accumulators go to C through masked AVX-512 loads and stores.
__attribute__((target("avx512f,avx512bw,avx512bf16")))
static void microTile(const uint32_t *ap, const uint32_t *bp, int kpairs, float alpha,
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

void atkd_sgemm_bf16(int transA, int transB, int m, int n, int k, float alpha,
                     const float *a, int lda, const float *b, int ldb,
                     float beta, float *c, int ldc) {
    if (m <= 0 || n <= 0) return;
    for (int i = 0; i < m; i++) {
        float *row = c + (long)i * ldc;
        if (beta == 0) memset(row, 0, sizeof(float) * (size_t)n);
        else if (beta != 1) for (int j = 0; j < n; j++) row[j] *= beta;
    }
    if (k <= 0 || alpha == 0) return;
    int kcMax = KC < k ? KC : k, ncMax = NC < n ? NC : n, mcMax = MC < m ? MC : m;
    int kpMax = (kcMax + 1) / 2;
    size_t bBytes = sizeof(uint32_t) * (size_t)kpMax * (size_t)((ncMax + NR - 1) / NR * NR);
    size_t aBytes = sizeof(uint32_t) * (size_t)kpMax * (size_t)((mcMax + MR - 1) / MR * MR);
    uint32_t *bPack = aligned_alloc(64, (bBytes + 63) / 64 * 64), *aPack = aligned_alloc(64, (aBytes + 63) / 64 * 64);
    for (int j0 = 0; j0 < n; j0 += NC) {
        int nc = n - j0 < NC ? n - j0 : NC;
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = k - k0 < KC ? k - k0 : KC, kpairs = (kc + 1) / 2;
            packB(transB, b, ldb, k0, kc, j0, nc, k, n, bPack);
            for (int i0 = 0; i0 < m; i0 += MC) {
                int mc = m - i0 < MC ? m - i0 : MC;
                packA(transA, a, lda, k0, kc, i0, mc, k, m, aPack);
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
    free(aPack);
    free(bPack);
}
