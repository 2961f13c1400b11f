// Tests of the AW-convolution layer: the paper's identity Conv(I ⊗ A, K) = Conv(I, A ⊗ K),
// exact reduction to a plain convolution at initialisation, gradients, parameters.

import XCTest
import TensorCore
import ReferenceEngine
import NN
import ZhuAttention
import TestSupport

final class AWConv2dTests: XCTestCase {
    let engine = ReferenceEngine()
    var ctx: ForwardContext { ForwardContext(engine: engine, training: true) }

    /// A layer whose generator is random (non-zero last layer), with hidden pre-activations
    /// kept ≥ 0.2 away from the ReLU kink: |pw1·pooled| ≤ 3·0.1·1 < 0.5 = |bias|.
    func randomLayer(c: Int = 3, o: Int = 4, k: Int = 3, stride: Int = 1, padding: Int = 1,
                     seed: UInt64 = 7) -> AWConv2d {
        var rng = SeededRNG(seed: seed)
        let layer = AWConv2d("blk.conv2", inChannels: c, outChannels: o, kernelSize: k, stride: stride,
                             padding: padding, hiddenChannels: 3, rng: &rng)
        layer.pw1Weight.value = Tensor.uniform([3, c, 1, 1], -0.3 / Float(c), 0.3 / Float(c), rng: &rng)
        layer.pw1Bias.value = Tensor(shape: [3], data: [0.5, -0.5, 0.6])
        layer.pw2Weight.value = Tensor.uniform([o + c, 3, 1, 1], -2, 2, rng: &rng)
        layer.pw2Bias.value = Tensor.uniform([o + c], -0.5, 0.5, rng: &rng)
        return layer
    }

