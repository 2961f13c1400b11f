// A sweep split into shards (a job array: `--teacher-only`, then `--shard i/n`) gives every unit
// the sequential run's numbers; a shard without a teacher is refused, naming what to run first.

import XCTest
import Foundation
import Training

final class ShardedSweepTests: XCTestCase {
    func runner(_ root: String) -> ExperimentRunner {
        tinyExperimentRunner(root, name: "sharded", arms: ["ce", "kd", "atkd"], seeds: [1, 2])
    }

    func testShardsReproduceTheSequentialUnits() throws {
        let root = NSTemporaryDirectory() + "atkd-shards-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sequential = try runner("\(root)/seq").runAll()
        XCTAssertThrowsError(try runner("\(root)/arr").runAll(shard: UnitShard(index: 0, count: 2), teacherLoadOnly: true)) {
            XCTAssertTrue("\($0)".contains("--teacher-only"), "\($0)")
        }
        _ = try runner("\(root)/arr").obtainTeacher()
        let a = try runner("\(root)/arr").runAll(shard: UnitShard(index: 0, count: 2), teacherLoadOnly: true)
        let b = try runner("\(root)/arr").runAll(shard: UnitShard(index: 1, count: 2), teacherLoadOnly: true)
        XCTAssertEqual(a.map { "\($0.arm)\($0.seed)" }, ["ce1", "atkd1", "kd2"])
        XCTAssertEqual(b.map { "\($0.arm)\($0.seed)" }, ["kd1", "ce2", "atkd2"])
        let sharded = runner("\(root)/arr").finishedSummaries()
        XCTAssertEqual(sharded.count, 6)
        for (s, p) in zip(sequential, sharded) {
            XCTAssertEqual("\(s.arm)\(s.seed)", "\(p.arm)\(p.seed)")
            XCTAssertEqual(s.final, p.final, "\(s.arm) seed \(s.seed)")
            XCTAssertEqual(s.bestTop1, p.bestTop1)
        }
        XCTAssertEqual(Set(sharded.compactMap { $0.labels["shard"] }), ["0/2", "1/2"])
    }
}
