// The verdict rules: which experiment and arms test which claim, and by what comparison.
// One typed table; the report joins it with paper/claims.md by id.

import Foundation

/// How a claim is decided from the runs of one experiment.
public enum ClaimComparison: Equatable {
    /// mean final top-1 of `arm` − mean of `baseline` ≥ `points` (percentage points).
    case gainAtLeast(arm: String, baseline: String, points: Double)
    /// mean final top-1 of `arm` − mean of `baseline` > 0 (the paper reports a gain; we test its sign).
    case gainPositive(arm: String, baseline: String)
    /// `arm` has test top-1 ≥ `baseline`'s and a train–test gap (last-epoch train top-1 − final test
    /// top-1) no larger than `baseline`'s.
    case generalises(arm: String, baseline: String)
    /// mean corruption accuracy (mCA, `final.json`'s `corruptions`) of `arm` − `baseline` > 0,
    /// paired by seed: "generalises to data it was not trained on".
    case corruptionGainPositive(arm: String, baseline: String)
    /// `arm`'s parameters ≤ `maxParamFraction` × the teacher's, and its seed-to-seed std of top-1
    /// ≤ `maxSeedStdPoints` (needs ≥ 2 seeds).
    case smallAndStable(arm: String, maxParamFraction: Double, maxSeedStdPoints: Double)
    /// mean final top-1 of `arm` here − that of `baselineArm` in the experiment `baselineExperiment`
    /// > 0, paired by seed (`teacher` names an experiment's teacher run: one run, n = 1). For two
    /// experiments that differ in one thing and share data, schedule and seeds (a teacher with and
    /// without a module; an arm under two AT weightings).
    case gainOverExperiment(arm: String, baselineExperiment: String, baselineArm: String)

    /// The rule in words, for the report.
    public var text: String {
        switch self {
        case .gainAtLeast(let a, let b, let p):
            return "top-1(\(a)) − top-1(\(b)) ≥ \(fmtPoints(p)) points, paired by seed (95 % t-interval)"
        case .gainPositive(let a, let b): return "top-1(\(a)) − top-1(\(b)) > 0, paired by seed (95 % t-interval)"
        case .generalises(let a, let b): return "top-1(\(a)) ≥ top-1(\(b)) and train−test gap(\(a)) ≤ gap(\(b))"
        case .corruptionGainPositive(let a, let b): return "mCA(\(a)) − mCA(\(b)) > 0 under the corruption suite"
        case .smallAndStable(let a, let f, let s):
            return "params(\(a)) ≤ \(fmtPoints(f * 100)) % of the teacher's and seed std of top-1(\(a)) ≤ \(fmtPoints(s)) points"
        case .gainOverExperiment(let a, let e, let b):
            return "top-1(\(a)) − top-1(\(b) of `\(e)`) > 0, paired by seed (95 % t-interval)"
        }
    }

    /// The arms the comparison reads.
    public var arms: [String] {
        switch self {
        case .gainAtLeast(let a, let b, _), .gainPositive(let a, let b), .generalises(let a, let b),
             .corruptionGainPositive(let a, let b): return [a, b]
        case .smallAndStable(let a, _, _), .gainOverExperiment(let a, _, _): return [a]
        }
    }
}

func fmtPoints(_ v: Double) -> String { v == v.rounded() ? String(format: "%.0f", v) : String(format: "%.2f", v) }

/// One claim's rule: the experiments that can test it (first with results wins) and the comparison.
public struct ClaimRule: Equatable {
    public var id: String
    /// Experiment names (`spec.name`) in order of preference; smoke experiments are never listed.
    public var experiments: [String]
    public var comparison: ClaimComparison
    /// What the measurement stands for when it is a proxy of the paper's setting.
    public var note: String

    public init(id: String, experiments: [String], comparison: ClaimComparison, note: String = "") {
        self.id = id; self.experiments = experiments; self.comparison = comparison; self.note = note
    }

