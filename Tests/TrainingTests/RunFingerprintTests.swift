// Run identity: a folder holding another run (other teacher, data, training settings, engine)
// is never resumed, skipped as finished, or rewritten — the error names what differs.

import XCTest
import Foundation
import TensorCore
import NN
import Models
import Objectives
import Training

final class RunFingerprintTests: XCTestCase {
    var root = ""
    override func setUp() { root = NSTemporaryDirectory() + "atkd-fingerprint-\(UUID().uuidString)" }
    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func teacher(seed: UInt64) throws -> any Model {
        var rng = SeededRNG(seed: seed)
        return try ModelZoo.make("resnet20-w4", classes: 4, input: 8, rng: &rng)
    }

    func makeRun(teacher: any Model, epochs: Int = 1, lr: Float = 0.05, data: SyntheticData = SyntheticData()) throws -> TrainingRun {
        var rng = SeededRNG(seed: 5)
        let model = try ModelZoo.make("resnet20-w4", classes: 4, input: 8, rng: &rng)
        var train = TrainSpec(epochs: epochs, lr: lr)
        train.batchSize = 16
        let engine = Session.makeEngine("fast", threads: 1)
        let objective = try ObjectiveFactory.make("kd", distill: DistillSpec(), train: train, engine: engine)
        return try TrainingRun(directory: "\(root)/kd-seed1", arm: "kd", seed: 1, train: train, model: model,
                               teacher: teacher, objective: objective, data: data, engine: engine,
                               reporter: ProgressReporter(quiet: true))
    }

    func testAnotherTeacherIsAnErrorNamingTheTeacherAndTheSameOneResumes() throws {
        let t1 = try teacher(seed: 1), t2 = try teacher(seed: 2)
        try makeRun(teacher: t1).run(resume: false)
        let recorded = try XCTUnwrap(RunFingerprint.load(directory: "\(root)/kd-seed1"))
        XCTAssertTrue(recorded.components["teacher"]?.hasPrefix("resnet20-w4 weights md5 ") ?? false)
        let final = try Data(contentsOf: URL(fileURLWithPath: "\(root)/kd-seed1/final.json"))

        XCTAssertThrowsError(try makeRun(teacher: t2).checkIdentity()) { e in
            let text = "\(e)"
            XCTAssertTrue(text.contains("teacher: resnet20-w4 weights md5"), text)
            XCTAssertTrue(text.contains("--fresh"), text)
        }
        XCTAssertThrowsError(try makeRun(teacher: t2).run(resume: true))
        XCTAssertThrowsError(try makeRun(teacher: t1, lr: 0.1).checkIdentity()) { e in
            XCTAssertTrue("\(e)".contains("training:"), "\(e)")
        }
        XCTAssertThrowsError(try makeRun(teacher: t1, data: SyntheticData(trainPerClass: 20)).checkIdentity()) { e in
            XCTAssertTrue("\(e)".contains("data:"), "\(e)")
        }
        XCTAssertNoThrow(try makeRun(teacher: t1).checkIdentity())
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(root)/kd-seed1/final.json")), final,
                       "a refused resume leaves the record alone")
        XCTAssertEqual(try RunFingerprint.load(directory: "\(root)/kd-seed1"), recorded)
    }

    func testTheRunnerNeitherSkipsNorRewritesAFinishedRunOfAnotherTeacher() throws {
        var spec = ExperimentSpec()
        spec.name = "identity"
        spec.teacher = NetworkSpec(model: "resnet20-w4", train: TrainSpec(epochs: 1, lr: 0.1))
        spec.student = NetworkSpec(model: "resnet20-w4", train: TrainSpec(epochs: 1, lr: 0.05))
        spec.student.train.batchSize = 16
        spec.arms = ["kd"]
        spec.dataset.resolution = 8
        var options = RunOptions()
        options.runsRoot = root
        options.quiet = true
        let runner = ExperimentRunner(spec: spec, data: SyntheticData(), engine: Session.makeEngine("fast", threads: 1),
                                      options: options)
        try runner.runStudent(arm: "kd", seed: 1, teacher: try teacher(seed: 1))
        let specPath = "\(root)/identity/kd-seed1/spec.json"
        let before = try Data(contentsOf: URL(fileURLWithPath: specPath))
        XCTAssertNoThrow(try runner.runStudent(arm: "kd", seed: 1, teacher: try teacher(seed: 1)), "same teacher: skipped as finished")
        XCTAssertThrowsError(try runner.runStudent(arm: "kd", seed: 1, teacher: try teacher(seed: 2))) { e in
            XCTAssertTrue("\(e)".contains("holds another run"), "\(e)")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: specPath)), before)
    }

    /// Distillation reads the teacher and never changes it: every weight and BN buffer is the same
    /// after a kd run (the teacher runs in eval mode, with no backward and no statistics update).
    func testTheTeacherIsUnchangedByADistillationRun() throws {
        let t = try teacher(seed: 1)
        let before = t.parameters.map(\.value) + t.buffers.map(\.value)
        try makeRun(teacher: t, epochs: 2).run(resume: false)
        XCTAssertEqual(t.parameters.map(\.value) + t.buffers.map(\.value), before)
    }
}
