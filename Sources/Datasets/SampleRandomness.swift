// Counter-based randomness for the data pipeline: every random choice is a
// pure function of (seed, epoch, sample index), so thread scheduling cannot change it.

import TensorCore

/// Derives generators for the data pipeline from `(seed, epoch, index)`.
///
/// Two experiment arms with the same seed therefore see the same images, in
/// the same order, with the same augmentations, whatever their thread
/// counts, batch sizes of other runs, or where they resumed.
public enum SampleRandomness {
    /// SplitMix64 finaliser: a bijective 64-bit mix.
    @inlinable
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Domain tags keep the permutation stream apart from the per-sample ones.
    static let permutationTag: UInt64 = 0x5045_524D_5554_4154   // "PERMUTAT"
    static let sampleTag: UInt64 = 0x5341_4D50_4C45_5F5F        // "SAMPLE__"

    /// The generator for sample `index` of epoch `epoch`.
    public static func sampleRNG(seed: UInt64, epoch: Int, index: Int) -> SeededRNG {
        let h = mix(mix(mix(seed ^ sampleTag) ^ UInt64(bitPattern: Int64(epoch))) ^ UInt64(bitPattern: Int64(index)))
        return SeededRNG(seed: h)
    }

    /// The visiting order of `count` samples in epoch `epoch` (Fisher–Yates).
    public static func permutation(seed: UInt64, epoch: Int, count: Int) -> [Int] {
        var rng = SeededRNG(seed: mix(mix(seed ^ permutationTag) ^ UInt64(bitPattern: Int64(epoch))))
        return rng.permutation(count)
    }
}
