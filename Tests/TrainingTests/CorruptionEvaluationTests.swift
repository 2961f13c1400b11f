// The corruption evaluation end to end on a tiny random model and a tiny synthetic
// ImageSet (the `make test` subset of `atkd eval --corruptions`).

import Datasets
import Foundation
import Models
import TensorCore
import Training
import XCTest

final class CorruptionEvaluationTests: XCTestCase {
    /// 4 classes × 6 images of 3×8×8: each class brightens one channel, plus noise.
    func syntheticProvider() throws -> DatasetProvider {
        var rng = SeededRNG(seed: 3)
        var px: [UInt8] = [], labels: [Int] = []
        for i in 0..<24 {
            labels.append(i % 4)
            for ch in 0..<3 {
                for _ in 0..<64 { px.append(UInt8((ch == i % 3 ? 160 : 50) + rng.int(below: 60))) }
            }
        }
        let set = try ImageSet(name: "synthetic", channels: 3, height: 8, width: 8, pixels: px, labels: labels,
                               classNames: ["c0", "c1", "c2", "c3"])
        return try DatasetProvider(train: set, test: set, augmentation: .none, normalization: .cifar10, threads: 1)
    }

    func testEndToEndOnATinyModel() throws {
        let start = Date()
        let data = try syntheticProvider()
        var rng = SeededRNG(seed: 1)
        let model = try ModelZoo.make("resnet20-w4", classes: 4, input: 8, rng: &rng)
        let engine = Session.makeEngine("fast", threads: 2)
        let options = CorruptionOptions(corruptions: Corruption.allCases, severities: [5, 1, 2, 3, 4], seed: 9,
                                        batchSize: 16, threads: 2)
        let report = try CorruptionEvaluation.run(model: model, name: "resnet20-w4", engine: engine, data: data,
                                                  options: options)
        XCTAssertEqual(report.images, 24)
        XCTAssertEqual(report.corruptions.map(\.corruption), Corruption.allCases.map(\.rawValue))
        for row in report.corruptions {
            XCTAssertEqual(row.severities.map(\.severity), [1, 2, 3, 4, 5], row.corruption)
            for p in row.severities {
                XCTAssertTrue((0...1).contains(p.top1) && (0...1).contains(p.ece) && p.nll.isFinite, "\(row.corruption) \(p)")
            }
        }
        // The clean point is the plain test-split evaluation.
        let plain = try CorruptionEvaluation.metrics(model: model, engine: engine, data: data, batchSize: 16)
        XCTAssertEqual(report.clean, CorruptionReport.Point(severity: 0, top1: plain.top1, ece: plain.ece, nll: plain.nll))
        let all = report.corruptions.flatMap(\.severities)
        XCTAssertEqual(all.count, Corruption.allCases.count * 5)
        XCTAssertEqual(report.meanCorruptionAccuracy, all.map(\.top1).reduce(0, +) / Double(all.count), accuracy: 1e-12)
        XCTAssertEqual(report.meanECEUnderShift, all.map(\.ece).reduce(0, +) / Double(all.count), accuracy: 1e-12)
        if plain.top1 > 0 {
            XCTAssertEqual(report.relativeRobustness, report.meanCorruptionAccuracy / plain.top1, accuracy: 1e-12)
        }

        // Deterministic: the same options give the same report.
        XCTAssertEqual(try CorruptionEvaluation.run(model: model, name: "resnet20-w4", engine: engine, data: data,
                                                    options: options), report)

        // JSON (as `atkd eval --corruptions --json` writes it) carries the means and decodes back.
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys]
        let json = try e.encode(report)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        XCTAssertEqual(object["mean_corruption_accuracy"] as? Double ?? -1, report.meanCorruptionAccuracy, accuracy: 1e-12)
        XCTAssertNotNil(object["mean_ece_under_shift"])
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        XCTAssertEqual(try d.decode(CorruptionReport.self, from: json), report)

        let table = report.table()
        for c in Corruption.allCases { XCTAssertTrue(table.contains(c.rawValue), c.rawValue) }
        XCTAssertTrue(table.contains("mCA"))

        // A subset: the first 2 test images per class, two corruptions, two severities.
        var quick = options
        quick.testPerClass = 2
        quick.corruptions = [.contrast, .gaussianNoise]
        quick.severities = [1, 5]
        let small = try CorruptionEvaluation.run(model: model, name: "resnet20-w4", engine: engine, data: data,
                                                 options: quick)
        XCTAssertEqual(small.images, 8)
        XCTAssertEqual(small.corruptions.map { $0.severities.map(\.severity) }, [[1, 5], [1, 5]])
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    func testRejectsSeveritiesOutsideOneToFive() throws {
        let data = try syntheticProvider()
        var rng = SeededRNG(seed: 1)
        let model = try ModelZoo.make("resnet20-w4", classes: 4, input: 8, rng: &rng)
        let options = CorruptionOptions(corruptions: [.contrast], severities: [1, 6])
        XCTAssertThrowsError(try CorruptionEvaluation.run(model: model, name: "m", engine: Session.makeEngine("fast", threads: 2),
                                                          data: data, options: options)) { error in
            XCTAssertTrue("\(error)".contains("severity 6"), "\(error)")
        }
    }
}
