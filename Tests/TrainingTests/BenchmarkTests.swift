// The benchmark machinery on tiny models: JSON fields, ratios, pairs, and that the
// TimingEngine and phase markers leave every number unchanged.

import XCTest
import Foundation
import TensorCore
import NN
import Models
import Training

final class BenchmarkTests: XCTestCase {
    /// Tiny and quick: 8×8 images, batch 4, a few steps.
    var config: BenchConfig {
        var c = BenchConfig()
        c.batch = 4; c.input = 8; c.threads = 2; c.seconds = 0.05
        return c
    }
    let engine = Session.makeEngine("fast", threads: 2)

    func parse(_ line: String, file: StaticString = #filePath, line l: UInt = #line) throws -> [String: Any] {
        let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return try XCTUnwrap(obj, "not a JSON object: \(line)", file: file, line: l)
    }

    func assertPositive(_ obj: [String: Any], _ keys: [String], file: StaticString = #filePath, line: UInt = #line) {
        for k in keys {
            guard let v = obj[k] as? Double else { XCTFail("missing numeric `\(k)` in \(obj)", file: file, line: line); continue }
            XCTAssert(v > 0 && v.isFinite, "`\(k)` = \(v)", file: file, line: line)
        }
    }

    func testModelJSONHasPositiveThroughputAndMemory() throws {
        let r = try ThroughputBenchmark.measureModel("resnet20", config: config, engine: engine)
        var rng = SeededRNG(seed: 0)
        let reference = try ModelZoo.make("resnet20", classes: 10, input: 8, rng: &rng)
        XCTAssertEqual(r.params, reference.parameterCount)
        XCTAssertEqual(r.macs, ModelZoo.macs(reference, input: 8, engine: engine))
        XCTAssertGreaterThanOrEqual(r.trainStepsTimed, 3)
        let obj = try parse(BenchReport.jsonLine(ModelComparison(ours: r, peer: nil)))
        XCTAssertEqual(obj["model"] as? String, "resnet20")
        XCTAssertEqual(obj["kind"] as? String, "model")
        assertPositive(obj, ["train_img_s", "infer_img_s", "peak_rss_mb"])
        XCTAssertNil(obj["train_ratio"], "no peer, no ratio")
    }

