import XCTest
import Foundation
import TensorCore
import NN
import Models
import Objectives
import Training

final class TrainingRunTests: XCTestCase {
    var root = ""

    override func setUp() {
        root = NSTemporaryDirectory() + "atkd-training-\(UUID().uuidString)"
        interruptRequested = 0
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
        interruptRequested = 0
    }

    func makeRun(_ dir: String, data: DataProvider, epochs: Int = 3, arm: String = "ce",
                 teacher: (any Model)? = nil, lr: Float = 0.05) throws -> TrainingRun {
        var rng = SeededRNG(seed: 5)
        let model = try ModelZoo.make("resnet20", classes: data.classes, input: data.imageShape[1], rng: &rng)
        var train = TrainSpec(epochs: epochs, lr: lr)
        train.batchSize = 16
        let engine = Session.makeEngine("fast", threads: 2)
        let objective = try ObjectiveFactory.make(arm, distill: DistillSpec(), train: train, engine: engine)
        return try TrainingRun(directory: "\(root)/\(dir)", arm: arm, seed: 1, train: train, model: model,
                               teacher: teacher, objective: objective, data: data, engine: engine,
                               reporter: ProgressReporter(quiet: true))
    }

    func testLearnsSyntheticData() throws {
        let data = SyntheticData()
        let summary = try makeRun("learn", data: data, epochs: 4).run(resume: false)
        XCTAssertGreaterThan(summary.final.top1, 0.5, "4 classes: chance is 0.25")
        let rows = try String(contentsOfFile: "\(root)/learn/metrics.tsv", encoding: .utf8)
            .split(separator: "\n").filter { MetricsHeader.columns(of: $0) == nil }
        XCTAssertEqual(rows.count, 4)
        let loss = rows.map { Double($0.split(separator: "\t")[2])! }
        XCTAssertLessThan(loss.last!, loss.first!)
        XCTAssert(FileManager.default.fileExists(atPath: "\(root)/learn/model.atkd"))
        XCTAssertEqual(try RunSummary.load(path: "\(root)/learn/final.json"), summary)
    }

    func testSameSeedTwiceIsBitIdentical() throws {
        let data = SyntheticData()
        let a = try makeRun("a", data: data, epochs: 2).run(resume: false)
        let b = try makeRun("b", data: data, epochs: 2).run(resume: false)
        XCTAssertEqual(a.final, b.final)
        let wa = try TensorArchive.read(from: "\(root)/a/model.atkd").tensors
        let wb = try TensorArchive.read(from: "\(root)/b/model.atkd").tensors
        XCTAssertEqual(wa, wb)
    }

    func testInterruptedAndResumedEqualsUninterrupted() throws {
        let data = SyntheticData()
        let full = try makeRun("full", data: data, epochs: 3).run(resume: false)
        // Stop mid-epoch 2 (4 steps per epoch), as Ctrl-C does, then resume in a new process-like run.
        let first = try makeRun("cut", data: data, epochs: 3)
        first.afterStep = { step in if step == 6 { interruptRequested = 1 } }
        XCTAssertThrowsError(try first.run(resume: false)) { e in
            guard case TrainingError.interrupted = e else { return XCTFail("\(e)") }
        }
        interruptRequested = 0
        let resumed = try makeRun("cut", data: data, epochs: 3).run(resume: true)
        XCTAssertEqual(resumed.final, full.final)
        XCTAssertEqual(try TensorArchive.read(from: "\(root)/cut/model.atkd").tensors,
                       try TensorArchive.read(from: "\(root)/full/model.atkd").tensors)
        let rows = try String(contentsOfFile: "\(root)/cut/metrics.tsv", encoding: .utf8)
            .split(separator: "\n").filter { MetricsHeader.columns(of: $0) == nil }
        XCTAssertEqual(rows.map { $0.split(separator: "\t")[0] }, ["1", "2", "3"])
    }

    /// Ctrl-C during an epoch's evaluation: the epoch's steps are checkpointed, the evaluation is
    /// dropped, and the resumed run ends exactly as the uninterrupted one.
    func testInterruptDuringEvaluationCheckpointsAndResumesExactly() throws {
        let data = SyntheticData()
        let full = try makeRun("full", data: data, epochs: 2).run(resume: false)
        let interrupting = InterruptOnFirstEvaluation(data)
        let first = try makeRun("cut", data: interrupting, epochs: 2)
        XCTAssertThrowsError(try first.run(resume: false)) { e in
            guard case TrainingError.interrupted(let m) = e else { return XCTFail("\(e)") }
            XCTAssertTrue(m.contains("before its evaluation"), m)
        }
        interruptRequested = 0
        let resumed = try makeRun("cut", data: data, epochs: 2).run(resume: true)
        XCTAssertEqual(resumed.final, full.final)
        XCTAssertEqual(try TensorArchive.read(from: "\(root)/cut/model.atkd").tensors,
                       try TensorArchive.read(from: "\(root)/full/model.atkd").tensors)
    }

