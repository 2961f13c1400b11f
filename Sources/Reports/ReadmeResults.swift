// The README's results table, written from the same experiment summaries as REPORT.md: the four
// arms' test top-1 (mean ± std over finished seeds) and AT+KD − KD paired by seed, with the
// verdict on the proposal's +2 points. `atkd report --readme README.md` replaces the table
// between its markers; `ReadmeResultsTests` checks the committed README against reports/runs.

import Foundation
import Training

public enum ReadmeResults {
    /// The lines that enclose the generated table in the README.
    public static let begin = "<!-- results: written by `make report` (atkd report --readme) from reports/runs; edits between these lines are overwritten -->"
    public static let end = "<!-- /results -->"
    /// The proposal's claim: AT+KD beats KD by at least this many points.
    public static let claimedGain = 2.0
    static let arms = ["ce", "kd", "at", "atkd"]

    /// One row per experiment with a finished seed of CE, KD, AT or AT+KD, in the given order.
    public static func table(_ experiments: [ExperimentResults]) -> String {
        let rows: [[String]] = experiments.compactMap { e in
            let summaries = Dictionary(uniqueKeysWithValues: e.armSummaries.map { ($0.arm, $0) })
            let finished = arms.compactMap { summaries[$0] }.filter { !$0.finished.isEmpty }
            guard !finished.isEmpty else { return nil }
            let seeds = Set(finished.map { $0.finished.count }).sorted()
            let teacher = e.teacher?.summary.map { Markdown.pct($0.final.top1) } ?? "—"
            var gain = "—", verdict = "—"
            if let kd = summaries["kd"], let atkd = summaries["atkd"], !kd.finished.isEmpty, !atkd.finished.isEmpty {
                let d = PairedDifference(ClaimVerdicts.top1Points(atkd), minus: ClaimVerdicts.top1Points(kd))
                gain = compact(d)
                verdict = "\(d.verdict(atLeast: claimedGain).rawValue) (n = \(d.n))"
            }
            return ["`\(e.name)`", teacher] + arms.map { a in summaries[a].map { cell($0.top1) } ?? "—" }
                + [seeds.map(String.init).joined(separator: "–"), gain, verdict]
        }
        return Markdown.table(["experiment", "teacher", "ce", "kd", "at", "atkd", "seeds", "AT+KD − KD (points, paired)",
                               "AT+KD ≥ KD + 2?"], rows)
    }

    /// `86.91 ± 0.12` (percent; one seed: the value; none: —).
    static func cell(_ s: MeanStd) -> String {
        guard let m = s.mean else { return "—" }
        guard let sd = s.std else { return String(format: "%.2f", m * 100) }
        return String(format: "%.2f ± %.2f", m * 100, sd * 100)
    }

    /// `+0.48 ± 0.10, CI [+0.23, +0.72]`, or `+0.01 (one seed)`.
    static func compact(_ d: PairedDifference) -> String {
        guard let m = d.mean else { return "—" }
        guard let s = d.std, let ci = d.interval else { return String(format: "%+.2f (one seed)", m) }
        return String(format: "%+.2f ± %.2f, CI [%+.2f, %+.2f]", m, s, ci.lower, ci.upper)
    }

    /// `readme` with the text between the markers replaced by `table`.
    public static func splice(_ readme: String, table: String) throws -> String {
        guard let b = readme.range(of: begin), let e = readme.range(of: end, range: b.upperBound..<readme.endIndex) else {
            throw ReportError("the README has no results markers (a line `\(begin)`, then a line `\(end)`)")
        }
        return String(readme[..<b.upperBound]) + "\n" + table + "\n" + String(readme[e.lowerBound...])
    }

    /// Rewrites the table in the README at `path` (atomically; unchanged text stays byte for byte).
    public static func update(readmePath path: String, experiments: [ExperimentResults]) throws {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ReportError("\(path): cannot read the README")
        }
        let updated = try splice(text, table: table(experiments))
        if updated != text { try AtomicFile.write(Data(updated.utf8), to: path) }
    }
}
