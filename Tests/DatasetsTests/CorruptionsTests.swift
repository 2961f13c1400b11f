// The CIFAR-10-C corruptions: determinism, severity ordering, invariants, and
// hand-computed tiny cases for contrast, brightness, saturate and pixelate.

import Datasets
import Foundation
import TensorCore
import XCTest

/// One image from its channel planes (each `h·w` values).
func planeImage(_ planes: [[UInt8]], h: Int, w: Int) -> ImageSet {
    try! ImageSet(name: "planes", channels: planes.count, height: h, width: w, pixels: planes.flatMap { $0 },
                  labels: [0], classNames: ["a"])
}

/// `n` RGB images of one grey level.
func flatImages(_ value: UInt8, n: Int = 4, h: Int = 32, w: Int = 32) -> ImageSet {
    try! ImageSet(name: "flat", channels: 3, height: h, width: w, pixels: [UInt8](repeating: value, count: n * 3 * h * w),
                  labels: [Int](repeating: 0, count: n), classNames: ["a"])
}

/// Six 32×32 RGB images: two of uniform noise, a ramp, a diagonal ramp, a 2-px checkerboard, a disc.
func structuredImages() -> ImageSet {
    var rng = SeededRNG(seed: 5)
    var px: [UInt8] = []
    for i in 0..<6 {
        for c in 0..<3 {
            for y in 0..<32 {
                for x in 0..<32 {
                    switch i {
                    case 0, 1: px.append(UInt8(truncatingIfNeeded: rng.next()))
                    case 2: px.append(UInt8((x * 8 + c * 40) % 256))
                    case 3: px.append(UInt8(40 + (y * 5 + x * 2 + c * 30) % 180))
                    case 4: px.append(UInt8((x / 2 + y / 2) % 2 == 0 ? 30 + 60 * c : 220 - 50 * c))
                    default: px.append(UInt8((x - 16) * (x - 16) + (y - 16) * (y - 16) < 100 ? 200 : 50 + 20 * c))
                    }
                }
            }
        }
    }
    return try! ImageSet(name: "structured", channels: 3, height: 32, width: 32, pixels: px,
                         labels: [0, 1, 2, 0, 1, 2], classNames: ["a", "b", "c"])
}

/// Mean |a − b| over all bytes.
func meanAbsoluteChange(_ a: ImageSet, _ b: ImageSet) -> Double {
    zip(a.pixels, b.pixels).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(a.pixels.count)
}

/// Mean and population std of the bytes.
func meanStd(_ bytes: [UInt8]) -> (mean: Double, std: Double) {
    let m = bytes.reduce(0.0) { $0 + Double($1) } / Double(bytes.count)
    let v = bytes.reduce(0.0) { $0 + (Double($1) - m) * (Double($1) - m) } / Double(bytes.count)
    return (m, v.squareRoot())
}

final class CorruptionsTests: XCTestCase {
    func testSeverityOutsideOneToFiveThrows() {
        let set = flatImages(100, n: 1, h: 4, w: 4)
        for s in [0, 6, -1] {
            assertDatasetError(.invalidArgument, ["severity \(s)", "gaussian_noise", "1...5"]) {
                try Corruption.apply(.gaussianNoise, severity: s, to: set, seed: 0)
            }
        }
        assertDatasetError(.invalidArgument, ["brightness", "3-channel"]) {
            try Corruption.apply(.brightness, severity: 1, to: planeImage([[1, 2, 3, 4]], h: 2, w: 2), seed: 0)
        }
    }

    func testNamesParse() {
        XCTAssertEqual(Corruption(name: "gaussian_noise"), .gaussianNoise)
        XCTAssertEqual(Corruption(name: "defocusBlur"), .defocusBlur)
        XCTAssertEqual(Corruption(name: "jpeg"), .jpeg)
        XCTAssertEqual(Corruption(name: "jpeg_compression"), .jpeg)
        XCTAssertNil(Corruption(name: "fog"))
        XCTAssertFalse(Corruption.benchmark.contains(.saturate))
    }

