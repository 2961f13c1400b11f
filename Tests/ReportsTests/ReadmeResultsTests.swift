// The README's results table: written between its markers from the experiment summaries, and the
// committed README checked against the committed summaries (reports/runs), so the two cannot drift.

import Foundation
import XCTest
import Training
import Reports

final class ReadmeResultsTests: XCTestCase {
    func testSpliceReplacesOnlyTheTextBetweenTheMarkers() throws {
        let readme = "# Title\n\nbefore\n\(ReadmeResults.begin)\nold table\n\(ReadmeResults.end)\n\nafter\n"
        let spliced = try ReadmeResults.splice(readme, table: "| a |\n|---|\n| 1 |")
        XCTAssertEqual(spliced, "# Title\n\nbefore\n\(ReadmeResults.begin)\n| a |\n|---|\n| 1 |\n\(ReadmeResults.end)\n\nafter\n")
        XCTAssertEqual(try ReadmeResults.splice(spliced, table: "| a |\n|---|\n| 1 |"), spliced, "idempotent")
        XCTAssertThrowsError(try ReadmeResults.splice("# no markers\n", table: "x")) { e in
            XCTAssertTrue("\(e)".contains("no results markers"), "\(e)")
        }
    }

    /// Two seeds of kd and atkd: means ± std, the paired difference and the verdict on +2 points.
    func testRowsFromTheRunSummaries() throws {
        let scratch = try ScratchDir("readme")
        let dir = "\(scratch.path)/pair"
        try SyntheticRuns.writeSpec(SyntheticRuns.spec(name: "pair", arms: ["ce", "kd", "atkd"], seeds: [1, 2]), to: dir)
        try SyntheticRuns.teacher(dir, top1: 0.9)
        for (seed, kd, atkd) in [(1, 0.80, 0.83), (2, 0.82, 0.84)] {
            try SyntheticRuns.finishedRun(dir, arm: "kd", seed: seed, top1: kd, correct: [8, 8, 8])
            try SyntheticRuns.finishedRun(dir, arm: "atkd", seed: seed, top1: atkd, correct: [8, 8, 8])
        }
        try SyntheticRuns.finishedRun(dir, arm: "ce", seed: 1, top1: 0.7, correct: [7, 7, 7])
        let empty = "\(scratch.path)/teacher-only"
        try SyntheticRuns.writeSpec(SyntheticRuns.spec(name: "teacher-only", arms: ["kd"], seeds: [1]), to: empty)
        try SyntheticRuns.teacher(empty, top1: 0.5)
        let table = ReadmeResults.table([ExperimentResults.load(directory: dir), ExperimentResults.load(directory: empty)])
        let lines = table.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, "header, rule and one row (no finished arm: no row)\n\(table)")
        // kd 81 ± 1.41, atkd 83.5 ± 0.71; atkd − kd per seed +3, +2: +2.50 ± 0.71, t(0.975, 1) = 12.706.
        let row = lines[2]
        for cell in ["`pair`", "90.00", "70.00", "81.00 ± 1.41", "83.50 ± 0.71", "| — |", "1–2",
                     "+2.50 ± 0.71, CI [-3.85, +8.85]", "inconclusive (n = 2)"] {
            XCTAssertTrue(row.contains(cell), "missing \(cell) in \(row)")
        }
    }

    /// The committed README's table is the one `make report` writes from the committed summaries.
    func testTheCommittedReadmeMatchesTheCommittedRuns() throws {
        let (readme, experiments) = try ReportStructureTests.committed("README.md")
        let expected = try ReadmeResults.splice(readme, table: ReadmeResults.table(experiments))
        XCTAssertEqual(readme, expected, "README.md's results table differs from reports/runs: run `make report` and commit")
    }
}
