// `atkd data`: check a dataset directory, compute its statistics, build the
// preprocessed cache, measure loader throughput, download CIFAR-10.

import ArgumentParser
import Datasets
import Foundation

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect, validate, cache and benchmark datasets.",
        subcommands: [DataCheck.self, DataStats.self, DataPrepare.self, DataBench.self, DataDownload.self])
}

/// Runs `body`, turning a `DatasetError` into a message on stderr and its exit status (65 for
/// data that does not read, 74 for I/O; see `ExitStatus`).
func reportingDatasetErrors(_ body: () throws -> Void) throws {
    do { try body() } catch let e as DatasetError {
        FileHandle.standardError.write("error: \(e)\n".data(using: .utf8)!)
        throw ExitCode(ExitStatus.of(e))
    }
}

struct DataCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a dataset directory (CIFAR-10 binary or ImageFolder) and print a summary.",
        discussion: """
            Every batch file / image is read in full. Exits non-zero naming the file (and record or \
            offset) on: a batch size that is not a multiple of 3073, a truncated .zst, a label > 9, \
            a missing batch, a JPEG that does not decode, an empty class folder, train/val class \
            sets that differ (exit 65; 74 when the system refuses a read). Non-image files in class folders are skipped with a warning.
            """)

    @Argument(help: "The dataset directory.") var path: String
    @Flag(help: "Print the summary as JSON.") var json = false
    @Option(help: "ImageFolder decode resolution (pixels, square).") var resolution = 64
    @Option(help: "Decoding threads.") var threads = 2

    func run() throws {
        try reportingDatasetErrors {
            let summary = try DatasetCheck.run(path: path, resolution: resolution, threads: threads, progress: !json)
            if json {
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try enc.encode(summary), as: UTF8.self))
            } else {
                print(summary.text)
            }
        }
    }
}

struct DataStats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Per-channel mean and std of the training split, in [0, 1] units.")

    @Argument(help: "The dataset directory.") var path: String
    @Option(help: "ImageFolder decode resolution.") var resolution = 64
    @Option(help: "Cache directory (default: ATKD_CACHE, else cache/ in the project).") var cacheDir: String?

    func run() throws {
        try reportingDatasetErrors {
            let train = try DatasetCheck.loadTrain(path: path, resolution: resolution,
                                                   cache: PreprocessCache.resolve(explicit: cacheDir))
            let s = train.channelStatistics()
            func fmt(_ v: [Float]) -> String { v.map { String(format: "%.8f", $0) }.joined(separator: ", ") }
            print("images: \(train.count) (\(train.channels)×\(train.height)×\(train.width))")
            print("mean: \(fmt(s.mean))")
            print("std:  \(fmt(s.std))")
        }
    }
}

struct DataPrepare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Decode an ImageFolder dataset once into the preprocessed cache (both splits).")

    @Argument(help: "The ImageFolder dataset directory.") var path: String
    @Option(help: "Resolution (pixels, square).") var resolution = 64
    @Option(help: "Cache directory (default: ATKD_CACHE, else cache/ in the project).") var cacheDir: String?
    @Option(help: "Decoding threads.") var threads = 2

    func run() throws {
        try reportingDatasetErrors {
            let cache = PreprocessCache.resolve(explicit: cacheDir)
            for split in Split.allCases {
                let t0 = Date()
                let index = try ImageFolder.scan(root: path, split: split)
                let (images, origin) = try cache.load(index, resolution: resolution, threads: threads)
                let dt = Date().timeIntervalSince(t0)
                print("\(images.name): \(images.count) images, \(origin.rawValue) in \(String(format: "%.2f", dt)) s "
                      + "(\(Int(Double(images.count) / dt)) img/s) — \(cache.directory)")
            }
        }
    }
}

struct DataBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure BatchLoader throughput on the training split.")

    @Argument(help: "The dataset directory.") var path: String
    @Option(help: "Loader threads.") var threads = 2
    @Option(help: "Batch size.") var batchSize = 128
    @Option(help: "Epochs to time.") var epochs = 1
    @Option(help: "ImageFolder resolution.") var resolution = 64
    @Option(help: "Cache directory.") var cacheDir: String?
    @Flag(help: "Random crop (4 px reflect) + flip; otherwise no augmentation.") var augment = false
    @Option(help: "Rotation range in degrees (0 = off).") var rotation: Float = 0

    func run() throws {
        try reportingDatasetErrors {
            let train = try DatasetCheck.loadTrain(path: path, resolution: resolution,
                                                   cache: PreprocessCache.resolve(explicit: cacheDir))
            var aug = augment ? Augmentation.cifarStandard : .none
            aug.maxRotationDegrees = rotation
            let norm: Normalization = try DatasetCheck.detectFormat(path) == "cifar10-binary" ? .cifar10 : .imagenet
            let loader = try BatchLoader(images: train, batchSize: batchSize, augmentation: aug,
                                         normalization: norm, seed: 1, threads: threads)
            for e in 0..<epochs {
                let t0 = Date()
                var n = 0
                for b in try loader.epoch(e) { n += b.labels.count }
                let dt = Date().timeIntervalSince(t0)
                print("epoch \(e): \(n) images in \(String(format: "%.3f", dt)) s = \(Int(Double(n) / dt)) img/s "
                      + "(threads \(threads), batch \(batchSize), augment \(augment), rotation \(rotation))")
            }
        }
    }
}

struct DataDownload: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download CIFAR-10 (binary version), check its MD5 and extract it into ./data/.")

    @Option(help: "Destination directory.") var into = "data"
    @Option(help: "Archive URL (a mirror of cifar-10-binary.tar.gz).") var url = CIFAR10.archiveURL
    @Option(help: "Expected MD5 of the archive.") var md5 = CIFAR10.archiveMD5

    func run() throws {
        try reportingDatasetErrors {
            let path = try Downloader.cifar10(into: into, url: url, md5: md5)
            print("CIFAR-10 ready at \(path)")
        }
    }
}
