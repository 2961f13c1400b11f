import Foundation
import XCTest
import Reports

final class RunRecordTests: XCTestCase {
    func load(_ dir: String) -> RunRecord {
        RunRecord.load(directory: dir, name: "kd-seed1", arm: "kd", seed: 1, plannedEpochs: 3)
    }

    func testFinishedRunReadsFinalJSON() throws {
        let s = try ScratchDir("rec")
        try SyntheticRuns.finishedRun(s.path, arm: "kd", seed: 1, top1: 0.8, correct: [7, 8, 9])
        let r = load("\(s.path)/kd-seed1")
        XCTAssertEqual(r.status, .finished)
        XCTAssertEqual(r.finalTop1, 0.8)
        XCTAssertEqual(r.summary?.final.teacherAgreement, 0.9)
        XCTAssertEqual(r.lastEvaluatedTop1?.epoch, 3)
        XCTAssertEqual(r.lastTrainTop1, 0.95)
    }

    func testMetricsWithoutFinalIsInProgress() throws {
        let s = try ScratchDir("rec")
        try SyntheticRuns.writeMetrics(to: "\(s.path)/kd-seed1", arm: "kd", testTop1: [0.4, nil], trainLoss: [2, 1], trainTop1: [0.3, 0.5])
        let r = load("\(s.path)/kd-seed1")
        XCTAssertEqual(r.status, .inProgress(epochs: 2, planned: 3))
        XCTAssertEqual(r.status.label, "in progress (2/3 epochs)")
        XCTAssertEqual(r.lastEvaluatedTop1?.value, 0.4)
        XCTAssertTrue(r.hasCurves)
    }

    /// A run within its first epoch has its fingerprint (and events, steps) but no metrics row yet:
    /// in progress at 0 epochs, not corrupt (the campaign's status showed "corrupt" for it).
    func testStartedRunWithoutMetricsIsInProgressAtZeroEpochs() throws {
        let s = try ScratchDir("rec")
        let dir = "\(s.path)/kd-seed1"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for f in ["fingerprint.json", "events.jsonl", "spec.json"] {
            try Data("{}\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/\(f)"))
        }
        XCTAssertEqual(load(dir).status, .inProgress(epochs: 0, planned: 3))
        try FileManager.default.removeItem(atPath: "\(dir)/fingerprint.json")
        if case .corrupt = load(dir).status {} else { XCTFail("no identity, no metrics: \(load(dir).status)") }
    }

    func testNonFiniteEventMeansDiverged() throws {
        let s = try ScratchDir("rec")
        let dir = "\(s.path)/kd-seed1"
        try SyntheticRuns.writeMetrics(to: dir, arm: "kd", testTop1: [0.4], trainLoss: [2], trainTop1: [0.3])
        let events = "{\"event\":\"start\"}\n{\"batch\":3,\"epoch\":2,\"event\":\"nonfinite\",\"term\":\"kd\"}\n"
        try Data(events.utf8).write(to: URL(fileURLWithPath: "\(dir)/events.jsonl"))
        let r = load(dir)
        XCTAssertEqual(r.status, .diverged("non-finite `kd` at epoch 2"))
        XCTAssertFalse(r.hasCurves)
    }

    func testNonFiniteLastLossWithoutEventIsDiverged() throws {
        let s = try ScratchDir("rec")
        try SyntheticRuns.writeMetrics(to: "\(s.path)/kd-seed1", arm: "kd", testTop1: [0.4, nil], trainLoss: [2, .nan], trainTop1: [0.3, 0.1])
        guard case .diverged = load("\(s.path)/kd-seed1").status else { return XCTFail("expected diverged") }
    }

    func testEmptyMissingAndUnreadableDirectories() throws {
        let s = try ScratchDir("rec")
        XCTAssertEqual(load("\(s.path)/nope").status, .missing)
        try FileManager.default.createDirectory(atPath: "\(s.path)/empty", withIntermediateDirectories: true)
        XCTAssertEqual(load("\(s.path)/empty").status, .corrupt("empty directory"))
        try FileManager.default.createDirectory(atPath: "\(s.path)/bad", withIntermediateDirectories: true)
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: "\(s.path)/bad/final.json"))
        guard case .corrupt(let why) = load("\(s.path)/bad").status else { return XCTFail("expected corrupt") }
        XCTAssertTrue(why.contains("final.json"), why)
        try FileManager.default.createDirectory(atPath: "\(s.path)/other", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: "\(s.path)/other/state.atkd"))
        guard case .corrupt(let why2) = load("\(s.path)/other").status else { return XCTFail("expected corrupt") }
        XCTAssertTrue(why2.contains("state.atkd"), why2)
    }
}
