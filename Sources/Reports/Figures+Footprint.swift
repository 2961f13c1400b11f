// Footprint: accuracy against parameters, MACs and latency for the teacher and the students
// (the proposal's "small, fit for IoT devices").

import Foundation

extension Figures {
    /// One row per model of an experiment: the teacher and each arm with a finished seed.
    struct FootprintPoint {
        var experiment: String, label: String, model: String
        var params: Int, macs: Int, latencyMs: Double, bytes: Int
        var top1: MeanStd
    }

    /// The batch-1 latencies (each a run's median of 51 forwards) every finished run of each model
    /// recorded across the experiments.
    static func latencies(_ exps: [ExperimentResults]) -> [String: [Double]] {
        var all: [String: [Double]] = [:]
        for exp in exps {
            for s in (exp.teacher?.summary.map { [$0] } ?? []) + exp.armSummaries.flatMap(\.finished) where s.latencyMs > 0 {
                all[s.model, default: []].append(s.latencyMs)
            }
        }
        return all
    }

    /// One latency per architecture: the fastest of its runs' medians. Runs of one architecture
    /// differ only by what else the machine was doing, and other load only adds time, so the
    /// fastest run is the least disturbed measurement.
    /// - Deviation: before the step-log runs this was the median over runs; with runs measured
    ///   beside a niced training campaign the median moved with the load (wrn-16-1: 2.7 → 4.4 ms).
    static func latencyByModel(_ exps: [ExperimentResults]) -> [String: Double] {
        latencies(exps).compactMapValues { $0.min() }
    }

    static func footprintPoints(_ exps: [ExperimentResults]) -> [FootprintPoint] {
        let latency = latencyByModel(exps)
        var out: [FootprintPoint] = []
        for exp in exps {
            if let t = exp.teacher?.summary {
                out.append(FootprintPoint(experiment: exp.name, label: "teacher", model: t.model, params: t.params, macs: t.macs,
                                          latencyMs: latency[t.model] ?? t.latencyMs, bytes: t.checkpointBytes,
                                          top1: MeanStd([t.final.top1])))
            }
            for a in exp.armSummaries {
                guard let f = a.footprint else { continue }
                let model = a.finished.first?.model ?? ""
                out.append(FootprintPoint(experiment: exp.name, label: a.arm, model: model, params: f.params, macs: f.macs,
                                          latencyMs: latency[model] ?? f.latencyMs, bytes: f.checkpointBytes, top1: a.top1))
            }
        }
        return out
    }

    /// Colours of the experiments in the footprint (dark enough for text).
    static let experimentColors = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#1f78b4", "#666666"]

    /// Geometry of the footprint figure in pixels: three panels side by side, the legend below.
    static let footprintSize = (width: 1350, height: 540)
    static func footprintArea(_ panel: Int) -> PixelBox {
        let w = Double(footprintSize.width), h = Double(footprintSize.height)
        let l = w * Double(panel) / 3 + 64, r = w * Double(panel + 1) / 3 - 14
        return PixelBox(x: l, y: 118, w: r - l, h: h - 40 - 118)
    }

    /// Log-axis tics at 1, 2 and 5 × 10^k inside [lo, hi], labelled with SI prefixes (`200k`, `1M`, `2.5` ms stays `2`).
    static func logTics(_ lo: Double, _ hi: Double) -> [(value: Double, label: String)] {
        var out: [(Double, String)] = []
        for k in Int(log10(lo).rounded(.down))...Int(log10(hi).rounded(.up)) {
            for m in [1.0, 2, 5] {
                let v = m * pow(10, Double(k))
                guard v >= lo, v <= hi else { continue }
                let (scale, suffix): (Double, String) = v >= 1e9 ? (1e9, "G") : v >= 1e6 ? (1e6, "M") : v >= 1e3 ? (1e3, "k") : (1, "")
                out.append((v, String(format: "%g", v / scale) + suffix))
            }
        }
        return out
    }

