// Golden fixtures from PyTorch (Fixtures/generators/losses.py) through the claim evaluators.

import XCTest
import TensorCore
import ReferenceEngine
import HintonKD
import ZagoruykoAT

final class LossFixturesTests: XCTestCase {
    let engine = ReferenceEngine()

    func check(_ evaluator: any FixtureEvaluator.Type, expectAtLeast minimum: Int,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let fixtures = try LossFixtureLoader.load(ops: evaluator.ops)
        XCTAssertGreaterThanOrEqual(fixtures.count, minimum, "fixtures found for \(evaluator.ops)", file: file, line: line)
        for f in fixtures {
            let got = try evaluator.evaluate(f.fixture, engine: engine)
            XCTAssertFalse(f.expected.isEmpty, f.file, file: file, line: line)
            assertMatchesFixture(got, f, file: file, line: line)
        }
    }

    func testKDLossFixtures() throws {
        try check(HintonKDFixtures.self, expectAtLeast: 8)
    }

    func testAttentionFixtures() throws {
        try check(ZagoruykoATFixtures.self, expectAtLeast: 12)
    }

    func testFixturesCoverTheRequiredCases() throws {
        let kd = try LossFixtureLoader.load(ops: ["kd_loss"])
        let temps = Set(kd.compactMap { try? $0.fixture.number("temperature") })
        XCTAssertEqual(temps, [1, 4, 20])
        let classes = Set(kd.compactMap { $0.fixture.inputs["student_logits"]?.shape[1] })
        XCTAssertEqual(classes, [10, 1000])
        let at = try LossFixtureLoader.load(ops: ["at_loss"])
        let directions = Set(at.compactMap { f -> String? in
            guard let s = f.fixture.inputs["student"], let t = f.fixture.inputs["teacher"] else { return nil }
            return s.shape[2] == t.shape[2] ? "equal" : s.shape[2] > t.shape[2] ? "student-larger" : "teacher-larger"
        })
        XCTAssertEqual(directions, ["equal", "student-larger", "teacher-larger"])
    }

    func testEvaluatorsRejectMalformedFixtures() {
        let bad = FixtureCase(name: "bad", op: "kd_loss", params: ["temperature": .number(4), "kd_weight": .number(1)],
                              inputs: [:], upstream: [:])
        XCTAssertThrowsError(try HintonKDFixtures.evaluate(bad, engine: engine)) { error in
            XCTAssertTrue("\(error)".contains("ce_weight"), "\(error)")
        }
        let mismatch = FixtureCase(name: "mismatch", op: "at_loss",
                                   params: ["beta": .number(1000), "p": .number(2), "resize": .string("none")],
                                   inputs: ["student": Tensor(zeros: [1, 1, 4, 4]), "teacher": Tensor(zeros: [1, 1, 2, 2])],
                                   upstream: [:])
        XCTAssertThrowsError(try ZagoruykoATFixtures.evaluate(mismatch, engine: engine)) { error in
            XCTAssertTrue("\(error)".contains("resize"), "\(error)")
        }
    }
}
