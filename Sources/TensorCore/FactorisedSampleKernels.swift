// Per-image kernels whose gates factorise (the AW-convolution's): what an engine needs to fuse
// the gates into its products instead of asking for W_n and handing back ∂L/∂W_n.
// N batch, O output channels, C input channels, T = k·k taps.

/// `SampleKernels` with W_n = K ⊙ A_n and A[n,o,c,t] = 2 / (1 + u[n,o,t]·v[n,c,t]): an engine may
/// compute the gates itself (`FastEngine`'s fused forward and backward on 4 × 4 and 8 × 8 maps) —
/// bit for bit what `write` and `weightGradient` compute, or it must not take this path.
public protocol FactorisedSampleKernels: SampleKernels {
    /// Whether every image's gates take the factorised form (else only `write` /
    /// `weightGradient` give the right values).
    var isFactorised: Bool { get }
    /// Calls `body` with K `[O, C, T]` and the factors `[N, O+C, T]`: per image, u in rows 0..<O,
    /// v in rows O..<O+C. (Each engine path lays K out as its products need, once a call.)
    func withFactors<R>(_ body: (_ kernel: UnsafePointer<Float>, _ factors: UnsafePointer<Float>) -> R) -> R
    /// Starts a backward whose gradients the engine writes itself: `shares` zeroed ∂L/∂K shares
    /// `[shares][O, T, C]` (tap-major; each share adds its images in increasing order) and ∂L/∂z
    /// `[N, O+C, T]` (every element written by the engine). Valid until the next backward begins.
    func beginFactorisedBackward(shares: Int) -> (dKernelShares: UnsafeMutablePointer<Float>,
                                                  dLogits: UnsafeMutablePointer<Float>)
}
