import XCTest
import TensorCore
import NN

final class InitTests: XCTestCase {
    func testFanOutIgnoresGroupsAsPyTorch() {
        var a = SeededRNG(seed: 1), b = SeededRNG(seed: 1)
        // [O=64, C/g=1, 3, 3]: fan_out = 64·9 whatever the groups.
        let w = Init.kaimingNormalFanOut([64, 1, 3, 3], rng: &a)
        let z = Tensor.randn([64, 1, 3, 3], std: (2.0 / 576).squareRoot(), rng: &b)
        XCTAssertEqual(w, z)
    }

    func testPyTorchDefaultIsUniformWithinOneOverRootFanIn() {
        var rng = SeededRNG(seed: 2)
        let w = Init.pytorchDefault([1000], fanIn: 25, rng: &rng)
        XCTAssertTrue(w.data.allSatisfy { abs($0) <= 0.2 })
        XCTAssertGreaterThan(w.maxAbs(), 0.19)
        XCTAssertEqual(w.sum() / 1000, 0, accuracy: 0.02)
    }
}
