// Learning curves: test (and validation) top-1 at each evaluation, then train top-1, the training
// loss and each loss term on its own panel, several points per epoch where the run has a steps.tsv;
// one line per arm, mean over seeds with a ±std band where two or more seeds agree on a point.

import Foundation

/// The figures of `atkd report`, one builder per kind (this file: learning curves).
public enum Figures {
    /// Mean and std over runs at each x (epoch or epoch fraction) of the points `points` gives per run.
    static func stats(_ runs: [RunRecord], _ points: (RunRecord) -> [(x: Double, value: Double)]) -> [Double: MeanStd] {
        var byX: [Int: (x: Double, values: [Double])] = [:]
        for r in runs where r.hasCurves {
            for p in points(r) {
                let key = Int((p.x * 1e6).rounded())
                byX[key, default: (p.x, [])].values.append(p.value)
            }
        }
        return Dictionary(uniqueKeysWithValues: byX.values.map { ($0.x, MeanStd($0.values)) })
    }

    /// A metrics.tsv column per epoch (finite values only).
    static func perEpoch(_ r: RunRecord, _ column: String) -> [(x: Double, value: Double)] {
        guard let m = r.metrics, let values = m.column(column) else { return [] }
        return zip(m.epochs, values).filter { $0.1.isFinite }.map { (Double($0.0), $0.1) }
    }

    /// Training points of one column: windowed means from steps.tsv, and the metrics.tsv rows of the
    /// epochs before the step log began (a run resumed by a binary that logs steps).
    static func trainingPoints(_ r: RunRecord, _ column: String) -> [(x: Double, value: Double)] {
        let first = r.steps?.firstEpoch ?? Int.max
        return perEpoch(r, column).filter { Int($0.x) < first } + (r.steps?.windowed(column) ?? [])
    }

    /// A `plot` command's series list; an empty panel plots an invisible (white) constant, as gnuplot
    /// needs one series.
    static func plotList(_ parts: [String]) -> String {
        let kept = parts.filter { !$0.isEmpty }
        return kept.isEmpty ? "0 with lines lc rgb \"#ffffff\" notitle" : kept.joined(separator: ", \\\n     ")
    }

    /// The runs of an arm, or the teacher's run for `teacher`.
    static func curveRuns(_ exp: ExperimentResults, _ arm: String) -> [RunRecord] {
        arm == "teacher" ? (exp.teacher.map { [$0] } ?? []) : exp.runs(arm: arm)
    }

    /// Arms drawn: every arm with curves; the teacher only when it was trained here on the students'
    /// schedule length, or when it is the only run (its final accuracy is a reference line otherwise).
    static func curveArms(_ exp: ExperimentResults) -> [String] {
        let arms = exp.arms.filter { arm in exp.runs(arm: arm).contains(where: \.hasCurves) }
        guard exp.teacher?.hasCurves == true else { return arms }
        let teacherEpochs = exp.teacher?.metrics?.epochs.last
        let studentEpochs = exp.spec?.student.train.epochs
        return arms.isEmpty || teacherEpochs == studentEpochs ? ["teacher"] + arms : arms
    }

    /// The loss-term columns (`loss_<t>`) of any drawn run, sorted.
    static func lossTerms(_ exp: ExperimentResults, arms: [String]) -> [String] {
        var terms = Set<String>()
        for arm in arms {
            for r in curveRuns(exp, arm) {
                terms.formUnion(r.metrics?.lossTerms ?? [])
                terms.formUnion(r.steps?.columns.filter { $0.hasPrefix("loss_") } ?? [])
            }
        }
        return terms.sorted()
    }

