// The padded-plane im2col / col2im (stride 1 or 2, any kernel and padding) and the 1×1 stride-2 one
// (`Im2colPointwiseStride2`) against the general loops they replace: the same bits through every op
// that uses them (conv forward and backward on the GEMM path, the per-image-kernel conv), including
// several images side by side in one column matrix.

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import TestSupport

final class Im2colPaddedPlaneTests: FastEngineTestCase {
    typealias Case = FastEngineConvTests.Case

    /// Odd and non-square maps, 1×1 and 2×2 maps, stride 2 with odd sizes, groups, small maps
    /// (several images per GEMM: the column matrix's `ld` exceeds one image's OH·OW), 32 wide.
    static let cases: [Case] = [
        Case(n: 2, c: 3, h: 7, w: 9, o: 5, k: 3, stride: 1, pad: 1, groups: 1, bias: true),
        Case(n: 3, c: 4, h: 7, w: 9, o: 6, k: 3, stride: 2, pad: 1, groups: 2, bias: true),
        Case(n: 5, c: 6, h: 1, w: 1, o: 4, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
        Case(n: 4, c: 5, h: 2, w: 2, o: 3, k: 3, stride: 2, pad: 1, groups: 1, bias: false),
        Case(n: 9, c: 8, h: 4, w: 4, o: 8, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
        Case(n: 3, c: 6, h: 8, w: 8, o: 7, k: 3, stride: 1, pad: 1, groups: 1, bias: true),
        Case(n: 2, c: 4, h: 32, w: 32, o: 4, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
        Case(n: 2, c: 5, h: 16, w: 13, o: 6, k: 3, stride: 2, pad: 1, groups: 1, bias: true),
        // Stride 2 on rows wide enough for the column split's 16-lane loads (34 and 42 padded).
        Case(n: 2, c: 3, h: 32, w: 32, o: 5, k: 3, stride: 2, pad: 1, groups: 1, bias: false),
        Case(n: 2, c: 2, h: 5, w: 40, o: 3, k: 3, stride: 2, pad: 1, groups: 1, bias: false),
        // Other kernels and paddings: the ImageNet stem (7×7, P 3, stride 2) on even and odd maps, the
        // 1×1 stride-2 shortcut, 5×5 at both strides, no padding at stride 2, an even kernel (both
        // column phases at every other tap), padding beyond the kernel (rows of pure padding).
        Case(n: 2, c: 3, h: 64, w: 64, o: 4, k: 7, stride: 2, pad: 3, groups: 1, bias: false),
        Case(n: 2, c: 3, h: 11, w: 13, o: 5, k: 7, stride: 2, pad: 3, groups: 1, bias: true),
        Case(n: 3, c: 6, h: 9, w: 7, o: 4, k: 1, stride: 2, pad: 0, groups: 1, bias: true),
        Case(n: 9, c: 4, h: 16, w: 16, o: 8, k: 1, stride: 2, pad: 0, groups: 1, bias: false),
        Case(n: 2, c: 3, h: 9, w: 37, o: 4, k: 1, stride: 2, pad: 0, groups: 1, bias: true),      // 1×1 stride 2: lanes and a tail
        Case(n: 2, c: 2, h: 8, w: 48, o: 3, k: 1, stride: 2, pad: 0, groups: 1, bias: false),
        Case(n: 2, c: 3, h: 9, w: 11, o: 4, k: 5, stride: 1, pad: 2, groups: 1, bias: false),
        Case(n: 2, c: 4, h: 12, w: 35, o: 4, k: 5, stride: 2, pad: 2, groups: 2, bias: true),
        Case(n: 2, c: 3, h: 9, w: 10, o: 5, k: 3, stride: 2, pad: 0, groups: 1, bias: false),
        Case(n: 3, c: 2, h: 6, w: 9, o: 3, k: 2, stride: 2, pad: 1, groups: 1, bias: true),
        Case(n: 2, c: 2, h: 3, w: 4, o: 3, k: 3, stride: 1, pad: 3, groups: 1, bias: false),
    ]

    override func setUp() {
        super.setUp()
        FastEngine.useDirectConv3x3 = false; FastEngine.useWinograd3x3 = false
    }
    override func tearDown() {
        FastEngine.useDirectConv3x3 = true; FastEngine.useWinograd3x3 = true; FastEngine.usePaddedPlaneIm2col = true
        super.tearDown()
    }

    /// `body` with the padded-plane path, then with the general loops.
    func bothPaths<T>(_ body: () -> T) -> (padded: T, general: T) {
        FastEngine.usePaddedPlaneIm2col = true
        let a = body()
        FastEngine.usePaddedPlaneIm2col = false
        defer { FastEngine.usePaddedPlaneIm2col = true }
        return (a, body())
    }

    func testConvForwardAndBackwardSameBitsAsTheGeneralLoops() {
        for (i, cs) in Self.cases.enumerated() {
            let x = randn([cs.n, cs.c, cs.h, cs.w], seed: 40 + UInt64(i))
            let w = randn([cs.o, cs.c / cs.groups, cs.k, cs.k], seed: 60 + UInt64(i), std: 0.5)
            let b = cs.bias ? randn([cs.o], seed: 80 + UInt64(i)) : nil
            let config = ConvConfig(stride: cs.stride, padding: cs.pad, groups: cs.groups)
            for engine in fastEngines {
                let y = bothPaths { engine.conv2d(x, weight: w, bias: b, config) }
                XCTAssertEqual(y.padded.data, y.general.data, "forward \(cs)")
                assertClose(y.padded, ref.conv2d(x, weight: w, bias: b, config), rtol: 1e-4, atol: 1e-5, "forward \(cs) vs reference")
                let dy = randn(y.padded.shape, seed: 100 + UInt64(i))
                let g = bothPaths { engine.conv2dBackward(x, weight: w, hasBias: cs.bias, config, dy: dy) }
                XCTAssertEqual(g.padded.x.data, g.general.x.data, "dx \(cs)")
                XCTAssertEqual(g.padded.weight.data, g.general.weight.data, "dW \(cs)")
                XCTAssertEqual(g.padded.bias?.data, g.general.bias?.data, "db \(cs)")
            }
        }
    }

    func testPerImageKernelConvSameBitsAsTheGeneralLoops() {
        for (i, cs) in Self.cases.enumerated() where cs.groups == 1 {
            let x = randn([cs.n, cs.c, cs.h, cs.w], seed: 140 + UInt64(i))
            let weights = randn([cs.n, cs.o, cs.c, cs.k, cs.k], seed: 160 + UInt64(i))
            let config = ConvConfig(stride: cs.stride, padding: cs.pad)
            for engine in fastEngines {
                let kernels = StoredSampleKernels(weights)
                let y = bothPaths { engine.sampleKernelConv2d(x, kernels: kernels, config) }
                XCTAssertEqual(y.padded.data, y.general.data, "forward \(cs)")
                let dy = randn(y.padded.shape, seed: 180 + UInt64(i))
                let g = bothPaths { () -> (Tensor, Tensor) in
                    let dx = engine.sampleKernelConv2dBackward(x, kernels: kernels, config, dy: dy)
                    return (dx, kernels.gradientTensor)
                }
                XCTAssertEqual(g.padded.0.data, g.general.0.data, "dx \(cs)")
                XCTAssertEqual(g.padded.1.data, g.general.1.data, "dW_n \(cs)")
            }
        }
    }
}
