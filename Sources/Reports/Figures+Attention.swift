// Attention-map heatmaps: for one test image, the image itself, then the teacher's map at each tap
// above each student's (rows: models, columns: taps), one colour scale per tap column with its
// colour bar, and each student map's AT distance to the teacher's printed under it.

import Foundation

extension Figures {
    /// The data file name of an experiment's attention maps (shared by its per-image figures).
    public static func attentionDataFile(_ experiment: String) -> String { "attention-\(PlotText.slug(experiment)).dat" }
    /// The data file of the input images (`x y r g b` rows, one block per image).
    public static func attentionInputsFile(_ experiment: String) -> String { "attention-\(PlotText.slug(experiment))-inputs.dat" }

    /// Pixel layout of one attention figure: a square panel per cell, room for row names on the
    /// left, tap names and the title above, a distance line under each row and colour bars below.
    struct AttentionLayout {
        let rows: Int, cols: Int
        let panel = 130, gap = 14, rowGap = 26, left = 78, top = 84, bottom = 68, right = 16
        var width: Int { left + cols * panel + (cols - 1) * gap + right }
        var height: Int { top + rows * panel + (rows - 1) * rowGap + bottom }
        /// Screen fractions (left, right, bottom, top) of the cell at row r, column c (0-based from the top left).
        func cell(_ r: Int, _ c: Int) -> (l: Double, r: Double, b: Double, t: Double) {
            let x0 = Double(left + c * (panel + gap)), y0 = Double(top + r * (panel + rowGap))
            let w = Double(width), h = Double(height)
            return (x0 / w, (x0 + Double(panel)) / w, 1 - (y0 + Double(panel)) / h, 1 - y0 / h)
        }
    }

