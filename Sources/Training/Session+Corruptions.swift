// `Session.evaluateCorruptions`: a checkpoint under the CIFAR-10-C corruptions of
// the session's test split (the logic is `CorruptionEvaluation`).

import Foundation
import TensorCore
import Models

extension Session {
    /// Loads `checkpoint` (architecture from its header, as `evaluate(checkpoint:)`) and
    /// evaluates it on the clean test split and on each corruption × severity of it.
    ///
    /// Throws `TrainingError.data` when the session's data is not an image dataset
    /// (a `DatasetProvider` with a uint8 test split to corrupt).
    public func evaluateCorruptions(checkpoint: String, options: CorruptionOptions = CorruptionOptions(),
                                    progress: ((String) -> Void)? = nil) throws -> CorruptionReport {
        guard let provider = data as? DatasetProvider else {
            throw TrainingError.data("corruption evaluation needs an image dataset, not \(type(of: data))")
        }
        let meta = try TensorArchive.read(from: checkpoint).metadata
        guard let arch = meta["architecture"] else { throw TrainingError.badCheckpoint("\(checkpoint): no architecture") }
        var rng = SeededRNG(seed: 0)
        let model = try ModelZoo.make(arch, classes: data.classes, input: spec.dataset.resolution, rng: &rng)
        _ = try ModelCheckpoint.load(into: model, from: checkpoint)
        return try CorruptionEvaluation.run(model: model, name: arch, engine: engine, data: provider,
                                            options: options, progress: progress)
    }
}
