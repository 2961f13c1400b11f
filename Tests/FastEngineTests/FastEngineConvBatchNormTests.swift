// The convolution + eval batch norm (+ activation) in one call: the fast engine's fused Winograd
// path equals its two ops one after the other bit for bit, and the reference within tolerance.

import XCTest
import TensorCore
import ReferenceEngine
import FastEngine
import TestSupport

final class FastEngineConvBatchNormTests: FastEngineTestCase {
    typealias Case = FastEngineConvTests.Case

    /// Winograd cases (≥ 64 tiles a call), im2col + GEMM cases (stride 2 with several images per
    /// GEMM, pointwise, few tiles) and depthwise cases, all fused; a grouped and a biased conv (the
    /// two ops in turn).
    static let cases: [Case] = [
        Case(n: 4, c: 6, h: 16, w: 16, o: 10, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
        Case(n: 3, c: 5, h: 13, w: 18, o: 7, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
        Case(n: 2, c: 4, h: 32, w: 32, o: 4, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
        Case(n: 11, c: 6, h: 9, w: 9, o: 5, k: 3, stride: 2, pad: 1, groups: 1, bias: false),
        Case(n: 3, c: 6, h: 17, w: 17, o: 5, k: 3, stride: 2, pad: 1, groups: 1, bias: false),
        Case(n: 2, c: 6, h: 8, w: 8, o: 10, k: 1, stride: 1, pad: 0, groups: 1, bias: false),
        Case(n: 1, c: 6, h: 7, w: 7, o: 6, k: 3, stride: 1, pad: 1, groups: 1, bias: false),
        Case(n: 3, c: 6, h: 8, w: 8, o: 4, k: 3, stride: 1, pad: 1, groups: 2, bias: false),
        Case(n: 4, c: 6, h: 16, w: 16, o: 10, k: 3, stride: 1, pad: 1, groups: 1, bias: true),
        // Depthwise: stride 1, stride 2, a width off the 8 lanes, padding ≥ k (the row-loop
        // fallback), and a biased one (the two ops in turn).
        Case(n: 3, c: 6, h: 8, w: 8, o: 6, k: 3, stride: 1, pad: 1, groups: 6, bias: false),
        Case(n: 2, c: 5, h: 9, w: 11, o: 5, k: 3, stride: 2, pad: 1, groups: 5, bias: false),
        Case(n: 2, c: 4, h: 7, w: 5, o: 4, k: 3, stride: 1, pad: 1, groups: 4, bias: false),
        Case(n: 2, c: 3, h: 6, w: 6, o: 3, k: 1, stride: 1, pad: 1, groups: 3, bias: false),
        Case(n: 2, c: 4, h: 8, w: 8, o: 4, k: 3, stride: 1, pad: 1, groups: 4, bias: true),
    ]

    /// A case's input, weight, bias and batch-norm statistics (variances away from 1), from `seed`.
    func operands(_ cs: Case, seed: UInt64)
        -> (x: Tensor, w: Tensor, b: Tensor?, gamma: Tensor, beta: Tensor, mean: Tensor, variance: Tensor, config: ConvConfig) {
        (randn([cs.n, cs.c, cs.h, cs.w], seed: seed), randn([cs.o, cs.c / cs.groups, cs.k, cs.k], seed: seed + 20, std: 0.5),
         cs.bias ? randn([cs.o], seed: seed + 40) : nil, randn([cs.o], seed: seed + 60), randn([cs.o], seed: seed + 80),
         randn([cs.o], seed: seed + 100), Tensor(shape: [cs.o], data: (0..<cs.o).map { 0.2 + Float($0 % 4) * 0.7 }),
         ConvConfig(stride: cs.stride, padding: cs.pad, groups: cs.groups))
    }

    func testFusedEqualsTheOpsInTurnAndTheReference() {
        for (i, cs) in Self.cases.enumerated() {
            let (x, w, b, gamma, beta, mean, variance, config) = operands(cs, seed: 300 + UInt64(i))
            for activation in [nil, FusedActivation.relu, .relu6] as [FusedActivation?] {
                let tag = "\(cs) \(activation.map { "\($0)" } ?? "no activation")"
                let expected = ref.conv2dBatchNormEval(x, weight: w, bias: b, config, gamma: gamma, beta: beta,
                                                       runningMean: mean, runningVar: variance, eps: 1e-5,
                                                       activation: activation)
                for engine in fastEngines {
                    let fused = engine.conv2dBatchNormEval(x, weight: w, bias: b, config, gamma: gamma, beta: beta,
                                                           runningMean: mean, runningVar: variance, eps: 1e-5,
                                                           activation: activation)
                    let z = engine.conv2d(x, weight: w, bias: b, config)
                    let inTurn = activation.map {
                        engine.batchNormEval(z, gamma: gamma, beta: beta, runningMean: mean, runningVar: variance,
                                             eps: 1e-5, activation: $0)
                    } ?? engine.batchNormEval(z, gamma: gamma, beta: beta, runningMean: mean, runningVar: variance, eps: 1e-5)
                    XCTAssertEqual(fused.data, inTurn.data, tag)
                    assertClose(fused, expected, rtol: 1e-4, atol: 1e-4, tag)
                }
            }
        }
    }

    /// conv + residual in one call (`conv2dAdd`): bit for bit `conv2d` then `add` on every path
    /// (Winograd, GEMM, stride 2, pointwise, grouped, depthwise, biased), and with the fusion off;
    /// the reference within tolerance.
    func testConvAddEqualsConvThenAddAndTheReference() {
        for (i, cs) in Self.cases.enumerated() {
            let (x, w, b, _, _, _, _, config) = operands(cs, seed: 700 + UInt64(i))
            let residual = randn(ref.conv2d(x, weight: w, bias: b, config).shape, seed: 820 + UInt64(i))
            let expected = ref.conv2dAdd(x, weight: w, bias: b, config, residual: residual)
            for engine in fastEngines {
                let fused = engine.conv2dAdd(x, weight: w, bias: b, config, residual: residual)
                let inTurn = engine.add(engine.conv2d(x, weight: w, bias: b, config), residual)
                FastEngine.fusesConvAdd = false
                let unfused = engine.conv2dAdd(x, weight: w, bias: b, config, residual: residual)
                FastEngine.fusesConvAdd = true
                XCTAssertEqual(fused.data, inTurn.data, "\(cs)")
                XCTAssertEqual(unfused.data, inTurn.data, "\(cs) unfused")
                assertClose(fused, expected, rtol: 1e-4, atol: 1e-4, "\(cs)")
            }
        }
    }

    /// act(BN_eval(conv) + residual) in one call: bit for bit the batch norm without activation,
    /// then `add(_:_:activation:)` (or `add`), on every path; the reference within tolerance.
    func testShortcutSumEqualsTheOpsInTurnAndTheReference() {
        for (i, cs) in Self.cases.enumerated() {
            let (x, w, b, gamma, beta, mean, variance, config) = operands(cs, seed: 500 + UInt64(i))
            let outShape = ref.conv2d(x, weight: w, bias: b, config).shape
            let residual = randn(outShape, seed: 620 + UInt64(i))
            for activation in [nil, FusedActivation.relu, .relu6] as [FusedActivation?] {
                let tag = "\(cs) \(activation.map { "\($0)" } ?? "no activation")"
                let expected = ref.conv2dBatchNormEvalAdd(x, weight: w, bias: b, config, gamma: gamma, beta: beta,
                                                          runningMean: mean, runningVar: variance, eps: 1e-5,
                                                          residual: residual, activation: activation)
                for engine in fastEngines {
                    let fused = engine.conv2dBatchNormEvalAdd(x, weight: w, bias: b, config, gamma: gamma, beta: beta,
                                                              runningMean: mean, runningVar: variance, eps: 1e-5,
                                                              residual: residual, activation: activation)
                    let z = engine.conv2dBatchNormEval(x, weight: w, bias: b, config, gamma: gamma, beta: beta,
                                                       runningMean: mean, runningVar: variance, eps: 1e-5, activation: nil)
                    let inTurn = activation.map { engine.add(z, residual, activation: $0) } ?? engine.add(z, residual)
                    XCTAssertEqual(fused.data, inTurn.data, tag)
                    assertClose(fused, expected, rtol: 1e-4, atol: 1e-4, tag)
                }
            }
        }
    }
}
