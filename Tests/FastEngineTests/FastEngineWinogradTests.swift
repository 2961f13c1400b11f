// Winograd F(4×4, 3×3) convolution against the reference: forward, input and weight gradients,
// on the conv tests' 3×3 stride-1 shapes and on shapes that stress tiling and chunking.

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import WinogradAVX512
import TestSupport

final class FastEngineWinogradTests: FastEngineTestCase {
    typealias Case = FastEngineConvTests.Case

    // Every case below runs through Winograd, however few its tiles.
    override func setUp() { super.setUp(); FastEngine.winogradMinimumTiles = 0 }
    override func tearDown() { FastEngine.winogradMinimumTiles = 64; super.tearDown() }

    /// Batch-1 inference on small maps leaves Winograd for im2col + GEMM: the same bits as the
    /// GEMM path, and still within the reference's tolerance.
    func testFewTilesGoToGEMM() {
        FastEngine.winogradMinimumTiles = 64
        let cs = Case(n: 1, c: 16, h: 8, w: 8, o: 16, k: 3, stride: 1, pad: 1, groups: 1, bias: true)
        let (x, w, b) = inputs(cs, seed: 21)
        let config = ConvConfig(stride: 1, padding: 1, groups: 1)
        let fast = FastEngine(threads: 1)
        let chosen = fast.conv2d(x, weight: w, bias: b, config)
        FastEngine.useDirectConv3x3 = false; FastEngine.useWinograd3x3 = false
        let gemm = fast.conv2d(x, weight: w, bias: b, config)
        FastEngine.useDirectConv3x3 = true; FastEngine.useWinograd3x3 = true
        XCTAssertEqual(chosen.data, gemm.data)
        assertClose(chosen, ref.conv2d(x, weight: w, bias: b, config), rtol: 1e-4, atol: 1e-5, "few tiles vs reference")
        // 64 tiles (batch 4 of 16×16) stay on Winograd.
        let big = Case(n: 4, c: 16, h: 16, w: 16, o: 16, k: 3, stride: 1, pad: 1, groups: 1, bias: false)
        let (xb, wb, _) = inputs(big, seed: 22)
        let winograd = fast.conv2d(xb, weight: wb, bias: nil, config)
        FastEngine.useWinograd3x3 = false
        defer { FastEngine.useWinograd3x3 = true }
        XCTAssertNotEqual(winograd.data, fast.conv2d(xb, weight: wb, bias: nil, config).data)
    }

    /// One image (batch-1 inference) splits its output channels over the threads after one input
    /// transform, each block the same sums: 1 and 2 threads give the same bits, also through the
    /// eval batch norm fused into the output transform's epilogue.
    func testOneImageBitsDoNotDependOnThreads() {
        XCTAssertEqual(fastEngines.map(\.threads), [1, 2])
        for (i, (hw, o)) in [(32, 32), (30, 40), (16, 72)].enumerated() {
            let x = randn([1, 48, hw, hw], seed: 130 + UInt64(i)), w = randn([o, 48, 3, 3], seed: 133 + UInt64(i))
            let config = ConvConfig(stride: 1, padding: 1, groups: 1)
            let ys = fastEngines.map { $0.conv2d(x, weight: w, bias: nil, config) }
            XCTAssertEqual(ys[0].data, ys[1].data, "\(hw)² O \(o)")
            let (gamma, beta, mean) = (randn([o], seed: 136), randn([o], seed: 137), randn([o], seed: 138))
            let variance = Tensor(shape: [o], data: (0..<o).map { 0.5 + Float($0) / Float(o) })
            let bn = fastEngines.map {
                $0.conv2dBatchNormEval(x, weight: w, bias: nil, config, gamma: gamma, beta: beta, runningMean: mean,
                                       runningVar: variance, eps: 1e-5, activation: .relu)
            }
            XCTAssertEqual(bn[0].data, bn[1].data, "\(hw)² O \(o), with the batch norm")
            assertWinogradClose(ys[1], ref.conv2d(x, weight: w, bias: nil, config), "\(hw)² O \(o) vs reference")
        }
    }

