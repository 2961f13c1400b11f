// Applies the claim rules to the experiments and joins the result with paper/claims.md.

import Foundation

/// The report's verdict on one claim.
public struct ClaimVerdict: Equatable {
    public var id: String
    public var claim: String
    public var paperValue: String
    public var ourValue: String
    /// `reproduced`, `not reproduced`, `inconclusive`, `not measured`, or a claims.md verdict for claims without a rule.
    public var verdict: String
    public var evidence: String
    /// The paired per-seed differences behind a comparison verdict (nil for other rules).
    public var paired: PairedDifference? = nil
    /// The claimed effect d in points (the reference line of the verdict figure).
    public var claimedEffect: Double? = nil

    public init(id: String, claim: String, paperValue: String, ourValue: String, verdict: String, evidence: String) {
        self.id = id; self.claim = claim; self.paperValue = paperValue; self.ourValue = ourValue
        self.verdict = verdict; self.evidence = evidence
    }
}

public enum ClaimVerdicts {
    public static let reproduced = "reproduced"
    public static let notReproduced = "not reproduced"
    public static let notMeasured = "not measured"
    public static let inconclusive = "inconclusive"
    /// The paired interval lies wholly below the claimed effect.
    public static let refuted = "refuted"

    /// With one seed, top-1 differences below this many points are read as a tie: two binomial
    /// standard errors of a ~65 % accuracy on 10,000 test images (2·√(0.65·0.35/10⁴) ≈ 0.95).
    public static let singleSeedTiePoints = 1.0

    /// One verdict per claims.md row (in its order), then rules whose id is not in claims.md.
    public static func table(claims: [ClaimEntry], experiments: [ExperimentResults],
                             rules: [ClaimRule] = ClaimRule.all) -> [ClaimVerdict] {
        var out: [ClaimVerdict] = claims.map { entry in
            if let rule = rules.first(where: { $0.id == entry.id }) {
                var v = evaluate(rule, experiments: experiments)
                v.claim = entry.claim; v.paperValue = entry.paperNumber
                return v
            }
            let recorded = entry.verdict.lowercased().hasPrefix("not yet measured") ? notMeasured : entry.verdict
            return ClaimVerdict(id: entry.id, claim: entry.claim, paperValue: entry.paperNumber, ourValue: "—",
                                verdict: recorded, evidence: "no measurement rule in the report; verdict as recorded in claims.md")
        }
        for rule in rules where !claims.contains(where: { $0.id == rule.id }) {
            out.append(evaluate(rule, experiments: experiments))
        }
        return out
    }

