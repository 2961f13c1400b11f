// The whole report from synthetic runs: 4 arms × 2 seeds, one run in progress, one corrupt
// folder, checkpoints for attention maps; every figure a PNG, every number from the inputs.

import Foundation
import XCTest
import Reports
import Training

final class ReportBuilderTests: XCTestCase {
    /// Arms' final top-1 per seed; the expected table cells are computed by hand below.
    /// ce: 0.70, 0.74 → 72.00 ± 2.83; kd: 0.80, 0.84 → 82.00 ± 2.83; at: 0.78 (seed 2 corrupt);
    /// atkd: 0.81 (seed 2 in progress) → atkd − kd = 81 − 82 = −1.00 point: not reproduced.
    func makeExperiment(root: String, name: String = "cifar-cpu", checkpoints: Bool = true) throws -> String {
        let dir = "\(root)/\(name)"
        try SyntheticRuns.writeSpec(SyntheticRuns.spec(name: name), to: dir)
        try SyntheticRuns.teacher(dir, top1: 0.9)
        try SyntheticRuns.finishedRun(dir, arm: "ce", seed: 1, top1: 0.70, correct: [6, 7, 8], agreement: nil)
        try SyntheticRuns.finishedRun(dir, arm: "ce", seed: 2, top1: 0.74, correct: [7, 7, 8], agreement: nil)
        try SyntheticRuns.finishedRun(dir, arm: "kd", seed: 1, top1: 0.80, correct: [7, 8, 9])
        try SyntheticRuns.finishedRun(dir, arm: "kd", seed: 2, top1: 0.84, correct: [8, 8, 9])
        try SyntheticRuns.finishedRun(dir, arm: "at", seed: 1, top1: 0.78, correct: [7, 8, 8])
        try FileManager.default.createDirectory(atPath: "\(dir)/at-seed2", withIntermediateDirectories: true)
        try SyntheticRuns.finishedRun(dir, arm: "atkd", seed: 1, top1: 0.81, correct: [9, 8, 7])
        try SyntheticRuns.writeMetrics(to: "\(dir)/atkd-seed2", arm: "atkd", testTop1: [0.5, 0.66],
                                       trainLoss: [2, 1.4], trainTop1: [0.4, 0.6])
        if checkpoints {
            try SyntheticRuns.checkpoint("\(dir)/teacher/model.atkd", seed: 1)
            for arm in ["ce", "kd", "at", "atkd"] { try SyntheticRuns.checkpoint("\(dir)/\(arm)-seed1/model.atkd", seed: 2) }
        }
        return dir
    }

    func options(_ scratch: ScratchDir, inputs: [String]) -> ReportOptions {
        var o = ReportOptions()
        o.inputs = inputs
        o.outputDirectory = "\(scratch.path)/reports"
        o.claimsPath = "\(scratch.path)/claims.md"
        o.runsRoot = "\(scratch.path)/runs"
        o.attentionImages = 2
        o.loadData = { _ in SyntheticData(images: 2) }
        o.log = { _ in }
        return o
    }

    func writeClaims(_ scratch: ScratchDir) throws {
        let text = """
        | id | claim | paper's number | verdict |
        |---|---|---|---|
        | `PROPOSAL-ATKD-BEATS-KD-CIFAR10` | AT-KD 2–5 % above KD | +2 to +5 points | not yet measured |
        | `HINTON-MNIST-TEACHER-67` | MNIST teacher errors | 67 | not testable here: needs MNIST |
        """
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(scratch.path)/claims.md"))
    }

