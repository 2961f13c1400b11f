import XCTest
import TensorCore
import NN
import TestSupport

final class ResidualTests: XCTestCase {
    /// 3 → 8 channels: ⌊5/2⌋ = 2 zero planes in front, 3 behind; x[:, :, ::2, ::2].
    func testZeroPadShortcutSubsamplesAndSplitsPadding() {
        let x = Tensor(shape: [1, 3, 3, 3], data: (0..<27).map(Float.init))
        let sc = ZeroPadShortcut(inChannels: 3, outChannels: 8, stride: 2)
        XCTAssertTrue(sc.parameters.isEmpty)
        let (y, pb) = sc.forward(x, trainContext())
        XCTAssertEqual(y.shape, [1, 8, 2, 2])
        XCTAssertEqual(Array(y.data[0..<8]), Array(repeating: 0, count: 8))
        XCTAssertEqual(Array(y.data[8..<12]), [0, 2, 6, 8])
        XCTAssertEqual(Array(y.data[16..<20]), [18, 20, 24, 26])
        XCTAssertEqual(Array(y.data[20..<32]), Array(repeating: 0, count: 12))
        let dx = pb(Tensor(repeating: 1, shape: y.shape))
        XCTAssertEqual(Array(dx.data[0..<9]), [1, 0, 1, 0, 0, 0, 1, 0, 1])
    }

    func testResidualGradientMatchesCentralDifferences() {
        var rng = SeededRNG(seed: 3)
        let body = Sequential(Conv2d("c1", inChannels: 2, outChannels: 4, kernelSize: 3, stride: 2, padding: 1,
                                     bias: true, rng: &rng))
        // NOTE: no ReLU here — eps-sized weight steps would cross its kink; the activation is checked below.
        let block = Residual(body: body, shortcut: ZeroPadShortcut(inChannels: 2, outChannels: 4, stride: 2))
        checkLayerGradients(block, input: Tensor.randn([2, 2, 5, 5], rng: &rng))
    }

    func testActivationAppliesAfterTheSumAndGatesTheGradient() {
        var rng = SeededRNG(seed: 5)
        let conv = Conv2d("c", inChannels: 2, outChannels: 2, kernelSize: 1, rng: &rng)
        let x = Tensor.randn([1, 2, 3, 3], rng: &rng)
        let (y, pb) = Residual(body: conv, activation: ReLU()).forward(x, evalContext())
        let sum = conv(x, evalContext()) + x
        assertClose(y, sum.map { max($0, 0) })
        let dx = pb(Tensor(repeating: 1, shape: y.shape))
        // d x = g + convᵀ(g) with g = 1[sum > 0]: the gate applies before the split into branches.
        let g = sum.map { $0 > 0 ? 1 : 0 }
        XCTAssertTrue(g.data.contains(0) && g.data.contains(1))
        let (_, convPB) = conv.forward(x, evalContext())
        assertClose(dx, convPB(g) + g)
    }

    func testIdentityShortcutAddsTheInput() {
        var rng = SeededRNG(seed: 4)
        let conv = Conv2d("c", inChannels: 2, outChannels: 2, kernelSize: 1, rng: &rng)
        let x = Tensor.randn([1, 2, 3, 3], rng: &rng)
        let y = Residual(body: conv)(x, evalContext())
        assertClose(y, conv(x, evalContext()) + x)
    }
}
