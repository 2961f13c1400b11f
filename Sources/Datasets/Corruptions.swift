// Corruption: the common corruptions of CIFAR-10-C as pure, seeded functions of an
// ImageSet — the enum, the driver that applies one corruption × severity to every
// image, the per-image seeding and the final clip-and-round to uint8.

import Foundation
import TensorCore

/// A common corruption of CIFAR-10-C, applied at one of five severities.
///
/// Each case maps a clean uint8 image to a corrupted uint8 image of the same
/// size; the formulas and the five constants per case are in the case's own
/// file (`Corruptions+Noise`, `+Blur`, `+Color`, `+Digital`). Raw values are
/// the reference's function names (and CIFAR-10-C's `.npy` file names).
///
/// - Paper: Hendrycks & Dietterich, "Benchmarking Neural Network Robustness to
///   Common Corruptions and Perturbations", ICLR 2019, §3 (CIFAR-10-C: the 15
///   benchmark corruptions, 5 severities, plus 4 held-out ones incl. saturate).
/// - Reference: hendrycks/robustness `ImageNet-C/create_c/make_cifar_c.py`
///   (read at commit ca360085d578); every constant below is copied from it.
/// - Deviation: the reference stores `np.uint8(f(x))`, which *truncates* the
///   float result; we clip to [0, 255] and round to nearest (`quantize`), so
///   a corruption that leaves a value unchanged in exact arithmetic returns it
///   unchanged (truncation turns 99.999… into 99) and there is no −½ bias.
/// - Deviation: fog, frost, snow, spatter, glass/motion/zoom blur and elastic
///   transform are not implemented (they need ImageMagick's motion blur, frost
///   photographs or scipy's map_coordinates); `benchmark` is the 8 of the 15
///   benchmark corruptions that are.
public enum Corruption: String, CaseIterable, Sendable, Codable {
    case gaussianNoise = "gaussian_noise"
    case shotNoise = "shot_noise"
    case impulseNoise = "impulse_noise"
    case defocusBlur = "defocus_blur"
    case brightness
    case contrast
    case pixelate
    case jpeg = "jpeg_compression"
    /// Held out in the paper (one of the 4 extra corruptions), so not in `benchmark`.
    case saturate

    /// The severities every corruption defines.
    public static let severities = 1...5

    /// The implemented corruptions among CIFAR-10-C's 15 benchmark ones, in the
    /// reference's order (noise, blur, weather, digital).
    public static let benchmark: [Corruption] = allCases.filter { $0 != .saturate }

    /// The corruption called `name`: its raw value (`gaussian_noise`), its case
    /// name (`gaussianNoise`) or `jpeg`.
    public init?(name: String) {
        let key = name.trimmingCharacters(in: .whitespaces)
        if let c = Corruption(rawValue: key) { self = c; return }
        guard let c = Corruption.allCases.first(where: { "\($0)" == key }) else { return nil }
        self = c
    }

    /// Whether the corruption draws random numbers (so the seed matters).
    public var isRandom: Bool { [.gaussianNoise, .shotNoise, .impulseNoise].contains(self) }

    /// Whether the corruption needs RGB images (HSV or JPEG); the others act per channel.
    public var needsRGB: Bool { [.brightness, .saturate, .jpeg].contains(self) }

