// 3 × 3, stride 1, pad 1 convolution on AMX tiles (bf16 inputs, fp32 sums), image by image, with
// no im2col: B tiles are loaded straight from the input's padded bf16 planes.
// M output rows (channels), K input channels, H, W the plane; Wp = W + 2, Q = H·Wp.
//
// Outputs are computed on the padded-width grid q = oy·Wp + ox (ox ≥ W are junk columns, never
// stored): then tap (ky, kx) reads the padded input at q + ky·Wp + kx, contiguous for 16
// consecutive q whatever the row breaks. The input is stored as planes of pair words, one per
// channel pair, pair(x[2p], x[2p+1]) at each padded position, so 16 q × kpb channel pairs are one
// tileloadd with the plane size as row stride: B[p][q] for A[m][p] (weights, packed once).
// The weight gradient runs the other way round: A = dy pair rows along q (rows = output channels),
// B = x's pair words transposed to [q pair][c], so one C tile accumulates 16 × 16 (o, c) of one tap
// over the images.
#include "BF16GEMM.h"
#include "BF16Pairs.h"
#include "AMXTiles.h"
#include <stdlib.h>
#include <string.h>


/// Channel pairs per tile: the largest divisor of `pairs` that is ≤ 16 (whole blocks, no masking).
int atkd_amx_conv3x3_pairs_per_block(int channels) {
    int pairs = (channels + 1) / 2;
    for (int d = 16; d > 1; d--) if (pairs % d == 0) return d;
    return 1;
}

long atkd_amx_conv3x3_weight_words(int m, int k) {
    return (long)(m + 15) / 16 * 9 * ((k + 1) / 2) * 16;
}

AMX_TARGET void atkd_amx_conv3x3_pack_weights(const float *w, int o, int c, int transposed, uint32_t *out) {
    int m = transposed ? c : o, k = transposed ? o : c;
    int kpb = atkd_amx_conv3x3_pairs_per_block(k), blocks = (k + 1) / 2 / kpb, tiles = (m + 15) / 16;
    // W as [tap][row][channel] first (rows m, channels k; turned 180° when transposed), so that each tile
    // row's channel pairs are consecutive floats, paired 16 words at a time (element by element, with
    // the index arithmetic per word, a call took 3–6 × as long: 128 × 128 0.25 → 0.04 ms, transposed
    // 0.27 → 0.06 ms, on the one thread that packs while the other waits; the same words).
    size_t per = (size_t)m * (size_t)k;
    float *taps = malloc(9 * per * sizeof(float));
    if (!taps) abort();
    if (transposed) {                                       // nine rows written in order, kernels read 9·C apart
        for (int ic = 0; ic < c; ic++)
            for (int oc = 0; oc < o; oc++) {
                const float *kernel = w + ((long)oc * c + ic) * 9;
                for (int t = 0; t < 9; t++) taps[(size_t)(8 - t) * per + (size_t)ic * k + oc] = kernel[t];
            }
    } else {
        for (int oc = 0; oc < o; oc++)
            for (int ic = 0; ic < c; ic++)
                for (int t = 0; t < 9; t++) taps[(size_t)t * per + (size_t)oc * k + ic] = w[((long)oc * c + ic) * 9 + t];
    }
    for (int mt = 0; mt < tiles; mt++)
        for (int tap = 0; tap < 9; tap++)
            for (int kb = 0; kb < blocks; kb++) {
                uint32_t *tile = out + ((long)(mt * 9 + tap) * blocks + kb) * 16 * kpb;
                int first = 2 * kb * kpb, len = k - first < 2 * kpb ? k - first : 2 * kpb;   // ⌈len/2⌉ = kpb words
                for (int r = 0; r < 16; r++) {
                    int row = mt * 16 + r;
                    if (row >= m) memset(tile + r * kpb, 0, sizeof(uint32_t) * (size_t)kpb);
                    else pairsInOrder(taps + (size_t)tap * per + (size_t)row * k + first, len, tile + r * kpb, 1);
                }
            }
    free(taps);
}

static __thread uint32_t *scratch;
static __thread size_t scratchWords;
static uint32_t *scratchOf(size_t words) {
    uint32_t *p = growBuffer(&scratch, &scratchWords, words);
    if (!p) abort();
    return p;
}

