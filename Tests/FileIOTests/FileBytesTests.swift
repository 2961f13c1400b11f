// The one atomic write: the file is replaced whole, no temp file is left behind, errors name the file.

import FileIO
import Foundation
import XCTest

final class FileBytesTests: XCTestCase {
    func testWriteReplacesTheFileAndLeavesNoTempFile() throws {
        let dir = try temporaryDirectory(self)
        let file = dir + "/record.json"
        try FileBytes.writeAtomically(Array("old".utf8), to: file)
        try FileBytes.writeAtomically(Array("new content".utf8), to: file)
        XCTAssertEqual(String(decoding: try FileBytes.read(file), as: UTF8.self), "new content")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["record.json"])
    }

    func testReadOfALargeFileIsWhole() throws {
        let dir = try temporaryDirectory(self)
        let bytes = (0..<(2 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try FileBytes.writeAtomically(bytes, to: dir + "/big")
        XCTAssertEqual(try FileBytes.read(dir + "/big"), bytes)
    }

    func testFailuresNameTheFileAndLeaveTheOldOne() throws {
        let dir = try temporaryDirectory(self)
        assertFileIOError(.io, ["\(dir)/none/x", "No such file"]) { try FileBytes.writeAtomically([1], to: dir + "/none/x") }
        assertFileIOError(.io, ["\(dir)/absent"]) { _ = try FileBytes.read(dir + "/absent") }
        // A directory where the file should go: the rename fails, the directory stays, no temp file remains.
        try FileManager.default.createDirectory(atPath: dir + "/taken/inner", withIntermediateDirectories: true)
        assertFileIOError(.io, ["\(dir)/taken", "rename"]) { try FileBytes.writeAtomically([1, 2], to: dir + "/taken") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["taken"])
    }
}
