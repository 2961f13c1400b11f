// Reference conv2d: hand-computed goldens and gradient checks over strides, padding, groups, bias.

import XCTest
import TensorCore
import ReferenceEngine
import TestSupport

final class ConvTests: XCTestCase {
    let ref = ReferenceEngine()
    let x3 = Tensor(shape: [1, 1, 3, 3], data: [1, 2, 3, 4, 5, 6, 7, 8, 9])

    func testPlusKernelWithPaddingAndBias() {
        let w = Tensor(shape: [1, 1, 3, 3], data: [0, 1, 0, 1, 1, 1, 0, 1, 0])
        let y = ref.conv2d(x3, weight: w, bias: Tensor(shape: [1], data: [0.5]), ConvConfig(padding: 1))
        XCTAssertEqual(y.shape, [1, 1, 3, 3])
        XCTAssertEqual(y.data, [7.5, 11.5, 11.5, 17.5, 25.5, 23.5, 19.5, 29.5, 23.5])
    }

    func testAsymmetricKernelIsCrossCorrelation() {
        let w = Tensor(shape: [1, 1, 2, 2], data: [1, 2, 3, 4])
        XCTAssertEqual(ref.conv2d(x3, weight: w, bias: nil, ConvConfig()).data, [37, 47, 67, 77])
        // Stride 2, padding 1: output 2×2, corners see only part of the kernel.
        XCTAssertEqual(ref.conv2d(x3, weight: w, bias: nil, ConvConfig(stride: 2, padding: 1)).data, [4, 18, 36, 77])
    }

    func testGroupsKeepChannelsSeparate() {
        let x = Tensor(shape: [1, 2, 1, 2], data: [1, 2, 10, 20])
        let w = Tensor(shape: [2, 1, 1, 1], data: [2, 3])
        XCTAssertEqual(ref.conv2d(x, weight: w, bias: nil, ConvConfig(groups: 2)).data, [2, 4, 30, 60])
    }

    func testNoBiasGivesNoBiasGradient() {
        let w = Tensor(shape: [1, 1, 2, 2], data: [1, 2, 3, 4])
        let g = ref.conv2dBackward(x3, weight: w, hasBias: false, ConvConfig(), dy: Tensor(repeating: 1, shape: [1, 1, 2, 2]))
        XCTAssertNil(g.bias)
        XCTAssertEqual(g.weight.data, [12, 16, 24, 28])   // Σ of each 2×2 window position
    }

    private func checkConv(x xs: [Int], w ws: [Int], _ cfg: ConvConfig, bias: Bool, seed: UInt64,
                           file: StaticString = #filePath, line: UInt = #line) {
        var rng = SeededRNG(seed: seed)
        var inputs = [Tensor.randn(xs, rng: &rng), Tensor.randn(ws, std: 0.5, rng: &rng)]
        if bias { inputs.append(Tensor.randn([ws[0]], rng: &rng)) }
        let ref = self.ref
        checkGradient(of: { t in ref.conv2d(t[0], weight: t[1], bias: bias ? t[2] : nil, cfg) },
                      inputs: inputs, names: bias ? ["x", "weight", "bias"] : ["x", "weight"],
                      analytic: { t, dy in
                          let g = ref.conv2dBackward(t[0], weight: t[1], hasBias: bias, cfg, dy: dy)
                          return bias ? [g.x, g.weight, g.bias] : [g.x, g.weight]
                      }, seed: seed, file: file, line: line)
    }

    func testGradientStride1Padding1Bias() { checkConv(x: [2, 3, 5, 5], w: [4, 3, 3, 3], ConvConfig(padding: 1), bias: true, seed: 1) }
    func testGradientStride2Padding0NoBias() { checkConv(x: [2, 3, 6, 6], w: [2, 3, 3, 3], ConvConfig(stride: 2), bias: false, seed: 2) }
    func testGradientStride2Padding1() { checkConv(x: [1, 2, 7, 7], w: [3, 2, 3, 3], ConvConfig(stride: 2, padding: 1), bias: true, seed: 3) }
    func testGradientGroups2() { checkConv(x: [2, 4, 5, 5], w: [6, 2, 3, 3], ConvConfig(padding: 1, groups: 2), bias: true, seed: 4) }
    func testGradientDepthwiseStride2() { checkConv(x: [2, 3, 5, 5], w: [3, 1, 3, 3], ConvConfig(stride: 2, padding: 1, groups: 3), bias: false, seed: 5) }
    func testGradientPointwise() { checkConv(x: [2, 4, 3, 3], w: [5, 4, 1, 1], ConvConfig(), bias: true, seed: 6) }
}