    func testSameSeedSameBytesForAnyThreadCountAndOtherSeedOtherNoise() throws {
        let set = structuredImages()
        for c in Corruption.allCases {
            for s in [1, 5] {
                let a = try Corruption.apply(c, severity: s, to: set, seed: 7, threads: 1)
                let b = try Corruption.apply(c, severity: s, to: set, seed: 7, threads: 3)
                XCTAssertEqual(a.pixels, b.pixels, "\(c) severity \(s): threads changed the bytes")
                let other = try Corruption.apply(c, severity: s, to: set, seed: 8)
                if c.isRandom {
                    XCTAssertNotEqual(a.pixels, other.pixels, "\(c) severity \(s): seed ignored")
                } else {
                    XCTAssertEqual(a.pixels, other.pixels, "\(c) severity \(s): deterministic corruption used the seed")
                }
            }
        }
    }

    func testLabelsOrderAndShapeUnchanged() throws {
        let set = randomImageSet(7, h: 12, w: 10, classes: 3)
        for c in Corruption.allCases {
            let out = try Corruption.apply(c, severity: 3, to: set, seed: 1, threads: 2)
            XCTAssertEqual(out.labels, set.labels, "\(c)")
            XCTAssertEqual(out.classNames, set.classNames, "\(c)")
            XCTAssertEqual([out.channels, out.height, out.width], [3, 12, 10], "\(c)")
            XCTAssertEqual(out.pixels.count, set.pixels.count, "\(c)")
            XCTAssertNotEqual(out.pixels, set.pixels, "\(c) changed nothing")
        }
    }

    /// Saturate is left out: its constants desaturate at 1–2 and oversaturate at 3–5.
    func testChangeFromCleanGrowsWithSeverity() throws {
        let set = structuredImages()
        for c in Corruption.allCases where c != .saturate {
            let changes = try (1...5).map { try meanAbsoluteChange(Corruption.apply(c, severity: $0, to: set, seed: 3), set) }
            for s in 1..<5 {
                XCTAssertGreaterThan(changes[s], changes[s - 1], "\(c): mean |Δ| per severity \(changes)")
            }
        }
    }

    func testFlatImagesSurviveBlurContrastPixelateAndJPEG() throws {
        let set = flatImages(77, n: 1, h: 16, w: 16)
        for c in [Corruption.defocusBlur, .contrast, .pixelate] {
            for s in Corruption.severities {
                XCTAssertEqual(try Corruption.apply(c, severity: s, to: set, seed: 0).pixels, set.pixels, "\(c) \(s)")
            }
        }
        let jpeg = try Corruption.apply(.jpeg, severity: 5, to: set, seed: 0)
        XCTAssertLessThanOrEqual(meanAbsoluteChange(jpeg, set), 1)
    }

    /// (x − μ_c)·c + μ_c with one mean per channel: severity 2, c = 0.5.
    func testContrastHandComputedPerChannelMean() throws {
        let set = planeImage([[0, 100, 200, 100], [10, 10, 10, 10], [255, 255, 0, 0]], h: 2, w: 2)
        let out = try Corruption.apply(.contrast, severity: 2, to: set, seed: 0)
        // μ = 100, 10, 127.5: 127.5 ± 127.5·0.5 = 191.25 → 191, 63.75 → 64.
        XCTAssertEqual(out.pixels, [50, 100, 150, 100, 10, 10, 10, 10, 191, 191, 64, 64])
    }

    func testBrightnessOfGreyBlackAndColouredPixels() throws {
        // Pixels: grey 100, black, near-white grey 240, colour (200, 80, 40); planes R, G, B.
        let set = planeImage([[100, 0, 240, 200], [100, 0, 240, 80], [100, 0, 240, 40]], h: 2, w: 2)
        let s1 = try Corruption.apply(.brightness, severity: 1, to: set, seed: 0)   // V + 0.05 = V + 12.75/255
        XCTAssertEqual(s1.pixels, [113, 13, 253, 213, 113, 13, 253, 85, 113, 13, 253, 43])
        let s4 = try Corruption.apply(.brightness, severity: 4, to: set, seed: 0)   // V + 0.2 = V + 51/255
        // Colour: V 200 → 251, every channel × 251/200 (hue and saturation kept): 100.4, 50.2.
        XCTAssertEqual(s4.pixels, [151, 51, 255, 251, 151, 51, 255, 100, 151, 51, 255, 50])
    }