    /// One figure per image; `panels` are the blocks of `attentionDataFile` in order, `inputs` the
    /// blocks of `attentionInputsFile` (empty: no image column). Both files are written by the caller
    /// (they are also the committed copies the report re-reads).
    public static func attention(_ experiment: String, panels: [AttentionPanel], inputs: [AttentionInput] = []) -> [Figure] {
        let file = attentionDataFile(experiment), inputsFile = attentionInputsFile(experiment)
        let slug = PlotText.slug(experiment)
        var models: [String] = []
        for p in panels where !models.contains(p.model) { models.append(p.model) }
        var taps: [String] = []
        for p in panels where !taps.contains(p.tap) { taps.append(p.tap) }
        let images = Array(Set(panels.map(\.image))).sorted()
        return images.map { img in
            let mine = Dictionary(panels.enumerated().filter { $0.element.image == img }
                .map { ("\($0.element.model)/\($0.element.tap)", (block: $0.offset, panel: $0.element)) },
                                  uniquingKeysWith: { a, _ in a })
            let input = inputs.enumerated().first { $0.element.image == img }
            let offset = input == nil ? 0 : 1
            let layout = AttentionLayout(rows: models.count, cols: taps.count + offset)
            let label = mine.values.first?.panel.label ?? ""
            // One colour scale per tap column: 0 to the largest value of that tap over every model.
            let scale = Dictionary(uniqueKeysWithValues: taps.map { tap in
                (tap, roundedUp(Double(models.compactMap { mine["\($0)/\(tap)"]?.panel.values.max() }.max() ?? 1)))
            })
            var body = """
            set multiplot title \(PlotText.quoted(lines: ["\(experiment): attention maps of test image \(img) (\(label))",
                                                      "one colour scale per tap column; d = ‖q̂ − q̂_teacher‖₂ (0: the teacher's map)"])) font ",10"
            set palette defined (0 "#000004", 0.25 "#51127c", 0.5 "#b73779", 0.75 "#fc8961", 1 "#fcfdbf")
            unset xtics
            unset ytics
            unset key

            """
            if input != nil {
                let top = layout.cell(0, 0)
                body += "set label \"input\" at screen \(f4((top.l + top.r) / 2)), \(f4(top.t + 8 / Double(layout.height))) center font \",10\"\n"
            }
            for (c, tap) in taps.enumerated() {
                let top = layout.cell(0, c + offset)
                let size = models.compactMap { mine["\($0)/\(tap)"]?.panel }.first.map { "\($0.height)×\($0.width)" } ?? ""
                body += "set label \(PlotText.quoted("\(tap) (\(size))")) at screen \(f4((top.l + top.r) / 2)), \(f4(top.t + 8 / Double(layout.height))) center font \",10\"\n"
            }
            for (r, model) in models.enumerated() {
                let first = layout.cell(r, 0)
                body += "set label \(PlotText.quoted(model)) at screen \(f4(first.l - 8 / Double(layout.width))), \(f4((first.b + first.t) / 2)) right font \",10\"\n"
            }
            if let (block, image) = input {
                for r in 0..<models.count {
                    let cell = layout.cell(r, 0)
                    body += "# panel row=\(models[r]) col=input\n" + margins(cell)
                    body += "set xrange [-0.5:\(Double(image.width) - 0.5)]\nset yrange [\(Double(image.height) - 0.5):-0.5]\n"
                    body += "unset colorbox\n"
                    body += "plot \"\(inputsFile)\" index \(block) using 1:2:3:4:5 with rgbimage notitle\n"
                    if r == 0 { body += "unset label\n" }
                }
            }
            for (r, model) in models.enumerated() {
                for (c, tap) in taps.enumerated() {
                    guard let (block, p) = mine["\(model)/\(tap)"] else { body += "# panel row=\(model) col=\(tap): none\n"; continue }
                    let cell = layout.cell(r, c + offset)
                    body += "# panel row=\(model) col=\(tap)\n" + margins(cell)
                    body += "set cbrange [0:\(PlotText.number(scale[tap]!, "%.3g"))]\n"
                    if r == models.count - 1 {
                        // Narrower than the panel, so the end labels of neighbouring bars keep apart.
                        let inset = 20 / Double(layout.width)
                        body += "set colorbox user horizontal origin screen \(f4(cell.l + inset)), \(f4(cell.b - 44 / Double(layout.height))) "
                            + "size screen \(f4(cell.r - cell.l - 2 * inset)), \(f4(10 / Double(layout.height)))\n"
                        // Three tics (0, half, top): more collide under a 130-pixel bar.
                        body += "set cbtics 0, \(PlotText.number(scale[tap]! / 2, "%.4g")) font \",8\" format \"%.2g\"\n"
                    } else {
                        body += "unset colorbox\n"
                    }
                    if model != "teacher", let t = mine["teacher/\(tap)"]?.panel {
                        let d = AttentionMaps.distance(p, t).map { String(format: "d = %.3f", $0) } ?? "d: sizes differ"
                        body += "set label 101 \(PlotText.quoted(d)) at screen \(f4((cell.l + cell.r) / 2)), "
                            + "\(f4(cell.b - (r == models.count - 1 ? 13 : 12) / Double(layout.height))) center font \",9\"\n"
                    }
                    body += "set xrange [-0.5:\(Double(p.width) - 0.5)]\nset yrange [\(Double(p.height) - 0.5):-0.5]\n"
                    body += "plot \"\(file)\" index \(block) matrix with image notitle\n"
                    body += "unset label\n"
                }
            }
            var figure = Figure(name: "attention-\(slug)-img\(img)",
                                title: "\(experiment): attention maps, test image \(img) (\(label))",
                                width: layout.width, height: layout.height, data: [], body: body)
            figure.sharedData = [file] + (input == nil ? [] : [inputsFile])
            return figure
        }
    }

    static func f4(_ v: Double) -> String { String(format: "%.4f", v) }

