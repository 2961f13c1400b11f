// Defocus blur of CIFAR-10-C: an anti-aliased disk kernel applied per channel,
// mirrored at the border like OpenCV's filter2D (BORDER_REFLECT_101).

import Foundation

extension Corruption {
    /// Defocus blur disk radii (pixels), severities 1–5: c₀ = [0.3, 0.4, 0.5, 1, 1.5].
    ///
    /// `y = clip(x ⋆ K, 0, 1)` per channel, `K = disk(c₀) ⋆ G₃(c₁)` (see `DefocusKernel`);
    /// c = [(0.3, 0.4), (0.4, 0.5), (0.5, 0.6), (1, 0.2), (1.5, 0.1)] as (radius, alias blur).
    /// Radii below 1 leave a one-pixel disk, so severities 1–3 are the 3×3 Gaussian alone.
    /// - Reference: make_cifar_c.py `defocus_blur` and `disk` (cv2.filter2D per channel).
    public static let defocusRadius: [Double] = [0.3, 0.4, 0.5, 1, 1.5]
    /// Defocus blur anti-aliasing Gaussian stds, severities 1–5: c₁ = [0.4, 0.5, 0.6, 0.2, 0.1].
    public static let defocusAliasBlur: [Double] = [0.4, 0.5, 0.6, 0.2, 0.1]
}

/// Defocus blur's kernel: the aliased disk `{(X, Y) ∈ [−8, 8]² : X² + Y² ≤ r²}`,
/// normalised to sum 1, then smoothed by a 3×3 Gaussian of std `aliasBlur`.
///
/// The 3-tap Gaussian is `g(i) ∝ exp(−i²/(2σ²))`, i ∈ {−1, 0, 1}, normalised
/// (OpenCV `getGaussianKernel(3, σ)`), applied to the 17×17 disk with mirrored
/// borders (`cv2.GaussianBlur`'s BORDER_REFLECT_101). Only the centre
/// `(2h+1)²`, `h = min(8, ⌊r⌋ + 1)`, can be non-zero and is kept.
/// - Reference: make_cifar_c.py `disk(radius, alias_blur)`, branch `radius ≤ 8`.
/// - Deviation: computed in Double (the reference's kernel is float32).
public struct DefocusKernel: Sendable, Equatable {
    /// The kernel spans `−halfWidth…halfWidth` in each direction.
    public let halfWidth: Int
    /// `(2·halfWidth + 1)²` weights, row-major, summing to 1.
    public let weights: [Double]

    public init(radius: Double, aliasBlur: Double) {
        precondition(radius >= 0 && radius <= 8, "defocus disk radius \(radius) outside 0...8 (the reference's small-disk branch)")
        precondition(aliasBlur > 0, "defocus alias blur \(aliasBlur) must be positive")
        let n = 17, r2 = radius * radius
        var disk = [Double](repeating: 0, count: n * n)
        for y in 0..<n {
            for x in 0..<n where Double((y - 8) * (y - 8) + (x - 8) * (x - 8)) <= r2 { disk[y * n + x] = 1 }
        }
        let total = disk.reduce(0, +)
        for i in disk.indices { disk[i] /= total }
        let e = exp(-1 / (2 * aliasBlur * aliasBlur))
        let g = [e / (1 + 2 * e), 1 / (1 + 2 * e), e / (1 + 2 * e)]
        // Separable 3×3 Gaussian: rows, then columns, mirrored at the 17×17 border.
        var rows = [Double](repeating: 0, count: n * n), blurred = rows
        for y in 0..<n {
            for x in 0..<n {
                var s = 0.0
                for d in -1...1 { s += g[d + 1] * disk[y * n + reflect101(x + d, n)] }
                rows[y * n + x] = s
            }
        }
        for y in 0..<n {
            for x in 0..<n {
                var s = 0.0
                for d in -1...1 { s += g[d + 1] * rows[reflect101(y + d, n) * n + x] }
                blurred[y * n + x] = s
            }
        }
        let h = min(8, Int(radius) + 1), side = 2 * h + 1
        halfWidth = h
        weights = (0..<(side * side)).map { i in blurred[(8 - h + i / side) * n + (8 - h + i % side)] }
    }

    /// `dst = quantize((src/255) ⋆ K)` for one `height × width` uint8 plane (correlation,
    /// mirrored border; K is symmetric, so it equals convolution).
    func filter(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, height: Int, width: Int) {
        let h = halfWidth, side = 2 * h + 1
        let rowAt = (0..<(height * side)).map { i in reflect101(i / side - h + i % side, height) }
        let colAt = (0..<(width * side)).map { i in reflect101(i / side - h + i % side, width) }
        for y in 0..<height {
            for x in 0..<width {
                var s = 0.0
                for dy in 0..<side {
                    let row = src + rowAt[y * side + dy] * width
                    for dx in 0..<side { s += weights[dy * side + dx] * Double(row[colAt[x * side + dx]]) }
                }
                dst[y * width + x] = quantize(s / 255)
            }
        }
    }
}

/// The index `p` mirrored into `0..<n` without repeating the edge (`dcb|abcd|cba`),
/// as OpenCV's `borderInterpolate(BORDER_REFLECT_101)`; folds repeatedly when `|p|` ≥ n.
func reflect101(_ p: Int, _ n: Int) -> Int {
    guard n > 1 else { return 0 }
    var q = p
    while q < 0 || q >= n { q = q < 0 ? -q : 2 * n - 2 - q }
    return q
}
