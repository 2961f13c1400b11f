// A small, fast, seedable random number generator with savable state.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// xoshiro256** seeded through SplitMix64: the same seed gives the same
/// stream on every machine and run. Its whole state is four words, saved in
/// checkpoints so resumed runs continue the same stream.
/// - Reference: Blackman & Vigna, "Scrambled linear pseudorandom number generators" (2018).
public struct SeededRNG: RandomNumberGenerator, Sendable, Equatable, Codable {
    public private(set) var state: [UInt64]

    public init(seed: UInt64) {
        var sm = seed
        func splitmix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = [splitmix(), splitmix(), splitmix(), splitmix()]
    }

    /// A generator for building models whose shapes alone are wanted (parameter and MAC counts):
    /// `Tensor.randn` / `Tensor.uniform` give zeros without drawing.
    ///
    /// NOTE: it is xoshiro's all-zero state, which never arises from a seed (SplitMix64 cannot
    /// return four zeros) and is degenerate anyway (it outputs zeros for ever).
    public static var shapesOnly: SeededRNG { SeededRNG(state: [0, 0, 0, 0]) }

    /// Whether this is `shapesOnly`.
    public var isShapesOnly: Bool { state == [0, 0, 0, 0] }

    /// Restores a generator from a saved `state`.
    public init(state: [UInt64]) {
        precondition(state.count == 4, "SeededRNG state has 4 words")
        self.state = state
    }

    @inlinable
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    public mutating func next() -> UInt64 {
        let result = SeededRNG.rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = SeededRNG.rotl(state[3], 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func uniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Float, _ hi: Float) -> Float {
        lo + (hi - lo) * uniform()
    }

    /// Uniform integer in 0..<n.
    public mutating func int(below n: Int) -> Int {
        precondition(n > 0)
        return Int(next() % UInt64(n))
    }

    /// Standard normal by Box–Muller (one value per call; deterministic).
    public mutating func normal() -> Float {
        let u1 = max(Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0), 1e-300)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// A new independent generator derived from this one's stream (for workers).
    public mutating func split() -> SeededRNG { SeededRNG(seed: next()) }

    /// Fisher–Yates shuffle of `0..<n`.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) {
                p.swapAt(i, int(below: i + 1))
            }
        }
        return p
    }
}

extension Tensor {
    /// Normal(0, std²) entries.
    public static func randn(_ shape: [Int], std: Float = 1, rng: inout SeededRNG) -> Tensor {
        if rng.isShapesOnly { return Tensor(zeros: shape) }
        var d = [Float](repeating: 0, count: shape.reduce(1, *))
        for i in 0..<d.count { d[i] = std * rng.normal() }
        return Tensor(shape: shape, data: d)
    }

    /// Uniform(lo, hi) entries.
    public static func uniform(_ shape: [Int], _ lo: Float, _ hi: Float, rng: inout SeededRNG) -> Tensor {
        if rng.isShapesOnly { return Tensor(zeros: shape) }
        var d = [Float](repeating: 0, count: shape.reduce(1, *))
        for i in 0..<d.count { d[i] = rng.uniform(lo, hi) }
        return Tensor(shape: shape, data: d)
    }
}
