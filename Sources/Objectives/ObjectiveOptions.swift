// The typed options of every objective, with their defaults in one place;
// an experiment file overrides only what differs.

import TensorCore
import ZagoruykoAT

/// Options shared by the registry's objectives (`ce`, `kd`, `at`, `atkd`).
///
/// Decoding fills every absent key from `ObjectiveOptions.defaults` and rejects
/// unknown keys, naming them. Defaults follow PAPERS §5: T = 4, KD weight 0.9
/// with CE weight 0.1 (RepDistiller `-r 0.1 -a 0.9`, mdistiller `cfg.KD`), AT β = 1000
/// on the code-form per-tap loss with CE weight 1 (attention-transfer README,
/// RepDistiller `-a 0 -b 1000`, mdistiller `cfg.AT`).
public struct ObjectiveOptions: Equatable, Codable, Sendable {
    /// Softmax temperature T of the soft targets (> 0).
    public var temperature: Float
    /// Weight of the hard-label cross-entropy; nil = the objective's default
    /// (`defaultCEWeight(objective:)`: 1 for `ce`/`at`, 0.1 for `kd`/`atkd`).
    public var ceWeight: Float?
    /// Weight of the `kd` term `T²·KL` (≥ 0).
    public var kdWeight: Float
    /// β: weight of each unweighted AT term (≥ 0). 1000 is calibrated for `atForm = code`
    /// (a mean over N·H·W); the paper form is not averaged over H·W and needs a smaller β.
    public var atWeight: Float
    /// Exponent p of the attention map `|A|^p` (≥ 1).
    public var p: Float
    /// Channel reduction of the attention map (`mean` = code, `sum` = paper F_sum, `max` = F_max).
    public var atReduction: ATChannelReduction
    /// Distance between normalised maps (`code` = mean squared error, `paper` = norm).
    public var atForm: ATLossForm
    /// How taps of different H×W are matched (`avgpool`, `bilinear`, or `none`).
    public var spatialMatch: ATSpatialMatch
    /// Label smoothing ε of the cross-entropy term, in [0, 1).
    public var labelSmoothing: Float
    /// One term per tap pair (`at.0`, `at.1`, …) instead of a single summed `at` term.
    public var atTermPerTap: Bool
    /// Resolution-fair AT weight: when > 0, tap j's AT term is multiplied by S_j / this (S_j = H·W
    /// of the student tap), so every tap weighs as a map of this many pixels would. 0 = off (the
    /// authors' code: the code-form term is a mean over H·W, so its weight falls as 1/S_j).
    public var atReferencePixels: Int
    /// Weights and settings of the related-method arms (`dkd`, `rkd`, `sp`, `pkt`, `fitnet`, `crd`,
    /// `crdkd`); not read from these options' own JSON keys (the spec's `distill` section sets them).
    public var related: RelatedMethodOptions = .defaults

    public init(temperature: Float = 4,
                ceWeight: Float? = nil,
                kdWeight: Float = 0.9,
                atWeight: Float = 1000,
                p: Float = ATLossOptions.authorsCode.p,
                atReduction: ATChannelReduction = ATLossOptions.authorsCode.reduction,
                atForm: ATLossForm = ATLossOptions.authorsCode.form,
                spatialMatch: ATSpatialMatch = ATLossOptions.authorsCode.spatialMatch,
                labelSmoothing: Float = 0,
                atTermPerTap: Bool = false,
                atReferencePixels: Int = 0) {
        self.temperature = temperature; self.ceWeight = ceWeight; self.kdWeight = kdWeight
        self.atWeight = atWeight; self.p = p; self.atReduction = atReduction; self.atForm = atForm
        self.spatialMatch = spatialMatch; self.labelSmoothing = labelSmoothing; self.atTermPerTap = atTermPerTap
        self.atReferencePixels = atReferencePixels
    }

    /// The defaults, all in the initialiser above.
    public static let defaults = ObjectiveOptions()

    /// CE weight when `ceWeight` is nil: 0.1 when a KD term is present (1 − 0.9), else 1.
    public static func defaultCEWeight(objective: String) -> Float {
        objective == "kd" || objective == "atkd" ? 0.1 : 1
    }

