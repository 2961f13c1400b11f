// The one zstd wrapper: round trips, and every damaged input reported with its kind and file.

import FileIO
import Foundation
import XCTest

final class ZstdTests: XCTestCase {
    func testRoundTripLargerThanOneChunk() throws {
        let dir = try temporaryDirectory(self)
        let bytes = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        let file = dir + "/x.zst"
        try Zstd.compress(bytes, to: file)
        XCTAssertEqual(try Zstd.decompressFile(file), bytes)
    }

    /// Frames carry zstd's content checksum (frame header descriptor bit 2).
    func testFramesRecordAContentChecksum() throws {
        let frame = try Zstd.compress(Array(repeating: 7, count: 1000), file: "x")
        XCTAssertEqual(Array(frame.prefix(4)), Zstd.frameMagic)
        XCTAssertEqual(frame[4] & 0x04, 0x04, "Content_Checksum_flag")
        XCTAssertEqual(try Zstd.decompress(frame, file: "x"), Array(repeating: 7, count: 1000))
    }

    func testEmptyPayloadRoundTrips() throws {
        let dir = try temporaryDirectory(self)
        try Zstd.compress([], to: dir + "/e.zst")
        XCTAssertEqual(try Zstd.decompressFile(dir + "/e.zst"), [])
    }

    func testConcatenatedFramesAreOneStream() throws {
        let a = try Zstd.compress(Array("first ".utf8), file: "a")
        let b = try Zstd.compress(Array("second".utf8), file: "b")
        XCTAssertEqual(String(decoding: try Zstd.decompress(a + b, file: "ab"), as: UTF8.self), "first second")
    }

    func testTruncatedStreamIsReported() throws {
        let frame = try Zstd.compress((0..<100_000).map { UInt8($0 % 253) }, file: "t.zst")
        assertFileIOError(.truncated, ["t.zst", "truncated"]) {
            _ = try Zstd.decompress(Array(frame.prefix(frame.count / 2)), file: "t.zst")
        }
    }

    /// NOTE: the content checksum is what catches a flip inside a literal block; without it
    /// (ZSTD_c_checksumFlag 0) this payload decompresses to wrong bytes and no error.
    func testFlippedByteInsideTheFrameIsCaughtByTheChecksum() throws {
        var rng = SystemRandomNumberGenerator()
        let payload = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }  // incompressible: raw block
        var frame = try Zstd.compress(payload, file: "c.zst")
        frame[frame.count / 2] ^= 0x10
        assertFileIOError(.corrupt, ["c.zst", "zstd error near compressed byte"]) {
            _ = try Zstd.decompress(frame, file: "c.zst")
        }
    }

    func testGarbageEmptyAndMissingFilesAreReported() throws {
        let dir = try temporaryDirectory(self)
        try Data("not zstd at all".utf8).write(to: URL(fileURLWithPath: dir + "/g.zst"))
        assertFileIOError(.notZstd, ["g.zst", "not a zstd-compressed file"]) { _ = try Zstd.decompressFile(dir + "/g.zst") }
        try Data().write(to: URL(fileURLWithPath: dir + "/empty.zst"))
        assertFileIOError(.truncated, ["empty.zst", "empty file"]) { _ = try Zstd.decompressFile(dir + "/empty.zst") }
        assertFileIOError(.io, ["missing.zst", "No such file"]) { _ = try Zstd.decompressFile(dir + "/missing.zst") }
    }
}

/// A fresh directory removed after the test.
func temporaryDirectory(_ test: XCTestCase) throws -> String {
    let dir = NSTemporaryDirectory() + "atkd-fileio-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
    return dir
}

/// Asserts `body` throws a `FileIOError` of `kind` whose message contains every fragment.
func assertFileIOError(_ kind: FileIOError.Kind, _ fragments: [String], file: StaticString = #filePath,
                       line: UInt = #line, _ body: () throws -> Void) {
    do {
        try body()
        XCTFail("expected a \(kind) error", file: file, line: line)
    } catch let error as FileIOError {
        XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment), "\(error) lacks \(fragment)", file: file, line: line)
        }
    } catch {
        XCTFail("expected FileIOError, got \(error)", file: file, line: line)
    }
}
