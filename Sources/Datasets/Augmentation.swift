// Per-sample augmentation fused with uint8 → normalised Float conversion:
// random-resized crop, random crop with padding, horizontal flip, small rotation,
// brightness/contrast.

import TensorCore
import Foundation

/// How the border is filled when cropping from a padded image.
public enum PadMode: String, Sendable, Codable {
    /// Black (uint8 0) border: torchvision `RandomCrop(padding:)`.
    case zero
    /// Mirror without repeating the edge: `F.pad(mode: "reflect")`, as in the AT code.
    case reflect
}

/// A per-sample augmentation recipe. Each sample draws, in this fixed order
/// and always all of them (so enabling one option never shifts another's
/// choices): crop dx, crop dy, flip, angle, brightness, contrast, then one word
/// seeding the random-resized crop's own generator (its attempt loop draws a
/// variable number of values, so it must not share the sample's stream).
///
/// Order of application: random-resized crop (uint8), then pad-crop and flip,
/// then rotation, brightness, contrast, then normalisation.
public struct Augmentation: Sendable, Equatable, Codable {
    /// Pixels of padding on each side before a random crop back to H×W (0 = no crop).
    public var cropPadding: Int
    public var padMode: PadMode
    /// Mirror left–right with probability ½.
    public var horizontalFlip: Bool
    /// Rotate by an angle uniform in ±this many degrees, bilinear, black fill (0 = off).
    public var maxRotationDegrees: Float
    /// Multiply by a factor uniform in [1 − b, 1 + b], clamp to [0, 1] (0 = off).
    public var brightness: Float
    /// Blend with the image's grey mean by a factor uniform in [1 − c, 1 + c] (0 = off).
    /// - Reference: torchvision `adjust_contrast` (ITU-R 601 grey, clamp).
    public var contrast: Float
    /// Random-resized crop with area fraction `s ~ U[this, 1]` and aspect
    /// `log r ~ U[log ¾, log ⁴⁄₃]`, resized back to H×W bilinear (0 = off;
    /// torchvision's ImageNet default is 0.08). See `RandomResizedCrop`.
    /// - Reference: torchvision.transforms.RandomResizedCrop(scale: (minScale, 1)).
    public var randomResizedCropMinScale: Float

    public init(cropPadding: Int = 0, padMode: PadMode = .zero, horizontalFlip: Bool = false,
                maxRotationDegrees: Float = 0, brightness: Float = 0, contrast: Float = 0,
                randomResizedCropMinScale: Float = 0) {
        self.cropPadding = cropPadding
        self.padMode = padMode
        self.horizontalFlip = horizontalFlip
        self.maxRotationDegrees = maxRotationDegrees
        self.brightness = brightness
        self.contrast = contrast
        self.randomResizedCropMinScale = randomResizedCropMinScale
    }

    enum CodingKeys: String, CodingKey {
        case cropPadding, padMode, horizontalFlip, maxRotationDegrees, brightness, contrast, randomResizedCropMinScale
    }

    /// Decodes; a recipe saved before `randomResizedCropMinScale` existed reads as 0 (off).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(cropPadding: try c.decode(Int.self, forKey: .cropPadding),
                  padMode: try c.decode(PadMode.self, forKey: .padMode),
                  horizontalFlip: try c.decode(Bool.self, forKey: .horizontalFlip),
                  maxRotationDegrees: try c.decode(Float.self, forKey: .maxRotationDegrees),
                  brightness: try c.decode(Float.self, forKey: .brightness),
                  contrast: try c.decode(Float.self, forKey: .contrast),
                  randomResizedCropMinScale: try c.decodeIfPresent(Float.self, forKey: .randomResizedCropMinScale) ?? 0)
    }

    /// No augmentation (evaluation).
    public static let none = Augmentation()
    /// The AT-paper CIFAR recipe: 4-px reflect padding, random 32×32 crop, flip
    /// (szagoruyko/attention-transfer cifar.py).
    public static let cifarStandard = Augmentation(cropPadding: 4, padMode: .reflect, horizontalFlip: true)

    var isPhotometric: Bool { maxRotationDegrees != 0 || brightness != 0 || contrast != 0 }

    /// Throws unless every field is in its domain for images of `height × width`.
    public func validate(height: Int, width: Int) throws {
        guard cropPadding >= 0, cropPadding < min(height, width) || cropPadding == 0 else {
            throw DatasetError(.invalidArgument, file: "augmentation",
                               "crop padding \(cropPadding) must be in 0..<\(min(height, width))")
        }
        guard (0...45).contains(maxRotationDegrees), (0..<1).contains(brightness), (0..<1).contains(contrast) else {
            throw DatasetError(.invalidArgument, file: "augmentation",
                               "rotation must be in 0...45°, brightness and contrast in [0, 1)")
        }
        guard (0..<1).contains(randomResizedCropMinScale) else {
            throw DatasetError(.invalidArgument, file: "augmentation",
                               "random-resized-crop min scale \(randomResizedCropMinScale) must be in [0, 1) "
                               + "(0 = off; 1 would never crop)")
        }
    }
}

/// The random choices for one sample.
struct SampleDraw {
    var dx = 0, dy = 0, flip = false, angle: Float = 0, brightness: Float = 1, contrast: Float = 1
    /// The random-resized crop's rectangle, nil when that option is off.
    var crop: CropRect?

