// Every method of an experiment against the two baselines the proposal names — plain KD and AT+KD —
// paired by seed, so the methods of issue 22 and the four arms read on one scale.

import Foundation

extension ReportMarkdown {
    /// A table of `arm − kd` and `arm − atkd` (test top-1 points, paired by seed: mean ± std, 95 %
    /// t-interval, n) for every other arm; empty when the experiment has neither baseline.
    static func pairedAgainstBaselines(_ e: ExperimentResults) -> String {
        let finished = e.armSummaries.filter { !$0.finished.isEmpty }
        let baselines = ["kd", "atkd"].filter { b in finished.contains { $0.arm == b } }
        guard !baselines.isEmpty, finished.count > 1 else { return "" }
        let byArm = Dictionary(uniqueKeysWithValues: finished.map { ($0.arm, ClaimVerdicts.top1Points($0)) })
        let rows: [[String]] = finished.map { a in
            [a.arm, a.seedStatus] + ["kd", "atkd"].map { b in
                guard a.arm != b, let base = byArm[b] else { return "—" }
                return PairedDifference(byArm[a.arm]!, minus: base).formatted
            }
        }
        return "### Every method against KD and AT+KD (test top-1, paired by seed)\n\n"
            + "Per seed the two arms saw the same data order and augmentation; the interval is the 95 % Student-t "
            + "interval of the mean difference (none for n = 1).\n\n"
            + Markdown.table(["method", "seeds", "− kd (points)", "− atkd (points)"], rows) + "\n"
    }
}
