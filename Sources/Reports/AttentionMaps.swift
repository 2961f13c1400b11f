// Attention maps of the teacher and each student for a few fixed test images, computed from
// the checkpoints, or read back from the data file a previous report wrote; the images themselves
// (RGB, as the models saw them) in a second data file; the AT distance of a student's map to the teacher's.

import Foundation
import TensorCore
import NN
import Models
import Datasets
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

/// One test image as the models saw it (resized, before normalisation), for the first column.
public struct AttentionInput: Equatable {
    /// 0-based position in the test split.
    public var image: Int
    public var label: String
    public var height: Int
    public var width: Int
    /// Row-major `height × width` pixels, R G B each 0…255.
    public var rgb: [UInt8]

    public init(image: Int, label: String, height: Int, width: Int, rgb: [UInt8]) {
        self.image = image; self.label = label; self.height = height; self.width = width; self.rgb = rgb
    }
}

/// Computes, writes and reads attention-map panels.
public enum AttentionMaps {
    /// The AT distance `‖q̂_S − q̂_T‖₂` of two maps of one image and tap (each L2-normalised), 0 for the
    /// same map, √2 for disjoint support; nil when their sizes differ.
    /// - Paper: eq. (2)'s norm, for one image (the report's per-panel number; `StepLog` averages
    ///   the same quantity over its probe images).
    public static func distance(_ student: AttentionPanel, _ teacher: AttentionPanel) -> Double? {
        guard student.height == teacher.height, student.width == teacher.width,
              student.values.count == teacher.values.count else { return nil }
        return zip(student.values, teacher.values).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
    }

    /// The normalisation the spec's data uses (its provider's when it is a `DatasetProvider`).
    static func normalization(_ spec: ExperimentSpec, _ data: DataProvider) -> Normalization {
        (data as? DatasetProvider)?.normalization ?? (spec.dataset.normalization == "imagenet" ? .imagenet : .cifar10)
    }

    /// The first `count` images of a normalised batch back in 0…255 RGB.
    static func inputs(_ batch: LabeledBatch, count: Int, classNames: [String], normalization: Normalization) -> [AttentionInput] {
        let (c, h, w) = (batch.x.shape[1], batch.x.shape[2], batch.x.shape[3])
        return (0..<min(count, batch.labels.count)).map { i in
            var rgb = [UInt8](repeating: 0, count: h * w * 3)
            for y in 0..<h {
                for x in 0..<w {
                    for ch in 0..<3 {
                        let k = min(ch, c - 1)
                        let v = batch.x.data[((i * c + k) * h + y) * w + x]
                        let m = k < normalization.mean.count ? normalization.mean[k] : 0
                        let sd = k < normalization.std.count ? normalization.std[k] : 1
                        rgb[(y * w + x) * 3 + ch] = UInt8(max(0, min(255, ((v * sd + m) * 255).rounded())))
                    }
                }
            }
            let label = batch.labels[i] < classNames.count ? classNames[batch.labels[i]] : "\(batch.labels[i])"
            return AttentionInput(image: i, label: label, height: h, width: w, rgb: rgb)
        }
    }

    /// The first `count` test images of the experiment's data (the ones the maps were computed on),
    /// for maps re-plotted from their data file; throws when the data is unavailable or its labels
    /// differ from `labels` (image → class slug recorded with the maps).
    public static func loadInputs(_ exp: ExperimentResults, count: Int, labels: [Int: String],
                                  loadData: (DatasetSpec) throws -> DataProvider) throws -> [AttentionInput] {
        guard let spec = exp.spec else { throw ReportError("no readable spec.json") }
        let data: DataProvider
        do { data = try loadData(spec.dataset) } catch {
            throw ReportError("test data `\(spec.dataset.path)` unavailable (\(RunRecord.shortReason(error)))")
        }
        guard let batch = data.testBatches(batchSize: count).next() else { throw ReportError("the test split is empty") }
        let found = inputs(batch, count: count, classNames: data.classNames, normalization: normalization(spec, data))
        for f in found where labels[f.image] != nil && labels[f.image] != PlotText.slug(f.label) {
            throw ReportError("test image \(f.image) is `\(f.label)` in the data, `\(labels[f.image]!)` in the maps")
        }
        return found
    }

