// Whole-file reads and atomic whole-file writes (temp file in the same directory,
// fsync, rename, fsync of the directory), with errors naming the file.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// POSIX whole-file helpers: read everything, or replace a file atomically. The one atomic write
/// of the project (run records, checkpoints, caches, exports all go through `writeAtomically`).
public enum FileBytes {
    /// The whole content of `path`.
    public static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError(path, "open") }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ioError(path, "read")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }

    /// Replaces `path` with `bytes` so that readers see either the old or the new file:
    /// writes `<path>.<pid>.<random>.tmp` in the same directory, fsyncs it, renames it
    /// over `path`, then fsyncs the directory. The temp file is removed on failure.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        var rng = SystemRandomNumberGenerator()
        let tmp = "\(path).\(getpid()).\(String(rng.next() as UInt32, radix: 16)).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ioError(path, "create temp file \(tmp)") }
        var ok = false
        defer { if !ok { unlink(tmp) } }
        do {
            defer { close(fd) }
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ioError(path, "write")
                }
                offset += n
            }
            guard fsync(fd) == 0 else { throw ioError(path, "fsync") }
        }
        guard rename(tmp, path) == 0 else { throw ioError(path, "rename \(tmp)") }
        ok = true
        // NOTE: without the directory fsync a crash could lose the rename itself.
        let dfd = open(directory(of: path), O_RDONLY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func ioError(_ path: String, _ what: String) -> FileIOError {
        FileIOError(.io, file: path, "I/O error: \(what): \(String(cString: strerror(errno)))")
    }
}
