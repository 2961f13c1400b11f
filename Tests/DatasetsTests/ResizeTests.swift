import Datasets
import XCTest

final class ResizeTests: XCTestCase {
    func testConstantImageStaysConstant() {
        let img = RGBImage(width: 37, height: 53, pixels: [UInt8](repeating: 77, count: 37 * 53 * 3))
        for r in [8, 32, 64] {
            XCTAssertEqual(Set(resizeShorterAndCenterCrop(img, resolution: r)), [77], "resolution \(r)")
        }
    }

    func testHalvingAveragesTwoByTwoBlocks() {
        // 4×4 single-value-per-pixel image, R = G = B = x + 4y·10.
        var px: [UInt8] = []
        for y in 0..<4 { for x in 0..<4 { let v = UInt8(x * 10 + y * 40); px += [v, v, v] } }
        let out = resizeShorterAndCenterCrop(RGBImage(width: 4, height: 4, pixels: px), resolution: 2)
        // Block (0,0): values 0, 10, 40, 50 → 25.
        XCTAssertEqual(Array(out[0..<4]), [25, 45, 105, 125])
        XCTAssertEqual(Array(out[4..<8]), Array(out[0..<4]))     // G plane equals R plane
    }

    func testCentreCropOfWideImageTakesTheMiddle() {
        // 6×2 image whose columns are 0, 1, …, 5 (·40): resize to R = 2 keeps width 6, crop columns 2…3.
        var px: [UInt8] = []
        for _ in 0..<2 { for x in 0..<6 { let v = UInt8(x * 40); px += [v, v, v] } }
        let out = resizeShorterAndCenterCrop(RGBImage(width: 6, height: 2, pixels: px), resolution: 2)
        XCTAssertEqual(Array(out[0..<4]), [80, 120, 80, 120])
    }

    func testUpscalingIsBilinearAndBounded() {
        var px: [UInt8] = []
        for _ in 0..<2 { for x in 0..<2 { let v = UInt8(x * 200); px += [v, v, v] } }
        let out = resizeShorterAndCenterCrop(RGBImage(width: 2, height: 2, pixels: px), resolution: 4)
        // Half-pixel centres: columns sample x = −0.25 → 0, 0.25, 0.75, 1.25 → 1.
        XCTAssertEqual(Array(out[0..<4]), [0, 50, 150, 200])
    }
}
