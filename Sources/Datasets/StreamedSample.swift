// One image of a split that is decoded as it is trained on (full ImageNet does not fit in memory):
// the ImageNet training and evaluation transforms, from the decoded JPEG to CHW uint8.

import TensorCore

/// The standard ImageNet transforms on a decoded image (HWC RGB, any size).
///
/// - Training: `RandomResizedCrop(r, scale=(minScale, 1), ratio=(3/4, 4/3))` of the whole image,
///   bilinear to r × r, then a horizontal flip with probability ½.
/// - Evaluation: `Resize(round(r·8/7))` of the shorter side, then `CenterCrop(r)` (256 → 224).
/// - Reference: torchvision `transforms.RandomResizedCrop`, `Resize`, `CenterCrop`; the AT repo's and
///   mdistiller's ImageNet loaders (PAPERS.md §5).
/// - Deviation: bilinear without antialiasing (torchvision ≥ 0.17 antialiases tensor downscaling by
///   default; PIL's bilinear always does) — the same resampler as the cached image-folder path.
public enum StreamedSample {
    /// torchvision's default lower bound of the crop's area fraction.
    public static let defaultMinScale: Float = 0.08

    /// The evaluation resize of the shorter side for an r-pixel input: 256 for 224.
    public static func evaluationResize(resolution r: Int) -> Int { Int((Double(r) * 8 / 7).rounded()) }

    /// CHW planes of an HWC image.
    static func planes(_ image: RGBImage) -> [UInt8] {
        let hw = image.width * image.height
        var out = [UInt8](repeating: 0, count: 3 * hw)
        image.pixels.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                for p in 0..<hw { o[p] = s[3 * p]; o[hw + p] = s[3 * p + 1]; o[2 * hw + p] = s[3 * p + 2] }
            }
        }
        return out
    }

    /// The training transform; every random choice comes from `rng`.
    public static func train(_ image: RGBImage, resolution r: Int, minScale: Float, flip: Bool,
                             rng: inout SeededRNG) -> [UInt8] {
        let crop = RandomResizedCrop.sample(height: image.height, width: image.width,
                                            minScale: minScale > 0 ? minScale : defaultMinScale, rng: &rng)
        let mirrored = flip && rng.next() & 1 == 1
        let src = planes(image)
        var out = [UInt8](repeating: 0, count: 3 * r * r)
        src.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                RandomResizedCrop.resizeCrop(s.baseAddress!, into: o.baseAddress!, channels: 3,
                                             height: image.height, width: image.width, crop: crop, outHeight: r, outWidth: r)
            }
        }
        if mirrored {
            for c in 0..<3 { for y in 0..<r { out[(c * r + y) * r..<(c * r + y + 1) * r].reverse() } }
        }
        return out
    }

    /// The evaluation transform (deterministic).
    public static func evaluate(_ image: RGBImage, resolution r: Int) -> [UInt8] {
        let s = evaluationResize(resolution: r)
        let square = resizeShorterAndCenterCrop(image, resolution: s)
        let off = (s - r) / 2
        var out = [UInt8](repeating: 0, count: 3 * r * r)
        for c in 0..<3 {
            for y in 0..<r {
                let from = (c * s + off + y) * s + off
                out[(c * r + y) * r..<(c * r + y + 1) * r] = square[from..<(from + r)]
            }
        }
        return out
    }
}