    func assertPNG(_ path: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let d = FileManager.default.contents(atPath: path) else { return XCTFail("no \(path)", file: file, line: line) }
        XCTAssertEqual(Array(d.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "\(path) is not a PNG", file: file, line: line)
        XCTAssertGreaterThan(d.count, 2000, "\(path) is suspiciously small", file: file, line: line)
    }

    /// Zero attention images: no maps and no crash (the data's batcher refuses a batch of 0).
    func testZeroAttentionImagesDrawsNoMaps() throws {
        let scratch = try ScratchDir("no-maps")
        _ = try makeExperiment(root: "\(scratch.path)/runs")
        try writeClaims(scratch)
        var o = options(scratch, inputs: ["\(scratch.path)/runs"])
        o.attentionImages = 0
        let outcome = try ReportBuilder.build(o)
        XCTAssertFalse(outcome.figures.contains { $0.hasPrefix("attention-") }, "\(outcome.figures)")
        XCTAssertTrue(readText("\(scratch.path)/reports/REPORT.md").contains("Attention maps not drawn (0 images asked for)."))
    }

    func testReportFromSyntheticRunsHasEveryFigureAndTheInputNumbers() throws {
        let scratch = try ScratchDir("full")
        _ = try makeExperiment(root: "\(scratch.path)/runs")
        try FileManager.default.createDirectory(atPath: "\(scratch.path)/runs/broken", withIntermediateDirectories: true)
        try writeClaims(scratch)
        // Local run folders are read only when named.
        let outcome = try ReportBuilder.build(options(scratch, inputs: ["\(scratch.path)/runs"]))
        let figures = "\(scratch.path)/reports/figures"

        XCTAssertEqual(Set(outcome.figures), ["curves-cifar-cpu", "classgain-cifar-cpu", "confusion-cifar-cpu",
                                              "attention-cifar-cpu-img0", "attention-cifar-cpu-img1", "accuracy", "footprint",
                                              "verdicts"])
        for f in outcome.figures {
            assertPNG("\(figures)/\(f).png")
            XCTAssertTrue(readText("\(figures)/\(f).svg").contains("<svg"), f)
            XCTAssertTrue(readText("\(figures)/\(f).gp").contains("cd system(sprintf(\"dirname '%s'\", ARG0))"), f)
        }

        // One legend entry per arm in the curves (teacher trained here on the students' 3 epochs, so it has a curve too).
        let curvesScript = readText("\(figures)/curves-cifar-cpu.gp")
        for arm in ["teacher", "ce (2 seeds)", "kd (2 seeds)", "at (1 seed)", "atkd (2 seeds)"] {
            XCTAssertEqual(curvesScript.components(separatedBy: "title \"\(arm)\"").count - 1, 1, "legend entry for \(arm)")
        }
        let curves = readText("\(figures)/curves-cifar-cpu.dat")
        XCTAssertEqual(curves.components(separatedBy: "# arm: ").count - 1, 10, "evaluations and training per arm")
        // kd epoch 3: test top-1 mean 82, std 2.828… over 2 seeds, no validation.
        XCTAssertTrue(curves.contains("3\t82\t2.82843\tnan\tnan\t2"), curves)
        // kd epoch 3 training: train top-1 95 ± 0, loss 1 ± 0, terms at (none), ce and kd 0.5 ± 0.
        XCTAssertTrue(curves.contains("3\t2\t95\t0\t1\t0\tnan\tnan\t0.5\t0\t0.5\t0"), curves)
        // atkd epoch 2 has the in-progress seed (0.66) and seed 1 (nan at epoch 2): mean 66 over 1 run;
        // its training loss has both seeds (1.5, 1.4).
        XCTAssertTrue(curves.contains("2\t66\t0\tnan\tnan\t1"), curves)
        XCTAssertTrue(curves.contains("2\t2\t70\t14.1421\t1.45\t0.0707107"), curves)

        let accuracy = readText("\(figures)/accuracy.dat")
        XCTAssertTrue(accuracy.contains("1\t\"kd\"\t82\t2.82843\t2"), accuracy)
        XCTAssertTrue(accuracy.contains("3\t\"atkd\"\t81\t0\t1"), accuracy)
        XCTAssertTrue(readText("\(figures)/accuracy.gp").contains("90 with lines dt 2"), "teacher reference line at 90 %")
        XCTAssertTrue(readText("\(figures)/accuracy.gp").contains("72 with lines dt 3"), "ce reference line at 72 %")

        // Gains over kd per class, paired by seed: class 0 (kd 70 and 80 %): ce 60, 70 ⇒ −10 on both seeds
        // (interval of zero width); at and atkd have seed 1 only: 70 − 70 = 0 and 90 − 70 = +20, with
        // Newcombe intervals from 10 images each.
        let gain = readText("\(figures)/classgain-cifar-cpu.dat")
        XCTAssertTrue(gain.contains("\"plane\"\t\"plane (kd 75 %)\"\t75\t-10\t-10\t-10\t2\t0\t"), gain)
        XCTAssertTrue(gain.contains("\t20\t-15.9794\t51.4146\t1"), gain)
        XCTAssertEqual(readText("\(figures)/confusion-cifar-cpu.dat").components(separatedBy: "# panel: ").count - 1, 5)
        let attention = readText("\(figures)/attention-cifar-cpu.dat")
        XCTAssertEqual(attention.components(separatedBy: "# block ").count - 1, 5 * 3 * 2, "5 models × 3 taps × 2 images")

        let report = readText(outcome.reportPath)
        XCTAssertTrue(report.components(separatedBy: "![").dropFirst().first?.contains("(figures/verdicts.png)") == true,
                      "the verdict figure comes first")
        XCTAssertTrue(report.contains("| kd | seeds 1, 2 finished | 82.00 ± 2.83 |"), report)
        XCTAssertTrue(report.contains("| ce | seeds 1, 2 finished | 72.00 ± 2.83 |"), report)
        XCTAssertTrue(report.contains("| atkd-seed2 | in progress (2/3 epochs) |"), report)
        XCTAssertTrue(report.contains("| at-seed2 | corrupt (empty directory) |"), report)
        XCTAssertTrue(report.contains("runs/broken"), "the corrupt experiment folder is named")
        XCTAssertTrue(report.contains("| teacher agreement %") && report.contains("90.00 ± 0.00"), "kd agreement 0.9 on both seeds")
        // Paired by seed: atkd finished seed 1 only (81 %), kd's seed 1 is 80 % ⇒ +1.00 with n = 1, no interval.
        XCTAssertTrue(report.contains("atkd − kd: +1.00 points, n = 1, no interval (atkd 81.00 % vs kd 82.00 ± 2.83 %)"), report)
        XCTAssertTrue(report.contains("**inconclusive**"))
        XCTAssertTrue(report.contains("**not reproduced**"))
        XCTAssertTrue(report.contains("one seed only: weak evidence"))
        XCTAssertTrue(report.contains("not testable here: needs MNIST"))
        XCTAssertTrue(report.contains("![cifar-cpu: confusion matrices](figures/confusion-cifar-cpu.png)"))
        XCTAssertTrue(outcome.warnings.contains { $0.contains("at-seed2") && $0.contains("corrupt") }, "\(outcome.warnings)")

        // Committed summaries: small files only.
        let archived = "\(scratch.path)/reports/runs/cifar-cpu"
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(archived)/kd-seed2/final.json"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(archived)/atkd-seed2/metrics.tsv"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(archived)/kd-seed1/model.atkd"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(archived)/teacher/model.atkd"))
    }

    /// A fresh clone has only reports/: the report rebuilds from the committed summaries and
    /// re-plots the attention maps from their committed data file.
    func testRebuildFromCommittedSummariesReusesAttentionData() throws {
        let scratch = try ScratchDir("clone")
        let exp = try makeExperiment(root: "\(scratch.path)/runs")
        try writeClaims(scratch)
        try ReportBuilder.build(options(scratch, inputs: ["\(scratch.path)/runs"]))
        let before = readText("\(scratch.path)/reports/figures/attention-cifar-cpu.dat")
        try FileManager.default.removeItem(atPath: exp)

        let outcome = try ReportBuilder.build(options(scratch, inputs: []))
        XCTAssertTrue(outcome.figures.contains("attention-cifar-cpu-img0"))
        XCTAssertEqual(readText("\(scratch.path)/reports/figures/attention-cifar-cpu.dat"), before)
        let report = readText(outcome.reportPath)
        XCTAssertTrue(report.contains("Re-plotted from the committed data files"), report)
        XCTAssertTrue(report.contains("attention-cifar-cpu-inputs.dat"), "the input images come from their committed file")
        XCTAssertTrue(report.contains("`\(scratch.path)/reports/runs/cifar-cpu`"), "reads the archived copy")
        XCTAssertTrue(report.contains("82.00 ± 2.83"))

        // Without the data file either, the maps are marked unavailable, not an error.
        try FileManager.default.removeItem(atPath: "\(scratch.path)/reports/figures/attention-cifar-cpu.dat")
        let third = try ReportBuilder.build(options(scratch, inputs: []))
        XCTAssertFalse(third.figures.contains { $0.hasPrefix("attention-") })
        XCTAssertTrue(readText(third.reportPath).contains("Attention maps unavailable: no model.atkd for the finished runs"))
    }

    func testPaperVsOursSetsThePublishedNumberBesideOurMeanAndTheGap() throws {
        let scratch = try ScratchDir("paper")
        let dir = try makeExperiment(root: "\(scratch.path)/runs")
        let exp = ExperimentResults.load(directory: dir)
        let anchor = PaperAnchor(setting: "S", experiment: exp.name, arm: "kd", top1: 80, verified: true,
                                 paperSchedule: "200 epochs", source: "a paper")
        let missing = PaperAnchor(setting: "T", experiment: "elsewhere", arm: "at", top1: 90, verified: false,
                                  paperSchedule: "200 epochs", source: "a paper")
        let md = ReportMarkdown.paperSection([exp], anchors: [anchor, missing])
        // kd finished seeds 1 and 2 at 80 and 84 %: 82.00 ± 2.83, two points above the paper's 80.
        XCTAssertTrue(md.contains("| S | kd | 80.00 | 82.00 ± 2.83 | 2 | +2.00 | 200 epochs |"), md)
        XCTAssertTrue(md.contains("| T | at | 90.00 (unverified) | not run | 0 | — |"), md)
    }

    func testMissingGnuplotSaysHowToInstallIt() throws {
        let scratch = try ScratchDir("nognuplot")
        _ = try makeExperiment(root: "\(scratch.path)/runs", checkpoints: false)
        var o = options(scratch, inputs: ["\(scratch.path)/runs"])
        o.gnuplot = "gnuplot-not-installed-\(UUID().uuidString.prefix(6))"
        XCTAssertThrowsError(try ReportBuilder.build(o)) { error in
            XCTAssertTrue("\(error)".contains("apt-get install --no-install-recommends gnuplot-nox"), "\(error)")
        }
    }

    func testNoExperimentsIsAClearError() throws {
        let scratch = try ScratchDir("empty")
        XCTAssertThrowsError(try ReportBuilder.build(options(scratch, inputs: []))) { error in
            XCTAssertTrue("\(error)".contains("no experiment directories"), "\(error)")
        }
    }
}
