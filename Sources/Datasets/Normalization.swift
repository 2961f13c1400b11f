// Per-channel mean/std normalisation: published constants and a routine that
// computes them from an ImageSet exactly (from per-channel histograms).

/// Per-channel affine normalisation `x' = (x/255 − mean[c]) / std[c]`.
///
/// A teacher checkpoint is only valid with the normalisation it was trained
/// with; record `mean`/`std` with every run.
public struct Normalization: Sendable, Equatable, Codable {
    /// Means in [0, 1] units, one per channel.
    public var mean: [Float]
    /// Standard deviations in [0, 1] units, one per channel.
    public var std: [Float]

    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count && std.allSatisfy { $0 > 0 }, "bad normalisation \(mean) / \(std)")
        self.mean = mean
        self.std = std
    }

    /// CIFAR-10 training-set statistics (exact, as in torchdistill configs).
    public static let cifar10 = Normalization(mean: [0.49139968, 0.48215841, 0.44653091],
                                              std: [0.24703223, 0.24348513, 0.26158784])
    /// ImageNet statistics (timm/data/constants.py), also used for Imagenette.
    public static let imagenet = Normalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
    /// No normalisation beyond scaling to [0, 1].
    public static let unit = Normalization(mean: [0, 0, 0], std: [1, 1, 1])

    /// A 256-entry lookup table per channel: `table[c·256 + v] = (v/255 − mean[c]) / std[c]`.
    public func lookupTable() -> [Float] {
        var t = [Float](repeating: 0, count: mean.count * 256)
        for c in 0..<mean.count {
            for v in 0..<256 { t[c * 256 + v] = (Float(v) / 255 - mean[c]) / std[c] }
        }
        return t
    }
}

extension ImageSet {
    /// Per-channel mean and (population) standard deviation of all pixels,
    /// in [0, 1] units, computed exactly from 256-bin histograms.
    /// NOTE: summing millions of Floats directly loses digits; histograms
    /// of integer counts followed by a Double reduction do not.
    public func channelStatistics() -> Normalization {
        let plane = height * width
        var hist = [Int](repeating: 0, count: channels * 256)
        pixels.withUnsafeBufferPointer { px in
            hist.withUnsafeMutableBufferPointer { h in
                for i in 0..<count {
                    for c in 0..<channels {
                        let base = px.baseAddress! + (i * channels + c) * plane
                        let hc = h.baseAddress! + c * 256
                        for k in 0..<plane { hc[Int(base[k])] &+= 1 }
                    }
                }
            }
        }
        var mean = [Float](), std = [Float]()
        for c in 0..<channels {
            var n = 0.0, s = 0.0, s2 = 0.0
            for v in 0..<256 {
                let k = Double(hist[c * 256 + v]), x = Double(v) / 255
                n += k; s += k * x; s2 += k * x * x
            }
            let m = n > 0 ? s / n : 0
            mean.append(Float(m))
            std.append(Float(max(s2 / max(n, 1) - m * m, 1e-12).squareRoot()))
        }
        return Normalization(mean: mean, std: std)
    }
}
