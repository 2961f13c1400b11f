// The validation split: a fixed, stratified hold-out of the training set; every epoch is
// evaluated on it, the test split only at the end.

import XCTest
import Foundation
import TensorCore
import Datasets
import Models
import Objectives
import Training

final class ValidationSplitTests: XCTestCase {
    func imageSet(labels: [Int]) throws -> ImageSet {
        // Pixel value = image index, so a held-out image can be recognised.
        try ImageSet(name: "toy", channels: 1, height: 1, width: 1, pixels: labels.indices.map { UInt8($0) },
                     labels: labels, classNames: ["a", "b", "c"])
    }

    func testHoldOutTakesTheLastImagesOfEachClassInFileOrder() throws {
        let set = try imageSet(labels: [0, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1, 2])
        let (rest, held) = try DatasetProvider.holdOut(set, lastPerClass: 2)
        // class 0 at 0, 2, 5, 8 → holds 5, 8; class 1 at 1, 4, 7, 10 → 7, 10; class 2 at 3, 6, 9, 11 → 9, 11.
        XCTAssertEqual(held.pixels, [5, 7, 8, 9, 10, 11])
        XCTAssertEqual(held.perClassCounts(), [2, 2, 2])
        XCTAssertEqual(rest.pixels, [0, 1, 2, 3, 4, 6])
        XCTAssertEqual(rest.labels, [0, 1, 0, 2, 1, 2])
        XCTAssertThrowsError(try DatasetProvider.holdOut(set, lastPerClass: 4)) { e in
            XCTAssertTrue("\(e)".contains("validation_per_class 4"), "\(e)")
        }
    }

    func testSpecRejectsNegativeValidationSize() {
        let json = Data(#"{"dataset": {"validation_per_class": -1}}"#.utf8)
        XCTAssertThrowsError(try SpecLoader.load(json, source: "s.json")) { e in
            XCTAssertTrue("\(e)".contains("dataset.validation_per_class"), "\(e)")
        }
    }

    func testEveryEpochOnValidationAndTheTestSplitOnlyAtTheEnd() throws {
        let root = NSTemporaryDirectory() + "atkd-validation-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = SyntheticData(trainPerClass: 16, testPerClass: 8, validationPerClass: 4)
        var rng = SeededRNG(seed: 5)
        let model = try ModelZoo.make("resnet20-w4", classes: data.classes, input: data.size, rng: &rng)
        var train = TrainSpec(epochs: 3, lr: 0.05)
        train.batchSize = 16
        let engine = Session.makeEngine("fast", threads: 2)
        let objective = try ObjectiveFactory.make("ce", distill: DistillSpec(), train: train, engine: engine)
        let run = try TrainingRun(directory: root, arm: "ce", seed: 1, train: train, model: model, teacher: nil,
                                  objective: objective, data: data, engine: engine, reporter: ProgressReporter(quiet: true))
        let summary = try run.run(resume: false)

        let lines = try String(contentsOfFile: "\(root)/metrics.tsv", encoding: .utf8).split(separator: "\n")
        let header = lines[0].split(separator: "\t").map(String.init)
        let rows = lines.dropFirst().map { $0.split(separator: "\t").map(String.init) }
        let val = header.firstIndex(of: "val_top1")!, test = header.firstIndex(of: "test_top1")!
        XCTAssertEqual(rows.count, 3)
        XCTAssertTrue(rows.allSatisfy { $0[val] != "nan" }, "validation every epoch")
        XCTAssertEqual(rows.map { $0[test] == "nan" }, [true, true, false], "test at the last epoch only")
        let validation = try XCTUnwrap(summary.validation)
        XCTAssertEqual(validation.count, data.classes * 4)
        XCTAssertEqual(summary.final.count, data.classes * 8)
        let best = rows.compactMap { Double($0[val]) }.max()!
        XCTAssertEqual(summary.bestTop1, best, accuracy: 1e-5, "best epoch chosen on validation")
    }
}

/// metrics.tsv: a plain header row; rows written under an older header are realigned by name.
final class MetricsHeaderTests: XCTestCase {
    func testHeaderRowsOfBothVersions() {
        XCTAssertEqual(MetricsHeader.columns(of: "epoch\tlr\ttest_top1"), ["epoch", "lr", "test_top1"])
        XCTAssertEqual(MetricsHeader.columns(of: "# epoch\tlr"), ["epoch", "lr"])
        XCTAssertNil(MetricsHeader.columns(of: "1\t0.1"))
        XCTAssertNil(MetricsHeader.columns(of: "# lr\tepoch"))
    }

    func testRowsUnderAnOlderHeaderMoveToTheirColumnsByName() {
        // A 0.5 file (no val_* columns) continued by 0.6: the old row must not shift under val_top1.
        let old = "# epoch\tloss_ce\ttest_top1\tepoch_seconds\n1\t1.6\t0.45\t214\n"
        let now = ["epoch", "loss_ce", "val_top1", "test_top1", "epoch_seconds"]
        XCTAssertEqual(MetricsHeader.rows(of: old, under: now), ["1\t1.6\tnan\t0.45\t214"])
        let same = "epoch\tloss_ce\tval_top1\ttest_top1\tepoch_seconds\n1\t1.6\tnan\t0.45\t214\n"
        XCTAssertEqual(MetricsHeader.rows(of: same, under: now), ["1\t1.6\tnan\t0.45\t214"])
    }
}