    /// Every 3×3 stride-1 pad-1 ungrouped case of the conv tests (Winograd takes those with
    /// ≥ 4 channels), plus: H, W not multiples of 4 (clipped edge tiles), 1×1 and 2×2 maps,
    /// O not a multiple of 4, chunks of many images with a short last chunk, wide channels.
    static let cases: [Case] = FastEngineConvTests.cases.filter {
        $0.k == 3 && $0.stride == 1 && $0.pad == 1 && $0.groups == 1
    } + [
        Case(n: 3, c: 4, h: 5, w: 7, o: 4, k: 3, stride: 1, pad: 1, groups: 1, bias: true),
        Case(n: 70, c: 5, h: 1, w: 1, o: 6, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
        Case(n: 37, c: 6, h: 2, w: 2, o: 5, k: 3, stride: 1, pad: 1, groups: 1, bias: true),
        Case(n: 19, c: 9, h: 8, w: 8, o: 7, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
        Case(n: 5, c: 4, h: 9, w: 13, o: 10, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
        Case(n: 2, c: 64, h: 4, w: 4, o: 33, k: 3, stride: 1, pad: 1, groups: 1, bias: true),
        // lane segments of 8 tiles: two per tile row, 144 tiles a chunk (64 + 64 + 16 in the
        // AVX-512 products); clipped edge tiles; 7 tiles a row (single-tile segments, padding lanes)
        Case(n: 2, c: 5, h: 36, w: 64, o: 6, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
        Case(n: 3, c: 4, h: 29, w: 30, o: 5, k: 3, stride: 1, pad: 1, groups: 1, bias: true),
        Case(n: 3, c: 6, h: 28, w: 28, o: 4, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
        // whole tile rows of 4 tiles (16×16: two rows a lane group) with a one-image last chunk;
        // 8×8 above has rows of 2 (four rows a group, groups across images)
        Case(n: 5, c: 6, h: 16, w: 16, o: 5, k: 3, stride: 1, pad: 1, groups: 1, bias: true),
        // one image, its output channels split over threads: whole and clipped tiles, O past the 16-blocks
        Case(n: 1, c: 32, h: 32, w: 32, o: 32, k: 3, stride: 1, pad: 1, groups: 1, bias: true),
        Case(n: 1, c: 32, h: 30, w: 30, o: 40, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
    ]

    /// NOTE: Winograd's transforms scale values by up to 8 before the sums, so its rounding error
    /// follows the size of the whole sum, not of each result: an element may be near zero after
    /// cancellation. The bound is rtol·|ref| + atol·max|ref| (atol relative to the largest entry).
    func assertWinogradClose(_ got: Tensor, _ expected: Tensor, _ message: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        let scale = expected.data.reduce(Float(0)) { max($0, abs($1)) }
        assertClose(got, expected, rtol: 1e-4, atol: 2e-5 * max(scale, 1), message, file: file, line: line)
    }

    func testWinogradForwardMatchesReference() {
        for (i, cs) in Self.cases.enumerated() {
            let (x, w, b) = inputs(cs, seed: UInt64(300 + i))
            let config = ConvConfig(stride: 1, padding: 1, groups: 1)
            let expected = ref.conv2d(x, weight: w, bias: b, config)
            for fast in fastEngines {
                assertWinogradClose(fast.conv2d(x, weight: w, bias: b, config), expected, "\(cs) threads \(fast.threads)")
            }
        }
    }

    func testWinogradGradientsMatchReference() {
        for (i, cs) in Self.cases.enumerated() {
            let (x, w, _) = inputs(cs, seed: UInt64(400 + i))
            let config = ConvConfig(stride: 1, padding: 1, groups: 1)
            let dy = randn([cs.n, cs.o, cs.h, cs.w], seed: UInt64(500 + i))
            let expected = ref.conv2dBackward(x, weight: w, hasBias: cs.bias, config, dy: dy)
            for fast in fastEngines {
                let got = fast.conv2dBackward(x, weight: w, hasBias: cs.bias, config, dy: dy)
                let tag = "\(cs) threads \(fast.threads)"
                assertWinogradClose(got.x, expected.x, "dx \(tag)")
                assertWinogradClose(got.weight, expected.weight, "dw \(tag)")
                if let gb = got.bias, let eb = expected.bias { assertClose(gb, eb, rtol: 1e-4, atol: 1e-4, "db \(tag)") }
            }
        }
    }

    /// The Winograd path really runs (and differs from the direct sum in the last bits): with it
    /// switched off the same call gives a different rounding.
    func testWinogradPathIsTaken() {
        let cs = Case(n: 2, c: 8, h: 8, w: 8, o: 8, k: 3, stride: 1, pad: 1, groups: 1, bias: false)
        let (x, w, _) = inputs(cs, seed: 9)
        let config = ConvConfig(stride: 1, padding: 1, groups: 1)
        let fast = FastEngine(threads: 1)
        let winograd = fast.conv2d(x, weight: w, bias: nil, config)
        FastEngine.useWinograd3x3 = false
        defer { FastEngine.useWinograd3x3 = true }
        let direct = fast.conv2d(x, weight: w, bias: nil, config)
        XCTAssertNotEqual(winograd.data, direct.data)
        assertWinogradClose(winograd, direct, "winograd vs direct")
    }

    /// Numerical check of the Winograd backward: central differences of the exact convolution
    /// (the reference forward: Winograd's own rounding, amplified by the transforms and divided
    /// by 2ε, would blur the check), analytic dx, dW, db from the fast engine.
    func testWinogradGradientsPassNumericalCheck() {
        let fast = FastEngine(threads: 2)
        let shapes = [
            Case(n: 2, c: 4, h: 7, w: 6, o: 5, k: 3, stride: 1, pad: 1, groups: 1, bias: true),
            Case(n: 3, c: 6, h: 4, w: 8, o: 4, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
        ]
        for cs in shapes {
            let (x, w, b) = inputs(cs, seed: 11)
            let config = ConvConfig(stride: 1, padding: 1, groups: 1)
            checkGradient(of: { t in self.ref.conv2d(t[0], weight: t[1], bias: cs.bias ? t[2] : nil, config) },
                          inputs: [x, w, b ?? Tensor(zeros: [cs.o])], names: ["x", "w", "b"],
                          analytic: { t, r in
                              let g = fast.conv2dBackward(t[0], weight: t[1], hasBias: cs.bias, config, dy: r)
                              return [g.x, g.weight, g.bias]
                          }, "\(cs)")
        }
    }

    /// The AVX-512 products and 16-lane tile transforms give the same bits as the AVX2 ones (same
    /// per-lane sums, same order), forward and backward, on shapes with K a multiple of 8 and not (a
    /// block of 4 left over), tiles a chunk a multiple of 64 and not (16-tile blocks left over), tile
    /// rows of 8, 4, 2 and odd tiles (segments 8, 4, 2, 1), whole 32-wide rows, clipped edge tiles,
    /// and chunks that end in half a 16-tile group (9 images of 4 tiles).
    func testAVX512ProductsEqualAVX2BitForBit() throws {
        try XCTSkipUnless(AVX512.isAvailable, "this CPU has no AVX-512: only the AVX2 kernel runs here")
        let fast = FastEngine(threads: 2), config = ConvConfig(stride: 1, padding: 1, groups: 1)
        for cs in [Case(n: 3, c: 9, h: 8, w: 12, o: 12, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
                   Case(n: 5, c: 16, h: 16, w: 16, o: 16, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
                   Case(n: 2, c: 5, h: 6, w: 5, o: 7, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
                   Case(n: 2, c: 5, h: 36, w: 64, o: 8, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
                   Case(n: 3, c: 16, h: 32, w: 32, o: 16, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
                   Case(n: 9, c: 8, h: 8, w: 8, o: 20, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
                   Case(n: 3, c: 4, h: 14, w: 14, o: 4, k: 3, stride: 1, pad: 1, groups: 1, bias: false)] {
            let (x, w, _) = inputs(cs, seed: 21)
            let dy = randn([cs.n, cs.o, cs.h, cs.w], seed: 22)
            let y512 = fast.conv2d(x, weight: w, bias: nil, config)
            let g512 = fast.conv2dBackward(x, weight: w, hasBias: false, config, dy: dy)
            FastEngine.useAVX512 = false
            let y2 = fast.conv2d(x, weight: w, bias: nil, config)
            let g2 = fast.conv2dBackward(x, weight: w, hasBias: false, config, dy: dy)
            FastEngine.useAVX512 = true
            XCTAssertEqual(y512.data, y2.data, "forward \(cs)")
            XCTAssertEqual(g512.x.data, g2.x.data, "dx \(cs)")
            XCTAssertEqual(g512.weight.data, g2.weight.data, "dw \(cs)")
        }
    }

    /// The kernel transform 8 kernels a vector gives the bits of the scalar one kernel at a time,
    /// forward and turned (the input gradient's), with O and C off the 4-lane blocks and the
    /// 2-channel pairs (odd C leaves a half block).
    func testKernelTransformInLanesEqualsOneKernelAtATime() {
        for (i, (o, c)) in [(1, 1), (3, 5), (4, 4), (5, 7), (16, 16), (13, 9), (32, 3)].enumerated() {
            let w = randn([o, c, 3, 3], seed: 300 + UInt64(i))
            for turned in [false, true] {
                let lanes = FastEngine.winogradKernelTransform(w, turned: turned)
                let scalar = FastEngine.winogradKernelTransform(w, turned: turned, oneAtATime: true)
                XCTAssertEqual(lanes.map(\.bitPattern), scalar.map(\.bitPattern), "O \(o), C \(c), turned \(turned)")
                XCTAssertTrue(scalar.contains { $0 != 0 }, "O \(o), C \(c): the transform wrote nothing")
            }
        }
    }

    /// Same inputs and thread count, same bits.
    func testWinogradIsDeterministic() {
        let cs = Case(n: 9, c: 12, h: 8, w: 8, o: 10, k: 3, stride: 1, pad: 1, groups: 1, bias: false)
        let (x, w, _) = inputs(cs, seed: 12)
        let dy = randn([cs.n, cs.o, cs.h, cs.w], seed: 13)
        let config = ConvConfig(stride: 1, padding: 1, groups: 1)
        let fast = FastEngine(threads: 2)
        let a = fast.conv2dBackward(x, weight: w, hasBias: false, config, dy: dy)
        let b = fast.conv2dBackward(x, weight: w, hasBias: false, config, dy: dy)
        XCTAssertEqual(a.x.data, b.x.data)
        XCTAssertEqual(a.weight.data, b.weight.data)
    }

    func inputs(_ cs: Case, seed: UInt64) -> (Tensor, Tensor, Tensor?) {
        let x = randn([cs.n, cs.c, cs.h, cs.w], seed: seed)
        let w = randn([cs.o, cs.c, 3, 3], seed: seed &+ 1000, std: 0.5)
        let b = cs.bias ? randn([cs.o], seed: seed &+ 2000) : nil
        return (x, w, b)
    }
}
