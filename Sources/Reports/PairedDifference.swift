// Verdict statistics: arms compared paired by seed (same seed ⇒ same data order and
// augmentation), the mean difference with its 95 % Student-t interval, and the decision rule.

import Foundation

/// Per-seed differences a − b (points) of two arms on the seeds both finished.
///
/// Interval: mean ± t₀.₉₇₅,ₙ₋₁ · s/√n with s the sample standard deviation (n − 1).
/// Rule for a claim "a beats b by ≥ d points": `reproduced` when the interval's lower bound ≥ d,
/// `refuted` when its upper bound < d, otherwise `inconclusive`; with n < 2 there is no interval
/// and the verdict is `inconclusive`.
public struct PairedDifference: Equatable {
    public let seeds: [Int]
    /// a − b per seed, in points, in the order of `seeds`.
    public let differences: [Double]

    public init(seeds: [Int], differences: [Double]) {
        precondition(seeds.count == differences.count, "one difference per seed")
        self.seeds = seeds; self.differences = differences
    }

    /// Pairs `a` and `b` by seed (seed → value in points); seeds present in both, ascending.
    public init(_ a: [Int: Double], minus b: [Int: Double]) {
        let common = Set(a.keys).intersection(b.keys).sorted()
        self.init(seeds: common, differences: common.map { a[$0]! - b[$0]! })
    }

    public var n: Int { differences.count }
    public var mean: Double? { n == 0 ? nil : differences.reduce(0, +) / Double(n) }
    /// Sample standard deviation; nil for n < 2.
    public var std: Double? {
        guard n >= 2, let m = mean else { return nil }
        return (differences.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)).squareRoot()
    }

    /// The two-sided 95 % t-interval of the mean difference; nil for n < 2.
    public var interval: (lower: Double, upper: Double)? {
        guard let m = mean, let s = std else { return nil }
        let half = StudentT.quantile(0.975, degreesOfFreedom: Double(n - 1)) * s / Double(n).squareRoot()
        return (m - half, m + half)
    }

    public enum Verdict: String { case reproduced, refuted, inconclusive }

    /// The rule above for "a beats b by ≥ `atLeast` points".
    public func verdict(atLeast d: Double) -> Verdict {
        guard let ci = interval else { return .inconclusive }
        if ci.lower >= d { return .reproduced }
        if ci.upper < d { return .refuted }
        return .inconclusive
    }

    /// `+1.23 ± 0.45 points, 95 % CI [+0.11, +2.35], n = 3` (one seed: `+1.23 points, n = 1, no interval`).
    public var formatted: String {
        guard let m = mean else { return "no paired seeds" }
        guard let s = std, let ci = interval else { return String(format: "%+.2f points, n = %d, no interval", m, n) }
        return String(format: "%+.2f ± %.2f points, 95 %% CI [%+.2f, %+.2f], n = %d", m, s, ci.lower, ci.upper, n)
    }
}

/// Student's t distribution: CDF through the regularised incomplete beta function, quantile by bisection.
/// - Reference: Press et al., Numerical Recipes (3rd ed.), §6.4 (`betai`, `betacf`) and §6.14.
public enum StudentT {
    /// P(T ≤ t) for ν degrees of freedom: 1 − ½·I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0, symmetric below.
    public static func cdf(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        let tail = 0.5 * regularizedIncompleteBeta(nu / (nu + t * t), a: nu / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The p-quantile (0 < p < 1): bisection on `cdf` to 1e-12.
    public static func quantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        precondition(p > 0 && p < 1 && nu > 0, "quantile needs 0 < p < 1 and ν > 0")
        var lo = -1e4, hi = 1e4
        for _ in 0..<200 {
            let mid = (lo + hi) / 2
            if cdf(mid, degreesOfFreedom: nu) < p { lo = mid } else { hi = mid }
            if hi - lo < 1e-12 { break }
        }
        return (lo + hi) / 2
    }

    /// I_x(a, b) = x^a (1−x)^b / (a·B(a, b)) · continued fraction (Lentz), with the symmetry
    /// I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly.
    static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let lnFront: Double = lnBeta + a * log(x) + b * log(1 - x)
        if x < (a + 1) / (a + b + 2) { return exp(lnFront) * betaFraction(x, a: a, b: b) / a }
        return 1 - exp(lnFront) * betaFraction(1 - x, a: b, b: a) / b
    }

    static func betaFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...300 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }
}
