import XCTest
import TensorCore
import Objectives
import Training

final class RegressionTests: XCTestCase {
    let recorded = ["ce": 60.0, "kd": 63.0, "at": 61.0, "atkd": 64.0]

    func baseline() -> RegressionBaseline {
        Regression.makeBaseline(spec: "s.json", seed: 1, threads: 2, recorded: recorded, repeatIdentical: true,
                                spreadRuns: [1: recorded, 2: ["ce": 61, "kd": 62, "at": 61, "atkd": 65],
                                             3: ["ce": 59, "kd": 64, "at": 60, "atkd": 63]],
                                commit: "abc")
    }

    func testDeltas() {
        XCTAssertEqual(Regression.deltas(of: recorded), ["kd-ce": 3, "at-ce": 1, "atkd-kd": 1])
    }

    func testTolerancesComeFromSeedSpread() {
        let b = baseline()
        // ce across seeds 60, 61, 59: sample std 1 → tolerance 2·1 = 2.
        XCTAssertEqual(b.spread.std["ce"]!, 1, accuracy: 1e-12)
        XCTAssertEqual(b.tolerance["ce"]!, 2, accuracy: 1e-12)
        // kd−ce across seeds 3, 1, 5: std 2 → tolerance 4.
        XCTAssertEqual(b.tolerance["kd-ce"]!, 4, accuracy: 1e-12)
        XCTAssertTrue(b.spread.sameSeedIdentical)
    }

    func testUnchangedPassesAndMovedDeltaFailsWithTable() {
        let b = baseline()
        XCTAssert(Regression.compare(recorded, with: b).allSatisfy(\.passed))
        var broken = recorded
        broken["at"] = 50     // e.g. a broken AT gradient
        let rows = Regression.compare(broken, with: b)
        let failed = rows.filter { !$0.passed }.map(\.name)
        XCTAssertEqual(Set(failed), ["at", "at-ce"])
        let table = Regression.table(rows)
        XCTAssert(table.contains("recorded") && table.contains("tolerance") && table.contains("FAIL"), table)
        XCTAssert(table.contains("-11.00"), table)
    }

    func testMissingArmFails() {
        var partial = recorded
        partial["atkd"] = nil
        XCTAssert(Regression.compare(partial, with: baseline()).contains { $0.name == "atkd" && !$0.passed })
    }

    func testFaultInjectionFlipsOnlyATTapGradients() throws {
        let engine = Session.makeEngine("reference", threads: 1)
        let inner = try ObjectiveFactory.make("atkd", distill: DistillSpec(), train: TrainSpec(), engine: engine)
        var rng = SeededRNG(seed: 3)
        let s = NetworkOutputs(logits: .randn([2, 3], rng: &rng), taps: [.randn([2, 4, 3, 3], rng: &rng)])
        let t = NetworkOutputs(logits: .randn([2, 3], rng: &rng), taps: [.randn([2, 4, 3, 3], rng: &rng)])
        let clean = inner.terms(student: s, teacher: t, labels: [0, 2])
        let flipped = FaultInjectedObjective(inner: inner, fault: "at-grad-flip").terms(student: s, teacher: t, labels: [0, 2])
        for (a, b) in zip(clean, flipped) {
            XCTAssertEqual(a.value, b.value)
            if a.name.hasPrefix("at") {
                XCTAssertEqual(b.dTaps[0]!.data, a.dTaps[0]!.data.map { -$0 })
            } else {
                XCTAssertEqual(a.dLogits?.data, b.dLogits?.data)
            }
        }
    }

    func testBaselineRoundTrip() throws {
        let path = NSTemporaryDirectory() + "baseline-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Regression.save(baseline(), to: path)
        XCTAssertEqual(try Regression.load(path), baseline())
    }
}

final class RegressionSubsetTests: XCTestCase {
    func testSubsetComparesOnlyItsArmsAndDeltas() {
        let recorded = ["ce": 60.0, "kd": 63.0, "at": 61.0, "atkd": 64.0]
        let b = Regression.makeBaseline(spec: "s", seed: 1, threads: 2, recorded: recorded, repeatIdentical: true,
                                        spreadRuns: [1: recorded], commit: "x")
        let rows = Regression.compare(["ce": 60, "at": 61], with: b, only: ["ce", "at"])
        XCTAssertEqual(rows.map(\.name), ["at", "ce", "at-ce"])
        XCTAssert(rows.allSatisfy(\.passed))
    }
}
