// Parallel decode of an ImageFolder split to fixed-resolution uint8 images,
// with a progress line on stderr.

import Foundation

/// Writes a single self-overwriting progress line to stderr.
public struct ProgressLine: Sendable {
    public let label: String
    public let enabled: Bool
    public init(_ label: String, enabled: Bool = true) {
        self.label = label
        self.enabled = enabled
    }

    /// Prints `label: done/total (pct) elapsed, rate, ETA` on the current line.
    public func update(done: Int, total: Int, seconds: Double, final: Bool = false) {
        guard enabled else { return }
        FileHandle.standardError.write((Self.text(label, done: done, total: total, seconds: seconds)
                                        + (final ? "\n" : "")).data(using: .utf8)!)
    }

    /// `\rlabel: done/total (pct%) elapsed s, rate img/s, ETA s` (no ETA before a rate or once done).
    public static func text(_ label: String, done: Int, total: Int, seconds: Double) -> String {
        let pct = total > 0 ? 100 * done / total : 100
        let rate = seconds > 0 ? Double(done) / seconds : 0
        var line = "\r\(label): \(done)/\(total) (\(pct)%) \(String(format: "%.1f", seconds)) s, \(Int(rate)) img/s"
        if rate > 0 && done < total { line += String(format: ", ETA %.0f s", Double(total - done) / rate) }
        return line
    }
}

extension ImageFolder {
    /// Decodes every image of `index` to `3 × resolution × resolution`
    /// (resize shorter side, centre crop) on `threads` threads.
    ///
    /// The result does not depend on the thread count. On failure the error
    /// of the first bad file in index order is thrown.
    public static func decode(_ index: ImageFolderIndex, resolution: Int, threads: Int = 2,
                              progress: ProgressLine? = nil) throws -> ImageSet {
        guard resolution > 0 else {
            throw DatasetError(.invalidArgument, file: index.directory, "resolution \(resolution) must be positive")
        }
        let n = index.entries.count, bytesPer = 3 * resolution * resolution
        var pixels = [UInt8](repeating: 0, count: n * bytesPer)
        var errors = [(Int, Error)?](repeating: nil, count: max(threads, 1))
        let lock = NSLock()
        var done = 0
        let start = Date()
        let workers = max(1, min(threads, n))
        pixels.withUnsafeMutableBufferPointer { out in
            let base = out.baseAddress!
            nonisolated(unsafe) let dst = base
            DispatchQueue.concurrentPerform(iterations: workers) { t in
                let decoder: JPEGDecoder
                do { decoder = try JPEGDecoder() } catch {
                    lock.lock(); errors[t] = (0, error); lock.unlock(); return
                }
                var i = t
                var local = 0
                while i < n {
                    let full = (index.directory as NSString).appendingPathComponent(index.entries[i].path)
                    do {
                        guard let data = FileManager.default.contents(atPath: full) else {
                            throw DatasetError(.io, file: full, "cannot read")
                        }
                        let img = try decoder.decode([UInt8](data), file: full, minShorterSide: resolution)
                        let chw = resizeShorterAndCenterCrop(img, resolution: resolution)
                        chw.withUnsafeBufferPointer { (dst + i * bytesPer).update(from: $0.baseAddress!, count: bytesPer) }
                    } catch {
                        lock.lock(); errors[t] = (i, error); lock.unlock()
                        return
                    }
                    local += 1
                    if local == 64 {
                        lock.lock(); done += local; let d = done; lock.unlock()
                        local = 0
                        progress?.update(done: d, total: n, seconds: Date().timeIntervalSince(start))
                    }
                    i += workers
                }
                lock.lock(); done += local; lock.unlock()
            }
        }
        if let (_, error) = errors.compactMap({ $0 }).min(by: { $0.0 < $1.0 }) { throw error }
        progress?.update(done: n, total: n, seconds: Date().timeIntervalSince(start), final: true)
        let name = ((index.directory as NSString).deletingLastPathComponent as NSString).lastPathComponent
            + "/" + (index.directory as NSString).lastPathComponent
        return try ImageSet(name: name, channels: 3, height: resolution, width: resolution, pixels: pixels,
                            labels: index.entries.map(\.label), classNames: index.classNames)
    }
}
