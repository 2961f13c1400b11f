// Winograd F(4×4, 3×3) input and output tile transforms with 16 tiles in the lanes of a zmm vector:
// the 8-lane transforms of FastEngine's `WinogradLanes.swift` (Swift on AVX2) on AVX-512, the same
// adds and multiplies per lane in the same order (no contraction into FMAs), so the same bits.
// Call only where AVX-512 runs (`AVX512.isAvailable`).
// T tiles of a chunk (tPad a multiple of 16); i, j frequency row / column; r, s tile row / column.
#ifndef WINOGRAD_TRANSFORMS_512_H
#define WINOGRAD_TRANSFORMS_512_H

/// V = Bᵀ d B of one channel's tiles [0, tPad), 16 a vector. The tiles' lanes come in segments of
/// `segment` (8, 4 or 2) consecutive floats of the column-phase planes `q`, segment k's first tile at
/// q + segments[k]; element (r, s) of a tile lies (s mod 4)·phaseStride + r·ld + ⌊s/4⌋ floats after
/// its first. Frequency (i, j) of tile t goes to v[(6i + j)·positionStride + t].
void atkd_winograd_input16(const float *q, const long *segments, int segment, int tPad, long phaseStride, long ld,
                           float *v, long positionStride);

/// Y = Aᵀ M A of tiles [0, 16·groups) of one output channel, M's frequency (i, j) of tile t at
/// m[(6i + j)·positionStride + t]; tile t's 4 × 4 outputs are stored at plane + outputs[t], rows w
/// floats apart (planes of whole tiles). fullRows: every 8 tiles from a multiple of 8 are one tile
/// row's full width (w = 32), stored as 32-float rows.
void atkd_winograd_output16(const float *m, long positionStride, int groups, const long *outputs, long w,
                            int fullRows, float *plane);

/// dM = A dY Aᵀ of every 4 × 4 output-gradient tile of `images` images, 16 output channels a vector
/// (FastEngine's `transformOutputGradientLanes` on 8): dY channels-last, image b's element (y, x, k) at
/// dyT[b·imageT + (y·cols + x)·kPad + k] (kPad a multiple of 16); tile t = (b·tilesHigh + ty)·tilesWide + tx,
/// frequency (i, j) of channel k goes to dm[(6i + j)·positionStride + t·kPad + k].
void atkd_winograd_output_gradient16(const float *dyT, int images, int tilesHigh, int tilesWide, long imageT,
                                     long cols, int kPad, float *dm, long positionStride);

#include "GatedWinograd8x8.h"
#include "FactorisedGateBackward16.h"

#endif
