// What a reader relies on without checking: error bars exactly where two or more seeds stand
// behind a bar, one colour range per attention-map column, no placeholder cells in the tables,
// the verdict figure first, within-epoch curves and the AT distance from steps.tsv.

import Foundation
import XCTest
import Reports
import Training

final class ReportStructureTests: XCTestCase {
    /// Two experiments: `two-seeds` (ce, kd × seeds 1, 2; kd with steps.tsv) and `one-seed` (seed 1, a
    /// teacher reused from a checkpoint: no training time, no best epoch).
    func build(_ scratch: ScratchDir) throws -> (outcome: ReportOutcome, figures: String) {
        let two = "\(scratch.path)/runs/two-seeds"
        try SyntheticRuns.writeSpec(SyntheticRuns.spec(name: "two-seeds", arms: ["ce", "kd"], seeds: [1, 2]), to: two)
        try SyntheticRuns.teacher(two, top1: 0.9)
        try SyntheticRuns.finishedRun(two, arm: "ce", seed: 1, top1: 0.70, correct: [6, 7, 8], agreement: nil)
        try SyntheticRuns.finishedRun(two, arm: "ce", seed: 2, top1: 0.74, correct: [7, 7, 8], agreement: nil)
        try SyntheticRuns.finishedRun(two, arm: "kd", seed: 1, top1: 0.80, correct: [7, 8, 9])
        try SyntheticRuns.finishedRun(two, arm: "kd", seed: 2, top1: 0.84, correct: [8, 8, 9])
        for seed in [1, 2] { try SyntheticRuns.writeSteps(to: "\(two)/kd-seed\(seed)", shift: Double(seed) / 100) }
        let one = "\(scratch.path)/runs/one-seed"
        try SyntheticRuns.writeSpec(SyntheticRuns.spec(name: "one-seed", arms: ["ce", "kd"], seeds: [1]), to: one)
        try SyntheticRuns.writeFinal(to: "\(one)/teacher", arm: "teacher", seed: 0, top1: 0.9, perClass: [0.9, 0.9, 0.9],
                                     confusion: SyntheticRuns.confusion(correct: [9, 9, 9]), agreement: nil, best: 0.9,
                                     bestEpoch: 0, wallSeconds: 0)
        try SyntheticRuns.finishedRun(one, arm: "ce", seed: 1, top1: 0.70, correct: [6, 7, 8], agreement: nil)
        try SyntheticRuns.finishedRun(one, arm: "kd", seed: 1, top1: 0.80, correct: [7, 8, 9])
        for dir in [two, one] {
            try SyntheticRuns.checkpoint("\(dir)/teacher/model.atkd", seed: 1)
            for arm in ["ce", "kd"] { try SyntheticRuns.checkpoint("\(dir)/\(arm)-seed1/model.atkd", seed: 2) }
        }
        var o = ReportOptions()
        o.inputs = ["\(scratch.path)/runs"]
        o.outputDirectory = "\(scratch.path)/reports"
        o.claimsPath = "\(scratch.path)/claims.md"
        o.attentionImages = 2
        o.loadData = { _ in SyntheticData(images: 2) }
        o.log = { _ in }
        try Data("""
        | id | claim | paper's number | verdict |
        |---|---|---|---|
        | `PROPOSAL-ATKD-BEATS-KD-CIFAR10` | AT-KD 2–5 % above KD | +2 to +5 points | not yet measured |
        """.utf8).write(to: URL(fileURLWithPath: o.claimsPath))
        return (try ReportBuilder.build(o), "\(scratch.path)/reports/figures")
    }

    /// The accuracy panel of an experiment: from its `set title` to the next one.
    func panel(_ script: String, titled experiment: String) -> String {
        let parts = script.components(separatedBy: "set title \"")
        return parts.first { $0.hasPrefix(experiment + " (") } ?? ""
    }

