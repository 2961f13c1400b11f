// The factorised per-image kernel modulation against its naive twin `KernelAttention`, and the
// AW-convolution on the fast engine against the same layer on the reference engine.

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import NN
import TestSupport
import ZhuAttention

final class AWKernelModulationTests: XCTestCase {
    /// C·k² = 37·9 = 333 is not a multiple of 8 lanes: every row has a scalar tail.
    private func sample(seed: UInt64, n: Int = 5, o: Int = 24, c: Int = 37, scale: Float = 2)
        -> (z: Tensor, k: Tensor, dw: Tensor) {
        var rng = SeededRNG(seed: seed)
        let z0 = Tensor.randn([n, o + c, 3, 3], rng: &rng)
        let z = Tensor(shape: z0.shape, data: z0.data.map { scale * $0 })
        return (z, Tensor.randn([o, c, 3, 3], rng: &rng), Tensor.randn([n * o, c, 3, 3], rng: &rng))
    }

    private func written(_ m: AWKernelModulation) -> Tensor {
        let per = m.kernelShape.reduce(1, *)
        var w = [Float](repeating: .nan, count: m.count * per)
        w.withUnsafeMutableBufferPointer { p in
            for n in 0..<m.count { m.write(sample: n, into: p.baseAddress! + n * per) }
        }
        return Tensor(shape: [m.count * m.kernelShape[0]] + Array(m.kernelShape.dropFirst()), data: w)
    }

    /// Backward with images 0..<2 in share 0 and the rest in share 1.
    private func backward(_ m: AWKernelModulation, _ dw: Tensor, z: Tensor) -> (dK: Tensor, dz: Tensor) {
        let per = m.kernelShape.reduce(1, *)
        m.beginBackward(shares: 2)
        dw.data.withUnsafeBufferPointer { p in
            for n in 0..<m.count { m.weightGradient(sample: n, share: n < 2 ? 0 : 1, p.baseAddress! + n * per) }
        }
        return (m.dKernel(), m.dLogits(shape: z.shape))
    }

    func testKernelsMatchTheNaiveTwin() {
        for c in [37, 40] {
            let (z, k, _) = sample(seed: 11, c: c)
            let naive = KernelAttention.modulatedKernels(logits: z, kernel: k)
            // A = 2/(1 + e^(−a)·e^(−b)) against 2/(1 + e^(−(a+b))): a few ulps of A.
            assertClose(written(AWKernelModulation(logits: z, kernel: k)), naive, rtol: 2e-6, atol: 1e-7, "C \(c)")
        }
    }

    func testZeroLogitsGiveExactlyThePlainKernel() {
        let (z, k, _) = sample(seed: 12, scale: 0)
        let w = written(AWKernelModulation(logits: z, kernel: k))
        XCTAssertEqual(Array(w.data[0..<k.count]), k.data)
        XCTAssertEqual(Array(w.data[(4 * k.count)...]), k.data)
    }

    func testBackwardMatchesTheNaiveTwin() {
        let (z, k, dw) = sample(seed: 13)
        let naive = KernelAttention.modulatedKernelsBackward(logits: z, kernel: k, dWeights: dw)
        let fast = backward(AWKernelModulation(logits: z, kernel: k), dw, z: z)
        assertClose(fast.dK, naive.dKernel, rtol: 1e-5, atol: 1e-5)
        assertClose(fast.dz, naive.dLogits, rtol: 1e-5, atol: 1e-5)
    }

    /// An image with a logit beyond ±40 would overflow e^(−a)·e^(−b): it takes the exact gate,
    /// and stays finite and equal to the naive twin; the other images keep the factorised one.
    func testExtremeLogitsTakeTheExactGate() {
        let (z0, k, dw) = sample(seed: 14)
        var data = z0.data
        let per = z0.count / z0.shape[0]
        data[2 * per + 3] = 95          // image 2, an output-channel logit: e^(−a) underflows alone
        data[2 * per + 24 * 9 + 5] = -90 // image 2, an input-channel logit: e^(−b) overflows
        data[3 * per + 7] = -60          // image 3 alone
        let z = Tensor(shape: z0.shape, data: data)
        let m = AWKernelModulation(logits: z, kernel: k)
        let w = written(m)
        XCTAssertTrue(w.data.allSatisfy { $0.isFinite })
        assertClose(w, KernelAttention.modulatedKernels(logits: z, kernel: k), rtol: 2e-6, atol: 1e-7)
        let naive = KernelAttention.modulatedKernelsBackward(logits: z, kernel: k, dWeights: dw)
        let fast = backward(m, dw, z: z)
        XCTAssertTrue(fast.dz.data.allSatisfy { $0.isFinite })
        assertClose(fast.dK, naive.dKernel, rtol: 1e-5, atol: 1e-5)
        assertClose(fast.dz, naive.dLogits, rtol: 1e-5, atol: 1e-5)
    }