/// Words of one padded pair plane: (H + 2)·Wp and a margin for the last blocks' reads, 16-aligned.
static long pairPlaneWords(int h, int w) { return ((long)(h + 2) * (w + 2) + 64 + 15) / 16 * 16; }

/// dst[i] = src[i] for i < n, 16 lanes a step (a memcpy call a row was 1,024 calls an image at 8 × 8).
AMX_TARGET static inline void copyFloats(float *dst, const float *src, int n) {
    for (int i = 0; i < n; i += 16) {
        __mmask16 m = lanes(n - i);
        _mm512_mask_storeu_ps(dst + i, m, _mm512_maskz_loadu_ps(m, src + i));
    }
}

AMX_TARGET void atkd_amx_conv3x3(const float *x, int k, int h, int w, const uint32_t *weights, int m, float *y) {
    int wp = w + 2, q = h * wp, pairs = (k + 1) / 2;
    int kpb = atkd_amx_conv3x3_pairs_per_block(k), blocks = pairs / kpb, tiles = (m + 15) / 16;
    long plane = pairPlaneWords(h, w), hw = (long)h * w;
    // Output blocks of 16 lanes. Rows that are whole blocks (W a multiple of 16, M of 16): block b is
    // y[b·16 …] of every output channel, read from q = row·Wp + column, and its tiles are stored straight
    // into y. Otherwise: the padded-width grid (block b at q = 16·b), stored into `out` (after the
    // planes in the scratch) and compacted.
    int direct = w % 16 == 0 && m % 16 == 0;
    long wide = (long)(q + 63) / 64 * 64, outStride = direct ? hw : wide;
    uint32_t *planes = scratchOf((size_t)pairs * (size_t)plane + (direct ? 0 : (size_t)(tiles * 16) * (size_t)wide));
    for (int p = 0; p < pairs; p++) {
        const float *lo = x + (long)(2 * p) * hw, *hi = 2 * p + 1 < k ? lo + hw : 0;
        uint32_t *dst = planes + p * plane;
        // Zero only what the rows below leave: the top row, each row's two border cells, the bottom row and the margin.
        memset(dst, 0, sizeof(uint32_t) * (size_t)(wp + 1));
        for (int r = 0; r < h; r++) {
            uint32_t *row = dst + (long)(r + 1) * wp + 1;
            pairsInterleaved(lo + (long)r * w, hi ? hi + (long)r * w : 0, w, row, w);
            row[w] = 0; row[w + 1] = 0;                         // right border of this row, left border of the next
        }
        memset(dst + (long)(h + 1) * wp + 1, 0, sizeof(uint32_t) * (size_t)(plane - (long)(h + 1) * wp - 1));
    }
    TileConfig config = fullTiles();
    // One 16-row weight tile (m ≤ 16): 1 × 4 C tiles along q, A in tile 4, B in 5–7 (5 twice), so
    // four accumulation chains hide tdpbf16ps' latency; else 2 × 2: A in 4–5, B in 6–7.
    int single = tiles == 1, aTiles = single ? 1 : 2;
    for (int t = 4; t < 4 + aTiles; t++) { config.bytesPerRow[t] = (uint16_t)(4 * kpb); config.rows[t] = 16; }
    for (int t = 4 + aTiles; t < 8; t++) { config.bytesPerRow[t] = 64; config.rows[t] = (uint8_t)kpb; }
    _tile_loadconfig(&config);
    int nBlocks = direct ? (int)(hw / 16) : (q + 15) / 16;
    float *out = direct ? y : (float *)(planes + (size_t)pairs * (size_t)plane);
#define BLOCK_Q(b) (direct ? (long)((b) * 16 / w) * wp + (b) * 16 % w : (long)(b) * 16)
    long aStride = (long)9 * blocks * 16 * kpb;             // words from one 16-row tile of weights to the next
    // One loop nest for both shapes: 1 × 4 (single) takes four 16-lane blocks a step and one weight
    // tile; 2 × 2 two blocks and two weight tiles.
    for (int b0 = 0; b0 < nBlocks; b0 += single ? 4 : 2) {
        int live1 = b0 + 1 < nBlocks, live2 = single && b0 + 2 < nBlocks, live3 = single && b0 + 3 < nBlocks;
        long q0 = BLOCK_Q(b0), q1 = live1 ? BLOCK_Q(b0 + 1) : 0, q2 = live2 ? BLOCK_Q(b0 + 2) : 0,
             q3 = live3 ? BLOCK_Q(b0 + 3) : 0;
        for (int mt = 0; mt < tiles; mt += 2) {
            int two = !single && mt + 1 < tiles;
            // The output lines this step's tile stores write, asked for (prefetchw) before its products:
            // stored cold, each 16-row tile store waited on its rows' lines (64 → 64 channels, 16 × 16,
            // two threads: 2.13 → 1.57 ms a call).
            if (direct) {
                float *o0 = out + (long)mt * 16 * outStride + (long)b0 * 16;
                int live = nBlocks - b0 < (single ? 4 : 2) ? nBlocks - b0 : (single ? 4 : 2);
                int span = 16 * live, rows = two ? 32 : 16;
                for (int r = 0; r < rows; r++) {
                    float *row = o0 + (long)r * outStride;
                    for (int j = 0; j < span; j += 16) _m_prefetchw(row + j);
                    _m_prefetchw(row + span - 1);
                }
            }
            _tile_zero(0); _tile_zero(1); _tile_zero(2); _tile_zero(3);
            for (int tap = 0; tap < 9; tap++)
                for (int kb = 0; kb < blocks; kb++) {
                    const uint32_t *a0 = weights + mt * aStride + ((long)tap * blocks + kb) * 16 * kpb;
                    const uint32_t *b = planes + (long)kb * kpb * plane + (long)(tap / 3) * wp + tap % 3;
                    _tile_loadd(4, a0, 4 * kpb);
                    if (single) {
                        _tile_loadd(5, b + q0, plane * 4);
                        _tile_dpbf16ps(0, 4, 5);
                        if (live1) { _tile_loadd(6, b + q1, plane * 4); _tile_dpbf16ps(1, 4, 6); }
                        if (live2) { _tile_loadd(7, b + q2, plane * 4); _tile_dpbf16ps(2, 4, 7); }
                        if (live3) { _tile_loadd(5, b + q3, plane * 4); _tile_dpbf16ps(3, 4, 5); }
                    } else {
                        _tile_loadd(6, b + q0, plane * 4);
                        _tile_dpbf16ps(0, 4, 6);
                        if (live1) { _tile_loadd(7, b + q1, plane * 4); _tile_dpbf16ps(1, 4, 7); }
                        if (two) {
                            _tile_loadd(5, a0 + aStride, 4 * kpb);
                            _tile_dpbf16ps(2, 5, 6);
                            if (live1) _tile_dpbf16ps(3, 5, 7);
                        }
                    }
                }
            float *o0 = out + (long)mt * 16 * outStride + (long)b0 * 16;
            long s2 = single ? 32 : 16 * outStride, s3 = single ? 48 : 16 * outStride + 16;   // tiles 2, 3
            _tile_stored(0, o0, outStride * 4);
            if (live1) _tile_stored(1, o0 + 16, outStride * 4);
            if (live2 || two) _tile_stored(2, o0 + s2, outStride * 4);
            if (live3 || (two && live1)) _tile_stored(3, o0 + s3, outStride * 4);
        }
    }
#undef BLOCK_Q
    if (!direct)
        for (int r = 0; r < m; r++)
            for (int oy = 0; oy < h; oy++) copyFloats(y + r * hw + (long)oy * w, out + r * wide + (long)oy * wp, w);
    _tile_release();
}

