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
            XCTAssertEqual(spec.name + ".json", name, "a spec's name names its run folder and should match its file")
        }
    }
}
