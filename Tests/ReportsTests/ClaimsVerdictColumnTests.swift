// paper/claims.md's verdict column for measured claims: written from the report's verdicts, and the
// committed claims.md checked against the committed summaries (reports/runs), so the two cannot drift.

import Foundation
import XCTest
import Training
import Reports

final class ClaimsVerdictColumnTests: XCTestCase {
    static let claims = """
        # Claims

        | id | claim | paper's number | verdict |
        |---|---|---|---|
        | `M-1` | AT beats CE | 7.93 | not yet measured |
        | `H-1` | a formula | — | formula verified |
        | `M-2` | KD beats CE | — | old text |

        After the table | with a pipe.
        """

    static let rules = [
        ClaimRule(id: "M-1", experiments: ["e"], comparison: .gainPositive(arm: "at", baseline: "ce")),
        ClaimRule(id: "M-2", experiments: ["missing"], comparison: .gainPositive(arm: "kd", baseline: "ce")),
    ]

    /// Two seeds of at and ce: M-1 gets the report's verdict and interval, M-2 (no runs) `not measured`
    /// with the reason; the hand-written row and every other line stay byte for byte.
    func testMeasuredRowsGetTheReportsVerdictAndOnlyThey() throws {
        let scratch = try ScratchDir("claims-column")
        let dir = "\(scratch.path)/e"
        try SyntheticRuns.writeSpec(SyntheticRuns.spec(name: "e", arms: ["ce", "at"], seeds: [1, 2]), to: dir)
        try SyntheticRuns.teacher(dir, top1: 0.9)
        for (seed, ce, at) in [(1, 0.80, 0.83), (2, 0.82, 0.84)] {
            try SyntheticRuns.finishedRun(dir, arm: "ce", seed: seed, top1: ce, correct: [8, 8, 8])
            try SyntheticRuns.finishedRun(dir, arm: "at", seed: seed, top1: at, correct: [8, 8, 8])
        }
        let entries = ClaimsFile.parse(Self.claims)
        let verdicts = ClaimVerdicts.table(claims: entries, experiments: [ExperimentResults.load(directory: dir)],
                                           rules: Self.rules)
        let out = try ClaimsVerdictColumn.rewrite(Self.claims, verdicts: verdicts, rules: Self.rules)
        let lines = out.components(separatedBy: "\n"), before = Self.claims.components(separatedBy: "\n")
        XCTAssertEqual(lines.count, before.count)
        for (i, (a, b)) in zip(lines, before).enumerated() where ![4, 6].contains(i) {
            XCTAssertEqual(a, b, "line \(i) changed")
        }
        // at − ce per seed +3, +2: +2.50 ± 0.71, t(0.975, 1) = 12.706 ⇒ CI [−3.85, +8.85]: inconclusive.
        let m1 = lines[4]
        XCTAssertTrue(m1.hasPrefix("| `M-1` | AT beats CE | 7.93 | **inconclusive**: at − ce: +2.50 ± 0.71"), m1)
        XCTAssertTrue(m1.contains("n = 2"), m1)
        XCTAssertTrue(m1.contains("experiment `e`"), m1)
        XCTAssertTrue(m1.hasSuffix(ClaimsVerdictColumn.mark + " |"), m1)
        XCTAssertTrue(lines[6].hasPrefix("| `M-2` | KD beats CE | — | **not measured**: no runs of `missing`"), lines[6])
        // Read back, the rewritten file gives the same verdicts and keeps the hand-written one.
        let reread = ClaimsFile.parse(out)
        XCTAssertEqual(reread.map(\.id), ["M-1", "H-1", "M-2"])
        XCTAssertEqual(reread[1].verdict, "formula verified")
        XCTAssertEqual(try ClaimsVerdictColumn.rewrite(out, verdicts: verdicts, rules: Self.rules), out, "idempotent")
    }

    func testAFileWithoutAClaimsTableIsAnError() {
        XCTAssertThrowsError(try ClaimsVerdictColumn.rewrite("# no table\n| a | b |\n", verdicts: [])) { e in
            XCTAssertTrue("\(e)".contains("no table with `id` and `verdict` columns"), "\(e)")
        }
    }

    /// The committed claims.md's measured verdicts are the ones `make report` writes from the committed summaries.
    func testTheCommittedClaimsMatchTheCommittedRuns() throws {
        let (text, experiments) = try ReportStructureTests.committed("paper/claims.md")
        let verdicts = ClaimVerdicts.table(claims: ClaimsFile.parse(text), experiments: experiments)
        let expected = try ClaimsVerdictColumn.rewrite(text, verdicts: verdicts)
        XCTAssertEqual(text, expected, "paper/claims.md's measured verdicts differ from reports/runs: run `make report` and commit")
    }
}
