import XCTest
import TensorCore
import NN
import ReferenceEngine
import FastEngine
import TestSupport

final class SequentialTests: XCTestCase {
    func testParametersAndBuffersInLayerOrder() {
        var rng = SeededRNG(seed: 1)
        let s = Sequential(Conv2d("conv1", inChannels: 3, outChannels: 4, kernelSize: 3, rng: &rng),
                           BatchNorm2d("bn1", channels: 4), ReLU(), Flatten())
        XCTAssertEqual(s.parameters.map(\.name), ["conv1.weight", "bn1.weight", "bn1.bias"])
        XCTAssertEqual(s.buffers.map(\.name), ["bn1.running_mean", "bn1.running_var"])
    }

    func testFlattenKeepsTheBatchAndRestoresShape() {
        let x = Tensor(shape: [2, 3, 2, 2], data: (0..<24).map(Float.init))
        let (y, pb) = Flatten().forward(x, trainContext())
        XCTAssertEqual(y.shape, [2, 12])
        XCTAssertEqual(pb(y), x)
    }

    func testChainGradientMatchesCentralDifferences() {
        var rng = SeededRNG(seed: 2)
        let s = Sequential(Conv2d("c", inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, bias: true, rng: &rng),
                           AvgPool2d(kernel: 2), Flatten(), Linear("fc", inFeatures: 12, outFeatures: 2, rng: &rng))
        checkLayerGradients(s, input: Tensor.randn([2, 2, 4, 4], rng: &rng))
    }

    /// The input-gradient hint reaches the chain's first layer only: a leading convolution skips its
    /// dx (the chain returns an empty tensor), a leading batch norm ignores it (the same dx as
    /// without the hint); the parameters' gradients are the same either way.
    func testInputGradientHintReachesTheFirstLayerOnly() {
        for convFirst in [true, false] {
            var rng = SeededRNG(seed: 3)
            let conv = Conv2d("c", inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, bias: true, rng: &rng)
            let bn = BatchNorm2d("bn", channels: convFirst ? 3 : 2)
            let s = Sequential(convFirst ? [conv, bn, ReLU()] : [bn, conv, ReLU()])
            let x = Tensor.randn([2, 2, 4, 4], rng: &rng)
            let (y, full) = s.forward(x, trainContext())
            let dy = Tensor.randn(y.shape, rng: &rng)
            let dx = full(dy)
            let grads = s.parameters.map(\.grad)
            s.parameters.forEach { $0.zeroGrad() }
            let (_, hinted) = s.forward(x, trainContext(), inputGradient: false)
            let dxHinted = hinted(dy)
            XCTAssertEqual(dxHinted.shape, convFirst ? [0] : dx.shape)
            if !convFirst { XCTAssertEqual(dxHinted, dx) }
            for (p, g) in zip(s.parameters, grads) { XCTAssertEqual(p.grad, g, p.name) }
        }
    }

    func testIdentityPassesThrough() {
        let x = Tensor(shape: [1, 2], data: [1, 2])
        let (y, pb) = Identity().forward(x, trainContext())
        XCTAssertEqual(y, x)
        XCTAssertEqual(pb(x), x)
    }
}

/// Fusing batch norm with the activation after it (and a residual add with its ReLU) changes
/// no bit of the output or of any gradient, under either engine.
final class ActivationFusionTests: XCTestCase {
    func block(_ rng: inout SeededRNG) -> Sequential {
        let body = Sequential(Conv2d("b.conv1", inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1, rng: &rng),
                              BatchNorm2d("b.bn1", channels: 4), ReLU6(),
                              Conv2d("b.conv2", inChannels: 4, outChannels: 4, kernelSize: 3, padding: 1, rng: &rng),
                              BatchNorm2d("b.bn2", channels: 4))
        return Sequential(Conv2d("stem", inChannels: 3, outChannels: 4, kernelSize: 3, padding: 1, rng: &rng),
                          BatchNorm2d("bn", channels: 4), ReLU(),
                          Residual(body: body, activation: ReLU()), Flatten())
    }

    func run(_ engine: any Kernels, fused: Bool, training: Bool) -> ([Float], [[Float]], [Float]) {
        Sequential.fusesActivations = fused
        defer { Sequential.fusesActivations = true }
        var rng = SeededRNG(seed: 3)
        let net = block(&rng)
        let x = Tensor.randn([3, 3, 6, 6], std: 2, rng: &rng)
        let (y, pb) = net.forward(x, ForwardContext(engine: engine, training: training))
        let dx = pb(Tensor.randn(y.shape, rng: &rng))
        return (y.data, net.parameters.map { $0.grad.data }, dx.data)
    }

    func testFusionChangesNoBit() {
        for engine in [ReferenceEngine(), FastEngine(threads: 2)] as [any Kernels] {
            for training in [true, false] {
                let a = run(engine, fused: true, training: training), b = run(engine, fused: false, training: training)
                let tag = "\(engine.name) training \(training)"
                XCTAssertEqual(a.0, b.0, "output \(tag)")
                XCTAssertEqual(a.1, b.1, "parameter gradients \(tag)")
                XCTAssertEqual(a.2, b.2, "input gradient \(tag)")
                XCTAssertTrue(a.0.contains(0), "no ReLU kink reached \(tag)")
            }
        }
    }
}

