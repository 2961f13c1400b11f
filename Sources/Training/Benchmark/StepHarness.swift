// Runs the trainer's own optimisation step (`TrainingRun.step`) on one fixed batch,
// so the benchmark times exactly the code path training uses.

import Foundation
import TensorCore
import NN

/// One fixed batch served as a one-batch training set (the benchmark's data).
final class FixedBatchData: DataProvider {
    let batch: LabeledBatch
    let classes: Int
    init(batch: LabeledBatch, classes: Int) { self.batch = batch; self.classes = classes }
    var classNames: [String] { (0..<classes).map { "c\($0)" } }
    var trainCount: Int { batch.labels.count }
    var testCount: Int { batch.labels.count }
    var trainLabels: [Int]? { batch.labels }
    var imageShape: [Int] { Array(batch.x.shape.dropFirst()) }
    func batchesPerEpoch(batchSize: Int) -> Int { batchSize == batch.labels.count ? 1 : 0 }
    func trainBatches(seed: UInt64, epoch: Int, startBatch: Int, batchSize: Int) -> AnyIterator<LabeledBatch> {
        var done = startBatch > 0
        return AnyIterator { defer { done = true }; return done ? nil : self.batch }
    }
    func testBatches(batchSize: Int) -> AnyIterator<LabeledBatch> { trainBatches(seed: 0, epoch: 0, startBatch: 0, batchSize: batchSize) }
}

/// A `TrainingRun` around one batch whose `step()` is the trainer's step: student forward
/// (train mode), teacher forward (eval mode, no backward) when the objective needs one, the
/// objective's named terms, backward, and SGD (momentum 0.9, Nesterov, weight decay 5e-4).
///
/// The run lives in a temporary folder that nothing is written to during steps; it is
/// removed when the harness is released.
public final class StepHarness {
    public let batch: LabeledBatch
    let run: TrainingRun
    let directory: String
    /// Learning rate of every step (the peer's 0.05).
    public let lr: Float

    /// `objective` is a registry name (`ce`, `atkd`, …) with the `DistillSpec` defaults
    /// (T = 4, β = 1000, KD weight 0.9, CE weight 0.1).
    public init(model: any Model, teacher: (any Model)?, objective: String, batch: LabeledBatch,
                engine: any Kernels, lr: Float = 0.05) throws {
        var train = TrainSpec(epochs: 1, lr: lr)
        train.batchSize = batch.labels.count
        let obj = try ObjectiveFactory.make(objective, distill: DistillSpec(), train: train, engine: engine)
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("atkd-bench-\(UUID().uuidString)").path
        // The batch is the whole training set: sample i is image i (CRD's memory rows).
        var batch = batch
        if batch.indices == nil { batch.indices = Array(0..<batch.labels.count) }
        self.batch = batch; self.lr = lr
        run = try TrainingRun(directory: directory, arm: objective, seed: 1, train: train, model: model,
                              teacher: teacher, objective: obj, data: FixedBatchData(batch: batch, classes: model.numClasses),
                              engine: engine)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// One optimisation step on the fixed batch (`TrainingRun.step`).
    public func step() throws { try run.step(batch, lr: lr) }

    /// A reproducible random batch of `n` images of `input`×`input` with labels in 0..<classes.
    public static func randomBatch(n: Int, input: Int, classes: Int, seed: UInt64 = 0) -> LabeledBatch {
        var rng = SeededRNG(seed: seed)
        let x = Tensor.randn([n, 3, input, input], rng: &rng)
        return LabeledBatch(x: x, labels: (0..<n).map { _ in rng.int(below: classes) })
    }
}
