import XCTest
import TensorCore
import Datasets

/// The ImageNet transforms of streamed image folders, checked on images whose answer is known
/// without running the code under test.
final class StreamedSampleTests: XCTestCase {
    /// An HWC image whose pixel (x, y) has channels (x mod 256, y mod 256, 7).
    func coordinates(width: Int, height: Int) -> RGBImage {
        var px = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                px[(y * width + x) * 3] = UInt8(x % 256); px[(y * width + x) * 3 + 1] = UInt8(y % 256); px[(y * width + x) * 3 + 2] = 7
            }
        }
        return RGBImage(width: width, height: height, pixels: px)
    }

    func testEvaluationIsResize256ThenCentreCrop224() {
        XCTAssertEqual(StreamedSample.evaluationResize(resolution: 224), 256)
        XCTAssertEqual(StreamedSample.evaluationResize(resolution: 64), 73)
        // Shorter side already 256: the resize is the identity, so the result is the pixels of rows
        // 16 ..< 240 and columns (300 − 256)/2 + 16 = 38 ..< 262 of the source.
        let out = StreamedSample.evaluate(coordinates(width: 300, height: 256), resolution: 224)
        XCTAssertEqual(out.count, 3 * 224 * 224)
        for (y, x) in [(0, 0), (0, 223), (111, 57), (223, 223)] {
            XCTAssertEqual(out[y * 224 + x], UInt8((38 + x) % 256), "red = source column at (\(y), \(x))")
            XCTAssertEqual(out[224 * 224 + y * 224 + x], UInt8(16 + y), "green = source row at (\(y), \(x))")
            XCTAssertEqual(out[2 * 224 * 224 + y * 224 + x], 7)
        }
    }

    func testTrainingCropIsSeededResizedAndSometimesMirrored() {
        let image = coordinates(width: 200, height: 160)
        var flipped = 0
        for seed in 0..<16 {
            var a = SeededRNG(seed: UInt64(seed)), b = SeededRNG(seed: UInt64(seed))
            let out = StreamedSample.train(image, resolution: 32, minScale: 0.08, flip: true, rng: &a)
            XCTAssertEqual(out, StreamedSample.train(image, resolution: 32, minScale: 0.08, flip: true, rng: &b), "same seed, same sample")
            XCTAssertEqual(out.count, 3 * 32 * 32)
            // Red is the source column: monotone along each row, rising unless mirrored.
            let row = Array(out[(5 * 32)..<(6 * 32)])
            if row.first! > row.last! { flipped += 1; XCTAssertEqual(row, row.sorted(by: >)) } else { XCTAssertEqual(row, row.sorted()) }
            // Green is the source row: constant along a row, monotone down a column.
            XCTAssertEqual(Set(out[(32 * 32 + 5 * 32)..<(32 * 32 + 6 * 32)]).count, 1)
            XCTAssertEqual(Set(out[(2 * 32 * 32)...]), [7])
        }
        XCTAssert((3...13).contains(flipped), "a fair coin over 16 seeds flipped \(flipped)")
        var rng = SeededRNG(seed: 1)
        let plain = StreamedSample.train(image, resolution: 32, minScale: 0.08, flip: false, rng: &rng)
        XCTAssertLessThan(plain[5 * 32], plain[5 * 32 + 31], "flip off never mirrors")
    }
}
