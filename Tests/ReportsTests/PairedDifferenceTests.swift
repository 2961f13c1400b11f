// Verdict statistics: t quantiles against the printed table, intervals and the decision rule
// on hand-computed cases.

import XCTest
import Reports

final class PairedDifferenceTests: XCTestCase {
    /// t₀.₉₇₅ for ν = 1…9 (n = 2…10), from any statistics table (e.g. NIST/SEMATECH e-Handbook, Table 1.3.6.7.2).
    func testQuantilesMatchTheTable() {
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262]
        for (i, expected) in table.enumerated() {
            XCTAssertEqual(StudentT.quantile(0.975, degreesOfFreedom: Double(i + 1)), expected, accuracy: 6e-4, "ν = \(i + 1)")
        }
        XCTAssertEqual(StudentT.quantile(0.975, degreesOfFreedom: 1000), 1.962, accuracy: 1e-3)
        XCTAssertEqual(StudentT.quantile(0.5, degreesOfFreedom: 3), 0, accuracy: 1e-6)
        XCTAssertEqual(StudentT.quantile(0.025, degreesOfFreedom: 4), -2.776, accuracy: 6e-4)
        // ν = 1 is the Cauchy distribution: P(T ≤ 1) = 3/4 exactly.
        XCTAssertEqual(StudentT.cdf(1, degreesOfFreedom: 1), 0.75, accuracy: 1e-12)
    }

    /// Differences 1, 2, 3: mean 2, s = 1, half-width 4.303/√3 = 2.4843.
    func testIntervalOfThreeSeedsByHand() throws {
        let d = PairedDifference([1: 71, 2: 72, 3: 73, 4: 99], minus: [1: 70, 2: 70, 3: 70])
        XCTAssertEqual(d.seeds, [1, 2, 3])
        XCTAssertEqual(d.differences, [1, 2, 3])
        XCTAssertEqual(d.mean, 2)
        XCTAssertEqual(try XCTUnwrap(d.std), 1, accuracy: 1e-12)
        let ci = try XCTUnwrap(d.interval)
        XCTAssertEqual(ci.lower, 2 - 2.4843, accuracy: 5e-4)
        XCTAssertEqual(ci.upper, 2 + 2.4843, accuracy: 5e-4)
        XCTAssertEqual(d.verdict(atLeast: 0), .inconclusive)   // lower −0.48 < 0 ≤ upper
        XCTAssertEqual(d.verdict(atLeast: 5), .refuted)        // upper 4.48 < 5
        XCTAssertEqual(d.verdict(atLeast: -1), .reproduced)    // lower −0.48 ≥ −1
        XCTAssertEqual(d.formatted, "+2.00 ± 1.00 points, 95 % CI [-0.48, +4.48], n = 3")
    }

    /// Differences 2.0, 2.2, 2.4, 2.6, 2.8: mean 2.4, s = 0.3162, half-width 2.776·0.3162/√5 = 0.3926.
    func testFiveSeedsClearlyAboveTwoPointsAreReproduced() throws {
        let d = PairedDifference(seeds: [1, 2, 3, 4, 5], differences: [2.0, 2.2, 2.4, 2.6, 2.8])
        let ci = try XCTUnwrap(d.interval)
        XCTAssertEqual(ci.lower, 2.4 - 0.3926, accuracy: 5e-4)
        XCTAssertEqual(d.verdict(atLeast: 2), .reproduced)
        XCTAssertEqual(d.verdict(atLeast: 3), .refuted)
    }

    func testOneSeedHasNoIntervalAndIsInconclusive() {
        let d = PairedDifference(seeds: [1], differences: [9])
        XCTAssertNil(d.interval)
        XCTAssertEqual(d.verdict(atLeast: 0), .inconclusive)
        XCTAssertEqual(d.formatted, "+9.00 points, n = 1, no interval")
        XCTAssertEqual(PairedDifference([1: 1], minus: [2: 1]).formatted, "no paired seeds")
    }
}

/// The verdict figure: a row per paired claim, an interval when n ≥ 2, "no interval" at n = 1.
final class VerdictFigureTests: XCTestCase {
    func testRowsIntervalsAndLabels() throws {
        var a = ClaimVerdict(id: "A", claim: "", paperValue: "", ourValue: "", verdict: "inconclusive", evidence: "")
        a.paired = PairedDifference(seeds: [1, 2, 3], differences: [1, 2, 3]); a.claimedEffect = 2
        var b = ClaimVerdict(id: "B", claim: "", paperValue: "", ourValue: "", verdict: "inconclusive", evidence: "")
        b.paired = PairedDifference(seeds: [1], differences: [0.5]); b.claimedEffect = 0
        let other = ClaimVerdict(id: "C", claim: "", paperValue: "", ourValue: "", verdict: "not measured", evidence: "")
        let figure = try XCTUnwrap(Figures.verdicts([a, other, b]))
        let rows = figure.data[0].contents.split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(rows.count, 2, "claims without paired seeds are not drawn")
        let first = rows[0].split(separator: "\t")
        XCTAssertEqual(Double(first[2])!, 2 - 2.4843, accuracy: 1e-3, "the bar is the 95 % t-interval")
        XCTAssertTrue(rows[0].contains("\"inconclusive, n = 3\""))
        XCTAssertTrue(rows[1].contains("n = 1 (no interval)"))
        XCTAssertNil(Figures.verdicts([other]))
    }
}