/// 16 × 16 words: out[j·ldo + i] = in[i·ldi + j], in registers: 32-bit, 64-bit, then 128-bit-lane
/// interleaves (a gather a row of out — 256 loads — was slower: x is transposed twice an image).
AMX_TARGET static void transpose16(const uint32_t *in, int ldi, uint32_t *out, long ldo) {
    __m512i r[16], t[16];
    for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_si512(in + (long)i * ldi);
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) {
        r[4 * i] = _mm512_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
        r[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
        r[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
        r[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
    }
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4; j++) {
            t[8 * i + j] = _mm512_shuffle_i32x4(r[8 * i + j], r[8 * i + j + 4], 0x88);
            t[8 * i + j + 4] = _mm512_shuffle_i32x4(r[8 * i + j], r[8 * i + j + 4], 0xdd);
        }
    for (int j = 0; j < 8; j++) {
        _mm512_storeu_si512(out + (long)j * ldo, _mm512_shuffle_i32x4(t[j], t[j + 8], 0x88));
        _mm512_storeu_si512(out + (long)(j + 8) * ldo, _mm512_shuffle_i32x4(t[j], t[j + 8], 0xdd));
    }
}

AMX_TARGET void atkd_amx_conv3x3_weight_gradient(const float *x, const float *dy, int images, int c, int o, int h, int w,
                                                 float *acc) {
    int wp = w + 2, q = h * wp, blocks = (q + 31) / 32, cPad = (c + 15) / 16 * 16, oPad = (o + 15) / 16 * 16;
    long plane = (long)(h + 2) * wp, hw = (long)h * w;
    long rowWords = (plane + 64) / 2 / 16 * 16 + 16;        // pair words of one channel and parity
    int qpairs = blocks * 16;
    size_t xWords = (size_t)2 * rowWords * cPad, dyWords = (size_t)oPad * qpairs, perImage = xWords + dyWords;
    // Scratch per image: x's pair words transposed, [2 parities][rowWords][cPad] (B: K = q pairs down,
    // channels across), and dy's pair rows [oPad][qpairs] (A: output channels down, q pairs across).
    // Shared: x's pair rows [2][cPad][rowWords] before the transpose. Even W: Wp is even, so every
    // padded row starts a pair word — parity 1's words of row py are (x0, x1) … (x[W−2], x[W−1]) then
    // (0, 0) across the border, parity 0's (0, x0), (x1, x2) … (x[W−1], 0), dy's (junk columns zero)
    // like parity 1. Odd W (a padded row starts mid-word): rows staged on the padded grid first (one
    // padded fp32 plane of x, one padded-width fp32 row of dy, after the shared rows), then paired.
    // NOTE: dy is the A side and x the B side (not the other way round) so that every tile load is
    // 64-byte aligned: a tap's shift moves B by whole rows; as A, x's rows started a shift of words
    // into a line and each tile row straddled two (128 → 128 channels 8 × 8, dW alone, two threads:
    // 6.7 → 5.3 ms a call, medians of four alternations; 16 × 16 and 32 × 32 unchanged).
    int evenW = w % 2 == 0, qLong = blocks * 32;
    long half = wp / 2;
    size_t staging = evenW ? 0 : (size_t)(2 * rowWords + 64) + (size_t)qLong + 64;
    uint32_t *packed = scratchOf((size_t)images * perImage + xWords + staging);
    uint32_t *xRows = packed + (size_t)images * perImage;
    float *padded = (float *)(xRows + xWords), *dyLong = padded + 2 * rowWords + 64;
    if (!evenW) {
        memset(padded, 0, sizeof(float) * (size_t)(2 * rowWords + 64));
        memset(dyLong, 0, sizeof(float) * (size_t)qLong);
    }
    for (int img = 0; img < images; img++) {
        uint32_t *xT = packed + (size_t)img * perImage, *dyPairs = xT + xWords;
        const float *xi = x + (long)img * c * hw, *dyi = dy + (long)img * o * hw;
        for (int ch = 0; ch < cPad; ch++) {
            uint32_t *even = xRows + (long)ch * rowWords, *odd = xRows + ((long)cPad + ch) * rowWords;
            if (ch >= c) { memset(even, 0, 4 * (size_t)rowWords); memset(odd, 0, 4 * (size_t)rowWords); continue; }
            if (evenW) {
                memset(even, 0, 4 * (size_t)half); memset(odd, 0, 4 * (size_t)half);             // padded row 0
                for (int r = 0; r < h; r++) {
                    const float *row = xi + (long)ch * hw + (long)r * w;
                    uint32_t *e = even + (long)(r + 1) * half, *d = odd + (long)(r + 1) * half;
                    pairsInOrder(row, w, d, 1);
                    d[w / 2] = 0;
                    pairsAfterZero(row, w, e);
                }
                long used = (long)(h + 1) * half;                                               // padded row h + 1, margin
                memset(even + used, 0, 4 * (size_t)(rowWords - used)); memset(odd + used, 0, 4 * (size_t)(rowWords - used));
            } else {
                for (int r = 0; r < h; r++) memcpy(padded + (long)(r + 1) * wp + 1, xi + (long)ch * hw + (long)r * w, sizeof(float) * (size_t)w);
                pairsInOrder(padded, (int)(2 * rowWords), even, 1);      // padded is zero beyond the plane
                pairsInOrder(padded + 1, (int)(2 * rowWords), odd, 1);
            }
        }
        for (int parity = 0; parity < 2; parity++)
            for (int c0 = 0; c0 < cPad; c0 += 16)
                for (long t0 = 0; t0 < rowWords; t0 += 16)
                    transpose16(xRows + ((long)parity * cPad + c0) * rowWords + t0, (int)rowWords,
                                xT + ((long)parity * rowWords + t0) * cPad + c0, cPad);
        for (int oc = 0; oc < oPad; oc++) {
            uint32_t *dst = dyPairs + (long)oc * qpairs;
            if (oc >= o) { memset(dst, 0, 4 * (size_t)qpairs); continue; }
            if (evenW) {
                for (int r = 0; r < h; r++) {
                    pairsInOrder(dyi + (long)oc * hw + (long)r * w, w, dst + (long)r * half, 1);
                    dst[(long)r * half + w / 2] = 0;
                }
                memset(dst + (long)h * half, 0, 4 * (size_t)(qpairs - (long)h * half));
            } else {
                for (int r = 0; r < h; r++) memcpy(dyLong + (long)r * wp, dyi + (long)oc * hw + (long)r * w, sizeof(float) * (size_t)w);
                pairsInOrder(dyLong, qLong, dst, 1);                     // junk columns stay zero: never written
            }
        }
    }
    TileConfig config = fullTiles();
    _tile_loadconfig(&config);
    // Three taps (one kernel row) at a time: three C tiles, three accumulation chains sharing each A;
    // each C tile is loaded and stored once for the whole group of images.
    for (int ky = 0; ky < 3; ky++) {
        long xsOffset[3];                                       // tap (ky, kx)'s B: parity block, then rows down
        for (int kx = 0; kx < 3; kx++) {
            long shift = (long)ky * wp + kx;
            xsOffset[kx] = ((shift & 1) * rowWords + (shift >> 1)) * cPad;
        }
        for (int ot = 0; ot < oPad / 16; ot++)
            for (int ct = 0; ct < cPad / 16; ct++) {
                float *tile = acc + ((long)(3 * ky) * oPad + ot * 16) * cPad + ct * 16;
                long tapStride = (long)oPad * cPad;
                _tile_loadd(0, tile, cPad * 4);
                _tile_loadd(1, tile + tapStride, cPad * 4);
                _tile_loadd(2, tile + 2 * tapStride, cPad * 4);
                for (int img = 0; img < images; img++) {
                    const uint32_t *xT = packed + (size_t)img * perImage + ct * 16;
                    const uint32_t *dyPairs = packed + (size_t)img * perImage + xWords + (long)ot * 16 * qpairs;
                    // A alternates between tiles 3 and 4, so the next block's dy loads while this one's
                    // products still read the other (a tile is not overwritten before its readers finish).
                    int b = 0;
#define THREE_TAPS(A, block) \
                    _tile_loadd(A, dyPairs + (long)(block) * 16, qpairs * 4); \
                    _tile_loadd(5, xT + xsOffset[0] + (long)(block) * 16 * cPad, cPad * 4); _tile_dpbf16ps(0, A, 5); \
                    _tile_loadd(6, xT + xsOffset[1] + (long)(block) * 16 * cPad, cPad * 4); _tile_dpbf16ps(1, A, 6); \
                    _tile_loadd(7, xT + xsOffset[2] + (long)(block) * 16 * cPad, cPad * 4); _tile_dpbf16ps(2, A, 7);
                    for (; b + 1 < blocks; b += 2) { THREE_TAPS(4, b) THREE_TAPS(3, b + 1) }
                    if (b < blocks) { THREE_TAPS(4, b) }
#undef THREE_TAPS
                }
                _tile_stored(0, tile, cPad * 4);
                _tile_stored(1, tile + tapStride, cPad * 4);
                _tile_stored(2, tile + 2 * tapStride, cPad * 4);
            }
    }
    _tile_release();
}