    /// The verdict of one rule: `not measured` unless every arm it reads has a finished seed.
    public static func evaluate(_ rule: ClaimRule, experiments: [ExperimentResults]) -> ClaimVerdict {
        var v = ClaimVerdict(id: rule.id, claim: "—", paperValue: "—", ourValue: "—", verdict: notMeasured, evidence: "")
        let candidates = rule.experiments.compactMap { name in experiments.first { $0.name == name } }
        func ready(_ e: ExperimentResults) -> Bool {
            rule.comparison.arms.allSatisfy { a in !ArmSummary(arm: a, runs: runsOf(e, a)).finished.isEmpty }
        }
        guard let exp = candidates.first(where: ready) ?? candidates.first else {
            v.evidence = "no runs of \(rule.experiments.map { "`\($0)`" }.joined(separator: " or ")); rule: \(rule.comparison.text)"
            return v
        }
        let arms = Dictionary(uniqueKeysWithValues: rule.comparison.arms.map { ($0, ArmSummary(arm: $0, runs: runsOf(exp, $0))) })
        var evidence = ["experiment `\(exp.name)`", "rule: \(rule.comparison.text)"]
        if !rule.note.isEmpty { evidence.append(rule.note) }
        for a in rule.comparison.arms { evidence.append("\(a): \(arms[a]!.seedStatus)") }
        if let missing = rule.comparison.arms.first(where: { arms[$0]!.finished.isEmpty }) {
            v.evidence = (["arm `\(missing)` has no finished seed"] + evidence).joined(separator: "; ")
            return v
        }
        let seeds = rule.comparison.arms.map { arms[$0]!.finished.count }.min() ?? 0
        if seeds < 2 { evidence.append("one seed only: weak evidence") }
        func pct(_ m: MeanStd) -> String { m.formatted() + " %" }
        switch rule.comparison {
        case .gainAtLeast(let a, let b, _), .gainPositive(let a, let b):
            // Paired by seed: same seed ⇒ same data order and augmentation in both arms.
            let (sa, sb) = (arms[a]!.top1, arms[b]!.top1)
            let paired = PairedDifference(top1Points(arms[a]!), minus: top1Points(arms[b]!))
            var d = 0.0
            if case .gainAtLeast(_, _, let points) = rule.comparison { d = points }
            v.ourValue = String(format: "%@ − %@: %@ (%@ %@ vs %@ %@)", a, b, paired.formatted, a, pct(sa), b, pct(sb))
            v.paired = paired
            v.claimedEffect = d
            if !paired.differences.isEmpty {
                evidence.append("per-seed differences: " + zip(paired.seeds, paired.differences)
                    .map { String(format: "seed %d %+.2f", $0, $1) }.joined(separator: ", "))
            }
            evidence.append(String(format: "rule: reproduced when the 95 %% interval's lower bound ≥ %@, refuted when its upper bound < %@", fmtPoints(d), fmtPoints(d)))
            switch paired.verdict(atLeast: d) {
            case .reproduced: v.verdict = reproduced
            case .refuted: v.verdict = refuted
            case .inconclusive: v.verdict = inconclusive
            }
        case .corruptionGainPositive(let a, let b):
            func mca(_ s: ArmSummary) -> [Int: Double] {
                Dictionary(s.finished.compactMap { r in r.corruptions.map { (r.seed, $0.meanCorruptionAccuracy * 100) } },
                           uniquingKeysWith: { x, _ in x })
            }
            let paired = PairedDifference(mca(arms[a]!), minus: mca(arms[b]!))
            guard paired.n > 0 else {
                v.evidence = (["no finished run of `\(a)` and `\(b)` recorded the corruption suite (corruption_per_class)"]
                              + evidence).joined(separator: "; ")
                return v
            }
            v.ourValue = String(format: "mCA %@ − %@: %@", a, b, paired.formatted)
            v.paired = paired
            v.claimedEffect = 0
            switch paired.verdict(atLeast: 0) {
            case .reproduced: v.verdict = reproduced
            case .refuted: v.verdict = refuted
            case .inconclusive: v.verdict = inconclusive
            }
        case .generalises(let a, let b):
            let (ga, gb) = (arms[a]!.generalisationGap, arms[b]!.generalisationGap)
            guard let gapA = ga.mean, let gapB = gb.mean else {
                v.evidence = (["no train top-1 in metrics.tsv for the gap"] + evidence).joined(separator: "; ")
                return v
            }
            let (ta, tb) = (arms[a]!.top1.mean!, arms[b]!.top1.mean!)
            v.ourValue = String(format: "top-1 %@ %.2f vs %@ %.2f %%; gap %@ %.2f vs %@ %.2f points",
                                a, ta * 100, b, tb * 100, a, gapA * 100, b, gapB * 100)
            if seeds < 2 && abs(ta - tb) * 100 < singleSeedTiePoints {
                // "Performs better" cannot be read from a one-seed difference inside the noise.
                evidence.append(String(format: "top-1 difference %.2f points < %.1f: a tie at one seed",
                                       (ta - tb) * 100, singleSeedTiePoints))
                v.verdict = inconclusive
            } else {
                v.verdict = ta >= tb && gapA <= gapB ? reproduced : notReproduced
            }
        case .gainOverExperiment(let a, let baselineName, let b):
            guard let base = experiments.first(where: { $0.name == baselineName }) else {
                v.evidence = (["no runs of `\(baselineName)`"] + evidence).joined(separator: "; ")
                return v
            }
            let baseline = ArmSummary(arm: b, runs: runsOf(base, b))
            evidence.append("\(b) of `\(baselineName)`: \(baseline.seedStatus)")
            guard !baseline.finished.isEmpty else {
                v.evidence = (["`\(b)` of `\(baselineName)` has no finished run"] + evidence).joined(separator: "; ")
                return v
            }
            let paired = PairedDifference(top1Points(arms[a]!), minus: top1Points(baseline))
            v.ourValue = String(format: "%@ − %@ of %@: %@ (%@ %@ vs %@)", a, b, baselineName, paired.formatted, a,
                                pct(arms[a]!.top1), pct(baseline.top1))
            v.paired = paired
            v.claimedEffect = 0
            if !paired.differences.isEmpty {
                evidence.append("per-seed differences: " + zip(paired.seeds, paired.differences)
                    .map { String(format: "seed %d %+.2f", $0, $1) }.joined(separator: ", "))
            }
            switch paired.verdict(atLeast: 0) {
            case .reproduced: v.verdict = reproduced
            case .refuted: v.verdict = refuted
            case .inconclusive: v.verdict = inconclusive
            }
        case .smallAndStable(let a, let fraction, let maxStd):
            guard let teacherParams = exp.teacher?.summary?.params, teacherParams > 0,
                  let params = arms[a]!.footprint?.params else {
                v.evidence = (["no teacher final.json to compare parameter counts"] + evidence).joined(separator: "; ")
                return v
            }
            let ratio = Double(params) / Double(teacherParams)
            guard let std = arms[a]!.top1.std else {
                v.ourValue = String(format: "%d params = %.1f %% of the teacher's; seed std needs ≥ 2 seeds", params, ratio * 100)
                v.evidence = evidence.joined(separator: "; ")
                return v
            }
            v.ourValue = String(format: "%d params = %.1f %% of the teacher's; seed std %.2f points", params, ratio * 100, std * 100)
            v.verdict = ratio <= fraction && std * 100 <= maxStd ? reproduced : notReproduced
        }
        v.evidence = evidence.joined(separator: "; ")
        return v
    }

    /// An arm's runs in `e`; `teacher` is the experiment's teacher run.
    static func runsOf(_ e: ExperimentResults, _ arm: String) -> [RunRecord] {
        arm == "teacher" ? (e.teacher.map { [$0] } ?? []) : e.runs(arm: arm)
    }

    /// Final test top-1 (points) by seed of an arm's finished runs.
    static func top1Points(_ a: ArmSummary) -> [Int: Double] {
        Dictionary(a.finished.map { ($0.seed, $0.final.top1 * 100) }, uniquingKeysWith: { x, _ in x })
    }
}
