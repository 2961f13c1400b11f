// Bit-for-bit reproducibility at a fixed thread count (2 threads).

import XCTest
import TensorCore
import FastEngine
import TestSupport

final class FastEngineDeterminismTests: FastEngineTestCase {
    func testSameCallTwiceGivesIdenticalBits() {
        let fast = FastEngine(threads: 2)
        for (i, groups) in [1, 2, 16].enumerated() {
            let x = randn([9, 16, 14, 14], seed: UInt64(i)), w = randn([16, 16 / groups, 3, 3], seed: 50)
            let config = ConvConfig(stride: 1, padding: 1, groups: groups)
            let dy = randn([9, 16, 14, 14], seed: 51)
            let y1 = fast.conv2d(x, weight: w, bias: nil, config), y2 = fast.conv2d(x, weight: w, bias: nil, config)
            let g1 = fast.conv2dBackward(x, weight: w, hasBias: true, config, dy: dy)
            let g2 = fast.conv2dBackward(x, weight: w, hasBias: true, config, dy: dy)
            XCTAssertTrue(bitEqual(y1, y2), "conv y, groups \(groups)")
            XCTAssertTrue(bitEqual(g1.x, g2.x), "conv dx, groups \(groups)")
            XCTAssertTrue(bitEqual(g1.weight, g2.weight), "conv dw, groups \(groups)")
            XCTAssertTrue(bitEqual(g1.bias!, g2.bias!), "conv db, groups \(groups)")
        }
        // The AW-conv shape (one image, groups = batch): split over groups, and each group's
        // dW sums its images in order, so 1 and 2 threads agree bit for bit.
        let xa = randn([1, 8 * 6, 10, 10], seed: 70), wa = randn([8 * 5, 6, 3, 3], seed: 71)
        let grouped = ConvConfig(stride: 1, padding: 1, groups: 8), dya = randn([1, 40, 10, 10], seed: 72)
        let serial = FastEngine(threads: 1)
        XCTAssertTrue(bitEqual(fast.conv2d(xa, weight: wa, bias: nil, grouped),
                               serial.conv2d(xa, weight: wa, bias: nil, grouped)), "grouped conv y, 1 vs 2 threads")
        let ga = fast.conv2dBackward(xa, weight: wa, hasBias: false, grouped, dy: dya)
        let gs = serial.conv2dBackward(xa, weight: wa, hasBias: false, grouped, dy: dya)
        XCTAssertTrue(bitEqual(ga.x, gs.x) && bitEqual(ga.weight, gs.weight), "grouped conv grads, 1 vs 2 threads")
        let x = randn([16, 32, 16, 16], seed: 60), gamma = randn([32], seed: 61), beta = randn([32], seed: 62)
        let dy = randn(x.shape, seed: 63)
        let f1 = fast.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5)
        let f2 = fast.batchNormTrain(x, gamma: gamma, beta: beta, eps: 1e-5)
        XCTAssertTrue(bitEqual(f1.y, f2.y) && f1.invStd == f2.invStd, "batch norm forward")
        let b1 = fast.batchNormTrainBackward(x, gamma: gamma, mean: f1.mean, invStd: f1.invStd, dy: dy)
        let b2 = fast.batchNormTrainBackward(x, gamma: gamma, mean: f1.mean, invStd: f1.invStd, dy: dy)
        XCTAssertTrue(bitEqual(b1.x, b2.x) && bitEqual(b1.weight, b2.weight) && bitEqual(b1.bias, b2.bias),
                      "batch norm backward")
    }
}