    /// The module's cost line: plain img/s over AW-conv img/s, only where both were measured; with
    /// several rounds the median of the per-round (paired) ratios and their range, not a ratio of medians.
    func testModuleCostLinePairsEachAWConvModelWithItsPlainTwin() {
        func result(_ model: String, train: Double, infer: Double) -> ModelBenchResult {
            // (an untimed training step travels as "nan", as the measuring child writes it)
            let trainJSON = train.isNaN ? #""nan""# : "\(train)"
            let line = #"{"kind":"model","model":"\#(model)","params":1,"macs":1,"batch":128,"threads":2,"input":32,"train_img_s":\#(trainJSON),"infer_img_s":\#(infer),"peak_rss_mb":1,"train_steps_timed":3}"#
            return try! FreshProcessMeasurement.decode(ModelBenchResult.self, kind: "model", from: line)
        }
        let one: [(model: String, results: [ModelBenchResult])] = [
            ("resnet50-w4", [result("resnet50-w4", train: 250, infer: 1000)]),
            ("wrn-16-1", [result("wrn-16-1", train: 1400, infer: 5000)]),
            ("resnet50-w4-awconv", [result("resnet50-w4-awconv", train: 200, infer: 500)]),
            ("resnet18-awconv", [result("resnet18-awconv", train: 1, infer: 1)])]
        let lines = BenchReport.moduleCostLines(one)
        XCTAssertEqual(lines.count, 1, "\(lines)")
        XCTAssertTrue(lines[0].hasPrefix("resnet50-w4-awconv / resnet50-w4"), lines[0])
        XCTAssertTrue(lines[0].contains("train 250.0 / 200.0 = 1.25×"), lines[0])
        XCTAssertTrue(lines[0].contains("inference 1000.0 / 500.0 = 2.00×"), lines[0])
        XCTAssertEqual(BenchReport.moduleCostLines(Array(one.prefix(2))), [])
        // Three rounds: the host slows down in round 2 for both twins. Paired ratios 1.2, 1.25, 1.3
        // (median 1.25); the ratio of the median rounds (250 / 160) would read 1.56.
        let plain = [result("resnet50-w4", train: 300, infer: 900), result("resnet50-w4", train: 150, infer: 450),
                     result("resnet50-w4", train: 260, infer: 1000)]
        let aw = [result("resnet50-w4-awconv", train: 250, infer: 900), result("resnet50-w4-awconv", train: 120, infer: 300),
                  result("resnet50-w4-awconv", train: 200, infer: 800)]
        let three = BenchReport.moduleCostLines([("resnet50-w4", plain), ("resnet50-w4-awconv", aw)])
        XCTAssertEqual(three.count, 1, "\(three)")
        XCTAssertTrue(three[0].contains("train 1.25× (1.20–1.30)"), three[0])
        XCTAssertTrue(three[0].contains("inference 1.25× (1.00–1.50)"), three[0])
        XCTAssertTrue(three[0].contains("3 paired rounds"), three[0])
        // Batch 1: no training step (NaN img/s) — the line gives inference alone, one round or three.
        let untrained = [result("resnet50-w4", train: .nan, infer: 500), result("resnet50-w4", train: .nan, infer: 400),
                         result("resnet50-w4", train: .nan, infer: 450)]
        let untrainedAW = [result("resnet50-w4-awconv", train: .nan, infer: 250), result("resnet50-w4-awconv", train: .nan, infer: 400),
                           result("resnet50-w4-awconv", train: .nan, infer: 300)]
        let batch1 = BenchReport.moduleCostLines([("resnet50-w4", untrained), ("resnet50-w4-awconv", untrainedAW)])
        XCTAssertTrue(batch1.first?.contains("train —, inference 1.50× (1.00–2.00)") == true, "\(batch1)")
        let batch1One = BenchReport.moduleCostLines([("resnet50-w4", [untrained[0]]), ("resnet50-w4-awconv", [untrainedAW[0]])])
        XCTAssertTrue(batch1One.first?.contains("train —, inference 500.0 / 250.0 = 2.00×") == true, "\(batch1One)")
    }

    /// The interleaved measurement first, then the rows' pairing as "measured apart"; its JSON line
    /// (NaN train ratio at batch 1) decodes back as the parent reads it.
    func testModuleCostLineLeadsWithTheInterleavedRatios() throws {
        func cost(train: Double, infer: Double) -> ModuleCostResult {
            ModuleCostResult(plain: "resnet50-w4", twin: "resnet50-w4-awconv", batch: 128, trainRatio: train,
                             inferRatio: infer, trainPairs: 6, inferPairs: 12)
        }
        let line = #"{"kind":"model","model":"M","params":1,"macs":1,"batch":128,"threads":2,"input":32,"train_img_s":200,"infer_img_s":800,"peak_rss_mb":1,"train_steps_timed":3}"#
        let plain = try FreshProcessMeasurement.decode(ModelBenchResult.self, kind: "model",
                                                       from: line.replacingOccurrences(of: "\"M\"", with: "\"resnet50-w4\""))
        var aw = plain; aw.model = "resnet50-w4-awconv"; aw.trainImgS = 100; aw.inferImgS = 400
        let costs = [cost(train: 1.3, infer: 1.2), cost(train: 1.1, infer: 1.4), cost(train: 1.2, infer: 1.0)]
        let lines = BenchReport.moduleCostLines([("resnet50-w4", [plain, plain, plain]), ("resnet50-w4-awconv", [aw, aw, aw])],
                                                interleaved: ["resnet50-w4-awconv": costs])
        XCTAssertEqual(lines.count, 1, "\(lines)")
        XCTAssertTrue(lines[0].hasPrefix("resnet50-w4-awconv / resnet50-w4 step time (ours), stepped alternately in one process: "
                                         + "train 1.20× (1.10–1.30), inference 1.20× (1.00–1.40) — median (range) of 3 rounds "
                                         + "(≥ 6 pairs of steps each)"), lines[0])
        XCTAssertTrue(lines[0].hasSuffix("measured apart (the rows above): train 2.00× (2.00–2.00), inference 2.00× (2.00–2.00) — "
                                         + "median (range) of 3 paired rounds"), lines[0])
        let batch1 = cost(train: .nan, infer: 1.5)
        let decoded = try FreshProcessMeasurement.decode(ModuleCostResult.self, kind: "module_cost",
                                                         from: "noise\n" + BenchReport.jsonLine(batch1))
        XCTAssertTrue(decoded.trainRatio.isNaN)
        XCTAssertEqual([decoded.inferRatio, Double(decoded.inferPairs)], [1.5, 12])
        XCTAssertTrue(BenchReport.moduleCostText(decoded).contains("train — (6 pairs of steps), inference 1.50× (12 pairs)"),
                      BenchReport.moduleCostText(decoded))
    }