    func testNonFiniteLossStopsAndKeepsLastCheckpoint() throws {
        let data = SyntheticData()
        let run = try makeRun("nan", data: data, epochs: 3, lr: 1e30)
        XCTAssertThrowsError(try run.run(resume: false)) { e in
            guard case TrainingError.nonFinite(let m) = e else { return XCTFail("\(e)") }
            XCTAssert(m.contains("epoch"), m)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(root)/nan/final.json"))
    }

    /// The kd arm fills the cache, at and atkd only read it, and every arm ends bit-identical
    /// to the same arm run without a cache (so resuming with an empty cache is exact too).
    func testTeacherOutputCacheGivesTheSameNumbersAsRecomputing() throws {
        let data = SyntheticData()
        var rng = SeededRNG(seed: 9)
        let teacher = try ModelZoo.make("resnet20", classes: data.classes, input: data.size, rng: &rng)
        let cache = TeacherOutputCache(atOptions: ObjectiveFactory.atOptions(distill: DistillSpec()))
        for arm in ["kd", "at", "atkd"] {
            let plain = try makeRun("\(arm)-plain", data: data, epochs: 2, arm: arm, teacher: teacher).run(resume: false)
            let cachedRun = try makeRun("\(arm)-cached", data: data, epochs: 2, arm: arm, teacher: teacher)
            cachedRun.teacherCache = cache
            let cached = try cachedRun.run(resume: false)
            XCTAssertEqual(cached.final, plain.final, arm)
            XCTAssertEqual(try TensorArchive.read(from: "\(root)/\(arm)-cached/model.atkd").tensors,
                           try TensorArchive.read(from: "\(root)/\(arm)-plain/model.atkd").tensors, arm)
        }
        let steps = 2 * data.batchesPerEpoch(batchSize: 16)
        XCTAssertEqual(cache.misses, steps, "only the kd arm runs the teacher")
        XCTAssertEqual(cache.hits, 2 * steps, "at and atkd reuse every batch")
        XCTAssertNotNil(cache.testPredictions)
    }

    /// A cache that fills after a few batches stops adding (later arms recompute the rest) and
    /// still gives the uncached numbers; a zero-byte one keeps nothing.
    func testTeacherOutputCacheAtCapacityRecomputesWhatItCouldNotKeep() throws {
        let data = SyntheticData()
        var rng = SeededRNG(seed: 9)
        let teacher = try ModelZoo.make("resnet20", classes: data.classes, input: data.size, rng: &rng)
        let steps = 2 * data.batchesPerEpoch(batchSize: 16)
        let plain = try makeRun("atkd-plain", data: data, epochs: 2, arm: "atkd", teacher: teacher).run(resume: false)
        // One batch's logits and targets: find the size by filling an unbounded cache first.
        let probe = TeacherOutputCache(atOptions: ObjectiveFactory.atOptions(distill: DistillSpec()), capacityBytes: .max)
        let probeRun = try makeRun("kd-probe", data: data, epochs: 2, arm: "kd", teacher: teacher)
        probeRun.teacherCache = probe
        _ = try probeRun.run(resume: false)
        let perBatch = probe.bytes / steps
        for capacity in [0, 3 * perBatch + perBatch / 2] {
            let cache = TeacherOutputCache(atOptions: ObjectiveFactory.atOptions(distill: DistillSpec()), capacityBytes: capacity)
            for arm in ["kd", "atkd"] {
                let run = try makeRun("\(arm)-cap\(capacity)", data: data, epochs: 2, arm: arm, teacher: teacher)
                run.teacherCache = cache
                let summary = try run.run(resume: false)
                if arm == "atkd" { XCTAssertEqual(summary.final, plain.final, "capacity \(capacity)") }
            }
            XCTAssertLessThanOrEqual(cache.bytes, capacity)
            XCTAssert(capacity == 0 ? cache.entryCount == 0 : (1..<steps).contains(cache.entryCount), "\(cache.entryCount)")
            XCTAssertEqual(cache.hits, cache.entryCount, "capacity \(capacity): atkd reuses only the batches kept")
            XCTAssertEqual(cache.misses, 2 * steps - cache.entryCount)
        }
        let automatic = TeacherOutputCache.defaultCapacityBytes
        XCTAssert(automatic >= 1 << 20 && automatic <= 8 << 30, "\(automatic)")
    }

    func testDistillationArmsRunWithATeacher() throws {
        let data = SyntheticData()
        var rng = SeededRNG(seed: 9)
        let teacher = try ModelZoo.make("resnet20", classes: data.classes, input: data.size, rng: &rng)
        for arm in ["kd", "at", "atkd"] {
            let s = try makeRun(arm, data: data, epochs: 1, arm: arm, teacher: teacher).run(resume: false)
            XCTAssertNotNil(s.final.teacherAgreement, arm)
            let header = try String(contentsOfFile: "\(root)/\(arm)/metrics.tsv", encoding: .utf8)
                .split(separator: "\n")[0]
            XCTAssert(header.contains("loss_ce"), "\(arm): \(header)")
            XCTAssertEqual(header.contains("loss_kd"), arm.contains("kd"), "\(arm): \(header)")
            XCTAssertEqual(header.contains("loss_at"), arm.hasPrefix("at"), "\(arm): \(header)")
        }
    }
}

/// SyntheticData that raises the interrupt flag when the test split is first read (as Ctrl-C
/// arriving during an evaluation would).
final class InterruptOnFirstEvaluation: DataProvider {
    let inner: SyntheticData
    var fired = false
    init(_ inner: SyntheticData) { self.inner = inner }
    var classes: Int { inner.classes }
    var classNames: [String] { inner.classNames }
    var trainCount: Int { inner.trainCount }
    var testCount: Int { inner.testCount }
    var imageShape: [Int] { inner.imageShape }
    func batchesPerEpoch(batchSize: Int) -> Int { inner.batchesPerEpoch(batchSize: batchSize) }
    func trainBatches(seed: UInt64, epoch: Int, startBatch: Int, batchSize: Int) -> AnyIterator<LabeledBatch> {
        inner.trainBatches(seed: seed, epoch: epoch, startBatch: startBatch, batchSize: batchSize)
    }
    func testBatches(batchSize: Int) -> AnyIterator<LabeledBatch> {
        if !fired { fired = true; interruptRequested = 1 }
        return inner.testBatches(batchSize: batchSize)
    }
    var identity: String { inner.identity }
}
