import Datasets
import TensorCore
import XCTest

final class AugmentationTests: XCTestCase {
    /// The single image of `set` as Float planes through a loader with `aug`.
    func render(_ set: ImageSet, _ aug: Augmentation, seed: UInt64 = 0,
                norm: Normalization = .unit) throws -> [Float] {
        try BatchLoader(images: set, batchSize: 1, shuffle: false, augmentation: aug, normalization: norm,
                        seed: seed, threads: 0).makeBatch(epoch: 0, batchIndex: 0).x.data
    }

    func testNoAugmentationIsPlainNormalisation() throws {
        let set = randomImageSet(1)
        let x = try render(set, .none, norm: .cifar10)
        for k in [0, 70, 130, 191] {
            let c = k / 64
            let expected = (Float(set.pixels[k]) / 255 - Normalization.cifar10.mean[c]) / Normalization.cifar10.std[c]
            XCTAssertEqual(x[k], expected, accuracy: 1e-6)
        }
    }

    func testFlipMirrorsEveryRow() throws {
        let set = randomImageSet(1)
        let plain = try render(set, .none)
        // Find a seed whose draw flips (probability ½ each).
        var flipped: [Float]?
        for seed in 0..<16 as Range<UInt64> {
            let x = try render(set, Augmentation(horizontalFlip: true), seed: seed)
            if x != plain { flipped = x; break }
        }
        let f = try XCTUnwrap(flipped)
        for c in 0..<3 { for y in 0..<8 { for x in 0..<8 {
            XCTAssertEqual(f[c * 64 + y * 8 + x], plain[c * 64 + y * 8 + 7 - x])
        } } }
    }

    func testCropIsAShiftWithZeroOrReflectBorder() throws {
        let set = randomImageSet(1)
        let plain = try render(set, .none)
        for mode in [PadMode.zero, .reflect] {
            for seed in 0..<8 as Range<UInt64> {
                let x = try render(set, Augmentation(cropPadding: 2, padMode: mode), seed: seed)
                // Recover the shift: some (dx, dy) in −2…2 must explain every pixel.
                var explained = false
                for dy in -2...2 { for dx in -2...2 where !explained {
                    var ok = true
                    for y in 0..<8 { for xx in 0..<8 where ok {
                        var sy = y + dy, sx = xx + dx
                        var v: Float = 0
                        if mode == .reflect {
                            sy = sy < 0 ? -sy : (sy > 7 ? 14 - sy : sy); sx = sx < 0 ? -sx : (sx > 7 ? 14 - sx : sx)
                        }
                        if (0..<8).contains(sy) && (0..<8).contains(sx) { v = plain[sy * 8 + sx] }
                        ok = x[y * 8 + xx] == v
                    } }
                    explained = ok
                } }
                XCTAssertTrue(explained, "mode \(mode) seed \(seed)")
            }
        }
    }

    func testRotationKeepsConstantInteriorAndZeroRotationIsIdentity() throws {
        let grey = try ImageSet(name: "grey", channels: 3, height: 16, width: 16,
                                pixels: [UInt8](repeating: 255, count: 768), labels: [0], classNames: ["a"])
        let x = try render(grey, Augmentation(maxRotationDegrees: 15), seed: 3)
        XCTAssertEqual(x[8 * 16 + 8], 1, accuracy: 1e-5)          // centre unchanged
        XCTAssertTrue(x.allSatisfy { $0 >= 0 && $0 <= 1 + 1e-6 })
        XCTAssertLessThan(x[0], 1)                                 // a corner rotates out → black fill blends in
        let set = randomImageSet(1)
        let jitterFree = try render(set, Augmentation(brightness: 0, contrast: 0))
        XCTAssertEqual(jitterFree, try render(set, .none))
    }

    func testBrightnessAndContrastStayInRangeAndAreDeterministic() throws {
        let set = randomImageSet(1)
        let aug = Augmentation(brightness: 0.4, contrast: 0.4)
        let a = try render(set, aug, seed: 11), b = try render(set, aug, seed: 11)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, try render(set, .none))
        XCTAssertTrue(a.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    func testEnablingAnOptionDoesNotShiftOtherChoices() throws {
        let set = randomImageSet(1)
        let cropOnly = try render(set, Augmentation(cropPadding: 2, padMode: .zero), seed: 7)
        let cropAndBright = try render(set, Augmentation(cropPadding: 2, padMode: .zero, brightness: 0.0001), seed: 7)
        for k in 0..<cropOnly.count { XCTAssertEqual(cropOnly[k], cropAndBright[k], accuracy: 1e-3) }
    }
}
