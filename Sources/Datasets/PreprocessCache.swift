// The preprocessed cache: an ImageFolder split decoded once at a resolution,
// stored as one zstd shard plus a JSON manifest, reused while sources are unchanged.

import Foundation
import FileIO

/// Manifest of one cached split. Written after the shard, so a manifest on
/// disk always describes a complete shard (the manifest is the commit point).
struct CacheManifest: Codable, Equatable {
    static let currentVersion = 1
    var version: Int
    /// The split directory as given (for messages only; staleness is judged on `sources`).
    var source: String
    var resolution: Int
    var classIDs: [String]
    var classNames: [String]
    /// Every source file, its size and mtime, in label order.
    var sources: [ImageFolderEntry]
    var shard: String
    /// Decompressed shard size in bytes (`count · 3 · R · R`).
    var payloadBytes: Int
    /// FNV-1a-64 over the shard's little-endian 64-bit words, hex.
    var checksum: String
}

/// Where preprocessed data lives and how a split is decoded once and reused.
public struct PreprocessCache: Sendable {
    /// The cache root directory.
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The cache root: `explicit` (`--cache-dir`), else `ATKD_CACHE`, else
    /// `cache/` in the project root (the nearest ancestor of the working
    /// directory holding `Package.swift`, else the working directory).
    /// Never next to the data, which may be read-only.
    public static func resolve(explicit: String?,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> PreprocessCache {
        if let e = explicit, !e.isEmpty { return PreprocessCache(directory: e) }
        if let e = environment["ATKD_CACHE"], !e.isEmpty { return PreprocessCache(directory: e) }
        let fm = FileManager.default
        var dir = fm.currentDirectoryPath
        while true {
            if fm.fileExists(atPath: (dir as NSString).appendingPathComponent("Package.swift")) { break }
            let parent = (dir as NSString).deletingLastPathComponent
            if parent == dir || parent.isEmpty { dir = fm.currentDirectoryPath; break }
            dir = parent
        }
        return PreprocessCache(directory: (dir as NSString).appendingPathComponent("cache"))
    }

    /// FNV-1a-64 over 64-bit little-endian words (tail bytes zero-padded).
    static func checksum(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        bytes.withUnsafeBytes { raw in
            let words = raw.count / 8
            for k in 0..<words {
                h = (h ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self))) &* 0x100_0000_01b3
            }
            var tail: UInt64 = 0
            for (j, b) in raw[(words * 8)...].enumerated() { tail |= UInt64(b) << (8 * UInt64(j)) }
            h = (h ^ tail ^ UInt64(raw.count)) &* 0x100_0000_01b3
        }
        return String(h, radix: 16)
    }

    /// The cache folder of one split at one resolution: named after the
    /// dataset and split, plus a hash of the split's absolute path.
    func entryDirectory(for index: ImageFolderIndex, resolution: Int) -> String {
        let abs = URL(fileURLWithPath: index.directory).standardizedFileURL.path
        let dataset = ((abs as NSString).deletingLastPathComponent as NSString).lastPathComponent
        let split = (abs as NSString).lastPathComponent
        let key = Self.checksum(Array(abs.utf8)).prefix(8)
        return (directory as NSString).appendingPathComponent("imagefolder-\(dataset)-\(split)-r\(resolution)-\(key)")
    }

    /// Outcome of `load`, for logs and tests.
    public enum Origin: String, Sendable { case cache, built, rebuilt }

    /// Loads `index` at `resolution` from the cache when its manifest lists
    /// exactly the current source files (paths, sizes, mtimes) and the shard
    /// checks out; otherwise decodes the sources and (re)writes the cache
    /// atomically (`FileBytes.writeAtomically`: temp file, fsync, rename, directory fsync).
    public func load(_ index: ImageFolderIndex, resolution: Int, threads: Int = 2,
                     progress: Bool = true) throws -> (images: ImageSet, origin: Origin) {
        let dir = entryDirectory(for: index, resolution: resolution)
        let manifestPath = (dir as NSString).appendingPathComponent("manifest.json")
        var stale = false
        if let data = FileManager.default.contents(atPath: manifestPath) {
            if let m = try? JSONDecoder().decode(CacheManifest.self, from: data),
               m.version == CacheManifest.currentVersion, m.resolution == resolution,
               m.classIDs == index.classIDs, m.classNames == index.classNames, m.sources == index.entries {
                let shardPath = (dir as NSString).appendingPathComponent(m.shard)
                if let px = try? Zstd.decompressFile(shardPath), px.count == m.payloadBytes,
                   Self.checksum(px) == m.checksum {
                    let images = try ImageSet(name: nameOf(index), channels: 3, height: resolution, width: resolution,
                                              pixels: px, labels: index.entries.map(\.label),
                                              classNames: index.classNames)
                    return (images, .cache)
                }
            }
            stale = true
        }
        if progress && stale {
            FileHandle.standardError.write("cache \(dir): sources changed or shard damaged; rebuilding\n".data(using: .utf8)!)
        }
        let line = progress ? ProgressLine("decoding \(nameOf(index)) at \(resolution) px") : nil
        let images = try ImageFolder.decode(index, resolution: resolution, threads: threads, progress: line)
        try write(images, index: index, resolution: resolution, to: dir)
        return (images, stale ? .rebuilt : .built)
    }

    private func nameOf(_ index: ImageFolderIndex) -> String {
        ((index.directory as NSString).deletingLastPathComponent as NSString).lastPathComponent
            + "/" + (index.directory as NSString).lastPathComponent
    }

    private func write(_ images: ImageSet, index: ImageFolderIndex, resolution: Int, to dir: String) throws {
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            throw DatasetError(.cache, file: dir, "cannot create cache directory (\(error.localizedDescription))")
        }
        let shard = "images.u8.zst"
        try DatasetError.translating {
            try Zstd.compress(images.pixels, to: (dir as NSString).appendingPathComponent(shard))
        }
        let manifest = CacheManifest(version: CacheManifest.currentVersion, source: index.directory,
                                     resolution: resolution, classIDs: index.classIDs, classNames: index.classNames,
                                     sources: index.entries, shard: shard, payloadBytes: images.pixels.count,
                                     checksum: Self.checksum(images.pixels))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(manifest)
        try DatasetError.translating {
            try FileBytes.writeAtomically(Array(json), to: (dir as NSString).appendingPathComponent("manifest.json"))
        }
    }
}
