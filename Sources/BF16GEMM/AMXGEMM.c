// bf16 GEMM on AMX tiles (tdpbf16ps): the same contract as atkd_sgemm_bf16, for CPUs with
// AMX-BF16 (Intel Sapphire Rapids and later), where it runs several times the vdpbf16ps rate.
//
// tdpbf16ps C, A, B: C[16 × 16 fp32] += A[16 rows × 16 pair words] · B[16 pair rows × 16 columns
// × 2] — for each (i, j), Σ_p A[i, p].lo·B[p, j].lo + A[i, p].hi·B[p, j].hi, bf16 products exact.
// A is packed per 16-row tile as [k block][row][16 pairs], B per 16-column panel as [pair][column]
// (the vdpbf16ps kernel's panel layout with NR = 16, so one 1 KiB tile per 16 pairs). Micro-tile
// 32 × 32: four C tiles, two A and two B tiles per k block of 32. Blocking: KC k's of A packed
// whole (≤ 32 rows · KC bf16 a tile row, L2-resident), 32 columns of B packed at a time. K is
// padded with zero pairs to a multiple of 32; rows and columns beyond M, N are zero and not stored.
#include "BF16GEMM.h"
#include "BF16Pairs.h"
#include "AMXTiles.h"
#include <cpuid.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

enum { KC = 2048, WHOLE_B = 1 << 20 };

int atkd_cpu_has_amx_bf16(void) {
    if (!atkd_cpu_has_avx512_bf16()) return 0;                // the packing runs on AVX512_BF16
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    if (!(d & (1u << 22)) || !(d & (1u << 24))) return 0;     // AMX-BF16, AMX-TILE
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0x60000u) != 0x60000u) return 0;                // XTILECFG, XTILEDATA state enabled
#if defined(__linux__)
    // Linux hands out the 8 KiB tile state only on request (arch_prctl ARCH_REQ_XCOMP_PERM, 5.16+).
    unsigned long granted = 0;
    if (syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XFEATURE_XTILEDATA */) != 0) return 0;
    if (syscall(SYS_arch_prctl, 0x1022 /* ARCH_GET_XCOMP_PERM */, &granted) != 0) return 0;
    return (granted >> 18) & 1;
#else
    return 0;
#endif
}


/// Columns [first, first + count) of op(B), k's [k0, k0 + kc), as one panel: out[p·16 + j], p < kpp
/// (pairs beyond kc and columns beyond count are zero).
AMX_TARGET static void packB(const float *b, int ldb, int transB, int k0, int kc, int first, int count,
                             int kpp, uint32_t *out) {
    int kpairs = (kc + 1) / 2;
    if (transB) {
        for (int j = 0; j < 16; j++) {
            if (j < count) pairsInOrder(b + (long)(first + j) * ldb + k0, kc, out + j, 16);
            else for (int p = 0; p < kpairs; p++) out[p * 16 + j] = 0;
        }
    } else {
        for (int p = 0; p < kpairs; p++) {
            int r0 = k0 + 2 * p, r1 = r0 + 1;
            pairsInterleaved(b + (long)r0 * ldb + first, r1 < k0 + kc ? b + (long)r1 * ldb + first : 0, count,
                             out + p * 16, 16);
        }
    }
    memset(out + kpairs * 16, 0, sizeof(uint32_t) * (size_t)(kpp - kpairs) * 16);
}

