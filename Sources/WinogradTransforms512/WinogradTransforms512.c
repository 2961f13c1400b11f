// The 16-lane Winograd tile transforms (see the header). Written in C: the same code in Swift's
// SIMD16 came out partly scalarised (LLVM split the arithmetic behind the lane joins into 4- and
// 1-lane pieces), at 1.6× the time of the 8-lane transforms it was to replace.
#pragma STDC FP_CONTRACT OFF
#include "WinogradTransforms512.h"
#include <immintrin.h>

#define T512 __attribute__((target("avx512f,avx512dq,avx512vl"), always_inline)) static inline
#define MUL(c, x) _mm512_mul_ps(_mm512_set1_ps(c), (x))

/// 1-D Bᵀ of 6 values (Lavin & Gray's F(4, 3), points 0, ±1, ±2, ∞), as `transformInputLanes`' bt.
T512 void bt(__m512 d0, __m512 d1, __m512 d2, __m512 d3, __m512 d4, __m512 d5, __m512 o[6]) {
    __m512 s12 = _mm512_add_ps(d1, d2), s34 = _mm512_add_ps(d3, d4), d21 = _mm512_sub_ps(d1, d2);
    __m512 d43 = _mm512_sub_ps(d4, d3), f = _mm512_sub_ps(d4, d2), g = _mm512_sub_ps(d3, d1);
    o[0] = _mm512_add_ps(_mm512_sub_ps(d4, MUL(5, d2)), MUL(4, d0));
    o[1] = _mm512_sub_ps(s34, MUL(4, s12));
    o[2] = _mm512_add_ps(d43, MUL(4, d21));
    o[3] = _mm512_add_ps(f, MUL(2, g));
    o[4] = _mm512_sub_ps(f, MUL(2, g));
    o[5] = _mm512_add_ps(_mm512_sub_ps(d5, MUL(5, d3)), MUL(4, d1));
}

/// 16 tiles' element at float offset `off` from each tile's first: segments of 8, 4 or 2 tiles.
T512 __m512 load16(const float *q, const long *b, int segment, long off) {
    if (segment == 8)
        return _mm512_insertf32x8(_mm512_castps256_ps512(_mm256_loadu_ps(q + b[0] + off)), _mm256_loadu_ps(q + b[1] + off), 1);
    if (segment == 4) {
        __m512 v = _mm512_castps128_ps512(_mm_loadu_ps(q + b[0] + off));
        v = _mm512_insertf32x4(v, _mm_loadu_ps(q + b[1] + off), 1);
        v = _mm512_insertf32x4(v, _mm_loadu_ps(q + b[2] + off), 2);
        return _mm512_insertf32x4(v, _mm_loadu_ps(q + b[3] + off), 3);
    }
    __m128 p[4];
    for (int k = 0; k < 4; k++) {
        __m128 lo = _mm_castpd_ps(_mm_load_sd((const double *)(q + b[2 * k] + off)));
        p[k] = _mm_loadh_pi(lo, (const __m64 *)(q + b[2 * k + 1] + off));
    }
    __m512 v = _mm512_castps128_ps512(p[0]);
    v = _mm512_insertf32x4(v, p[1], 1);
    v = _mm512_insertf32x4(v, p[2], 2);
    return _mm512_insertf32x4(v, p[3], 3);
}

T512 void input16(const float *q, const long *b, int segment, long phaseStride, long ld, float *v, long stride) {
    __m512 h[6][6];
    for (int r = 0; r < 6; r++) {
        __m512 d[6];
        for (int s = 0; s < 6; s++) d[s] = load16(q, b, segment, (s & 3) * phaseStride + r * ld + (s >> 2));
        bt(d[0], d[1], d[2], d[3], d[4], d[5], h[r]);
    }
    for (int j = 0; j < 6; j++) {
        __m512 c[6];
        bt(h[0][j], h[1][j], h[2][j], h[3][j], h[4][j], h[5][j], c);
        for (int i = 0; i < 6; i++) _mm512_storeu_ps(v + (6 * i + j) * stride, c[i]);
    }
}

