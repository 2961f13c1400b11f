import Datasets
import XCTest

final class DataLocatorTests: XCTestCase {
    func testSearchOrder() {
        // Explicit means explicit: a given root is the only one searched.
        XCTAssertEqual(DataLocator.searchRoots(dataRoot: "/a", environment: ["ATKD_DATA": "/b"]), ["/a"])
        XCTAssertEqual(DataLocator.searchRoots(dataRoot: nil, environment: ["ATKD_DATA": "/b"]), ["/b"])
        XCTAssertEqual(DataLocator.searchRoots(dataRoot: nil, environment: [:]), ["data", "../shared/datasets"])
    }

    func testDataRootWinsOverEnvironmentAndMayBeTheDatasetItself() throws {
        let dir = try makeTempDirectory(self)
        try makeCIFAR(in: path(dir, "one"), perBatch: 1)
        try makeCIFAR(in: path(dir, "two"), perBatch: 1)
        let env = ["ATKD_DATA": path(dir, "two")]
        XCTAssertEqual(try DataLocator.locate(.cifar10, dataRoot: path(dir, "one"), environment: env),
                       path(dir, "one", "cifar-10-batches-bin"))
        XCTAssertEqual(try DataLocator.locate(.cifar10, dataRoot: nil, environment: env),
                       path(dir, "two", "cifar-10-batches-bin"))
        XCTAssertEqual(try DataLocator.locate(.cifar10, dataRoot: path(dir, "one", "cifar-10-batches-bin")),
                       path(dir, "one", "cifar-10-batches-bin"))
        // A --data-root without the dataset is an error naming it, not a fall-back to ATKD_DATA's.
        assertDatasetError(.notFound, [path(dir, "typo")]) {
            try DataLocator.locate(.cifar10, dataRoot: path(dir, "typo"), environment: env)
        }
    }

    func testNotFoundSaysWhereToPutTheFiles() throws {
        let dir = try makeTempDirectory(self)
        // Two levels down, so ./data and ../shared are absent even if the temp folder's parent has a shared/.
        let work = path(dir, "project", "root")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let cwd = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(work)
        defer { _ = FileManager.default.changeCurrentDirectoryPath(cwd) }
        assertDatasetError(.notFound, [CIFAR10.archiveURL, "c32a1d4ab5d03f1284b67883e8d87530", "--data-root",
                                       "ATKD_DATA", path(dir, "empty")]) {
            try DataLocator.locate(.cifar10, dataRoot: path(dir, "empty"), environment: [:])
        }
    }
}
