// Accuracy and calibration of a model under the CIFAR-10-C corruptions: the test
// split and each corruption × severity of it, all through the same test loader.

import Foundation
import TensorCore
import NN
import Datasets

/// Which corruptions and severities to evaluate, on how many test images.
public struct CorruptionOptions: Sendable, Equatable {
    public var corruptions: [Corruption]
    /// Each in 1…5; evaluated in increasing order.
    public var severities: [Int]
    /// Seed of the noise corruptions' draws: the same seed gives the same corrupted images.
    public var seed: UInt64
    /// Only the first n test images of each class (0 = all), for quick runs.
    public var testPerClass: Int
    public var batchSize: Int
    /// Threads that corrupt images (the images do not depend on it).
    public var threads: Int

    public init(corruptions: [Corruption] = Corruption.benchmark, severities: [Int] = Array(Corruption.severities),
                seed: UInt64 = 0, testPerClass: Int = 0, batchSize: Int = 256, threads: Int = 1) {
        self.corruptions = corruptions; self.severities = severities; self.seed = seed
        self.testPerClass = testPerClass; self.batchSize = batchSize; self.threads = threads
    }
}

/// Evaluates a model on corrupted copies of a `DatasetProvider`'s test split.
///
/// Each corrupted set replaces the provider's test split in a new provider with the
/// same normalisation, so its batches come from `DatasetProvider.testBatches` — the
/// loader (and uint8 → normalised Float conversion) of the clean evaluation.
/// - Paper: Hendrycks & Dietterich, ICLR 2019 (CIFAR-10-C); see `Corruption`.
public enum CorruptionEvaluation {
    public static func run(model: any Model, name: String, engine: any Kernels, data: DatasetProvider,
                           options: CorruptionOptions = CorruptionOptions(),
                           progress: ((String) -> Void)? = nil) throws -> CorruptionReport {
        let severities = Array(Set(options.severities)).sorted()
        guard !options.corruptions.isEmpty, !severities.isEmpty else {
            throw TrainingError.data("corruption evaluation needs at least one corruption and one severity")
        }
        if let bad = severities.first(where: { !Corruption.severities.contains($0) }) {
            throw TrainingError.data("severity \(bad) outside \(Corruption.severities.lowerBound)...\(Corruption.severities.upperBound)")
        }
        guard options.batchSize > 0 else { throw TrainingError.data("batch size \(options.batchSize) must be ≥ 1") }
        let provider = options.testPerClass > 0
            ? try withTest(data.test.firstPerClass(options.testPerClass), of: data) : data
        func point(_ severity: Int, _ m: ClassificationMetrics) -> CorruptionReport.Point {
            CorruptionReport.Point(severity: severity, top1: m.top1, ece: m.ece, nll: m.nll)
        }
        let clean = point(0, try metrics(model: model, engine: engine, data: provider, batchSize: options.batchSize))
        progress?(String(format: "clean: top-1 %.2f%%  ECE %.4f", clean.top1 * 100, clean.ece))
        var rows: [CorruptionReport.Row] = []
        for corruption in options.corruptions {
            var points: [CorruptionReport.Point] = []
            for severity in severities {
                let images = try Corruption.apply(corruption, severity: severity, to: provider.test,
                                                  seed: options.seed, threads: options.threads)
                let m = try metrics(model: model, engine: engine, data: try withTest(images, of: provider),
                                batchSize: options.batchSize)
                points.append(point(severity, m))
                progress?(String(format: "%@ severity %d: top-1 %.2f%%  ECE %.4f",
                                 corruption.rawValue, severity, m.top1 * 100, m.ece))
            }
            rows.append(CorruptionReport.Row(corruption: corruption.rawValue, severities: points))
        }
        return CorruptionReport(model: name, images: provider.test.count, seed: options.seed, clean: clean,
                                corruptions: rows)
    }

    /// Metrics of `model` (eval mode) on `data`'s test batches, as `Session.evaluate(checkpoint:)` computes them.
    /// Ctrl-C stops it within a batch (`TrainingError.interrupted`; nothing of the suite is kept).
    public static func metrics(model: any Model, engine: any Kernels, data: DataProvider,
                               batchSize: Int = 256) throws -> ClassificationMetrics {
        var acc = MetricsAccumulator(classes: data.classes)
        let batches = data.testBatches(batchSize: batchSize)
        while let b = batches.next() {
            if interruptRequested != 0 { throw TrainingError.interrupted("stopped during the corruption suite") }
            acc.add(logits: model.forward(b.x, ForwardContext(engine: engine, training: false)).logits, labels: b.labels)
        }
        return acc.summary()
    }

    /// `data` with `test` as its test split: same training split, augmentation and normalisation.
    static func withTest(_ test: ImageSet, of data: DatasetProvider) throws -> DatasetProvider {
        try DatasetProvider(train: data.train, test: test, validation: data.validation, augmentation: data.augmentation,
                            normalization: data.normalization, threads: data.threads)
    }
}
