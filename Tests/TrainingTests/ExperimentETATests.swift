import XCTest
import Training

final class ExperimentETATests: XCTestCase {
    func testUnknownUntilAUnitFinishesThenPerArmMeans() {
        var eta = ExperimentETA()
        XCTAssertNil(eta.remaining(["ce", "kd"]))
        XCTAssertEqual(eta.line(unit: 1, of: 4, arm: "ce", seed: 1, remaining: ["ce", "kd", "ce", "kd"]), "unit 1 of 4: ce seed 1")
        eta.finished(arm: "ce", wallSeconds: 600)
        eta.finished(arm: "ce", wallSeconds: 800)
        eta.finished(arm: "kd", wallSeconds: 0)           // not a measurement: ignored
        // kd unmeasured: guessed from the overall mean (700 s).
        XCTAssertEqual(eta.remaining(["ce", "kd"])?.seconds, 1400)
        XCTAssertEqual(eta.remaining(["ce", "kd"])?.fromOwnArm, false)
        eta.finished(arm: "kd", wallSeconds: 1000)
        XCTAssertEqual(eta.remaining(["kd", "ce", "kd"])?.seconds, 2700)   // 1000 + 700 + 1000
        XCTAssertEqual(eta.remaining(["kd"])?.fromOwnArm, true)
        XCTAssertEqual(eta.line(unit: 4, of: 6, arm: "kd", seed: 2, remaining: ["kd", "ce", "kd"]),
                       "unit 4 of 6: kd seed 2 — this and the 2 after it ≈ 45 min (measured per arm)")
        XCTAssertEqual(eta.line(unit: 1, of: 9, arm: "kd", seed: 1, remaining: Array(repeating: "kd", count: 9)),
                       "unit 1 of 9: kd seed 1 — this and the 8 after it ≈ 2.5 h (measured per arm)")
    }
}
