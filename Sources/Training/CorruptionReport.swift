// The result of a corruption evaluation (CIFAR-10-C style): accuracy and calibration
// per corruption × severity, their means, and a plain-text table.

import Foundation

/// Accuracy and calibration of one model on the clean test split and on its
/// corrupted copies (fractions in [0, 1]); Codable for run summaries and `--json`.
///
/// mCA = mean top-1 over every evaluated (corruption, severity); the ECE under
/// shift is the mean ECE over the same set; relative robustness = mCA / clean top-1.
/// - Paper: Hendrycks & Dietterich, ICLR 2019, §3 (CIFAR-10-C; they report corruption
///   *error* and AlexNet-normalised mCE, which needs a baseline model — these are
///   baseline-free); ECE under shift as in Ovadia et al., NeurIPS 2019, "Can you trust
///   your model's uncertainty?" (15 bins, see `MetricsAccumulator`).
public struct CorruptionReport: Codable, Equatable, Sendable {
    /// One severity of one corruption (or the clean split, severity 0).
    public struct Point: Codable, Equatable, Sendable {
        public var severity: Int
        public var top1: Double
        /// Expected calibration error (15 equal-width confidence bins).
        public var ece: Double
        /// Mean negative log-likelihood of the true class (nats).
        public var nll: Double

        public init(severity: Int, top1: Double, ece: Double, nll: Double) {
            self.severity = severity; self.top1 = top1; self.ece = ece; self.nll = nll
        }
    }

    /// All evaluated severities of one corruption.
    public struct Row: Codable, Equatable, Sendable {
        /// The corruption's raw name (`gaussian_noise`).
        public var corruption: String
        /// In increasing severity.
        public var severities: [Point]
        public var meanTop1: Double { severities.map(\.top1).mean }
        public var meanECE: Double { severities.map(\.ece).mean }

        public init(corruption: String, severities: [Point]) {
            self.corruption = corruption; self.severities = severities
        }
    }

    /// The checkpoint's architecture.
    public var model: String
    /// Test images per evaluation (clean and each corrupted copy).
    public var images: Int
    /// The seed of the corruptions' random draws.
    public var seed: UInt64
    public var clean: Point
    public var corruptions: [Row]

    public init(model: String, images: Int, seed: UInt64, clean: Point, corruptions: [Row]) {
        self.model = model; self.images = images; self.seed = seed
        self.clean = clean; self.corruptions = corruptions
    }

    /// mCA: mean top-1 over all evaluated corruptions and severities.
    public var meanCorruptionAccuracy: Double { corruptions.flatMap(\.severities).map(\.top1).mean }
    /// Mean ECE over all evaluated corruptions and severities.
    public var meanECEUnderShift: Double { corruptions.flatMap(\.severities).map(\.ece).mean }
    /// mCA / clean top-1 (1 = no loss under corruption; NaN when the clean top-1 is 0).
    public var relativeRobustness: Double { clean.top1 > 0 ? meanCorruptionAccuracy / clean.top1 : .nan }

    enum CodingKeys: String, CodingKey {
        case model, images, seed, clean, corruptions
        case meanCorruptionAccuracy, meanECEUnderShift, relativeRobustness
    }

    /// Encodes the stored fields and the derived means, so a reader of the JSON needs no arithmetic.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(images, forKey: .images)
        try c.encode(seed, forKey: .seed)
        try c.encode(clean, forKey: .clean)
        try c.encode(corruptions, forKey: .corruptions)
        // NOTE: JSONEncoder throws on NaN: a mean over no corruptions (or clean top-1 0) is left out.
        func finite(_ v: Double) -> Double? { v.isFinite ? v : nil }
        try c.encodeIfPresent(finite(meanCorruptionAccuracy), forKey: .meanCorruptionAccuracy)
        try c.encodeIfPresent(finite(meanECEUnderShift), forKey: .meanECEUnderShift)
        try c.encodeIfPresent(finite(relativeRobustness), forKey: .relativeRobustness)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(model: try c.decode(String.self, forKey: .model), images: try c.decode(Int.self, forKey: .images),
                  seed: try c.decode(UInt64.self, forKey: .seed), clean: try c.decode(Point.self, forKey: .clean),
                  corruptions: try c.decode([Row].self, forKey: .corruptions))
    }

    /// A plain-text table: one row per corruption, one column per severity, then the row mean.
    public func table() -> String {
        let severities = corruptions.first?.severities.map(\.severity) ?? []
        func pct(_ v: Double) -> String { String(format: "%6.2f%%", v * 100) }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        var lines = [String(format: "%@ on %d test images: clean top-1 %.2f%%  ECE %.4f",
                            model, images, clean.top1 * 100, clean.ece)]
        lines.append(pad("corruption", 17) + severities.map { "      s\($0) " }.joined() + "    mean      ECE")
        for row in corruptions {
            lines.append(pad(row.corruption, 17) + row.severities.map { " " + pct($0.top1) + " " }.joined()
                         + " " + pct(row.meanTop1) + String(format: "   %.4f", row.meanECE))
        }
        lines.append(String(format: "mCA %.2f%%  ECE under shift %.4f  relative robustness (mCA / clean) %.3f",
                            meanCorruptionAccuracy * 100, meanECEUnderShift, relativeRobustness))
        return lines.joined(separator: "\n")
    }
}

extension Array where Element == Double {
    /// The arithmetic mean (NaN when empty).
    fileprivate var mean: Double { isEmpty ? .nan : reduce(0, +) / Double(count) }
}