    /// Every arm against KD (and AT+KD where the experiment has it), paired by seed: ce − kd is −10
    /// points on both seeds here (70/74 % against 80/84 %), so std 0 and a degenerate interval.
    func testEveryMethodIsPairedAgainstTheBaselines() throws {
        let scratch = try ScratchDir("paired")
        _ = try build(scratch)
        let report = readText("\(scratch.path)/reports/REPORT.md")
        let section = report.components(separatedBy: "### Every method against KD and AT+KD")
        XCTAssertEqual(section.count, 3, "one table per experiment with kd")
        let tables = section.dropFirst().map { $0.components(separatedBy: "\n## ")[0] }
        XCTAssertTrue(tables.contains { $0.contains("-10.00 ± 0.00 points, 95 % CI [-10.00, -10.00], n = 2 | — |") }, "\(tables)")
        XCTAssertTrue(tables.contains { $0.contains("| ce | seed 1 finished | -10.00 points, n = 1, no interval | — |") }, "\(tables)")
        XCTAssertTrue(tables.allSatisfy { $0.contains("finished | — | — |") }, "kd against itself is empty: \(tables)")
    }

    func testErrorBarsExactlyWhereTwoOrMoreSeeds() throws {
        let scratch = try ScratchDir("bars")
        let (_, figures) = try build(scratch)
        let accuracy = readText("\(figures)/accuracy.gp")
        let two = panel(accuracy, titled: "two-seeds"), one = panel(accuracy, titled: "one-seed")
        XCTAssertTrue(two.contains("with boxerrorbars"), two)
        XCTAssertTrue(two.contains("mean ± std over up to 2 seeds"), two)
        XCTAssertFalse(one.contains("errorbars"), one)
        XCTAssertTrue(one.contains("one seed: no error bars"), one)

        // Footprint: the error-bar series draws only rows with a spread (std 0 for one seed).
        let footprint = readText("\(figures)/footprint.dat")
        XCTAssertTrue(footprint.contains("\"kd\"\t272474\t40000000\t3.5\t82\t2.82843\t"), footprint)
        XCTAssertTrue(footprint.contains("\"kd\"\t272474\t40000000\t3.5\t80\t0\t"), footprint)
        XCTAssertTrue(readText("\(figures)/footprint.gp").contains("using 2:5:($6 > 0 ? $6 : NaN) with yerrorbars"))

        // Curves: a ±std band for the two-seed arms only.
        let twoCurves = readText("\(figures)/curves-two-seeds.gp"), oneCurves = readText("\(figures)/curves-one-seed.gp")
        XCTAssertTrue(twoCurves.contains("with filledcurves"), twoCurves)
        XCTAssertFalse(oneCurves.contains("with filledcurves"), oneCurves)
    }

    func testAttentionPanelsOfAColumnShareOneColourRange() throws {
        let scratch = try ScratchDir("colour")
        let (_, figures) = try build(scratch)
        let script = readText("\(figures)/attention-two-seeds-img0.gp")
        let data = try AttentionMaps.decode(readText("\(figures)/attention-two-seeds.dat"), file: "attention").panels
        // `# panel row=<model> col=<tap>` then, for a map, its `set cbrange [0:<top>]`.
        var ranges: [String: Set<String>] = [:], rows: [String: Set<String>] = [:]
        let lines = script.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        for (i, line) in lines.enumerated() where line.hasPrefix("# panel row=") {
            let fields = line.dropFirst("# panel ".count).split(separator: " ")
            let row = String(fields[0].dropFirst(4)), col = String(fields[1].dropFirst(4))
            guard col != "input", let range = lines[(i + 1)...].first(where: { $0.hasPrefix("set cbrange") }) else { continue }
            ranges[col, default: []].insert(range)
            rows[col, default: []].insert(row)
        }
        XCTAssertEqual(Set(ranges.keys), ["stage1", "stage2", "stage3"])
        for (tap, set) in ranges {
            XCTAssertEqual(set.count, 1, "\(tap): \(set)")
            XCTAssertEqual(rows[tap], ["teacher", "ce", "kd"], tap)
            let top = Double(set.first!.split(separator: ":").last!.dropLast())!
            let largest = data.filter { $0.tap == tap && $0.image == 0 }.flatMap(\.values).max()!
            XCTAssertGreaterThanOrEqual(top, Double(largest), "\(tap): the range holds every value")
            XCTAssertLessThan(top, Double(largest) * 1.01, "\(tap): and not much more")
        }
        XCTAssertEqual(script.components(separatedBy: "set colorbox user").count - 1, 3, "one colour bar per tap column")
        XCTAssertEqual(script.components(separatedBy: "with rgbimage").count - 1, 3, "the input image first in each row")
        XCTAssertEqual(script.components(separatedBy: "\"d = ").count - 1, 2 * 3, "a distance under each student map")
    }