    /// Built with a 2-thread engine (the images' exponentials split), the kernels and gradients keep
    /// every bit of the one-thread construction, with an exact-gate image among them.
    func testEngineSplitConstructionIsBitIdentical() {
        let (z0, k, dw) = sample(seed: 17, n: 64, c: 40)   // 64 images: enough work to split
        var data = z0.data
        data[(z0.count / z0.shape[0]) * 3 + 5] = -55   // image 3 takes the exact gate
        let z = Tensor(shape: z0.shape, data: data)
        let one = AWKernelModulation(logits: z, kernel: k)
        let split = AWKernelModulation(logits: z, kernel: k, engine: FastEngine(threads: 2))
        XCTAssertEqual(written(split).data.map(\.bitPattern), written(one).data.map(\.bitPattern))
        let a = backward(one, dw, z: z), b = backward(split, dw, z: z)
        XCTAssertEqual(b.dK.data.map(\.bitPattern), a.dK.data.map(\.bitPattern))
        XCTAssertEqual(b.dz.data.map(\.bitPattern), a.dz.data.map(\.bitPattern))
    }

    /// The backward pass that also writes W_n gives `write`'s bits and the gradients of the plain
    /// backward, bit for bit, on factorised and exact-gate images and on rows with a scalar tail.
    func testBackwardWritingTheKernelEqualsWriteAndBackward() {
        for c in [37, 40] {
            let (z0, k, dw) = sample(seed: 16, c: c)
            var data = z0.data
            data[(z0.count / z0.shape[0]) + 2] = 70   // image 1 takes the exact gate
            let z = Tensor(shape: z0.shape, data: data)
            let plain = AWKernelModulation(logits: z, kernel: k), fused = AWKernelModulation(logits: z, kernel: k)
            let expected = backward(plain, dw, z: z), kernels = written(plain)
            let per = fused.kernelShape.reduce(1, *)
            var w = [Float](repeating: .nan, count: fused.count * per)
            fused.beginBackward(shares: 2)
            dw.data.withUnsafeBufferPointer { p in
                w.withUnsafeMutableBufferPointer { wp in
                    for n in 0..<fused.count {
                        fused.weightGradient(sample: n, share: n < 2 ? 0 : 1, p.baseAddress! + n * per,
                                             writingKernelInto: wp.baseAddress! + n * per)
                    }
                }
            }
            XCTAssertEqual(w, kernels.data, "C \(c)")
            XCTAssertEqual(fused.dKernel().data, expected.dK.data, "C \(c)")
            XCTAssertEqual(fused.dLogits(shape: z.shape).data, expected.dz.data, "C \(c)")
        }
    }

    /// The whole layer: output, input gradient and every parameter gradient on the fast engine
    /// (fused, 1 and 2 threads) against the reference engine (grouped-conv specification).
    func testLayerOnTheFastEngineMatchesTheReference() {
        var rng = SeededRNG(seed: 15)
        let layer = AWConv2d("aw", inChannels: 16, outChannels: 24, kernelSize: 3, stride: 2, padding: 1, rng: &rng)
        // A non-zero gate head, so the attention really varies per image and tap.
        layer.pw2Weight.value = Tensor.randn(layer.pw2Weight.value.shape, std: 0.5, rng: &rng)
        layer.pw2Bias.value = Tensor.randn(layer.pw2Bias.value.shape, std: 0.5, rng: &rng)
        let x = Tensor.randn([6, 16, 9, 9], rng: &rng)
        func run(_ engine: any Kernels) -> (y: Tensor, dx: Tensor, grads: [Tensor]) {
            for p in layer.parameters { p.zeroGrad() }
            let (y, pullback) = layer.forward(x, ForwardContext(engine: engine, training: true))
            var r = SeededRNG(seed: 16)
            let dx = pullback(Tensor.randn(y.shape, rng: &r))
            return (y, dx, layer.parameters.map { $0.grad })
        }
        let reference = run(ReferenceEngine())
        for threads in [1, 2] {
            let fast = run(FastEngine(threads: threads))
            assertClose(fast.y, reference.y, rtol: 1e-4, atol: 1e-5, "threads \(threads)")
            assertClose(fast.dx, reference.dx, rtol: 1e-4, atol: 1e-5, "threads \(threads)")
            for (i, p) in layer.parameters.enumerated() {
                assertClose(fast.grads[i], reference.grads[i], rtol: 1e-4, atol: 1e-4, "\(p.name) threads \(threads)")
            }
        }
    }
}
