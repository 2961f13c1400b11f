// e^x eight lanes at a time from IEEE adds and multiplies only (no libm call per element), for the
// AW-convolution's gate factors e^(−z): the same bits on every x86 CPU, AVX2 or AVX-512.

/// `VectorExponential.exp(x)` ≈ e^x within 1 ulp on [−87, 88] (inputs outside are clamped there):
///
///     k = round(x·log₂e),  r = x − k·ln2_hi − k·ln2_lo  (|r| ≤ ½ln2, Cody–Waite),
///     e^x = 2^k · p(r),    p = Σ_{i ≤ 7} rⁱ/i!  (Horner; truncation ≤ r⁸/8! < 6e-9)
///
/// round() is the 1.5·2²³ trick (round-to-nearest-even for |v| < 2²²), whose sum's low bits are k,
/// so 2^k is built from its bits ((k + 127) << 23) with no float-to-int conversion.
/// - Reference: Cody & Waite 1980, "Software Manual for the Elementary Functions" (argument reduction).
/// - Deviation: not libm's `expf` (correctly rounded in glibc ≥ 2.28); ≤ 1 ulp from it
///   (`VectorExponentialTests`). Every caller of the AW-conv factors reads these values.
public enum VectorExponential {
    public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let clamped = x.clamped(lowerBound: SIMD8(repeating: -87), upperBound: SIMD8(repeating: 88))
        let magic = SIMD8<Float>(repeating: 12_582_912)  // 1.5·2²³
        let shifted = clamped * SIMD8(repeating: 1.442_695_04) + magic
        let k = shifted - magic
        let r = clamped - k * SIMD8(repeating: 0.693_359_375) - k * SIMD8(repeating: -2.121_944_4e-4)
        var p = SIMD8<Float>(repeating: 1.0 / 5040)
        p = p * r + SIMD8(repeating: 1.0 / 720)
        p = p * r + SIMD8(repeating: 1.0 / 120)
        p = p * r + SIMD8(repeating: 1.0 / 24)
        p = p * r + SIMD8(repeating: 1.0 / 6)
        p = p * r + SIMD8(repeating: 0.5)
        p = p * r + SIMD8(repeating: 1)
        p = p * r + SIMD8(repeating: 1)
        let kBits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
        return p * unsafeBitCast((kBits &+ 127) &<< 23, to: SIMD8<Float>.self)
    }
}
