// Per-class gain of one arm over another with a 95 % interval: a t-interval over paired seeds
// (n ≥ 2), or for one seed Newcombe's interval built from Wilson intervals on the class's images.

import Foundation

/// The gain `a − b` (points) of one class, its 95 % interval and how it was made.
public struct ClassGain: Equatable {
    public var mean: Double?
    public var lower: Double?
    public var upper: Double?
    /// Paired seeds (0: the arms share no finished seed).
    public var seeds: Int

    /// `+5.00 [−8.1, +18.0]`, `+5.00` without an interval, `—` without a value.
    public var formatted: String {
        guard let m = mean else { return "—" }
        guard let l = lower, let u = upper else { return String(format: "%+.2f", m) }
        return String(format: "%+.2f [%+.1f, %+.1f]", m, l, u)
    }

    /// Per-class gain of `a` over `b` for class `c`, pairing finished runs by seed.
    ///
    /// - n ≥ 2 seeds: mean of the per-seed differences, `PairedDifference`'s t-interval.
    /// - n = 1: Newcombe (1998) method 10 for a difference of proportions, from the Wilson score
    ///   intervals of each arm's k/n on the class's test images (the confusion row).
    /// - Deviation: method 10 treats the two proportions as independent; both arms see the same
    ///   images, so the interval is conservative.
    public static func of(_ a: ArmSummary, over b: ArmSummary, class c: Int) -> ClassGain {
        func bySeed(_ s: ArmSummary) -> [Int: (correct: Int, total: Int)] {
            var out: [Int: (Int, Int)] = [:]
            for r in s.runs where r.status == .finished {
                guard let seed = r.seed, let m = r.summary?.final, c < m.confusion.count else { continue }
                let total = m.confusion[c].reduce(0, +)
                if total > 0 { out[seed] = (m.confusion[c][c], total) }
            }
            return out
        }
        let (ka, kb) = (bySeed(a), bySeed(b))
        let paired = PairedDifference(ka.mapValues { 100 * Double($0.correct) / Double($0.total) },
                                      minus: kb.mapValues { 100 * Double($0.correct) / Double($0.total) })
        if paired.n >= 2, let ci = paired.interval {
            return ClassGain(mean: paired.mean, lower: ci.lower, upper: ci.upper, seeds: paired.n)
        }
        if paired.n == 1, let seed = paired.seeds.first, let x = ka[seed], let y = kb[seed] {
            let (p1, p2) = (Double(x.correct) / Double(x.total), Double(y.correct) / Double(y.total))
            let (l1, u1) = wilson(x.correct, x.total), (l2, u2) = wilson(y.correct, y.total)
            let d = p1 - p2
            let lower = d - ((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)).squareRoot()
            let upper = d + ((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)).squareRoot()
            return ClassGain(mean: 100 * d, lower: 100 * lower, upper: 100 * upper, seeds: 1)
        }
        // No shared seed: the difference of the arms' means, without an interval.
        let ma = a.perClass.count > c ? a.perClass[c].mean : nil, mb = b.perClass.count > c ? b.perClass[c].mean : nil
        return ClassGain(mean: ma.flatMap { x in mb.map { 100 * (x - $0) } }, lower: nil, upper: nil, seeds: 0)
    }

    /// The 95 % Wilson score interval of `k` successes in `n` trials (fractions).
    /// - Reference: Wilson (1927); Newcombe (1998) eq. for method 3.
    public static func wilson(_ k: Int, _ n: Int, z: Double = 1.959963984540054) -> (lower: Double, upper: Double) {
        guard n > 0 else { return (0, 1) }
        let p = Double(k) / Double(n), nn = Double(n), z2 = z * z
        let centre = (p + z2 / (2 * nn)) / (1 + z2 / nn)
        let half = z / (1 + z2 / nn) * (p * (1 - p) / nn + z2 / (4 * nn * nn)).squareRoot()
        return (max(0, centre - half), min(1, centre + half))
    }
}
