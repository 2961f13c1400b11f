// Per-class views: accuracy gain over plain KD (the proposal's "hard-to-classify classes")
// and row-normalised confusion matrices as heatmaps.

import Foundation

extension Figures {
    /// Per-class gain over `kd` in points with 95 % intervals (`ClassGain`: t over paired seeds, or
    /// Newcombe/Wilson for one seed), one bar per other arm; classes sorted by KD's per-class
    /// accuracy, hardest first. nil when `kd` has no finished seed.
    public static func classGain(_ exp: ExperimentResults) -> Figure? {
        let summaries = exp.armSummaries
        guard let kd = summaries.first(where: { $0.arm == "kd" }), !kd.finished.isEmpty else { return nil }
        let others = summaries.filter { $0.arm != "kd" && !$0.finished.isEmpty }
        guard !others.isEmpty else { return nil }
        let names = exp.classNames
        let kdAcc = kd.perClass
        let order = kdAcc.indices.sorted { (kdAcc[$0].mean ?? 0, $0) < (kdAcc[$1].mean ?? 0, $1) }
        let slug = PlotText.slug(exp.name)
        let file = "classgain-\(slug).dat"
        let gains = others.map { a in kdAcc.indices.map { ClassGain.of(a, over: kd, class: $0) } }
        var data = "# per-class test top-1 gain over kd (points) with its 95 % interval (t over paired seeds; one seed:\n"
        data += "# Newcombe's method 10 from Wilson intervals on the class's test images); classes by kd accuracy, hardest first\n"
        data += "# class\ttic_label\tkd_top1\t" + others.map { "gain_\($0.arm)\tlow_\($0.arm)\thigh_\($0.arm)\tseeds_\($0.arm)" }.joined(separator: "\t") + "\n"
        for c in order {
            let name = c < names.count ? names[c] : "class\(c)"
            data += PlotText.quoted(name) + "\t" + PlotText.quoted(kdAcc[c].mean.map { String(format: "%@ (kd %.0f %%)", name, $0 * 100) } ?? name)
                + "\t" + PlotText.number(kdAcc[c].mean.map { $0 * 100 })
            for g in gains {
                let x = g[c]
                data += "\t\(PlotText.number(x.mean))\t\(PlotText.number(x.lower ?? x.mean))\t\(PlotText.number(x.upper ?? x.mean))\t\(x.seeds)"
            }
            data += "\n"
        }
        func method(_ g: [ClassGain]) -> String {
            let n = g.map(\.seeds).max() ?? 0
            return n >= 2 ? "\(n) seeds, t" : n == 1 ? "1 seed, Wilson" : "no shared seed"
        }
        let series = others.enumerated().map { i, a in
            "\"\(file)\" using \(4 + 4 * i):\(5 + 4 * i):\(6 + 4 * i):xtic(2) lc rgb \"\(PlotText.color(arm: a.arm, among: exp.arms))\" "
                + "title \(PlotText.quoted("\(a.arm) (\(method(gains[i])))"))"
        }.joined(separator: ", \\\n     ")
        // The axis holds every interval (autoscale ignores histogram error bars).
        let ends = gains.flatMap { $0.flatMap { [$0.lower, $0.upper, $0.mean].compactMap { $0 } } }
        let yLow = (((ends.min() ?? -5) - 2) / 5).rounded(.down) * 5, yHigh = (((ends.max() ?? 5) + 2) / 5).rounded(.up) * 5
        let body = """
        set yrange [\(PlotText.number(min(yLow, -5))):\(PlotText.number(max(yHigh, 5)))]
        set title \(PlotText.quoted("\(exp.name): per-class top-1 gain over plain KD with 95 % intervals (classes by KD accuracy, hardest first)"))
        set style data histograms
        set style histogram errorbars gap 1 lw 1
        set style fill solid 0.7 border -1
        set ylabel "gain over kd (points)"
        set xtics rotate by -35
        set grid ytics
        set key outside right
        plot \(series), \\
             0 with lines lc rgb "#000000" notitle
        """
        return Figure(name: "classgain-\(slug)", title: "\(exp.name): per-class accuracy gain over plain KD, 95 % intervals",
                      width: 1000, height: 450, data: [(file, data)], body: body)
    }

    /// Confusion matrices (rows: true class, columns: predicted; each row divided by its total),
    /// one panel per arm (summed over finished seeds) and the teacher.
    public static func confusion(_ exp: ExperimentResults) -> Figure? {
        var panels: [(label: String, matrix: [[Int]])] = []
        if let t = exp.teacher?.summary { panels.append(("teacher", t.final.confusion)) }
        for a in exp.armSummaries { if let m = a.confusion { panels.append(("\(a.arm) (\(a.finished.count) seed\(a.finished.count == 1 ? "" : "s"))", m)) } }
        guard !panels.isEmpty else { return nil }
        let slug = PlotText.slug(exp.name)
        let file = "confusion-\(slug).dat"
        var data = "# row-normalised confusion matrices of \(exp.name): one block per panel (gnuplot `index`, `matrix`)\n"
        data += "# rows: true class, columns: predicted class\n"
        for (i, p) in panels.enumerated() {
            data += (i > 0 ? "\n\n" : "") + "# panel: \(p.label)\n"
            for row in p.matrix {
                let total = Double(max(row.reduce(0, +), 1))
                data += row.map { String(format: "%.4f", Double($0) / total) }.joined(separator: " ") + "\n"
            }
        }
        let k = panels[0].matrix.count
        let names = exp.classNames
        let tics = names.count == k
            ? "(" + names.enumerated().map { "\(PlotText.quoted($1)) \($0)" }.joined(separator: ", ") + ")" : ""
        let cols = min(panels.count, 3), rows = (panels.count + cols - 1) / cols
        var body = """
        set multiplot layout \(rows),\(cols) title \(PlotText.quoted("\(exp.name): confusion matrices (row-normalised; rows true, columns predicted)"))
        set palette defined (0 "#ffffff", 0.25 "#9ecae1", 0.6 "#3182bd", 1 "#08306b")
        set cbrange [0:1]
        set xrange [-0.5:\(Double(k) - 0.5)]
        set yrange [\(Double(k) - 0.5):-0.5]
        set size ratio 1
        set tics font ",7"
        set xtics rotate by -60 \(tics)
        set ytics \(tics)

        """
        for (i, p) in panels.enumerated() {
            body += "set title \(PlotText.quoted(p.label))\nplot \"\(file)\" index \(i) matrix with image notitle\n"
        }
        return Figure(name: "confusion-\(slug)", title: "\(exp.name): confusion matrices",
                      width: 420 * cols, height: 400 * rows + 40, data: [(file, data)], body: body)
    }
}