    /// The curves data file: per arm `index 2i` (evaluations: `epoch test_mean test_std val_mean
    /// val_std runs`, percent) and `index 2i+1` (training: `epoch runs` then mean, std of train
    /// top-1 (percent), the training loss and each of `terms`).
    static func curveData(_ exp: ExperimentResults, arms: [String], terms: [String]) -> String {
        var out = "# learning curves of \(exp.name): per arm two blocks (gnuplot `index`): 2i evaluations, 2i+1 training\n"
        out += "# mean ± std over seeds (std 0 for one run); training points are means over the steps since the previous\n"
        out += "# point of the same epoch (steps.tsv, about 8 per epoch) or over the epoch (metrics.tsv), at the window's end\n"
        func cell(_ s: MeanStd?, scale: Double = 1) -> String {
            "\(PlotText.number(s?.mean.map { $0 * scale }))\t\(PlotText.number(s?.mean == nil ? nil : (s?.std ?? 0) * scale))"
        }
        for (i, arm) in arms.enumerated() {
            let runs = curveRuns(exp, arm)
            let test = stats(runs) { perEpoch($0, "test_top1") }, val = stats(runs) { perEpoch($0, "val_top1") }
            out += (i > 0 ? "\n\n" : "") + "# arm: \(arm) (evaluations)\n# epoch\ttest_top1_mean\ttest_top1_std\tval_top1_mean\tval_top1_std\truns\n"
            for x in Set(test.keys).union(val.keys).sorted() {
                out += "\(PlotText.number(x))\t\(cell(test[x], scale: 100))\t\(cell(val[x], scale: 100))"
                    + "\t\(max(test[x]?.n ?? 0, val[x]?.n ?? 0))\n"
            }
            let columns = ["train_top1", "train_loss"] + terms
            let series = columns.map { c in stats(runs) { trainingPoints($0, c) } }
            out += "\n\n# arm: \(arm) (training)\n# epoch\truns\t" + columns.map { "\($0)_mean\t\($0)_std" }.joined(separator: "\t") + "\n"
            for x in Set(series.flatMap(\.keys)).sorted() {
                out += "\(PlotText.number(x))\t\(series.map { $0[x]?.n ?? 0 }.max() ?? 0)"
                for (k, s) in series.enumerated() { out += "\t" + cell(s[x], scale: k == 0 ? 100 : 1) }
                out += "\n"
            }
        }
        return out
    }

