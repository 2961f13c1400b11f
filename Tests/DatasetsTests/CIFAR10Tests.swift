import Datasets
import XCTest

final class CIFAR10Tests: XCTestCase {
    func testPlainAndCompressedBatchesLoadTheSame() throws {
        let dir = try makeTempDirectory(self)
        let plain = try makeCIFAR(in: path(dir, "a"), perBatch: 7)
        let zst = try makeCIFAR(in: path(dir, "b"), perBatch: 7, compressed: true)
        for split in Split.allCases {
            let a = try CIFAR10.load(directory: plain, split: split)
            let b = try CIFAR10.load(directory: zst, split: split)
            XCTAssertEqual(a.pixels, b.pixels)
            XCTAssertEqual(a.labels, b.labels)
        }
    }

    func testRecordLayoutLabelsAndPlanes() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeCIFAR(in: dir, perBatch: 4)
        let train = try CIFAR10.load(directory: root, split: .train)
        XCTAssertEqual(train.count, 20)
        XCTAssertEqual([train.channels, train.height, train.width], [3, 32, 32])
        // Batch 2 (k = 1), record 3: label (3+1)%10, pixel p = (3·7 + p + 1) % 251.
        XCTAssertEqual(train.labels[4 + 3], 4)
        let img = Array(train.pixels[(7 * 3072)..<(8 * 3072)])
        XCTAssertEqual(img[0], UInt8(22 % 251))
        XCTAssertEqual(img[1024], UInt8((22 + 1024) % 251))   // first green byte
        XCTAssertEqual(train.classNames, CIFAR10.defaultClassNames)
        XCTAssertEqual(try CIFAR10.load(directory: root, split: .test).count, 4)
    }

    func testSizeNotMultipleOfRecordNamesFileAndOffset() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeCIFAR(in: dir, perBatch: 3)
        let file = path(root, "data_batch_3.bin")
        write(cifarRecords([1, 2, 3]) + [9, 9, 9], to: file)
        assertDatasetError(.badSize, ["data_batch_3.bin", "not a multiple of the 3073", "offset 9219"]) {
            try CIFAR10.load(directory: root, split: .train)
        }
    }

    func testLabelAboveNineNamesRecordAndOffset() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeCIFAR(in: dir, perBatch: 3)
        write(cifarRecords([1, 12, 3]), to: path(root, "test_batch.bin"))
        assertDatasetError(.badLabel, ["test_batch.bin", "record 1", "offset 3073", "label byte 12"]) {
            try CIFAR10.load(directory: root, split: .test)
        }
    }

    func testMissingBatchIsNamed() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeCIFAR(in: dir, perBatch: 2)
        try FileManager.default.removeItem(atPath: path(root, "data_batch_4.bin"))
        assertDatasetError(.notFound, ["data_batch_4"]) { try CIFAR10.load(directory: root, split: .train) }
    }

    func testTruncatedZstdBatchIsNamed() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeCIFAR(in: dir, perBatch: 20, compressed: true)
        let file = path(root, "data_batch_5.bin.zst")
        let full = try XCTUnwrap(FileManager.default.contents(atPath: file))
        write([UInt8](full.prefix(full.count - 10)), to: file)
        assertDatasetError(.truncated, ["data_batch_5.bin.zst"]) { try CIFAR10.load(directory: root, split: .train) }
    }

    func testMetaFileWithWrongCountIsRejected() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeCIFAR(in: dir, perBatch: 1)
        write(Array("cat\ndog\n".utf8), to: path(root, "batches.meta.txt"))
        assertDatasetError(.badSize, ["batches.meta.txt", "2 class names"]) {
            try CIFAR10.load(directory: root, split: .test)
        }
    }

    func testSharedCIFAR10HasOfficialCounts() throws {
        guard let shared = sharedDatasets() else { throw XCTSkip("../shared/datasets not present") }
        let root = path(shared, "cifar-10-batches-bin")
        let test = try CIFAR10.load(directory: root, split: .test)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(test.perClassCounts(), [Int](repeating: 1000, count: 10))
        XCTAssertEqual(test.classNames, CIFAR10.defaultClassNames)
    }
}