    func testSaturateHandComputed() throws {
        let set = planeImage([[100, 200], [100, 100], [100, 0]], h: 1, w: 2)
        // Severity 1 (S·0.3): grey stays; (200, 100, 0) has S = 1 → 0.3: x′ = 200 − 0.3·(200 − x).
        XCTAssertEqual(try Corruption.apply(.saturate, severity: 1, to: set, seed: 0).pixels, [100, 200, 100, 170, 100, 140])
        // Severity 4 (S·2 + 0.1): grey gets S′ = 0.1 at hue 0 → (100, 90, 90); the colour saturates fully.
        XCTAssertEqual(try Corruption.apply(.saturate, severity: 4, to: set, seed: 0).pixels, [100, 200, 90, 100, 90, 0])
    }

    /// PIL BOX, horizontal pass (rounded to uint8, half up) then vertical, then nearest back up.
    func testPixelateFourByFour() throws {
        let set = planeImage([[0, 10, 21, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150]], h: 4, w: 4)
        // Severity 5: ⌊4·0.65⌋ = 2. Rows → [5, 25.5→26], [45, 65], [85, 105], [125, 145];
        // columns → [25, 45.5→46], [105, 125] (the one-pass block mean 45.25 would give 45).
        XCTAssertEqual(try Corruption.apply(.pixelate, severity: 5, to: set, seed: 0).pixels,
                       [25, 25, 46, 46, 25, 25, 46, 46, 105, 105, 125, 125, 105, 105, 125, 125])
        // Severity 1: ⌊4·0.95⌋ = 3 takes samples {0}, {1, 2}, {3}; back up reads 0, 1, 1, 2.
        XCTAssertEqual(try Corruption.apply(.pixelate, severity: 1, to: set, seed: 0).pixels,
                       [0, 16, 16, 30, 60, 75, 75, 90, 60, 75, 75, 90, 120, 135, 135, 150])
    }

    /// Against OpenCV / scikit-image / Pillow (`CorruptionFixtures`): every byte equal,
    /// except where the reference's float result is a ½ tie (listed by the generator):
    /// there float rounding (the reference's float32 kernel, HSV round trip, pairwise
    /// mean) may send it to the other neighbour.
    func testMatchesTheReferenceLibrariesOnTheFixture() throws {
        let input = [UInt8](try XCTUnwrap(Data(base64Encoded: CorruptionFixtures.input)))
        let set = try ImageSet(name: "fixture", channels: 3, height: CorruptionFixtures.height,
                               width: CorruptionFixtures.width, pixels: input, labels: [0, 0], classNames: ["a"])
        XCTAssertEqual(Set(CorruptionFixtures.expected.keys),
                       ["defocus_blur", "contrast", "brightness", "saturate", "pixelate", "jpeg_compression"])
        for (name, severities) in CorruptionFixtures.expected.sorted(by: { $0.key < $1.key }) {
            let corruption = try XCTUnwrap(Corruption(rawValue: name))
            XCTAssertEqual(severities.count, 5, name)
            for (k, text) in severities.enumerated() {
                let expected = [UInt8](try XCTUnwrap(Data(base64Encoded: text)))
                let got = try Corruption.apply(corruption, severity: k + 1, to: set, seed: 0).pixels
                XCTAssertEqual(got.count, expected.count, name)
                let ties = Set(CorruptionFixtures.ties["\(name) \(k + 1)"] ?? [])
                let wrong = got.indices.filter { i in
                    let d = abs(Int(got[i]) - Int(expected[i]))
                    return d > 1 || (d == 1 && !ties.contains(i))
                }
                XCTAssertEqual(wrong.count, 0, "\(name) severity \(k + 1): bytes \(wrong.prefix(8)) are "
                               + "\(wrong.prefix(8).map { got[$0] }), expected \(wrong.prefix(8).map { expected[$0] })")
            }
        }
    }

