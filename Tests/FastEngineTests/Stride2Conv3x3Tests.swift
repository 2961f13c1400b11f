// The 3×3 stride-2 kernels (tap planes + AVX-512 products) against the reference, and bit for bit
// against the FMA chains they are specified as (the GEMM path's order): y over (c, p, q); dW over
// each chunk's images and pixels, added to dW per chunk; dcol over o, then col2im's adds in (p, q, i, j).
// The shapes the kernels leave to the GEMM path are checked against the reference too.

import XCTest
import TensorCore
import FastEngine
import WinogradAVX512
import TestSupport

final class Stride2Conv3x3Tests: FastEngineTestCase {
    typealias Case = FastEngineConvTests.Case

    /// WRN-16-1's downsampling convolutions (16×16 outputs: one image a chunk; 8×8: four, with a short
    /// last chunk), 48 channels (the longest chain taken, 432 terms), a non-square map.
    static let cases: [Case] = [
        Case(n: 3, c: 16, h: 32, w: 32, o: 32, k: 3, stride: 2, pad: 1, groups: 1, bias: false),
        Case(n: 9, c: 32, h: 16, w: 16, o: 64, k: 3, stride: 2, pad: 1, groups: 1, bias: true),
        Case(n: 2, c: 48, h: 8, w: 8, o: 16, k: 3, stride: 2, pad: 1, groups: 1, bias: true),
        Case(n: 3, c: 16, h: 16, w: 24, o: 48, k: 3, stride: 2, pad: 1, groups: 1, bias: false),
    ]
    /// Shapes the kernels leave to the GEMM path (C = 3, C not a multiple of 16, K = 576): the same
    /// agreement with the reference.
    static let fallbackCases: [Case] = [
        Case(n: 2, c: 3, h: 32, w: 32, o: 16, k: 3, stride: 2, pad: 1, groups: 1, bias: false),
        Case(n: 5, c: 8, h: 8, w: 8, o: 16, k: 3, stride: 2, pad: 1, groups: 1, bias: true),
        Case(n: 3, c: 64, h: 16, w: 16, o: 128, k: 3, stride: 2, pad: 1, groups: 1, bias: true),
    ]

    override func setUpWithError() throws {
        try super.setUpWithError()
        try XCTSkipUnless(AVX512.isAvailable, "this CPU has no AVX-512: the stride-2 kernels do not run here")
    }

    func inputs(_ cs: Case, seed: UInt64) -> (x: Tensor, w: Tensor, dy: Tensor) {
        let x = randn([cs.n, cs.c, cs.h, cs.w], seed: seed)
        let w = randn([cs.o, cs.c, 3, 3], seed: seed + 1, std: 0.5)
        let dy = randn([cs.n, cs.o, cs.h / 2, cs.w / 2], seed: seed + 2)
        return (x, w, dy)
    }

    func testAgreesWithTheReference() {
        for (i, cs) in (Self.cases + Self.fallbackCases).enumerated() {
            let (x, w, dy) = inputs(cs, seed: 1_000 + 10 * UInt64(i))
            let config = ConvConfig(stride: 2, padding: 1)
            let y = ref.conv2d(x, weight: w, bias: nil, config)
            let g = ref.conv2dBackward(x, weight: w, hasBias: cs.bias, config, dy: dy)
            for engine in fastEngines {
                let tag = "\(cs), \(engine.threads) threads"
                assertClose(engine.conv2d(x, weight: w, bias: nil, config), y, rtol: 1e-4, atol: 1e-4, "y \(tag)")
                let f = engine.conv2dBackward(x, weight: w, hasBias: cs.bias, config, dy: dy)
                assertClose(f.x, g.x, rtol: 1e-4, atol: 1e-4, "dx \(tag)")
                assertClose(f.weight, g.weight, rtol: 1e-4, atol: 1e-3, "dW \(tag)")
            }
        }
    }

