// CIFAR-10 binary reader: `cifar-10-batches-bin/` with data_batch_1..5 and
// test_batch, each as plain `.bin` or zstd-compressed `.bin.zst`.

import Foundation
import FileIO

/// Which half of a dataset: training images or held-out evaluation images
/// (CIFAR `test_batch`, ImageFolder `val/`).
public enum Split: String, Sendable, CaseIterable, Codable {
    case train, test
}

/// Reader for the CIFAR-10 binary version.
///
/// Record = 1 label byte (0–9) + 3072 pixel bytes (1024 R, 1024 G, 1024 B,
/// each 32×32 row-major); nothing between records.
/// - Reference: https://www.cs.toronto.edu/~kriz/cifar.html
public enum CIFAR10 {
    public static let recordBytes = 3073
    public static let imageBytes = 3072
    public static let classCount = 10
    /// The folder name the official archive extracts to.
    public static let folderName = "cifar-10-batches-bin"
    /// The official archive and its MD5.
    public static let archiveURL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    public static let archiveMD5 = "c32a1d4ab5d03f1284b67883e8d87530"
    /// Label order of `batches.meta.txt`, used when that file is absent.
    public static let defaultClassNames = ["airplane", "automobile", "bird", "cat", "deer",
                                           "dog", "frog", "horse", "ship", "truck"]

    /// Batch file stems of a split, in load order.
    public static func batchNames(_ split: Split) -> [String] {
        switch split {
        case .train: return (1...5).map { "data_batch_\($0)" }
        case .test: return ["test_batch"]
        }
    }

    /// The file holding batch `stem`: `stem.bin` if present, else `stem.bin.zst`; nil if neither.
    public static func batchFile(_ stem: String, in directory: String) -> String? {
        let fm = FileManager.default
        for ext in [".bin", ".bin.zst"] {
            let p = (directory as NSString).appendingPathComponent(stem + ext)
            if fm.fileExists(atPath: p) { return p }
        }
        return nil
    }

    /// True when `directory` holds at least one CIFAR-10 batch file.
    public static func looksLikeCIFAR(_ directory: String) -> Bool {
        (batchNames(.train) + batchNames(.test)).contains { batchFile($0, in: directory) != nil }
    }

    /// Class names from `batches.meta.txt` (blank lines ignored), or the
    /// standard names when the file is absent. Throws unless there are 10.
    public static func classNames(in directory: String) throws -> [String] {
        let path = (directory as NSString).appendingPathComponent("batches.meta.txt")
        guard FileManager.default.fileExists(atPath: path) else { return defaultClassNames }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DatasetError(.corrupt, file: path, "not readable as UTF-8 text")
        }
        let names = text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard names.count == classCount else {
            throw DatasetError(.badSize, file: path, "\(names.count) class names, expected \(classCount)")
        }
        return names
    }

    /// The raw (decompressed) bytes of one batch file.
    public static func readBatchBytes(_ path: String) throws -> [UInt8] {
        if path.hasSuffix(".zst") { return try DatasetError.translating { try Zstd.decompressFile(path) } }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(.io, file: path, "cannot read")
        }
        return [UInt8](data)
    }

    /// Checks a batch's bytes: a whole number of records, every label in 0...9.
    /// Returns the record count.
    public static func validateRecords(_ bytes: [UInt8], file: String) throws -> Int {
        guard bytes.count % recordBytes == 0 else {
            let whole = bytes.count / recordBytes
            throw DatasetError(.badSize, file: file,
                               "\(bytes.count) bytes is not a multiple of the \(recordBytes)-byte record: "
                               + "\(whole) whole records, then \(bytes.count - whole * recordBytes) stray bytes "
                               + "at offset \(whole * recordBytes)")
        }
        let n = bytes.count / recordBytes
        try bytes.withUnsafeBufferPointer { b in
            for r in 0..<n where b[r * recordBytes] >= classCount {
                throw DatasetError(.badLabel, file: file,
                                   "record \(r) (byte offset \(r * recordBytes)): label byte \(b[r * recordBytes]) > 9")
            }
        }
        return n
    }

    /// Loads one split from `directory` (all of its batch files, in order).
    ///
    /// Throws `.notFound` naming the missing batch, and the errors of
    /// `validateRecords` / `Zstd.decompressFile` naming the bad file.
    public static func load(directory: String, split: Split) throws -> ImageSet {
        let names = try classNames(in: directory)
        var pixels: [UInt8] = []
        var labels: [Int] = []
        for stem in batchNames(split) {
            guard let path = batchFile(stem, in: directory) else {
                throw DatasetError(.notFound, file: (directory as NSString).appendingPathComponent(stem + ".bin"),
                                   "missing batch: neither \(stem).bin nor \(stem).bin.zst exists")
            }
            let bytes = try readBatchBytes(path)
            let n = try validateRecords(bytes, file: path)
            pixels.reserveCapacity(pixels.count + n * imageBytes)
            labels.reserveCapacity(labels.count + n)
            bytes.withUnsafeBufferPointer { b in
                for r in 0..<n {
                    labels.append(Int(b[r * recordBytes]))
                    let start = r * recordBytes + 1
                    pixels.append(contentsOf: b[start..<(start + imageBytes)])
                }
            }
        }
        return try ImageSet(name: "cifar10/\(split.rawValue)", channels: 3, height: 32, width: 32,
                            pixels: pixels, labels: labels, classNames: names)
    }
}