    func testTablesHoldNoPlaceholders() throws {
        let scratch = try ScratchDir("cells")
        let (outcome, _) = try build(scratch)
        assertNoPlaceholders(readText(outcome.reportPath))
        // The reused teacher (no best epoch, no training time): dashes, not `0` and `0.0 s`.
        let teacherRow = readText(outcome.reportPath).components(separatedBy: "\n")
            .first { $0.hasPrefix("| teacher `resnet20`") && $0.contains("| 90.00 | 100.00 | 90.00 | — |") }
        XCTAssertNotNil(teacherRow, "the reused teacher's best epoch is a dash")
        // The committed report too.
        let committed = ReportStructureTests.packageRoot.appendingPathComponent("reports/REPORT.md").path
        if FileManager.default.fileExists(atPath: committed) { assertNoPlaceholders(readText(committed)) }
    }

    func assertNoPlaceholders(_ report: String, file: StaticString = #filePath, line: UInt = #line) {
        for row in report.components(separatedBy: "\n") where row.hasPrefix("|") {
            for bad in ["NaN", "nan", "| 0.0 s |", "inf |"] {
                XCTAssertFalse(row.contains(bad), "`\(bad)` in \(row)", file: file, line: line)
            }
            XCTAssertNil(row.range(of: #"\| [0-9]+\.0 \|"#, options: .regularExpression), "an epoch printed as a float: \(row)",
                         file: file, line: line)
        }
    }

    /// In the committed README and REPORT.md (a synthetic report's order: `ReportBuilderTests`).
    func testTheVerdictFigureComesFirst() throws {
        let root = ReportStructureTests.packageRoot
        for (file, image) in [("README.md", "reports/figures/verdicts.png"), ("reports/REPORT.md", "figures/verdicts.png")] {
            let path = root.appendingPathComponent(file).path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            XCTAssertEqual(firstImage(readText(path)), image, file)
        }
    }

    func firstImage(_ markdown: String) -> String {
        guard let r = markdown.range(of: #"!\[[^\]]*\]\(([^)]+)\)"#, options: .regularExpression) else { return "" }
        let s = markdown[r]
        return String(s[s.index(after: s.firstIndex(of: "(")!)..<s.index(before: s.endIndex)])
    }

    func testCurvesWithinEpochsAndTheATDistanceComeFromSteps() throws {
        let scratch = try ScratchDir("steps")
        let (outcome, figures) = try build(scratch)
        XCTAssertTrue(outcome.figures.contains("atdistance-two-seeds"))
        XCTAssertFalse(outcome.figures.contains("atdistance-one-seed"))
        let curves = readText("\(figures)/curves-two-seeds.dat")
        // kd's steps: epoch 1 rows at 2 and 4 of 4 steps with running loss 2.0 + shift, then 1.5 + shift:
        // the second window's mean is (1.5·4 − 2·2)/2 = 1 (+ shift); seeds 1 and 2 shift by 0.01 and 0.02.
        XCTAssertTrue(curves.contains("0.5\t2\t"), curves)
        XCTAssertTrue(curves.contains("\t1.015\t0.00707107\t"), curves)
        let distance = readText("\(figures)/atdistance-two-seeds.dat")
        XCTAssertTrue(distance.contains("# arm: kd"), distance)
        XCTAssertTrue(distance.contains("1\t2\t0.415\t0.00707107\t0.215\t0.00707107"), distance)
        XCTAssertTrue(readText(outcome.reportPath).contains("![two-seeds: AT distance to the teacher per tap during training]"))
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The committed file at `path` (relative to the package root) and the experiments of the committed
    /// summaries (reports/runs), as `make report` on a fresh clone reads them; skips when either is missing.
    static func committed(_ path: String) throws -> (text: String, experiments: [ExperimentResults]) {
        let root = packageRoot.path, archive = "\(root)/reports/runs"
        guard FileManager.default.fileExists(atPath: archive),
              let text = FileManager.default.contents(atPath: "\(root)/\(path)").flatMap({ String(data: $0, encoding: .utf8) })
        else { throw XCTSkip("no committed reports/runs or \(path)") }
        let dirs = ExperimentLocator.expand([], roots: [archive]).directories
        return (text, ExperimentLocator.choose(dirs, archiveRoot: archive).map(\.results))
    }
}
