import XCTest
import Foundation
import Training

/// Every committed experiment spec loads and validates (unknown keys, models and arms included).
final class ExperimentSpecsTests: XCTestCase {
    func testEveryCommittedSpecIsValid() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("experiments")
        let specs = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix("-baseline.json") }.sorted()
        XCTAssertGreaterThanOrEqual(specs.count, 9, "\(specs)")
        for name in specs {
            let spec = try Session.loadSpec(path: dir.appendingPathComponent(name).path)
            if spec.name + ".json" == name { continue }
            // An add-on spec (`<experiment>-<part>.json`) trains more arms into a committed experiment's
            // folder: it must name that experiment and share its teacher, student, schedule and seeds,
            // so its units pair by seed with the experiment's own.
            let base = spec.name + ".json"
            XCTAssertTrue(name.hasPrefix(spec.name + "-") && specs.contains(base),
                          "\(name): a spec's name names its run folder and should match its file (or an add-on's base)")
            guard specs.contains(base) else { continue }
            let parent = try Session.loadSpec(path: dir.appendingPathComponent(base).path)
            XCTAssertEqual(spec.teacher, parent.teacher, "\(name) and \(base) must share the teacher")
            XCTAssertEqual(spec.student, parent.student, "\(name) and \(base) must share the student and schedule")
            XCTAssertEqual(spec.seeds, parent.seeds, "\(name) and \(base) must share the seeds")
            XCTAssertEqual(spec.dataset, parent.dataset, "\(name) and \(base) must share the data")
            XCTAssertTrue(Set(spec.arms).isDisjoint(with: parent.arms), "\(name) must add arms, not retrain \(base)'s")
        }
    }
}
