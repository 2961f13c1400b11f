// Attention-map heatmaps: for one test image, the teacher's map at each tap next to each
// student's (rows: models, columns: taps).

import Foundation

extension Figures {
    /// The data file name of an experiment's attention maps (shared by its per-image figures).
    public static func attentionDataFile(_ experiment: String) -> String { "attention-\(PlotText.slug(experiment)).dat" }

    /// One figure per image; `panels` are the blocks of `attentionDataFile` in order. The data
    /// file itself is written by the caller (it is also the committed copy the report re-reads).
    public static func attention(_ experiment: String, panels: [AttentionPanel]) -> [Figure] {
        let file = attentionDataFile(experiment)
        let slug = PlotText.slug(experiment)
        var models: [String] = []
        for p in panels where !models.contains(p.model) { models.append(p.model) }
        let images = Array(Set(panels.map(\.image))).sorted()
        return images.map { img in
            let mine = panels.enumerated().filter { $0.element.image == img }
            let taps = models.map { m in mine.filter { $0.element.model == m } }
            let cols = max(1, taps.map(\.count).max() ?? 1)
            let label = mine.first?.element.label ?? ""
            var body = """
            set multiplot layout \(models.count),\(cols) title \(PlotText.quoted("\(experiment): attention maps of test image \(img) (\(label)); rows: models, columns: taps"))
            set palette rgb 21,22,23
            unset colorbox
            unset xtics
            unset ytics
            set size ratio -1
            set lmargin 0.5
            set rmargin 0.5

            """
            for row in taps {
                for (block, p) in row {
                    body += "set title \(PlotText.quoted("\(p.model) · \(p.tap) (\(p.height)×\(p.width))")) font \",9\"\n"
                    body += "set xrange [-0.5:\(Double(p.width) - 0.5)]\nset yrange [\(Double(p.height) - 0.5):-0.5]\n"
                    body += "plot \"\(file)\" index \(block) matrix with image notitle\n"
                }
                for _ in row.count..<cols { body += "set multiplot next\n" }
            }
            var figure = Figure(name: "attention-\(slug)-img\(img)",
                                title: "\(experiment): attention maps, test image \(img) (\(label))",
                                width: 220 * cols + 40, height: 200 * models.count + 50, data: [], body: body)
            figure.sharedData = [file]
            return figure
        }
    }
}
