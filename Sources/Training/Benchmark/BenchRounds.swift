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
        func key(_ r: T) -> Double { ratio(r).flatMap { $0.isFinite ? $0 : nil } ?? -.infinity }
        let sorted = rounds.sorted { key($0) < key($1) }
        return sorted[(sorted.count - 1) / 2]
    }

    /// NOTE: a ratio is NaN where a side has no number (training at batch 1: batch norm needs two
    /// values per channel); NaN...x would trap, so only finite ratios make the range.
    static func range(_ values: [Double]) -> ClosedRange<Double>? {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return nil }
        return lo...hi
    }
}