    /// ABBA order after two warm-up pairs, at least `minPairs` pairs, and the median of t(b) / t(a):
    /// b sleeping twice as long as a reads ≈ 2.
    func testInterleavedRatioAlternatesAndTakesTheMedian() throws {
        var order: [Character] = []
        let r = try ThroughputBenchmark.interleavedRatio(seconds: 0, minPairs: 5,
                                                         { order.append("a"); usleep(2_000) },
                                                         { order.append("b"); usleep(4_000) })
        XCTAssertEqual(String(order), "abab" + "ab" + "ba" + "ab" + "ba" + "ab")
        XCTAssertEqual(r.pairs, 5)
        XCTAssertEqual(r.ratio, 2, accuracy: 0.5)
    }

    /// A real model and its twin on the tiny config: finite ratios from both phases.
    func testModuleCostMeasuresBothPhases() throws {
        let r = try ThroughputBenchmark.measureModuleCost(plain: "resnet50-w4", twin: "resnet50-w4-awconv", config: config,
                                                          engine: engine)
        XCTAssertTrue(r.trainRatio.isFinite && r.trainRatio > 0 && r.inferRatio.isFinite && r.inferRatio > 0, "\(r)")
        XCTAssertGreaterThanOrEqual(r.trainPairs, 6); XCTAssertGreaterThanOrEqual(r.inferPairs, 10)
    }

    func testRatiosAndDefinitionCheckAgainstAPeerRecord() throws {
        let r = try ThroughputBenchmark.measureModel("resnet20", config: config, engine: engine)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let peerLine = #"{"kind": "model", "model": "resnet20", "params": \#(r.params), "macs": \#(r.macs), "train_img_s": 10.0, "infer_img_s": 40.0, "peak_rss_mb": 300.0}"#
        let peer = try decoder.decode(PeerRecord.self, from: Data(peerLine.utf8))
        let row = ModelComparison(ours: r, peer: peer)
        XCTAssertEqual(row.definitionsMatch, true)
        let obj = try parse(BenchReport.jsonLine(row))
        XCTAssertEqual(try XCTUnwrap(obj["train_ratio"] as? Double), r.trainImgS / 10, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(obj["infer_ratio"] as? Double), r.inferImgS / 40, accuracy: 1e-9)
        let other = try decoder.decode(PeerRecord.self, from: Data(peerLine.replacingOccurrences(of: "\"params\": \(r.params)", with: "\"params\": \(r.params + 1)").utf8))
        XCTAssertEqual(ModelComparison(ours: r, peer: other).definitionsMatch, false)
        XCTAssertTrue(BenchReport.modelTable([ModelComparison(ours: r, peer: other)]).contains("DEFINITIONS DIFFER"))
    }

    /// Alternated rounds: the row shown is a real round (the median-ratio one), the range spans all.
    func testRoundsKeepTheMedianRatioRoundAndTheRange() throws {
        let r = try ThroughputBenchmark.measureModel("resnet20", config: config, engine: engine)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        func round(peerTrain: Double) throws -> ModelComparison {
            let line = #"{"kind": "model", "model": "resnet20", "params": \#(r.params), "train_img_s": \#(peerTrain), "infer_img_s": 40.0}"#
            return ModelComparison(ours: r, peer: try decoder.decode(PeerRecord.self, from: Data(line.utf8)))
        }
        // ours / peer: r/10, r/40, r/20 → the median is the r/20 round.
        let row = BenchRounds.median([try round(peerTrain: 10), try round(peerTrain: 40), try round(peerTrain: 20)])
        XCTAssertEqual(row.peer?.trainImgS, 20)
        XCTAssertEqual(row.rounds, 3)
        let range = try XCTUnwrap(row.trainRatioRange)
        XCTAssertEqual(range.lowerBound, r.trainImgS / 40, accuracy: 1e-9)
        XCTAssertEqual(range.upperBound, r.trainImgS / 10, accuracy: 1e-9)
        let obj = try parse(BenchReport.jsonLine(row))
        XCTAssertEqual(obj["rounds"] as? Int, 3)
        XCTAssertEqual(try XCTUnwrap(obj["train_ratio_max"] as? Double), r.trainImgS / 10, accuracy: 1e-9)
        XCTAssertTrue(BenchReport.modelTable([row]).contains("range"))
        XCTAssertNil(try parse(BenchReport.jsonLine(ModelComparison(ours: r, peer: nil)))["rounds"], "one round: no range fields")
    }

