// The photometric corruptions of CIFAR-10-C: contrast (per channel), and brightness
// and saturation, which the reference edits in HSV and we edit in closed form in RGB.

extension Corruption {
    /// Contrast factors, severities 1–5.
    ///
    /// `y = clip((x − μ_c)·c + μ_c, 0, 1)`, μ_c the mean of channel c over the image's
    /// H×W pixels; c = [0.75, 0.5, 0.4, 0.3, 0.15].
    /// - Reference: make_cifar_c.py `contrast` (`np.mean(x, axis=(0, 1))` on an H×W×3
    ///   image: one mean per channel, not one over all values).
    public static let contrastFactor: [Double] = [0.75, 0.5, 0.4, 0.3, 0.15]

    /// Brightness shifts of V (HSV value, [0, 1]), severities 1–5.
    ///
    /// `V′ = clip(V + c, 0, 1)` with H and S kept; c = [0.05, 0.1, 0.15, 0.2, 0.3].
    /// In RGB: with V = max(r, g, b), every channel of an HSV colour is V times a
    /// function of (H, S), so `x′ = x·V′/V` (and `x′ = V′` for black, where S = H = 0).
    /// - Reference: make_cifar_c.py `brightness` (skimage `rgb2hsv`, edit, `hsv2rgb`).
    /// - Deviation: the closed form, not the HSV round trip: equal in exact arithmetic,
    ///   different only in float rounding.
    public static let brightnessShift: [Double] = [0.05, 0.1, 0.15, 0.2, 0.3]

    /// Saturation scales a, severities 1–5 (with `saturateShift` b).
    ///
    /// `S′ = clip(S·a + b, 0, 1)` with H and V kept; (a, b) = [(0.3, 0), (0.1, 0),
    /// (1.5, 0), (2, 0.1), (2.5, 0.2)] — desaturating at 1–2, oversaturating at 3–5, so
    /// the pixel change is *not* monotone in severity. In RGB, with Δ = max − min:
    /// `x′ = V − S′·V·(V − x)/Δ`; a grey pixel (Δ = 0, hue 0 in skimage) becomes
    /// `(V, V(1 − S′), V(1 − S′))`: reddish where b > 0, as in the reference.
    /// - Reference: make_cifar_c.py `saturate` (skimage HSV).
    /// - Deviation: the closed form, not the HSV round trip (equal in exact arithmetic).
    public static let saturateScale: [Double] = [0.3, 0.1, 1.5, 2, 2.5]
    /// Saturation shifts b, severities 1–5: [0, 0, 0, 0.1, 0.2].
    public static let saturateShift: [Double] = [0, 0, 0, 0.1, 0.2]

    static func contrast(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, count: Int,
                         factor: Double) {
        var sum = 0
        for k in 0..<count { sum += Int(src[k]) }
        let mean = Double(sum) / Double(count) / 255
        for k in 0..<count { dst[k] = quantize((Double(src[k]) / 255 - mean) * factor + mean) }
    }

    /// RGB planes at `src`, `src + plane`, `src + 2·plane`.
    static func brightness(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, plane: Int,
                           shift: Double) {
        for p in 0..<plane {
            let r = Double(src[p]) / 255, g = Double(src[p + plane]) / 255, b = Double(src[p + 2 * plane]) / 255
            let v = max(r, g, b), v2 = min(max(v + shift, 0), 1)
            // NOTE: black has no hue: the reference's hsv2rgb gives (V′, V′, V′), not 0·V′/0.
            let (r2, g2, b2) = v > 0 ? (r * v2 / v, g * v2 / v, b * v2 / v) : (v2, v2, v2)
            dst[p] = quantize(r2); dst[p + plane] = quantize(g2); dst[p + 2 * plane] = quantize(b2)
        }
    }

    static func saturate(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, plane: Int,
                         scale: Double, shift: Double) {
        for p in 0..<plane {
            let r = Double(src[p]) / 255, g = Double(src[p + plane]) / 255, b = Double(src[p + 2 * plane]) / 255
            let v = max(r, g, b), delta = v - min(r, g, b)
            if delta > 0 {
                let s2 = min(max(delta / v * scale + shift, 0), 1), f = s2 * v / delta
                dst[p] = quantize(v - f * (v - r))
                dst[p + plane] = quantize(v - f * (v - g))
                dst[p + 2 * plane] = quantize(v - f * (v - b))
            } else {
                // NOTE: grey: S = 0 and skimage sets H = 0 (red), so S′ = clip(b) tints it red.
                let s2 = min(max(shift, 0), 1)
                dst[p] = quantize(v)
                dst[p + plane] = quantize(v * (1 - s2))
                dst[p + 2 * plane] = quantize(v * (1 - s2))
            }
        }
    }
}
