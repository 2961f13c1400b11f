// Random-resized crop: the rectangle sampler's ranges and fallback, the bilinear
// resize against hand-computed values, and the loader-level behaviour.

import Datasets
import Foundation
import TensorCore
import XCTest

final class RandomResizedCropTests: XCTestCase {
    /// `n` images of 3×h×w where pixel (y, x) is `f(image, y, x)` in every channel.
    func imageSet(_ n: Int, h: Int, w: Int, _ f: (Int, Int, Int) -> UInt8) throws -> ImageSet {
        var px: [UInt8] = []
        for i in 0..<n { for _ in 0..<3 { for y in 0..<h { for x in 0..<w { px.append(f(i, y, x)) } } } }
        return try ImageSet(name: "rrc", channels: 3, height: h, width: w, pixels: px,
                            labels: Array(repeating: 0, count: n), classNames: ["a"])
    }

    func loader(_ set: ImageSet, minScale: Float, seed: UInt64 = 0, threads: Int = 0,
                batchSize: Int = 1, extra: Augmentation = .none) throws -> BatchLoader {
        var aug = extra
        aug.randomResizedCropMinScale = minScale
        return try BatchLoader(images: set, batchSize: batchSize, shuffle: false, augmentation: aug,
                               normalization: .unit, seed: seed, threads: threads)
    }

    func testCropStaysInsideAndRespectsScaleAndAspectRanges() {
        for (h, w) in [(64, 64), (48, 64), (64, 40)] {
            let area = Double(h * w)
            for minScale: Float in [0.08, 0.35, 0.9] {
                var rng = SeededRNG(seed: 42)
                var fractions: [Double] = [], wider = 0, taller = 0
                for _ in 0..<2000 {
                    let r = RandomResizedCrop.sample(height: h, width: w, minScale: minScale, rng: &rng)
                    XCTAssertTrue(r.top >= 0 && r.left >= 0 && r.height > 0 && r.width > 0
                                  && r.top + r.height <= h && r.left + r.width <= w, "\(r) in \(h)×\(w)")
                    if r == RandomResizedCrop.fallback(height: h, width: w) { continue }
                    // w = round(√(A·s·r)), h = round(√(A·s/r)) with s ∈ [minScale, 1], r ∈ [¾, ⁴⁄₃]:
                    // the unrounded sides lie within ½ pixel of the rounded ones.
                    let (cw, ch) = (Double(r.width), Double(r.height))
                    XCTAssertGreaterThanOrEqual((cw + 0.5) * (ch + 0.5), Double(minScale) * area, "\(r)")
                    XCTAssertGreaterThanOrEqual((cw + 0.5) / (ch - 0.5), 3.0 / 4.0, "\(r)")
                    XCTAssertLessThanOrEqual((cw - 0.5) / (ch + 0.5), 4.0 / 3.0, "\(r)")
                    fractions.append(cw * ch / area)
                    if r.width > r.height { wider += 1 }
                    if r.height > r.width { taller += 1 }
                }
                // On the square 64×64 training images the draws span the range: small
                // crops near minScale, large ones near 1, both orientations.
                guard h == w else { continue }
                XCTAssertGreaterThan(fractions.count, 1000, "\(minScale)")
                XCTAssertLessThan(fractions.min()!, Double(minScale) + 0.05 * Double(1 - minScale) + 0.02)
                XCTAssertGreaterThan(fractions.max()!, 0.9)
                XCTAssertGreaterThan(wider, 50)
                XCTAssertGreaterThan(taller, 50)
            }
        }
    }

    func testFallbackIsTorchvisionCentreCrop() {
        // A 2×64 strip: every attempt needs h ≥ 3, so all 10 fail → centre crop
        // h = 2, w = round(2·4/3) = 3, left = (64 − 3)/2 = 30.
        var rng = SeededRNG(seed: 5)
        XCTAssertEqual(RandomResizedCrop.sample(height: 2, width: 64, minScale: 0.08, rng: &rng),
                       CropRect(top: 0, left: 30, height: 2, width: 3))
        XCTAssertEqual(RandomResizedCrop.fallback(height: 64, width: 2), CropRect(top: 30, left: 0, height: 3, width: 2))
        XCTAssertEqual(RandomResizedCrop.fallback(height: 64, width: 64), CropRect(top: 0, left: 0, height: 64, width: 64))
    }

    func testBilinearResizeMatchesHandValues() {
        // The 2×2 block [[0, 40], [80, 120]] at (1, 1) of a 4×4 image, enlarged to 4×4.
        // align_corners = false: source coords (i + ½)/2 − ½ = 0 (clamped), ¼, ¾, 1.
        var px = [UInt8](repeating: 255, count: 16)
        px[5] = 0; px[6] = 40; px[9] = 80; px[10] = 120
        let out = RandomResizedCrop.resize(px, channels: 1, height: 4, width: 4,
                                           crop: CropRect(top: 1, left: 1, height: 2, width: 2))
        let row0: [Float] = [0, 10, 30, 40], row1: [Float] = [80, 90, 110, 120]
        for (y, fy) in [Float(0), 0.25, 0.75, 1].enumerated() {
            for x in 0..<4 {
                let v = row0[x] + (row1[x] - row0[x]) * fy
                XCTAssertEqual(out[y * 4 + x], UInt8(v + 0.5), "(\(y), \(x))")
            }
        }
        // The whole image as the crop is the identity.
        XCTAssertEqual(RandomResizedCrop.resize(px, channels: 1, height: 4, width: 4,
                                                crop: CropRect(top: 0, left: 0, height: 4, width: 4)), px)
    }