    /// A label's text width in pixels at font size 8 (generous, so estimates never undershoot).
    static func labelWidth(_ s: String) -> Double { Double(s.count) * 6.2 + 4 }

    /// Three panels (parameters, MACs, latency; log x), one colour per experiment, points labelled
    /// by method where the labels do not overlap (`LabelPlacement`; moved labels get a leader line),
    /// ±std error bars on accuracy only where an arm has two or more seeds.
    public static func footprint(_ exps: [ExperimentResults]) -> Figure? {
        let points = footprintPoints(exps)
        guard !points.isEmpty else { return nil }
        let names = exps.map(\.name).filter { n in points.contains { $0.experiment == n } }
        let ordered = names.flatMap { n in points.filter { $0.experiment == n } }
        let file = "footprint.dat"
        let xs: [(FootprintPoint) -> Double] = [{ Double($0.params) }, { Double($0.macs) }, { $0.latencyMs }]
        let ys = ordered.map { $0.top1.mean.map { $0 * 100 } ?? .nan }
        let spread = ordered.map { ($0.top1.std ?? 0) * 100 }
        let finite = ys.indices.filter { ys[$0].isFinite }
        let yLow = ((finite.map { ys[$0] - spread[$0] }.min() ?? 0) - 3) / 5
        let yHigh = ((finite.map { ys[$0] + spread[$0] }.max() ?? 100) + 3) / 5
        let yRange = (max(0, yLow.rounded(.down) * 5), min(100, yHigh.rounded(.up) * 5))

        // Per panel: the x range (log), and each label's box turned back into data coordinates.
        var ranges: [(Double, Double)] = []
        var labelColumns: [[String]] = Array(repeating: [], count: ordered.count)
        for (k, x) in xs.enumerated() {
            let logs = ordered.map { log10(max(x($0), 1e-9)) }
            let lo = logs.min()!, hi = logs.max()!, span = max(hi - lo, 0.5)
            let range = (lo - 0.08 * span, hi + 0.4 * span)
            ranges.append(range)
            let area = footprintArea(k)
            func px(_ i: Int) -> (x: Double, y: Double) {
                (area.x + (logs[i] - range.0) / (range.1 - range.0) * area.w,
                 area.y + ((ys[i].isFinite ? ys[i] : yRange.0) - yRange.0) / (yRange.1 - yRange.0) * area.h)
            }
            let placed = LabelPlacement.place(points: ordered.indices.map(px), widths: ordered.map { labelWidth($0.label) },
                                              height: 11, area: area)
            for (i, p) in placed.enumerated() {
                func dataX(_ v: Double) -> Double { pow(10, range.0 + (v - area.x) / area.w * (range.1 - range.0)) }
                let y = yRange.0 + (p.box.y + p.box.h / 2 - area.y) / area.h * (yRange.1 - yRange.0)
                let anchor = p.box.x > px(i).x ? p.box.x : p.box.x + p.box.w
                labelColumns[i] += [PlotText.number(dataX(p.box.x)), PlotText.number(y), PlotText.number(dataX(anchor)),
                                    p.leader ? "1" : "0"]
            }
        }
        var data = "# accuracy vs footprint: one block per experiment (gnuplot `index`); per panel (params, macs, latency)\n"
        data += "# the label's left edge x, its centre y, the leader's end x and whether it has a leader (placed without overlap)\n"
        for (e, name) in names.enumerated() {
            data += (e > 0 ? "\n\n" : "") + "# experiment: \(name)\n# label\tparams\tmacs\tlatency_ms\ttop1_mean\ttop1_std\tcheckpoint_bytes"
            for panel in ["params", "macs", "latency"] { data += "\t\(panel)_label_x\t\(panel)_label_y\t\(panel)_leader_x\t\(panel)_leader" }
            data += "\n"
            for (i, p) in ordered.enumerated() where p.experiment == name {
                data += "\(PlotText.quoted(p.label))\t\(p.params)\t\(p.macs)\t\(PlotText.number(p.latencyMs))"
                    + "\t\(PlotText.number(p.top1.mean.map { $0 * 100 }))\t\(PlotText.number((p.top1.std ?? 0) * 100))\t\(p.bytes)\t"
                    + labelColumns[i].joined(separator: "\t") + "\n"
            }
        }
        let (w, h) = (Double(footprintSize.width), Double(footprintSize.height))
        var body = """
        set multiplot title "accuracy against footprint: teacher and students (one latency per architecture: the fastest of its runs' batch-1 medians)" font ",10"
        set logscale x
        set grid
        set key off
        set ylabel "test top-1 (%)"
        set yrange [\(PlotText.number(yRange.0)):\(PlotText.number(yRange.1))]

        """
        for (k, label) in ["parameters", "MACs per image", "latency per image (ms, batch 1)"].enumerated() {
            let area = footprintArea(k)
            let col = 2 + k, lx = 8 + 4 * k
            body += "set lmargin at screen \(f4(area.x / w))\nset rmargin at screen \(f4((area.x + area.w) / w))\n"
            body += "set bmargin at screen \(f4(area.y / h))\nset tmargin at screen \(f4((area.y + area.h) / h))\n"
            body += "set xrange [\(PlotText.number(pow(10, ranges[k].0))):\(PlotText.number(pow(10, ranges[k].1)))]\n"
            body += "set xtics (" + logTics(pow(10, ranges[k].0), pow(10, ranges[k].1)).map { "\(PlotText.quoted($0.label)) \(PlotText.number($0.value))" }
                .joined(separator: ", ") + ")\n"
            body += "set xlabel \(PlotText.quoted(label))\n"
            let series = names.enumerated().map { e, name in
                let c = experimentColors[e % experimentColors.count]
                // NOTE: error bars before the points: yerrorbars draws its own (hollow) point at ps 0.
                return "\"\(file)\" index \(e) using \(col):5:($6 > 0 ? $6 : NaN) with yerrorbars pt 7 ps 1 lc rgb \"\(c)\" notitle, \\\n"
                    + "     \"\(file)\" index \(e) using \(col):5 with points pt 7 ps 1 lc rgb \"\(c)\" notitle, \\\n"
                    + "     \"\(file)\" index \(e) using \(col):($\(lx + 3) > 0 ? $5 : NaN):($\(lx + 2) - $\(col)):($\(lx + 1) - $5) "
                    + "with vectors nohead lw 0.6 lc rgb \"\(c)\" notitle, \\\n"
                    + "     \"\(file)\" index \(e) using \(lx):\(lx + 1):1 with labels left font \",8\" tc rgb \"\(c)\" notitle"
            }.joined(separator: ", \\\n     ")
            body += "plot \(series)\n"
        }
        // The legend on one row in a strip across the bottom (a key inside a panel wraps to its width).
        let entries = names.enumerated().map { e, name in
            "keyentry with points pt 7 ps 1 lc rgb \"\(experimentColors[e % experimentColors.count])\" title \(PlotText.quoted(name))"
        }
        body += """
        unset border
        unset tics
        unset xlabel
        unset ylabel
        unset grid
        unset logscale x
        set lmargin at screen 0.02
        set rmargin at screen 0.98
        set bmargin at screen 0.001
        set tmargin at screen \(f4(40 / h))
        set xrange [0:1]
        set yrange [0:1]
        set key at screen 0.5, \(f4(20 / h)) center center horizontal maxrows 1 font ",10" samplen 1 width 2
        plot 2 notitle, \\
             \(entries.joined(separator: ", \\\n     "))

        """
        return Figure(name: "footprint", title: "accuracy against parameters, MACs and latency",
                      width: footprintSize.width, height: footprintSize.height, data: [(file, data)], body: body)
    }
}
