import XCTest
import Reports

final class MeanStdTests: XCTestCase {
    func testMeanAndSampleStdByHand() {
        let s = MeanStd([0.80, 0.84, 0.86])
        // mean 0.8333…, deviations −0.0333, 0.0067, 0.0267 → Σd² = 0.001867, /2 → std 0.030551
        XCTAssertEqual(s.mean!, 0.833333, accuracy: 1e-6)
        XCTAssertEqual(s.std!, 0.0305505, accuracy: 1e-6)
        XCTAssertEqual(s.formatted(), "83.33 ± 3.06")
    }

    func testOneValueHasNoStdAndNoneIsADash() {
        XCTAssertNil(MeanStd([0.5]).std)
        XCTAssertEqual(MeanStd([0.5]).formatted(), "50.00")
        XCTAssertEqual(MeanStd([]).formatted(), "—")
    }

    func testNonFiniteValuesAreCountedNotAveraged() {
        let s = MeanStd([0.7, .nan, .infinity, 0.9])
        XCTAssertEqual(s.n, 2)
        XCTAssertEqual(s.dropped, 2)
        XCTAssertEqual(s.mean!, 0.8, accuracy: 1e-12)
    }

    func testScaleAndDecimals() {
        XCTAssertEqual(MeanStd([100, 200]).formatted(scale: 1, decimals: 0), "150 ± 71")
    }
}
