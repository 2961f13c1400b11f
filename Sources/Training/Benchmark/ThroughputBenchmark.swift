// Training-step and inference throughput of one model, and the AT+KD student step of a pair,
// with the PyTorch peer's definitions (bench/pytorch_peer.py).

import Foundation
import TensorCore
import NN
import Models

/// What every measurement shares; defaults equal the peer's.
public struct BenchConfig: Sendable {
    /// Images per step.
    public var batch = 128
    /// Image side in pixels (32 = CIFAR stems).
    public var input = 32
    /// Engine and OpenBLAS threads (the peer's `torch.set_num_threads`).
    public var threads = 2
    /// Time budget per training measurement in seconds; inference gets half.
    public var seconds = 20.0
    public var classes = 10
    /// Products in bf16 on both sides: ours `Precision.bf16`, the peer under `torch.autocast("cpu", bfloat16)`.
    public var bf16 = false
    public init() {}
}

/// One model's throughput; JSON keys are snake_case (`train_img_s`).
public struct ModelBenchResult: Codable, Sendable {
    public var kind = "model"
    public var model: String
    public var params: Int
    /// Multiply-accumulates per image (the peer's `macs_of` rule).
    public var macs: Int
    public var batch: Int
    public var threads: Int
    public var input: Int
    /// Training images per second: batch / median step time (forward, CE, backward, SGD).
    public var trainImgS: Double
    /// Inference images per second: batch / median eval-mode forward time.
    public var inferImgS: Double
    /// Peak RSS while building and running this model (MiB).
    public var peakRssMb: Double
    public var trainStepsTimed: Int
}

/// One teacher → student pair's AT+KD student step; JSON keys are snake_case.
public struct PairBenchResult: Codable, Sendable {
    public var kind = "pair"
    public var teacher: String
    public var student: String
    public var batch: Int
    public var threads: Int
    public var input: Int
    /// Images per second of the `atkd` student step (teacher eval forward included).
    public var atkdStepImgS: Double
    public var peakRssMb: Double
    public var stepsTimed: Int
}

/// Measures models and pairs on one engine.
public enum ThroughputBenchmark {
    /// The models `atkd bench all` measures (the peer's names).
    public static let defaultModels = ["resnet20", "wrn-16-1", "wrn-16-2", "wrn-40-2", "resnet50-w4",
                                       "resnet50-w4-awconv", "mobilenetv2-half", "mobilenetv2", "resnet50"]
    /// The pairs `--pairs` measures unless told otherwise: the evidence campaign's (AT Table 1's
    /// WRN pair, the proposal's teacher with and without the AW-convolution → MobileNetV2-half).
    public static let defaultPairs = [(teacher: "wrn-16-2", student: "wrn-16-1"),
                                      (teacher: "resnet50-w4", student: "mobilenetv2-half"),
                                      (teacher: "resnet50-w4-awconv", student: "mobilenetv2-half")]

    /// Builds `name` with seed 0 for `config.classes` classes at `config.input` pixels.
    public static func makeModel(_ name: String, _ config: BenchConfig) throws -> any Model {
        var rng = SeededRNG(seed: 0)
        return try ModelZoo.make(name, classes: config.classes, input: config.input, rng: &rng)
    }

    /// Train-step (the trainer's `ce` step) and eval-forward throughput of `name`, then peak RSS.
    /// NOTE: at batch 1 only inference is timed (the batch-1 latency of the proposal's device
    /// use): train-mode batch norm over one image's 1×1 maps has one value per channel.
    public static func measureModel(_ name: String, config: BenchConfig, engine: any Kernels) throws -> ModelBenchResult {
        PeakMemory.reset()
        let model = try makeModel(name, config)
        let macs = ModelZoo.macs(model, input: config.input, engine: engine)
        let batch = StepHarness.randomBatch(n: config.batch, input: config.input, classes: config.classes)
        var train: (seconds: Double, samples: Int) = (.nan, 0)
        if config.batch > 1 {
            let harness = try StepHarness(model: model, teacher: nil, objective: "ce", batch: batch, engine: engine)
            let t = try MedianTimer.median(seconds: config.seconds) { try harness.step() }
            train = (t.seconds, t.samples)
        }
        let ctx = ForwardContext(engine: engine, training: false)
        let infer = MedianTimer.median(seconds: config.seconds / 2) { _ = model.forward(batch.x, ctx) }
        return ModelBenchResult(model: name, params: model.parameterCount, macs: macs, batch: config.batch,
                                threads: config.threads, input: config.input,
                                trainImgS: Double(config.batch) / train.seconds,
                                inferImgS: Double(config.batch) / infer.seconds,
                                peakRssMb: PeakMemory.peakMB(), trainStepsTimed: train.samples)
    }

    /// The `atkd` student step of `student` distilled from `teacher` (T = 4, β = 1000).
    /// - Deviation: the teacher is freshly initialised, not trained; its cost does not depend on that.
    public static func measurePair(teacher: String, student: String, config: BenchConfig,
                                   engine: any Kernels) throws -> PairBenchResult {
        PeakMemory.reset()
        let t = try makeModel(teacher, config), s = try makeModel(student, config)
        let batch = StepHarness.randomBatch(n: config.batch, input: config.input, classes: config.classes)
        let harness = try StepHarness(model: s, teacher: t, objective: "atkd", batch: batch, engine: engine)
        let step = try MedianTimer.median(seconds: config.seconds) { try harness.step() }
        return PairBenchResult(teacher: teacher, student: student, batch: config.batch, threads: config.threads,
                               input: config.input, atkdStepImgS: Double(config.batch) / step.seconds,
                               peakRssMb: PeakMemory.peakMB(), stepsTimed: step.samples)
    }
}
