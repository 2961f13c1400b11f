// Lane shuffles of 8-float vectors for Swift code, as clang's __builtin_shufflevector.
// Swift has no shuffle of SIMD vectors: written lane by lane (`SIMD8(a[0], b[0], …)`), LLVM
// turns the arithmetic feeding the lanes into scalar code. These inline functions reach LLVM
// as one `shufflevector` each (x86: vunpcklps, vunpckhps, vunpcklpd, vunpckhpd, vextractf128,
// vperm2f128). The same holds for SIMD8's `lowHalf` / `highHalf`: element by element, they made
// LLVM split the arithmetic feeding them into 4-lane halves.
#ifndef VECTOR_SHUFFLES_H
#define VECTOR_SHUFFLES_H

/// Imported into Swift as SIMD8<Float>.
typedef float atkd_float8 __attribute__((ext_vector_type(8)));

/// (a0, b0, a1, b1 | a4, b4, a5, b5): lanes 0, 1 of each 4-lane half, interleaved.
static inline atkd_float8 atkd_unpack_low(atkd_float8 a, atkd_float8 b) {
    return __builtin_shufflevector(a, b, 0, 8, 1, 9, 4, 12, 5, 13);
}

/// (a2, b2, a3, b3 | a6, b6, a7, b7): lanes 2, 3 of each 4-lane half, interleaved.
static inline atkd_float8 atkd_unpack_high(atkd_float8 a, atkd_float8 b) {
    return __builtin_shufflevector(a, b, 2, 10, 3, 11, 6, 14, 7, 15);
}

/// (a0, a1, b0, b1 | a4, a5, b4, b5): the low lane pairs of each 4-lane half.
static inline atkd_float8 atkd_pairs_low(atkd_float8 a, atkd_float8 b) {
    return __builtin_shufflevector(a, b, 0, 1, 8, 9, 4, 5, 12, 13);
}

/// (a2, a3, b2, b3 | a6, a7, b6, b7): the high lane pairs of each 4-lane half.
static inline atkd_float8 atkd_pairs_high(atkd_float8 a, atkd_float8 b) {
    return __builtin_shufflevector(a, b, 2, 3, 10, 11, 6, 7, 14, 15);
}

/// Imported into Swift as SIMD4<Float>.
typedef float atkd_float4 __attribute__((ext_vector_type(4)));

/// Lanes 0–3.
static inline atkd_float4 atkd_low_half(atkd_float8 a) {
    return __builtin_shufflevector(a, a, 0, 1, 2, 3);
}

/// Lanes 4–7.
static inline atkd_float4 atkd_high_half(atkd_float8 a) {
    return __builtin_shufflevector(a, a, 4, 5, 6, 7);
}

/// (a0, a1, a2, a3, b0, b1, b2, b3): the low halves joined.
static inline atkd_float8 atkd_join_low_halves(atkd_float8 a, atkd_float8 b) {
    return __builtin_shufflevector(a, b, 0, 1, 2, 3, 8, 9, 10, 11);
}

/// (a4, a5, a6, a7, b4, b5, b6, b7): the high halves joined.
static inline atkd_float8 atkd_join_high_halves(atkd_float8 a, atkd_float8 b) {
    return __builtin_shufflevector(a, b, 4, 5, 6, 7, 12, 13, 14, 15);
}

/// `a` itself, opaque to the optimiser: shuffles of the result are not moved into the arithmetic
/// that made `a` (LLVM otherwise splits 8-lane arithmetic feeding 4-lane shuffles into halves).
static inline atkd_float8 atkd_opaque(atkd_float8 a) {
#if defined(__AVX__)
    __asm__("" : "+x"(a));
#endif
    return a;
}

#include "Prefetch.h"   // the module's other headers (this one is its umbrella)
#include "SpinPause.h"

#endif