__attribute__((target("avx512f,avx512dq,avx512vl")))
void atkd_winograd_input16(const float *q, const long *segments, int segment, int tPad, long phaseStride, long ld,
                           float *v, long positionStride) {
    // One instantiation per segment size, so the loads' branches fold away.
    for (int g = 0; g < tPad; g += 16) {
        const long *b = segments + g / segment;
        if (segment == 8) input16(q, b, 8, phaseStride, ld, v + g, positionStride);
        else if (segment == 4) input16(q, b, 4, phaseStride, ld, v + g, positionStride);
        else input16(q, b, 2, phaseStride, ld, v + g, positionStride);
    }
}

/// 1-D Aᵀ of 6 values, as `transformOutputLanes`' at.
T512 void at(__m512 m0, __m512 m1, __m512 m2, __m512 m3, __m512 m4, __m512 m5, __m512 o[4]) {
    __m512 s12 = _mm512_add_ps(m1, m2), d12 = _mm512_sub_ps(m1, m2), s34 = _mm512_add_ps(m3, m4), d34 = _mm512_sub_ps(m3, m4);
    o[0] = _mm512_add_ps(_mm512_add_ps(m0, s12), s34);
    o[1] = _mm512_add_ps(d12, MUL(2, d34));
    o[2] = _mm512_add_ps(s12, MUL(4, s34));
    o[3] = _mm512_add_ps(_mm512_add_ps(d12, m5), MUL(8, d34));
}

/// Output row a of 8 tiles (tile column b in y[b], lanes the tiles) stored as `Winograd4x4.tileRows`
/// and FastEngine's `transformOutput` store them.
__attribute__((target("avx512f,avx512dq,avx512vl"), always_inline)) static inline
void storeRow8(__m256 y0, __m256 y1, __m256 y2, __m256 y3, float *plane, const long *outputs, long offset, int fullRows) {
    __m256 t0 = _mm256_unpacklo_ps(y0, y1), t1 = _mm256_unpackhi_ps(y0, y1);
    __m256 t2 = _mm256_unpacklo_ps(y2, y3), t3 = _mm256_unpackhi_ps(y2, y3);
    __m256 r04 = _mm256_shuffle_ps(t0, t2, 0x44), r15 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 r26 = _mm256_shuffle_ps(t1, t3, 0x44), r37 = _mm256_shuffle_ps(t1, t3, 0xEE);
    if (fullRows) {
        float *out = plane + outputs[0] + offset;
        _mm256_storeu_ps(out, _mm256_permute2f128_ps(r04, r15, 0x20));
        _mm256_storeu_ps(out + 8, _mm256_permute2f128_ps(r26, r37, 0x20));
        _mm256_storeu_ps(out + 16, _mm256_permute2f128_ps(r04, r15, 0x31));
        _mm256_storeu_ps(out + 24, _mm256_permute2f128_ps(r26, r37, 0x31));
        return;
    }
    _mm_storeu_ps(plane + outputs[0] + offset, _mm256_castps256_ps128(r04));
    _mm_storeu_ps(plane + outputs[1] + offset, _mm256_castps256_ps128(r15));
    _mm_storeu_ps(plane + outputs[2] + offset, _mm256_castps256_ps128(r26));
    _mm_storeu_ps(plane + outputs[3] + offset, _mm256_castps256_ps128(r37));
    _mm_storeu_ps(plane + outputs[4] + offset, _mm256_extractf128_ps(r04, 1));
    _mm_storeu_ps(plane + outputs[5] + offset, _mm256_extractf128_ps(r15, 1));
    _mm_storeu_ps(plane + outputs[6] + offset, _mm256_extractf128_ps(r26, 1));
    _mm_storeu_ps(plane + outputs[7] + offset, _mm256_extractf128_ps(r37, 1));
}

