// Where a run stands: saved with the weights so a resumed run continues exactly.

import Foundation

/// Progress of a run between checkpoints. `epoch`/`batch` name the next batch to train.
public struct TrainingState: Codable, Equatable {
    public var epoch = 0
    public var batch = 0
    /// Running sums over the epoch in progress: weighted loss terms by name, total loss, hits, samples.
    public var termSums: [String: Double] = [:]
    public var lossSum = 0.0
    public var correct = 0
    public var seen = 0
    /// Best test top-1 so far and its epoch (1-based; 0 = none yet).
    public var bestTop1 = -1.0
    public var bestEpoch = 0
    /// Seconds spent training (excluding evaluation) and images trained, for img/s.
    public var trainSeconds = 0.0
    public var trainImages = 0
    public var wallSeconds = 0.0
    /// Seconds spent in the group's sums of gradients and step totals (data-parallel runs; checkpoints
    /// written before it existed decode it as 0).
    public var communicationSeconds = 0.0
    public init() {}

    enum CodingKeys: String, CodingKey {
        case epoch, batch, termSums, lossSum, correct, seen, bestTop1, bestEpoch, trainSeconds, trainImages, wallSeconds
        case communicationSeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epoch = try c.decode(Int.self, forKey: .epoch); batch = try c.decode(Int.self, forKey: .batch)
        termSums = try c.decode([String: Double].self, forKey: .termSums)
        lossSum = try c.decode(Double.self, forKey: .lossSum)
        correct = try c.decode(Int.self, forKey: .correct); seen = try c.decode(Int.self, forKey: .seen)
        bestTop1 = try c.decode(Double.self, forKey: .bestTop1); bestEpoch = try c.decode(Int.self, forKey: .bestEpoch)
        trainSeconds = try c.decode(Double.self, forKey: .trainSeconds)
        trainImages = try c.decode(Int.self, forKey: .trainImages)
        wallSeconds = try c.decode(Double.self, forKey: .wallSeconds)
        communicationSeconds = try c.decodeIfPresent(Double.self, forKey: .communicationSeconds) ?? 0
    }

    mutating func resetEpochSums() {
        termSums = [:]; lossSum = 0; correct = 0; seen = 0; batch = 0
    }
}

/// Mixes integers into one seed (SplitMix64 finaliser), so per-step randomness
/// depends only on (seed, epoch, batch) and not on how the run was interrupted.
public func mixSeed(_ parts: UInt64...) -> UInt64 {
    var h: UInt64 = 0x243F_6A88_85A3_08D3
    for p in parts {
        h ^= p &+ 0x9E37_79B9_7F4A_7C15 &+ (h << 6) &+ (h >> 2)
        h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 31
    }
    return h
}
