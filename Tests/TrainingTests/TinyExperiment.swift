// A tiny experiment runner (wrn-10-1-w8 teacher and student on 8×8 synthetic images, one epoch
// each) for tests of the runner: sharding, the folder's spec record.

import Foundation
import Training

/// The runner of experiment `name` under `root`, with `arms` × `seeds`; `adjust` edits the spec.
func tinyExperimentRunner(_ root: String, name: String, arms: [String], seeds: [Int],
                          adjust: (inout ExperimentSpec) -> Void = { _ in }) -> ExperimentRunner {
    var spec = ExperimentSpec()
    spec.name = name
    spec.teacher = NetworkSpec(model: "wrn-10-1-w8", train: TrainSpec(epochs: 1, lr: 0.1))
    spec.student = NetworkSpec(model: "wrn-10-1-w8", train: TrainSpec(epochs: 1, lr: 0.05))
    spec.teacher.train.batchSize = 16
    spec.student.train.batchSize = 16
    spec.arms = arms
    spec.seeds = seeds
    spec.dataset.resolution = 8
    adjust(&spec)
    var options = RunOptions()
    options.runsRoot = root
    options.quiet = true
    return ExperimentRunner(spec: spec, data: SyntheticData(classes: 10, size: 8, trainPerClass: 4, testPerClass: 2),
                            engine: Session.makeEngine("fast", threads: 1), options: options)
}
