// The AW-convolution's gated Winograd forward on 8 × 8 maps (see the header): the input transformed
// once an image (tiles in the lanes), then per block of 16 output channels the gated kernels
// transformed (channels in the lanes), 16 points' products over C, and the output transform.
// Layout: V [16 points][C][16 tiles], U [C][16 points][16 lanes], M [16 tiles][16 points][16 lanes].
#pragma STDC FP_CONTRACT OFF
#include "GatedWinograd8x8.h"
#include <immintrin.h>

#define T512 __attribute__((target("avx512f,avx512dq,avx512vl")))
#define HALF(x) _mm512_mul_ps(_mm512_set1_ps(0.5f), (x))

long atkd_gated_winograd8x8_scratch(int c) { return 256L * c * 2 + 256L * 16 + 112; }

T512 void atkd_gated_winograd8x8(const float *x, int c, int o, const float *kernelT, const float *uT, const float *v,
                                 int o0, int o1, float *y, float *scratch) {
    float *vt = scratch, *ut = vt + 256L * c, *mt = ut + 256L * c, *padded = mt + 256L * 16;
    // Tile t = 4·ty + tx reads the padded 10 × 10 plane from row 2·ty, column 2·tx.
    const __m512i corner = _mm512_set_epi32(66, 64, 62, 60, 46, 44, 42, 40, 26, 24, 22, 20, 6, 4, 2, 0);
    for (int i = 0; i < 112; i++) padded[i] = 0;
    // V = Bᵀ d B, Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], every tile at once.
    for (int ch = 0; ch < c; ch++) {
        for (int r = 0; r < 8; r++)
            for (int s = 0; s < 8; s++) padded[(r + 1) * 10 + s + 1] = x[(long)ch * 64 + r * 8 + s];
        __m512 d[4][4], e[4][4];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                d[i][j] = _mm512_i32gather_ps(_mm512_add_epi32(corner, _mm512_set1_epi32(i * 10 + j)), padded, 4);
        for (int j = 0; j < 4; j++) {
            e[0][j] = _mm512_sub_ps(d[0][j], d[2][j]);
            e[1][j] = _mm512_add_ps(d[1][j], d[2][j]);
            e[2][j] = _mm512_sub_ps(d[2][j], d[1][j]);
            e[3][j] = _mm512_sub_ps(d[1][j], d[3][j]);
        }
        for (int i = 0; i < 4; i++) {
            __m512 p[4] = {
                _mm512_sub_ps(e[i][0], e[i][2]), _mm512_add_ps(e[i][1], e[i][2]),
                _mm512_sub_ps(e[i][2], e[i][1]), _mm512_sub_ps(e[i][1], e[i][3]),
            };
            for (int j = 0; j < 4; j++) _mm512_store_ps(vt + ((long)(i * 4 + j) * c + ch) * 16, p[j]);
        }
    }
    const __m512 one = _mm512_set1_ps(1), two = _mm512_set1_ps(2);
    const __m512i lanesOfY = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                                _mm512_set1_epi32(64));
    for (int ob = o0; ob < o1; ob += 16) {
        // U = G W Gᵀ, G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1], W made from the gates as `write` makes it.
        for (int ch = 0; ch < c; ch++) {
            __m512 w[9];
            for (int t = 0; t < 9; t++) {
                __m512 ea = _mm512_loadu_ps(uT + (long)t * o + ob);
                __m512 kv = _mm512_loadu_ps(kernelT + ((long)ch * 9 + t) * o + ob);
                __m512 a = _mm512_div_ps(two, _mm512_add_ps(one, _mm512_mul_ps(ea, _mm512_set1_ps(v[ch * 9 + t]))));
                w[t] = _mm512_mul_ps(kv, a);
            }
            __m512 gw[4][3];
            for (int s = 0; s < 3; s++) {
                __m512 sum02 = _mm512_add_ps(w[s], w[6 + s]);
                gw[0][s] = w[s];
                gw[1][s] = HALF(_mm512_add_ps(sum02, w[3 + s]));
                gw[2][s] = HALF(_mm512_sub_ps(sum02, w[3 + s]));
                gw[3][s] = w[6 + s];
            }
            float *u = ut + (long)ch * 256;
            for (int i = 0; i < 4; i++) {
                __m512 sum02 = _mm512_add_ps(gw[i][0], gw[i][2]);
                _mm512_store_ps(u + (i * 4 + 0) * 16, gw[i][0]);
                _mm512_store_ps(u + (i * 4 + 1) * 16, HALF(_mm512_add_ps(sum02, gw[i][1])));
                _mm512_store_ps(u + (i * 4 + 2) * 16, HALF(_mm512_sub_ps(sum02, gw[i][1])));
                _mm512_store_ps(u + (i * 4 + 3) * 16, gw[i][2]);
            }
        }
        // M[tile][p] = Σ_c U[c][p] · V[p][c][tile]: per point, 16 tile chains over c.
        for (int p = 0; p < 16; p++) {
            __m512 acc[16];
            for (int t = 0; t < 16; t++) acc[t] = _mm512_setzero_ps();
            const float *vp = vt + (long)p * c * 16;
            for (int ch = 0; ch < c; ch++) {
                __m512 u = _mm512_load_ps(ut + (long)ch * 256 + p * 16);
                const float *vc = vp + (long)ch * 16;
                for (int t = 0; t < 16; t++) acc[t] = _mm512_fmadd_ps(u, _mm512_set1_ps(vc[t]), acc[t]);
            }
            for (int t = 0; t < 16; t++) _mm512_store_ps(mt + ((long)t * 16 + p) * 16, acc[t]);
        }
        // Y = Aᵀ M A, Aᵀ = [1 1 1 0; 0 1 −1 −1]; lanes scattered to y[ob + lane][pixel].
        float *yb = y + (long)ob * 64;
        for (int t = 0; t < 16; t++) {
            const float *m = mt + (long)t * 256;
            __m512 q[2][4];
            for (int j = 0; j < 4; j++) {
                __m512 m0 = _mm512_load_ps(m + (0 * 4 + j) * 16), m1 = _mm512_load_ps(m + (1 * 4 + j) * 16);
                __m512 m2 = _mm512_load_ps(m + (2 * 4 + j) * 16), m3 = _mm512_load_ps(m + (3 * 4 + j) * 16);
                q[0][j] = _mm512_add_ps(_mm512_add_ps(m0, m1), m2);
                q[1][j] = _mm512_sub_ps(_mm512_sub_ps(m1, m2), m3);
            }
            int ty = t / 4, tx = t % 4;
            for (int r = 0; r < 2; r++) {
                __m512 y0 = _mm512_add_ps(_mm512_add_ps(q[r][0], q[r][1]), q[r][2]);
                __m512 y1 = _mm512_sub_ps(_mm512_sub_ps(q[r][1], q[r][2]), q[r][3]);
                int pixel = (2 * ty + r) * 8 + 2 * tx;
                _mm512_i32scatter_ps(yb + pixel, lanesOfY, y0, 4);
                _mm512_i32scatter_ps(yb + pixel + 1, lanesOfY, y1, 4);
            }
        }
    }
}
