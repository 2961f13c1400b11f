// The digital corruptions of CIFAR-10-C: pixelate (PIL box resize down and back up)
// and JPEG compression (TurboJPEG encode at a quality, decode back).

extension Corruption {
    /// Pixelate scale factors, severities 1–5.
    ///
    /// `y = box(box(x, ⌊W·c⌋ × ⌊H·c⌋), W × H)`; c = [0.95, 0.9, 0.85, 0.75, 0.65]
    /// (32 px → 30, 28, 27, 24, 20 px). See `boxResize` for PIL's BOX filter: an average
    /// when shrinking, nearest-pixel when enlarging.
    /// - Reference: make_cifar_c.py `pixelate` (`PIL.Image.resize(…, PIL.Image.BOX)` twice).
    /// - Deviation: ⌊W·c⌋ and ⌊H·c⌋ of the actual size (the reference hard-codes 32), at least 1.
    public static let pixelateFactor: [Double] = [0.95, 0.9, 0.85, 0.75, 0.65]

    /// JPEG qualities (libjpeg scale, 1–100), severities 1–5: c = [80, 65, 58, 50, 40].
    ///
    /// `y = decode(encode(x, quality c))`.
    /// - Reference: make_cifar_c.py `jpeg_compression` (`PIL.Image.save(…, 'JPEG', quality=c)`).
    /// - Deviation: `JPEGEncoder` writes 4:4:4 chroma; PIL's default for these qualities is
    ///   4:2:0, which also halves the chroma resolution (a somewhat stronger corruption).
    public static let jpegQuality: [Int] = [80, 65, 58, 50, 40]

    static func pixelate(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, channels: Int,
                         height: Int, width: Int, factor: Double) {
        let w2 = max(1, Int(Double(width) * factor)), h2 = max(1, Int(Double(height) * factor))
        let plane = height * width
        for c in 0..<channels {
            let small = boxResize(src + c * plane, height: height, width: width, toHeight: h2, toWidth: w2)
            let back = small.withUnsafeBufferPointer {
                boxResize($0.baseAddress!, height: h2, width: w2, toHeight: height, toWidth: width)
            }
            for k in 0..<plane { dst[c * plane + k] = back[k] }
        }
    }

    static func jpeg(_ src: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, height: Int, width: Int,
                     quality: Int, decoder: JPEGDecoder) throws {
        let plane = height * width
        var hwc = [UInt8](repeating: 0, count: plane * 3)
        for p in 0..<plane { for c in 0..<3 { hwc[p * 3 + c] = src[c * plane + p] } }
        let bytes = try JPEGEncoder.encode(RGBImage(width: width, height: height, pixels: hwc), quality: quality)
        let decoded = try decoder.decode(bytes, file: "jpeg_compression quality \(quality)")
        guard decoded.width == width, decoded.height == height else {
            throw DatasetError(.corrupt, file: "jpeg_compression quality \(quality)",
                               "decoded \(decoded.width)×\(decoded.height), encoded \(width)×\(height)")
        }
        for p in 0..<plane { for c in 0..<3 { dst[c * plane + p] = decoded.pixels[p * 3 + c] } }
    }
}

/// One uint8 plane resized with PIL's BOX filter: the horizontal pass, rounded to
/// uint8, then the vertical pass (`ImagingResample`'s order).
///
/// Along an axis of `n` → `m` samples, output `i` averages the inputs `j` whose
/// centres fall in its footprint, `i·n/m < j + ½ ≤ (i+1)·n/m`, when shrinking;
/// when enlarging (support ½ pixel) it copies input `⌊(i + ½)·n/m⌋`.
/// - Reference: Pillow `libImaging/Resample.c` (`box_filter`, `precompute_coeffs`,
///   8-bit fixed point with 22 fraction bits, rounding half up).
func boxResize(_ src: UnsafePointer<UInt8>, height: Int, width: Int, toHeight: Int, toWidth: Int) -> [UInt8] {
    let taps = (x: boxTaps(from: width, to: toWidth), y: boxTaps(from: height, to: toHeight))
    var rows = [UInt8](repeating: 0, count: height * toWidth)
    for y in 0..<height {
        for (x, t) in taps.x.enumerated() {
            var s = 0
            for j in t.first..<(t.first + t.count) { s += Int(src[y * width + j]) }
            rows[y * toWidth + x] = t.mean(s)
        }
    }
    var out = [UInt8](repeating: 0, count: toHeight * toWidth)
    for (y, t) in taps.y.enumerated() {
        for x in 0..<toWidth {
            var s = 0
            for j in t.first..<(t.first + t.count) { s += Int(rows[j * toWidth + x]) }
            out[y * toWidth + x] = t.mean(s)
        }
    }
    return out
}

/// The inputs one BOX output averages: `count` consecutive samples from `first`.
struct BoxTap {
    var first: Int
    var count: Int

    /// PIL's 8-bit arithmetic: weight `⌊2²²/count + ½⌋`, then `(2²¹ + Σ·w) >> 22`, clipped.
    /// NOTE: not `round(Σ/count)`: where 2²²/count is inexact an exact half can round down.
    func mean(_ sum: Int) -> UInt8 {
        let w = Int(0.5 + 1 / Double(count) * Double(1 << 22))
        return UInt8(min(255, ((1 << 21) + sum * w) >> 22))
    }
}

/// BOX taps mapping an axis of `n` samples onto `m` (see `boxResize`), in exact integers.
func boxTaps(from n: Int, to m: Int) -> [BoxTap] {
    (0..<m).map { i in
        if n <= m { return BoxTap(first: (2 * i + 1) * n / (2 * m), count: 1) }
        // Centres j + ½ in (i·n/m, (i+1)·n/m]  ⇔  2·i·n < (2j+1)·m ≤ 2·(i+1)·n.
        var first = (2 * i * n) / (2 * m)
        while (2 * first + 1) * m <= 2 * i * n { first += 1 }
        var last = first
        while last + 1 < n && (2 * (last + 1) + 1) * m <= 2 * (i + 1) * n { last += 1 }
        return BoxTap(first: first, count: last - first + 1)
    }
}
