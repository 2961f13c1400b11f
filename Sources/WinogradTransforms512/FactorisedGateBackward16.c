// The AW-convolution's fused backward on 16-pixel maps, four output channels a step (see the header).
// Every operation is the Swift kernel's, in its order; FMAs only where it fused (`addProduct`).
#pragma STDC FP_CONTRACT OFF
#include "FactorisedGateBackward16.h"
#include <immintrin.h>
#include <string.h>

#define T512 __attribute__((target("avx512f,avx512dq,avx512vl")))
// The 16 dcol accumulators must live in registers: every loop over f (and over the four channels) unrolled.
#define UNROLL _Pragma("clang loop unroll(full)")

/// dK, ∂z_in and the partial ∂z_out of one output channel once its dW `g` is summed.
static inline T512 __attribute__((always_inline)) void tail(float *dKernel, long kOff, __m512 k, __m512 a, __m512 g,
                                                            float *partial, long ot, __m512 *dzInSum) {
    const __m512 one = _mm512_set1_ps(1), half = _mm512_set1_ps(0.5f);
    _mm512_storeu_ps(dKernel + kOff, _mm512_add_ps(_mm512_loadu_ps(dKernel + kOff), _mm512_mul_ps(g, a)));
    __m512 d = _mm512_mul_ps(_mm512_mul_ps(_mm512_mul_ps(g, k), a), _mm512_sub_ps(one, _mm512_mul_ps(half, a)));
    *dzInSum = _mm512_add_ps(*dzInSum, d);
    __m256 p = _mm256_loadu_ps(partial + ot * 8);
    p = _mm256_add_ps(p, _mm512_castps512_ps256(d));
    p = _mm256_add_ps(p, _mm512_extractf32x8_ps(d, 1));
    _mm256_storeu_ps(partial + ot * 8, p);
}

T512 void atkd_factorised_gate_backward16(int o, int c, int t, const int32_t *rows, const float *xT, const float *dy,
                                          const float *kernel, const float *u, const float *v, float *dKernel,
                                          float *dzOut, float *dzIn, float *partial, float *dxT) {
    memset(partial, 0, sizeof(float) * (size_t)o * (size_t)t * 8);
    const __m512 one = _mm512_set1_ps(1), two = _mm512_set1_ps(2);
    for (int tt = 0; tt < t; tt++) {
        const int32_t *rowT = rows + tt * 16;
        for (int cb = 0; cb < c; cb += 16) {
            const __m512 vIn = _mm512_loadu_ps(v + (long)tt * c + cb);
            __m512 d[16], dzInSum = _mm512_setzero_ps();
            UNROLL for (int f = 0; f < 16; f++) d[f] = _mm512_setzero_ps();
            int oo = 0;
            for (; oo + 4 <= o; oo += 4) {
                long ot[4], kOff[4];
                __m512 a[4], k[4], w[4], g[4];
                const float *dyo = dy + (long)oo * 16;
                UNROLL for (int j = 0; j < 4; j++) {
                    ot[j] = (long)(oo + j) * t + tt;
                    a[j] = _mm512_div_ps(two, _mm512_add_ps(one, _mm512_mul_ps(_mm512_set1_ps(u[ot[j]]), vIn)));
                    kOff[j] = ot[j] * c + cb;
                    k[j] = _mm512_loadu_ps(kernel + kOff[j]);
                    w[j] = _mm512_mul_ps(k[j], a[j]);
                    g[j] = _mm512_setzero_ps();
                }
                UNROLL for (int f = 0; f < 16; f++) {
                    __m512 x = _mm512_loadu_ps(xT + rowT[f] + cb);
                    UNROLL for (int j = 0; j < 4; j++) {
                        __m512 r = _mm512_set1_ps(dyo[j * 16 + f]);
                        g[j] = _mm512_fmadd_ps(r, x, g[j]);
                        d[f] = _mm512_fmadd_ps(w[j], r, d[f]);
                    }
                }
                UNROLL for (int j = 0; j < 4; j++) tail(dKernel, kOff[j], k[j], a[j], g[j], partial, ot[j], &dzInSum);
            }
            for (; oo < o; oo++) {
                long ot = (long)oo * t + tt, kOff = ot * c + cb;
                __m512 a = _mm512_div_ps(two, _mm512_add_ps(one, _mm512_mul_ps(_mm512_set1_ps(u[ot]), vIn)));
                __m512 k = _mm512_loadu_ps(kernel + kOff), w = _mm512_mul_ps(k, a), g = _mm512_setzero_ps();
                const float *dyo = dy + (long)oo * 16;
                UNROLL for (int f = 0; f < 16; f++) {
                    __m512 r = _mm512_set1_ps(dyo[f]);
                    g = _mm512_fmadd_ps(r, _mm512_loadu_ps(xT + rowT[f] + cb), g);
                    d[f] = _mm512_fmadd_ps(w, r, d[f]);
                }
                tail(dKernel, kOff, k, a, g, partial, ot, &dzInSum);
            }
            UNROLL for (int f = 0; f < 16; f++) {
                float *dst = dxT + rowT[f] + cb;
                _mm512_storeu_ps(dst, _mm512_add_ps(_mm512_loadu_ps(dst), d[f]));
            }
            float lanes[16];
            _mm512_storeu_ps(lanes, dzInSum);
            for (int l = 0; l < 16; l++) dzIn[(long)(cb + l) * t + tt] = lanes[l];
        }
    }
    for (long ot = 0; ot < (long)o * t; ot++) {
        float s = 0;
        for (int l = 0; l < 8; l++) s += partial[ot * 8 + l];
        dzOut[ot] = s;
    }
}
