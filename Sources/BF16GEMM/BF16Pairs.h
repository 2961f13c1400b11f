// Shared by the bf16 GEMM kernels (private to this target): fp32 → bfloat16 pair words.
// A pair word holds bf16(x[2p]) in its low half and bf16(x[2p+1]) in its high half, the operand
// layout of vdpbf16ps and of AMX's tdpbf16ps.
#ifndef BF16PAIRS_H
#define BF16PAIRS_H

#include <immintrin.h>
#include <stdint.h>
#include <stdlib.h>

/// *p holding at least `words` words, 64-byte aligned: reallocated (contents dropped) when too small,
/// kept otherwise (the kernels' per-thread pack buffers). NULL when the allocation fails.
static inline uint32_t *growBuffer(uint32_t **p, size_t *cap, size_t words) {
    if (words > *cap) {
        free(*p);
        size_t bytes = (words * sizeof(uint32_t) + 63) / 64 * 64;
        *p = aligned_alloc(64, bytes);
        *cap = *p ? bytes / sizeof(uint32_t) : 0;
    }
    return *p;
}

#define TARGET __attribute__((target("avx512f,avx512bw,avx512bf16")))

static inline __mmask16 lanes(int count) { return count >= 16 ? 0xFFFF : count <= 0 ? 0 : (__mmask16)((1u << count) - 1); }

/// dst[p·stride] = pair(src[2p], src[2p+1]) for p < ⌈len/2⌉ (src[len] reads as 0 when len is odd):
/// bf16 of consecutive floats, in order, already are pair words.
TARGET static inline void pairsInOrder(const float *src, int len, uint32_t *dst, int stride) {
    for (int q = 0; q < len; q += 32) {
        int rem = len - q;
        __m512 v0 = _mm512_maskz_loadu_ps(lanes(rem), src + q), v1 = _mm512_maskz_loadu_ps(lanes(rem - 16), src + q + 16);
        __m512i pairs = (__m512i)_mm512_cvtne2ps_pbh(v1, v0);
        int np = ((rem < 32 ? rem : 32) + 1) / 2;
        uint32_t *out = dst + (long)(q / 2) * stride;
        if (stride == 1) { _mm512_mask_storeu_epi32(out, lanes(np), pairs); continue; }
        uint32_t words[16];
        _mm512_storeu_si512(words, pairs);
        for (int p = 0; p < np; p++) out[(long)p * stride] = words[p];
    }
}

/// dst[j] = pair(lo[j], hi[j]) for j < count, then zeros up to width; hi = NULL reads as zeros.
TARGET static inline void pairsInterleaved(const float *lo, const float *hi, int count, uint32_t *dst, int width) {
    const __m512i idx = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                         23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    for (int j = 0; j < width; j += 16) {
        __mmask16 m = lanes(count - j);
        __m512 v0 = _mm512_maskz_loadu_ps(m, lo + j);
        __m512 v1 = hi ? _mm512_maskz_loadu_ps(m, hi + j) : _mm512_setzero_ps();
        // cvtne2ps(v1, v0): 16-bit lanes 0–15 = bf16(v0), 16–31 = bf16(v1); interleave them.
        __m512i w = _mm512_permutexvar_epi16(idx, (__m512i)_mm512_cvtne2ps_pbh(v1, v0));
        _mm512_mask_storeu_epi32(dst + j, lanes(width - j), _mm512_maskz_mov_epi32(m, w));
    }
}

/// dst[p] = pair(s[2p], s[2p+1]) for p ≤ len/2 where s = (0, src[0], …, src[len−1], 0, …): the pair
/// words of a row with one zero in front (len even: len/2 + 1 words).
TARGET static inline void pairsAfterZero(const float *src, int len, uint32_t *dst) {
    int words = len / 2 + 1;
    for (int q = 0; q < 2 * words; q += 32) {
        // Lane i holds s[q + i] = src[q + i − 1] where 0 ≤ q + i − 1 < len (a masked load reads nothing else).
        __mmask16 m0 = lanes(len + 1 - q) & (q == 0 ? 0xFFFE : 0xFFFF), m1 = lanes(len + 1 - q - 16);
        __m512 v0 = _mm512_maskz_loadu_ps(m0, src + q - 1), v1 = _mm512_maskz_loadu_ps(m1, src + q + 15);
        int np = words - q / 2 < 16 ? words - q / 2 : 16;
        _mm512_mask_storeu_epi32(dst + q / 2, lanes(np), (__m512i)_mm512_cvtne2ps_pbh(v1, v0));
    }
}

#endif
