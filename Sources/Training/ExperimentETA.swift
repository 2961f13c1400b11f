// The whole experiment's remaining time, from the wall time of the units already finished.

/// Estimates what an experiment's remaining units (arm × seed) will take.
///
/// A unit's estimate is the mean wall time of the finished units of the same arm (they train the
/// same network on the same schedule); an arm with none yet borrows the mean over every finished
/// unit, scaled by nothing — a first guess, marked as such. Unknown until one unit has finished.
public struct ExperimentETA: Equatable {
    private var seconds: [String: [Double]] = [:]

    public init() {}

    /// Records a finished unit of `arm` that took `wallSeconds`.
    public mutating func finished(arm: String, wallSeconds: Double) {
        guard wallSeconds > 0, wallSeconds.isFinite else { return }
        seconds[arm, default: []].append(wallSeconds)
    }

    /// Seconds the `remaining` arms (one entry per unit) should take, and whether every one of them
    /// was estimated from its own arm; nil before any unit has finished.
    public func remaining(_ arms: [String]) -> (seconds: Double, fromOwnArm: Bool)? {
        let all = seconds.values.flatMap { $0 }
        guard !all.isEmpty else { return nil }
        let overall = all.reduce(0, +) / Double(all.count)
        var total = 0.0, own = true
        for arm in arms {
            if let s = seconds[arm], !s.isEmpty { total += s.reduce(0, +) / Double(s.count) } else { total += overall; own = false }
        }
        return (total, own)
    }

    /// "unit 3 of 8: at seed 1 — the rest of the experiment ≈ 1.4 h (…)" for the progress output.
    public func line(unit k: Int, of n: Int, arm: String, seed: Int, remaining arms: [String]) -> String {
        var s = "unit \(k) of \(n): \(arm) seed \(seed)"
        if let (sec, own) = remaining(arms) {
            let h = sec / 3600
            s += " — this and the \(arms.count - 1) after it ≈ "
                + (h >= 1 ? String(format: "%.1f h", h) : String(format: "%.0f min", sec / 60))
                + (own ? " (measured per arm)" : " (some arms not measured yet: guessed from the others)")
        }
        return s
    }
}
