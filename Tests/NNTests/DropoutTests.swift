import XCTest
import TensorCore
import NN
import TestSupport

final class DropoutTests: XCTestCase {
    func testEvalModeIsIdentity() {
        var rng = SeededRNG(seed: 1)
        let x = Tensor.randn([4, 8], rng: &rng)
        XCTAssertEqual(Dropout(p: 0.5)(x, evalContext()), x)
    }

    func testTrainModeDropsAboutPAndRescalesTheRest() {
        let x = Tensor(repeating: 1, shape: [100, 100])
        let y = Dropout(p: 0.3)(x, trainContext(seed: 9))
        let kept = y.data.filter { $0 != 0 }
        XCTAssertEqual(Double(kept.count) / 10_000, 0.7, accuracy: 0.02)
        XCTAssertTrue(kept.allSatisfy { abs($0 - 1 / 0.7) < 1e-5 })
    }

    func testMaskFollowsTheSeedAndBackwardReusesIt() {
        var rng = SeededRNG(seed: 2)
        let x = Tensor.randn([3, 50], rng: &rng)
        let d = Dropout(p: 0.5)
        let (a, pb) = d.forward(x, trainContext(seed: 5))
        XCTAssertEqual(d(x, trainContext(seed: 5)), a)
        XCTAssertNotEqual(d(x, trainContext(seed: 6)), a)
        let g = pb(Tensor(repeating: 1, shape: x.shape))
        for i in 0..<x.count { XCTAssertEqual(g.data[i] == 0, a.data[i] == 0) }
    }
}
