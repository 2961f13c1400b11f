// Resize-shorter-side + centre crop of decoded RGB images to CHW uint8,
// separable: area averaging when shrinking, bilinear when enlarging.

/// Sampling weights of one output axis: output `i` reads `weights[i]`
/// starting at source index `starts[i]`.
struct AxisWeights {
    var starts: [Int] = []
    var weights: [[Float]] = []

    /// Weights mapping a source axis of length `src` onto `dst` samples, of
    /// which outputs `offset ..< offset+count` are kept (the centre crop).
    ///
    /// Shrinking (`dst < src`): each output averages the source interval
    /// `[i·s, (i+1)·s)`, `s = src/dst`, weighting partial pixels by overlap
    /// (OpenCV INTER_AREA). Enlarging: bilinear with half-pixel centres
    /// (`align_corners = false`), edges clamped.
    init(src: Int, dst: Int, offset: Int, count: Int) {
        let s = Double(src) / Double(dst)
        for i in offset..<(offset + count) {
            if dst < src {
                let lo = Double(i) * s, hi = Double(i + 1) * s
                let first = Int(lo.rounded(.down)), last = min(src - 1, Int((hi - 1e-9).rounded(.down)))
                var w: [Float] = []
                for k in first...last {
                    let overlap = min(hi, Double(k + 1)) - max(lo, Double(k))
                    w.append(Float(overlap / s))
                }
                starts.append(first)
                weights.append(w)
            } else {
                let x = min(max((Double(i) + 0.5) * s - 0.5, 0), Double(src - 1))
                let x0 = Int(x.rounded(.down)), x1 = min(x0 + 1, src - 1)
                let f = Float(x - Double(x0))
                starts.append(x0)
                weights.append(x1 == x0 ? [1] : [1 - f, f])
            }
        }
    }
}

/// Resizes `image` so its shorter side is `resolution`, then cuts the
/// centred `resolution × resolution` square; returns CHW uint8 (3·R·R bytes).
///
/// The crop offset is `(long − R) / 2` rounded down (torchvision CenterCrop
/// rounds the same way); the long side scales to `round(long·R/short)`.
public func resizeShorterAndCenterCrop(_ image: RGBImage, resolution r: Int) -> [UInt8] {
    precondition(r > 0)
    let (w, h) = (image.width, image.height)
    let (newW, newH): (Int, Int) = w <= h
        ? (r, max(r, Int((Double(h) * Double(r) / Double(w)).rounded())))
        : (max(r, Int((Double(w) * Double(r) / Double(h)).rounded())), r)
    let xs = AxisWeights(src: w, dst: newW, offset: (newW - r) / 2, count: r)
    let ys = AxisWeights(src: h, dst: newH, offset: (newH - r) / 2, count: r)

    // Horizontal pass over every source row: tmp[y][x][c], Float.
    var tmp = [Float](repeating: 0, count: h * r * 3)
    var out = [UInt8](repeating: 0, count: 3 * r * r)
    image.pixels.withUnsafeBufferPointer { src in
        tmp.withUnsafeMutableBufferPointer { t in
            for y in 0..<h {
                let row = src.baseAddress! + y * w * 3
                for x in 0..<r {
                    var acc: (Float, Float, Float) = (0, 0, 0)
                    let s0 = xs.starts[x]
                    for (k, wk) in xs.weights[x].enumerated() {
                        let p = row + (s0 + k) * 3
                        acc.0 += wk * Float(p[0]); acc.1 += wk * Float(p[1]); acc.2 += wk * Float(p[2])
                    }
                    let o = (y * r + x) * 3
                    t[o] = acc.0; t[o + 1] = acc.1; t[o + 2] = acc.2
                }
            }
        }
    }
    // Vertical pass, writing CHW with rounding and clamping.
    tmp.withUnsafeBufferPointer { t in
        out.withUnsafeMutableBufferPointer { o in
            let plane = r * r
            for y in 0..<r {
                let s0 = ys.starts[y], wy = ys.weights[y]
                for x in 0..<r {
                    var acc: (Float, Float, Float) = (0, 0, 0)
                    for (k, wk) in wy.enumerated() {
                        let p = ((s0 + k) * r + x) * 3
                        acc.0 += wk * t[p]; acc.1 += wk * t[p + 1]; acc.2 += wk * t[p + 2]
                    }
                    let i = y * r + x
                    o[i] = UInt8(min(max(acc.0 + 0.5, 0), 255))
                    o[plane + i] = UInt8(min(max(acc.1 + 0.5, 0), 255))
                    o[2 * plane + i] = UInt8(min(max(acc.2 + 0.5, 0), 255))
                }
            }
        }
    }
    return out
}
