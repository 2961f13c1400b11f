// Atomic file writes for run records (spec.json, final.json, metrics.tsv, fingerprints): the one
// implementation is `FileBytes.writeAtomically` (temp file, fsync, rename, directory fsync).

import Foundation
import Models
import FileIO

public enum AtomicFile {
    /// Writes `data` to `path` so that readers see the old or the new file, never a torn one;
    /// creates the folder when missing. Errors name the file (`TensorArchiveError.io`).
    public static func write(_ data: Data, to path: String) throws {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileBytes.writeAtomically(Array(data), to: path)
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}