    /// `v` rounded up to three significant digits (a colour range that holds every value).
    static func roundedUp(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return 1 }
        let unit = pow(10, (log10(v)).rounded(.down) - 2)
        return (v / unit).rounded(.up) * unit
    }

    static func margins(_ c: (l: Double, r: Double, b: Double, t: Double)) -> String {
        "set lmargin at screen \(f4(c.l))\nset rmargin at screen \(f4(c.r))\nset bmargin at screen \(f4(c.b))\nset tmargin at screen \(f4(c.t))\n"
    }

    /// The AT distance per tap over training (steps.tsv `at_distance.<tap>`), one panel per tap, one
    /// line per arm (mean ± std band over seeds); nil when no run logged it.
    public static func atDistance(_ exp: ExperimentResults) -> Figure? {
        let arms = exp.arms.filter { arm in exp.runs(arm: arm).contains { !($0.steps?.atDistanceTaps.isEmpty ?? true) } }
        var taps: [String] = []
        for arm in arms { for r in exp.runs(arm: arm) { for t in r.steps?.atDistanceTaps ?? [] where !taps.contains(t) { taps.append(t) } } }
        guard !arms.isEmpty, !taps.isEmpty else { return nil }
        let slug = PlotText.slug(exp.name)
        let file = "atdistance-\(slug).dat"
        var data = "# AT distance (1/N) Σ_n ‖q̂_student − q̂_teacher‖₂ per tap on 32 fixed test images (steps.tsv), "
            + "mean ± std over seeds: one block per arm (gnuplot `index`)\n"
        for (i, arm) in arms.enumerated() {
            let runs = exp.runs(arm: arm)
            let series = taps.map { tap in stats(runs) { $0.steps?.windowed("at_distance.\(tap)") ?? [] } }
            data += (i > 0 ? "\n\n" : "") + "# arm: \(arm)\n# epoch\truns\t" + taps.map { "\($0)_mean\t\($0)_std" }.joined(separator: "\t") + "\n"
            for x in Set(series.flatMap(\.keys)).sorted() {
                data += "\(PlotText.number(x))\t\(series.map { $0[x]?.n ?? 0 }.max() ?? 0)"
                for s in series { data += "\t\(PlotText.number(s[x]?.mean))\t\(PlotText.number(s[x]?.mean == nil ? nil : s[x]?.std ?? 0))" }
                data += "\n"
            }
        }
        var body = """
        set multiplot layout 1,\(taps.count) title \(PlotText.quoted("\(exp.name): AT distance to the teacher per tap during training (32 fixed test images; 0 = the teacher's maps, √2 = disjoint)"))
        set grid
        set xlabel "epoch"
        set yrange [0:*]
        set key bottom left font ",9"

        """
        for (k, tap) in taps.enumerated() {
            let y = 3 + 2 * k
            let series = arms.enumerated().map { i, arm in
                let c = PlotText.color(arm: arm, among: exp.arms)
                let seeds = exp.runs(arm: arm).filter { $0.steps != nil }.count
                let band = seeds >= 2 ? "\"\(file)\" index \(i) using 1:($\(y)-$\(y + 1)):($\(y)+$\(y + 1)) with filledcurves fs transparent solid 0.18 noborder lc rgb \"\(c)\" notitle, \\\n     " : ""
                return band + "\"\(file)\" index \(i) using 1:\(y) with linespoints pt 7 ps 0.35 lw 1.5 lc rgb \"\(c)\" title "
                    + PlotText.quoted(arm + (seeds >= 2 ? " (\(seeds) seeds)" : ""))
            }.joined(separator: ", \\\n     ")
            body += "set title \(PlotText.quoted(tap)) font \",10\"\nset ylabel \(PlotText.quoted(k == 0 ? "AT distance" : ""))\n"
            body += (k == 0 ? "" : "set key off\n") + "plot \(series)\n"
        }
        return Figure(name: "atdistance-\(slug)", title: "\(exp.name): AT distance to the teacher per tap during training",
                      width: max(700, 360 * taps.count), height: 380, data: [(file, data)], body: body)
    }
}