    /// At batch 1 training has no number (NaN img/s: batch norm needs two values per channel), so
    /// every train ratio is NaN: the rounds still combine (this trapped on `NaN...NaN`), with no range.
    func testRoundsWithoutFiniteRatiosCombine() throws {
        var r = try ThroughputBenchmark.measureModel("resnet20", config: config, engine: engine)
        r.trainImgS = .nan
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let line = #"{"kind": "model", "model": "resnet20", "params": \#(r.params), "train_img_s": 10.0, "infer_img_s": 40.0}"#
        let round = ModelComparison(ours: r, peer: try decoder.decode(PeerRecord.self, from: Data(line.utf8)))
        let row = BenchRounds.median([round, round])
        XCTAssertNil(row.trainRatioRange)
        XCTAssertEqual(row.rounds, 2)
    }

    func testPairJSONHasPositiveATKDStep() throws {
        let r = try ThroughputBenchmark.measurePair(teacher: "wrn-16-2", student: "wrn-16-1", config: config, engine: engine)
        let obj = try parse(BenchReport.jsonLine(PairComparison(ours: r, peer: nil)))
        XCTAssertEqual(obj["teacher"] as? String, "wrn-16-2")
        XCTAssertEqual(obj["student"] as? String, "wrn-16-1")
        assertPositive(obj, ["atkd_step_img_s", "peak_rss_mb"])
    }

    /// Two atkd steps through TimingEngine + phase markers and through the plain engine, from the
    /// same initial weights: every parameter, buffer and logit must be bit-identical.
    func testTimingEngineAndPhaseMarkersChangeNoNumber() throws {
        func models() throws -> (any Model, any Model) {
            (try ThroughputBenchmark.makeModel("wrn-16-2", config), try ThroughputBenchmark.makeModel("wrn-16-1", config))
        }
        let batch = StepHarness.randomBatch(n: 4, input: 8, classes: 10, seed: 3)
        let (t0, s0) = try models()
        let plain = try StepHarness(model: s0, teacher: t0, objective: "atkd", batch: batch, engine: engine)
        let (t1, s1) = try models()
        let profile = KernelProfile()
        let timing = TimingEngine(inner: engine, profile: profile)
        let marked = try StepHarness(
            model: PhaseMarkedModel(s1, profile: profile, forwardPhase: "student forward", afterForward: "loss"),
            teacher: PhaseMarkedModel(t1, profile: profile, forwardPhase: "teacher forward", afterForward: "loss"),
            objective: "atkd", batch: batch, engine: timing)
        for _ in 0..<2 { try plain.step(); try marked.step() }
        XCTAssertEqual(s0.parameters.count, s1.parameters.count)
        for (a, b) in zip(s0.parameters, s1.parameters) {
            XCTAssertEqual(a.value.data, b.value.data, "parameter \(a.name) differs")
            XCTAssertEqual(a.grad.data, b.grad.data, "gradient of \(a.name) differs")
        }
        for (a, b) in zip(s0.buffers, s1.buffers) { XCTAssertEqual(a.value.data, b.value.data, "buffer \(a.name) differs") }
        let eval0 = s0.forward(batch.x, ForwardContext(engine: engine, training: false)).logits
        let eval1 = s1.forward(batch.x, ForwardContext(engine: timing, training: false)).logits
        XCTAssertEqual(eval0.data, eval1.data)
        let phases = Set(profile.entries.map(\.phase))
        XCTAssertEqual(phases, ["student forward", "teacher forward", "loss", "backward", "sgd"])
        XCTAssertTrue(profile.entries.contains { $0.phase == "teacher forward" && $0.op.hasPrefix("batchNormEval") })
        XCTAssertFalse(profile.entries.contains { $0.phase == "teacher forward" && $0.op.hasSuffix("Backward") })
    }

