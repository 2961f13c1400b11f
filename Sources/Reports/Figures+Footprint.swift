// Footprint: accuracy against parameters, MACs and latency for the teacher and the students
// (the proposal's "small, fit for IoT devices").

import Foundation

extension Figures {
    /// One row per model of an experiment: the teacher and each arm with a finished seed.
    struct FootprintPoint {
        var experiment: String, label: String
        var params: Int, macs: Int, latencyMs: Double, bytes: Int
        var top1: MeanStd
    }

    /// One latency per architecture: the median of the batch-1 latencies recorded by every finished
    /// run of that model across the experiments (runs of one architecture differ only by noise).
    static func latencyByModel(_ exps: [ExperimentResults]) -> [String: Double] {
        var all: [String: [Double]] = [:]
        for exp in exps {
            for s in (exp.teacher?.summary.map { [$0] } ?? []) + exp.armSummaries.flatMap(\.finished) where s.latencyMs > 0 {
                all[s.model, default: []].append(s.latencyMs)
            }
        }
        return all.mapValues { v in let s = v.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2 }
    }

    static func footprintPoints(_ exps: [ExperimentResults]) -> [FootprintPoint] {
        let latency = latencyByModel(exps)
        var out: [FootprintPoint] = []
        for exp in exps {
            if let t = exp.teacher?.summary {
                out.append(FootprintPoint(experiment: exp.name, label: "teacher", params: t.params, macs: t.macs,
                                          latencyMs: latency[t.model] ?? t.latencyMs, bytes: t.checkpointBytes,
                                          top1: MeanStd([t.final.top1])))
            }
            for a in exp.armSummaries {
                guard let f = a.footprint else { continue }
                let model = a.finished.first?.model ?? ""
                out.append(FootprintPoint(experiment: exp.name, label: a.arm, params: f.params, macs: f.macs,
                                          latencyMs: latency[model] ?? f.latencyMs, bytes: f.checkpointBytes, top1: a.top1))
            }
        }
        return out
    }

    /// Three panels (parameters, MACs, latency; log x), one series per experiment, points labelled
    /// by method, ±std error bars on accuracy.
    public static func footprint(_ exps: [ExperimentResults]) -> Figure? {
        let points = footprintPoints(exps)
        guard !points.isEmpty else { return nil }
        let names = exps.map(\.name).filter { n in points.contains { $0.experiment == n } }
        let file = "footprint.dat"
        var data = "# accuracy vs footprint: one block per experiment (gnuplot `index`)\n"
        for (e, name) in names.enumerated() {
            data += (e > 0 ? "\n\n" : "") + "# experiment: \(name)\n# label\tparams\tmacs\tlatency_ms\ttop1_mean\ttop1_std\tcheckpoint_bytes\n"
            for p in points where p.experiment == name {
                data += "\(PlotText.quoted(p.label))\t\(p.params)\t\(p.macs)\t\(PlotText.number(p.latencyMs))"
                    + "\t\(PlotText.number(p.top1.mean.map { $0 * 100 }))\t\(PlotText.number((p.top1.std ?? 0) * 100))\t\(p.bytes)\n"
            }
        }
        var body = """
        set multiplot layout 1,3 title "accuracy against footprint (teacher and students)"
        set logscale x
        set grid
        set ylabel "test top-1 (%)"
        set key bottom right

        """
        for (col, label) in [(2, "parameters"), (3, "MACs per image"), (4, "latency per image (ms, batch 1)")] {
            let series = names.enumerated().map { e, name in
                "\"\(file)\" index \(e) using \(col):5:6 with yerrorbars pt 7 ps 1 lc \(e + 1) title \(PlotText.quoted(name)), \\\n"
                    + "     \"\(file)\" index \(e) using \(col):5:1 with labels offset char 1,0.6 left font \",8\" notitle"
            }.joined(separator: ", \\\n     ")
            body += "set xlabel \(PlotText.quoted(label))\nplot \(series)\n"
        }
        return Figure(name: "footprint", title: "accuracy against parameters, MACs and latency",
                      width: 1350, height: 450, data: [(file, data)], body: body)
    }
}
