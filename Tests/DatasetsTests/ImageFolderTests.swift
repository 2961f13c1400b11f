import Datasets
import XCTest

final class ImageFolderTests: XCTestCase {
    func testClassesAreSortedFoldersAndFilesSortedWithin() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeImageFolder(in: dir, perClass: 3)
        let index = try ImageFolder.scan(root: root, split: .train)
        XCTAssertEqual(index.classIDs, ["n01", "n02", "n03"])
        XCTAssertEqual(index.entries.map(\.path),
                       ["n01", "n02", "n03"].flatMap { c in (0..<3).map { "\(c)/img\($0).JPEG" } })
        XCTAssertEqual(index.entries.map(\.label), [0, 0, 0, 1, 1, 1, 2, 2, 2])
    }

    func testClassesTxtSetsLabelOrderAndNames() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeImageFolder(in: dir)
        write(Array("n03\tthree\nn01\tone\nn02\ttwo\n".utf8), to: path(root, "classes.txt"))
        let index = try ImageFolder.scan(root: root, split: .test)
        XCTAssertEqual(index.classIDs, ["n03", "n01", "n02"])
        XCTAssertEqual(index.classNames, ["three", "one", "two"])
        XCTAssertEqual(index.entries.first?.path, "n03/img0.JPEG")
        write(Array("n03\tthree\nn01\tone\n".utf8), to: path(root, "classes.txt"))
        assertDatasetError(.classMismatch, ["classes.txt", "n02"]) { try ImageFolder.scan(root: root, split: .train) }
    }

    func testDecodeGivesSquareImagesAtResolution() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeImageFolder(in: dir, size: (40, 20))
        let set = try ImageFolder.decode(try ImageFolder.scan(root: root, split: .train), resolution: 16, threads: 2)
        XCTAssertEqual([set.count, set.channels, set.height, set.width], [6, 3, 16, 16])
        XCTAssertEqual(set.labels, [0, 0, 1, 1, 2, 2])
        // Class n01 (tint 1 after sorting? folders were created n02, n01, n03 with tints 0, 1, 2).
        let blue = set.pixels[2 * 256]                    // image 0 (class n01, tint 1): blue = 20
        XCTAssertEqual(Int(blue), 20, accuracy: 3)
        // Thread count does not change the result.
        let one = try ImageFolder.decode(try ImageFolder.scan(root: root, split: .train), resolution: 16, threads: 1)
        XCTAssertEqual(one.pixels, set.pixels)
    }

    func testNonImageFilesAreSkippedWithWarning() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeImageFolder(in: dir)
        write(Array("notes".utf8), to: path(root, "train", "n02", "README.txt"))
        let index = try ImageFolder.scan(root: root, split: .train)
        XCTAssertEqual(index.entries.count, 6)
        XCTAssertEqual(index.skipped, [path(root, "train", "n02", "README.txt")])
        let summary = try DatasetCheck.run(path: root, resolution: 8)
        XCTAssertTrue(summary.warnings.contains { $0.contains("README.txt") })
    }

    func testUndecodableJPEGIsAnErrorNamingTheFile() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeImageFolder(in: dir)
        let bad = path(root, "val", "n03", "img1.JPEG")
        write(Array("this is not a jpeg".utf8), to: bad)
        assertDatasetError(.corrupt, [bad]) {
            try ImageFolder.decode(try ImageFolder.scan(root: root, split: .test), resolution: 8)
        }
    }

    func testTruncatedJPEGIsAnError() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeImageFolder(in: dir, size: (64, 64))
        let file = path(root, "train", "n01", "img0.JPEG")
        let full = try XCTUnwrap(FileManager.default.contents(atPath: file))
        write([UInt8](full.prefix(full.count / 2)), to: file)
        assertDatasetError(.corrupt, [file]) {
            try ImageFolder.decode(try ImageFolder.scan(root: root, split: .train), resolution: 8)
        }
    }

    func testEmptyClassFolderIsAnError() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeImageFolder(in: dir)
        for k in 0..<2 { try FileManager.default.removeItem(atPath: path(root, "val", "n02", "img\(k).JPEG")) }
        assertDatasetError(.emptyClass, [path(root, "val", "n02")]) { try ImageFolder.scan(root: root, split: .test) }
    }

    func testTrainAndValClassSetsMustMatch() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeImageFolder(in: dir)
        try FileManager.default.createDirectory(atPath: path(root, "val", "n09"), withIntermediateDirectories: true)
        assertDatasetError(.classMismatch, ["val", "n09"]) { try ImageFolder.scan(root: root, split: .train) }
    }

    func testSharedImagenetteHasDocumentedCounts() throws {
        guard let shared = sharedDatasets() else { throw XCTSkip("../shared/datasets not present") }
        let root = path(shared, "imagenette-72")
        let train = try ImageFolder.scan(root: root, split: .train)
        let val = try ImageFolder.scan(root: root, split: .test)
        XCTAssertEqual(train.entries.count, 9469)
        XCTAssertEqual(val.entries.count, 3925)
        XCTAssertEqual(train.classNames.first, "tench")
        XCTAssertTrue(train.skipped.isEmpty)
        // Decode a few real JPEGs end to end.
        let few = ImageFolderIndex(directory: train.directory, classIDs: train.classIDs, classNames: train.classNames,
                                   entries: Array(train.entries.prefix(8)), skipped: [])
        let set = try ImageFolder.decode(few, resolution: 32)
        XCTAssertEqual(set.count, 8)
        XCTAssertGreaterThan(Set(set.pixels).count, 50)
    }
}

final class ProgressLineTests: XCTestCase {
    func testETAFromTheRateUntilDone() {
        XCTAssertEqual(ProgressLine.text("decoding x", done: 0, total: 100, seconds: 0), "\rdecoding x: 0/100 (0%) 0.0 s, 0 img/s")
        XCTAssertEqual(ProgressLine.text("decoding x", done: 25, total: 100, seconds: 5),
                       "\rdecoding x: 25/100 (25%) 5.0 s, 5 img/s, ETA 15 s")
        XCTAssertEqual(ProgressLine.text("decoding x", done: 100, total: 100, seconds: 20),
                       "\rdecoding x: 100/100 (100%) 20.0 s, 5 img/s")
    }
}
