// The related-method arms in the trainer: each trains and logs its terms; the objectives' own
// parts (FitNets' regressor, CRD's heads and memory with its sampler) resume bit-identically,
// stay out of the student's checkpoint and count as training-only; the teacher cache serves them.

import XCTest
import Foundation
import TensorCore
import NN
import Models
import Objectives
import Training

final class RelatedMethodRunsTests: XCTestCase {
    var root = ""
    override func setUp() { root = NSTemporaryDirectory() + "atkd-related-\(UUID().uuidString)"; interruptRequested = 0 }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root); interruptRequested = 0 }

    /// 4 classes × 8 images of 8×8: 4 steps of 8 per epoch.
    let data = SyntheticData(classes: 4, size: 8, trainPerClass: 8, testPerClass: 2)
    lazy var teacher: any Model = {
        var rng = SeededRNG(seed: 9)
        return try! ModelZoo.make("wrn-10-2-w2", classes: 4, input: 8, rng: &rng)
    }()

    /// K = 16 negatives (of the 24 other-class images) keeps CRD's sampler on its distinct-draw path.
    var distill: DistillSpec {
        var d = DistillSpec()
        d.crdNegatives = 16
        return d
    }

    func makeRun(_ dir: String, arm: String, epochs: Int = 2) throws -> TrainingRun {
        var rng = SeededRNG(seed: 5)
        let model = try ModelZoo.make("wrn-10-1-w2", classes: 4, input: 8, rng: &rng)
        var train = TrainSpec(epochs: epochs, lr: 0.05)
        train.batchSize = 8
        let engine = Session.makeEngine("fast", threads: 2)
        let objective = try ObjectiveFactory.make(arm, distill: distill, train: train, engine: engine)
        return try TrainingRun(directory: "\(root)/\(dir)", arm: arm, seed: 1, train: train, model: model,
                               teacher: teacher, objective: objective, data: data, engine: engine,
                               reporter: ProgressReporter(quiet: true))
    }

    func tensors(_ dir: String, _ file: String) throws -> [String: Tensor] {
        try TensorArchive.read(from: "\(root)/\(dir)/\(file)").tensors
    }

    /// Names of the tensors of `file` that differ between run folders `a` and `b` (or exist in one only).
    func differing(_ a: String, _ b: String, _ file: String) throws -> [String] {
        let (x, y) = (try tensors(a, file), try tensors(b, file))
        return Set(x.keys).union(y.keys).filter { x[$0] != y[$0] }.sorted()
    }

    /// Interrupted after 3 of 8 steps (mid-epoch 1) and resumed in a new run object: the final model,
    /// the whole resumable state (regressor / heads, BN statistics, memory, Z, momentum) and the
    /// metrics equal an uninterrupted run's, bit for bit.
    func testFitNetAndCRDInterruptedAndResumedEqualUninterrupted() throws {
        for arm in ["fitnet", "crd"] {
            let full = try makeRun("\(arm)-full", arm: arm).run(resume: false)
            let first = try makeRun("\(arm)-cut", arm: arm)
            first.afterStep = { step in if step == 3 { interruptRequested = 1 } }
            XCTAssertThrowsError(try first.run(resume: false)) { e in
                guard case TrainingError.interrupted = e else { return XCTFail("\(arm): \(e)") }
            }
            interruptRequested = 0
            let mid = try tensors("\(arm)-cut", "state.atkd")
            XCTAssertTrue(mid.keys.contains { $0.hasPrefix("\(arm).") }, "\(arm): the checkpoint holds the objective's parts")
            let resumed = try makeRun("\(arm)-cut", arm: arm).run(resume: true)
            XCTAssertEqual(resumed.final, full.final, arm)
            XCTAssertEqual(try differing("\(arm)-cut", "\(arm)-full", "model.atkd"), [], arm)
            XCTAssertEqual(try differing("\(arm)-cut", "\(arm)-full", "state.atkd"), [], arm)
            let metrics = { (d: String) in
                try String(contentsOfFile: "\(self.root)/\(d)/metrics.tsv", encoding: .utf8).split(separator: "\n")
                    .map { $0.split(separator: "\t").prefix(5 + 2).joined(separator: "\t") }
            }
            XCTAssertEqual(try metrics("\(arm)-cut"), try metrics("\(arm)-full"), "\(arm): epoch, lr, losses, terms")
        }
    }

    /// Every related arm trains one epoch with finite losses and logs its terms; the objective's
    /// parts are in the resumable state, not in the student's model file, and `final.json` counts
    /// them as training-only (absent for the parameter-free arms).
    func testEveryRelatedArmTrainsAndRecordsItsTerms() throws {
        let expected: [String: [String]] = [
            "dkd": ["ce", "tckd", "nckd"], "rkd": ["ce", "rkd_distance", "rkd_angle"], "sp": ["ce", "sp"],
            "pkt": ["ce", "pkt"], "fitnet": ["ce", "hint"], "crd": ["ce", "crd"], "crdkd": ["ce", "crd", "kd"],
        ]
        for (arm, terms) in expected.sorted(by: { $0.key < $1.key }) {
            let run = try makeRun(arm, arm: arm, epochs: 1)
            let summary = try run.run(resume: false)
            let header = try String(contentsOfFile: "\(root)/\(arm)/metrics.tsv", encoding: .utf8).split(separator: "\n")[0]
            for t in terms { XCTAssertTrue(header.contains("loss_\(t)\t"), "\(arm): \(header)") }
            let parts = run.objective.parameterCount
            XCTAssertEqual(summary.trainingOnlyParams, parts > 0 ? parts : nil, arm)
            XCTAssertEqual(parts > 0, ["fitnet", "crd", "crdkd"].contains(arm), arm)
            let prefix = arm == "fitnet" ? "fitnet." : "crd."
            XCTAssertFalse(try tensors(arm, "model.atkd").keys.contains { $0.hasPrefix(prefix) }, arm)
            XCTAssertEqual(summary.params, run.model.parameterCount, arm)
            if parts > 0 {
                let state = try tensors(arm, "state.atkd")
                for p in run.objective.parameters {
                    XCTAssertEqual(state[p.name], p.value, "\(arm): \(p.name)")
                    XCTAssertNotNil(state["\(p.name).momentum"], "\(arm): \(p.name) is optimised by the student's SGD")
                }
                for b in run.objective.buffers { XCTAssertEqual(state[b.name], b.value, "\(arm): \(b.name)") }
            }
        }
    }

    /// One cache shared by kd and the related arms (as `ExperimentRunner` shares it per seed): each
    /// arm ends bit-identical to the same arm without a cache; entries grow to hold what later arms read.
    func testTeacherCacheServesTheRelatedArmsBitIdentically() throws {
        let cache = TeacherOutputCache(atOptions: ObjectiveFactory.atOptions(distill: distill))
        try assertCachedRunsEqualUncached(arms: ["kd", "dkd", "rkd", "sp", "fitnet", "crd"], cache: cache)
        // kd fills 4 entries; dkd and crd (embedding, after rkd) hit; rkd, sp (G_t), fitnet each recompute once per batch.
        XCTAssertEqual(cache.misses, 4 * 4)
        XCTAssertEqual(cache.hits, 2 * 4)
    }

    /// With `alsoKeep` = what the seed's arms read together (as `ExperimentRunner` sets it), the first
    /// arm's pass keeps the embedding and SP's G_t too, so rkd and sp hit where they recomputed above;
    /// fitnet still recomputes (raw taps are never kept ahead). Every arm stays bit-identical to its
    /// uncached run.
    func testTeacherCacheKeepsWhatTheSeedsLaterArmsReadFromTheFirstPass() throws {
        let arms = ["dkd", "rkd", "sp", "fitnet", "crd"]
        let cache = TeacherOutputCache(atOptions: ObjectiveFactory.atOptions(distill: distill))
        let engine = Session.makeEngine("fast", threads: 2)
        var train = TrainSpec(epochs: 1, lr: 0.05)
        train.batchSize = 8
        cache.alsoKeep = try ObjectiveFactory.teacherNeeds(ofArms: arms, distill: distill, train: train, engine: engine)
        XCTAssertEqual(cache.alsoKeep, TeacherNeeds(embedding: true, taps: [1], lastTapSimilarity: true))
        try assertCachedRunsEqualUncached(arms: arms, cache: cache)
        // dkd fills 4 entries with logits, embedding and SP's G_t; rkd, sp and crd hit; fitnet recomputes.
        XCTAssertEqual(cache.misses, 2 * 4)
        XCTAssertEqual(cache.hits, 3 * 4)
    }

    /// `alsoKeep` narrowed to the arms still to run, unit by unit, with `alsoKeepIsEverythingAhead`
    /// (as `ExperimentRunner` sets them):
    /// every arm stays bit-identical to its uncached run, the hits and misses are those of the
    /// seed-wide `alsoKeep`, and fitnet's recomputed entries no longer hold SP's G_t (N² Doubles a
    /// batch, made from the teacher's last tap) once sp has run.
    func testTeacherCacheKeepsOnlyWhatTheArmsStillToRunRead() throws {
        let arms = ["dkd", "sp", "fitnet", "crd"]
        let engine = Session.makeEngine("fast", threads: 2)
        var train = TrainSpec(epochs: 1, lr: 0.05)
        train.batchSize = 8
        let wide = TeacherOutputCache(atOptions: ObjectiveFactory.atOptions(distill: distill))
        wide.alsoKeep = try ObjectiveFactory.teacherNeeds(ofArms: arms, distill: distill, train: train, engine: engine)
        try assertCachedRunsEqualUncached(arms: arms, cache: wide)
        let narrow = TeacherOutputCache(atOptions: ObjectiveFactory.atOptions(distill: distill))
        narrow.alsoKeepIsEverythingAhead = true
        for (i, arm) in arms.enumerated() {
            narrow.alsoKeep = try ObjectiveFactory.teacherNeeds(ofArms: Array(arms[i...]), distill: distill, train: train,
                                                                engine: engine)
            try assertCachedRunsEqualUncached(arms: [arm], cache: narrow)
        }
        XCTAssertEqual(narrow.alsoKeep, TeacherNeeds(embedding: true))
        XCTAssertEqual(narrow.misses, wide.misses)
        XCTAssertEqual(narrow.hits, wide.hits)
        // 4 batches of 8: fitnet's replaced entries drop G_t's 8² Doubles each.
        XCTAssertEqual(narrow.bytes, wide.bytes - 4 * 8 * 8 * 8)
    }

    /// Each arm in turn, one epoch with `cache` and one without: the same final metrics and model bits.
    func assertCachedRunsEqualUncached(arms: [String], cache: TeacherOutputCache,
                                       file: StaticString = #filePath, line: UInt = #line) throws {
        for arm in arms {
            let plain = try makeRun("\(arm)-plain", arm: arm, epochs: 1).run(resume: false)
            let cachedRun = try makeRun("\(arm)-cached", arm: arm, epochs: 1)
            cachedRun.teacherCache = cache
            let cached = try cachedRun.run(resume: false)
            XCTAssertEqual(cached.final, plain.final, arm, file: file, line: line)
            XCTAssertEqual(try differing("\(arm)-cached", "\(arm)-plain", "model.atkd"), [], arm, file: file, line: line)
        }
    }
}
