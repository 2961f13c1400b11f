// Adaptive average pooling 8 planes a vector (see the header): the planes' rows are transposed
// 8 × 8 so that one element of all 8 planes is one vector, then every bin is a chain of vector
// Double adds — per lane the scalar chain of the reference, so no lane sees another's rounding.
#pragma STDC FP_CONTRACT OFF
#include "AdaptivePooling512.h"
#include <immintrin.h>

#define T512 __attribute__((target("avx512f,avx512dq,avx512vl")))

/// r[k] ← column k of the 8 × 8 matrix whose rows are r[0..<8].
static inline T512 void transpose8(__m256 r[8]) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0)), s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0)), s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20); r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20); r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31); r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31); r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

T512 void atkd_adaptive_pool8(const float *x, int h, int w, const int *rowStart, const int *rowEnd, int outH,
                              const int *colStart, const int *colEnd, int outW, float *y, float *scratch) {
    const long hw = (long)h * w, bins = (long)outH * outW;
    // scratch[(r·w + c)·8 + p] = plane p's element (r, c).
    for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c += 8) {
            const int n = w - c < 8 ? w - c : 8;
            const __mmask8 mask = (__mmask8)((1u << n) - 1);
            __m256 v[8];
            for (int p = 0; p < 8; p++) v[p] = _mm256_maskz_loadu_ps(mask, x + p * hw + (long)r * w + c);
            transpose8(v);
            for (int k = 0; k < n; k++) _mm256_store_ps(scratch + ((long)r * w + c + k) * 8, v[k]);
        }
    }
    for (int i = 0; i < outH; i++) {
        for (int j = 0; j < outW; j++) {
            __m512d s = _mm512_setzero_pd();
            for (int r = rowStart[i]; r < rowEnd[i]; r++)
                for (int c = colStart[j]; c < colEnd[j]; c++)
                    s = _mm512_add_pd(s, _mm512_cvtps_pd(_mm256_load_ps(scratch + ((long)r * w + c) * 8)));
            const double size = (double)((rowEnd[i] - rowStart[i]) * (colEnd[j] - colStart[j]));
            float mean[8];
            _mm256_storeu_ps(mean, _mm512_cvtpd_ps(_mm512_div_pd(s, _mm512_set1_pd(size))));
            for (int p = 0; p < 8; p++) y[p * bins + (long)i * outW + j] = mean[p];
        }
    }
}

T512 void atkd_adaptive_pool8_backward(const float *dy, int h, int w, const int *rowStart, const int *rowEnd, int outH,
                                       const int *colStart, const int *colEnd, int outW, const float *base, float *dx,
                                       double *scratch) {
    const long hw = (long)h * w, bins = (long)outH * outW;
    // scratch[(r·w + c)·8 + p] = plane p's gradient at (r, c), in Double.
    for (long e = 0; e < hw; e++) _mm512_store_pd(scratch + e * 8, _mm512_setzero_pd());
    for (int i = 0; i < outH; i++) {
        for (int j = 0; j < outW; j++) {
            float g8[8];
            for (int p = 0; p < 8; p++) g8[p] = dy[p * bins + (long)i * outW + j];
            const double size = (double)((rowEnd[i] - rowStart[i]) * (colEnd[j] - colStart[j]));
            const __m512d g = _mm512_div_pd(_mm512_cvtps_pd(_mm256_loadu_ps(g8)), _mm512_set1_pd(size));
            for (int r = rowStart[i]; r < rowEnd[i]; r++)
                for (int c = colStart[j]; c < colEnd[j]; c++) {
                    double *a = scratch + ((long)r * w + c) * 8;
                    _mm512_store_pd(a, _mm512_add_pd(_mm512_load_pd(a), g));
                }
        }
    }
    for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c += 8) {
            const int n = w - c < 8 ? w - c : 8;
            const __mmask8 mask = (__mmask8)((1u << n) - 1);
            __m256 v[8];
            for (int k = 0; k < 8; k++)
                v[k] = k < n ? _mm512_cvtpd_ps(_mm512_load_pd(scratch + ((long)r * w + c + k) * 8)) : _mm256_setzero_ps();
            transpose8(v);
            for (int p = 0; p < 8; p++) {
                float *out = dx + p * hw + (long)r * w + c;
                __m256 value = v[p];
                if (base) value = _mm256_add_ps(_mm256_maskz_loadu_ps(mask, base + p * hw + (long)r * w + c), value);
                _mm256_mask_storeu_ps(out, mask, value);
            }
        }
    }
}