    init(_ a: Augmentation, height: Int, width: Int, rng: inout SeededRNG) {
        let span = 2 * a.cropPadding + 1
        let rdx = rng.int(below: span), rdy = rng.int(below: span)
        let rflip = rng.next() & 1 == 1
        let rangle = rng.uniform(-1, 1), rb = rng.uniform(-1, 1), rc = rng.uniform(-1, 1)
        dx = rdx - a.cropPadding
        dy = rdy - a.cropPadding
        flip = a.horizontalFlip && rflip
        angle = rangle * a.maxRotationDegrees * .pi / 180
        brightness = 1 + rb * a.brightness
        contrast = 1 + rc * a.contrast
        var cropRNG = rng.split()
        if a.randomResizedCropMinScale > 0 {
            crop = RandomResizedCrop.sample(height: height, width: width, minScale: a.randomResizedCropMinScale,
                                            rng: &cropRNG)
        }
    }
}

/// Renders one sample: source `src` (uint8 CHW) → `dst` (Float CHW),
/// normalised through `lut` (`C × 256`, see `Normalization.lookupTable`).
///
/// `unitLUT` maps v → v/255 and `scratch` holds `2·C·H·W` Floats; both are
/// used only when a photometric option is on.
func renderSample(_ src: UnsafePointer<UInt8>, into dst: UnsafeMutablePointer<Float>,
                  channels: Int, height h: Int, width w: Int, augmentation a: Augmentation, draw d: SampleDraw,
                  lut: UnsafePointer<Float>, unitLUT: UnsafePointer<Float>,
                  normalization: Normalization, scratch: UnsafeMutablePointer<Float>) {
    let photometric = a.isPhotometric
    let table = photometric ? unitLUT : lut
    let out = photometric ? scratch : dst
    // Source column for each output column (−1: outside, zero fill).
    func sourceIndex(_ i: Int, _ n: Int) -> Int {
        if i >= 0 && i < n { return i }
        if a.padMode == .zero { return -1 }
        let r = i < 0 ? -i : 2 * n - 2 - i     // reflect; padding < n keeps r in range
        return min(max(r, 0), n - 1)
    }
    withUnsafeTemporaryAllocation(of: Int.self, capacity: w) { cols in
        for x in 0..<w { cols[x] = sourceIndex((d.flip ? w - 1 - x : x) + d.dx, w) }
        for c in 0..<channels {
            let t = table + c * 256
            let plane = src + c * h * w
            let o = out + c * h * w
            for y in 0..<h {
                let sy = sourceIndex(y + d.dy, h)
                let row = o + y * w
                if sy < 0 {
                    for x in 0..<w { row[x] = t[0] }
                    continue
                }
                let srow = plane + sy * w
                for x in 0..<w {
                    let sx = cols[x]
                    row[x] = sx < 0 ? t[0] : t[Int(srow[sx])]
                }
            }
        }
    }
    guard photometric else { return }

    let n = channels * h * w
    var img = scratch
    if d.angle != 0 {
        rotateBilinear(img, into: scratch + n, channels: channels, height: h, width: w, angle: d.angle)
        img = scratch + n
    }
    if d.brightness != 1 {
        for i in 0..<n { img[i] = min(max(img[i] * d.brightness, 0), 1) }
    }
    if d.contrast != 1 {
        let plane = h * w
        var grey: Float = 0
        if channels == 3 {
            for p in 0..<plane { grey += 0.299 * img[p] + 0.587 * img[plane + p] + 0.114 * img[2 * plane + p] }
            grey /= Float(plane)
        } else {
            for i in 0..<n { grey += img[i] }
            grey /= Float(n)
        }
        for i in 0..<n { img[i] = min(max((img[i] - grey) * d.contrast + grey, 0), 1) }
    }
    for c in 0..<channels {
        let m = normalization.mean[c], s = 1 / normalization.std[c]
        let base = c * h * w
        for k in 0..<(h * w) { dst[base + k] = (img[base + k] - m) * s }
    }
}

/// Rotates each plane by `angle` radians (counter-clockwise on screen) about
/// the image centre, bilinear, black (0) outside.
func rotateBilinear(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>,
                    channels: Int, height h: Int, width w: Int, angle: Float) {
    let cosA = cos(angle), sinA = sin(angle)
    let cx = Float(w - 1) / 2, cy = Float(h - 1) / 2
    for y in 0..<h {
        for x in 0..<w {
            // Inverse map: output (x, y) samples the source rotated back by −angle.
            let ux = Float(x) - cx, uy = Float(y) - cy
            let sx = cosA * ux - sinA * uy + cx
            let sy = sinA * ux + cosA * uy + cy
            let x0 = Int(sx.rounded(.down)), y0 = Int(sy.rounded(.down))
            let fx = sx - Float(x0), fy = sy - Float(y0)
            for c in 0..<channels {
                let p = src + c * h * w
                func at(_ yy: Int, _ xx: Int) -> Float {
                    (yy >= 0 && yy < h && xx >= 0 && xx < w) ? p[yy * w + xx] : 0
                }
                let top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx
                let bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx
                dst[c * h * w + y * w + x] = top * (1 - fy) + bottom * fy
            }
        }
    }
}
