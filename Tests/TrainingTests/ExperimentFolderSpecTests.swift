// The experiment folder's spec.json names every unit in it: an add-on spec run under the same
// experiment name (issue 22's methods beside (a)'s arms) adds its arms and seeds to the record
// instead of replacing it.

import XCTest
import Foundation
import Training

final class ExperimentFolderSpecTests: XCTestCase {
    func runner(_ root: String, arms: [String], seeds: [Int], kdWeight: Float) -> ExperimentRunner {
        tinyExperimentRunner(root, name: "shared", arms: arms, seeds: seeds) { $0.distill.kdWeight = kdWeight }
    }

    func testAnAddOnSpecAddsItsArmsAndSeedsToTheFolderRecord() throws {
        let root = NSTemporaryDirectory() + "atkd-folder-spec-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try runner(root, arms: ["ce"], seeds: [1], kdWeight: 0.9).runAll()
        let addOn = runner(root, arms: ["kd", "ce"], seeds: [2, 1], kdWeight: 0.5)
        _ = try addOn.runAll()
        let recorded = try SpecLoader.load(path: "\(root)/shared/spec.json")
        XCTAssertEqual(recorded.arms, ["ce", "kd"])
        XCTAssertEqual(recorded.seeds, [1, 2])
        XCTAssertEqual(recorded.distill.kdWeight, 0.9, "the settings of the spec that made the folder")
        // Each unit records what it ran with.
        XCTAssertEqual(try SpecLoader.load(path: "\(root)/shared/kd-seed2/spec.json").distill.kdWeight, 0.5)
        // A spec of another experiment name is not merged.
        XCTAssertEqual(runner("\(root)/elsewhere", arms: ["kd"], seeds: [3], kdWeight: 0.5).folderSpec().arms, ["kd"])
    }
}
