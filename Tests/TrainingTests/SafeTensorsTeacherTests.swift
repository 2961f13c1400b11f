// A PyTorch-trained teacher (safetensors state_dict) in a distillation run, end to end.

import XCTest
import Foundation
import Training

final class SafeTensorsTeacherTests: XCTestCase {
    func testDistillationFromASafeTensorsTeacher() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/interop/wrn10_2_w16.safetensors").path
        let root = NSTemporaryDirectory() + "atkd-st-teacher-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        var spec = ExperimentSpec()
        spec.name = "st-teacher"
        spec.teacher = NetworkSpec(model: "wrn-10-2-w16", checkpoint: fixture, train: TrainSpec(epochs: 1, lr: 0.1))
        spec.student = NetworkSpec(model: "wrn-10-1-w8", train: TrainSpec(epochs: 1, lr: 0.05))
        spec.student.train.batchSize = 16
        spec.teacher.train.batchSize = 16
        spec.arms = ["kd", "atkd"]
        spec.dataset.resolution = 8
        var options = RunOptions()
        options.runsRoot = root
        options.quiet = true
        let runner = ExperimentRunner(spec: spec, data: SyntheticData(classes: 10, size: 8, trainPerClass: 4, testPerClass: 2),
                                      engine: Session.makeEngine("fast", threads: 1), options: options)
        let summaries = try runner.runAll()
        XCTAssertEqual(summaries.map(\.arm), ["kd", "atkd"])
        XCTAssertTrue(summaries.allSatisfy { $0.final.top1.isFinite })
        let teacher = try RunSummary.load(path: "\(root)/st-teacher/teacher/final.json")
        XCTAssertEqual(teacher.labels["reused_checkpoint"], fixture)
        XCTAssertEqual(teacher.model, "wrn-10-2-w16")
    }
}