__attribute__((target("avx512f,avx512dq,avx512vl")))
void atkd_winograd_output16(const float *m, long positionStride, int groups, const long *outputs, long w,
                            int fullRows, float *plane) {
    for (int group = 0; group < groups; group++) {
        const float *mg = m + group * 16;
        __m512 q[6][4];
        for (int i = 0; i < 6; i++) {
            const float *row = mg + 6 * i * positionStride;
            at(_mm512_loadu_ps(row), _mm512_loadu_ps(row + positionStride), _mm512_loadu_ps(row + 2 * positionStride),
               _mm512_loadu_ps(row + 3 * positionStride), _mm512_loadu_ps(row + 4 * positionStride),
               _mm512_loadu_ps(row + 5 * positionStride), q[i]);
        }
        __m512 y[4][4];   // y[b][a]: tile column b, output row a
        for (int b = 0; b < 4; b++) at(q[0][b], q[1][b], q[2][b], q[3][b], q[4][b], q[5][b], y[b]);
        const long *out = outputs + group * 16;
        for (int a = 0; a < 4; a++) {
            storeRow8(_mm512_castps512_ps256(y[0][a]), _mm512_castps512_ps256(y[1][a]), _mm512_castps512_ps256(y[2][a]),
                      _mm512_castps512_ps256(y[3][a]), plane, out, a * w, fullRows);
            storeRow8(_mm512_extractf32x8_ps(y[0][a], 1), _mm512_extractf32x8_ps(y[1][a], 1),
                      _mm512_extractf32x8_ps(y[2][a], 1), _mm512_extractf32x8_ps(y[3][a], 1), plane, out + 8, a * w,
                      fullRows);
        }
    }
}

/// 1-D A·(d0 … d3), the transpose of the output transform's Aᵀ, as `transformOutputGradientLanes`' a4.
T512 void a4(__m512 d0, __m512 d1, __m512 d2, __m512 d3, __m512 o[6]) {
    __m512 s02 = _mm512_add_ps(d0, d2), s13 = _mm512_add_ps(d1, d3);
    __m512 q = _mm512_add_ps(d0, MUL(4, d2)), e = _mm512_add_ps(MUL(2, d1), MUL(8, d3));
    o[0] = d0; o[1] = _mm512_add_ps(s02, s13); o[2] = _mm512_sub_ps(s02, s13);
    o[3] = _mm512_add_ps(q, e); o[4] = _mm512_sub_ps(q, e); o[5] = d3;
}

__attribute__((target("avx512f,avx512dq,avx512vl")))
void atkd_winograd_output_gradient16(const float *dyT, int images, int tilesHigh, int tilesWide, long imageT,
                                     long cols, int kPad, float *dm, long positionStride) {
    long t = 0;
    for (int b = 0; b < images; b++)
        for (int ty = 0; ty < tilesHigh; ty++)
            for (int tx = 0; tx < tilesWide; tx++, t++) {
                const float *tile = dyT + b * imageT + (4 * ty * cols + 4 * tx) * kPad;
                for (int k = 0; k < kPad; k += 16) {
                    __m512 h[4][6];
                    for (int r = 0; r < 4; r++) {
                        const float *row = tile + r * cols * kPad + k;
                        a4(_mm512_loadu_ps(row), _mm512_loadu_ps(row + kPad), _mm512_loadu_ps(row + 2 * kPad),
                           _mm512_loadu_ps(row + 3 * kPad), h[r]);
                    }
                    float *out = dm + t * kPad + k;
                    for (int j = 0; j < 6; j++) {
                        __m512 c[6];
                        a4(h[0][j], h[1][j], h[2][j], h[3][j], c);
                        for (int i = 0; i < 6; i++) _mm512_storeu_ps(out + (6 * i + j) * positionStride, c[i]);
                    }
                }
            }
}
