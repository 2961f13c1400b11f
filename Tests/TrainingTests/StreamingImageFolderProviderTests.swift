import XCTest
import Foundation
import TensorCore
import Datasets
import Training

/// The per-batch-decoding image folder: splits, determinism, and a data-parallel rank's share
/// decoded alone equal to the same rows of the whole batch.
final class StreamingImageFolderProviderTests: XCTestCase {
    static let subset = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/datasets/imagenette-72").path

    func provider(threads: Int = 2) throws -> StreamingImageFolderProvider {
        guard FileManager.default.fileExists(atPath: "\(Self.subset)/train") else { throw XCTSkip("no ImageNet subset at \(Self.subset)") }
        return try StreamingImageFolderProvider(root: Self.subset, resolution: 48, minScale: 0.25, flip: true,
                                                normalization: .imagenet, threads: threads,
                                                trainPerClass: 3, testPerClass: 2, validationPerClass: 1)
    }

    func testSplitsAndShapes() throws {
        let p = try provider()
        XCTAssertEqual(p.classes, 10)
        XCTAssertEqual([p.trainCount, p.testCount, p.validationCount], [30, 20, 10])
        XCTAssertEqual(p.batchesPerEpoch(batchSize: 8), 3)
        XCTAssertEqual(p.validationBatches(batchSize: 4)!.next()!.x.shape, [4, 3, 48, 48])
        XCTAssertEqual(Array(p.testBatches(batchSize: 7)).map(\.labels.count), [7, 7, 6])
        XCTAssert(p.identity.hasPrefix("files md5 "), p.identity)
        XCTAssertEqual(p.identity, try provider().identity)
    }

    func testSameSeedSameBatchesAnyThreadsAndAShareIsTheWholeBatchsRows() throws {
        let p = try provider(), q = try provider(threads: 1)
        let whole = Array(p.trainBatches(seed: 3, epoch: 1, startBatch: 0, batchSize: 8))
        let again = Array(q.trainBatches(seed: 3, epoch: 1, startBatch: 0, batchSize: 8))
        XCTAssertEqual(whole.map(\.x), again.map(\.x), "decoding threads do not change a batch")
        XCTAssertNotEqual(whole[0].x, Array(p.trainBatches(seed: 3, epoch: 2, startBatch: 0, batchSize: 8))[0].x)
        let share = Array(p.trainBatches(seed: 3, epoch: 1, startBatch: 1, batchSize: 8, rows: 4..<8))
        XCTAssertEqual(share.count, 2)
        for (s, w) in zip(share, whole.dropFirst()) {
            XCTAssertEqual(s.x, w.rows(4..<8).x)
            XCTAssertEqual(s.labels, w.rows(4..<8).labels)
            XCTAssertEqual(s.indices, w.rows(4..<8).indices)
        }
    }
}