    func testConvolutionFLOPsAndShapeAreRecorded() throws {
        let profile = KernelProfile()
        let timing = TimingEngine(inner: engine, profile: profile)
        var rng = SeededRNG(seed: 1)
        let x = Tensor.randn([2, 3, 9, 9], rng: &rng), w = Tensor.randn([5, 3, 3, 3], rng: &rng)
        let cfg = ConvConfig(stride: 2, padding: 1)
        profile.phase = "forward"
        let y = timing.conv2d(x, weight: w, bias: nil, cfg)
        XCTAssertEqual(y.data, engine.conv2d(x, weight: w, bias: nil, cfg).data)
        let row = try XCTUnwrap(profile.entries.first)
        XCTAssertEqual(row.op, "conv2d")
        XCTAssertEqual(row.shape, "3x3 s2 3→5 9x9→5x5")
        XCTAssertEqual(row.flops, 2 * Double(2 * 5 * 5 * 5) * Double(3 * 3 * 3))
        XCTAssertEqual(row.calls, 1)
    }

    func testLayerProfileAccountsForTheStep() throws {
        let p = try LayerProfiler.profile(student: "resnet20", teacher: nil, config: config, engine: engine,
                                          steps: 1, warmup: 1, peakGflops: 234)
        XCTAssertGreaterThan(p.kernelSeconds, 0)
        XCTAssertLessThanOrEqual(p.kernelSeconds, p.stepSeconds * 1.001)
        XCTAssertEqual(p.entries.filter { $0.phase == "forward" && $0.op == "conv2d" }.reduce(0) { $0 + $1.calls }, 19,
                       "resnet20 has 19 convolutions")
        let text = p.text(top: 5)
        XCTAssertTrue(text.contains("forward / conv2d"), text)
        XCTAssertEqual(p.jsonLines().count, p.entries.count)
    }

    /// `--layers --inference`: the eval-mode forward alone — every row in the `inference` phase, the
    /// 19 convolutions each fused with its eval-mode batch norm, nothing in train mode, no backward.
    func testInferenceProfileIsTheEvalForward() throws {
        let p = try LayerProfiler.profileInference(model: "resnet20", config: config, engine: engine,
                                                   steps: 1, warmup: 1, peakGflops: 234)
        XCTAssertTrue(p.title.hasSuffix("(eval forward)"), p.title)
        XCTAssertEqual(Set(p.entries.map(\.phase)), ["inference"])
        XCTAssertEqual(p.entries.filter { $0.op.hasPrefix("conv2d") }.reduce(0) { $0 + $1.calls }, 19)
        XCTAssertTrue(p.entries.allSatisfy { !$0.op.contains("Train") && !$0.op.contains("Backward") },
                      "\(p.entries.map(\.op))")
        XCTAssertLessThanOrEqual(p.kernelSeconds, p.stepSeconds * 1.001)
    }

    func testPairProfileStepsTheObjectiveItIsGiven() throws {
        // FitNets' regressor runs in the loss phase; the atkd objective has no layer there.
        let fitnet = try LayerProfiler.profile(student: "resnet20", teacher: "resnet20", objective: "fitnet",
                                               config: config, engine: engine, steps: 1, warmup: 1, peakGflops: 234)
        XCTAssertTrue(fitnet.title.hasSuffix("(fitnet step)"), fitnet.title)
        XCTAssertGreaterThan(fitnet.entries.filter { $0.phase == "loss" && $0.op == "conv2d" }.count, 0)
        let atkd = try LayerProfiler.profile(student: "resnet20", teacher: "resnet20", config: config, engine: engine,
                                             steps: 1, warmup: 1, peakGflops: 234)
        XCTAssertTrue(atkd.title.hasSuffix("(atkd step)"), atkd.title)
        XCTAssertEqual(atkd.entries.filter { $0.phase == "loss" && $0.op == "conv2d" }.count, 0)
    }
}
