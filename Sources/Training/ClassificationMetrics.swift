// Test-set metrics: top-1/top-5, per-class accuracy, confusion, NLL, ECE, teacher agreement.

import Foundation
import TensorCore

/// Accumulates predictions batch by batch and summarises them.
public struct MetricsAccumulator {
    public let classes: Int
    public private(set) var count = 0
    private var top1Hits = 0, top5Hits = 0
    private var nllSum = 0.0
    /// confusion[true][predicted]
    public private(set) var confusion: [[Int]]
    private var agreeHits = 0, agreeCount = 0
    /// Calibration bins over max-probability confidence.
    private let bins: Int
    private var binCount: [Int], binConfidence: [Double], binCorrect: [Int]

    public init(classes: Int, calibrationBins: Int = 15) {
        self.classes = classes
        self.bins = calibrationBins
        confusion = Array(repeating: Array(repeating: 0, count: classes), count: classes)
        binCount = Array(repeating: 0, count: calibrationBins)
        binConfidence = Array(repeating: 0, count: calibrationBins)
        binCorrect = Array(repeating: 0, count: calibrationBins)
    }

    /// Adds a batch of logits [N,K] with labels; `teacherPredictions` (argmax of the
    /// teacher) enables the agreement metric.
    public mutating func add(logits: Tensor, labels: [Int], teacherPredictions: [Int]? = nil) {
        precondition(logits.rank == 2 && logits.shape[1] == classes && logits.shape[0] == labels.count,
                     "metrics: logits \(logits.shape) vs \(labels.count) labels, \(classes) classes")
        let k = classes
        for n in 0..<labels.count {
            let row = Array(logits.data[(n * k)..<((n + 1) * k)])
            let m = row.max()!
            var z = 0.0
            for v in row { z += exp(Double(v - m)) }
            let logZ = log(z) + Double(m)
            let y = labels[n]
            nllSum += logZ - Double(row[y])
            // Ranking: ties broken by lower index, as argmax.
            let order = (0..<k).sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }
            let pred = order[0]
            if pred == y { top1Hits += 1 }
            if order.prefix(5).contains(y) { top5Hits += 1 }
            confusion[y][pred] += 1
            let confidence = exp(Double(row[pred]) - logZ)
            let b = min(bins - 1, Int(confidence * Double(bins)))
            binCount[b] += 1; binConfidence[b] += confidence
            if pred == y { binCorrect[b] += 1 }
            if let t = teacherPredictions {
                agreeCount += 1
                if t[n] == pred { agreeHits += 1 }
            }
        }
        count += labels.count
    }

    /// Every running sum as one array (counts are exact in Double below 2⁵³), for summing the
    /// accumulators of several processes that evaluated disjoint parts of a split.
    public var sums: [Double] {
        [Double(count), Double(top1Hits), Double(top5Hits), nllSum, Double(agreeHits), Double(agreeCount)]
            + confusion.joined().map(Double.init) + binCount.map(Double.init) + binConfidence + binCorrect.map(Double.init)
    }

    /// The accumulator whose sums are `sums` (the layout of `sums`, e.g. added over processes).
    public init(classes: Int, calibrationBins: Int = 15, sums v: [Double]) {
        self.init(classes: classes, calibrationBins: calibrationBins)
        precondition(v.count == sums.count, "metrics: \(v.count) sums for \(sums.count)")
        count = Int(v[0]); top1Hits = Int(v[1]); top5Hits = Int(v[2]); nllSum = v[3]; agreeHits = Int(v[4]); agreeCount = Int(v[5])
        var i = 6
        for t in 0..<classes { for p in 0..<classes { confusion[t][p] = Int(v[i]); i += 1 } }
        for b in 0..<bins { binCount[b] = Int(v[i + b]) }
        for b in 0..<bins { binConfidence[b] = v[i + bins + b] }
        for b in 0..<bins { binCorrect[b] = Int(v[i + 2 * bins + b]) }
    }

    public func summary() -> ClassificationMetrics {
        let n = Double(max(count, 1))
        var ece = 0.0
        for b in 0..<bins where binCount[b] > 0 {
            let c = Double(binCount[b])
            ece += c / n * abs(Double(binCorrect[b]) / c - binConfidence[b] / c)
        }
        let perClass = (0..<classes).map { c -> Double? in
            let total = confusion[c].reduce(0, +)
            return total == 0 ? nil : Double(confusion[c][c]) / Double(total)
        }
        return ClassificationMetrics(
            count: count, top1: Double(top1Hits) / n, top5: Double(top5Hits) / n, nll: nllSum / n,
            ece: ece, perClassAccuracy: perClass, confusion: confusion,
            teacherAgreement: agreeCount > 0 ? Double(agreeHits) / Double(agreeCount) : nil)
    }
}

/// Summary metrics of one evaluation (fractions in [0, 1]).
public struct ClassificationMetrics: Codable, Equatable {
    public var count: Int
    public var top1: Double
    public var top5: Double
    /// Mean negative log-likelihood of the true class (nats).
    public var nll: Double
    /// Expected calibration error, 15 equal-width confidence bins (Guo et al. 2017).
    public var ece: Double
    /// Top-1 per class; nil (JSON null) for a class with no image in the evaluated set.
    /// NOTE: not NaN — JSON cannot hold NaN, and a run's final.json must always be written.
    public var perClassAccuracy: [Double?]
    public var confusion: [[Int]]
    /// Top-1 agreement with the teacher's prediction (students only).
    public var teacherAgreement: Double?
}