/// In eval mode a convolution and the batch norm (and activation) after it run as one engine call,
/// whose fast version applies the batch norm inside the Winograd convolution, chunk by chunk, and a
/// residual block's last convolution takes the shortcut sum and activation too: no bit of the
/// output, of a parameter gradient or of the input gradient changes.
final class ConvBatchNormFusionTests: XCTestCase {
    /// 16×16 maps at batch 4 give 64 Winograd tiles a call, so the fast engine takes its fused path.
    func net(_ rng: inout SeededRNG) -> Sequential {
        let body = Sequential(BatchNorm2d("b.bn0", channels: 8), ReLU(),
                              Conv2d("b.conv1", inChannels: 8, outChannels: 8, kernelSize: 3, padding: 1, rng: &rng),
                              BatchNorm2d("b.bn1", channels: 8), ReLU6(),
                              Conv2d("b.conv2", inChannels: 8, outChannels: 8, kernelSize: 3, padding: 1, rng: &rng),
                              BatchNorm2d("b.bn2", channels: 8))
        // A projection shortcut and no activation after the sum (MobileNetV2's inverted residual).
        let body2 = Sequential(Conv2d("c.conv1", inChannels: 8, outChannels: 12, kernelSize: 1, rng: &rng),
                               BatchNorm2d("c.bn1", channels: 12), ReLU6(),
                               Conv2d("c.conv2", inChannels: 12, outChannels: 12, kernelSize: 3, padding: 1, rng: &rng),
                               BatchNorm2d("c.bn2", channels: 12))
        let shortcut2 = Sequential(Conv2d("c.proj", inChannels: 8, outChannels: 12, kernelSize: 1, rng: &rng),
                                   BatchNorm2d("c.bnp", channels: 12))
        return Sequential(Conv2d("stem", inChannels: 3, outChannels: 8, kernelSize: 3, padding: 1, rng: &rng),
                          BatchNorm2d("bn", channels: 8), ReLU(),
                          Residual(body: body, activation: ReLU()),
                          Residual(body: body2, shortcut: shortcut2),
                          Conv2d("down", inChannels: 12, outChannels: 8, kernelSize: 3, stride: 2, padding: 1, rng: &rng),
                          BatchNorm2d("bn.down", channels: 8), Flatten())
    }

    /// Output, parameter gradients, input gradient and buffers (running statistics) after one forward
    /// and backward of `net` with the fusions as given.
    func run(_ engine: any Kernels, graph: Bool, kernel: Bool, shortcutSum: Bool = true,
             training: Bool = false) -> ([Float], [[Float]], [Float], [[Float]]) {
        Sequential.fusesConvBatchNorm = graph
        FastEngine.fusesConvBatchNorm = kernel
        Residual.fusesShortcutSum = shortcutSum
        defer { Sequential.fusesConvBatchNorm = true; FastEngine.fusesConvBatchNorm = true; Residual.fusesShortcutSum = true }
        var rng = SeededRNG(seed: 4)
        let model = net(&rng)
        // Running statistics away from (0, 1), so the batch norms do something.
        for b in model.buffers {
            b.value = Tensor(shape: b.value.shape, data: (0..<b.value.count).map { i in
                b.name.hasSuffix("running_var") ? 0.5 + Float(i % 5) * 0.3 : Float(i % 7) * 0.1 - 0.3 })
        }
        let x = Tensor.randn([4, 3, 16, 16], std: 2, rng: &rng)
        let (y, pb) = model.forward(x, ForwardContext(engine: engine, training: training))
        let dx = pb(Tensor.randn(y.shape, rng: &rng))
        return (y.data, model.parameters.map { $0.grad.data }, dx.data, model.buffers.map { $0.value.data })
    }

    func testFusionChangesNoBit() {
        for engine in [ReferenceEngine(), FastEngine(threads: 1), FastEngine(threads: 2)] as [any Kernels] {
            let separate = run(engine, graph: false, kernel: false)
            for (graph, kernel, sum) in [(true, true, true), (true, false, true), (true, true, false)] {
                let fused = run(engine, graph: graph, kernel: kernel, shortcutSum: sum)
                let tag = "\(engine.name) threads \(engine.threads) graph \(graph) kernel \(kernel) sum \(sum)"
                XCTAssertEqual(fused.0, separate.0, "output \(tag)")
                XCTAssertEqual(fused.1, separate.1, "parameter gradients \(tag)")
                XCTAssertEqual(fused.2, separate.2, "input gradient \(tag)")
            }
        }
    }

    /// Train mode: the body's last batch norm takes the shortcut sum and the activation; the
    /// output, every parameter gradient, the input gradient and the running statistics keep
    /// every bit.
    func testTrainModeShortcutSumChangesNoBit() {
        for engine in [ReferenceEngine(), FastEngine(threads: 1), FastEngine(threads: 2)] as [any Kernels] {
            let separate = run(engine, graph: true, kernel: true, shortcutSum: false, training: true)
            let fused = run(engine, graph: true, kernel: true, shortcutSum: true, training: true)
            let tag = "\(engine.name) threads \(engine.threads)"
            XCTAssertEqual(fused.0, separate.0, "output \(tag)")
            XCTAssertEqual(fused.1, separate.1, "parameter gradients \(tag)")
            XCTAssertEqual(fused.2, separate.2, "input gradient \(tag)")
            XCTAssertEqual(fused.3, separate.3, "running statistics \(tag)")
        }
    }
}
