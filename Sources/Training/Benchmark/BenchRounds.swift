// Repeated, alternated measurements (ours, peer, ours, peer, …) reduced to one row: on a shared
// machine the load changes within seconds, so a single ours / PyTorch pair can be off by ±25 %.

/// The row of the round whose ratio is the median of all rounds (an actual paired measurement,
/// not a mix of rounds), with the smallest and largest ratio seen. Rounds without a peer
/// ratio sort first; with none at all the first round is kept.
public enum BenchRounds {
    public static func median(_ rounds: [ModelComparison]) -> ModelComparison {
        precondition(!rounds.isEmpty, "no rounds to combine")
        var row = medianRound(rounds, ratio: \.trainRatio)
        row.trainRatioRange = range(rounds.compactMap(\.trainRatio))
        row.rounds = rounds.count
        return row
    }

    public static func median(_ rounds: [PairComparison]) -> PairComparison {
        precondition(!rounds.isEmpty, "no rounds to combine")
        var row = medianRound(rounds, ratio: \.ratio)
        row.ratioRange = range(rounds.compactMap(\.ratio))
        row.rounds = rounds.count
        return row
    }

    /// The lower median (index (n − 1) / 2 after sorting by ratio).
    static func medianRound<T>(_ rounds: [T], ratio: (T) -> Double?) -> T {
        let sorted = rounds.sorted { (ratio($0) ?? -.infinity) < (ratio($1) ?? -.infinity) }
        return sorted[(sorted.count - 1) / 2]
    }

    static func range(_ values: [Double]) -> ClosedRange<Double>? {
        guard let lo = values.min(), let hi = values.max() else { return nil }
        return lo...hi
    }
}