    /// Maps of the first `images` test images for the teacher and the first finished seed of each
    /// arm. Throws `ReportError` saying what is missing (spec, checkpoints, data): the report then
    /// falls back to a committed data file or marks the maps unavailable.
    ///
    /// Uses `F(A) = mean_c A_c^p` with the experiment's `distill.at_p`, L2-normalised per image
    /// (`ZagoruykoAT.attentionMap`, the authors' code form), at every feature tap.
    public static func compute(_ exp: ExperimentResults, images: Int, projectRoot: String,
                               loadData: (DatasetSpec) throws -> DataProvider) throws
        -> (panels: [AttentionPanel], inputs: [AttentionInput]) {
        guard images >= 1 else { throw ReportError("attention maps of \(images) images: at least 1") }
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
        let engine = try Session.makeEngine(spec.engine, threads: spec.threads, precision: spec.productPrecision)
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
        return (panels, inputs(batch, count: images, classNames: data.classNames, normalization: normalization(spec, data)))
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

    /// The images' data file: a comment line per block (`# image i: class=… size=HxW`) then one row
    /// `x y r g b` per pixel (gnuplot `with rgbimage`); blocks separated by two blank lines.
    public static func encodeInputs(_ inputs: [AttentionInput], experiment: String) -> String {
        var out = "# test images of \(experiment) as the models saw them (before normalisation), rows x y r g b\n"
        for (i, p) in inputs.enumerated() {
            out += (i > 0 ? "\n\n" : "") + "# image \(p.image): class=\(PlotText.slug(p.label)) size=\(p.height)x\(p.width)\n"
            for y in 0..<p.height {
                for x in 0..<p.width {
                    let k = (y * p.width + x) * 3
                    out += "\(x) \(y) \(p.rgb[k]) \(p.rgb[k + 1]) \(p.rgb[k + 2])\n"
                }
            }
        }
        return out
    }

    /// Reads a file written by `encodeInputs`.
    public static func decodeInputs(_ text: String, file: String) throws -> [AttentionInput] {
        var out: [AttentionInput] = []
        var current: AttentionInput? = nil
        func close() throws {
            guard let c = current else { return }
            guard c.rgb.count == c.height * c.width * 3 else {
                throw ReportError("\(file): image \(c.image) has \(c.rgb.count / 3) pixels, size says \(c.height)x\(c.width)")
            }
            out.append(c); current = nil
        }
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# image ") {
                try close()
                let parts = line.split(separator: " ")
                var kv: [String: String] = [:]
                for part in parts where part.contains("=") {
                    let pair = part.split(separator: "=", maxSplits: 1)
                    kv[String(pair[0])] = pair.count > 1 ? String(pair[1]) : ""
                }
                let size = (kv["size"] ?? "").split(separator: "x").compactMap { Int($0) }
                guard parts.count > 2, let img = Int(parts[2].dropLast()), size.count == 2 else {
                    throw ReportError("\(file): malformed image header `\(line)`")
                }
                current = AttentionInput(image: img, label: kv["class"] ?? "", height: size[0], width: size[1], rgb: [])
                continue
            }
            if line.hasPrefix("#") { continue }
            guard current != nil else { throw ReportError("\(file): pixels before the first image header") }
            let f = line.split(separator: " ")
            guard f.count == 5, let r = UInt8(f[2]), let g = UInt8(f[3]), let b = UInt8(f[4]) else {
                throw ReportError("\(file): `\(line)` is not `x y r g b`")
            }
            current!.rgb += [r, g, b]
        }
        try close()
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