    /// The rules of this project. Claims without a rule keep the verdict recorded in claims.md.
    public static let all: [ClaimRule] = [
        ClaimRule(id: "PROPOSAL-ATKD-BEATS-KD-CIFAR10", experiments: ["cifar-paper", "evidence-cifar-r50", "cifar-cpu", "cifar-mini"],
                  comparison: .gainAtLeast(arm: "atkd", baseline: "kd", points: 2),
                  note: "the proposal's lower bound, +2 points; `cifar-mini` (2,000 training images, 4–5 epochs) is the weakest evidence"),
        ClaimRule(id: "PROPOSAL-ATKD-BEATS-KD-IMAGENET", experiments: ["imagenette-paper", "evidence-imagenette", "imagenette-cpu"],
                  comparison: .gainAtLeast(arm: "atkd", baseline: "kd", points: 2),
                  note: "proxy: 10-class ImageNet subset at 64×64, not full ImageNet"),
        ClaimRule(id: "PROPOSAL-ATKD-GENERALISES", experiments: ["cifar-paper", "evidence-cifar-r50", "cifar-cpu", "cifar-mini"],
                  comparison: .generalises(arm: "atkd", baseline: "kd")),
        ClaimRule(id: "PROPOSAL-ATKD-GENERALISES-UNDER-CORRUPTION",
                  experiments: ["evidence-cifar-r50", "evidence-wrn16", "evidence-imagenette"],
                  comparison: .corruptionGainPositive(arm: "atkd", baseline: "kd"),
                  note: "\"generalises well, also on data it was not trained on\": mean accuracy over 8 corruptions × 5 severities"),
        ClaimRule(id: "PROPOSAL-STUDENT-SMALL", experiments: ["cifar-paper", "evidence-cifar-r50", "cifar-cpu", "cifar-mini"],
                  comparison: .smallAndStable(arm: "atkd", maxParamFraction: 0.1, maxSeedStdPoints: 1),
                  note: "IoT-sized: a tenth of the teacher's parameters; stable: seed std ≤ 1 point"),
        ClaimRule(id: "AT-T1-WRN16-1-from-WRN16-2", experiments: ["evidence-wrn16", "at-table1-wrn16-2"],
                  comparison: .gainPositive(arm: "at", baseline: "ce"),
                  note: "paper: 8.77 → 7.93 % error (+0.84 points); short schedule here, so the sign is tested"),
        ClaimRule(id: "AT-T1-WRN16-1-from-WRN40-1", experiments: ["at-table1-wrn40-1"],
                  comparison: .gainPositive(arm: "at", baseline: "ce"),
                  note: "paper: 8.77 → 8.25 % error (+0.52 points); sign tested"),
        ClaimRule(id: "AT-T1-WRN16-2-from-WRN40-2", experiments: ["at-table1-wrn40-2"],
                  comparison: .gainPositive(arm: "at", baseline: "ce"),
                  note: "paper: 6.31 → 5.85 % error (+0.46 points); sign tested"),
        ClaimRule(id: "AT-T1-ATKD-WRN16-1-from-WRN16-2", experiments: ["evidence-wrn16", "at-table1-wrn16-2"],
                  comparison: .gainPositive(arm: "atkd", baseline: "ce"),
                  note: "paper (unverified): 8.77 → 7.51 % error; sign tested"),
        // The plain orderings of the evidence campaign (issue 16), d = 0, paired by seed.
        ClaimRule(id: "ORDER-KD-BEATS-CE-WRN16", experiments: ["evidence-wrn16"],
                  comparison: .gainPositive(arm: "kd", baseline: "ce"), note: "WRN-16-2 → WRN-16-1, full CIFAR-10"),
        ClaimRule(id: "ORDER-ATKD-BEATS-KD-WRN16", experiments: ["evidence-wrn16"],
                  comparison: .gainPositive(arm: "atkd", baseline: "kd"), note: "WRN-16-2 → WRN-16-1, full CIFAR-10"),
        ClaimRule(id: "PROPOSAL-ATKD-BEATS-KD-BY-2-WRN16", experiments: ["evidence-wrn16"],
                  comparison: .gainAtLeast(arm: "atkd", baseline: "kd", points: 2),
                  note: "the proposal's +2 points on AT Table 1's pair (its own pair is `cifar-*`)"),
    ] + orderings(experiment: "evidence-cifar-r50", suffix: "R50",
                  note: "(b): ResNet-50-w¼ + AW-conv → MobileNetV2-half, full CIFAR-10")
      + orderings(experiment: "evidence-imagenette", suffix: "IMAGENETTE",
                  note: "(c): the same pair on the 10-class ImageNet subset at 64², resolution-fair AT weight")
      + [
        ClaimRule(id: "ZHU-AWCONV-CIFAR10-PROXY", experiments: ["evidence-cifar-r50"],
                  comparison: .gainOverExperiment(arm: "teacher", baselineExperiment: "evidence-cifar-r50-control",
                                                  baselineArm: "teacher"),
                  note: "proxy of Zhu et al.'s +1.00 % (ImageNet, ResNet-101): ResNet-50-w¼ with the AW-convolution "
                      + "against the same network without it, the same CIFAR-10 recipe (30 one-cycle epochs), one run each"),
        ClaimRule(id: "CHECK-AT-WEIGHT-RESOLUTION-FAIR-IMAGENETTE", experiments: ["evidence-imagenette"],
                  comparison: .gainOverExperiment(arm: "atkd", baselineExperiment: "evidence-imagenette-beta1000",
                                                  baselineArm: "atkd"),
                  note: "a design check (issue 16), not a paper claim: AT+KD with each tap's β scaled by S/256 "
                      + "(effective β/256 a tap, Σ 15.6) against plain β = 1000 (Σβ/S = 332) at 64², same teacher, data and seeds"),
    ]

    /// The plain orderings of an evidence experiment (d = 0, paired by seed): KD > CE, AT > CE,
    /// AT+KD > KD, as `ORDER-<WHAT>-<suffix>`.
    static func orderings(experiment: String, suffix: String, note: String) -> [ClaimRule] {
        [("KD-BEATS-CE", "kd", "ce"), ("AT-BEATS-CE", "at", "ce"), ("ATKD-BEATS-KD", "atkd", "kd")].map { what, a, b in
            ClaimRule(id: "ORDER-\(what)-\(suffix)", experiments: [experiment],
                      comparison: .gainPositive(arm: a, baseline: b), note: note)
        }
    }

    public static func rule(for id: String) -> ClaimRule? { all.first { $0.id == id } }
}
