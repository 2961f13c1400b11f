// Attention maps of the teacher and each student for a few fixed test images, computed from
// the checkpoints, or read back from the data file a previous report wrote.

import Foundation
import TensorCore
import NN
import Models
import Training
import ZagoruykoAT

/// One normalised attention map `q̂` of one model, tap and image.
public struct AttentionPanel: Equatable {
    /// `teacher` or the student's arm.
    public var model: String
    /// 0-based position in the test split.
    public var image: Int
    /// The image's true class.
    public var label: String
    public var tap: String
    public var height: Int
    public var width: Int
    /// Row-major `height × width` values of `q̂ = F(A)/‖F(A)‖₂`.
    public var values: [Float]

    public init(model: String, image: Int, label: String, tap: String, height: Int, width: Int, values: [Float]) {
        self.model = model; self.image = image; self.label = label; self.tap = tap
        self.height = height; self.width = width; self.values = values
    }
}

/// Computes, writes and reads attention-map panels.
public enum AttentionMaps {
    /// Maps of the first `images` test images for the teacher and the first finished seed of each
    /// arm. Throws `ReportError` saying what is missing (spec, checkpoints, data): the report then
    /// falls back to a committed data file or marks the maps unavailable.
    ///
    /// Uses `F(A) = mean_c A_c^p` with the experiment's `distill.at_p`, L2-normalised per image
    /// (`ZagoruykoAT.attentionMap`, the authors' code form), at every feature tap.
    public static func compute(_ exp: ExperimentResults, images: Int, projectRoot: String,
                               loadData: (DatasetSpec) throws -> DataProvider) throws -> [AttentionPanel] {
        guard let spec = exp.spec else { throw ReportError("no readable spec.json") }
        let fm = FileManager.default
        var models: [(label: String, architecture: String, path: String)] = []
        var teacherPaths = ["\(exp.directory)/teacher/model.atkd"]
        if !spec.teacher.checkpoint.isEmpty {
            teacherPaths.insert(spec.teacher.checkpoint.hasPrefix("/") ? spec.teacher.checkpoint
                                : "\(projectRoot)/\(spec.teacher.checkpoint)", at: 0)
        }
        if let p = teacherPaths.first(where: { fm.fileExists(atPath: $0) }) {
            models.append(("teacher", exp.teacher?.summary?.model ?? spec.teacher.model, p))
        }
        for arm in exp.arms {
            for r in exp.runs(arm: arm) where r.status == .finished && fm.fileExists(atPath: "\(r.directory)/model.atkd") {
                models.append((arm, r.summary?.model ?? spec.student.model, "\(r.directory)/model.atkd"))
                break
            }
        }
        // A row per finished arm or none: maps computed without the students' checkpoints (not
        // committed) would replace a complete committed figure with a teacher-only one.
        let missing = exp.arms.filter { arm in
            exp.runs(arm: arm).contains { $0.status == .finished } && !models.contains { $0.label == arm }
        }
        guard missing.isEmpty else {
            throw ReportError("no model.atkd for the finished runs of \(missing.joined(separator: ", ")) (checkpoints are not committed)")
        }
        guard !models.isEmpty else {
            throw ReportError("no model checkpoints (teacher: \(teacherPaths.joined(separator: " or ")); students: <arm>-seed<k>/model.atkd)")
        }
        let data: DataProvider
        do { data = try loadData(spec.dataset) } catch {
            throw ReportError("test data `\(spec.dataset.path)` unavailable (\(RunRecord.shortReason(error)))")
        }
        guard let batch = data.testBatches(batchSize: images).next() else { throw ReportError("the test split is empty") }
        let engine = Session.makeEngine(spec.engine, threads: spec.threads)
        var panels: [AttentionPanel] = []
        for (label, arch, path) in models {
            var rng = SeededRNG(seed: 0)
            let model = try ModelZoo.make(arch, classes: data.classes, input: spec.dataset.resolution, rng: &rng)
            do { try ModelCheckpoint.load(into: model, from: path) } catch {
                throw ReportError("\(path): \(RunRecord.shortReason(error))")
            }
            let out = model.forward(batch.x, ForwardContext(engine: engine, training: false))
            for tap in out.taps where tap.value.rank == 4 {
                let (n, h, w) = (tap.value.shape[0], tap.value.shape[2], tap.value.shape[3])
                let map = ZagoruykoAT.attentionMap(tap.value, p: spec.distill.atP).map
                for i in 0..<n {
                    let cls = batch.labels[i] < data.classNames.count ? data.classNames[batch.labels[i]] : "\(batch.labels[i])"
                    panels.append(AttentionPanel(model: label, image: i, label: cls, tap: tap.name, height: h, width: w,
                                                 values: Array(map.data[(i * h * w)..<((i + 1) * h * w)])))
                }
            }
        }
        return panels
    }

    /// The data file: a comment line per block (`# block i: model=… image=… class=… tap=… size=HxW`)
    /// then the matrix; blocks separated by two blank lines (gnuplot `index i matrix`).
    public static func encode(_ panels: [AttentionPanel], experiment: String, source: String) -> String {
        var out = "# attention maps q = F(A)/||F(A)||_2 of \(experiment), first test images\n# source: \(source)\n"
        for (i, p) in panels.enumerated() {
            out += (i > 0 ? "\n\n" : "") + "# block \(i): model=\(p.model) image=\(p.image) class=\(PlotText.slug(p.label)) tap=\(p.tap) size=\(p.height)x\(p.width)\n"
            for r in 0..<p.height {
                out += (0..<p.width).map { String(format: "%.5g", p.values[r * p.width + $0]) }.joined(separator: " ") + "\n"
            }
        }
        return out
    }

    /// Reads a data file written by `encode`; returns the panels and the recorded source line.
    public static func decode(_ text: String, file: String) throws -> (panels: [AttentionPanel], source: String) {
        var panels: [AttentionPanel] = []
        var source = ""
        var current: AttentionPanel? = nil
        func close() throws {
            guard let c = current else { return }
            guard c.values.count == c.height * c.width else {
                throw ReportError("\(file): block \(panels.count) has \(c.values.count) values, size says \(c.height)x\(c.width)")
            }
            panels.append(c); current = nil
        }
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# source: ") { source = String(line.dropFirst(10)); continue }
            if line.hasPrefix("# block ") {
                try close()
                var kv: [String: String] = [:]
                for part in line.split(separator: " ") where part.contains("=") {
                    let pair = part.split(separator: "=", maxSplits: 1)
                    kv[String(pair[0])] = pair.count > 1 ? String(pair[1]) : ""
                }
                let size = (kv["size"] ?? "").split(separator: "x").compactMap { Int($0) }
                guard let m = kv["model"], let img = kv["image"].flatMap({ Int($0) }), let tap = kv["tap"], size.count == 2 else {
                    throw ReportError("\(file): malformed block header `\(line)`")
                }
                current = AttentionPanel(model: m, image: img, label: kv["class"] ?? "", tap: tap,
                                         height: size[0], width: size[1], values: [])
                continue
            }
            if line.hasPrefix("#") { continue }
            guard current != nil else { throw ReportError("\(file): values before the first block header") }
            for f in line.split(separator: " ") {
                guard let v = Float(f) else { throw ReportError("\(file): `\(f)` is not a number") }
                current!.values.append(v)
            }
        }
        try close()
        return (panels, source)
    }
}
