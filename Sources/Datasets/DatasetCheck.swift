// Validation of a dataset directory (CIFAR-10 binary or ImageFolder), producing
// the summary `atkd data check` prints.

import Foundation

/// Counts of one split.
public struct SplitSummary: Codable, Equatable, Sendable {
    public let split: String
    public let count: Int
    /// Images per class, in label order.
    public let perClass: [Int]
}

/// What `DatasetCheck.run` found.
public struct DatasetSummary: Codable, Equatable, Sendable {
    /// `cifar10-binary` or `imagefolder`.
    public let format: String
    public let path: String
    public let classNames: [String]
    /// `[C, H, W]` of the images as the loader delivers them.
    public let imageShape: [Int]
    public let splits: [SplitSummary]
    /// Non-fatal findings (skipped non-image files, mixed .bin/.zst).
    public let warnings: [String]

    /// The summary as human-readable lines.
    public var text: String {
        var lines = ["format: \(format)", "path: \(path)",
                     "image: \(imageShape.map(String.init).joined(separator: "×"))",
                     "classes: \(classNames.count)"]
        for s in splits {
            lines.append("\(s.split): \(s.count) images")
        }
        let width = classNames.map(\.count).max() ?? 0
        for (c, name) in classNames.enumerated() {
            let counts = splits.map { "\($0.split) \($0.perClass[c])" }.joined(separator: ", ")
            lines.append("  \(c) \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(counts)")
        }
        lines += warnings.map { "warning: \($0)" }
        return lines.joined(separator: "\n")
    }
}

/// Validates dataset directories: every file read in full, every record or
/// image checked; the first problem is thrown as a `DatasetError`.
public enum DatasetCheck {
    /// Which reader applies to `path`.
    public static func detectFormat(_ path: String) throws -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw DatasetError(.notFound, file: path, "no such directory")
        }
        if CIFAR10.looksLikeCIFAR(path) { return "cifar10-binary" }
        if ImageFolder.looksLikeImageFolder(path) { return "imagefolder" }
        throw DatasetError(.notFound, file: path,
                           "neither CIFAR-10 batch files (data_batch_N.bin[.zst]) nor an ImageFolder train/ or val/")
    }

    /// Loads both splits of the dataset at `path` and summarises them.
    /// ImageFolder images are fully decoded at `resolution` (no cache).
    public static func run(path: String, resolution: Int = 64, threads: Int = 2,
                           progress: Bool = false) throws -> DatasetSummary {
        let format = try detectFormat(path)
        var warnings: [String] = []
        var sets: [(Split, ImageSet)] = []
        if format == "cifar10-binary" {
            let files = (CIFAR10.batchNames(.train) + CIFAR10.batchNames(.test)).compactMap {
                CIFAR10.batchFile($0, in: path)
            }
            if Set(files.map { $0.hasSuffix(".zst") }).count > 1 {
                warnings.append("mixed plain .bin and .bin.zst batch files")
            }
            for split in Split.allCases { sets.append((split, try CIFAR10.load(directory: path, split: split))) }
        } else {
            for split in Split.allCases {
                let index = try ImageFolder.scan(root: path, split: split)
                warnings += index.skipped.map { "skipped non-image file \($0)" }
                let line = progress ? ProgressLine("decoding \(split == .train ? "train" : "val")") : nil
                sets.append((split, try ImageFolder.decode(index, resolution: resolution, threads: threads,
                                                           progress: line)))
            }
        }
        let first = sets[0].1
        return DatasetSummary(
            format: format, path: path, classNames: first.classNames,
            imageShape: [first.channels, first.height, first.width],
            splits: sets.map { SplitSummary(split: format == "imagefolder" && $0.0 == .test ? "val" : $0.0.rawValue,
                                            count: $0.1.count, perClass: $0.1.perClassCounts()) },
            warnings: warnings)
    }

    /// Loads the training split of the dataset at `path` (ImageFolder via
    /// the cache at `cache`) — for statistics and benchmarks.
    public static func loadTrain(path: String, resolution: Int = 64, cache: PreprocessCache? = nil,
                                 threads: Int = 2) throws -> ImageSet {
        if try detectFormat(path) == "cifar10-binary" { return try CIFAR10.load(directory: path, split: .train) }
        let index = try ImageFolder.scan(root: path, split: .train)
        if let cache { return try cache.load(index, resolution: resolution, threads: threads).images }
        return try ImageFolder.decode(index, resolution: resolution, threads: threads)
    }
}
