import XCTest
import Foundation
import TensorCore
import Training

final class ClassificationMetricsTests: XCTestCase {
    func testHandComputedBatch() {
        // 3 classes, 4 samples. Row argmaxes: 0, 1, 2, 0; labels 0, 2, 2, 1.
        let logits = Tensor(shape: [4, 3], data: [2, 0, 0,   0, 1, 0.5,   0, 0, 3,   1, 0.9, 0])
        var acc = MetricsAccumulator(classes: 3)
        acc.add(logits: logits, labels: [0, 2, 2, 1], teacherPredictions: [0, 1, 1, 1])
        let m = acc.summary()
        XCTAssertEqual(m.count, 4)
        XCTAssertEqual(m.top1, 0.5)
        XCTAssertEqual(m.top5, 1.0)                       // K = 3 < 5: always a hit
        XCTAssertEqual(m.confusion, [[1, 0, 0], [1, 0, 0], [0, 1, 1]])
        XCTAssertEqual(m.perClassAccuracy, [1, 0, 0.5])
        XCTAssertEqual(m.teacherAgreement, 0.5)
        // NLL of the first row: log(e²+2) − 2.
        let expectedFirst = log(exp(2.0) + 2) - 2
        XCTAssertGreaterThan(m.nll, expectedFirst / 4)
    }

    /// A class with no test image has no accuracy (null), and the metrics still encode as JSON
    /// (a NaN here once made a finished run fail to write its final.json).
    func testClassWithoutImagesIsNullAndEncodes() throws {
        var acc = MetricsAccumulator(classes: 3)
        acc.add(logits: Tensor(shape: [2, 3], data: [2, 0, 0, 0, 2, 0]), labels: [0, 0])
        let m = acc.summary()
        XCTAssertEqual(m.perClassAccuracy, [0.5, nil, nil])
        let json = String(decoding: try JSONEncoder().encode(m), as: UTF8.self)
        XCTAssertTrue(json.contains("\"perClassAccuracy\":[0.5,null,null]"), json)
        XCTAssertEqual(try JSONDecoder().decode(ClassificationMetrics.self, from: Data(json.utf8)), m)
    }

    func testECEOfPerfectlyCalibratedIsZeroAndOverconfidentIsLarge() {
        // Two samples each with confidence ≈ 1 and both wrong → ECE ≈ 1.
        let logits = Tensor(shape: [2, 2], data: [20, 0, 20, 0])
        var acc = MetricsAccumulator(classes: 2)
        acc.add(logits: logits, labels: [1, 1])
        XCTAssertEqual(acc.summary().ece, 1, accuracy: 1e-6)
        var ok = MetricsAccumulator(classes: 2)
        ok.add(logits: logits, labels: [0, 0])
        XCTAssertEqual(ok.summary().ece, 0, accuracy: 1e-6)
    }
}
