import Datasets
import Foundation
import XCTest

/// `python3 -m http.server`-style server on 127.0.0.1, a free port, serving `directory`.
final class LocalHTTPServer {
    let process = Process()
    let port: Int

    init(serving directory: String) throws {
        let script = """
            import http.server, functools, sys
            h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            h.log_message = lambda *a: None
            s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, directory]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while true {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data([10]) { break }
            line.append(byte)
        }
        guard let p = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw XCTSkip("python3 http.server unavailable")
        }
        port = p
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

final class DownloaderTests: XCTestCase {
    func testMD5KnownVectors() {
        func md5(_ s: String) -> String { var h = MD5(); h.update(Array(s.utf8)); return h.finalize() }
        XCTAssertEqual(md5(""), "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(md5("abc"), "900150983cd24fb0d6963f7d28e17f72")
        XCTAssertEqual(md5(String(repeating: "1234567890", count: 8)), "57edf4a22be3c955ac49da2e2107b67a")
        // Streaming in odd pieces gives the same digest.
        var h = MD5()
        let bytes = Array(String(repeating: "1234567890", count: 8).utf8)
        for chunk in stride(from: 0, to: bytes.count, by: 7) { h.update(Array(bytes[chunk..<min(chunk + 7, bytes.count)])) }
        XCTAssertEqual(h.finalize(), "57edf4a22be3c955ac49da2e2107b67a")
    }

    /// A tar.gz of a tiny `cifar-10-batches-bin/`, its MD5, and a server for it.
    func serveArchive() throws -> (server: LocalHTTPServer, url: String, md5: String, dir: String) {
        let dir = try makeTempDirectory(self)
        try makeCIFAR(in: path(dir, "src"), perBatch: 3)
        try FileManager.default.createDirectory(atPath: path(dir, "www"), withIntermediateDirectories: true)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar", "-czf", path(dir, "www", "cifar.tar.gz"), "-C", path(dir, "src"), "cifar-10-batches-bin"]
        try tar.run()
        tar.waitUntilExit()
        XCTAssertEqual(tar.terminationStatus, 0)
        var h = MD5()
        h.update([UInt8](try XCTUnwrap(FileManager.default.contents(atPath: path(dir, "www", "cifar.tar.gz")))))
        let server = try LocalHTTPServer(serving: path(dir, "www"))
        addTeardownBlock { server.stop() }
        return (server, "http://127.0.0.1:\(server.port)/cifar.tar.gz", h.finalize(), dir)
    }

    func testDownloadCheckExtractAndLoad() throws {
        let (_, url, md5, dir) = try serveArchive()
        let dataset = try Downloader.cifar10(into: path(dir, "data"), url: url, md5: md5)
        XCTAssertEqual(try CIFAR10.load(directory: dataset, split: .train).count, 15)
        let left = try FileManager.default.contentsOfDirectory(atPath: path(dir, "data"))
        XCTAssertEqual(left, ["cifar-10-batches-bin"])          // the archive was removed
    }

    func testWrongMD5ExtractsNothing() throws {
        let (_, url, _, dir) = try serveArchive()
        assertDatasetError(.download, [url, "MD5 mismatch"]) {
            try Downloader.cifar10(into: path(dir, "data"), url: url, md5: "00000000000000000000000000000000")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path(dir, "data")), [])
    }

    func testMissingFileIsAnHTTPError() throws {
        let (server, _, md5, dir) = try serveArchive()
        let url = "http://127.0.0.1:\(server.port)/nope.tar.gz"
        assertDatasetError(.download, [url, "404"]) { try Downloader.cifar10(into: path(dir, "data"), url: url, md5: md5) }
    }
}
