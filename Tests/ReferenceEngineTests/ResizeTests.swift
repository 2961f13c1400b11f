// Reference bilinear resize: PyTorch's source-index rule by hand, gradient checks up and down.

import XCTest
import TensorCore
import ReferenceEngine
import TestSupport

final class ResizeTests: XCTestCase {
    let ref = ReferenceEngine()

    func testUpsampleClampsSourceIndexAtZero() {
        // 2 → 4: src = 0.5·(dst + ½) − ½ = −0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to the last pixel).
        let x = Tensor(shape: [1, 1, 1, 2], data: [0, 1])
        XCTAssertEqual(ref.bilinearResize(x, outH: 1, outW: 4).data, [0, 0.25, 0.75, 1])
    }

    func testDownsampleAndIdentity() {
        let x = Tensor(shape: [1, 1, 1, 4], data: [0, 1, 2, 3])
        XCTAssertEqual(ref.bilinearResize(x, outH: 1, outW: 2).data, [0.5, 2.5])
        var rng = SeededRNG(seed: 50)
        let z = Tensor.randn([2, 2, 3, 5], rng: &rng)
        XCTAssertEqual(ref.bilinearResize(z, outH: 3, outW: 5), z)
    }

    private func check(_ shape: [Int], _ oh: Int, _ ow: Int, seed: UInt64, line: UInt = #line) {
        var rng = SeededRNG(seed: seed)
        let ref = self.ref
        checkGradient(of: { ref.bilinearResize($0[0], outH: oh, outW: ow) }, inputs: [Tensor.randn(shape, rng: &rng)],
                      names: ["x"], analytic: { t, dy in [ref.bilinearResizeBackward(inputShape: t[0].shape, dy: dy)] },
                      seed: seed, line: line)
    }

    func testGradientUpsample() { check([2, 2, 3, 4], 5, 7, seed: 51) }
    func testGradientDownsample() { check([2, 2, 7, 6], 3, 4, seed: 52) }
}