    /// x[c, r, s] with zero outside the image.
    private func at(_ x: [Float], _ cs: Case, _ n: Int, _ c: Int, _ r: Int, _ s: Int) -> Float {
        r < 0 || s < 0 || r >= cs.h || s >= cs.w ? 0 : x[((n * cs.c + c) * cs.h + r) * cs.w + s]
    }

    func testEverySumIsTheGEMMPathsChain() {
        let engine = FastEngine(threads: 1)
        for (i, cs) in Self.cases.enumerated() {
            let (x, w, dy) = inputs(cs, seed: 2_000 + 10 * UInt64(i))
            let config = ConvConfig(stride: 2, padding: 1)
            let (oh, ow, k) = (cs.h / 2, cs.w / 2, 9 * cs.c)
            let f = oh * ow
            // y: one chain over (c, p, q) from +0.
            var y = [Float](repeating: 0, count: cs.n * cs.o * f)
            for n in 0..<cs.n { for o in 0..<cs.o { for px in 0..<f {
                var acc: Float = 0
                for c in 0..<cs.c { for p in 0..<3 { for q in 0..<3 {
                    let v = at(x.data, cs, n, c, 2 * (px / ow) + p - 1, 2 * (px % ow) + q - 1)
                    acc = acc.addingProduct(w.data[o * k + c * 9 + p * 3 + q], v)
                } } }
                y[(n * cs.o + o) * f + px] = acc
            } } }
            XCTAssertEqual(engine.conv2d(x, weight: w, bias: nil, config).data.map(\.bitPattern), y.map(\.bitPattern), "y \(cs)")
            // dW: per chunk of `imagesPerGEMM` images (max(1, 256 / F), at most 8), a chain over the
            // chunk's images and pixels, added to dW.
            let chunk = f < 256 ? min(8, max(1, 256 / f)) : 1
            var dw = [Float](repeating: 0, count: cs.o * k)
            for start in stride(from: 0, to: cs.n, by: chunk) {
                for o in 0..<cs.o { for kk in 0..<k {
                    let (c, p, q) = (kk / 9, kk % 9 / 3, kk % 3)
                    var acc: Float = 0
                    for n in start..<min(start + chunk, cs.n) { for px in 0..<f {
                        acc = acc.addingProduct(dy.data[(n * cs.o + o) * f + px],
                                                at(x.data, cs, n, c, 2 * (px / ow) + p - 1, 2 * (px % ow) + q - 1))
                    } }
                    dw[o * k + kk] += acc
                } }
            }
            // dx: dcol chains over o, added into dx in (p, q, i, j) order.
            var dx = [Float](repeating: 0, count: x.count)
            for n in 0..<cs.n { for c in 0..<cs.c { for p in 0..<3 { for q in 0..<3 { for px in 0..<f {
                let (r, s) = (2 * (px / ow) + p - 1, 2 * (px % ow) + q - 1)
                guard r >= 0, s >= 0, r < cs.h, s < cs.w else { continue }
                var acc: Float = 0
                for o in 0..<cs.o { acc = acc.addingProduct(w.data[o * k + c * 9 + p * 3 + q], dy.data[(n * cs.o + o) * f + px]) }
                dx[((n * cs.c + c) * cs.h + r) * cs.w + s] += acc
            } } } } }
            let g = engine.conv2dBackward(x, weight: w, hasBias: false, config, dy: dy)
            XCTAssertEqual(g.weight.data.map(\.bitPattern), dw.map(\.bitPattern), "dW \(cs)")
            XCTAssertEqual(g.x.data.map(\.bitPattern), dx.map(\.bitPattern), "dx \(cs)")
            let only = engine.conv2dParameterGradients(x, weight: w, hasBias: false, config, dy: dy)
            XCTAssertEqual(only.weight.data.map(\.bitPattern), dw.map(\.bitPattern), "dW without dx \(cs)")
        }
    }
}
