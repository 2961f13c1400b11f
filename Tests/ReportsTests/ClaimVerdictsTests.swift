// The claim rules on small synthetic experiments.

import XCTest
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
}