    /// O[n,o,m,q] = Σ_{c,i,j} (P[n,c,i,j](m,q) · A[n,o,c,i,j]) · K[o,c,i,j]: the input patches
    /// are weighted first, then convolved — the left side of the paper's identity, by loops.
    func inputWeightedConv(_ x: Tensor, attention a: Tensor, kernel w: Tensor, stride s: Int, padding p: Int) -> Tensor {
        let n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3]
        let o = w.shape[0], k = w.shape[2]
        let ho = (h + 2 * p - k) / s + 1, wo = (wd + 2 * p - k) / s + 1
        var y = Tensor(zeros: [n, o, ho, wo])
        for b in 0..<n {
            for oo in 0..<o {
                for m in 0..<ho {
                    for q in 0..<wo {
                        var weighted = [Double](repeating: 0, count: c * k * k)  // I ⊗ A for this patch
                        for cc in 0..<c {
                            for i in 0..<k {
                                for j in 0..<k {
                                    let r = m * s + i - p, col = q * s + j - p
                                    let v = (r < 0 || r >= h || col < 0 || col >= wd) ? 0
                                        : x.data[((b * c + cc) * h + r) * wd + col]
                                    let t = (cc * k + i) * k + j
                                    weighted[t] = Double(v) * Double(a.data[(b * o + oo) * c * k * k + t])
                                }
                            }
                        }
                        var acc = 0.0
                        for t in 0..<(c * k * k) { acc += weighted[t] * Double(w.data[oo * c * k * k + t]) }
                        y.data[((b * o + oo) * ho + m) * wo + q] = Float(acc)
                    }
                }
            }
        }
        return y
    }

    func testConvOfAttendedInputEqualsConvWithAttendedKernel() {
        for (stride, padding, h, w) in [(1, 1, 6, 6), (2, 1, 7, 5), (1, 0, 5, 4), (2, 0, 6, 7)] {
            let layer = randomLayer(stride: stride, padding: padding)
            var rng = SeededRNG(seed: 11)
            let x = Tensor.uniform([2, 3, h, w], -1, 1, rng: &rng)
            let a = layer.attention(x, ctx)
            XCTAssertEqual(a.shape, [2, 4, 3, 3, 3], "A has the kernel's shape per sample")
            XCTAssertGreaterThan(a.data.max()! - a.data.min()!, 0.3, "attention must be non-trivial here")
            let y = layer(x, ctx)
            let left = inputWeightedConv(x, attention: a, kernel: layer.weight.value, stride: stride, padding: padding)
            assertClose(y, left, rtol: 1e-5, atol: 1e-6, "stride \(stride) padding \(padding)")
        }
    }

    func testAttentionDiffersPerSample() {
        let layer = randomLayer()
        var rng = SeededRNG(seed: 3)
        let x = Tensor.uniform([2, 3, 6, 6], -1, 1, rng: &rng)
        let a = layer.attention(x, ctx)
        let half = a.count / 2
        XCTAssertGreaterThan(maxAbsDifference(Tensor(shape: [half], data: Array(a.data[..<half])),
                                              Tensor(shape: [half], data: Array(a.data[half...]))), 1e-3)
    }

    func testZeroLastGeneratorLayerIsExactlyPlainConv() {
        var rng = SeededRNG(seed: 5)
        let layer = AWConv2d("l", inChannels: 4, outChannels: 6, kernelSize: 3, stride: 2, padding: 1, rng: &rng)
        let x = Tensor.uniform([3, 4, 7, 7], -1, 1, rng: &rng)
        let dy = Tensor.randn([3, 6, 4, 4], rng: &rng)
        XCTAssertEqual(layer.attention(x, ctx).data.allSatisfy { $0 == 1 }, true, "A = 2σ(0) = 1 exactly")
        let (y, pullback) = layer.forward(x, ctx)
        let config = ConvConfig(stride: 2, padding: 1)
        XCTAssertEqual(y, engine.conv2d(x, weight: layer.weight.value, bias: nil, config), "bit-exact plain conv")
        let dx = pullback(dy)
        let plain = engine.conv2dBackward(x, weight: layer.weight.value, hasBias: false, config, dy: dy)
        XCTAssertEqual(dx, plain.x, "the generator path adds exactly 0 through a zero PW2")
        // NOTE: not bit-exact: the grouped backward rounds each sample's dW_n to Float before
        // the batch sum, the plain one sums the whole batch in Double (partials cancel).
        assertClose(layer.weight.grad, plain.weight, rtol: 1e-5, atol: 1e-6)
        XCTAssertEqual(layer.pw1Weight.grad.maxAbs(), 0, "nothing reaches PW1 through a zero PW2")
        XCTAssertGreaterThan(layer.pw2Weight.grad.maxAbs(), 1e-3, "no saddle: PW2 starts learning at once")
        XCTAssertGreaterThan(layer.pw2Bias.grad.maxAbs(), 1e-3)
    }

    func testGradientsOfInputAndEveryParameter() {
        for (stride, padding) in [(1, 1), (2, 0)] {
            let proto = randomLayer(stride: stride, padding: padding)
            var rng = SeededRNG(seed: 21)
            let x = Tensor.uniform([2, 3, 5, 6], -1, 1, rng: &rng)
            let inputs = [x] + proto.parameters.map(\.value)
            let names = ["x"] + proto.parameters.map(\.name)
            func layer(_ t: [Tensor]) -> AWConv2d {
                for (p, v) in zip(proto.parameters, t.dropFirst()) { p.value = v; p.zeroGrad() }
                return proto
            }
            let result = checkGradient(
                of: { t in layer(t)(t[0], self.ctx) }, inputs: inputs, names: names,
                analytic: { t, r in
                    let l = layer(t)
                    let dx = l.forward(t[0], self.ctx).1(r)
                    return [dx] + l.parameters.map(\.grad)
                }, eps: 1e-2, rtol: 1e-2, atol: 1e-3, "stride \(stride) padding \(padding)")
            XCTAssertGreaterThan(result.checked, 300)
        }
    }

    /// The input gradient must include the path through the generator's pooling, and that
    /// path must be large enough here for the gradient check above to notice its absence.
    func testInputGradientIncludesGeneratorPath() {
        let layer = randomLayer()
        var rng = SeededRNG(seed: 9)
        let x = Tensor.uniform([2, 3, 6, 6], -1, 1, rng: &rng)
        let dy = Tensor.randn([2, 4, 6, 6], rng: &rng)
        let dx = layer.forward(x, ctx).1(dy)
        let a = layer.attention(x, ctx)
        let k = layer.weight.value, per = k.count
        let kernels = Tensor(shape: [8, 3, 3, 3], data: (0..<a.count).map { a.data[$0] * k.data[$0 % per] })
        let convOnly = engine.conv2dBackward(x.reshaped([1, 6, 6, 6]), weight: kernels, hasBias: false,
                                             ConvConfig(stride: 1, padding: 1, groups: 2),
                                             dy: dy.reshaped([1, 8, 6, 6])).x.reshaped(x.shape)
        XCTAssertGreaterThan(maxAbsDifference(dx, convOnly), 0.05)
    }

    func testParametersNamesShapesAndOverhead() {
        var rng = SeededRNG(seed: 1)
        let l = AWConv2d("layer4.0.conv2", inChannels: 128, outChannels: 128, kernelSize: 3, stride: 1,
                         padding: 1, rng: &rng)
        XCTAssertEqual(l.parameters.map(\.name), ["layer4.0.conv2.weight", "layer4.0.conv2.gen.pw1.weight",
                                                  "layer4.0.conv2.gen.pw1.bias", "layer4.0.conv2.gen.pw2.weight",
                                                  "layer4.0.conv2.gen.pw2.bias"])
        XCTAssertEqual(l.hiddenChannels, 8)
        XCTAssertEqual(l.parameters.map(\.value.shape), [[128, 128, 3, 3], [8, 128, 1, 1], [8], [256, 8, 1, 1], [256]])
        let conv = 128 * 128 * 9, gen = l.parameters.dropFirst().reduce(0) { $0 + $1.value.count }
        XCTAssertLessThan(Double(gen) / Double(conv), 0.03, "generator adds < 3% to a 128→128 3×3 conv")
        XCTAssertEqual(AWConv2d.defaultHiddenChannels(inChannels: 16), 4)
        // Kaiming-normal fan-out: std √(2/(O·k²)) = √(2/1152) ≈ 0.0417.
        let w = l.weight.value.data, std = (w.reduce(0) { $0 + Double($1 * $1) } / Double(w.count)).squareRoot()
        XCTAssertEqual(std, (2.0 / 1152).squareRoot(), accuracy: 0.002)
    }

    func testCountsMACs() {
        var rng = SeededRNG(seed: 1)
        let l = AWConv2d("l", inChannels: 4, outChannels: 8, kernelSize: 3, stride: 1, padding: 1, rng: &rng)
        let c = ForwardContext(engine: engine, training: false, countMACs: true)
        _ = l(Tensor(zeros: [2, 4, 5, 5]), c)
        XCTAssertEqual(c.macs, 2 * 8 * 25 * 4 * 9 + 2 * 9 * (4 * 4 + 4 * 12))
    }
}