    func testDefocusKernels() {
        for s in 0..<5 {
            let k = DefocusKernel(radius: Corruption.defocusRadius[s], aliasBlur: Corruption.defocusAliasBlur[s])
            XCTAssertEqual(k.weights.reduce(0, +), 1, accuracy: 1e-12)
        }
        // Severity 1: a one-pixel disk, so the 3×3 Gaussian alone: centre (1/(1 + 2e^{−1/(2·0.4²)}))².
        let k1 = DefocusKernel(radius: 0.3, aliasBlur: 0.4)
        XCTAssertEqual(k1.halfWidth, 1)
        XCTAssertEqual(k1.weights[4], pow(1 / (1 + 2 * exp(-3.125)), 2), accuracy: 1e-12)
        // Severity 4: the 5-pixel plus, barely smoothed (σ = 0.2).
        let k4 = DefocusKernel(radius: 1, aliasBlur: 0.2)
        for (i, w) in k4.weights.enumerated() {
            let (y, x) = (i / 5 - 2, i % 5 - 2)
            XCTAssertEqual(w, abs(y) + abs(x) <= 1 ? 0.2 : 0, accuracy: 1e-4, "(\(y), \(x))")
        }
        // Severity 5: the 3×3 box.
        let k5 = DefocusKernel(radius: 1.5, aliasBlur: 0.1)
        for (i, w) in k5.weights.enumerated() {
            XCTAssertEqual(w, max(abs(i / 5 - 2), abs(i % 5 - 2)) <= 1 ? 1.0 / 9 : 0, accuracy: 1e-9)
        }
    }

    /// On a flat grey 128 far from 0 and 255, the byte std is c·255 (plus ¹⁄₁₂ of rounding variance).
    func testGaussianNoiseStdIsCTimes255() throws {
        let set = flatImages(128)
        for s in Corruption.severities {
            let (mean, std) = meanStd(try Corruption.apply(.gaussianNoise, severity: s, to: set, seed: 11).pixels)
            let c = Corruption.gaussianNoiseStd[s - 1] * 255
            XCTAssertEqual(mean, 128, accuracy: 1, "severity \(s)")
            XCTAssertEqual(std, (c * c + 1.0 / 12).squareRoot(), accuracy: 0.03 * c, "severity \(s)")
        }
    }

    /// Poisson(x·c)/c: mean x, std √(x/c) in [0, 1] units — PTRS at λ ≥ 10, multiplication below.
    func testShotNoiseMeanAndStd() throws {
        for (value, severity) in [(UInt8(128), 1), (128, 5), (10, 5)] {
            let (mean, std) = meanStd(try Corruption.apply(.shotNoise, severity: severity, to: flatImages(value),
                                                           seed: 12).pixels)
            let c = Corruption.shotNoisePhotons[severity - 1], x = Double(value) / 255
            XCTAssertEqual(mean, Double(value), accuracy: 0.5, "x \(value) severity \(severity)")
            XCTAssertEqual(std, 255 * (x / c).squareRoot(), accuracy: 0.04 * 255 * (x / c).squareRoot(),
                           "x \(value) severity \(severity)")
        }
    }

    func testImpulseNoiseHitsTheRightFraction() throws {
        let out = try Corruption.apply(.impulseNoise, severity: 5, to: flatImages(128), seed: 13).pixels
        let salt = Double(out.filter { $0 == 255 }.count) / Double(out.count)
        let pepper = Double(out.filter { $0 == 0 }.count) / Double(out.count)
        XCTAssertEqual(out.filter { $0 != 128 && $0 != 0 && $0 != 255 }.count, 0)
        XCTAssertEqual(salt + pepper, 0.07, accuracy: 0.01)
        XCTAssertEqual(salt, pepper, accuracy: 0.01)
    }
}
