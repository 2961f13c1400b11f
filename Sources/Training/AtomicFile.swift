// Atomic file writes: a temporary file in the same folder, fsync, then rename.

import Foundation

public enum AtomicFile {
    /// Writes `data` to `path` so that readers see the old or the new file, never a torn one.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tmp = "\(dir)/.\(url.lastPathComponent).\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: tmp, contents: data) else {
            throw SpecError("\(path): cannot write (temporary file \(tmp))")
        }
        let fd = open(tmp, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw SpecError("\(path): cannot rename temporary file into place (errno \(errno))")
        }
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }
}