/// Every column of op(B), k's [k0, k0 + kc), as consecutive `packB` panels (panel q at out + q·kpp·16):
/// the same words, with a row-major B read row pair by row pair over its whole width.
AMX_TARGET static void packPanels(const float *b, int ldb, int transB, int k0, int kc, int n, int kpp, uint32_t *out) {
    int panels = (n + 15) / 16;
    if (transB) {
        for (int q = 0; q < panels; q++)
            packB(b, ldb, transB, k0, kc, q * 16, n - q * 16 < 16 ? n - q * 16 : 16, kpp, out + (size_t)q * kpp * 16);
        return;
    }
    int kpairs = (kc + 1) / 2;
    for (int p = 0; p < kpairs; p++) {
        int r0 = k0 + 2 * p, r1 = r0 + 1;
        const float *lo = b + (long)r0 * ldb, *hi = r1 < k0 + kc ? b + (long)r1 * ldb : 0;
        for (int q = 0; q < panels; q++) {
            int count = n - q * 16 < 16 ? n - q * 16 : 16;
            pairsInterleaved(lo + q * 16, hi ? hi + q * 16 : 0, count, out + (size_t)q * kpp * 16 + p * 16, 16);
        }
    }
    for (int q = 0; q < panels; q++)
        memset(out + (size_t)q * kpp * 16 + kpairs * 16, 0, sizeof(uint32_t) * (size_t)(kpp - kpairs) * 16);
}

/// Rows [first, first + count) of op(A), k's [k0, k0 + kc), as A tiles: out[(kb·16 + r)·16 + p]
/// for k block kb < kpp / 16 (rows beyond count and pairs beyond kc are zero). `row` holds kpp words.
AMX_TARGET static void packA(const float *a, int lda, int transA, int k0, int kc, int first, int count,
                             int kpp, uint32_t *out, uint32_t *row) {
    int kpairs = (kc + 1) / 2, blocks = kpp / 16;
    if (!transA) {
        for (int r = 0; r < 16; r++) {
            if (r < count) {
                pairsInOrder(a + (long)(first + r) * lda + k0, kc, row, 1);
                memset(row + kpairs, 0, sizeof(uint32_t) * (size_t)(kpp - kpairs));
            } else memset(row, 0, sizeof(uint32_t) * (size_t)kpp);
            for (int kb = 0; kb < blocks; kb++) memcpy(out + (kb * 16 + r) * 16, row + kb * 16, 64);
        }
    } else {
        uint32_t column[16];
        for (int p = 0; p < kpp; p++) {
            if (p < kpairs) {
                int r0 = k0 + 2 * p, r1 = r0 + 1;
                pairsInterleaved(a + (long)r0 * lda + first, r1 < k0 + kc ? a + (long)r1 * lda + first : 0, count,
                                 column, 16);
            } else memset(column, 0, 64);
            uint32_t *dst = out + (p / 16) * 256 + p % 16;
            for (int r = 0; r < 16; r++) dst[r * 16] = column[r];
        }
    }
}

static __thread uint32_t *bufA, *bufB;
static __thread size_t capA, capB;

/// C tile (rows × cols at c) = α·acc + β·C, from the accumulator spilled to `acc` (β = 0: C not read).
AMX_TARGET static void writeTile(const float *acc, float alpha, float beta, float *c, long ldc, int rows, int cols) {
    __mmask16 m = lanes(cols);
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    for (int r = 0; r < rows; r++) {
        __m512 v = _mm512_mul_ps(va, _mm512_load_ps(acc + r * 16));
        if (beta != 0) v = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m, c + r * ldc), v);
        _mm512_mask_storeu_ps(c + r * ldc, m, v);
    }
}

/// One 32 × 32 block of C over one k range. A full 16 × 16 tile with α = 1 and β ∈ {0, 1} starts
/// from zero or from C itself and is stored straight to C; any other tile goes through `spill`.
#define TILE_START(T, live, direct, cp) \
    if (live) { if ((direct) && beta == 1) _tile_loadd(T, cp, ldc * 4); else _tile_zero(T); }
#define TILE_FINISH(T, live, direct, cp, rows, cols) \
    if (live) { if (direct) _tile_stored(T, cp, ldc * 4); \
                else { _tile_stored(T, spill, 64); writeTile(spill, alpha, beta, cp, ldc, rows, cols); } }

