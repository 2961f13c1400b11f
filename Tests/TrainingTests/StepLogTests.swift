// steps.tsv: rows within epochs that match metrics.tsv at each epoch's end, trained numbers
// unchanged by the log, and a resumed run that neither duplicates nor loses a row.

import XCTest
import Foundation
import TensorCore
import NN
import Models
import Objectives
import Training

final class StepLogTests: XCTestCase {
    var root = ""

    override func setUp() {
        root = NSTemporaryDirectory() + "atkd-steplog-\(UUID().uuidString)"
        interruptRequested = 0
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
        interruptRequested = 0
    }

    /// 4 classes × 40 images, batch 16: 10 steps per epoch, so a row every 2 steps (5 per epoch).
    let data = SyntheticData(trainPerClass: 40)

    func teacher() throws -> any Model {
        var rng = SeededRNG(seed: 9)
        return try ModelZoo.make("resnet20", classes: data.classes, input: data.size, rng: &rng)
    }

    func makeRun(_ dir: String, arm: String = "ce", teacher: (any Model)? = nil, epochs: Int = 3) throws -> TrainingRun {
        var rng = SeededRNG(seed: 5)
        let model = try ModelZoo.make("resnet20", classes: data.classes, input: data.size, rng: &rng)
        var train = TrainSpec(epochs: epochs, lr: 0.05)
        train.batchSize = 16
        let engine = Session.makeEngine("fast", threads: 2)
        let objective = try ObjectiveFactory.make(arm, distill: DistillSpec(), train: train, engine: engine)
        return try TrainingRun(directory: "\(root)/\(dir)", arm: arm, seed: 1, train: train, model: model,
                               teacher: objective.needsTeacher ? teacher : nil, objective: objective, data: data,
                               engine: engine, reporter: ProgressReporter(quiet: true))
    }

    func table(_ path: String) throws -> (header: [String], rows: [[String]]) {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        return (lines[0], Array(lines.dropFirst()))
    }

    func testRowsWithinEpochsEndOnTheEpochsMetricsRow() throws {
        _ = try makeRun("ce").run(resume: false)
        let (header, rows) = try table("\(root)/ce/steps.tsv")
        XCTAssertEqual(header, ["step", "epoch", "lr", "train_loss", "train_top1", "loss_ce"])
        XCTAssertEqual(rows.map { $0[0] }, (1...15).map { "\($0 * 2)" }, "a row every 2 of 10 steps per epoch")
        XCTAssertEqual(rows[0][1], "0.2")
        XCTAssertEqual(rows[4][1], "1")
        let metrics = try table("\(root)/ce/metrics.tsv")
        for (e, m) in metrics.rows.enumerated() {
            let last = rows[e * 5 + 4]
            for name in ["train_loss", "train_top1", "loss_ce"] {
                let a = Double(last[header.firstIndex(of: name)!])!, b = Double(m[metrics.header.firstIndex(of: name)!])!
                XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b)), "epoch \(e + 1) \(name)")
            }
        }
    }

    /// The step log reads the trainer's state and runs the student in eval mode on the probe images:
    /// weights and results must equal a run with the log off, bit for bit.
    func testTheLogLeavesTrainedNumbersUnchanged() throws {
        let t = try teacher()
        let logged = try makeRun("on", arm: "atkd", teacher: t, epochs: 2)
        let plain = try makeRun("off", arm: "atkd", teacher: t, epochs: 2)
        plain.stepLog.pointsPerEpoch = 0
        let a = try logged.run(resume: false), b = try plain.run(resume: false)
        XCTAssertEqual(a.final, b.final)
        XCTAssertEqual(try TensorArchive.read(from: "\(root)/on/model.atkd").tensors,
                       try TensorArchive.read(from: "\(root)/off/model.atkd").tensors)
        XCTAssertEqual(try String(contentsOfFile: "\(root)/on/metrics.tsv", encoding: .utf8)
                        .split(separator: "\n").map { $0.split(separator: "\t").dropLast(2) },
                       try String(contentsOfFile: "\(root)/off/metrics.tsv", encoding: .utf8)
                        .split(separator: "\n").map { $0.split(separator: "\t").dropLast(2) },
                       "metrics.tsv equal but for the timing columns")
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(root)/on/steps.tsv"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(root)/off/steps.tsv"))
    }

    func testATDistancePerTapOnlyWithATeacher() throws {
        _ = try makeRun("kd", arm: "kd", teacher: try teacher(), epochs: 1).run(resume: false)
        let (header, rows) = try table("\(root)/kd/steps.tsv")
        XCTAssertEqual(header, ["step", "epoch", "lr", "train_loss", "train_top1", "loss_ce", "loss_kd",
                                "at_distance.stage1", "at_distance.stage2", "at_distance.stage3"])
        for r in rows {
            for v in r[7...].map({ Double($0)! }) { XCTAssertTrue(v > 0 && v <= 2.0.squareRoot(), "\(r)") }
        }
        _ = try makeRun("ce", epochs: 1).run(resume: false)
        XCTAssertFalse(try table("\(root)/ce/steps.tsv").header.contains { $0.hasPrefix("at_distance") })
    }

    /// Interrupted mid-epoch, with a row written after the checkpoint and a torn line (as a kill
    /// between a row and the next checkpoint leaves them): the resumed file equals the uninterrupted one.
    func testResumeNeitherDuplicatesNorLosesRows() throws {
        let t = try teacher()
        _ = try makeRun("full", arm: "atkd", teacher: t).run(resume: false)
        let cut = try makeRun("cut", arm: "atkd", teacher: t)
        cut.afterStep = { step in if step == 13 { interruptRequested = 1 } }
        XCTAssertThrowsError(try cut.run(resume: false))
        interruptRequested = 0
        let path = "\(root)/cut/steps.tsv"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(try table(path).rows.last?[0], "12", "rows up to the checkpoint at step 13")
        text += "14\t1.4\t0.1\t9\t0.5\t1\t1\t1\t0.1\t0.1\t0.1\n16\t1.6\t0."
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        _ = try makeRun("cut", arm: "atkd", teacher: t).run(resume: true)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8),
                       try String(contentsOfFile: "\(root)/full/steps.tsv", encoding: .utf8))
        XCTAssertEqual(try table(path).rows.map { $0[0] }, (1...15).map { "\($0 * 2)" })
    }

    /// A fresh start in a folder with an older steps.tsv starts the file over.
    func testFreshStartReplacesAnOldLog() throws {
        try FileManager.default.createDirectory(atPath: "\(root)/ce", withIntermediateDirectories: true)
        try "step\tepoch\n99\t9\n".write(toFile: "\(root)/ce/steps.tsv", atomically: true, encoding: .utf8)
        _ = try makeRun("ce", epochs: 1).run(resume: false)
        XCTAssertEqual(try table("\(root)/ce/steps.tsv").rows.map { $0[0] }, ["2", "4", "6", "8", "10"])
    }
}
