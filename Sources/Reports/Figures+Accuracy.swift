// Final accuracy per arm with error bars, one panel per experiment, teacher and plain
// student as reference lines.

import Foundation

extension Figures {
    /// The accuracy data: one block per experiment, rows `x arm mean_top1 std_top1 seeds` (percent).
    static func accuracyData(_ exps: [ExperimentResults]) -> String {
        var out = "# final test top-1 per arm (percent): one block per experiment (gnuplot `index`)\n"
        for (e, exp) in exps.enumerated() {
            out += (e > 0 ? "\n\n" : "") + "# experiment: \(exp.name)\n# x\tarm\ttop1_mean\ttop1_std\tseeds\tcolor_rgb\n"
            for (i, a) in exp.armSummaries.enumerated() {
                let s = a.top1
                out += "\(i)\t\(PlotText.quoted(a.arm))\t\(PlotText.number(s.mean.map { $0 * 100 }))"
                    + "\t\(PlotText.number((s.std ?? 0) * 100))\t\(s.n)\t\(PlotText.rgbInt(PlotText.color(arm: a.arm, among: exp.arms)))\n"
            }
        }
        return out
    }

    /// Bars with ±std error bars per arm; dashed lines at the teacher's and the `ce` student's mean.
    public static func finalAccuracy(_ exps: [ExperimentResults]) -> Figure? {
        // NOTE: an experiment whose arms have no final top-1 yet (all in progress) has no bar to draw;
        // gnuplot fails on a block of undefined values, so such experiments are left out of this figure.
        let shown = exps.filter { $0.armSummaries.contains { $0.top1.mean != nil } }
        guard !shown.isEmpty else { return nil }
        let file = "accuracy.dat"
        // NOTE: the trailing `\n` makes gnuplot reserve a second title line, so the panel titles clear it.
        var body = "set multiplot layout 1,\(shown.count) title \"final test top-1 per method\\n\"\n"
        for (e, exp) in shown.enumerated() {
            let summaries = exp.armSummaries
            var refs: [String] = []
            var levels = summaries.compactMap { $0.top1.mean.map { $0 * 100 } }
            if let t = exp.teacher?.summary?.final.top1 {
                levels.append(t * 100)
                refs.append("\(PlotText.number(t * 100)) with lines dt 2 lw 2 lc rgb \"#000000\" title \"teacher \(exp.teacher?.summary?.model ?? "")\"")
            }
            if let ce = summaries.first(where: { $0.arm == "ce" })?.top1.mean {
                refs.append("\(PlotText.number(ce * 100)) with lines dt 3 lw 2 lc rgb \"\(PlotText.color(arm: "ce", among: exp.arms))\" title \"plain student (ce)\"")
            }
            // A stated, shared baseline: the axis starts at a multiple of 5 below every bar and line,
            // so a gap of a point is not drawn as an empty bar; the axis label says where it starts.
            let base = max(0, (((levels.min() ?? 0) - 5) / 5).rounded(.down) * 5)
            let seeds = summaries.map(\.top1.n).max() ?? 0
            let bars = seeds >= 2 ? "using 1:3:4:6:xtic(2) with boxerrorbars lc rgb variable notitle"
                                  : "using 1:3:6:xtic(2) with boxes lc rgb variable notitle"
            let what = seeds >= 2 ? "mean ± std over up to \(seeds) seeds" : "one seed: no error bars"
            body += """
            set title \(PlotText.quoted("\(exp.name) (\(what))"))
            set style fill solid 0.6 border -1
            set boxwidth 0.6
            set ylabel \(PlotText.quoted("test top-1 (%), axis from \(PlotText.number(base))"))
            set xrange [-0.7:\(Double(summaries.count) - 0.3)]
            set yrange [\(PlotText.number(base)):*]
            set offsets 0, 0, graph 0.12, 0
            set grid ytics
            set key outside below horizontal
            plot "\(file)" index \(e) \(bars), \\
                 "\(file)" index \(e) using 1:($3 + $4):(sprintf("%.2f", $3)) with labels offset 0,0.8 font ",9" notitle\(refs.isEmpty ? "" : ", \\\n     " + refs.joined(separator: ", \\\n     "))

            """
        }
        return Figure(name: "accuracy", title: "final test top-1 per method", width: max(500, 450 * shown.count),
                      height: 450, data: [(file, accuracyData(shown))], body: body)
    }
}
