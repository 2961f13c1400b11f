// Learning curves: test top-1 and training loss per epoch, one line per arm,
// mean over seeds with a ±std band.

import Foundation

/// The figures of `atkd report`, one builder per kind (this file: learning curves).
public enum Figures {
    /// Per epoch, the mean and std over runs of one column (runs with metrics only).
    static func epochStats(_ runs: [RunRecord], column: String) -> [(epoch: Int, stat: MeanStd)] {
        var byEpoch: [Int: [Double]] = [:]
        for r in runs where r.hasCurves {
            guard let m = r.metrics, let values = m.column(column) else { continue }
            for (e, v) in zip(m.epochs, values) { byEpoch[e, default: []].append(v) }
        }
        return byEpoch.keys.sorted().map { ($0, MeanStd(byEpoch[$0]!)) }
    }

    /// The curves data file: one block per arm (`index i`), columns
    /// `epoch test_top1_mean test_top1_std train_loss_mean train_loss_std runs` (percent for accuracy).
    static func curveData(_ exp: ExperimentResults, arms: [String]) -> String {
        var out = "# learning curves of \(exp.name): one block per arm (gnuplot `index`), mean ± std over seeds\n"
        for (i, arm) in arms.enumerated() {
            let runs = arm == "teacher" ? (exp.teacher.map { [$0] } ?? []) : exp.runs(arm: arm)
            let acc = Dictionary(uniqueKeysWithValues: epochStats(runs, column: "test_top1").map { ($0.epoch, $0.stat) })
            let loss = epochStats(runs, column: "train_loss")
            out += (i > 0 ? "\n\n" : "") + "# arm: \(arm)\n# epoch\ttest_top1_mean\ttest_top1_std\ttrain_loss_mean\ttrain_loss_std\truns\n"
            for (epoch, l) in loss {
                let a = acc[epoch]
                out += "\(epoch)\t\(PlotText.number(a?.mean.map { $0 * 100 }))\t\(PlotText.number((a?.std ?? 0) * 100))"
                    + "\t\(PlotText.number(l.mean))\t\(PlotText.number(l.std ?? 0))\t\(l.n)\n"
            }
        }
        return out
    }

    /// Test accuracy (left) and training loss (right) against epoch; the teacher's curve is
    /// included when it was trained here (it has a metrics.tsv).
    public static func learningCurves(_ exp: ExperimentResults) -> Figure? {
        var arms = exp.arms.filter { arm in exp.runs(arm: arm).contains(where: \.hasCurves) }
        if exp.teacher?.hasCurves == true { arms.insert("teacher", at: 0) }
        guard !arms.isEmpty else { return nil }
        let slug = PlotText.slug(exp.name)
        let file = "curves-\(slug).dat"
        func series(_ y: Int, _ band: Int) -> String {
            arms.enumerated().map { i, arm in
                let c = PlotText.color(arm: arm, among: exp.arms)
                return "\"\(file)\" index \(i) using 1:($\(y)-$\(band)):($\(y)+$\(band)) with filledcurves fs transparent solid 0.2 noborder lc rgb \"\(c)\" notitle, \\\n"
                    + "    \"\(file)\" index \(i) using 1:\(y) with linespoints pt 7 ps 0.5 lw 2 lc rgb \"\(c)\" title \(PlotText.quoted(arm))"
            }.joined(separator: ", \\\n    ")
        }
        let body = """
        set multiplot layout 1,2 title \(PlotText.quoted("\(exp.name): learning curves (mean ± std over seeds)"))
        set xlabel "epoch"
        set grid
        set key bottom right
        set ylabel "test top-1 (%)"
        plot \(series(2, 3))
        set ylabel "training loss (weighted sum of terms)"
        set key top right
        plot \(series(4, 5))
        """
        return Figure(name: "curves-\(slug)", title: "\(exp.name): test accuracy and training loss per epoch",
                      width: 1100, height: 450, data: [(file, curveData(exp, arms: arms))], body: body)
    }
}
