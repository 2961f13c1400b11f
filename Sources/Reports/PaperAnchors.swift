// Published numbers for settings this suite runs, set beside ours in the report ("paper vs ours").

import Foundation

/// One published top-1 for an (experiment, arm) setting, with its source and schedule.
public struct PaperAnchor: Equatable {
    public var setting: String
    public var experiment: String
    /// `teacher` or an arm name.
    public var arm: String
    /// Published test top-1 in percent.
    public var top1: Double
    public var verified: Bool
    public var paperSchedule: String
    public var source: String

    public init(setting: String, experiment: String, arm: String, top1: Double, verified: Bool,
                paperSchedule: String, source: String) {
        self.setting = setting; self.experiment = experiment; self.arm = arm; self.top1 = top1
        self.verified = verified; self.paperSchedule = paperSchedule; self.source = source
    }

    /// The anchors (PAPERS.md §4.1: AT Table 1 reports test error, median of 5 seeds; top-1 = 100 − error).
    public static let all: [PaperAnchor] = {
        let setting = "AT Table 1: WRN-16-2 → WRN-16-1, CIFAR-10"
        let schedule = "200 epochs, lr 0.1 ×0.2 at 60/120/160, median of 5 seeds"
        let source = "Zagoruyko & Komodakis 2017, Table 1 (PAPERS.md §4.1)"
        return [("teacher", 6.31, true), ("ce", 8.77, true), ("at", 7.93, true), ("kd", 7.41, false), ("atkd", 7.51, false)]
            .map { PaperAnchor(setting: setting, experiment: "evidence-wrn16", arm: $0.0, top1: 100 - $0.1, verified: $0.2,
                               paperSchedule: schedule, source: source) }
    }()
}

extension ReportMarkdown {
    /// Paper vs ours: the published top-1, ours (mean ± std, n, schedule) and the difference, for
    /// every anchor whose experiment is in the report (rows say "not run" otherwise).
    public static func paperSection(_ exps: [ExperimentResults], anchors: [PaperAnchor] = PaperAnchor.all) -> String {
        guard !anchors.isEmpty else { return "" }
        var rows: [[String]] = []
        for a in anchors {
            let exp = exps.first { $0.name == a.experiment }
            var ours = "not run", n = "0", diff = "—", schedule = "—"
            if let e = exp {
                let values: [Double] = a.arm == "teacher" ? (e.teacher?.summary.map { [$0.final.top1] } ?? [])
                    : ArmSummary(arm: a.arm, runs: e.runs(arm: a.arm)).finished.map(\.final.top1)
                let s = MeanStd(values)
                if let m = s.mean {
                    ours = s.formatted(); n = "\(s.n)"
                    diff = String(format: "%+.2f", m * 100 - a.top1)
                } else { ours = "not finished" }
                if let spec = e.spec {
                    let t = a.arm == "teacher" ? spec.teacher.train : spec.student.train
                    schedule = "\(t.epochs) epochs, \(t.schedule.rawValue), lr \(PlotText.number(Double(t.lr)))"
                }
            }
            rows.append([a.setting, a.arm, String(format: "%.2f", a.top1) + (a.verified ? "" : " (unverified)"),
                         ours, n, diff, a.paperSchedule, schedule])
        }
        return "## Paper vs ours\n\n"
            + "Published test top-1 (%) beside ours for the same setting; the schedules differ (stated per row), "
            + "so a gap measures the schedule as much as the method. Sources: "
            + Set(anchors.map(\.source)).sorted().joined(separator: "; ") + ".\n\n"
            + Markdown.table(["setting", "arm", "paper %", "ours % (mean ± std)", "n", "ours − paper (points)",
                              "paper schedule", "our schedule"], rows) + "\n"
    }
}
