// The variants of attention transfer: channel reduction, loss form and how
// mismatched spatial sizes are matched.

/// How an activation `A [C,H,W]` is reduced over channels into a spatial map.
public enum ATChannelReduction: String, Codable, Sendable, CaseIterable {
    /// `(1/C) Σ_c |A_c|^p` — the authors' code (`x.pow(2).mean(1)`).
    case mean
    /// `Σ_c |A_c|^p` — the paper's `F_sum^p`; equal to `mean` after L2 normalisation (up to eps).
    case sum
    /// `max_c |A_c|^p` — the paper's `F_max^p`; gradient to the first maximal channel.
    case max
}

/// How the distance between normalised maps is measured.
public enum ATLossForm: String, Codable, Sendable, CaseIterable {
    /// `(1/(N·H·W)) Σ_n ‖q̂_s,n − q̂_t,n‖₂²` — the authors' `(at(x) - at(y)).pow(2).mean()`,
    /// i.e. the mean squared error of the normalised maps (the proposal's "MSE").
    case code
    /// `(1/2)·(1/N) Σ_n ‖q̂_s,n − q̂_t,n‖₂` — the paper's unsquared norm with its `β/2`, batch-averaged.
    case paper
}

/// What happens when the student and teacher taps differ in H×W.
public enum ATSpatialMatch: String, Codable, Sendable, CaseIterable {
    /// Sizes must be equal (the authors' code never handles a mismatch).
    case none
    /// Adaptive average pooling of the larger FEATURE MAP to the smaller size, before
    /// the map is computed (RepDistiller / mdistiller `at_loss`).
    case avgpool
    /// Bilinear resizing (align_corners = false) of the smaller unnormalised MAP to the
    /// larger size, then L2 normalisation (the interpolation the pprp note mentions).
    case bilinear
}

/// Options of one attention-transfer term.
public struct ATLossOptions: Equatable, Codable, Sendable {
    /// Exponent `p ≥ 1` of `|A|^p`.
    public var p: Float
    public var reduction: ATChannelReduction
    public var form: ATLossForm
    public var spatialMatch: ATSpatialMatch

    public init(p: Float, reduction: ATChannelReduction, form: ATLossForm, spatialMatch: ATSpatialMatch) {
        self.p = p; self.reduction = reduction; self.form = form; self.spatialMatch = spatialMatch
    }

    /// The authors' code with RepDistiller's mismatch rule: p = 2, channel mean,
    /// mean squared error of the maps, adaptive average pooling. The one place these defaults live.
    public static let authorsCode = ATLossOptions(p: 2, reduction: .mean, form: .code, spatialMatch: .avgpool)
}