    /// `set` with every image corrupted at `severity` (1–5); same labels, order and size.
    ///
    /// Deterministic: image `i` draws from `Corruption.rng(seed:corruption:severity:index:)`,
    /// so the bytes do not depend on `threads`. Throws `DatasetError.invalidArgument`
    /// for a severity outside 1…5 or an RGB-only corruption of a non-RGB set.
    public static func apply(_ corruption: Corruption, severity: Int, to set: ImageSet, seed: UInt64,
                             threads: Int = 1) throws -> ImageSet {
        guard severities.contains(severity) else {
            throw DatasetError(.invalidArgument, file: set.name,
                               "severity \(severity) of \(corruption.rawValue) outside \(severities.lowerBound)...\(severities.upperBound)")
        }
        guard !corruption.needsRGB || set.channels == 3 else {
            throw DatasetError(.invalidArgument, file: set.name,
                               "\(corruption.rawValue) needs 3-channel RGB images, not \(set.channels) channels")
        }
        let n = set.count, per = set.imageBytes
        var out = [UInt8](repeating: 0, count: n * per)
        let workers = max(1, min(threads, n))
        var errors = [(Int, Error)?](repeating: nil, count: workers)
        let lock = NSLock()
        if n > 0 {
            set.pixels.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    nonisolated(unsafe) let s = src.baseAddress!, d = dst.baseAddress!
                    DispatchQueue.concurrentPerform(iterations: workers) { t in
                        var i = t
                        do {
                            let image = try ImageCorrupter(corruption, severity: severity, channels: set.channels,
                                                           height: set.height, width: set.width)
                            while i < n {
                                var rng = Corruption.rng(seed: seed, corruption: corruption, severity: severity, index: i)
                                try image.corrupt(s + i * per, into: d + i * per, rng: &rng)
                                i += workers
                            }
                        } catch {
                            lock.lock(); errors[t] = (i, error); lock.unlock()
                        }
                    }
                }
            }
        }
        if let (_, error) = errors.compactMap({ $0 }).min(by: { $0.0 < $1.0 }) { throw error }
        return try ImageSet(name: "\(set.name)+\(corruption.rawValue)-\(severity)", channels: set.channels,
                            height: set.height, width: set.width, pixels: out, labels: set.labels,
                            classNames: set.classNames)
    }

    /// The generator of image `index`: a pure function of (seed, corruption, severity, index).
    public static func rng(seed: UInt64, corruption: Corruption, severity: Int, index: Int) -> SeededRNG {
        // FNV-1a of the raw value: stable when cases are added or reordered.
        var name: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in corruption.rawValue.utf8 { name = (name ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        let m = SampleRandomness.mix
        return SeededRNG(seed: m(m(m(m(seed ^ corruptionTag) ^ name) ^ UInt64(severity))
                                 ^ UInt64(bitPattern: Int64(index))))
    }

    /// Keeps corruption streams apart from the augmentation streams of the same seed.
    static let corruptionTag: UInt64 = 0x434F_5252_5550_5421   // "CORRUPT!"
}

/// A [0, 1] intensity as the stored byte: `round(clip(v, 0, 1) · 255)`.
/// NOTE: rounding, not the reference's truncation (see `Corruption`); NaN maps to 0.
@inline(__always)
func quantize(_ v: Double) -> UInt8 {
    guard v > 0 else { return 0 }
    return UInt8(min(v, 1) * 255 + 0.5)
}

/// One worker's state for one corruption × severity (the JPEG decoder is per thread).
struct ImageCorrupter {
    let corruption: Corruption
    let severity: Int
    let channels: Int, height: Int, width: Int
    /// Defocus blur's kernel, built once per worker.
    let kernel: DefocusKernel?
    let decoder: JPEGDecoder?

    init(_ corruption: Corruption, severity: Int, channels: Int, height: Int, width: Int) throws {
        self.corruption = corruption
        self.severity = severity
        self.channels = channels; self.height = height; self.width = width
        let k = severity - 1
        kernel = corruption == .defocusBlur
            ? DefocusKernel(radius: Corruption.defocusRadius[k], aliasBlur: Corruption.defocusAliasBlur[k]) : nil
        decoder = corruption == .jpeg ? try JPEGDecoder() : nil
    }

    /// Writes the corrupted copy of the C·H·W image at `src` to `dst`.
    func corrupt(_ src: UnsafePointer<UInt8>, into dst: UnsafeMutablePointer<UInt8>, rng: inout SeededRNG) throws {
        let k = severity - 1, count = channels * height * width, plane = height * width
        switch corruption {
        case .gaussianNoise:
            Corruption.gaussianNoise(src, dst, count: count, std: Corruption.gaussianNoiseStd[k], rng: &rng)
        case .shotNoise:
            Corruption.shotNoise(src, dst, count: count, photons: Corruption.shotNoisePhotons[k], rng: &rng)
        case .impulseNoise:
            Corruption.impulseNoise(src, dst, count: count, amount: Corruption.impulseNoiseAmount[k], rng: &rng)
        case .defocusBlur:
            for c in 0..<channels {
                kernel!.filter(src + c * plane, dst + c * plane, height: height, width: width)
            }
        case .contrast:
            for c in 0..<channels {
                Corruption.contrast(src + c * plane, dst + c * plane, count: plane, factor: Corruption.contrastFactor[k])
            }
        case .brightness:
            Corruption.brightness(src, dst, plane: plane, shift: Corruption.brightnessShift[k])
        case .saturate:
            Corruption.saturate(src, dst, plane: plane, scale: Corruption.saturateScale[k],
                                shift: Corruption.saturateShift[k])
        case .pixelate:
            Corruption.pixelate(src, dst, channels: channels, height: height, width: width,
                                factor: Corruption.pixelateFactor[k])
        case .jpeg:
            try Corruption.jpeg(src, dst, height: height, width: width, quality: Corruption.jpegQuality[k],
                                decoder: decoder!)
        }
    }
}
