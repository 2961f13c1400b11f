// The AW-convolution's backward on 16-pixel maps (4 × 4) with the factorised gates fused in, four output
// channels a step (their dW chains interleaved), in C: Swift's SIMD16 code for more than one output
// channel a step came out partly scalarised and spilled (BENCHMARKS.md, twenty-sixth session).
// Call only where AVX-512 runs (`AVX512.isAvailable`). O output / C input channels, T taps.
#ifndef FACTORISED_GATE_BACKWARD16_H
#define FACTORISED_GATE_BACKWARD16_H

#include <stdint.h>

/// One image's backward, 16 input channels in the lanes: for every (o, t, c)
///
///     A = 2 / (1 + u[o,t]·v[t,c]),   W = K·A,   dW = Σ_f dy[o,f]·col[(t,c), f]
///     dK += dW·A,   g = dW·K·A·(1 − A/2),   ∂z_out[o,t] = Σ_c g,   ∂z_in[c,t] = Σ_o g
///     dcol[(t,c), f] = Σ_o W·dy[o,f],        dx = col2im(dcol)
///
/// every value the bits of the unfused path (`AWConvFusedBackwardTests`): dW one FMA chain over f from
/// +0, dcol one chain over o in order, ∂z_in over o in order, ∂z_out from eight partial sums c ≡ j
/// (mod 8) added j = 0 … 7, dx's taps in t order.
/// - rows `[T][16]`: float offsets into xT / dxT of pixel f's input row for tap t (the zero row in the
///   padding). xT `[H·W + 1][C]` (last row zeros); dxT the same shape, zeroed by the caller.
/// - dy `[O][16]`; kernel `[O][T][C]`; u `[O][T]`; v `[T][C]`; dKernel `[O][T][C]` (added to);
///   dzOut `[O][T]`, dzIn `[C][T]` (written); partial: `O·T·8` floats of scratch. C a multiple of 16.
void atkd_factorised_gate_backward16(int o, int c, int t, const int32_t *rows, const float *xT, const float *dy,
                                     const float *kernel, const float *u, const float *v, float *dKernel,
                                     float *dzOut, float *dzIn, float *partial, float *dxT);

#endif
