// Finished runs carry the corruption suite when the spec asks (corruption_per_class), and the
// report's robustness table and generalisation verdict read it.

import XCTest
import Foundation
import TensorCore
import Datasets
import Models
import Objectives
import Training
import Reports

final class CorruptionsInRunsTests: XCTestCase {
    func provider() throws -> DatasetProvider {
        var rng = SeededRNG(seed: 4)
        func set(_ name: String, perClass: Int) throws -> ImageSet {
            let n = 3 * perClass
            return try ImageSet(name: name, channels: 3, height: 8, width: 8,
                                pixels: (0..<(n * 192)).map { _ in UInt8(rng.int(below: 256)) },
                                labels: (0..<n).map { $0 % 3 }, classNames: ["a", "b", "c"])
        }
        return try DatasetProvider(train: try set("train", perClass: 8), test: try set("test", perClass: 4),
                                   augmentation: .none, normalization: .cifar10, threads: 1)
    }

    func testRunsRecordTheSuiteAndTheReportReadsIt() throws {
        let root = NSTemporaryDirectory() + "atkd-corrupt-runs-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try provider()
        for arm in ["kd", "atkd"] {
            var rng = SeededRNG(seed: 5)
            let model = try ModelZoo.make("resnet8-w8", classes: 3, input: 8, rng: &rng)
            var train = TrainSpec(epochs: 1, lr: 0.05)
            train.batchSize = 8
            let engine = Session.makeEngine("fast", threads: 1)
            let run = try TrainingRun(directory: "\(root)/exp/\(arm)-seed1", arm: arm, seed: 1, train: train, model: model,
                                      teacher: nil, objective: try ObjectiveFactory.make("ce", distill: DistillSpec(), train: train,
                                                                                          engine: engine),
                                      data: data, engine: engine, reporter: ProgressReporter(quiet: true))
            run.corruptionPerClass = 2
            let summary = try run.run(resume: false)
            let report = try XCTUnwrap(summary.corruptions)
            XCTAssertEqual(report.images, 6)
            XCTAssertEqual(report.corruptions.count, 8)
            XCTAssertTrue(report.meanCorruptionAccuracy.isFinite)
        }
        let results = ExperimentResults.load(directory: "\(root)/exp")
        let section = ReportMarkdown.corruptionSection(results)
        XCTAssertTrue(section.contains("mCA %") && section.contains("| kd | 1 | 6 |"), section)
        let rule = ClaimRule(id: "X", experiments: ["exp"], comparison: .corruptionGainPositive(arm: "atkd", baseline: "kd"))
        let verdict = ClaimVerdicts.evaluate(rule, experiments: [results])
        XCTAssertTrue(verdict.ourValue.hasPrefix("mCA atkd − kd: "), verdict.ourValue)
        XCTAssertEqual(verdict.verdict, ClaimVerdicts.inconclusive, "one seed has no interval")
    }
}
