// What the attention module costs: a model and its `-awconv` twin stepped alternately in one process,
// so that both see the same state of a shared, noisy host (BENCHMARKS.md: this host's speed moved
// by 1.5× within minutes; separate processes seconds apart measured the same binaries' ratio at
// 1.02× and 1.50× in two runs).

import Foundation
import TensorCore
import NN

/// The twin's step time over the plain model's, each the median of per-pair ratios; JSON keys snake_case.
public struct ModuleCostResult: Codable, Sendable {
    public var kind = "module_cost"
    public var plain: String
    public var twin: String
    public var batch: Int
    /// Median of t_twin / t_plain over interleaved train steps (NaN at batch 1: no train step there).
    public var trainRatio: Double
    /// The same over eval-mode forwards.
    public var inferRatio: Double
    public var trainPairs: Int
    public var inferPairs: Int

    public init(plain: String, twin: String, batch: Int, trainRatio: Double, inferRatio: Double, trainPairs: Int,
                inferPairs: Int) {
        self.plain = plain; self.twin = twin; self.batch = batch; self.trainRatio = trainRatio
        self.inferRatio = inferRatio; self.trainPairs = trainPairs; self.inferPairs = inferPairs
    }
}

extension ThroughputBenchmark {
    /// `twin` against `plain`, step by step: after two warm-up steps each, pairs of steps in the order
    /// plain, twin, twin, plain, plain, twin, … (ABBA: a drift within a pair cancels over two pairs) until
    /// `config.seconds` passed (train and inference each) with at least 6 train / 10 inference pairs and
    /// at most 50; per pair the ratio t_twin / t_plain, and the median of those.
    /// NOTE: single steps on this host moved by ±30 % (inference 0.10–0.16 s for the same step), so a
    /// median of fewer pairs moved by ±0.15 between runs minutes apart.
    public static func measureModuleCost(plain: String, twin: String, config: BenchConfig,
                                         engine: any Kernels) throws -> ModuleCostResult {
        let models = (try makeModel(plain, config), try makeModel(twin, config))
        let batch = StepHarness.randomBatch(n: config.batch, input: config.input, classes: config.classes)
        var train = (ratio: Double.nan, pairs: 0)
        if config.batch > 1 {
            let a = try StepHarness(model: models.0, teacher: nil, objective: "ce", batch: batch, engine: engine)
            let b = try StepHarness(model: models.1, teacher: nil, objective: "ce", batch: batch, engine: engine)
            train = try interleavedRatio(seconds: config.seconds, minPairs: 6, { try a.step() }, { try b.step() })
        }
        let ctx = ForwardContext(engine: engine, training: false)
        let infer = try interleavedRatio(seconds: config.seconds, minPairs: 10, { _ = models.0.forward(batch.x, ctx) },
                                         { _ = models.1.forward(batch.x, ctx) })
        return ModuleCostResult(plain: plain, twin: twin, batch: config.batch, trainRatio: train.ratio,
                                inferRatio: infer.ratio, trainPairs: train.pairs, inferPairs: infer.pairs)
    }

    /// The median over ABBA-ordered pairs of t(b) / t(a) (see `measureModuleCost`).
    public static func interleavedRatio(seconds: Double, minPairs: Int, _ a: () throws -> Void,
                                        _ b: () throws -> Void) throws -> (ratio: Double, pairs: Int) {
        for _ in 0..<2 { try a(); try b() }
        func time(_ body: () throws -> Void) rethrows -> Double {
            let t0 = MedianTimer.now(); try body(); return MedianTimer.now() - t0
        }
        var ratios: [Double] = []
        let start = MedianTimer.now()
        while ratios.count < minPairs || (MedianTimer.now() - start < seconds && ratios.count < 50) {
            let (ta, tb): (Double, Double)
            if ratios.count % 2 == 0 { ta = try time(a); tb = try time(b) } else { tb = try time(b); ta = try time(a) }
            ratios.append(tb / ta)
        }
        ratios.sort()
        let mid = ratios.count / 2
        return (ratios.count % 2 == 1 ? ratios[mid] : (ratios[mid - 1] + ratios[mid]) / 2, ratios.count)
    }
}
