// A reused teacher is evaluated once per (weights, data, engine, threads, corruption subset); later
// experiments read the cached evaluation, from the runs folder or shipped beside the checkpoint.

import XCTest
import Foundation
import Training

final class TeacherEvaluationCacheTests: XCTestCase {
    func testSecondExperimentReadsTheCachedEvaluationAndAnotherKeyDoesNot() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/interop/wrn10_2_w16.safetensors").path
        let root = NSTemporaryDirectory() + "atkd-teacher-eval-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: "\(root)/teachers", withIntermediateDirectories: true)
        let checkpoint = "\(root)/teachers/t.safetensors"
        try FileManager.default.copyItem(atPath: fixture, toPath: checkpoint)

        func teacherSummary(experiment: String, runs: String, threads: Int) throws -> RunSummary {
            var spec = ExperimentSpec()
            spec.name = experiment
            spec.teacher = NetworkSpec(model: "wrn-10-2-w16", checkpoint: checkpoint, train: TrainSpec(epochs: 1, lr: 0.1))
            spec.student = NetworkSpec(model: "wrn-10-1-w8", train: TrainSpec(epochs: 1, lr: 0.05))
            spec.dataset.resolution = 8
            spec.teacher.train.batchSize = 16
            spec.student.train.batchSize = 16
            var options = RunOptions()
            options.runsRoot = runs
            options.quiet = true
            let runner = ExperimentRunner(spec: spec, data: SyntheticData(classes: 10, size: 8, trainPerClass: 4, testPerClass: 3),
                                          engine: Session.makeEngine("fast", threads: threads), options: options)
            _ = try runner.obtainTeacher()
            return try RunSummary.load(path: "\(runs)/\(experiment)/teacher/final.json")
        }
        let first = try teacherSummary(experiment: "a", runs: "\(root)/runs", threads: 1)
        XCTAssertNil(first.labels["evaluation"], "the first experiment evaluates")
        let local = TeacherEvaluationCache.localPath(for: checkpoint, runsRoot: "\(root)/runs")
        XCTAssertTrue(FileManager.default.fileExists(atPath: local))
        XCTAssertFalse(FileManager.default.fileExists(atPath: TeacherEvaluationCache.shippedPath(for: checkpoint)),
                       "runs never write beside the (tracked) checkpoint")

        let second = try teacherSummary(experiment: "b", runs: "\(root)/runs", threads: 1)
        XCTAssertEqual(second.labels["evaluation"], "cached in \(local)")
        XCTAssertEqual(second.labels["experiment"], "b")
        XCTAssertEqual(second.final, first.final)

        let otherThreads = try teacherSummary(experiment: "c", runs: "\(root)/runs", threads: 2)
        XCTAssertNil(otherThreads.labels["evaluation"], "another thread count is another key")

        // Shipped: the runs folder's file copied beside the checkpoint serves a fresh runs folder.
        try FileManager.default.copyItem(atPath: local, toPath: TeacherEvaluationCache.shippedPath(for: checkpoint))
        let shipped = try teacherSummary(experiment: "d", runs: "\(root)/fresh-runs", threads: 1)
        XCTAssertEqual(shipped.labels["evaluation"], "cached in \(TeacherEvaluationCache.shippedPath(for: checkpoint))")
        XCTAssertEqual(shipped.final, first.final)
    }
}
