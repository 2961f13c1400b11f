// One method (arm) of one experiment, aggregated over its seeds.

import Foundation
import Training

/// The numbers of one arm over its finished seeds, plus which seeds are not finished and why.
public struct ArmSummary {
    public let arm: String
    public let runs: [RunRecord]

    public init(arm: String, runs: [RunRecord]) { self.arm = arm; self.runs = runs }

    /// Summaries of the finished seeds, in seed order.
    public var finished: [RunSummary] { runs.compactMap { $0.status == .finished ? $0.summary : nil } }
    /// Runs that are not finished (in progress, diverged, missing, corrupt).
    public var unfinished: [RunRecord] { runs.filter { $0.status != .finished } }

    func stat(_ f: (RunSummary) -> Double?) -> MeanStd { MeanStd(finished.compactMap(f)) }

    public var top1: MeanStd { stat { $0.final.top1 } }
    public var top5: MeanStd { stat { $0.final.top5 } }
    public var bestTop1: MeanStd { stat { $0.bestTop1 } }
    public var bestEpoch: MeanStd { stat { Double($0.bestEpoch) } }
    public var agreement: MeanStd { stat { $0.final.teacherAgreement } }
    public var ece: MeanStd { stat { $0.final.ece } }
    public var nll: MeanStd { stat { $0.final.nll } }
    public var wallSeconds: MeanStd { stat { $0.wallSeconds } }
    public var imagesPerSecond: MeanStd { stat { $0.trainImagesPerSecond } }
    /// The last evaluated epoch's test top-1 over every run with metrics (finished or in progress).
    public var lastEpochTop1: MeanStd { MeanStd(runs.filter(\.hasCurves).compactMap { $0.lastEvaluatedTop1?.value }) }
    /// Train top-1 of the last epoch minus final test top-1 (finished runs with metrics).
    public var generalisationGap: MeanStd {
        MeanStd(runs.compactMap { r in r.status == .finished ? r.lastTrainTop1.flatMap { t in r.finalTop1.map { t - $0 } } : nil })
    }

    /// Per-class test accuracy, one `MeanStd` per class.
    public var perClass: [MeanStd] {
        let k = finished.map(\.final.perClassAccuracy.count).max() ?? 0
        return (0..<k).map { c in MeanStd(finished.compactMap { c < $0.final.perClassAccuracy.count ? $0.final.perClassAccuracy[c] : nil }) }
    }

    /// Confusion counts summed over the finished seeds (`[true][predicted]`), nil when none.
    public var confusion: [[Int]]? {
        guard var sum = finished.first?.final.confusion else { return nil }
        for s in finished.dropFirst() where s.final.confusion.count == sum.count {
            for i in sum.indices where s.final.confusion[i].count == sum[i].count {
                for j in sum[i].indices { sum[i][j] += s.final.confusion[i][j] }
            }
        }
        return sum
    }

    /// Footprint of the arm's model (identical across seeds): the first finished seed's.
    public var footprint: RunSummary? { finished.first }

    /// `1, 2 finished; 3 in progress (4/30 epochs)` — how the seeds stand (a seedless run, a
    /// teacher: `finished` or its status).
    public var seedStatus: String {
        if runs.count == 1, runs[0].seed == nil {
            return runs[0].status == .finished ? "finished" : runs[0].status.label
        }
        let done = runs.filter { $0.status == .finished }.compactMap(\.seed).map(String.init)
        var parts = [done.isEmpty ? "none finished" : "seed\(done.count > 1 ? "s" : "") \(done.joined(separator: ", ")) finished"]
        for r in unfinished { parts.append("seed \(r.seed.map(String.init) ?? "?") \(r.status.label)") }
        return parts.joined(separator: "; ")
    }
}