    /// The CE weight an objective named `objective` uses.
    public func resolvedCEWeight(objective: String) -> Float {
        ceWeight ?? Self.defaultCEWeight(objective: objective)
    }

    /// The AT-term options these settings describe.
    public var atLossOptions: ATLossOptions {
        ATLossOptions(p: p, reduction: atReduction, form: atForm, spatialMatch: spatialMatch)
    }

    /// Throws `ObjectiveError.invalidOption` naming the first impossible value.
    public func validate() throws {
        func check(_ ok: Bool, _ key: CodingKeys, _ value: Float?, _ reason: String) throws {
            if !ok { throw ObjectiveError.invalidOption(key: key.rawValue, value: value.map { "\($0)" } ?? "nil", reason: reason) }
        }
        try check(temperature.isFinite && temperature > 0, .temperature, temperature, "must be > 0")
        if let ceWeight { try check(ceWeight.isFinite && ceWeight >= 0, .ceWeight, ceWeight, "must be ≥ 0") }
        try check(kdWeight.isFinite && kdWeight >= 0, .kdWeight, kdWeight, "must be ≥ 0")
        try check(atWeight.isFinite && atWeight >= 0, .atWeight, atWeight, "must be ≥ 0")
        try check(p.isFinite && p >= 1, .p, p, "must be ≥ 1")
        try check(labelSmoothing >= 0 && labelSmoothing < 1, .labelSmoothing, labelSmoothing, "must be in [0, 1)")
        try check(atReferencePixels >= 0, .atReferencePixels, Float(atReferencePixels), "must be ≥ 0 (0 = off)")
        try related.validate()
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case temperature, ceWeight, kdWeight, atWeight, p, atReduction, atForm, spatialMatch, labelSmoothing, atTermPerTap
        case atReferencePixels
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        let all = try decoder.container(keyedBy: AnyKey.self)
        if let unknown = all.allKeys.map(\.stringValue).filter({ !known.contains($0) }).sorted().first {
            throw ObjectiveError.unknownOption(key: unknown, known: CodingKeys.allCases.map(\.rawValue))
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Self.defaults
        self.init(
            temperature: try c.decodeIfPresent(Float.self, forKey: .temperature) ?? d.temperature,
            ceWeight: try c.decodeIfPresent(Float.self, forKey: .ceWeight) ?? d.ceWeight,
            kdWeight: try c.decodeIfPresent(Float.self, forKey: .kdWeight) ?? d.kdWeight,
            atWeight: try c.decodeIfPresent(Float.self, forKey: .atWeight) ?? d.atWeight,
            p: try c.decodeIfPresent(Float.self, forKey: .p) ?? d.p,
            atReduction: try c.decodeIfPresent(ATChannelReduction.self, forKey: .atReduction) ?? d.atReduction,
            atForm: try c.decodeIfPresent(ATLossForm.self, forKey: .atForm) ?? d.atForm,
            spatialMatch: try c.decodeIfPresent(ATSpatialMatch.self, forKey: .spatialMatch) ?? d.spatialMatch,
            labelSmoothing: try c.decodeIfPresent(Float.self, forKey: .labelSmoothing) ?? d.labelSmoothing,
            atTermPerTap: try c.decodeIfPresent(Bool.self, forKey: .atTermPerTap) ?? d.atTermPerTap,
            atReferencePixels: try c.decodeIfPresent(Int.self, forKey: .atReferencePixels) ?? d.atReferencePixels)
        try validate()
    }
}

/// A bad objective name or option; the message names the key.
public enum ObjectiveError: Error, Equatable, CustomStringConvertible {
    case unknownObjective(name: String, known: [String])
    case unknownOption(key: String, known: [String])
    case invalidOption(key: String, value: String, reason: String)

    public var description: String {
        switch self {
        case .unknownObjective(let name, let known):
            return "unknown objective \"\(name)\"; known: \(known.joined(separator: ", "))"
        case .unknownOption(let key, let known):
            return "unknown objective option \"\(key)\"; known: \(known.joined(separator: ", "))"
        case .invalidOption(let key, let value, let reason):
            return "objective option \(key) = \(value) \(reason)"
        }
    }
}
