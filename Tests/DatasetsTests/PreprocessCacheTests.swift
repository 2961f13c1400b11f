import Datasets
import XCTest

final class PreprocessCacheTests: XCTestCase {
    func testBuildThenReuseThenRebuildWhenASourceChanges() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeImageFolder(in: dir)
        let cache = PreprocessCache(directory: path(dir, "cache"))
        let first = try cache.load(try ImageFolder.scan(root: root, split: .train), resolution: 8, progress: false)
        XCTAssertEqual(first.origin, .built)
        let second = try cache.load(try ImageFolder.scan(root: root, split: .train), resolution: 8, progress: false)
        XCTAssertEqual(second.origin, .cache)
        XCTAssertEqual(second.images, first.images)
        // Another resolution is another entry.
        XCTAssertEqual(try cache.load(try ImageFolder.scan(root: root, split: .train), resolution: 4,
                                      progress: false).origin, .built)
        // Replace one image (size and mtime change) → rebuilt, with the new pixels.
        let jpeg = try JPEGEncoder.encode(testImage(width: 30, height: 30, tint: 5), quality: 80)
        write(jpeg, to: path(root, "train", "n02", "img1.JPEG"))
        let third = try cache.load(try ImageFolder.scan(root: root, split: .train), resolution: 8, progress: false)
        XCTAssertEqual(third.origin, .rebuilt)
        XCTAssertNotEqual(third.images.pixels, first.images.pixels)
        XCTAssertEqual(try cache.load(try ImageFolder.scan(root: root, split: .train), resolution: 8,
                                      progress: false).origin, .cache)
        // No temp files are left behind.
        let files = try FileManager.default.subpathsOfDirectory(atPath: cache.directory)
        XCTAssertFalse(files.contains { $0.hasSuffix(".tmp") }, "\(files)")
    }

    func testDamagedShardIsRebuilt() throws {
        let dir = try makeTempDirectory(self)
        let root = try makeImageFolder(in: dir)
        let cache = PreprocessCache(directory: path(dir, "cache"))
        let built = try cache.load(try ImageFolder.scan(root: root, split: .test), resolution: 8, progress: false)
        let entry = try XCTUnwrap(try FileManager.default.contentsOfDirectory(atPath: cache.directory).first)
        write([1, 2, 3], to: path(cache.directory, entry, "images.u8.zst"))
        let again = try cache.load(try ImageFolder.scan(root: root, split: .test), resolution: 8, progress: false)
        XCTAssertEqual(again.origin, .rebuilt)
        XCTAssertEqual(again.images, built.images)
    }

    func testCacheLocationPrecedence() {
        XCTAssertEqual(PreprocessCache.resolve(explicit: "/x", environment: ["ATKD_CACHE": "/y"]).directory, "/x")
        XCTAssertEqual(PreprocessCache.resolve(explicit: nil, environment: ["ATKD_CACHE": "/y"]).directory, "/y")
        XCTAssertTrue(PreprocessCache.resolve(explicit: nil, environment: [:]).directory.hasSuffix("/cache"))
    }
}
