// Shared helpers for the Datasets tests: temp directories, tiny CIFAR batches
// and ImageFolder trees made on the fly, and the shared datasets if present.

import Datasets
import FileIO
import Foundation
import XCTest

/// A fresh temporary directory, removed when the test case tears down.
func makeTempDirectory(_ test: XCTestCase, _ name: String = "atkd-data") throws -> String {
    let dir = (NSTemporaryDirectory() as NSString)
        .appendingPathComponent("\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
    return dir
}

func path(_ dir: String, _ components: String...) -> String {
    components.reduce(dir) { ($0 as NSString).appendingPathComponent($1) }
}

func write(_ bytes: [UInt8], to file: String) {
    try? FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                             withIntermediateDirectories: true)
    precondition(FileManager.default.createFile(atPath: file, contents: Data(bytes)), "cannot write \(file)")
}

/// CIFAR records: label `labels[r]`, pixel `p` of record `r` = `(r·7 + p) % 251`.
func cifarRecords(_ labels: [UInt8], seed: Int = 0) -> [UInt8] {
    var out: [UInt8] = []
    for (r, l) in labels.enumerated() {
        out.append(l)
        for p in 0..<3072 { out.append(UInt8((r * 7 + p + seed) % 251)) }
    }
    return out
}

/// A small CIFAR-10 directory: every batch holds `perBatch` records with
/// labels cycling 0…9; `.bin.zst` files when `compressed`.
@discardableResult
func makeCIFAR(in dir: String, perBatch: Int = 10, compressed: Bool = false, meta: Bool = true) throws -> String {
    let root = path(dir, "cifar-10-batches-bin")
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    for (k, stem) in (CIFAR10.batchNames(.train) + CIFAR10.batchNames(.test)).enumerated() {
        let bytes = cifarRecords((0..<perBatch).map { UInt8(($0 + k) % 10) }, seed: k)
        if compressed { try Zstd.compress(bytes, to: path(root, stem + ".bin.zst")) }
        else { write(bytes, to: path(root, stem + ".bin")) }
    }
    if meta { write(Array((CIFAR10.defaultClassNames.joined(separator: "\n") + "\n\n").utf8),
                    to: path(root, "batches.meta.txt")) }
    return root
}

/// A solid-colour-ish RGB test image with a gradient (so crops are visible).
func testImage(width: Int, height: Int, tint: Int) -> RGBImage {
    var px = [UInt8](repeating: 0, count: width * height * 3)
    for y in 0..<height {
        for x in 0..<width {
            px[(y * width + x) * 3] = UInt8((tint * 40 + x * 3) % 256)
            px[(y * width + x) * 3 + 1] = UInt8((y * 3) % 256)
            px[(y * width + x) * 3 + 2] = UInt8(tint * 20 % 256)
        }
    }
    return RGBImage(width: width, height: height, pixels: px)
}

/// An ImageFolder tree `root/{train,val}/<class>/img<k>.JPEG` with `perClass` images each.
@discardableResult
func makeImageFolder(in dir: String, classes: [String] = ["n02", "n01", "n03"], perClass: Int = 2,
                     size: (Int, Int) = (24, 20)) throws -> String {
    let root = path(dir, "tiny-imagenet")
    for split in ["train", "val"] {
        for (c, name) in classes.enumerated() {
            for k in 0..<perClass {
                let jpeg = try JPEGEncoder.encode(testImage(width: size.0, height: size.1, tint: c), quality: 95)
                write(jpeg, to: path(root, split, name, "img\(k).JPEG"))
            }
        }
    }
    return root
}

/// `../shared/datasets` next to the package root, or nil (tests then skip).
func sharedDatasets() -> String? {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()   // Tests/DatasetsTests
        .deletingLastPathComponent().deletingLastPathComponent()              // package root
        .deletingLastPathComponent().appendingPathComponent("shared/datasets").path
    return FileManager.default.fileExists(atPath: root) ? root : nil
}

/// Asserts that `body` throws a `DatasetError` of `kind` whose message contains every `fragments`.
func assertDatasetError<T>(_ kind: DatasetError.Kind, _ fragments: [String], file: StaticString = #filePath,
                           line: UInt = #line, _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected a \(kind) error", file: file, line: line)
    } catch let e as DatasetError {
        XCTAssertEqual(e.kind, kind, "\(e)", file: file, line: line)
        for f in fragments { XCTAssertTrue(e.description.contains(f), "'\(f)' not in: \(e)", file: file, line: line) }
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}
