// ImageNet-style random-resized crop: torchvision's crop-rectangle sampler and the
// bilinear resize of that crop back to the image's H×W, on uint8 CHW planes.

import Foundation
import TensorCore

/// A crop rectangle in pixels: rows `top ..< top + height`, columns `left ..< left + width`.
public struct CropRect: Sendable, Equatable, CustomStringConvertible {
    public var top: Int, left: Int, height: Int, width: Int

    public init(top: Int, left: Int, height: Int, width: Int) {
        self.top = top
        self.left = left
        self.height = height
        self.width = width
    }

    public var description: String { "(\(top), \(left)) \(height)×\(width)" }
}

/// Random-resized crop: a random sub-rectangle of random area and aspect, resized
/// back to the full image size.
///
/// For an `H × W` image (area `A = H·W`), up to 10 attempts draw
/// `s ~ U[minScale, 1]` and `log r ~ U[log ¾, log ⁴⁄₃]` and set
/// `w = round(√(A·s·r))`, `h = round(√(A·s / r))` (round half to even, as
/// Python's `round`); the first attempt with `0 < w ≤ W` and `0 < h ≤ H` takes
/// `top ~ U{0…H−h}`, `left ~ U{0…W−w}`. If all 10 fail, the fallback is the
/// centred crop of the whole image clipped to the aspect range
/// (`W/H < ¾`: `w = W`, `h = round(w / ¾)`; `W/H > ⁴⁄₃`: `h = H`, `w = round(h·⁴⁄₃)`;
/// else the whole image), at `top = (H−h)/2`, `left = (W−w)/2` rounded down.
/// The crop is then resized to `H × W`, bilinear with half-pixel centres
/// (`align_corners = false`, source index `(i + ½)·crop/H − ½`, clamped at the edges).
///
/// - Reference: torchvision.transforms.RandomResizedCrop (`get_params`, and
///   `F.resized_crop` with `InterpolationMode.BILINEAR`), default
///   `ratio = (3/4, 4/3)`, `scale = (minScale, 1)`.
/// - Deviation: no antialiasing (the crop is never larger than the image, so
///   the resize only enlarges and antialiasing would change nothing); the
///   result is rounded to uint8, as torchvision does on PIL or uint8 images.
///   The draws come from our `SeededRNG`, not torch's generator, so the
///   rectangles follow the same distribution but are not the same numbers.
public enum RandomResizedCrop {
    /// The aspect-ratio range `(w/h)`, torchvision's default `ratio`.
    public static let minAspect = 3.0 / 4.0, maxAspect = 4.0 / 3.0
    /// Attempts before the centre-crop fallback (torchvision: 10).
    public static let attempts = 10

    /// Draws the crop rectangle for an image of `height × width`.
    ///
    /// The number of values drawn from `rng` varies with the attempts taken.
    public static func sample(height: Int, width: Int, minScale: Float, rng: inout SeededRNG) -> CropRect {
        precondition(height > 0 && width > 0 && minScale >= 0 && minScale < 1)
        let area = Double(height * width)
        let logLo = log(minAspect), logHi = log(maxAspect)
        func unit() -> Double { Double(rng.next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }   // 53 bits, [0, 1)
        for _ in 0..<attempts {
            let target = area * (Double(minScale) + (1 - Double(minScale)) * unit())
            let ratio = exp(logLo + (logHi - logLo) * unit())
            let w = Int((target * ratio).squareRoot().rounded(.toNearestOrEven))
            let h = Int((target / ratio).squareRoot().rounded(.toNearestOrEven))
            if w > 0 && w <= width && h > 0 && h <= height {
                let top = rng.int(below: height - h + 1)
                let left = rng.int(below: width - w + 1)
                return CropRect(top: top, left: left, height: h, width: w)
            }
        }
        return fallback(height: height, width: width)
    }

    /// torchvision's fallback: the centred crop clipped to the aspect range.
    public static func fallback(height: Int, width: Int) -> CropRect {
        let inRatio = Double(width) / Double(height)
        var w = width, h = height
        if inRatio < minAspect {
            h = Int((Double(w) / minAspect).rounded(.toNearestOrEven))
        } else if inRatio > maxAspect {
            w = Int((Double(h) * maxAspect).rounded(.toNearestOrEven))
        }
        return CropRect(top: (height - h) / 2, left: (width - w) / 2, height: h, width: w)
    }

    /// Resizes `crop` of each CHW uint8 plane in `pixels` back to `height × width`.
    public static func resize(_ pixels: [UInt8], channels: Int, height: Int, width: Int, crop: CropRect) -> [UInt8] {
        precondition(pixels.count == channels * height * width)
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                resizeCrop(s.baseAddress!, into: o.baseAddress!, channels: channels, height: height, width: width,
                           crop: crop)
            }
        }
        return out
    }

    /// Bilinear taps of one output axis of length `n` reading `count` source
    /// samples from `offset`: lower index (absolute) and weight of the upper one.
    static func taps(n: Int, offset: Int, count: Int) -> (lo: [Int], hi: [Int], f: [Float]) {
        var lo = [Int](repeating: 0, count: n), hi = lo, f = [Float](repeating: 0, count: n)
        let scale = Double(count) / Double(n)
        for i in 0..<n {
            // NOTE: torch clamps negative source coordinates to 0 before flooring
            // (area_pixel_compute_source_index); without it edge pixels extrapolate.
            let x = max((Double(i) + 0.5) * scale - 0.5, 0)
            let x0 = min(Int(x.rounded(.down)), count - 1)
            lo[i] = offset + x0
            hi[i] = offset + min(x0 + 1, count - 1)
            f[i] = Float(x - Double(x0))
        }
        return (lo, hi, f)
    }

    /// `resize` on raw planes; `src` and `dst` must not overlap.
    /// `crop` of each h × w source plane, bilinear to `outHeight × outWidth` (default: h × w).
    static func resizeCrop(_ src: UnsafePointer<UInt8>, into dst: UnsafeMutablePointer<UInt8>,
                           channels: Int, height h: Int, width w: Int, crop: CropRect,
                           outHeight: Int? = nil, outWidth: Int? = nil) {
        let oh = outHeight ?? h, ow = outWidth ?? w
        let xs = taps(n: ow, offset: crop.left, count: crop.width)
        let ys = taps(n: oh, offset: crop.top, count: crop.height)
        for c in 0..<channels {
            let plane = src + c * h * w
            let o = dst + c * oh * ow
            for y in 0..<oh {
                let r0 = plane + ys.lo[y] * w, r1 = plane + ys.hi[y] * w, fy = ys.f[y]
                for x in 0..<ow {
                    let x0 = xs.lo[x], x1 = xs.hi[x], fx = xs.f[x]
                    // a + (b − a)·f keeps a constant image exactly constant.
                    let top = Float(r0[x0]) + (Float(r0[x1]) - Float(r0[x0])) * fx
                    let bottom = Float(r1[x0]) + (Float(r1[x1]) - Float(r1[x0])) * fx
                    let v = top + (bottom - top) * fy
                    o[y * ow + x] = UInt8(min(max(v + 0.5, 0), 255))
                }
            }
        }
    }
}