    /// Panels: evaluations (test solid ●, validation dashed ○, the teacher's final top-1 dotted),
    /// train top-1, training loss, then one panel per loss term, and a panel holding the legend.
    public static func learningCurves(_ exp: ExperimentResults) -> Figure? {
        let arms = curveArms(exp)
        guard !arms.isEmpty else { return nil }
        // One term alone is the training loss up to its weight: no panel of its own then.
        let allTerms = lossTerms(exp, arms: arms)
        let terms = allTerms.count > 1 ? allTerms : []
        let slug = PlotText.slug(exp.name)
        let file = "curves-\(slug).dat"
        let withinEpoch = arms.contains { curveRuns(exp, $0).contains { $0.steps != nil } }
        let hasValidation = arms.contains { curveRuns(exp, $0).contains { !perEpoch($0, "val_top1").isEmpty } }
        let teacherTop1 = arms.contains("teacher") ? nil : exp.teacher?.summary?.final.top1

        // Only arms with a value in that column get a series (gnuplot warns on an empty one).
        func has(_ arm: String, _ column: String, evaluation: Bool) -> Bool {
            curveRuns(exp, arm).contains { !(evaluation ? perEpoch($0, column) : trainingPoints($0, column)).isEmpty }
        }
        func series(block: (Int) -> Int, y: Int, style: String, titled: Bool, column: String, evaluation: Bool = false) -> String {
            arms.enumerated().filter { has($0.element, column, evaluation: evaluation) }.map { i, arm in
                let c = PlotText.color(arm: arm, among: exp.arms)
                let runs = curveRuns(exp, arm)
                let seeds = runs.filter(\.hasCurves).count
                var s = ""
                if seeds >= 2 {
                    s += "\"\(file)\" index \(block(i)) using 1:($\(y)-$\(y + 1)):($\(y)+$\(y + 1)) with filledcurves "
                        + "fs transparent solid 0.18 noborder lc rgb \"\(c)\" notitle, \\\n     "
                }
                return s + "\"\(file)\" index \(block(i)) using 1:\(y) \(style) lc rgb \"\(c)\" "
                    + (titled ? "title \(PlotText.quoted(arm + (seeds >= 2 ? " (\(seeds) seeds)" : "")))" : "notitle")
            }.joined(separator: ", \\\n     ")
        }
        let point = withinEpoch ? "pt 7 ps 0.35" : "pt 7 ps 0.6"
        let panels = 3 + terms.count
        let cols = 3, rows = (panels + cols - 1) / cols
        let (cellW, cellH, top, legend) = (400, 300, 40, 40)
        let (width, height) = (cellW * cols, top + cellH * rows + legend)
        // Panel r, c as screen margins: room for the y label on the left, the x label below.
        func place(_ k: Int) -> String {
            let (r, c) = (k / cols, k % cols)
            let x0 = Double(c * cellW), y0 = Double(top + r * cellH)
            return margins((l: (x0 + 74) / Double(width), r: (x0 + Double(cellW) - 16) / Double(width),
                            b: 1 - (y0 + Double(cellH) - 58) / Double(height), t: 1 - (y0 + 26) / Double(height)))
        }
        let lastEpoch = arms.flatMap { curveRuns(exp, $0).compactMap { $0.metrics?.epochs.last } }.max() ?? 1
        let what = withinEpoch ? "training: means over ~1/8 epoch (steps.tsv)" : "training: epoch means (metrics.tsv)"
        var body = """
        set multiplot title \(PlotText.quoted("\(exp.name): learning curves — \(what); mean ± std band where ≥ 2 seeds"))
        set grid
        set xlabel "epoch" offset 0,0.3
        set xrange [0:\(lastEpoch)]
        set key off
        set title \(PlotText.quoted("test top-1 (%) at each evaluation" + (hasValidation ? "; validation dashed" : "")
            + (teacherTop1.map { String(format: "; dotted: teacher %.2f", $0 * 100) } ?? ""))) font ",10"
        set ylabel "top-1 (%)"

        """ + place(0)
        var evaluations = [series(block: { 2 * $0 }, y: 2, style: "with linespoints pt 7 ps 0.7 lw 2", titled: false,
                                  column: "test_top1", evaluation: true)]
        if hasValidation {
            evaluations.append(series(block: { 2 * $0 }, y: 4, style: "with linespoints dt 2 pt 6 ps 0.7 lw 1.5",
                                      titled: false, column: "val_top1", evaluation: true))
        }
        if let t = teacherTop1 { evaluations.append("\(PlotText.number(t * 100)) with lines dt 3 lw 1.5 lc rgb \"#000000\" notitle") }
        body += "plot " + plotList(evaluations) + "\n"
        let trainPanels = [("train top-1 (%), under augmentation", "top-1 (%)", 3, "train_top1"),
                           ("training loss (Σ weight × term)", "loss", 5, "train_loss")]
            + terms.enumerated().map { k, t in ("term \(t.dropFirst(5)) (unweighted)", "", 7 + 2 * k, t) }
        for (k, (title, ylabel, y, column)) in trainPanels.enumerated() {
            body += "set title \(PlotText.quoted(title)) font \",10\"\nset ylabel \(PlotText.quoted(ylabel))\n" + place(k + 1)
            body += "plot " + plotList([series(block: { 2 * $0 + 1 }, y: y, style: "with linespoints \(point) lw 1.5",
                                               titled: false, column: column)]) + "\n"
        }
        // The legend in a strip along the bottom: arms by colour, then what the line styles mean.
        var entries = arms.map { arm in
            let seeds = curveRuns(exp, arm).filter(\.hasCurves).count
            return "keyentry with linespoints pt 7 lw 2 lc rgb \"\(PlotText.color(arm: arm, among: exp.arms))\" title "
                + PlotText.quoted(arm + (arm == "teacher" ? "" : seeds >= 2 ? " (\(seeds) seeds)" : seeds == 1 ? " (1 seed)" : ""))
        }
        if hasValidation {
            entries.append("keyentry with linespoints pt 7 lw 2 lc rgb \"#555555\" title \"test top-1\"")
            entries.append("keyentry with linespoints dt 2 pt 6 lw 1.5 lc rgb \"#555555\" title \"validation top-1\"")
        }
        body += """
        unset title
        unset xlabel
        unset ylabel
        unset grid
        unset border
        unset tics
        set key at screen 0.5, \(f4(Double(legend) / 2 / Double(height))) center center horizontal maxrows 1 font ",10" samplen 2 width 2
        set lmargin at screen 0.02
        set rmargin at screen 0.98
        set bmargin at screen 0.001
        set tmargin at screen \(f4(Double(legend) / Double(height)))
        set xrange [0:1]
        set yrange [0:1]
        plot 2 notitle, \\
             \(entries.joined(separator: ", \\\n     "))
        """
        return Figure(name: "curves-\(slug)", title: "\(exp.name): learning curves (evaluations, train accuracy, loss and each term)",
                      width: width, height: height, data: [(file, curveData(exp, arms: arms, terms: terms))], body: body)
    }
}