AMX_TARGET static void block32(const uint32_t *a0, const uint32_t *a1, const uint32_t *b0, const uint32_t *b1,
                               int blocks, int rows0, int rows1, int cols0, int cols1,
                               float alpha, float beta, float *c, long ldc, float *spill) {
    int live1 = cols1 > 0, live2 = rows1 > 0, live3 = rows1 > 0 && cols1 > 0;
    int unit = alpha == 1 && (beta == 0 || beta == 1);
    int d0 = unit && rows0 == 16 && cols0 == 16, d1 = unit && rows0 == 16 && cols1 == 16;
    int d2 = unit && rows1 == 16 && cols0 == 16, d3 = unit && rows1 == 16 && cols1 == 16;
    float *c00 = c, *c01 = c + 16, *c10 = c + 16 * ldc, *c11 = c10 + 16;
    // C's lines asked for (prefetchw) before the products: stored cold, each tile store waited on its
    // rows' lines — as in the 3 × 3 kernel's direct path.
    for (int r = 0; r < rows0 + rows1; r++) {
        float *row = c + (long)r * ldc;
        int span = cols0 + cols1;
        for (int j = 0; j < span; j += 16) _m_prefetchw(row + j);
        _m_prefetchw(row + span - 1);
    }
    TILE_START(0, 1, d0, c00) TILE_START(1, live1, d1, c01) TILE_START(2, live2, d2, c10) TILE_START(3, live3, d3, c11)
    for (int kb = 0; kb < blocks; kb++) {
        _tile_loadd(4, a0 + kb * 256, 64);
        _tile_loadd(6, b0 + kb * 256, 64);
        _tile_dpbf16ps(0, 4, 6);
        if (live1) { _tile_loadd(7, b1 + kb * 256, 64); _tile_dpbf16ps(1, 4, 7); }
        if (live2) {
            _tile_loadd(5, a1 + kb * 256, 64);
            _tile_dpbf16ps(2, 5, 6);
            if (live3) _tile_dpbf16ps(3, 5, 7);
        }
    }
    TILE_FINISH(0, 1, d0, c00, rows0, cols0) TILE_FINISH(1, live1, d1, c01, rows0, cols1)
    TILE_FINISH(2, live2, d2, c10, rows1, cols0) TILE_FINISH(3, live3, d3, c11, rows1, cols1)
}

/// C[M,N] = α·A·op(B) + β·C from A already packed (`aPacked`: k block after k block, each `tiles`
/// tiles of kpp·16 words), every k block of B packed here. Tiles configured by the caller.
AMX_TARGET static void productsFromPackedA(const uint32_t *aPacked, int transB, int m, int n, int k, float alpha,
                                           const float *b, int ldb, float beta, float *c, int ldc) {
    int kcMax = k < KC ? k : KC, kppMax = ((kcMax + 1) / 2 + 15) / 16 * 16, tiles = (m + 15) / 16;
    // B packed whole per k block (every panel, each row read front to back once) where that is at
    // most WHOLE_B bytes; else 32 columns at a time. Reading 32 columns of every row of B at a time
    // walked its rows a line each, K streams a page apart, and the packing waited on them (a third of
    // the bf16 1 × 1 convolutions' time at K = 16–64 in a resnet50-w4 step).
    int panels = (n + 15) / 16;
    int whole = (size_t)panels * (size_t)kppMax * 64 <= WHOLE_B;
    uint32_t *bPack = growBuffer(&bufB, &capB, (size_t)(whole ? panels : 2) * (size_t)kppMax * 16);
    if (!bPack) abort();
    float spill[256] __attribute__((aligned(64)));
    const uint32_t *aPack = aPacked;
    for (int k0 = 0; k0 < k; k0 += KC) {
        int kc = k - k0 < KC ? k - k0 : KC, kpp = ((kc + 1) / 2 + 15) / 16 * 16;
        float betaHere = k0 == 0 ? beta : 1;                   // later k blocks add to C
        if (whole) packPanels(b, ldb, transB, k0, kc, n, kpp, bPack);
        for (int j0 = 0; j0 < n; j0 += 32) {
            int cols0 = n - j0 < 16 ? n - j0 : 16, cols1 = n - j0 - 16 < 16 ? n - j0 - 16 : 16;
            uint32_t *b0 = whole ? bPack + (size_t)(j0 / 16) * kpp * 16 : bPack, *b1 = b0 + (size_t)kpp * 16;
            if (!whole) {
                packB(b, ldb, transB, k0, kc, j0, cols0, kpp, b0);
                if (cols1 > 0) packB(b, ldb, transB, k0, kc, j0 + 16, cols1, kpp, b1);
            }
            for (int t = 0; t < tiles; t += 2) {
                int rows0 = m - t * 16 < 16 ? m - t * 16 : 16, rows1 = m - t * 16 - 16;
                rows1 = rows1 < 0 ? 0 : rows1 > 16 ? 16 : rows1;
                block32(aPack + (size_t)t * kpp * 16, aPack + (size_t)(t + 1) * kpp * 16, b0, b1, kpp / 16, rows0, rows1,
                        cols0, cols1 < 0 ? 0 : cols1, alpha, betaHere, c + (long)t * 16 * ldc + j0, ldc, spill);
            }
        }
        aPack += (size_t)tiles * kpp * 16;
    }
}

