// Adaptive average pooling into k × k bins with 8 planes in the lanes of a zmm vector: each lane
// the reference's own sequence of Double adds (a bin's sum in row-major order from +0, divided by
// its size, rounded to Float), so the same bits as `ReferenceEngine.adaptiveAvgPool2d`.
// Call only where AVX-512 runs (`AVX512.isAvailable`).
// 8 consecutive planes of h × w floats; bins: outH row ranges [rowStart, rowEnd), outW column ranges.
#ifndef ADAPTIVE_POOLING_512_H
#define ADAPTIVE_POOLING_512_H

/// y[p·outH·outW + i·outW + j] = mean of plane p over rows [rowStart[i], rowEnd[i]) × columns
/// [colStart[j], colEnd[j]), p < 8. `scratch`: h·w·8 floats, 32-byte aligned (the planes transposed).
void atkd_adaptive_pool8(const float *x, int h, int w, const int *rowStart, const int *rowEnd, int outH,
                         const int *colStart, const int *colEnd, int outW, float *y, float *scratch);

/// dx[p] = (base[p] +) the pooling's gradient of plane p: dy[p·outH·outW + b] / |bin b| added into
/// every element of bin b, bins in row-major order, in Double, rounded to Float once (then added to
/// `base` in Float when it is not NULL). `scratch`: h·w·8 doubles, 64-byte aligned.
void atkd_adaptive_pool8_backward(const float *dy, int h, int w, const int *rowStart, const int *rowEnd, int outH,
                                  const int *colStart, const int *colEnd, int outW, const float *base, float *dx,
                                  double *scratch);

#endif
