import Datasets
import XCTest

final class DatasetCheckTests: XCTestCase {
    func testCIFARSummary() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeCIFAR(in: dir, perBatch: 10, compressed: true)
        let s = try DatasetCheck.run(path: root)
        XCTAssertEqual(s.format, "cifar10-binary")
        XCTAssertEqual(s.splits.map(\.count), [50, 10])
        XCTAssertEqual(s.splits[0].perClass, [Int](repeating: 5, count: 10))
        XCTAssertEqual(s.imageShape, [3, 32, 32])
        XCTAssertTrue(s.text.contains("train: 50 images"))
    }

    func testImageFolderSummary() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeImageFolder(in: dir, perClass: 2)
        let s = try DatasetCheck.run(path: root, resolution: 12)
        XCTAssertEqual(s.format, "imagefolder")
        XCTAssertEqual(s.splits.map(\.split), ["train", "val"])
        XCTAssertEqual(s.splits.map(\.count), [6, 6])
        XCTAssertEqual(s.imageShape, [3, 12, 12])
    }

    func testUnknownDirectoryIsRejected() throws {
        let dir = try makeTempDirectory(self)
        assertDatasetError(.notFound, [dir, "neither"]) { try DatasetCheck.run(path: dir) }
        assertDatasetError(.notFound, ["nope", "no such directory"]) { try DatasetCheck.run(path: path(dir, "nope")) }
    }
}
