// Mean ± sample standard deviation over seeds, and how the report prints it.

import Foundation

/// The mean and sample standard deviation (n − 1) of a few values (one per seed).
///
/// Non-finite values are kept out and counted in `dropped`, so a diverged seed
/// never silently shifts a mean (the report names it separately).
public struct MeanStd: Equatable {
    public let values: [Double]
    public let dropped: Int

    public init(_ values: [Double]) {
        self.values = values.filter { $0.isFinite }
        dropped = values.count - self.values.count
    }

    public var n: Int { values.count }
    /// nil when no value is finite.
    public var mean: Double? { n == 0 ? nil : values.reduce(0, +) / Double(n) }
    /// Sample standard deviation (divides by n − 1); nil for fewer than two values.
    public var std: Double? {
        guard n >= 2, let m = mean else { return nil }
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)).squareRoot()
    }
    public var min: Double? { values.min() }
    public var max: Double? { values.max() }

    /// `82.00 ± 2.83` (values × `scale`, `decimals` places); one value prints alone, none as `—`.
    public func formatted(scale: Double = 100, decimals: Int = 2) -> String {
        guard let m = mean else { return "—" }
        let f = "%.\(decimals)f"
        guard let s = std else { return String(format: f, m * scale) }
        return String(format: "\(f) ± \(f)", m * scale, s * scale)
    }
}
