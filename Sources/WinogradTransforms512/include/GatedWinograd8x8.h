// The AW-convolution's 3 × 3 (stride 1, pad 1) forward on one 8 × 8 image by Winograd F(2 × 2, 3 × 3)
// with the image's kernel made from the factorised gates inside the kernel transform, output channels
// in the lanes (16 tiles an image are too few to fill the lanes with tiles, as the batched and the
// per-image Winograd do). C input / O output channels, T = 9 taps.
// Call only where AVX-512 runs (`AVX512.isAvailable`).
#ifndef GATED_WINOGRAD_8X8_H
#define GATED_WINOGRAD_8X8_H

/// Floats of scratch `atkd_gated_winograd8x8` needs for C input channels.
long atkd_gated_winograd8x8_scratch(int c);

/// y[o, 8·i + j] for o in [o0, o1) (multiples of 16): Σ_{c,t} W[o,c,t]·x[c, i + t/3 − 1, j + t%3 − 1]
/// (zero outside the image) with W[o,c,t] = K[o,c,t]·(2 / (1 + u[o,t]·v[c,t])) — `write`'s operations —
/// through U = G W Gᵀ, V = Bᵀ d B, Y = Aᵀ (Σ_c U ⊙ V) A (Lavin & Gray's F(2, 3): points 0, ±1, ∞).
/// - x `[C][64]`; kernelT: K transposed `[C·9][O]`; uT `[9][O]`; v `[C][9]`; y `[O][64]`;
///   scratch: `atkd_gated_winograd8x8_scratch(C)` floats, 64-byte aligned.
void atkd_gated_winograd8x8(const float *x, int c, int o, const float *kernelT, const float *uT, const float *v,
                            int o0, int o1, float *y, float *scratch);

#endif
