import Datasets
import XCTest

final class ImageSetTests: XCTestCase {
    func testFirstPerClassIsDeterministicAndInStoredOrder() {
        let set = randomImageSet(20, classes: 4)     // labels 0,1,2,3,0,1,…
        XCTAssertEqual(set.firstIndicesPerClass(2), [0, 1, 2, 3, 4, 5, 6, 7])
        let sub = set.firstPerClass(3)
        XCTAssertEqual(sub.count, 12)
        XCTAssertEqual(sub.perClassCounts(), [3, 3, 3, 3])
        XCTAssertEqual(Array(sub.pixels[0..<192]), Array(set.pixels[0..<192]))
        XCTAssertEqual(set.firstPerClass(100).count, 20)
    }

    func testSubsetCopiesTheRightImages() {
        let set = randomImageSet(5)
        let sub = set.subset([4, 1])
        XCTAssertEqual(sub.labels, [set.labels[4], set.labels[1]])
        XCTAssertEqual(Array(sub.pixels[192..<384]), Array(set.pixels[192..<384]))
    }

    func testInvalidConstructionThrows() {
        assertDatasetError(.invalidArgument, ["pixel bytes"]) {
            try ImageSet(name: "x", channels: 3, height: 2, width: 2, pixels: [0, 1], labels: [0], classNames: ["a"])
        }
        assertDatasetError(.badLabel, ["label 3"]) {
            try ImageSet(name: "x", channels: 1, height: 1, width: 1, pixels: [0], labels: [3], classNames: ["a"])
        }
    }
}

final class NormalizationTests: XCTestCase {
    func testChannelStatisticsMatchesDirectComputation() {
        let set = randomImageSet(10)
        let stats = set.channelStatistics()
        for c in 0..<3 {
            var values: [Double] = []
            for i in 0..<10 { for k in 0..<64 { values.append(Double(set.pixels[i * 192 + c * 64 + k]) / 255) } }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            XCTAssertEqual(Double(stats.mean[c]), mean, accuracy: 1e-6)
            XCTAssertEqual(Double(stats.std[c]), variance.squareRoot(), accuracy: 1e-6)
        }
    }

    func testLookupTableAndConstants() {
        let t = Normalization.imagenet.lookupTable()
        XCTAssertEqual(t[255], (1 - 0.485) / 0.229, accuracy: 1e-6)
        XCTAssertEqual(t[256], -0.456 / 0.224, accuracy: 1e-6)
        XCTAssertEqual(Normalization.cifar10.mean[0], 0.49139968)
    }

    func testSharedCIFARTestSetStatisticsAreNearPublished() throws {
        guard let shared = sharedDatasets() else { throw XCTSkip("../shared/datasets not present") }
        let s = try CIFAR10.load(directory: path(shared, "cifar-10-batches-bin"), split: .test).channelStatistics()
        for c in 0..<3 {   // JPEG-degraded test split: within 0.01 of the official train-set values
            XCTAssertEqual(s.mean[c], Normalization.cifar10.mean[c], accuracy: 0.01)
            XCTAssertEqual(s.std[c], Normalization.cifar10.std[c], accuracy: 0.01)
        }
    }
}
