// `conv2dParameterGradients` (a first convolution's backward without ∂L/∂x) against the full
// backward: the same dW and db, bit for bit, on every path (Winograd, direct, im2col + GEMM per
// image and batched, pointwise, grouped, depthwise) at 1 and 2 threads.

import XCTest
import TensorCore
import FastEngine
import TestSupport

final class FastEngineConvParameterGradientsTests: FastEngineTestCase {
    static let cases = FastEngineConvTests.cases + FastEngineWinogradTests.cases

    func testParameterGradientsAreTheFullBackwardsBits() {
        for (winograd, direct) in [(true, true), (false, true), (false, false)] {
            FastEngine.useWinograd3x3 = winograd
            FastEngine.useDirectConv3x3 = direct
            defer { FastEngine.useWinograd3x3 = true; FastEngine.useDirectConv3x3 = true }
            for (i, cs) in Self.cases.enumerated() {
                let x = randn([cs.n, cs.c, cs.h, cs.w], seed: UInt64(700 + i))
                let w = randn([cs.o, cs.c / cs.groups, cs.k, cs.k], seed: UInt64(800 + i))
                let config = ConvConfig(stride: cs.stride, padding: cs.pad, groups: cs.groups)
                let oh = (cs.h + 2 * cs.pad - cs.k) / cs.stride + 1, ow = (cs.w + 2 * cs.pad - cs.k) / cs.stride + 1
                let dy = randn([cs.n, cs.o, oh, ow], seed: UInt64(900 + i))
                for engine in fastEngines {
                    let tag = "\(cs), Winograd \(winograd), direct \(direct), \(engine.threads) threads"
                    let full = engine.conv2dBackward(x, weight: w, hasBias: cs.bias, config, dy: dy)
                    let only = engine.conv2dParameterGradients(x, weight: w, hasBias: cs.bias, config, dy: dy)
                    XCTAssertEqual(only.weight.shape, full.weight.shape, tag)
                    XCTAssertEqual(only.weight.data.map(\.bitPattern), full.weight.data.map(\.bitPattern), "dW \(tag)")
                    XCTAssertEqual(only.bias?.data.map(\.bitPattern), full.bias?.data.map(\.bitPattern), "db \(tag)")
                }
            }
        }
    }
}
