// ZagoruykoAT: attention maps and the AT loss — gradients by central differences for every
// variant, and the properties the method rests on (scale invariance, zero iff maps match).

import XCTest
import TensorCore
import TestSupport
import ReferenceEngine
import ZagoruykoAT
import FastEngine

final class ZagoruykoATTests: XCTestCase {
    let engine = ReferenceEngine()

    func features(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededRNG(seed: seed)
        return Tensor.randn(shape, rng: &rng)
    }

    /// Distinct magnitudes ≥ 0.1 with random signs: no channel-max ties and no |x| kink within ±eps.
    func distinctMagnitudes(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = SeededRNG(seed: seed)
        let v = GradCheck.distinctValues(shape, gap: 0.05, start: 0.1, rng: &rng)
        return v.map { rng.uniform() < 0.5 ? -$0 : $0 }
    }

    // MARK: attention map

    func testMapIsTheNormalisedChannelMeanOfSquares() {
        let x = features([2, 3, 2, 2], seed: 1)
        let map = ZagoruykoAT.attentionMap(x).map
        XCTAssertEqual(map.shape, [2, 4])
        for n in 0..<2 {
            var q = [Float](repeating: 0, count: 4)
            for c in 0..<3 { for s in 0..<4 { let v = x.data[(n * 3 + c) * 4 + s]; q[s] += v * v / 3 } }
            let norm = q.reduce(0) { $0 + $1 * $1 }.squareRoot()
            assertClose(Tensor(shape: [4], data: Array(map.data[(n * 4)..<(n * 4 + 4)])),
                        Tensor(shape: [4], data: q.map { $0 / norm }), rtol: 1e-5, atol: 1e-7)
        }
    }

    /// Split over an engine's threads (images in parallel), the map and its pullback keep every bit
    /// of the one-thread computation, for every reduction and exponent.
    func testMapSplitOverThreadsIsBitIdentical() {
        let x = features([33, 16, 16, 16], seed: 21)  // 135,168 values: over the 2¹⁷ split threshold
        let dMap = features([33, 256], seed: 22)
        for (p, reduction) in [(Float(2), ATChannelReduction.mean), (2, .sum), (3, .mean), (1, .max)] {
            let one = ZagoruykoAT.attentionMap(x, p: p, reduction: reduction)
            let split = ZagoruykoAT.attentionMap(x, p: p, reduction: reduction, engine: FastEngine(threads: 2))
            XCTAssertEqual(one.map.data.map(\.bitPattern), split.map.data.map(\.bitPattern), "map p \(p) \(reduction)")
            XCTAssertEqual(one.pullback(dMap).data.map(\.bitPattern), split.pullback(dMap).data.map(\.bitPattern),
                           "pullback p \(p) \(reduction)")
        }
    }

    func testMapGradientsEveryVariant() {
        for reduction in ATChannelReduction.allCases {
            for p: Float in [2, 3] {
                let x = distinctMagnitudes([2, 3, 3, 2], seed: 2)
                let map = ZagoruykoAT.attentionMap(x, p: p, reduction: reduction)
                checkGradient(of: { ZagoruykoAT.attentionMap($0[0], p: p, reduction: reduction).map },
                              inputs: [x], names: ["x"],
                              analytic: { x, r in [ZagoruykoAT.attentionMap(x[0], p: p, reduction: reduction).pullback(r)] },
                              eps: 1e-3, "\(reduction) p=\(p)")
                var rng = SeededRNG(seed: 3)
                XCTAssertGreaterThan(map.pullback(Tensor.randn(map.map.shape, rng: &rng)).maxAbs(), 0.05)
            }
        }
    }

    func testMapIsInvariantToScalingTheActivations() {
        let x = features([2, 4, 3, 3], seed: 4)
        for reduction in ATChannelReduction.allCases {
            let a = ZagoruykoAT.attentionMap(x, reduction: reduction).map
            let b = ZagoruykoAT.attentionMap(x * 37.5, reduction: reduction).map
            assertClose(b, a, rtol: 1e-5, atol: 1e-7, "\(reduction)")
        }
    }

    func testChannelSumAndMeanGiveTheSameMap() {
        let x = features([2, 5, 3, 4], seed: 5)
        assertClose(ZagoruykoAT.attentionMap(x, reduction: .sum).map,
                    ZagoruykoAT.attentionMap(x, reduction: .mean).map, rtol: 1e-5, atol: 1e-7)
    }

    func testAllZeroActivationsGiveAZeroMapWithoutNaN() {
        let (map, pullback) = ZagoruykoAT.attentionMap(Tensor(zeros: [1, 2, 2, 2]))
        XCTAssertEqual(map.data, [0, 0, 0, 0])
        XCTAssertTrue(pullback(Tensor(repeating: 1, shape: [1, 4])).isFinite)
    }

    // MARK: loss

    /// (student shape, teacher shape, spatial match) cases: equal, and mismatched both ways.
    let geometries: [([Int], [Int], ATSpatialMatch)] = [
        ([2, 3, 4, 4], [2, 5, 4, 4], .none),
        ([2, 3, 6, 6], [2, 4, 3, 3], .avgpool),
        ([2, 3, 5, 5], [2, 4, 2, 2], .avgpool),
        ([2, 3, 3, 3], [2, 4, 6, 6], .avgpool),
        ([2, 3, 6, 6], [2, 4, 3, 3], .bilinear),
        ([2, 3, 3, 3], [2, 4, 5, 5], .bilinear),
    ]

