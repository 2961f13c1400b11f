// The `precision` setting end to end: the spec refuses what cannot run, a bf16 engine names itself
// (so a bf16 run never resumes an fp32 folder or the reverse), and a bf16 run trains.

import XCTest
import Foundation
import TensorCore
import FastEngine
import NN
import Models
import Objectives
import Training

final class PrecisionRunTests: XCTestCase {
    var root = ""
    override func setUp() { root = NSTemporaryDirectory() + "atkd-precision-\(UUID().uuidString)" }
    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
        _ = Session.makeEngine("fast", threads: 1)  // back to fp32 for the tests after this one
    }

    func load(_ json: String) throws -> ExperimentSpec { try SpecLoader.load(Data(json.utf8), source: "test.json") }

    func testSpecRefusesUnknownPrecisionAndBF16OnTheReferenceEngine() throws {
        XCTAssertEqual(try load("{}").precision, "fp32")
        XCTAssertThrowsError(try load(#"{"precision": "fp16"}"#)) { XCTAssert("\($0)".contains("precision"), "\($0)") }
        XCTAssertThrowsError(try load(#"{"precision": "bf16", "engine": "reference"}"#)) {
            XCTAssert("\($0)".contains("fast engine only"), "\($0)")
        }
        XCTAssertThrowsError(try Session.makeEngine("reference", threads: 1, precision: .bf16))
    }

    /// On a CPU without AVX512_BF16 the error says so before any work, and the precision stays fp32.
    func testBF16WithoutTheInstructionIsAClearError() throws {
        XCTAssertThrowsError(try FastEngine.configurePrecision(.bf16, cpuHasBF16: false)) {
            XCTAssert("\($0)".contains("AVX512_BF16"), "\($0)")
        }
        XCTAssertEqual(FastEngine.precision, .fp32)
        if !BFloat16.available {
            XCTAssertThrowsError(try Session.makeEngine("fast", threads: 1, precision: .bf16))
        }
    }

    func makeRun(_ engine: any Kernels) throws -> TrainingRun {
        var rng = SeededRNG(seed: 5)
        let model = try ModelZoo.make("resnet20-w4", classes: 4, input: 8, rng: &rng)
        var train = TrainSpec(epochs: 2, lr: 0.05)
        train.batchSize = 16
        let objective = try ObjectiveFactory.make("ce", distill: DistillSpec(), train: train, engine: engine)
        return try TrainingRun(directory: "\(root)/ce-seed1", arm: "ce", seed: 1, train: train, model: model,
                               teacher: nil, objective: objective, data: SyntheticData(), engine: engine,
                               reporter: ProgressReporter(quiet: true))
    }

    /// bf16 products still learn: resnet20 memorises 16 random images (loss falls ≥ 10×, as
    /// `OverfitSmokeTests` asks of fp32).
    func testBF16OverfitsSixteenExamples() throws {
        try XCTSkipUnless(BFloat16.available, "this CPU has no AVX512_BF16")
        let (first, last) = try OverfitSmokeTests.overfit(engine: Session.makeEngine("fast", threads: 2, precision: .bf16),
                                                          steps: 150)
        XCTAssertGreaterThan(first / last, 10, "loss \(first) → \(last)")
    }

    /// A bf16 run trains (finite loss, above chance on the synthetic task), records `fast-bf16` (`fast-bf16-amx` on AMX) as its
    /// engine, and its folder is refused to an fp32 run (and the other way round), naming the engine.
    func testBF16RunTrainsAndIsItsOwnRun() throws {
        try XCTSkipUnless(BFloat16.available, "this CPU has no AVX512_BF16")
        let bf16 = try Session.makeEngine("fast", threads: 1, precision: .bf16)
        let bf16Name = bf16.name    // read now: the precision is process-wide, and the fp32 engine below resets it
        XCTAssertEqual(bf16Name, BFloat16.kernel == .amx ? "fast-bf16-amx" : "fast-bf16")
        let summary = try makeRun(bf16).run(resume: false)
        XCTAssert(summary.final.nll.isFinite)
        XCTAssertEqual(try RunFingerprint.load(directory: "\(root)/ce-seed1")?.components["engine"], bf16Name)
        let fp32 = Session.makeEngine("fast", threads: 1)
        XCTAssertEqual(fp32.name, "fast")
        XCTAssertThrowsError(try makeRun(fp32).run(resume: true)) { XCTAssert("\($0)".contains("engine: \(bf16Name) → fast"), "\($0)") }
    }
}
