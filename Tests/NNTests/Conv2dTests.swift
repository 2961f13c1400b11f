import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import NN
import TestSupport

final class Conv2dTests: XCTestCase {
    func testNamesShapesAndKaimingFanOutInit() {
        var rng = SeededRNG(seed: 1)
        let conv = Conv2d("layer1.0.conv1", inChannels: 16, outChannels: 32, kernelSize: 3, padding: 1, rng: &rng)
        XCTAssertEqual(conv.parameters.map(\.name), ["layer1.0.conv1.weight"])
        XCTAssertEqual(conv.weight.value.shape, [32, 16, 3, 3])
        // std = √(2 / (O·k·k)) = √(2/288) ≈ 0.0833 over 4608 samples.
        let v = conv.weight.value
        let mean = v.sum() / Double(v.count)
        let std = (v.data.map { Double($0) * Double($0) }.reduce(0, +) / Double(v.count) - mean * mean).squareRoot()
        XCTAssertEqual(std, (2.0 / 288).squareRoot(), accuracy: 0.004)
        XCTAssertEqual(mean, 0, accuracy: 0.004)
    }

    func testBiasAndGroupsShapes() {
        var rng = SeededRNG(seed: 2)
        let dw = Conv2d("dw", inChannels: 8, outChannels: 8, kernelSize: 3, padding: 1, groups: 8, bias: true, rng: &rng)
        XCTAssertEqual(dw.parameters.map(\.name), ["dw.weight", "dw.bias"])
        XCTAssertEqual(dw.weight.value.shape, [8, 1, 3, 3])
        let bound = 1 / Float(9).squareRoot()
        XCTAssertTrue(dw.bias!.value.data.allSatisfy { abs($0) <= bound })
    }

    func testCountsMACsAsThePeer() {
        var rng = SeededRNG(seed: 3)
        let conv = Conv2d("c", inChannels: 4, outChannels: 6, kernelSize: 3, stride: 2, padding: 1, groups: 2, rng: &rng)
        let ctx = ForwardContext(engine: ReferenceEngine(), training: false, countMACs: true)
        let y = conv(Tensor(zeros: [2, 4, 7, 7]), ctx)
        XCTAssertEqual(y.shape, [2, 6, 4, 4])
        XCTAssertEqual(ctx.macs, 2 * 6 * 4 * 4 * (4 / 2) * 9)
    }

    func testPullbackAccumulatesIntoGrad() {
        var rng = SeededRNG(seed: 4)
        let conv = Conv2d("c", inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, bias: true, rng: &rng)
        let x = Tensor.randn([1, 2, 4, 4], rng: &rng)
        let (y, pb) = conv.forward(x, trainContext())
        let dy = Tensor.randn(y.shape, rng: &rng)
        _ = pb(dy)
        let once = conv.weight.grad, onceBias = conv.bias!.grad
        _ = pb(dy)
        assertClose(conv.weight.grad, once * 2)
        assertClose(conv.bias!.grad, onceBias * 2)
        XCTAssertGreaterThan(once.maxAbs(), 0)
    }

    func testGradientsMatchCentralDifferences() {
        var rng = SeededRNG(seed: 5)
        let conv = Conv2d("c", inChannels: 4, outChannels: 4, kernelSize: 3, stride: 2, padding: 1, groups: 2,
                          bias: true, rng: &rng)
        checkLayerGradients(conv, input: Tensor.randn([2, 4, 5, 5], rng: &rng))
    }

    /// Without the input gradient the pullback returns an empty tensor and accumulates the same
    /// weight and bias gradients, bit for bit, under both engines (a stride-2 stem-like conv).
    func testWithoutInputGradientAccumulatesTheSameGradients() {
        for engine in [ReferenceEngine(), FastEngine(threads: 2)] as [any Kernels] {
            var rng = SeededRNG(seed: 6)
            let conv = Conv2d("c", inChannels: 3, outChannels: 5, kernelSize: 7, stride: 2, padding: 3, bias: true, rng: &rng)
            let x = Tensor.randn([2, 3, 11, 12], rng: &rng)
            let (y, full) = conv.forward(x, ForwardContext(engine: engine, training: true))
            let dy = Tensor.randn(y.shape, rng: &rng)
            XCTAssertEqual(full(dy).shape, x.shape)
            let (w, b) = (conv.weight.grad, conv.bias!.grad)
            conv.weight.zeroGrad(); conv.bias!.zeroGrad()
            let (y2, only) = conv.forward(x, ForwardContext(engine: engine, training: true), inputGradient: false)
            XCTAssertEqual(y2, y)
            XCTAssertEqual(only(dy).shape, [0], engine.name)
            XCTAssertEqual(conv.weight.grad.data.map(\.bitPattern), w.data.map(\.bitPattern), engine.name)
            XCTAssertEqual(conv.bias!.grad.data.map(\.bitPattern), b.data.map(\.bitPattern), engine.name)
            XCTAssertGreaterThan(w.maxAbs(), 0)
        }
    }
}
