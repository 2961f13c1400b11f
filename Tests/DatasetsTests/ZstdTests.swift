import Datasets
import XCTest

final class ZstdTests: XCTestCase {
    func testRoundTripLargerThanOneChunk() throws {
        let dir = try makeTempDirectory(self)
        let bytes = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let file = path(dir, "x.zst")
        try Zstd.compress(bytes, to: file)
        XCTAssertEqual(try Zstd.decompressFile(file), bytes)
    }

    func testEmptyPayloadRoundTrips() throws {
        let dir = try makeTempDirectory(self)
        try Zstd.compress([], to: path(dir, "e.zst"))
        XCTAssertEqual(try Zstd.decompressFile(path(dir, "e.zst")), [])
    }

    func testTruncatedStreamIsReported() throws {
        let dir = try makeTempDirectory(self)
        let file = path(dir, "t.zst")
        try Zstd.compress((0..<100_000).map { UInt8($0 % 253) }, to: file)
        let full = try XCTUnwrap(FileManager.default.contents(atPath: file))
        write([UInt8](full.prefix(full.count / 2)), to: file)
        assertDatasetError(.truncated, [file, "truncated"]) { try Zstd.decompressFile(file) }
    }

    func testGarbageAndEmptyFilesAreReported() throws {
        let dir = try makeTempDirectory(self)
        write(Array("not zstd at all".utf8), to: path(dir, "g.zst"))
        assertDatasetError(.corrupt, [path(dir, "g.zst")]) { try Zstd.decompressFile(path(dir, "g.zst")) }
        write([], to: path(dir, "empty.zst"))
        assertDatasetError(.truncated, ["empty.zst"]) { try Zstd.decompressFile(path(dir, "empty.zst")) }
        assertDatasetError(.io, ["missing.zst"]) { try Zstd.decompressFile(path(dir, "missing.zst")) }
    }
}
