// The typed options of the related-method objectives (dkd, rkd, sp, pkt, fitnet, crd, crdkd),
// with their defaults in one place: the reference implementations' (RepDistiller, mdistiller).

import TensorCore

/// Weights and settings of the related-method arms; every arm also has CE with weight 1
/// (RepDistiller `-r 1`, mdistiller `CE_WEIGHT 1.0`).
///
/// The spec's `distill` section carries each as a snake_case key (`dkd_beta`, `crd_negatives`, …)
/// defaulting to `RelatedMethodOptions.defaults`; `validate()` names the first impossible one.
public struct RelatedMethodOptions: Equatable, Codable, Sendable {
    // MARK: DKD (mdistiller `cfg.DKD`)
    /// α, weight of TCKD (mdistiller `DKD.ALPHA` 1.0).
    public var dkdAlpha: Float
    /// β, weight of NCKD (mdistiller `DKD.BETA` 8.0; its CIFAR-100 WRN-40-2 → WRN-16-2 config uses 6).
    public var dkdBeta: Float
    /// Temperature of both softmaxes (mdistiller `DKD.T` 4.0).
    public var dkdTemperature: Float
    /// Epochs over which the DKD weights rise linearly, factor `min(e/W, 1)` at 1-based epoch e
    /// (mdistiller `DKD.WARMUP` 20; 0 = off).
    public var dkdWarmupEpochs: Int

    // MARK: RKD (RepDistiller `RKDLoss(w_d=25, w_a=50)`, `-b 1`)
    /// β on `w_d·distance + w_a·angle` (RepDistiller `-b 1`).
    public var rkdWeight: Float
    public var rkdDistanceWeight: Float
    public var rkdAngleWeight: Float

    // MARK: SP, PKT (RepDistiller `-b 3000`, `-b 30000`)
    /// β on the similarity-preserving loss of the last tap pair (`feat[-2]`).
    public var spWeight: Float
    /// β on PKT of the embeddings (`feat[-1]`).
    public var pktWeight: Float

    // MARK: FitNets (RepDistiller `--distill hint -a 0 -b 100 --hint_layer 2`)
    /// β on the hint loss (mean squared error after the regressor).
    public var fitnetWeight: Float
    /// Index of the hinted tap pair among the taps (0-based; −1 = last). RepDistiller's
    /// `--hint_layer 2` counts the stem output as 0, so its layer 2 is our tap 1.
    public var fitnetHintTap: Int

    // MARK: CRD (RepDistiller `--distill crd -a 0 -b 0.8`, `CRDLoss`, `ContrastMemory`)
    /// β on the contrastive loss.
    public var crdWeight: Float
    /// Width of the embedding heads and memory rows (`--feat_dim` 128).
    public var crdFeatureDim: Int
    /// Negatives K per positive (`--nce_k` 16384).
    public var crdNegatives: Int
    /// NCE temperature τ (`--nce_t` 0.07).
    public var crdTemperature: Float
    /// Memory momentum m (`--nce_m` 0.5): row ← normalise(m·row + (1 − m)·v).
    public var crdMomentum: Float
    /// Weight of the `kd` term in `crdkd` (RepDistiller CRD+KD `-a 1`; T = `distill.temperature`).
    public var crdkdKDWeight: Float

    public init(dkdAlpha: Float = 1, dkdBeta: Float = 8, dkdTemperature: Float = 4, dkdWarmupEpochs: Int = 20,
                rkdWeight: Float = 1, rkdDistanceWeight: Float = 25, rkdAngleWeight: Float = 50,
                spWeight: Float = 3000, pktWeight: Float = 30000,
                fitnetWeight: Float = 100, fitnetHintTap: Int = 1,
                crdWeight: Float = 0.8, crdFeatureDim: Int = 128, crdNegatives: Int = 16384,
                crdTemperature: Float = 0.07, crdMomentum: Float = 0.5, crdkdKDWeight: Float = 1) {
        self.dkdAlpha = dkdAlpha; self.dkdBeta = dkdBeta; self.dkdTemperature = dkdTemperature
        self.dkdWarmupEpochs = dkdWarmupEpochs
        self.rkdWeight = rkdWeight; self.rkdDistanceWeight = rkdDistanceWeight; self.rkdAngleWeight = rkdAngleWeight
        self.spWeight = spWeight; self.pktWeight = pktWeight
        self.fitnetWeight = fitnetWeight; self.fitnetHintTap = fitnetHintTap
        self.crdWeight = crdWeight; self.crdFeatureDim = crdFeatureDim; self.crdNegatives = crdNegatives
        self.crdTemperature = crdTemperature; self.crdMomentum = crdMomentum; self.crdkdKDWeight = crdkdKDWeight
    }

    /// The defaults, all in the initialiser above.
    public static let defaults = RelatedMethodOptions()

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case dkdAlpha, dkdBeta, dkdTemperature, dkdWarmupEpochs, rkdWeight, rkdDistanceWeight, rkdAngleWeight
        case spWeight, pktWeight, fitnetWeight, fitnetHintTap
        case crdWeight, crdFeatureDim, crdNegatives, crdTemperature, crdMomentum, crdkdKDWeight
    }

    /// Throws `ObjectiveError.invalidOption` naming the first impossible value.
    public func validate() throws {
        func check(_ ok: Bool, _ key: CodingKeys, _ value: Float, _ reason: String) throws {
            if !ok { throw ObjectiveError.invalidOption(key: key.rawValue, value: "\(value)", reason: reason) }
        }
        for (key, w) in [(CodingKeys.dkdAlpha, dkdAlpha), (.dkdBeta, dkdBeta), (.rkdWeight, rkdWeight),
                         (.rkdDistanceWeight, rkdDistanceWeight), (.rkdAngleWeight, rkdAngleWeight),
                         (.spWeight, spWeight), (.pktWeight, pktWeight), (.fitnetWeight, fitnetWeight),
                         (.crdWeight, crdWeight), (.crdkdKDWeight, crdkdKDWeight)] {
            try check(w.isFinite && w >= 0, key, w, "must be ≥ 0")
        }
        try check(dkdTemperature.isFinite && dkdTemperature > 0, .dkdTemperature, dkdTemperature, "must be > 0")
        try check(dkdWarmupEpochs >= 0, .dkdWarmupEpochs, Float(dkdWarmupEpochs), "must be ≥ 0 (0 = off)")
        try check(crdFeatureDim >= 1, .crdFeatureDim, Float(crdFeatureDim), "must be ≥ 1")
        try check(crdNegatives >= 1, .crdNegatives, Float(crdNegatives), "must be ≥ 1")
        try check(crdTemperature.isFinite && crdTemperature > 0, .crdTemperature, crdTemperature, "must be > 0")
        try check(crdMomentum >= 0 && crdMomentum < 1, .crdMomentum, crdMomentum, "must be in [0, 1)")
    }
}