/// C ← β·C where α·A·B contributes nothing (k = 0 or α = 0).
static void scaleOnly(int m, int n, float beta, float *c, int ldc) {
    for (int i = 0; i < m; i++) {
        float *row = c + (long)i * ldc;
        if (beta == 0) memset(row, 0, sizeof(float) * (size_t)n);
        else if (beta != 1) for (int j = 0; j < n; j++) row[j] *= beta;
    }
}

long atkd_bf16_amx_packed_a_words(int m, int k) {
    long tiles = (m + 15) / 16, words = 0;
    for (int k0 = 0; k0 < k; k0 += KC) {
        int kc = k - k0 < KC ? k - k0 : KC;
        words += tiles * (((kc + 1) / 2 + 15) / 16 * 16) * 16;
    }
    return words;
}

AMX_TARGET void atkd_bf16_amx_pack_a(int transA, int m, int k, const float *a, int lda, uint32_t *packed) {
    int tiles = (m + 15) / 16;
    uint32_t row[KC / 2];                                       // a k block's pair words: ≤ KC / 2
    for (int k0 = 0; k0 < k; k0 += KC) {
        int kc = k - k0 < KC ? k - k0 : KC, kpp = ((kc + 1) / 2 + 15) / 16 * 16;
        for (int t = 0; t < tiles; t++)
            packA(a, lda, transA, k0, kc, t * 16, m - t * 16 < 16 ? m - t * 16 : 16, kpp, packed + (size_t)t * kpp * 16, row);
        packed += (size_t)tiles * kpp * 16;
    }
}

AMX_TARGET void atkd_sgemm_bf16_amx_packed(int m, int n, int k, const uint32_t *packedA, int transB,
                                           const float *b, int ldb, float beta, float *c, int ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) { scaleOnly(m, n, beta, c, ldc); return; }
    TileConfig config = fullTiles();
    _tile_loadconfig(&config);
    productsFromPackedA(packedA, transB, m, n, k, 1, b, ldb, beta, c, ldc);
    _tile_release();
}

AMX_TARGET void atkd_sgemm_bf16_amx(int transA, int transB, int m, int n, int k, float alpha,
                                    const float *a, int lda, const float *b, int ldb,
                                    float beta, float *c, int ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0 || alpha == 0) { scaleOnly(m, n, beta, c, ldc); return; }
    uint32_t *aPack = growBuffer(&bufA, &capA, (size_t)atkd_bf16_amx_packed_a_words(m, k));
    if (!aPack) abort();
    atkd_bf16_amx_pack_a(transA, m, k, a, lda, aPack);
    TileConfig config = fullTiles();
    _tile_loadconfig(&config);
    productsFromPackedA(aPack, transB, m, n, k, alpha, b, ldb, beta, c, ldc);
    _tile_release();
}
