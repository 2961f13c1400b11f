// Campaign status: done, running and missing units, and the cost of the rest from measured epochs.

import XCTest
import Foundation
import Reports
import Training

final class CampaignStatusTests: XCTestCase {
    func testUnitsAndTheCostOfTheRest() throws {
        let root = NSTemporaryDirectory() + "atkd-status-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        var spec = SyntheticRuns.spec(name: "camp", arms: ["ce", "kd"], seeds: [1, 2])
        spec.teacher.train.epochs = 10
        spec.student.train.epochs = 3
        let dir = "\(root)/camp"
        // Teacher 4 of 10 epochs at 2.5 s each (SyntheticRuns writes epoch_seconds 2.5).
        try SyntheticRuns.writeMetrics(to: "\(dir)/teacher", arm: "teacher", testTop1: [0.1, 0.2, 0.3, 0.4],
                                       trainLoss: [1, 1, 1, 1], trainTop1: [0, 0, 0, 0])
        // ce-seed1 1 of 3 epochs; ce-seed2 missing (borrows ce-seed1's 2.5 s); kd never measured.
        try SyntheticRuns.writeMetrics(to: "\(dir)/ce-seed1", arm: "ce", testTop1: [0.5], trainLoss: [1], trainTop1: [0])
        let units = CampaignStatus.units(of: spec, runsRoot: root, projectRoot: root)
        XCTAssertEqual(units.map(\.name), ["teacher", "ce-seed1", "kd-seed1", "ce-seed2", "kd-seed2"])
        XCTAssertEqual(try XCTUnwrap(units[0].remainingSeconds), 6 * 2.5, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(units[1].remainingSeconds), 2 * 2.5, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(units[3].remainingSeconds), 3 * 2.5, accuracy: 1e-9)
        XCTAssertFalse(units[3].measuredHere)
        XCTAssertNil(units[2].remainingSeconds)
        let table = CampaignStatus.table(units)
        XCTAssertTrue(table.contains("0 of 5 units done; measured cost of the rest: 0.01 h + 2 units not measured yet"), table)

        // A shipped teacher checkpoint counts as done.
        spec.teacher.checkpoint = "teacher.atkd"
        XCTAssertTrue(FileManager.default.createFile(atPath: "\(root)/teacher.atkd", contents: Data([1])))
        let shipped = CampaignStatus.units(of: spec, runsRoot: root, projectRoot: root)
        XCTAssertTrue(shipped[0].done)
        XCTAssertEqual(shipped[0].remainingSeconds, 0)

        // An epoch resumed mid-way measured only its tail: it is no epoch's cost. kd-seed1's one
        // epoch (2.5 s written) resumed at batch 300 of epoch 1: kd stays unmeasured.
        try SyntheticRuns.writeMetrics(to: "\(dir)/kd-seed1", arm: "kd", testTop1: [0.5], trainLoss: [1], trainTop1: [0])
        try Data(#"{"batch":300,"epoch":0,"event":"resume"}"#.utf8 + [10]).write(to: URL(fileURLWithPath: "\(dir)/kd-seed1/events.jsonl"))
        let resumed = CampaignStatus.units(of: spec, runsRoot: root, projectRoot: root)
        XCTAssertNil(resumed[2].secondsPerEpoch)
        XCTAssertNil(resumed[4].remainingSeconds)
        // A resume at an epoch boundary (batch 0) leaves the epoch whole.
        try Data(#"{"batch":0,"epoch":0,"event":"resume"}"#.utf8 + [10]).write(to: URL(fileURLWithPath: "\(dir)/kd-seed1/events.jsonl"))
        XCTAssertEqual(CampaignStatus.units(of: spec, runsRoot: root, projectRoot: root)[2].secondsPerEpoch, 2.5)
    }

    /// Folders of teacher outputs kept on disk are listed per seed with their bytes; experiments
    /// without any list nothing.
    func testTeacherOutputFoldersOnDiskAreListedWithTheirSize() throws {
        let root = NSTemporaryDirectory() + "atkd-status-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let folder = "\(root)/camp/teacher-outputs/seed3"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(count: 1_500).write(to: URL(fileURLWithPath: "\(folder)/e0-b0-n128.atkd"))
        try Data(count: 500).write(to: URL(fileURLWithPath: "\(folder)/identity.json"))
        try FileManager.default.createDirectory(atPath: "\(root)/other/ce-seed1", withIntermediateDirectories: true)
        let folders = CampaignStatus.teacherOutputFolders(experiments: ["camp", "other", "camp"], runsRoot: root)
        XCTAssertEqual(folders.map(\.path), [folder])
        XCTAssertEqual(folders.map(\.bytes), [2_000])
        XCTAssertEqual(CampaignStatus.teacherOutputLines(folders),
                       ["teacher outputs on disk: \(folder) 0.00 GB (removed when the seed's units finish)"])
        XCTAssertEqual(CampaignStatus.teacherOutputFolders(experiments: ["other"], runsRoot: root).count, 0)
    }

    /// A distillation arm never measured takes the median of the experiment's measured distillation
    /// units (`≈`), also those an add-on spec's units sit beside; CE never borrows from them.
    func testUnmeasuredDistillationArmsAreEstimatedFromOtherArms() throws {
        let root = NSTemporaryDirectory() + "atkd-status-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        var spec = SyntheticRuns.spec(name: "camp", arms: ["ce", "kd", "dkd"], seeds: [1])
        spec.student.train.epochs = 4
        spec.teacher.checkpoint = "teacher.atkd"
        // kd-seed1: 1 of 4 epochs at 2.5 s.
        try SyntheticRuns.writeMetrics(to: "\(root)/camp/kd-seed1", arm: "kd", testTop1: [0.5], trainLoss: [1], trainTop1: [0])
        XCTAssertTrue(FileManager.default.createFile(atPath: "\(root)/teacher.atkd", contents: Data([1])))
        let units = CampaignStatus.units(of: spec, runsRoot: root, projectRoot: root)
        XCTAssertEqual(units.map(\.name), ["teacher", "ce-seed1", "kd-seed1", "dkd-seed1"])
        XCTAssertNil(units[1].secondsPerEpoch, "ce borrows only from ce")
        XCTAssertFalse(units[2].estimatedFromOtherArms)
        XCTAssertTrue(units[3].estimatedFromOtherArms)
        XCTAssertEqual(try XCTUnwrap(units[3].remainingSeconds), 4 * 2.5, accuracy: 1e-9)
        let table = CampaignStatus.table(units)
        XCTAssertTrue(table.contains("≈2 "), table)
        XCTAssertTrue(table.contains("measured cost of the rest: 0.00 h + 0.00 h for 1 units estimated from other arms (≈)"
                                     + " + 1 units not measured yet (camp/ce-seed1)"), table)

        // An add-on spec with other arms under the same experiment name reads kd-seed1 beside it.
        let addOn = SyntheticRuns.spec(name: "camp", arms: ["rkd"], seeds: [1, 2])
        let extra = CampaignStatus.units(of: addOn, runsRoot: root, projectRoot: root)
        XCTAssertEqual(extra.filter(\.estimatedFromOtherArms).map(\.name), ["rkd-seed1", "rkd-seed2"])
        XCTAssertEqual(extra.last?.secondsPerEpoch, 2.5)
    }

    /// `atkd train --spec SPEC --name NAME` trains into NAME/teacher with SPEC's teacher epochs.
    func testATeacherTrainedOnItsOwnShowsItsProgress() throws {
        let root = NSTemporaryDirectory() + "atkd-status-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        var spec = SyntheticRuns.spec(name: "camp", arms: ["ce"], seeds: [1])
        spec.teacher.train.epochs = 10
        try SyntheticRuns.writeMetrics(to: "\(root)/control/teacher", arm: "teacher", testTop1: [0.1, 0.2],
                                       trainLoss: [1, 1], trainTop1: [0, 0])
        let unit = CampaignStatus.trainedUnit(name: "control", spec: spec, runsRoot: root)
        XCTAssertEqual(unit.experiment, "control")
        XCTAssertEqual(unit.epochsPlanned, 10)
        XCTAssertEqual(unit.epochsDone, 2)
        XCTAssertEqual(try XCTUnwrap(unit.remainingSeconds), 8 * 2.5, accuracy: 1e-9)
        XCTAssertNil(CampaignStatus.trainedUnit(name: "absent", spec: spec, runsRoot: root).remainingSeconds)
    }

    /// A unit in its first epoch: its cost from the steps logged since it started (steps.tsv's last
    /// epoch 0.25 written 50 s after the start event: 200 s an epoch, marked `*`); once it resumes,
    /// from the resume; under 2 % of an epoch: not measured.
    func testAnEpochInProgressIsMeasuredFromItsSteps() throws {
        let root = NSTemporaryDirectory() + "atkd-status-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        var spec = SyntheticRuns.spec(name: "camp", arms: ["ce"], seeds: [1])
        spec.student.train.epochs = 10
        let dir = "\(root)/camp/ce-seed1"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let fm = FileManager.default
        func write(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: URL(fileURLWithPath: "\(dir)/\(name)")) }
        try write("fingerprint.json", "{}")
        try write("events.jsonl", #"{"arm":"ce","event":"start","seed":1,"steps_per_epoch":400,"time":"2026-12-04T05:00:00Z"}"# + "\n")
        try write("steps.tsv", "step\tepoch\tlr\ttrain_loss\n50\t0.125\t0.01\t2.0\n100\t0.25\t0.01\t1.9\n")
        let iso = ISO8601DateFormatter()
        func stepsWritten(_ at: String) throws {
            try fm.setAttributes([.modificationDate: iso.date(from: at)!], ofItemAtPath: "\(dir)/steps.tsv")
        }
        try stepsWritten("2026-12-04T05:00:50Z")
        var unit = CampaignStatus.units(of: spec, runsRoot: root, projectRoot: root)[0]
        XCTAssertEqual(unit.status, "in progress (0/10 epochs)")
        XCTAssertEqual(try XCTUnwrap(unit.secondsPerEpoch), 200, accuracy: 1e-6)
        XCTAssertTrue(unit.fromEpochInProgress)
        XCTAssertEqual(try XCTUnwrap(unit.remainingSeconds), 10 * 200, accuracy: 1e-6)
        let table = CampaignStatus.table([unit])
        XCTAssertTrue(table.contains("*200"), table)
        XCTAssertTrue(table.contains("*: from the steps of the epoch in progress"), table)

        // Resumed at batch 100 of epoch 0 (epoch 0.25) at 06:00; steps to epoch 0.5 by 06:01:40: 400 s an epoch.
        try write("events.jsonl", #"{"arm":"ce","event":"start","seed":1,"steps_per_epoch":400,"time":"2026-12-04T05:00:00Z"}"# + "\n"
                  + #"{"batch":100,"epoch":0,"event":"resume","time":"2026-12-04T06:00:00Z"}"# + "\n")
        try write("steps.tsv", "step\tepoch\tlr\ttrain_loss\n100\t0.25\t0.01\t1.9\n200\t0.5\t0.01\t1.8\n")
        try stepsWritten("2026-12-04T06:01:40Z")
        unit = CampaignStatus.units(of: spec, runsRoot: root, projectRoot: root)[0]
        XCTAssertEqual(try XCTUnwrap(unit.secondsPerEpoch), 400, accuracy: 1e-6)

        // Just resumed (epoch 0.25 → 0.26): too little to go on.
        try write("steps.tsv", "step\tepoch\tlr\ttrain_loss\n104\t0.26\t0.01\t1.9\n")
        try stepsWritten("2026-12-04T06:00:05Z")
        unit = CampaignStatus.units(of: spec, runsRoot: root, projectRoot: root)[0]
        XCTAssertNil(unit.secondsPerEpoch)
        XCTAssertFalse(unit.fromEpochInProgress)
    }
}