    func testLossGradientsEveryVariant() {
        for (sShape, tShape, match) in geometries {
            for form in ATLossForm.allCases {
                for (p, reduction) in [(Float(2), ATChannelReduction.mean), (3, .sum), (2, .max)] {
                    let options = ATLossOptions(p: p, reduction: reduction, form: form, spatialMatch: match)
                    let s = distinctMagnitudes(sShape, seed: 6), t = features(tShape, seed: 7)
                    // Scaled so the gradient is O(1): a vanishing gradient cannot pass against atol.
                    // NOTE: the loss is a Float; ε = 1e-2 keeps its rounding (ulp/2ε) under atol.
                    let scale: Float = form == .code ? 1000 : 100
                    let loss = { (x: Tensor) in ZagoruykoAT.loss(student: x, teacher: t, options: options, engine: self.engine) }
                    let grad = loss(s).dStudent * scale
                    XCTAssertGreaterThan(grad.maxAbs(), 0.05, "\(sShape)→\(tShape) \(options)")
                    checkGradient(of: { Tensor(shape: [1], data: [scale * loss($0[0]).value]) }, inputs: [s],
                                  names: ["student"], analytic: { x, r in [loss(x[0]).dStudent * (scale * r.data[0])] },
                                  eps: 1e-2, "\(sShape)→\(tShape) \(options)")
                }
            }
        }
    }

    func testCodeFormIsTheMeanSquaredErrorOfTheMaps() {
        let s = features([3, 2, 4, 5], seed: 8), t = features([3, 6, 4, 5], seed: 9)
        let ms = ZagoruykoAT.attentionMap(s).map, mt = ZagoruykoAT.attentionMap(t).map
        let d = ms - mt
        let mse = d.dot(d) / Double(d.count)
        XCTAssertEqual(Double(ZagoruykoAT.loss(student: s, teacher: t, engine: engine).value), mse, accuracy: 1e-7)
        var paper = 0.0
        for n in 0..<3 {
            let row = Tensor(shape: [20], data: Array(d.data[(n * 20)..<(n * 20 + 20)]))
            paper += row.dot(row).squareRoot()
        }
        let options = ATLossOptions(p: 2, reduction: .mean, form: .paper, spatialMatch: .none)
        XCTAssertEqual(Double(ZagoruykoAT.loss(student: s, teacher: t, options: options, engine: engine).value),
                       paper / 6, accuracy: 1e-6)
    }

    func testLossIsZeroIffNormalisedMapsMatch() {
        let s = features([2, 3, 4, 4], seed: 10)
        // Same map: the teacher is the student scaled and with channels repeated.
        let scaled = s * 3
        var repeated = [Float]()
        for n in 0..<2 {
            let sample = Array(scaled.data[(n * 48)..<(n * 48 + 48)])
            repeated += sample
            repeated += sample
        }
        let t = Tensor(shape: [2, 6, 4, 4], data: repeated)
        for form in ATLossForm.allCases {
            let options = ATLossOptions(p: 2, reduction: .mean, form: form, spatialMatch: .none)
            let same = ZagoruykoAT.loss(student: s, teacher: t, options: options, engine: engine)
            XCTAssertEqual(same.value, 0, accuracy: 1e-6, "\(form)")
            XCTAssertLessThanOrEqual(same.dStudent.maxAbs(), 1e-5, "\(form)")
            let other = ZagoruykoAT.loss(student: s, teacher: features([2, 6, 4, 4], seed: 11),
                                         options: options, engine: engine)
            XCTAssertGreaterThan(other.value, 1e-3, "\(form): different maps give a positive loss")
        }
    }

    func testAvgPoolMatchesPoolingTheLargerFeatureMapFirst() {
        let s = features([2, 3, 8, 8], seed: 12), t = features([2, 4, 4, 4], seed: 13)
        let pooled = engine.adaptiveAvgPool2d(s, outH: 4, outW: 4)
        let direct = ZagoruykoAT.loss(student: pooled, teacher: t, engine: engine).value
        XCTAssertEqual(ZagoruykoAT.loss(student: s, teacher: t, engine: engine).value, direct, accuracy: 1e-7)
        // Pool-then-square differs from square-then-pool (PAPERS §2.4): the order is part of the method.
        let bilinear = ATLossOptions(p: 2, reduction: .mean, form: .code, spatialMatch: .bilinear)
        XCTAssertNotEqual(ZagoruykoAT.loss(student: s, teacher: t, options: bilinear, engine: engine).value, direct,
                          accuracy: 1e-6)
    }

    func testDefaultsAreTheAuthorsCode() {
        XCTAssertEqual(ATLossOptions.authorsCode,
                       ATLossOptions(p: 2, reduction: .mean, form: .code, spatialMatch: .avgpool))
        XCTAssertEqual(ZagoruykoAT.normalizeEpsilon, 1e-12)
    }
}