    func testMinScaleNearOneIsAlmostIdentity() throws {
        var rng = SeededRNG(seed: 9)
        for _ in 0..<500 {
            let r = RandomResizedCrop.sample(height: 64, width: 64, minScale: 0.9999, rng: &rng)
            XCTAssertGreaterThanOrEqual(min(r.height, r.width), 63, "\(r)")
        }
        // On a smooth ramp a ≤1-pixel crop moves each value by at most ~one step.
        let set = try imageSet(16, h: 64, w: 64) { _, y, x in UInt8(2 * x + y) }
        let plain = try loader(set, minScale: 0, batchSize: 16).makeBatch(epoch: 0, batchIndex: 0).x.data
        let near = try loader(set, minScale: 0.9999, batchSize: 16).makeBatch(epoch: 0, batchIndex: 0).x.data
        var worst: Float = 0
        for k in 0..<plain.count { worst = max(worst, abs(plain[k] - near[k])) }
        XCTAssertLessThanOrEqual(worst, 3.01 / 255)
    }

    func testDeterministicForASeedAcrossThreadsAndResume() throws {
        let set = randomImageSet(24, h: 16, w: 16)
        let flipAndJitter = Augmentation(horizontalFlip: true, brightness: 0.2)
        let a = try loader(set, minScale: 0.08, seed: 3, batchSize: 8, extra: flipAndJitter)
        let b = try loader(set, minScale: 0.08, seed: 3, threads: 2, batchSize: 8, extra: flipAndJitter)
        let resumed = try b.epoch(1, startingAt: 1).map { $0.x.data }
        XCTAssertEqual(resumed.count, 2)
        for k in 1...2 { XCTAssertEqual(a.makeBatch(epoch: 1, batchIndex: k).x.data, resumed[k - 1]) }
        let other = try loader(set, minScale: 0.08, seed: 4, batchSize: 8, extra: flipAndJitter)
        XCTAssertNotEqual(a.makeBatch(epoch: 1, batchIndex: 0).x.data, other.makeBatch(epoch: 1, batchIndex: 0).x.data)
    }

    func testEnablingCropDoesNotShiftOtherChoices() throws {
        // Flip decisions on a constant image are invisible, so use brightness: with a
        // constant image the crop changes nothing and the brightness factor must match.
        let set = try imageSet(8, h: 16, w: 16) { _, _, _ in 100 }
        let bright = Augmentation(brightness: 0.5)
        let without = try loader(set, minScale: 0, batchSize: 8, extra: bright).makeBatch(epoch: 0, batchIndex: 0)
        let with = try loader(set, minScale: 0.08, batchSize: 8, extra: bright).makeBatch(epoch: 0, batchIndex: 0)
        XCTAssertEqual(without.x.data, with.x.data)
    }

    func testConstantImageStaysConstant() throws {
        let set = try imageSet(32, h: 64, w: 64) { _, _, _ in 77 }
        let x = try loader(set, minScale: 0.08, batchSize: 32).makeBatch(epoch: 0, batchIndex: 0).x.data
        XCTAssertTrue(x.allSatisfy { $0 == Float(77) / 255 })
    }

    func testHalfBlackHalfWhiteImageGivesVariedCrops() throws {
        let n = 32, side = 64, plane = side * side
        let set = try imageSet(n, h: side, w: side) { _, _, x in x < side / 2 ? 0 : 255 }
        let x = try loader(set, minScale: 0.08, batchSize: n).makeBatch(epoch: 0, batchIndex: 0).x.data
        var means: [Float] = [], distinct = Set<[Float]>()
        for i in 0..<n {
            let img = Array(x[(i * 3 * plane)..<(i * 3 * plane + plane)])
            distinct.insert(img)
            means.append(img.reduce(0, +) / Float(plane))
            // Every row is the same left-to-right step: the crop only moves and stretches it.
            for y in 1..<side { XCTAssertEqual(Array(img[(y * side)..<(y * side + side)]), Array(img[0..<side])) }
            // Monotone non-decreasing left to right.
            for c in 1..<side { XCTAssertGreaterThanOrEqual(img[c], img[c - 1]) }
        }
        XCTAssertGreaterThan(distinct.count, n / 2)
        XCTAssertTrue(means.contains { $0 < 0.25 } && means.contains { $0 > 0.75 }, "\(means)")
    }

    func testValidationRejectsOutOfRangeMinScale() throws {
        let set = randomImageSet(1)
        for bad: Float in [-0.1, 1, 1.5, .nan] {
            XCTAssertThrowsError(try loader(set, minScale: bad), "\(bad)") { error in
                XCTAssertTrue("\(error)".contains("random-resized-crop"), "\(error)")
            }
        }
        XCTAssertNoThrow(try loader(set, minScale: 0))
        XCTAssertNoThrow(try loader(set, minScale: 0.999))
    }

    func testDecodingARecipeWithoutTheFieldLeavesItOff() throws {
        let json = #"{"cropPadding":4,"padMode":"reflect","horizontalFlip":true,"maxRotationDegrees":0,"brightness":0,"contrast":0}"#
        let a = try JSONDecoder().decode(Augmentation.self, from: Data(json.utf8))
        XCTAssertEqual(a, .cifarStandard)
        var b = a
        b.randomResizedCropMinScale = 0.08
        XCTAssertEqual(try JSONDecoder().decode(Augmentation.self, from: JSONEncoder().encode(b)), b)
    }
}
