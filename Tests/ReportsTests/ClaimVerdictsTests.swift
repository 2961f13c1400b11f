// The claim rules on small synthetic experiments.

import XCTest
import Foundation
import Reports

final class ClaimVerdictsTests: XCTestCase {
    /// One seed each; atkd and kd top-1 as given, both with train top-1 0.95.
    func generalisesVerdict(atkd: Double, kd: Double) throws -> ClaimVerdict {
        let scratch = try ScratchDir("verdicts")
        let dir = "\(scratch.path)/runs/cifar-cpu"
        try SyntheticRuns.writeSpec(SyntheticRuns.spec(name: "cifar-cpu"), to: dir)
        try SyntheticRuns.teacher(dir, top1: 0.9)
        try SyntheticRuns.finishedRun(dir, arm: "kd", seed: 1, top1: kd, correct: [7, 8, 9])
        try SyntheticRuns.finishedRun(dir, arm: "atkd", seed: 1, top1: atkd, correct: [7, 8, 9])
        let rule = ClaimRule.all.first { $0.id == "PROPOSAL-ATKD-GENERALISES" }!
        return ClaimVerdicts.evaluate(rule, experiments: [ExperimentResults.load(directory: dir)])
    }

    func testOneSeedDifferenceInsideTheNoiseIsInconclusive() throws {
        let v = try generalisesVerdict(atkd: 0.6558, kd: 0.6557)
        XCTAssertEqual(v.verdict, ClaimVerdicts.inconclusive, v.evidence)
        XCTAssertTrue(v.evidence.contains("a tie at one seed"), v.evidence)
    }

    func testOneSeedDifferenceBeyondTheNoiseIsDecided() throws {
        XCTAssertEqual(try generalisesVerdict(atkd: 0.80, kd: 0.70).verdict, ClaimVerdicts.reproduced)
        XCTAssertEqual(try generalisesVerdict(atkd: 0.70, kd: 0.80).verdict, ClaimVerdicts.notReproduced)
    }

    /// The verdict of `arm` in the experiment at `dir` against `baselineArm` of the one at
    /// `baselineDir` (experiments named after their folders), with or without the baseline loaded.
    func overExperiment(_ arm: String, of dir: String, minus baselineArm: String, of baselineDir: String,
                        loadingBaseline: Bool = true) -> ClaimVerdict {
        let name = (dir as NSString).lastPathComponent, baseline = (baselineDir as NSString).lastPathComponent
        let rule = ClaimRule(id: "X", experiments: [name],
                             comparison: .gainOverExperiment(arm: arm, baselineExperiment: baseline, baselineArm: baselineArm))
        let loaded = [dir] + (loadingBaseline ? [baselineDir] : [])
        return ClaimVerdicts.evaluate(rule, experiments: loaded.map { ExperimentResults.load(directory: $0) })
    }

    /// A teacher with the module against the control teacher of another experiment: one run each,
    /// so the difference is reported without an interval and the verdict stays inconclusive.
    func testTeacherAgainstAnotherExperimentsTeacherIsOneRunAndInconclusive() throws {
        let scratch = try ScratchDir("verdicts-teachers")
        let module = "\(scratch.path)/runs/with-module", control = "\(scratch.path)/runs/control"
        try SyntheticRuns.writeSpec(SyntheticRuns.spec(name: "with-module"), to: module)
        try SyntheticRuns.writeSpec(SyntheticRuns.spec(name: "control"), to: control)
        try SyntheticRuns.teacher(module, top1: 0.90)
        try SyntheticRuns.teacher(control, top1: 0.88)
        let v = overExperiment("teacher", of: module, minus: "teacher", of: control)
        XCTAssertEqual(v.verdict, ClaimVerdicts.inconclusive, v.evidence)
        XCTAssertEqual(v.paired?.n, 1)
        XCTAssertEqual(v.paired?.mean ?? .nan, 2.0, accuracy: 1e-9)
        XCTAssertTrue(v.evidence.contains("one seed only"), v.evidence)
        XCTAssertTrue(v.evidence.contains("teacher: finished") && v.evidence.contains("teacher of `control`: finished"),
                      v.evidence)
        // Without the other experiment there is nothing to compare against.
        let alone = overExperiment("teacher", of: module, minus: "teacher", of: control, loadingBaseline: false)
        XCTAssertEqual(alone.verdict, ClaimVerdicts.notMeasured, alone.evidence)
        XCTAssertTrue(alone.evidence.contains("no runs of `control`"), alone.evidence)
    }

    /// An arm against the same arm of a sibling experiment, paired by seed: three seeds 0.6, 0.8
    /// and 1.0 points apart give the interval 0.8 ± 4.303·0.2/√3 = [+0.30, +1.30] > 0.
    func testArmAgainstASiblingExperimentIsPairedBySeed() throws {
        let scratch = try ScratchDir("verdicts-siblings")
        let fair = "\(scratch.path)/runs/fair", plain = "\(scratch.path)/runs/plain"
        for (dir, name) in [(fair, "fair"), (plain, "plain")] {
            try SyntheticRuns.writeSpec(SyntheticRuns.spec(name: name, arms: ["atkd"], seeds: [1, 2, 3]), to: dir)
            try SyntheticRuns.teacher(dir, top1: 0.9)
        }
        for (seed, gain) in [(1, 0.006), (2, 0.008), (3, 0.010)] {
            try SyntheticRuns.finishedRun(plain, arm: "atkd", seed: seed, top1: 0.70, correct: [7, 8, 9])
            try SyntheticRuns.finishedRun(fair, arm: "atkd", seed: seed, top1: 0.70 + gain, correct: [7, 8, 9])
        }
        let v = overExperiment("atkd", of: fair, minus: "atkd", of: plain)
        XCTAssertEqual(v.verdict, ClaimVerdicts.reproduced, v.evidence)
        XCTAssertEqual(v.paired?.n, 3)
        let interval = try XCTUnwrap(v.paired?.interval)
        XCTAssertEqual(interval.lower, 0.8 - 4.302653 * 0.2 / 3.0.squareRoot(), accuracy: 1e-3)
        XCTAssertEqual(interval.upper, 0.8 + 4.302653 * 0.2 / 3.0.squareRoot(), accuracy: 1e-3)
    }

    /// Every evidence experiment has its three orderings, and (c)'s runs reach the ImageNet claim.
    func testEvidenceExperimentsHaveTheirOrderingsAndTheSubsetClaimReadsC() {
        for suffix in ["R50", "IMAGENETTE"] {
            for what in ["KD-BEATS-CE", "AT-BEATS-CE", "ATKD-BEATS-KD"] {
                XCTAssertNotNil(ClaimRule.rule(for: "ORDER-\(what)-\(suffix)"), "ORDER-\(what)-\(suffix)")
            }
        }
        let imagenet = ClaimRule.rule(for: "PROPOSAL-ATKD-BEATS-KD-IMAGENET")!
        XCTAssertLessThan(imagenet.experiments.firstIndex(of: "evidence-imagenette")!,
                          imagenet.experiments.firstIndex(of: "imagenette-cpu")!)
        XCTAssertEqual(Set(ClaimRule.all.map(\.id)).count, ClaimRule.all.count, "rule ids are unique")
    }
}
