// Everything a command needs to act on a spec: the validated spec, the data and the engine.

import Foundation
import TensorCore
import ReferenceEngine
import FastEngine
import NN
import Models
import Objectives
import Datasets

public final class Session {
    public private(set) var spec: ExperimentSpec
    public let data: DataProvider
    public let engine: any Kernels

    /// Loads the data and makes the engine; `threads`/`engine`/`precision` override the spec's.
    public init(spec: ExperimentSpec, dataRoot: String?, cacheDir: String?, threads: Int?, engine: String?,
                precision: String? = nil, quiet: Bool = false) throws {
        var s = spec
        if let threads { s.threads = threads }
        if let engine { s.engine = engine }
        if let precision { s.precision = precision }
        try Session.validate(s, source: "command line")
        self.spec = s
        self.engine = try Session.makeEngine(s.engine, threads: s.threads, precision: s.productPrecision)
        self.data = try Session.makeData(s.dataset, dataRoot: dataRoot, cacheDir: cacheDir, threads: s.threads,
                                         progress: !quiet)
    }

    /// The spec's data: decoded per batch for `imagefolder-stream`, else loaded (and cached) in memory.
    public static func makeData(_ spec: DatasetSpec, dataRoot: String?, cacheDir: String?, threads: Int,
                                progress: Bool) throws -> DataProvider {
        guard spec.kind == "imagefolder-stream" else {
            return try DatasetProvider.make(spec, dataRoot: dataRoot, cacheDir: cacheDir, threads: threads, progress: progress)
        }
        guard let dir = try DatasetProvider.locate(spec.path, dataRoot: dataRoot, isDataset: ImageFolder.looksLikeImageFolder) else {
            let roots = DataLocator.searchRoots(dataRoot: dataRoot).map { "  \($0)/\(spec.path)" }.joined(separator: "\n")
            throw TrainingError.data("image folder `\(spec.path)` (train/<class>/*.JPEG, val/<class>/*.JPEG or a flat val/ "
                                     + "with val_labels.txt) not found. Looked in:\n\(roots)")
        }
        let a = spec.augment
        guard a.cropPadding == 0, a.rotationDegrees == 0, a.brightness == 0, a.contrast == 0 else {
            throw SpecError("dataset.kind imagefolder-stream: augments with random_resized_crop_min_scale and flip only; "
                            + "set crop_padding, rotation_degrees, brightness and contrast to 0")
        }
        return try StreamingImageFolderProvider(
            root: dir, resolution: spec.resolution, minScale: a.randomResizedCropMinScale, flip: a.flip,
            normalization: spec.normalization == "imagenet" ? .imagenet : .cifar10, threads: threads,
            trainPerClass: spec.trainPerClass, testPerClass: spec.testPerClass, validationPerClass: spec.validationPerClass)
    }

    /// The engine `name` at `threads` (the fast engine's also bounds OpenBLAS's), fp32 (it sets the process's product precision back to fp32).
    public static func makeEngine(_ name: String, threads: Int) -> any Kernels {
        // fp32 needs nothing of the CPU: this cannot throw.
        try! makeEngine(name, threads: threads, precision: .fp32)
    }

    /// The engine `name` at `threads`; also sets the process's product precision (`FastEngine.precision`):
    /// bf16 only on the fast engine and only on a CPU with AVX512_BF16, else an error before any work.
    public static func makeEngine(_ name: String, threads: Int, precision: Precision) throws -> any Kernels {
        if name == "reference" {
            guard precision == .fp32 else {
                throw PrecisionError("precision bf16 runs on the fast engine only (the reference engine is fp32, the specification)")
            }
            try FastEngine.configurePrecision(.fp32)
            return ReferenceEngine()
        }
        try FastEngine.configurePrecision(precision)
        FastEngine.configureThreads(threads)
        return FastEngine()
    }

    /// Whether `name` parses as an architecture (a zoo name plus modifiers such as `-imagenet`).
    public static func isKnownModel(_ name: String) -> Bool {
        (try? ModelSpec(parsing: name)) != nil
    }

    /// Reads a spec file, checking model names and arms against the registries.
    public static func loadSpec(path: String) throws -> ExperimentSpec {
        try SpecLoader.load(path: path, knownModels: Session.isKnownModel, knownArms: Set(ObjectiveFactory.names))
    }

    public static func validate(_ spec: ExperimentSpec, source: String) throws {
        try SpecLoader.validate(spec, source: source, knownModels: Session.isKnownModel, knownArms: Set(ObjectiveFactory.names))
    }

    /// Loads a checkpoint (architecture from its header) and evaluates it on the test split.
    public func evaluate(checkpoint: String) throws -> (String, ClassificationMetrics) {
        let meta = try TensorArchive.read(from: checkpoint).metadata
        guard let arch = meta["architecture"] else { throw TrainingError.badCheckpoint("\(checkpoint): no architecture") }
        var rng = SeededRNG(seed: 0)
        let model = try ModelZoo.make(arch, classes: data.classes, input: spec.dataset.resolution, rng: &rng)
        _ = try ModelCheckpoint.load(into: model, from: checkpoint)
        var acc = MetricsAccumulator(classes: data.classes)
        let batches = data.testBatches(batchSize: 256)
        // Progress on stderr (stdout stays the result); Ctrl-C stops at once (nothing to save).
        let progress = ProgressReporter(quiet: false, lineInterval: 10)
        let total = (data.testCount + 255) / 256, started = Date()
        var done = 0
        while let b = batches.next() {
            acc.add(logits: model.forward(b.x, ForwardContext(engine: engine, training: false)).logits, labels: b.labels)
            done += 1
            progress.phase("\(arch): evaluating the test split", done: done, total: total, started: started)
        }
        return (arch, acc.summary())
    }

    /// A plain-text table of run summaries.
    public static func table(_ runs: [RunSummary]) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        func pct(_ v: Double) -> String { String(format: "%6.2f%%", v * 100) }
        var lines = ["arm      seed  model                  top-1    top-5    best     ECE     agree    img/s  wall"]
        for r in runs {
            let agree = r.final.teacherAgreement.map { String(format: "%6.1f%%", $0 * 100) } ?? "     — "
            lines.append(pad(r.arm, 8) + String(format: " %4d  ", r.seed) + pad(r.model, 21) + " "
                         + [pct(r.final.top1), pct(r.final.top5), pct(r.bestTop1)].joined(separator: "  ")
                         + String(format: "  %.4f  ", r.final.ece) + agree
                         + String(format: "  %6.0f  ", r.trainImagesPerSecond) + ProgressReporter.clock(r.wallSeconds))
        }
        return lines.joined(separator: "\n")
    }
}
